"""Russia: masses troops, coerces, and invades only when its own calculus says so.

Each week Russia values every option as a lottery against the status quo. Waiting options carry
a sure loss: troops cost money to hold and Ukraine's growing capability closes the window for a
successful attack (004). An invasion is a gamble: success with a probability that rises with
the force ratio, against expected sanctions (what Russia believes the West will do, learnt from
its signals), war costs, and NATO's stick. Prospect theory makes the sure loss of waiting loom
large, so a closing window can push a loss-averse actor into the gamble (Levy 1992).
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world.choice import Option
from world.ladder import TIER_BITE_RUSSIA, TOP_TIER, Rung, SanctionTier, Talks
from world.signals import TALKS_INTENSITY, Kind, Signal

ACTION_RUNG = {
    "hold": Rung.MILITARY_POSTURING,
    "build_up": Rung.MILITARY_POSTURING,
    "talks": Rung.MILITARY_POSTURING,
    "demands": Rung.COERCIVE_DIPLOMACY,
    "military_technical_threat": Rung.COERCIVE_DIPLOMACY,
    "energy_pressure": Rung.COERCIVE_DIPLOMACY,
    "hybrid_action": Rung.HYBRID_OPERATIONS,
    "recognition": Rung.HYBRID_OPERATIONS,
    "limited_incursion": Rung.LIMITED_INCURSION,
    "invade": Rung.FULL_SCALE_INVASION,
    "continue_war": Rung.FULL_SCALE_INVASION,
    "nuclear_threat": Rung.NUCLEAR_THREAT,
    "pull_back": Rung.STATUS_QUO,
}

SANCTION_KINDS = frozenset({Kind.SANCTION_THREAT, Kind.SANCTION_SUPPORT, Kind.SANCTIONS})
TROOP_UNIT = 100_000.0  # troops: `holding_cost` is per this many troops held for a week
EVEN_ODDS = 0.5  # success odds at which recognition wins exactly `recognition_gain`
# What Russia's signals cost it (utility units, §7.3 of the ODD): the costlier, the more
# credible. Demands cost this only when first published; repeating them costs nothing.
SIGNAL_COST = {
    Kind.DEMANDS: 0.05,
    Kind.HYBRID_ACTION: 0.01,
    Kind.ENERGY_PRESSURE: 0.02,
    Kind.RECOGNITION: 0.1,
    Kind.LIMITED_INCURSION: 0.3,
    Kind.NUCLEAR_THREAT: 0.05,
}
# Fixed intensities of signals whose intensity does not follow the massed troops.
SIGNAL_INTENSITY = {Kind.HYBRID_ACTION: 0.6, Kind.ENERGY_PRESSURE: 0.5}


class Russia(Actor):
    reads = frozenset(
        {
            Kind.SANCTION_THREAT,
            Kind.SANCTION_SUPPORT,
            Kind.SANCTIONS,
            Kind.ARMS_DELIVERY,
            Kind.FLANK_DEPLOYMENT,
            Kind.MOBILISATION,
            Kind.TALKS,
            Kind.WRITTEN_RESPONSE,
            Kind.ARMS_CONTROL_OFFER,
            Kind.MINSK_CONCESSION,
            Kind.CONCESSION,
            Kind.FREEZE_OFFER,
            Kind.MISSILE_THREAT,
            Kind.DONBAS_OFFENSIVE,
        }
    )

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.troops = profile.forces
        self.expected_support: dict[str, float] = {}
        self.perceived_growth = model.spec.world.capability_growth
        calc = model.spec.invasion_calculus
        self.nato_threat = calc.prior_nato_threat
        self.deal_prospect = calc.prior_deal_prospect
        self.stick_credibility = 0.0
        self.freeze_offered = False
        self.moratorium_offered = False
        self.demands_published = False
        self.recognised = False
        self.incursion = False
        self.provoked = False
        # What each sanction tier takes from Russia: SWIFT's bite lessened by alternatives,
        # the energy tier's by the budget's dependence on hydrocarbon exports.
        bites = list(TIER_BITE_RUSSIA)
        bites[SanctionTier.SWIFT] *= 1.0 - calc.swift_alternatives
        bites[SanctionTier.ENERGY] = profile.budget_hydrocarbon_share
        self._bites = bites
        self._bite_totals = [sum(bites[: whole + 1]) for whole in SanctionTier]
        self._sanction_scale = calc.sanction_cost_scale
        self._sanction_weight = 1.0 - profile.cost_tolerance
        self.western_exposure = 0.0
        # Whose sanction stance a signal speaks for: a state its own, the Union its members'.
        self._speaks_for: dict[str, tuple[str, ...]] = {a.name: (a.name,) for a in model.western}
        if model.union is not None:
            self._speaks_for[model.union.name] = tuple(m.name for m in model.union.members)

    # --- beliefs -------------------------------------------------------------------------
    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        kind = signal.kind
        if kind in SANCTION_KINDS:
            expected = self.expected_support
            for sender in self._speaks_for.get(signal.sender, ()):
                expected[sender] = toward(expected[sender], TOP_TIER * intensity, weight)
        elif kind == Kind.ARMS_DELIVERY:
            model = self.model
            growth = model.world.capability_growth + model.policy.arms_effect * intensity
            self.perceived_growth = toward(self.perceived_growth, growth, weight)
            self.nato_threat = toward(self.nato_threat, intensity, weight)
        elif kind in (Kind.FLANK_DEPLOYMENT, Kind.MOBILISATION):
            self.nato_threat = toward(self.nato_threat, intensity, weight)
        elif kind in (Kind.TALKS, Kind.WRITTEN_RESPONSE, Kind.ARMS_CONTROL_OFFER):
            implied = self.model.calculus.talks_deal_signal * intensity
            self.deal_prospect = toward(self.deal_prospect, implied, weight)
        elif kind == Kind.MINSK_CONCESSION:
            implied = self.model.calculus.minsk_deal_signal * intensity
            self.deal_prospect = toward(self.deal_prospect, implied, weight)
        elif kind == Kind.CONCESSION:
            self.moratorium_offered = True
            self.deal_prospect = toward(self.deal_prospect, intensity, weight)
        elif kind == Kind.FREEZE_OFFER:
            self.freeze_offered = True
            self.deal_prospect = toward(self.deal_prospect, intensity, weight)
        elif kind == Kind.MISSILE_THREAT:
            self.stick_credibility = toward(self.stick_credibility, intensity, weight)
        elif kind == Kind.DONBAS_OFFENSIVE:
            self.provoked = True

    def reassess(self) -> None:
        if not self.expected_support:
            # Energy dependence is public, resolve is not: Russia starts from what each state
            # would back if its resolve were the one Russia assumes, then learns from signals.
            # (The model assesses Western states before Russia at week 0.)
            assumed = self.model.spec.invasion_calculus.assumed_western_resolve
            self.expected_support = {
                a.name: float(a.preferred_tier(resolve=assumed)) for a in self.model.western
            }
        self.expected_tier = self.model.coalition_tier(self.expected_support)
        # The West's mean exposure to an energy cut: what energy pressure works on. (Western
        # states observe, and so update their exposure, before Russia.)
        exposures = [a.energy_exposure for a in self.model.sanctioners]
        self.western_exposure = sum(exposures) / len(exposures) if exposures else 0.0
        self.belief = self.expected_tier / TOP_TIER
        self.threat = clip01(self.nato_threat)
        self.deal_prospect *= self.model.calculus.deal_decay

    # --- the calculus --------------------------------------------------------------------
    def success_odds(self, troops: float, capability: float) -> float:
        """Contest function: even odds at ``troops_for_even_odds`` against today's Ukraine."""
        calc = self.model.spec.invasion_calculus
        if troops <= 0.0:
            return 0.0
        ratio = calc.troops_for_even_odds * capability / troops
        try:
            return 1.0 / (1.0 + ratio**calc.success_steepness)
        except OverflowError:  # a token force against a real army: no chance at all
            return 0.0

    def sanction_cost(self, tier: float) -> float:
        """Russia's perceived cost of a (possibly fractional) sanction tier."""
        whole = int(tier)
        bites = self._bites
        share = bites[whole + 1] if whole < TOP_TIER else 0
        total = self._bite_totals[whole] + (tier - whole) * share
        return self._sanction_scale * total * self._sanction_weight

    def options(self) -> dict[str, Option]:
        model = self.model
        calc = model.spec.invasion_calculus
        stake = calc.stake * (calc.provocation_factor if self.provoked else 1.0)
        holding = calc.holding_cost * self.troops / TROOP_UNIT
        if model.invasion:
            nuclear = calc.nuclear_threat_success
            return {
                "continue_war": -holding,
                "energy_pressure": -holding
                + calc.war_energy_leverage * self.western_exposure
                - calc.energy_pressure_cost,
                "nuclear_threat": [
                    (nuclear, calc.nuclear_threat_stake * self.nato_threat),
                    (1.0 - nuclear, -calc.nuclear_threat_stake),
                ],
                "talks": -holding + calc.war_talks_value * self.deal_prospect,
            }
        capability = model.ukraine_capability
        odds = self.success_odds(self.troops, capability)
        horizon = min(self.profile.time_horizon, calc.projection_cap)
        frozen = model.talks == Talks.AGREEMENT and model.spec.policy.freeze_deal
        growth = model.spec.world.capability_growth if frozen else self.perceived_growth
        future = self.success_odds(self.troops, capability + growth * horizon)
        window_loss = calc.window_weight * stake * max(0.0, odds - future)
        waiting = -holding - window_loss
        # Coercion pays only as far as the threat of force is credible (000: the build-up is
        # what brought the US to the table).
        coercion = (
            odds
            * self.deal_prospect
            * calc.concession_value
            * (1.0 if self.moratorium_offered else calc.coercion_discount)
        )
        expected = self.sanction_cost(self.expected_tier)
        nato_risk = self.stick_credibility * calc.missile_deployment_cost + (
            model.spec.world.brinkmanship_hazard * self.nato_threat * calc.nato_clash_cost
        )
        options: dict[str, Option] = {
            "hold": waiting,
            "demands": waiting
            + coercion
            + (0.0 if self.demands_published else calc.demands_novelty),
            "military_technical_threat": waiting + calc.threat_coercion_share * coercion,
            "talks": waiting + calc.talks_coercion_share * coercion,
            "hybrid_action": [
                (calc.hybrid_success, waiting + calc.hybrid_gain),
                (1.0 - calc.hybrid_success, waiting),
            ],
            "energy_pressure": waiting
            + calc.energy_leverage * stake * self.western_exposure
            - calc.energy_pressure_cost,
        }
        if self.troops < calc.troop_ceiling:
            more = min(calc.troop_ceiling, self.troops + calc.buildup_rate)
            leverage = stake * (self.success_odds(more, capability) - odds)
            options["build_up"] = waiting + leverage - calc.buildup_holding_share * holding
        if self.troops > calc.peacetime_troops:
            published = calc.published_climbdown_factor if self.demands_published else 1.0
            climbdown = calc.climbdown_cost * model.rung * published
            deal = 0.0
            if model.talks >= Talks.FORMAL_TALKS:
                deal += calc.freeze_value if self.freeze_offered else 0.0
                deal += calc.concession_value if self.moratorium_offered else 0.0
            options["pull_back"] = -climbdown - window_loss + deal
        if not self.recognised:
            tier = min(model.spec.policy.tier_for_recognition, self.expected_tier)
            # A pretext is worth as much as the force behind it.
            gain = calc.recognition_gain * odds / EVEN_ODDS
            options["recognition"] = waiting + gain - self.sanction_cost(tier)
        if not self.incursion:
            local = self.success_odds(self.troops * calc.incursion_concentration, capability)
            sanctions = self.sanction_cost(
                min(model.spec.policy.tier_for_incursion, self.expected_tier)
            )
            share = calc.incursion_cost_share
            options["limited_incursion"] = [
                (local, calc.incursion_share * stake - share * calc.war_cost - sanctions),
                (1.0 - local, -share * calc.failure_cost - sanctions),
            ]
        options["invade"] = [
            (odds, stake - calc.war_cost - expected - nato_risk),
            (1.0 - odds, -calc.failure_cost - expected - nato_risk),
        ]
        return options

    # --- consequences --------------------------------------------------------------------
    def act(self, action: str) -> None:
        model = self.model
        calc = model.spec.invasion_calculus
        adversaries = model.alliance.neighbours(self.name, "adversary")
        intensity = min(1.0, self.troops / calc.troop_ceiling) if calc.troop_ceiling else 1.0
        rung = ACTION_RUNG[action]
        if action == "hold" and self.troops <= calc.peacetime_troops:
            rung = Rung.STATUS_QUO  # nothing massed, nothing signalled
        model.push_rung(rung)
        if action == "build_up":
            self.troops = min(calc.troop_ceiling, self.troops + calc.buildup_rate)
            self.send(adversaries, Kind.BUILD_UP, intensity, calc.holding_cost)
        elif action == "pull_back":
            self.troops = max(calc.peacetime_troops, self.troops - calc.pullback_rate)
            self.send(adversaries, Kind.PULL_BACK, 1.0 - intensity, calc.climbdown_cost)
            model.note_pull_back()
        elif action == "demands":
            first = not self.demands_published
            self.demands_published = True
            self.send(adversaries, Kind.DEMANDS, 1.0, SIGNAL_COST[Kind.DEMANDS] if first else 0.0)
        elif action == "military_technical_threat":
            self.send(adversaries, Kind.MILITARY_TECHNICAL_THREAT, intensity, 0.0)
        elif action == "talks":
            self.send(adversaries, Kind.TALKS, TALKS_INTENSITY, 0.0)
            model.note_talks(self.name)
        elif action == "hybrid_action":
            kind = Kind.HYBRID_ACTION
            self.send(model.target.name, kind, SIGNAL_INTENSITY[kind], SIGNAL_COST[kind])
        elif action == "energy_pressure":
            importers = model.alliance.neighbours(self.name, "energy_supply")
            kind = Kind.ENERGY_PRESSURE
            self.send(importers, kind, SIGNAL_INTENSITY[kind], SIGNAL_COST[kind])
            model.apply_energy_pressure()
        elif action == "recognition":
            self.recognised = True
            self.send(adversaries, Kind.RECOGNITION, 1.0, SIGNAL_COST[Kind.RECOGNITION])
            model.trigger_sanctions(model.spec.policy.tier_for_recognition)
        elif action == "limited_incursion":
            self.incursion = True
            kind = Kind.LIMITED_INCURSION
            self.send(adversaries, kind, 1.0, SIGNAL_COST[kind])
            model.trigger_sanctions(model.spec.policy.tier_for_incursion)
        elif action == "invade":
            self.send(adversaries, Kind.INVASION, 1.0, calc.war_cost)
            model.begin_invasion()
        elif action == "nuclear_threat":
            self.send(adversaries, Kind.NUCLEAR_THREAT, 1.0, SIGNAL_COST[Kind.NUCLEAR_THREAT])
        elif action == "continue_war":
            pass
        self.cost += calc.holding_cost * self.troops / TROOP_UNIT
