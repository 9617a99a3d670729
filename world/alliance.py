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
from functools import lru_cache
from typing import NamedTuple

import networkx as nx

from world.ladder import TOP_TIER
from world.parameters import ActorProfile

NATO_ALLY = "nato_ally"
EU_MEMBER = "eu_member"
SECURITY_PARTNER = "security_partner"
ADVERSARY = "adversary"
ENERGY_SUPPLY = "energy_supply"
EDGE_TYPES = (NATO_ALLY, EU_MEMBER, SECURITY_PARTNER, ADVERSARY, ENERGY_SUPPLY)
ALLIANCE_TYPES = (NATO_ALLY, EU_MEMBER)

# How hard a line each action takes, for the stance alliance ties follow (§7.7 of the ODD).
HARDNESS = {
    "hold": 0.3,
    "talks": 0.0,
    "sanction_threat": 0.7,
    "arms_delivery": 1.0,
    "flank_deployment": 1.0,
}
DEFAULT_HARDNESS = 0.3  # any other action


def hard_line(sanction_support: float, actions: tuple[str, ...]) -> float:
    """The line an actor takes this week, 0 (soft) to 1 (hard): what alliance ties follow."""
    taken = [HARDNESS.get(a, DEFAULT_HARDNESS) for a in actions if a not in ("hold", "none")]
    hardness = max(taken, default=HARDNESS["hold"])  # holding on every track is the default
    return 0.5 * sanction_support / TOP_TIER + 0.5 * hardness


class AllianceGraph:
    """A networkx MultiGraph keyed by edge type, with the queries the model needs each week."""

    def __init__(self, actors: Iterable[ActorProfile], tie_strength: float) -> None:
        plan = _plan(tuple(actors))
        self.graph = graph = nx.MultiGraph()
        graph.add_nodes_from(plan.nodes)
        # The ties that change every week, held as the graph's own attribute dicts (so the
        # graph always shows them), and the supply edges that follow the flow.
        self.alliance_ties: list[tuple[str, str, dict]] = []
        self._ties_of: dict[str, list[tuple[str, dict]]] = {node: [] for node, _ in plan.nodes}
        self._supply_edges: list[dict] = []
        # One add_edge per tie: for a MultiGraph it is twice as fast as add_edges_from.
        add_edge, live = graph.add_edge, graph.get_edge_data  # the graph's own dict, no view
        for u, v, kind, fixed in plan.edges:
            add_edge(u, v, kind, **({"weight": tie_strength} if fixed is None else fixed))
            data = live(u, v, kind)
            if kind in ALLIANCE_TYPES:
                self.alliance_ties.append((u, v, data))
                self._ties_of[u].append((v, data))
                self._ties_of[v].append((u, data))
            elif kind == ENERGY_SUPPLY:
                self._supply_edges.append(data)
        self._neighbours = plan.neighbours

    def neighbours(self, node: str, kind: str) -> tuple[str, ...]:
        """Actors tied to ``node`` by an edge of ``kind`` (the routes its signals take)."""
        return self._neighbours.get((node, kind), ())

    def allies(self, node: str) -> list[tuple[str, float]]:
        """NATO and EU partners of ``node`` with the current trust on each tie."""
        return [(other, data["weight"]) for other, data in self.ties(node)]

    def ties(self, node: str) -> list[tuple[str, dict]]:
        """``node``'s NATO and EU ties as (partner, edge attributes): live, read every week."""
        return self._ties_of.get(node, [])

    def cohesion(self) -> float:
        if not self.alliance_ties:
            return 0.0
        return sum([d["weight"] for _, _, d in self.alliance_ties]) / len(self.alliance_ties)

    def update_ties(self, stance: dict[str, float], rate: float) -> None:
        """Agreement (stances within 0.5 of each other) strengthens a tie, divergence weakens it."""
        for u, v, data in self.alliance_ties:
            alignment = 1.0 - 2.0 * abs(stance[u] - stance[v])  # +1 same line, -1 opposite
            w = data["weight"]
            w += rate * alignment * ((1.0 - w) if alignment > 0 else w)
            data["weight"] = 0.0 if w < 0.0 else 1.0 if w > 1.0 else w

    def set_gas_flow(self, flow: float) -> None:
        """Scale every supply edge to the current flow; a stopped flow cuts it to zero weight."""
        for data in self._supply_edges:
            data["weight"] = data["contract"] * flow


class _Plan(NamedTuple):
    """A graph's structure, which depends on the actors alone, so a batch works it out once."""

    nodes: tuple[tuple[str, dict], ...]
    #: (u, v, type, attributes); attributes None for a tie that starts at the tie strength.
    edges: tuple[tuple[str, str, str, dict | None], ...]
    neighbours: dict[tuple[str, str], tuple[str, ...]]


@lru_cache(maxsize=64)
def _plan(actors: tuple[ActorProfile, ...]) -> _Plan:
    challenger = next(a.name for a in actors if a.role == "challenger")
    target = next(a.name for a in actors if a.role == "target")
    union = next((a.name for a in actors if a.role == "union"), None)
    nodes = tuple((a.name, {"role": a.role, "nato": a.nato, "eu": a.eu}) for a in actors)
    edges: list[tuple[str, str, str, dict | None]] = []
    nato = [a.name for a in actors if a.nato and a.role == "state"]
    for i, first in enumerate(nato):
        edges.extend((first, second, NATO_ALLY, None) for second in nato[i + 1 :])
    if union is not None:
        edges.extend((a.name, union, EU_MEMBER, None) for a in actors if a.eu and a.role == "state")
    for actor in actors:
        if actor.name == challenger:
            continue
        edges.append((challenger, actor.name, ADVERSARY, {"weight": 1.0}))
        if actor.security_partner and actor.name != target:
            edges.append((actor.name, target, SECURITY_PARTNER, None))
        if actor.gas_volume > 0.0:
            volume = {"weight": actor.gas_volume, "contract": actor.gas_volume}
            edges.append((challenger, actor.name, ENERGY_SUPPLY, volume))
    routes: dict[tuple[str, str], list[str]] = {
        (node, kind): [] for node, _ in nodes for kind in EDGE_TYPES
    }
    for u, v, kind, _ in edges:
        routes[u, kind].append(v)
        routes[v, kind].append(u)
    neighbours = {route: tuple(sorted(found)) for route, found in routes.items()}
    return _Plan(nodes, tuple(edges), neighbours)
