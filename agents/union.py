"""The EU as an institution: its members' lines and backing by a GDP-weighted consent rule.

The Union backs the tier a consensus quantile of its members' tiers gives (moved by the
alliance's cohesion; an energy embargo needs a stricter one), and carries their resolve,
threat, belief and cost as means (`process.week.union_aggregates`); it acts on talks and
sanctions (``union_chooses``, ``union_acts``). This agent is the view of the Union's row.
"""

from __future__ import annotations

from agents.actor import Actor


class Union(Actor):
    @property
    def members(self) -> list[Actor]:
        """The Western states it speaks for."""
        return [a for a in self.model.western if a.profile.eu]
