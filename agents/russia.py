"""Russia: masses troops, coerces, and invades only when its own calculus says so.

Each week Russia weighs invading now against the value of waiting (`world.decisions`): later,
with more troops massed, against a Ukraine that grows stronger, discounted and charged the
cost of holding the troops; or settling for what coercion wins. It expects sanctions from what
the West has signalled, separately for an incursion and for an invasion, counts only those
not yet in force (imposed sanctions are sunk), and judges Ukraine's strength with an error of
its own. It acts on three tracks: military (mass, hold, pull back, strike), diplomatic
(demands, talks, threats, recognition) and economic (hybrid action, gas). The rules are
`process.week`'s ``russia_reads``, ``russia_reassesses``, ``russia_chooses`` and
``russia_acts``; this agent is the view of Russia's row.
"""

from __future__ import annotations

from agents.actor import Action, Actor, Quantity
from process.layout import A
from world.moves import RUSSIA_READS


class Russia(Actor):
    reads = RUSSIA_READS

    troops = Quantity(A.TROOPS)  # massed near Ukraine
    nato_threat = Quantity(A.NATO_THREAT)  # the threat it reads in NATO's moves, 0-1
    deal_prospect = Quantity(A.DEAL_PROSPECT)  # its hope of a deal, 0-1
    stick_credibility = Quantity(A.STICK_CREDIBILITY)
    grievance = Quantity(A.GRIEVANCE)
    offer_trust = Quantity(A.OFFER_TRUST)
    capability_error = Quantity(A.CAPABILITY_ERROR)  # its error in judging Ukraine's strength
    expected_tier = Quantity(A.EXPECTED_TIER)  # sanctions it expects for an invasion
    expected_tier_incursion = Quantity(A.EXPECTED_TIER_INCURSION)
    invasion_odds = Quantity(A.INVASION_ODDS)  # its judged odds of a successful invasion
    arms_trend = Quantity(A.ARMS_TREND)
    shipped = Quantity(A.SHIPPED)
    minsk_granted = Quantity(A.MINSK_GRANTED)  # share of its Minsk demands granted, 0-1
    freeze_offered = Quantity(A.FREEZE_OFFERED, bool)
    moratorium_offered = Quantity(A.MORATORIUM_OFFERED, bool)
    demands_published = Quantity(A.DEMANDS_PUBLISHED, bool)
    recognised = Quantity(A.RECOGNISED, bool)
    incursion = Quantity(A.INCURSION, bool)
    provoked = Quantity(A.PROVOKED, bool)
    waiting = Quantity(A.WAITING)
    last_military_best = Action(A.LAST_MILITARY_BEST)

    @property
    def expected_support(self) -> dict[str, float]:
        """The tier it expects each Western state to back against an invasion."""
        rows = self.model.replicate.state.a
        return {s.name: float(rows[s.slot, A.EXPECTED_SUPPORT]) for s in self.model.western}
