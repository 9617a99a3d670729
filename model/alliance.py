"""The alliance graph: typed, weighted ties that signals travel along and that change in a run.

Edge types: ``nato_ally`` and ``eu_member`` carry trust (0-1) that grows when two actors take
the same line and shrinks when they diverge (Axelrod's tribute model); ``security_partner``
links Ukraine's backers to it; ``adversary`` links the challenger to everyone else;
``energy_supply`` carries pipeline gas volume (bcm/year) from the challenger, scaled by the
current flow, and is cut when the flow stops. Alliance cohesion is the mean trust on the
NATO and EU ties.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from model.parameters import ActorProfile

NATO_ALLY = "nato_ally"
EU_MEMBER = "eu_member"
SECURITY_PARTNER = "security_partner"
ADVERSARY = "adversary"
ENERGY_SUPPLY = "energy_supply"
EDGE_TYPES = (NATO_ALLY, EU_MEMBER, SECURITY_PARTNER, ADVERSARY, ENERGY_SUPPLY)
ALLIANCE_TYPES = (NATO_ALLY, EU_MEMBER)


class AllianceGraph:
    """A networkx MultiGraph keyed by edge type, with the queries the model needs each week."""

    def __init__(self, actors: Iterable[ActorProfile], tie_strength: float) -> None:
        actors = list(actors)
        self.graph = nx.MultiGraph()
        challenger = next(a.name for a in actors if a.role == "challenger")
        target = next(a.name for a in actors if a.role == "target")
        union = next((a.name for a in actors if a.role == "union"), None)
        for actor in actors:
            self.graph.add_node(actor.name, role=actor.role, nato=actor.nato, eu=actor.eu)
        nato = [a.name for a in actors if a.nato and a.role == "state"]
        for i, first in enumerate(nato):
            for second in nato[i + 1 :]:
                self.graph.add_edge(first, second, key=NATO_ALLY, weight=tie_strength)
        if union is not None:
            for actor in actors:
                if actor.eu and actor.role == "state":
                    self.graph.add_edge(actor.name, union, key=EU_MEMBER, weight=tie_strength)
        for actor in actors:
            if actor.name == challenger:
                continue
            self.graph.add_edge(challenger, actor.name, key=ADVERSARY, weight=1.0)
            if actor.security_partner and actor.name != target:
                self.graph.add_edge(actor.name, target, key=SECURITY_PARTNER, weight=tie_strength)
            if actor.gas_volume > 0.0:
                self.graph.add_edge(
                    challenger,
                    actor.name,
                    key=ENERGY_SUPPLY,
                    weight=actor.gas_volume,
                    contract=actor.gas_volume,
                )
        # Ties that change every week, held as the graph's own attribute dicts.
        self.alliance_ties = [
            (u, v, d)
            for u, v, k, d in self.graph.edges(keys=True, data=True)
            if k in ALLIANCE_TYPES
        ]
        self._neighbours = {
            (node, kind): sorted(v for _, v, k in self.graph.edges(node, keys=True) if k == kind)
            for node in self.graph
            for kind in EDGE_TYPES
        }

    def neighbours(self, node: str, kind: str) -> list[str]:
        """Actors tied to ``node`` by an edge of ``kind`` (the routes its signals take)."""
        return self._neighbours.get((node, kind), [])

    def allies(self, node: str) -> list[tuple[str, float]]:
        """NATO and EU partners of ``node`` with the current trust on each tie."""
        found = []
        for u, v, data in self.alliance_ties:
            if u == node:
                found.append((v, data["weight"]))
            elif v == node:
                found.append((u, data["weight"]))
        return found

    def cohesion(self) -> float:
        if not self.alliance_ties:
            return 0.0
        return sum(d["weight"] for _, _, d in self.alliance_ties) / len(self.alliance_ties)

    def update_ties(self, stance: dict[str, float], rate: float) -> None:
        """Agreement (stances within 0.5 of each other) strengthens a tie, divergence weakens it."""
        for u, v, data in self.alliance_ties:
            alignment = 1.0 - 2.0 * abs(stance[u] - stance[v])  # +1 same line, -1 opposite
            w = data["weight"]
            w += rate * alignment * ((1.0 - w) if alignment > 0 else w)
            data["weight"] = 0.0 if w < 0.0 else 1.0 if w > 1.0 else w

    def set_gas_flow(self, flow: float) -> None:
        """Scale every supply edge to the current flow; a stopped flow cuts it to zero weight."""
        for _, _, k, data in self.graph.edges(keys=True, data=True):
            if k == ENERGY_SUPPLY:
                data["weight"] = data["contract"] * flow
