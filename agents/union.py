"""The EU as an institution: it speaks for the Union's collective instruments.

Its sanction tier needs its members' consent: it backs a quantile of its members' tiers, the
``eu_consensus_quantile`` moved by the alliance's cohesion (0 is unanimity, so the most
restrained member decides; a cohesive Union carries its laggards along). Its resolve
and threat are its members' averages; its gas storage is the Union's aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.actor import Actor
from agents.western import HARM, hard_line
from world.choice import Option
from world.ladder import TOP_TIER
from world.signals import TALKS_INTENSITY, Kind

ROUNDING_GUARD = 1e-9  # keeps q·(n − 1) a whole number when it should be one


def quantile_tier(tiers: Sequence[Any], q: float) -> Any:
    """The ``q`` quantile of the tiers, as given: whole tiers or believed (fractional) ones."""
    ordered = sorted(tiers)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + ROUNDING_GUARD))]


class Union(Actor):
    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.members: list = []
        self.sanction_backing = 0

    def reassess(self) -> None:
        """Nothing of its own: the model aggregates the members once they have reassessed."""

    def aggregate(self) -> None:
        members = self.members
        if not members:
            return
        model = self.model
        n = len(members)
        self.resolve = sum([m.resolve for m in members]) / n
        self.threat = sum([m.threat for m in members]) / n
        self.belief = sum([m.belief for m in members]) / n
        self.cost = sum([m.cost for m in members]) / n
        q = model.consensus_quantile()
        previous = self.sanction_support
        self.sanction_support = quantile_tier([m.sanction_support for m in members], q)
        self.aggregate_backing()
        if self.sanction_support != previous:
            receivers = [m.name for m in members] + [model.challenger.name]
            self.send(receivers, Kind.SANCTION_SUPPORT, self.sanction_support / TOP_TIER, 0.0)

    def aggregate_backing(self) -> None:
        members = self.members
        if members:
            q = self.model.consensus_quantile()
            self.sanction_backing = quantile_tier([m.sanction_backing for m in members], q)

    def tracks(self) -> dict[str, dict[str, Option]]:
        world = self.model.world
        tier = min(self.model.policy.sanction_threat_tier, self.sanction_support)
        diplomatic: dict[str, Option] = {"hold": 0.0, "talks": self.profile.diplomacy_preference}
        if tier > 0:
            diplomatic["sanction_threat"] = (
                self.resolve * self.threat * world.sanction_threat_value * HARM[tier]
                - world.sanction_threat_cost
            )
        return {"diplomatic": diplomatic}

    def act(self, action: str) -> None:
        model = self.model
        russia = model.challenger.name
        if action == "sanction_threat":
            tier = min(model.policy.sanction_threat_tier, self.sanction_support)
            cost = model.world.threat_audience_cost * tier
            self.send(russia, Kind.SANCTION_THREAT, tier / TOP_TIER, cost)
        elif action == "talks":
            self.send(russia, Kind.TALKS, TALKS_INTENSITY, 0.0)
            model.note_talks(self.name)

    def stance(self) -> float:
        return hard_line(self.sanction_support, tuple(self.track_actions.values()))
