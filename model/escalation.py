"""The escalation model: builds the world from a scenario and advances it one week per step.

A week: deliver last week's signals → every actor observes and reassesses (beliefs, threat,
resolve, sanction stance) → actors choose and act in a random order keyed by (run, week)
(signals go out, moves are queued) → consequences: forces move, aid arrives, sanctions are
imposed or lifted, gas flows and storage follow the season, alliance ties follow
(dis)agreement → the ladder is updated and the week recorded.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents import Actor, Russia, Ukraine, Union, WesternState
from model.columns import TABLE_COLUMNS, attach
from model.record import TABLES, Columns, WeeklyRecord, frame_tables
from world import decisions, draws, energy
from world.alliance import AllianceGraph
from world.ladder import (
    RUNG_NAMES,
    SANCTION_TIER_NAMES,
    TALKS_NAMES,
    TOP_TIER,
    Rung,
    SanctionTier,
    Talks,
    next_rung,
)
from world.moves import (
    EU_SANCTIONS_COST,
    HAZARD_BASE_RUNG,
    INITIAL_UKRAINE_CAPABILITY,
    SANCTION_COST_WEEKS,
)
from world.scenario import ScenarioSpec, load_scenario
from world.signals import (
    AMBIGUOUS_POSTURES,
    KIND_SLOT,
    TRACKS,
    Kind,
    Signal,
    credibility,
    headline_action,
    perceived,
)

MODEL_COLUMNS = {
    "week": "week",
    "date": "date",
    "rung": "rung",
    "rung_name": "rung_name",
    "russian_troops": "russian_troops",
    "ukraine_capability": "ukraine_capability",
    "eastern_flank_troops": "eastern_flank_troops",
    "invasion": "invasion",
    "sanction_tier": "sanction_tier",
    "sanction_tier_name": "sanction_tier_name",
    "talks": "talks_name",
    "eu_gas_storage": "eu_gas_storage",
    "gas_flow": "gas_flow",
    "energy_price": "energy_price",
    "alliance_cohesion": "alliance_cohesion",
    "arms_in_transit": "arms_in_transit",
    "nord_stream_2_suspended": "nord_stream_2_suspended",
    "expected_tier_invasion": "expected_tier_invasion",
    "expected_tier_incursion": "expected_tier_incursion",
    "invasion_odds": "invasion_odds",
}
# Column of the agents table -> the agent attribute it records.
AGENT_COLUMNS = {
    "actor": "name",
    "role": "role",
    "action": "action",
    "military_action": "military_action",
    "diplomatic_action": "diplomatic_action",
    "aid_action": "aid_action",
    "economic_action": "economic_action",
    "resolve": "resolve",
    "threat": "threat",
    "belief": "belief",
    "sanction_support": "sanction_support",
    "sanction_backing": "sanction_backing",
    "gas_storage": "gas_storage",
    "energy_exposure": "energy_exposure",
    "cost": "cost",
}
SIGNAL_COLUMNS = ("week", "date", "sender", "receiver", "kind", "intensity", "cost")


class EscalationModel(mesa.Model):
    """The winter 2021-22 crisis as an agent-based model; one step is one calendar week."""

    _pushed_rung: int  # the highest rung an action pushed for this week (``_reset_week``)

    def __init__(
        self,
        scenario: str | Path | ScenarioSpec = "baseline",
        *,
        rng: Any = None,
        weeks: int | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        # The seed the run was given, for its record (None for a Generator or no seed).
        self.seed_used: int | None = int(rng) if isinstance(rng, numbers.Integral) else None
        if weeks is not None:
            overrides["weeks"] = weeks
        # Mesa owns ``self.scenario``; the crisis scenario lives in ``self.spec``.
        self.spec: ScenarioSpec = load_scenario(scenario, **overrides)
        # The spec's sections, read by every actor every week, one attribute away.
        self.world = world = self.spec.world
        self.policy = self.spec.policy
        self.calculus = self.spec.invasion_calculus
        self._signal_weights: dict[float, float] = {}
        # Every draw after this one is keyed by (this key, week, purpose, slot): see
        # `world.draws`, the weekly activation order too: Mesa's ``self.random`` serves nothing.
        self.draw_key = draws.run_key(self.rng)
        self.intelligence_draw = draws.normals(
            self.draw_key, 0, draws.Purpose.INTELLIGENCE, np.zeros(1, dtype=np.int64)
        )[0]
        self.choice_draws: list[float] = []
        self.horizon = world.weeks
        self.week = 0
        self.date, self.load = energy.calendar_week(world.start_date, 0, world.coldest_day)

        self.rung = int(Rung.STATUS_QUO)
        self.invasion = False
        self.invasion_week: int | None = None
        self.sanction_tier = int(SanctionTier.NONE)
        self.nord_stream_2_suspended = False
        # Arms on their way: (week they can be used, capability they add), in order of arrival.
        self._arms_pipeline: list[tuple[int, float]] = []
        policy = self.spec.policy
        training = policy.major_systems_training_weeks if policy.major_systems else 0
        self.arms_lag = policy.arms_delivery_lag + max(policy.training_weeks, training)
        self.talks = int(Talks.NONE)
        self.gas_flow = world.initial_gas_flow
        self.ukraine_capability = INITIAL_UKRAINE_CAPABILITY
        self.eastern_flank_troops = world.initial_flank_troops
        self._weeks_since_talks = 0
        self._reset_week()

        self.alliance = AllianceGraph(self.spec.actors, world.initial_tie_strength)
        self.western: list[WesternState] = []
        self.union: Union | None = None
        # Western states first: Russia's beliefs and the EU's membership refer to them.
        for profile in sorted(self.spec.actors, key=lambda p: p.role != "state"):
            if profile.role == "state":
                self.western.append(WesternState(self, profile))
        self.sanctioners: list[Actor] = list(self.western)
        for profile in self.spec.actors:
            if profile.role == "union":
                self.union = Union(self, profile)
                self.union.members = [a for a in self.western if a.profile.eu]
        self.challenger: Russia = Russia(self, self.spec_of("challenger"))
        self.target: Ukraine = Ukraine(self, self.spec_of("target"))
        self.actors: dict[str, Actor] = {a.name: a for a in self.agents}
        self._slots = {profile.name: slot for slot, profile in enumerate(self.spec.actors)}
        for actor in self.actors.values():
            actor.slot = self._slots[actor.name]
        self._by_slot: list[Actor] = sorted(self.actors.values(), key=lambda a: a.slot)
        self.lead_state = max(self.western, key=lambda a: a.profile.economic_weight)
        # Who decides sanctions, and with what weight: EU members through the Union.
        union_speaks = self.union is not None
        self._eu_members = [a.name for a in self.western if a.profile.eu and union_speaks]
        self._blocs = [
            (a.name, a.profile.economic_weight)
            for a in self.western
            if not (a.profile.eu and union_speaks)
        ]
        self._union_weight = self.union.profile.economic_weight if self.union is not None else 0.0
        self._member_weights = [
            a.profile.economic_weight for a in self.western if a.profile.eu and union_speaks
        ]
        bloc_weights = [w for _, w in self._blocs]
        if self._eu_members:
            bloc_weights.append(self._union_weight)
        self._bloc_weight = sum(bloc_weights)
        # Gas importers, with the share of their demand Russia supplies and LNG cannot cover.
        self._importers = [
            (a, a.profile.gas_import_share * (1.0 - self.policy.lng_alternatives))
            for a in self.agents
            if a.role in ("state", "union")
        ]
        self.energy_price = energy.gas_price(world, self.eu_gas_storage, self.gas_flow)
        self._remember_views()
        self._reads = {name: a.reads for name, a in self.actors.items()}
        self._muted = frozenset(k for k in world.muted_signals.replace(" ", "").split(",") if k)
        self._inbox: dict[str, list[tuple[Signal, float, float]]] = {}
        self.outbox: list[Signal] = []
        self.signal_log: list[Signal] = []
        self._assess()

        self.datacollector = WeeklyRecord(MODEL_COLUMNS, AGENT_COLUMNS)
        self.datacollector.collect(self)

    # --- read-only views -----------------------------------------------------------------
    def spec_of(self, role: str):
        return next(p for p in self.spec.actors if p.role == role)

    @property
    def russian_troops(self) -> float:
        return self.challenger.troops

    @property
    def eu_gas_storage(self) -> float:
        if self.union is not None:
            return self.union.gas_storage
        stores = [a.gas_storage for a in self.western if a.profile.eu]
        return sum(stores) / len(stores) if stores else 0.0

    @property
    def alliance_cohesion(self) -> float:
        return self.alliance.cohesion()

    @property
    def arms_in_transit(self) -> float:
        """Capability shipped or being trained on, not yet usable by Ukraine."""
        return float(sum(amount for _, amount in self._arms_pipeline))

    @property
    def expected_tier_invasion(self) -> float:
        return self.challenger.expected_tier

    @property
    def expected_tier_incursion(self) -> float:
        return self.challenger.expected_tier_incursion

    @property
    def invasion_odds(self) -> float:
        return self.challenger.invasion_odds

    def _remember_views(self) -> None:
        """Last week's views, which allies share with each other this week."""
        actors = self.actors
        self.last_resolve = {name: a.resolve for name, a in actors.items()}
        self.last_belief = {name: a.belief for name, a in actors.items()}

    def consensus_quantile(self) -> float:
        """The quantile of EU members' tiers the Union backs, given the alliance's cohesion."""
        world = self.world
        return decisions.consensus_quantile(
            world.eu_consensus_quantile, self.alliance.cohesion(), world.cohesion_consensus_slope
        )

    def union_tier(self, tiers: Sequence[float]) -> float:
        """The tier the Union's consent rule yields from its members' tiers (in member order):
        an energy embargo needs the stricter consent of `energy_consensus_quantile`."""
        return decisions.union_consent_tier(
            tiers,
            self._member_weights,
            self.consensus_quantile(),
            self.world.energy_consensus_quantile,
            float(SanctionTier.ENERGY),
        )

    def nord_stream_2_expected_loss(self) -> bool:
        """Whether Russia expects an invasion to cost it Nord Stream 2: a host that would back
        at least targeted sanctions suspends it (001)."""
        if self.nord_stream_2_suspended:
            return False
        expected = self.challenger.expected_support
        return any(
            expected.get(a.name, 0.0) >= SanctionTier.TARGETED
            for a in self.western
            if a.profile.nord_stream_2_host
        )

    @property
    def rung_name(self) -> str:
        return RUNG_NAMES[self.rung]  # keyed by IntEnum members, which hash as their values

    @property
    def sanction_tier_name(self) -> str:
        return SANCTION_TIER_NAMES[self.sanction_tier]

    @property
    def talks_name(self) -> str:
        return TALKS_NAMES[self.talks]

    @property
    def aid_frozen(self) -> bool:
        """Under an agreed freeze deal the West stops game-changing aid (004's carrot)."""
        return self.talks == Talks.AGREEMENT and self.spec.policy.freeze_deal and not self.invasion

    def coalition_tier(self, supports: Mapping[str, float]) -> float:
        """The tier the West can agree on, from each state's (actual or believed) support.

        EU members act through the Union, which backs the consensus quantile of their tiers;
        the coalition imposes the highest tier backed by ``coalition_threshold`` of the
        sanctioners' combined GDP.
        """
        blocs = [(supports[name], weight) for name, weight in self._blocs]
        if self._eu_members:
            members = [supports[name] for name in self._eu_members]
            blocs.append((self.union_tier(members), self._union_weight))
        total = self._bloc_weight
        if total <= 0.0:
            return 0.0
        backing = 0.0
        for support, weight in sorted(blocs, reverse=True):
            backing += weight
            if backing >= self.world.coalition_threshold * total - 1e-12:
                return support
        return 0.0

    def flank_threat(self) -> float:
        threshold = self.world.flank_host_exposure
        exposed = [a.threat for a in self.western if a.profile.border_exposure >= threshold]
        return max(exposed) if exposed else 0.0

    def flank_hosts(self) -> list[str]:
        threshold = self.world.flank_host_exposure
        return [a.name for a in self.western if a.profile.border_exposure >= threshold]

    # --- messages and effects queued by agents ------------------------------------------
    def inbox(self, receiver: str) -> list[tuple[Signal, float, float]]:
        """This week's signals to ``receiver``: (signal, perceived intensity, belief weight)."""
        return self._inbox.get(receiver, [])

    def _deliver(self, post: list[Signal]) -> dict[str, list[tuple[Signal, float, float]]]:
        """Last week's post as each receiver reads it.

        Misperception: every signal is read with its own noise, keyed by its week, sender,
        receiver and kind (`world.draws`), and the challenger reads defensive postures as
        offensive (the security dilemma). Costly signals weigh more. A signal of a kind its
        receiver does not read is still logged, but not delivered.
        """
        noise_sd = self.world.misperception
        reads, muted = self._reads, self._muted
        # Only what its receiver reads is delivered (and drawn for).
        read = [s for s in post if s.kind in reads[s.receiver] and s.kind not in muted]
        if noise_sd > 0.0:
            # Each (sender, receiver, kind) of the week has its own draw (`world.draws`).
            slots, kinds = self._slots, len(KIND_SLOT)
            pairs = len(slots)
            at = np.array(
                [
                    (slots[s.sender] * pairs + slots[s.receiver]) * kinds + KIND_SLOT[s.kind]
                    for s in read
                ],
                dtype=np.int64,
            )
            noises = [
                noise_sd * z
                for z in draws.normals(self.draw_key, self.week, draws.Purpose.PERCEPTION, at)
            ]
        else:
            noises = [0.0] * len(read)
        inbox: dict[str, list[tuple[Signal, float, float]]] = {name: [] for name in reads}
        challenger = self.challenger.name
        weights, weight_of = self._signal_weights, self.signal_weight
        for signal, noise in zip(read, noises, strict=True):
            receiver, kind = signal.receiver, signal.kind
            bias = noise_sd if receiver == challenger and kind in AMBIGUOUS_POSTURES else 0.0
            try:
                weight = weights[signal.cost]
            except KeyError:  # a cost not seen before in this run
                weight = weight_of(signal.cost)
            inbox[receiver].append((signal, perceived(signal.intensity, noise, bias), weight))
        return inbox

    def signal_weight(self, cost: float) -> float:
        """How far a signal of this cost moves a belief: learning rate times credibility."""
        weight = self._signal_weights.get(cost)
        if weight is None:
            world = self.world
            weight = world.belief_learning_rate * credibility(
                cost, world.cheap_talk_credibility, world.credibility_scale
            )
            self._signal_weights[cost] = weight
        return weight

    def send(
        self, sender: str, receivers: Sequence[str] | str, kind: Kind, intensity: float, cost: float
    ) -> None:
        if receivers.__class__ is str:
            receivers = (receivers,)
        post, week, new = self.outbox.append, self.week, tuple.__new__
        for receiver in receivers:
            if receiver != sender:
                post(new(Signal, (week, sender, receiver, kind, intensity, cost)))

    def push_rung(self, rung: int) -> None:
        self._pushed_rung = max(self._pushed_rung, int(rung))

    def deliver_arms(self, intensity: float) -> None:
        """Ship arms: usable after the delivery lag and the training time (004)."""
        # The delivery's intensity already carries any major-systems boost.
        amount = self.spec.policy.arms_effect * intensity
        self._arms_pipeline.append((self.week + self.arms_lag, amount))

    def arrived_arms(self) -> float:
        """Capability of the shipments usable from this week on, taken out of the pipeline."""
        arrived = 0.0
        pipeline = self._arms_pipeline
        while pipeline and pipeline[0][0] <= self.week:
            arrived += pipeline.pop(0)[1]
        return arrived

    def mobilise(self, capability: float) -> None:
        self._capability_gain += capability

    def note_hybrid_action(self) -> None:
        self._capability_gain -= self.calculus.hybrid_damage

    def deploy_to_flank(self, troops: float) -> None:
        self._flank_gain += troops
        self.push_rung(Rung.MILITARY_POSTURING)

    def note_talks(self, actor: str) -> None:
        if actor == self.challenger.name:
            self._russia_talked = True
        else:
            self._west_talked = True

    def apply_energy_pressure(self) -> None:
        self._pressure = True

    def begin_invasion(self) -> None:
        if not self.invasion:
            self.invasion = True
            self.invasion_week = self.week
            self.talks = int(Talks.BROKEN_OFF)

    def _reset_week(self) -> None:
        self._pushed_rung = int(Rung.STATUS_QUO)
        self._capability_gain = 0.0
        self._flank_gain = 0.0
        self._russia_talked = False
        self._west_talked = False
        self._pressure = False

    # --- the week ------------------------------------------------------------------------
    def step(self) -> None:
        world = self.spec.world
        self.week += 1
        self.date, self.load = energy.calendar_week(world.start_date, self.week, world.coldest_day)
        self._reset_week()
        self._inbox = self._deliver(self.outbox)
        self.signal_log.extend(self.outbox)
        self.outbox = []
        self._remember_views()

        self._assess()
        self.choice_draws = draws.uniforms(
            self.draw_key, self.week, draws.Purpose.CHOICE, len(self._slots) * len(TRACKS)
        )
        # A random order each week, as Mesa's shuffle_do gives, but keyed by (run, week): the
        # order matters, since beliefs move toward each signal in the order it is read.
        for slot in draws.activation_order(self.draw_key, self.week, len(self._by_slot)):
            self._by_slot[slot].step()
        self._apply_consequences()
        self.datacollector.collect(self)
        if self.week >= self.horizon:
            self.running = False

    def _assess(self) -> None:
        # Energy-price stress as every Western state reads it this week (same for all).
        self.price_stress = max(0.0, self.energy_price / self.world.gas_price_reference - 1.0)
        self.agents.do("observe")
        if self.union is not None:
            self.union.aggregate()  # after its members, whatever the agent order

    def _apply_consequences(self) -> None:
        world = self.spec.world
        # forces and capability: aid arrives once shipped and trained on
        arrived = self.arrived_arms()
        # A capability index has no meaning below zero: hybrid damage wears it down to nothing.
        self.ukraine_capability = max(
            0.0,
            self.ukraine_capability
            + (0.0 if self.aid_frozen else world.capability_growth)
            + self._capability_gain
            + arrived,
        )
        self.challenger.end_week()
        self.eastern_flank_troops += self._flank_gain
        self._update_talks()
        self._update_sanctions()
        # Nord Stream 2: a host backing even targeted sanctions suspends its certification.
        if not self.nord_stream_2_suspended and any(
            a.profile.nord_stream_2_host and a.sanction_backing >= SanctionTier.TARGETED
            for a in self.western
        ):
            self.nord_stream_2_suspended = True
        # gas
        if self._pressure:
            self.gas_flow = max(0.0, self.gas_flow - world.pressure_cut)
        elif self.gas_flow < world.initial_gas_flow:
            self.gas_flow = min(world.initial_gas_flow, self.gas_flow + world.flow_recovery)
        if self.sanction_tier >= SanctionTier.ENERGY:
            self.gas_flow = min(self.gas_flow, world.embargo_flow)
        self.alliance.set_gas_flow(self.gas_flow)
        load, flow = self.load, self.gas_flow
        for actor, uncovered in self._importers:
            change = energy.storage_change(
                world, load, actor.profile.winter_sensitivity, uncovered, flow
            )
            actor.gas_storage = energy.next_storage(actor.gas_storage, change)
        self.energy_price = energy.gas_price(world, self.eu_gas_storage, self.gas_flow)
        # costs of sanctions, borne by both sides
        russia = self.challenger
        russia.cost += russia.sanction_cost(self.sanction_tier) / SANCTION_COST_WEEKS
        for state in self.western:
            state.cost += state.tier_cost(self.sanction_tier) / SANCTION_COST_WEEKS
        # alliance ties follow agreement
        stance = {a.name: a.stance() for a in self.sanctioners}
        if self.union is not None:
            stance[self.union.name] = self.union.stance()
        self.alliance.update_ties(stance, world.tie_learning_rate)
        # brinkmanship: a threat that leaves something to chance
        pushed = self._pushed_rung
        level = max(self.rung, pushed)
        hazard = world.brinkmanship_hazard * (level - HAZARD_BASE_RUNG)
        # Only once at war: an unintended clash with NATO, or a nuclear threat.
        at_war = Rung.FULL_SCALE_INVASION <= level < Rung.NUCLEAR_THREAT
        if at_war and hazard > 0.0 and self._hazard_draw() < hazard:
            pushed = level + 1
            if pushed >= Rung.NUCLEAR_THREAT:
                # A clash gone nuclear by accident is a scare every capital feels at once.
                for state in self.western:
                    state.nuclear_fear = 1.0
        self.rung = next_rung(self.rung, pushed, self.invasion)
        if self.rung >= Rung.NATO_RUSSIA_CLASH:
            self.challenger.nato_threat = 1.0  # NATO is in the fight: the threat is realised

    def _hazard_draw(self) -> float:
        return draws.uniforms(self.draw_key, self.week, draws.Purpose.BRINKMANSHIP, 1)[0]

    def _update_talks(self) -> None:
        if self.invasion:
            if self._russia_talked and self._west_talked:
                self.talks = max(int(Talks.CONTACTS), min(self.talks + 1, int(Talks.NEGOTIATION)))
            return
        russia = self.challenger
        offered = russia.freeze_offered or russia.moratorium_offered
        # A deal is struck on a pull-back the West has seen (its lead state read the signal this
        # week), not on one Russia merely made.
        seen = self.lead_state.pull_back_week == self.week
        if seen and offered and self.talks >= Talks.FORMAL_TALKS:
            self.talks = int(Talks.AGREEMENT)
        elif self.talks == Talks.AGREEMENT:
            pass
        elif self._russia_talked and self._west_talked:
            self.talks = min(max(self.talks, int(Talks.NONE)) + 1, int(Talks.NEGOTIATION))
            self._weeks_since_talks = 0
        elif self._russia_talked or self._west_talked:
            self.talks = max(self.talks, int(Talks.CONTACTS))
            self._weeks_since_talks = 0
        else:
            self._weeks_since_talks += 1
            lapsed = self._weeks_since_talks >= self.world.talks_lapse_weeks
            if lapsed and self.talks > Talks.NONE:
                self.talks -= 1
                self._weeks_since_talks = 0

    def _update_sanctions(self) -> None:
        backing = {a.name: a.sanction_backing for a in self.western}
        target = int(self.coalition_tier(backing))
        previous = self.sanction_tier
        if target > previous:
            self.sanction_tier = target  # pre-agreed packages go in at once
        elif target < previous:
            self.sanction_tier = previous - 1
        if self.sanction_tier > previous:
            russia = self.challenger.name
            intensity = self.sanction_tier / TOP_TIER
            for actor in [*self.western, *([self.union] if self.union else [])]:
                if actor.sanction_backing >= self.sanction_tier:
                    actor.track_actions["economic"] = "sanctions"
                    actor.action = headline_action(actor.track_actions.values())
                    cost = (
                        actor.tier_cost(self.sanction_tier)
                        if isinstance(actor, WesternState)
                        else EU_SANCTIONS_COST
                    )
                    # Russia feels it; allies see who imposed it (solidarity, §7.7).
                    allies = [a for a, _ in self.alliance.ties(actor.name)]
                    self.send(actor.name, [russia, *allies], Kind.SANCTIONS, intensity, cost)

    # --- running and results -------------------------------------------------------------
    def run(self) -> EscalationModel:
        """Run to the horizon."""
        while self.running:
            self.step()
        return self

    def history(self) -> dict[str, pd.DataFrame]:
        """Three tidy tables: ``model`` (per week), ``agents`` (per actor-week), ``signals``.

        Each carries the unit and meaning of its columns in ``attrs["columns"]``
        (:mod:`model.columns`).
        """
        tables = frame_tables(self.history_columns())
        return {name: attach(frame, TABLE_COLUMNS[name]) for name, frame in tables.items()}

    def history_columns(self, tables: Sequence[str] = TABLES) -> dict[str, Columns]:
        """The tables of ``history()`` (or those named) as plain columns, not yet framed."""
        return self.datacollector.columns(self.signal_log + self.outbox, tables)
