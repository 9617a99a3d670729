"""The EU as an institution: it speaks for the Union's collective instruments.

Its sanction tier needs its members' consent: it backs the highest tier that members holding
all but ``eu_consensus_quantile`` of the Union's economic weight back, that share moved by the
alliance's cohesion (0 is unanimity, so the most restrained member decides; a cohesive Union
carries its laggards along). An energy embargo needs the stricter
``energy_consensus_quantile`` (004: dependence on gas rules it out). Its resolve
and threat are its members' averages; its gas storage is the Union's aggregate.
"""

from __future__ import annotations

from agents.actor import Actor
from world.alliance import hard_line
from world.choice import Option
from world.ladder import HARM, TOP_TIER, SanctionTier
from world.signals import TALKS_INTENSITY, Kind


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
        previous = self.sanction_support
        self.sanction_support = int(model.union_tier([m.sanction_support for m in members]))
        self.aggregate_backing()
        changed = self.sanction_support != previous
        receivers = (
            [m.name for m in members] + [model.challenger.name]
            if changed
            else model.challenger.name
        )
        self.send(receivers, Kind.SANCTION_SUPPORT, self.sanction_support / TOP_TIER, 0.0)

    def aggregate_backing(self) -> None:
        members = self.members
        if members:
            self.sanction_backing = int(
                self.model.union_tier([m.sanction_backing for m in members])
            )

    def tracks(self) -> dict[str, dict[str, Option]]:
        world = self.model.world
        tier = self.threat_tier()
        economic: dict[str, Option] = {"hold": 0.0}
        if tier > SanctionTier.NONE:
            economic["sanction_threat"] = (
                self.resolve * self.threat * world.sanction_threat_value * HARM[tier]
                - world.sanction_threat_cost
            )
        return {
            "diplomatic": {"hold": 0.0, "talks": self.profile.diplomacy_preference},
            "economic": economic,
        }

    def act(self, action: str) -> None:
        model = self.model
        russia = model.challenger.name
        if action == "sanction_threat":
            tier = self.threat_tier()
            cost = model.world.threat_audience_cost * tier
            self.send(russia, Kind.SANCTION_THREAT, tier / TOP_TIER, cost)
            # The Union speaks for its members: its threat ties their hands too.
            for member in self.members:
                member.threatened = max(member.threatened, tier)
        elif action == "talks":
            self.send(russia, Kind.TALKS, TALKS_INTENSITY, 0.0)
            model.note_talks(self.name)

    def stance(self) -> float:
        return hard_line(self.sanction_support, tuple(self.track_actions.values()))
