"""A Western state (the US, Germany, the UK, France, the eastern members...).

Its belief about Russia's intent follows Russia's signals and its allies' views (tie-weighted:
shared intelligence); its threat scales that belief by how near it is to Russian forces; its
resolve blends its own with its allies', sags under energy prices and accumulated costs, and
firms when allies send troops to it. Two sanction decisions follow (`world.decisions`): the
tier it says it will back if Russia invades (its line, what its threats carry), and the tier
it backs imposing now, given what Russia has done. Both trade harm to Russia against its own
cost, which its gas exposure dominates (001). It acts on a diplomatic track (talks), an
economic one (sanction threats), an aid track (arms) and a military one (flank deployments) in
the same week.
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world import decisions
from world.alliance import hard_line
from world.choice import Option
from world.ladder import HARM, TOP_TIER, WEST_COST, Rung, RussianMove, SanctionTier
from world.moves import (
    ARMS_COST,
    FAR_EXPOSURE,
    FLANK_COST,
    FLANK_SIGNAL_TROOPS,
    OFFERS,
    STATE_READS,
)
from world.signals import INTENT_IMPLIED, TALKS_INTENSITY, Kind, Signal

# The signal by which a sanctioner learns of each of Russia's moves.
MOVE_SIGNALLED = {
    Kind.RECOGNITION: RussianMove.RECOGNITION,
    Kind.LIMITED_INCURSION: RussianMove.LIMITED_INCURSION,
    Kind.INVASION: RussianMove.INVASION,
}
# The Russian signals that show its massed force: a build-up is sent at the share of the troop
# ceiling massed, a pull-back at the share not massed (`shown_force`).
FORCE_READ = frozenset({Kind.BUILD_UP, Kind.PULL_BACK})


def shown_force(kind: Kind, intensity: float) -> float:
    """The share of Russia's troop ceiling a build-up or pull-back signal shows massed."""
    return 1.0 - intensity if kind == Kind.PULL_BACK else intensity


class WesternState(Actor):
    reads = STATE_READS

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.belief = model.spec.world.prior_intent
        self.deployed = 0.0
        self.threatened = 0  # the highest tier it has publicly threatened for an invasion
        self.sanction_backing = 0  # the tier it backs imposing now
        self.aid_requested = 0.0
        self.nuclear_fear = 0.0
        # The chance it gives a Russian gas cut in answer to sanctions: raised by each squeeze.
        self.gas_fear = model.world.gas_retaliation_risk
        self.ally_lines: dict[str, float] = {}  # allies' lines, as their support signals said
        self.ally_backing: dict[str, float] = {}  # what allies imposed, as their sanctions said
        # What it has seen Russia do (it learns of each move from Russia's signal).
        self.seen_move = RussianMove.NONE
        self.demands_read = False
        # The Russian force it has seen massed near Ukraine (troops): what makes intent a threat.
        self.seen_troops = model.spec_of("challenger").forces
        self.pull_back_week = -1  # the week it last read of a Russian pull-back
        # How near Russian forces it is: from FAR_EXPOSURE far away to 1 at the border.
        self._exposure = FAR_EXPOSURE + (1.0 - FAR_EXPOSURE) * profile.border_exposure
        self._ties = model.alliance.ties(self.name)  # its allies, with the trust on each tie
        weights = {p.name: p.economic_weight for p in model.spec.actors}
        self._ally_weights = [weights[ally] for ally, _ in self._ties]
        self._keep = 1.0 - profile.cost_tolerance  # the weight it gives its own costs

    # --- beliefs -------------------------------------------------------------------------
    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        kind = signal.kind
        implied = INTENT_IMPLIED.get(kind)
        if implied is not None and signal.sender == self.model.challenger.name:
            floor = self.model.world.intent_floor
            self.belief = toward(self.belief, implied, weight * max(intensity, floor))
            self.seen_move = max(self.seen_move, MOVE_SIGNALLED.get(kind, RussianMove.NONE))
            if kind == Kind.NUCLEAR_THREAT:
                self.nuclear_fear = toward(self.nuclear_fear, intensity, weight)
            elif kind == Kind.ENERGY_PRESSURE:
                # A cut in supply is seen, not inferred: it is read at full credibility.
                rate = self.model.world.belief_learning_rate
                self.gas_fear = decisions.confirmed(self.gas_fear, intensity, rate)
            elif kind == Kind.DEMANDS:
                self.demands_read = True
            elif kind in FORCE_READ:
                # Troops are counted, not inferred (imagery): read at full credibility.
                rate = self.model.world.belief_learning_rate
                seen = shown_force(kind, intensity) * self.model.calculus.troop_ceiling
                self.seen_troops = toward(self.seen_troops, seen, rate)
                if kind == Kind.PULL_BACK:
                    self.pull_back_week = self.model.week
        elif kind == Kind.AID_REQUEST:
            self.aid_requested = toward(self.aid_requested, intensity, weight)
        elif kind == Kind.SANCTION_SUPPORT:
            self.ally_lines[signal.sender] = intensity * TOP_TIER
        elif kind == Kind.SANCTIONS:
            self.ally_backing[signal.sender] = intensity * TOP_TIER

    def reassess(self) -> None:
        model = self.model
        world = model.world
        ties = self._ties
        allies = [a for a, _ in ties]
        weights = self._ally_weights
        # An ally's voice: the trust on the tie times its weight in the alliance (the US
        # convenes and briefs its allies, 001).
        trust = [data["weight"] * w for (_, data), w in zip(ties, weights)]  # noqa: B905
        influence = world.alliance_influence
        # Allies share what they know (last week's views, tie-weighted).
        last_belief, last_resolve = model.last_belief, model.last_resolve
        self.belief = decisions.pulled_toward_allies(
            self.belief, [last_belief[a] for a in allies], trust, influence
        )
        at_war = self.seen_move >= RussianMove.INVASION
        if model.rung >= Rung.NATO_RUSSIA_CLASH:
            self.threat = 1.0  # NATO itself is in the fight
        else:
            force = self.seen_troops / world.threat_troops
            self.threat = clip01(
                self.belief * force * self._exposure + (world.war_threat if at_war else 0.0)
            )
        own = (
            self.profile.resolve
            + world.threat_resolve_slope * (self.threat - world.prior_intent)
            - world.price_resolve_slope * self.energy_exposure * model.price_stress
            - world.cost_fatigue * self.cost
        )
        self.resolve = clip01(
            decisions.pulled_toward_allies(own, [last_resolve[a] for a in allies], trust, influence)
        )
        previous = self.sanction_support
        self.sanction_support = self.line_for_invasion()
        self.sanction_backing = self.backing_now()
        # Its public line: partners hear when it changes; Russia reads it every week, so a
        # line repeated (or a silence kept) accumulates as cheap talk does.
        receivers = (
            [*allies, model.challenger.name]
            if self.sanction_support != previous
            else model.challenger.name
        )
        self.send(receivers, Kind.SANCTION_SUPPORT, self.sanction_support / TOP_TIER, 0.0)

    # --- sanctions -----------------------------------------------------------------------
    def own_tier_costs(self) -> list[float]:
        return list(
            decisions.tier_costs(WEST_COST, self.energy_exposure, self.gas_fear, self._keep)
        )

    def tier_cost(self, tier: int) -> float:
        """Its unweighted cost of a cumulative tier this week (borne while it is in force)."""
        return self.own_tier_costs()[tier] / self._keep if self._keep > 0.0 else 0.0

    def _allies_mean(self, values: dict[str, float], default: float) -> float:
        total = weight = 0.0
        for ally, data in self._ties:
            tie = data["weight"]
            total += tie * values.get(ally, default)
            weight += tie
        return total / weight if weight > 0.0 else default

    def line_for_invasion(self, resolve: float | None = None) -> int:
        """The tier it would back if Russia invaded: what its threats and support carry."""
        world = self.model.world
        push = (self.resolve if resolve is None else resolve) * (
            world.sanction_push_base + self.threat
        )
        return decisions.backed_tier(
            push,
            HARM,
            self.own_tier_costs(),
            float(self.threatened),
            world.threat_audience_cost,
            self._allies_mean(self.ally_lines, 0.0),
            world.solidarity_weight,
            0.0,
        )

    def backing_now(self) -> int:
        """The tier it backs imposing this week, given what Russia has done so far."""
        model = self.model
        world = model.world
        policy = model.policy
        committed = decisions.committed_tier(
            self.seen_move,
            self.threatened,
            self.sanction_support,
            policy.tier_for_recognition,
            policy.tier_for_incursion,
        )
        # A nuclear threat deters the risk-averse from punishing, too.
        push = (1.0 - self.restraint()) * self.resolve * (world.sanction_push_base + self.threat)
        at_war = self.seen_move >= RussianMove.INVASION
        return decisions.backed_tier(
            push,
            HARM,
            self.own_tier_costs(),
            float(committed),
            world.threat_audience_cost,
            self._allies_mean(self.ally_backing, 0.0),
            world.solidarity_weight,
            0.0 if at_war else world.deterrent_reserve,
        )

    # --- options -------------------------------------------------------------------------
    def restraint(self) -> float:
        """Share of its military, aid and sanctions' value a state forgoes under nuclear threat:
        its risk aversion, times how far it fears the threats it has heard (`nuclear_fear`)."""
        return max(0.0, -self.profile.risk_attitude) * self.nuclear_fear

    def tracks(self) -> dict[str, dict[str, Option]]:
        model = self.model
        world = model.world
        policy = model.policy
        profile = self.profile
        resolve, threat = self.resolve, self.threat
        diplomatic: dict[str, Option] = {"hold": 0.0}
        # Talks stop with a Russia that has torn up Minsk by recognising the republics, or has
        # crossed the border, until the war itself is to be negotiated.
        if not RussianMove.RECOGNITION <= self.seen_move < RussianMove.INVASION:
            diplomatic["talks"] = profile.diplomacy_preference * (
                1.0 - world.talks_threat_damping * threat
            )
        economic: dict[str, Option] = {"hold": 0.0}
        tier = self.threat_tier()
        if tier > SanctionTier.NONE:
            economic["sanction_threat"] = (
                resolve * threat * world.sanction_threat_value * HARM[tier]
                - world.sanction_threat_cost
            )
        military: dict[str, Option] = {"hold": 0.0}
        assistance: dict[str, Option] = {"hold": 0.0}
        kept = 1.0 - self.restraint()
        aid = max(policy.arms_aid, policy.war_arms_aid) if model.invasion else policy.arms_aid
        if profile.arms_capacity > 0.0 and aid > 0.0 and not model.aid_frozen:
            provocation = (
                max(0.0, -profile.risk_attitude)
                * world.arms_provocation
                * (0.0 if model.invasion else 1.0)
            )
            boost = policy.major_systems_appeal if policy.major_systems else 1.0
            # Partners send what Ukraine asks for: as much as it has asked lately.
            assistance["arms_delivery"] = (
                kept
                * self.aid_requested
                * profile.arms_capacity
                * aid
                * boost
                * resolve
                * threat
                * world.arms_value
                - world.arms_option_cost
                - provocation
            )
        if (
            policy.eastern_deployments
            and profile.deploy_unit > 0.0
            and self.deployed < profile.forces
        ):
            # Forward presence answers the threat of ordinary times (001: about 8,000 NATO
            # troops already there); reinforcement answers the threat above it.
            alarm = max(0.0, model.flank_threat() - world.prior_intent)
            military["flank_deployment"] = (
                kept * resolve * alarm * world.flank_value - world.flank_option_cost
            )
        return {
            "diplomatic": diplomatic,
            "economic": economic,
            "military": military,
            "aid": assistance,
        }

    def act(self, action: str) -> None:
        model = self.model
        policy = model.policy
        russia = model.challenger.name
        if action == "sanction_threat":
            tier = self.threat_tier()
            self.threatened = max(self.threatened, tier)
            cost = model.world.threat_audience_cost * tier
            self.send(russia, Kind.SANCTION_THREAT, tier / TOP_TIER, cost)
        elif action == "arms_delivery":
            aid = max(policy.arms_aid, policy.war_arms_aid) if model.invasion else policy.arms_aid
            boost = policy.major_systems_intensity if policy.major_systems else 1.0
            intensity = min(1.0, self.profile.arms_capacity * aid * boost)
            cost = ARMS_COST * intensity
            self.send([model.target.name, russia], Kind.ARMS_DELIVERY, intensity, cost)
            model.deliver_arms(intensity)
            self.cost += ARMS_COST * intensity
        elif action == "flank_deployment":
            troops = min(self.profile.deploy_unit, self.profile.forces - self.deployed)
            self.deployed += troops
            intensity = min(1.0, troops / FLANK_SIGNAL_TROOPS)
            self.send(russia, Kind.FLANK_DEPLOYMENT, intensity, FLANK_COST)
            model.deploy_to_flank(troops)
            self.cost += FLANK_COST
        elif action == "talks":
            self.send(russia, Kind.TALKS, TALKS_INTENSITY, 0.0)
            model.note_talks(self.name)
            if model.lead_state is self:
                self.make_offers()

    def make_offers(self) -> None:
        """The lead state answers published demands and carries the West's offers (002, 004)."""
        model = self.model
        policy = model.policy
        russia = model.challenger.name
        if self.demands_read:
            self.send(russia, Kind.WRITTEN_RESPONSE, *OFFERS[Kind.WRITTEN_RESPONSE])
        if policy.nato_moratorium:
            self.send(russia, Kind.CONCESSION, *OFFERS[Kind.CONCESSION])
        if policy.freeze_deal:
            self.send(russia, Kind.FREEZE_OFFER, *OFFERS[Kind.FREEZE_OFFER])
            self.send(russia, Kind.MISSILE_THREAT, *OFFERS[Kind.MISSILE_THREAT])

    def stance(self) -> float:
        return hard_line(self.sanction_support, tuple(self.track_actions.values()))
