"""Russia: masses troops, coerces, and invades only when its own calculus says so.

Each week Russia weighs invading now against the value of waiting (`world.decisions`): later,
with more troops massed, against a Ukraine that grows stronger, discounted and charged the
cost of holding the troops; or settling for what coercion wins. It expects sanctions from what
the West has signalled, separately for an incursion and for an invasion, counts only those
not yet in force (imposed sanctions are sunk), and judges Ukraine's strength with an error of
its own. It acts on three tracks: military (mass, hold, pull back, strike), diplomatic
(demands, talks, threats, recognition) and economic (hybrid action, gas).
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world import decisions
from world.choice import Option, Valued, lottery_value
from world.ladder import TIER_BITE_RUSSIA, TOP_TIER, Rung, SanctionTier, Talks
from world.moves import (
    ACTION_RUNG,
    CAPABILITY_ERROR_FLOOR,
    EVEN_ODDS,
    OFFER_ANSWER_WEEKS,
    RUSSIA_READS,
    SIGNAL_COST,
    SIGNAL_INTENSITY,
    TROOP_UNIT,
)
from world.signals import TALKS_INTENSITY, Kind, Signal

SANCTION_KINDS = frozenset({Kind.SANCTION_THREAT, Kind.SANCTION_SUPPORT})


class Russia(Actor):
    reads = RUSSIA_READS

    # Going to war is decided, not drifted into: Russia invades (or strikes a limited blow)
    # only in a week when that is its best-valued military option.
    deliberate = frozenset({"invade", "limited_incursion"})

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        calc = model.spec.invasion_calculus
        self.troops = profile.forces
        self.expected_support: dict[str, float] = {}
        self.arms_trend = 0.0  # capability a week Russia sees the West shipping to Ukraine
        self._shipped = 0.0  # what it saw shipped this week
        self.nato_threat = calc.prior_nato_threat
        self.minsk_granted = 0.0  # how far Russia believes Ukraine will carry out Minsk
        self.deal_prospect = calc.prior_deal_prospect
        self.stick_credibility = 0.0
        self.grievance = 0.0  # sanctions it has read imposed on it: what a gas squeeze answers
        self.freeze_offered = False
        self.moratorium_offered = False
        # How far it trusts that a pull-back wins the deal on offer: a step back that brought
        # no agreement teaches it otherwise.
        self.offer_trust = 1.0
        self._unanswered_since = -1  # the week of a pull-back not yet answered by agreement
        self.demands_published = False
        self.recognised = False
        self.incursion = False
        self.provoked = False
        self.expected_tier = 0.0  # for an invasion
        self.expected_tier_incursion = 0.0
        self.invasion_odds = 0.0  # as Russia judges them this week
        self.waiting = 0.0  # the value of not invading this week
        self.last_military_best = "hold"  # its best-valued military option this week
        # Russia's error in judging Ukraine's strength: drawn once, its intelligence's bias.
        error = calc.capability_bias + calc.capability_misjudgement * model.intelligence_draw
        self.capability_error = max(CAPABILITY_ERROR_FLOOR, error)
        # What each sanction tier takes from Russia: SWIFT's bite lessened by alternatives,
        # the energy tier's set by the budget's dependence on hydrocarbon exports.
        bites = list(TIER_BITE_RUSSIA)
        bites[SanctionTier.SWIFT] *= 1.0 - calc.swift_alternatives
        bites[SanctionTier.ENERGY] = profile.budget_hydrocarbon_share
        self.cumulative_bites = tuple(sum(bites[: whole + 1]) for whole in SanctionTier)
        self._sanction_scale = calc.sanction_cost_scale * (1.0 - profile.cost_tolerance)
        self.western_exposure = 0.0
        # Whose sanction stance a signal speaks for: a state its own, the Union its members'.
        self._speaks_for: dict[str, tuple[str, ...]] = {a.name: (a.name,) for a in model.western}
        if model.union is not None:
            self._speaks_for[model.union.name] = tuple(m.name for m in model.union.members)

    # --- beliefs -------------------------------------------------------------------------
    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        kind = signal.kind
        calc = self.model.calculus
        if kind in SANCTION_KINDS:
            expected = self.expected_support
            for sender in self._speaks_for.get(signal.sender, ()):
                expected[sender] = toward(expected[sender], TOP_TIER * intensity, weight)
        elif kind == Kind.SANCTIONS:
            # Imposed sanctions show at least that much will: a floor on what each sender
            # backs for an invasion, never a pull down toward what an incursion brought.
            expected = self.expected_support
            for sender in self._speaks_for.get(signal.sender, ()):
                expected[sender] = max(expected[sender], TOP_TIER * intensity)
            # Sanctions invite "a significant response" (004): gas, the lever exposed importers
            # fear (001). A grievance accumulates; nothing imposed is forgotten.
            self.grievance = decisions.confirmed(self.grievance, intensity, weight)
        elif kind == Kind.ARMS_DELIVERY:
            # The week's shipments add up; the trend follows the weekly total (reassess).
            self._shipped += self.model.policy.arms_effect * intensity
            self.nato_threat = toward(self.nato_threat, intensity, weight)
        elif kind == Kind.FLANK_DEPLOYMENT:
            self.nato_threat = toward(self.nato_threat, intensity, weight)
        elif kind == Kind.MOBILISATION:
            self.nato_threat = toward(self.nato_threat, intensity, weight)
            # A nation that mobilises shows it will fight: Russia's error on its strength,
            # whichever way it ran, shrinks as it watches.
            self.capability_error = toward(self.capability_error, 0.0, weight * intensity)
        elif kind in (Kind.TALKS, Kind.WRITTEN_RESPONSE):
            implied = calc.talks_deal_signal * intensity
            self.deal_prospect = toward(self.deal_prospect, implied, weight)
            if kind == Kind.WRITTEN_RESPONSE:
                # Talks on missiles, exercises and risk reduction (002) answer the threat the
                # crisis added, not the threat Russia read in NATO before it.
                ease = weight * calc.arms_control_reassurance
                self.nato_threat = min(
                    self.nato_threat, toward(self.nato_threat, calc.prior_nato_threat, ease)
                )
        elif kind == Kind.MINSK_CONCESSION:
            # Carrying out Minsk grants part of the aim (a say over Ukraine's alignment through
            # the Donbas), so less is left for a war to win.
            self.minsk_granted = toward(self.minsk_granted, intensity, weight)
        elif kind == Kind.CONCESSION:
            self.moratorium_offered = True
            self.deal_prospect = toward(self.deal_prospect, intensity, weight)
        elif kind == Kind.FREEZE_OFFER:
            self.freeze_offered = True
        elif kind == Kind.MISSILE_THREAT:
            self.stick_credibility = toward(self.stick_credibility, intensity, weight)
        elif kind == Kind.DONBAS_OFFENSIVE:
            self.provoked = True

    def reassess(self) -> None:
        model = self.model
        if not self.expected_support:
            # Energy dependence is public, resolve is not: Russia starts from what each state
            # would back if its resolve were the one Russia assumes, then learns from signals.
            # (The model assesses Western states before Russia at week 0.)
            assumed = model.spec.invasion_calculus.assumed_western_resolve
            self.expected_support = {
                a.name: float(a.line_for_invasion(resolve=assumed)) for a in model.western
            }
        self.expected_tier = model.coalition_tier(self.expected_support)
        self.expected_tier_incursion = min(
            float(model.policy.tier_for_incursion), self.expected_tier
        )
        # The West's mean exposure to an energy cut: what energy pressure works on. (Western
        # states observe, and so update their exposure, before Russia.)
        exposures = [a.energy_exposure for a in model.sanctioners]
        self.western_exposure = sum(exposures) / len(exposures) if exposures else 0.0
        self.belief = self.expected_tier / TOP_TIER
        self.threat = clip01(self.nato_threat)
        self.deal_prospect *= model.calculus.deal_decay
        if model.talks == Talks.AGREEMENT:
            self._unanswered_since = -1
        elif 0 <= self._unanswered_since <= model.week - OFFER_ANSWER_WEEKS:
            self.offer_trust = toward(self.offer_trust, 0.0, model.world.belief_learning_rate)
        rate = model.world.belief_learning_rate
        self.arms_trend = toward(self.arms_trend, self._shipped, rate)
        self._shipped = 0.0

    # --- the calculus --------------------------------------------------------------------
    def success_odds(self, troops: float, capability: float) -> float:
        """Its odds this week: the ground of the season weighs on the attacker's force."""
        model = self.model
        calc = model.calculus
        world = model.world
        ground = decisions.ground_factor(
            model.date.timetuple().tm_yday,
            world.thaw_peak_day,
            world.thaw_half_width,
            world.thaw_penalty,
        )
        return decisions.success_odds(
            troops * ground, capability, calc.troops_for_even_odds, calc.success_steepness
        )

    def sanction_cost(self, tier: float) -> float:
        """Russia's cost of a (possibly fractional) cumulative sanction tier."""
        return decisions.sanction_cost(tier, self.cumulative_bites, self._sanction_scale)

    def further_sanctions(self, tier: float) -> float:
        """What a move expected to bring ``tier`` adds to the sanctions already in force."""
        in_force = self.sanction_cost(self.model.sanction_tier)
        return max(0.0, self.sanction_cost(tier) - in_force)

    def judged_capability(self) -> float:
        return self.model.ukraine_capability * (1.0 + self.capability_error)

    def tracks(self) -> dict[str, dict[str, Option]]:
        model = self.model
        calc = model.calculus
        holding = calc.holding_cost * self.troops / TROOP_UNIT
        if model.invasion:
            self.invasion_odds = 0.0
            # A nuclear threat is a way of waging the war, not a note: it is weighed against
            # fighting on without one (the troops cost the same either way).
            nuclear = decisions.nuclear_threat_lottery(
                calc.nuclear_threat_success,
                calc.nuclear_threat_stake,
                self.nato_threat,
                calc.nuclear_threat_cost,
            )
            # The longer and costlier the war, the more talks are worth (accumulated costs).
            weary = calc.war_talks_value * (self.deal_prospect + self.cost)
            return {
                "military": {
                    "continue_war": -holding,
                    "nuclear_threat": [(p, v - holding) for p, v in nuclear],
                },
                "economic": {
                    "hold": 0.0,
                    "energy_pressure": calc.war_energy_leverage * self.western_exposure
                    + self.retaliation()
                    - self.pressure_cost(),
                },
                "diplomatic": {"hold": 0.0, "talks": weary},
            }
        world = model.world
        policy = model.policy
        profile = self.profile
        # Its resolve: the share of the full stake its leadership will fight for.
        stake = decisions.spiral_stake(
            calc.stake
            * profile.resolve
            * (calc.provocation_factor if self.provoked else 1.0)
            * (1.0 - calc.minsk_stake_share * self.minsk_granted),
            self.nato_threat,
            calc.prior_nato_threat,
            calc.threat_stake_gain,
        )
        capability = self.judged_capability()
        war_cost = decisions.resisted_war_cost(calc.war_cost, model.target.resolve)
        odds = self.success_odds(self.troops, capability)
        self.invasion_odds = odds
        frozen = model.talks == Talks.AGREEMENT and policy.freeze_deal
        arms_trend = 0.0 if frozen else self.arms_trend
        nato_risk = self.stick_credibility * calc.missile_deployment_cost + (
            world.brinkmanship_hazard * self.nato_threat * calc.nato_clash_cost
        )
        pipeline = calc.nord_stream_value if model.nord_stream_2_expected_loss() else 0.0
        further = self.further_sanctions(self.expected_tier) + nato_risk + pipeline
        chance = decisions.deal_chance(
            self.deal_prospect, self.moratorium_offered, calc.coercion_discount
        )
        per_troop = calc.holding_cost / TROOP_UNIT
        published = calc.published_climbdown_factor if self.demands_published else 1.0
        climbdown = calc.climbdown_cost * model.rung * published

        def waiting(troops: float) -> float:
            return decisions.waiting_value(
                troops,
                calc.buildup_rate,
                calc.troop_ceiling,
                capability,
                calc.window_foresight * world.capability_growth,
                calc.window_foresight * arms_trend,
                model.arms_lag,
                profile.time_horizon,
                calc.weekly_discount,
                per_troop,
                calc.troops_for_even_odds,
                calc.success_steepness,
                stake,
                war_cost,
                calc.failure_cost,
                further,
                chance,
                calc.concession_value,
                climbdown,
                model.date.timetuple().tm_yday,
                float(world.thaw_peak_day),
                world.thaw_half_width,
                world.thaw_penalty,
                profile.risk_attitude,
                profile.loss_aversion,
                world.value_curvature,
                world.prospect_theory,
            )

        hold = waiting(self.troops)
        self.waiting = hold
        # Waiting values are already judged gambles (Valued): the choice weighs them as they
        # stand against the invasion lottery, valued the same way.
        military: dict[str, Option] = {
            "hold": Valued(hold),
            "invade": decisions.war_lottery(odds, stake, war_cost, calc.failure_cost, further),
        }
        if self.troops < calc.troop_ceiling:
            more = min(calc.troop_ceiling, self.troops + calc.buildup_rate)
            military["build_up"] = Valued(waiting(more))
        if self.troops > calc.peacetime_troops:
            deal = 0.0
            if Talks.FORMAL_TALKS <= model.talks < Talks.AGREEMENT:
                deal += calc.freeze_value if self.freeze_offered else 0.0
                deal += calc.concession_value if self.moratorium_offered else 0.0
            fewer = max(calc.peacetime_troops, self.troops - calc.pullback_rate)
            # One step back costs one rung's audience cost (the whole climb-down is the exit
            # plan inside the waiting value), and wins the deal on offer.
            step = calc.climbdown_cost * published
            military["pull_back"] = Valued(
                waiting(fewer) + self.judge(self.offer_trust * deal - step)
            )
        if not self.incursion:
            local = self.success_odds(self.troops * calc.incursion_concentration, capability)
            sanctions = self.further_sanctions(self.expected_tier_incursion)
            share = calc.incursion_cost_share
            # A limited incursion leaves Russia where it was, plus the gamble's outcome.
            gamble = lottery_value(
                [
                    (local, calc.incursion_share * stake - share * war_cost - sanctions),
                    (1.0 - local, -share * calc.failure_cost - sanctions),
                ],
                profile.risk_attitude,
                profile.loss_aversion,
                world.value_curvature,
                world.prospect_theory,
            )
            military["limited_incursion"] = Valued(hold + gamble)
        self.last_military_best = max(military, key=lambda a: self.judge(military[a]))
        # What this week of coercion may win: a deal comes only as far as the threat of force
        # behind it is credible (000).
        coercion = chance * odds * calc.concession_value
        diplomatic: dict[str, Option] = {
            "hold": 0.0,
            "demands": coercion + (0.0 if self.demands_published else calc.demands_novelty),
            "talks": calc.talks_coercion_share * coercion,
        }
        if not self.recognised:
            # A pretext is worth as much as the force behind it.
            gain = calc.recognition_gain * odds / EVEN_ODDS
            if self.last_military_best == "invade":
                # The war it is about to begin brings its own sanctions and ends the talks:
                # the recognition, its pretext, costs nothing more.
                diplomatic["recognition"] = gain
            else:
                # Short of war, it brings the sanctions the West has tied to it.
                tier = min(float(policy.tier_for_recognition), self.expected_tier)
                diplomatic["recognition"] = gain - self.further_sanctions(tier)
        economic: dict[str, Option] = {
            "hold": 0.0,
            "hybrid_action": [
                (calc.hybrid_success, calc.hybrid_gain),
                (1.0 - calc.hybrid_success, 0.0),
            ],
            "energy_pressure": calc.energy_leverage * stake * self.western_exposure
            + self.retaliation()
            - self.pressure_cost(),
        }
        return {"military": military, "diplomatic": diplomatic, "economic": economic}

    def judge(self, option: Option) -> float:
        """An option's value as the choice weighs it (for the record of its best option)."""
        world = self.model.world
        profile = self.profile
        return lottery_value(
            option,
            profile.risk_attitude,
            profile.loss_aversion,
            world.value_curvature,
            world.prospect_theory,
        )

    def retaliation(self) -> float:
        """What a gas squeeze is worth as the answer to sanctions read so far."""
        return self.model.calculus.sanction_retaliation * self.grievance

    def pressure_cost(self) -> float:
        """Revenue lost by withholding gas: heavier the more the budget rests on it."""
        calc = self.model.calculus
        return calc.energy_pressure_cost * self.profile.budget_hydrocarbon_share

    # --- consequences --------------------------------------------------------------------
    def act(self, action: str) -> None:
        model = self.model
        calc = model.calculus
        adversaries = model.alliance.neighbours(self.name, "adversary")
        intensity = min(1.0, self.troops / calc.troop_ceiling) if calc.troop_ceiling else 1.0
        model.push_rung(ACTION_RUNG[action])
        if action == "build_up":
            self.troops = min(calc.troop_ceiling, self.troops + calc.buildup_rate)
            self.send(adversaries, Kind.BUILD_UP, intensity, calc.holding_cost)
        elif action == "pull_back":
            self.troops = max(calc.peacetime_troops, self.troops - calc.pullback_rate)
            if self._unanswered_since < 0 and model.talks != Talks.AGREEMENT:
                self._unanswered_since = model.week
            self.send(adversaries, Kind.PULL_BACK, 1.0 - intensity, calc.climbdown_cost)
        elif action == "demands":
            first = not self.demands_published
            self.demands_published = True
            self.send(adversaries, Kind.DEMANDS, 1.0, SIGNAL_COST[Kind.DEMANDS] if first else 0.0)
        elif action == "talks":
            self.send(adversaries, Kind.TALKS, TALKS_INTENSITY, 0.0)
            model.note_talks(self.name)
        elif action == "hybrid_action":
            kind = Kind.HYBRID_ACTION
            self.send(model.target.name, kind, SIGNAL_INTENSITY[kind], SIGNAL_COST[kind])
            model.note_hybrid_action()
        elif action == "energy_pressure":
            importers = model.alliance.neighbours(self.name, "energy_supply")
            kind = Kind.ENERGY_PRESSURE
            self.send(importers, kind, SIGNAL_INTENSITY[kind], SIGNAL_COST[kind])
            model.apply_energy_pressure()
            self.cost += self.pressure_cost()
        elif action == "recognition":
            self.recognised = True
            self.send(adversaries, Kind.RECOGNITION, 1.0, SIGNAL_COST[Kind.RECOGNITION])
        elif action == "limited_incursion":
            self.incursion = True
            kind = Kind.LIMITED_INCURSION
            self.send(adversaries, kind, 1.0, SIGNAL_COST[kind])
        elif action == "invade":
            war_cost = decisions.resisted_war_cost(calc.war_cost, model.target.resolve)
            self.send(adversaries, Kind.INVASION, 1.0, war_cost)
            model.begin_invasion()
        elif action == "nuclear_threat":
            self.send(adversaries, Kind.NUCLEAR_THREAT, 1.0, SIGNAL_COST[Kind.NUCLEAR_THREAT])

    def end_week(self) -> None:
        """Troops massed are a posture and a cost, whatever was chosen this week."""
        model = self.model
        calc = model.calculus
        if self.troops > calc.peacetime_troops:
            model.push_rung(Rung.MILITARY_POSTURING)
        self.cost += calc.holding_cost * self.troops / TROOP_UNIT
