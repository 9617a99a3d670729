"""The escalation model: builds the world from a scenario and advances it one week per step.

A week: deliver last week's signals → every actor observes and reassesses (beliefs, threat,
resolve, sanction stance) → actors choose and act in a random order keyed by (run, week)
(signals go out, moves are queued) → consequences: forces move, aid arrives, sanctions are
imposed or lifted, gas flows and storage follow the season, alliance ties follow
(dis)agreement → the ladder is updated and the week recorded.

The run's state is one replicate's arrays (`process.replicate.Replicate`), and each phase of
the week is the compiled weekly process (`process.week`) the ensemble engine runs over blocks
of replicates: one implementation of the rules, so a run here is the engine's replicate of its
seed, table for table. The model and its agents are views of those arrays, named as the
tables name them; Mesa's agents take their turns in the week's keyed order.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

from agents import Actor, Russia, Ukraine, Union, WesternState
from model.columns import TABLE_COLUMNS, attach
from model.record import TABLES, Columns, WeeklyRecord, frame_tables
from process.layout import KINDS, MODEL_NUMBERS, G
from process.replicate import Replicate
from world import draws, energy
from world.alliance import AllianceGraph
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES, TALKS_NAMES
from world.scenario import ScenarioSpec, load_scenario
from world.signals import Signal

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


_RECORDED = {name: k for k, name in enumerate(MODEL_NUMBERS)}


def _recorded(name: str, kind: type = float) -> property:
    """A model quantity as the week's record holds it (`process.week.record`)."""

    def read(model: EscalationModel) -> Any:
        return kind(model._row[_RECORDED[name]])

    return property(read)


class EscalationModel(mesa.Model):
    """The winter 2021-22 crisis as an agent-based model; one step is one calendar week."""

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
        self.world = world = self.spec.world
        self.policy = self.spec.policy
        self.calculus = self.spec.invasion_calculus
        self.horizon = world.weeks
        # Every draw is keyed by (this key, week, purpose, slot) (`world.draws`), the weekly
        # activation order too: Mesa's ``self.random`` serves nothing.
        self.draw_key = draws.run_key(self.rng)
        self.replicate = Replicate(self.spec, self.draw_key, weeks=self.horizon)
        self.date, self.load = energy.calendar_week(world.start_date, 0, world.coldest_day)
        slot = {profile.name: k for k, profile in enumerate(self.spec.actors)}
        # Western states first, then the Union, Russia and Ukraine: the agents table's order.
        self.western: list[WesternState] = [
            WesternState(self, p, slot[p.name]) for p in self.spec.actors if p.role == "state"
        ]
        self.union: Union | None = next(
            (Union(self, p, slot[p.name]) for p in self.spec.actors if p.role == "union"), None
        )
        self.challenger: Russia = Russia(
            self, self.spec_of("challenger"), slot[self.spec_of("challenger").name]
        )
        self.target: Ukraine = Ukraine(
            self, self.spec_of("target"), slot[self.spec_of("target").name]
        )
        self.actors: dict[str, Actor] = {a.name: a for a in self.agents}
        self._by_slot: list[Actor] = sorted(self.actors.values(), key=lambda a: a.slot)
        self.alliance = AllianceGraph(self.spec.actors, world.initial_tie_strength)
        self._names = [profile.name for profile in self.spec.actors]
        self._row = self.replicate.record()[0]
        self._follow_state()
        self.datacollector = WeeklyRecord(MODEL_COLUMNS, AGENT_COLUMNS)
        self.datacollector.collect(self)

    def spec_of(self, role: str):
        return next(p for p in self.spec.actors if p.role == role)

    # --- the week ------------------------------------------------------------------------
    def step(self) -> None:
        order = self.replicate.open_week()
        self.date, self.load = energy.calendar_week(
            self.world.start_date, self.week, self.world.coldest_day
        )
        # A random order each week, as Mesa's shuffle_do gives, but keyed by (run, week): the
        # order matters, since beliefs move toward each signal in the order it is read.
        for slot in order:
            self._by_slot[slot].step()
        self.replicate.close_week()
        self._row = self.replicate.record()[0]
        self._follow_state()
        self.datacollector.collect(self)
        if self.week >= self.horizon:
            self.running = False

    def _follow_state(self) -> None:
        """The alliance graph shows this week's ties and gas flow."""
        for (_, _, tie), weight in zip(
            self.alliance.alliance_ties, self.replicate.state.ties, strict=True
        ):
            tie["weight"] = float(weight)
        self.alliance.set_gas_flow(self.gas_flow)

    def run(self) -> EscalationModel:
        """Run to the horizon."""
        while self.running:
            self.step()
        return self

    # --- the world, as the tables name it ------------------------------------------------
    @property
    def week(self) -> int:
        return self.replicate.week

    rung = _recorded("rung", int)
    russian_troops = _recorded("russian_troops")
    ukraine_capability = _recorded("ukraine_capability")
    eastern_flank_troops = _recorded("eastern_flank_troops")
    invasion = _recorded("invasion", bool)
    sanction_tier = _recorded("sanction_tier", int)
    talks = _recorded("talks", int)
    eu_gas_storage = _recorded("eu_gas_storage")
    gas_flow = _recorded("gas_flow")
    energy_price = _recorded("energy_price")
    alliance_cohesion = _recorded("alliance_cohesion")
    arms_in_transit = _recorded("arms_in_transit")
    nord_stream_2_suspended = _recorded("nord_stream_2_suspended", bool)
    expected_tier_invasion = _recorded("expected_tier_invasion")
    expected_tier_incursion = _recorded("expected_tier_incursion")
    invasion_odds = _recorded("invasion_odds")

    @property
    def invasion_week(self) -> int | None:
        week = float(self.replicate.state.g[G.INVASION_WEEK])
        return None if week < 0 else int(week)

    @property
    def rung_name(self) -> str:
        return RUNG_NAMES[self.rung]  # keyed by IntEnum members, which hash as their values

    @property
    def sanction_tier_name(self) -> str:
        return SANCTION_TIER_NAMES[self.sanction_tier]

    @property
    def talks_name(self) -> str:
        return TALKS_NAMES[self.talks]

    # --- signals -------------------------------------------------------------------------
    def _signals(self) -> list[Signal]:
        names, logged = self._names, self.replicate.signal_log().tolist()
        return [
            Signal(int(week), names[int(u)], names[int(v)], KINDS[int(kind)], intensity, cost)
            for week, u, v, kind, intensity, cost in logged
        ]

    @property
    def signal_log(self) -> list[Signal]:
        """Every signal sent before this week, in the order sent."""
        return [s for s in self._signals() if s.week < self.week]

    @property
    def outbox(self) -> list[Signal]:
        """This week's signals, read next week."""
        return [s for s in self._signals() if s.week == self.week]

    # --- results -------------------------------------------------------------------------
    def history(self) -> dict[str, pd.DataFrame]:
        """Three tidy tables: ``model`` (per week), ``agents`` (per actor-week), ``signals``.

        Each carries the unit and meaning of its columns in ``attrs["columns"]``
        (:mod:`model.columns`).
        """
        tables = frame_tables(self.history_columns())
        return {name: attach(frame, TABLE_COLUMNS[name]) for name, frame in tables.items()}

    def history_columns(self, tables: Sequence[str] = TABLES) -> dict[str, Columns]:
        """The tables of ``history()`` (or those named) as plain columns, not yet framed."""
        return self.datacollector.columns(self._signals(), tables)
