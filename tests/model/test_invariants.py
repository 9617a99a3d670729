"""Invariants of every run, over parameter values drawn from their whole documented ranges.

Hypothesis draws a built-in scenario, a horizon of up to three years and overrides for any
parameter (within the range its schema documents), runs the model and checks every week of
every table: nothing is NaN or infinite, fractions stay in [0, 1], forces and storage never go
negative, the rung stays on the ladder, signals connect only actors of the run, and the same
seed reproduces the run. ``HYPOTHESIS_PROFILE=soak`` runs many more examples on demand.
"""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from model import EscalationModel, list_scenarios, load_scenario
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES
from world.parameters import SECTIONS, ActorProfile
from world.scenario import actor_slug

settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

MAX_WEEKS = 156
FIXED = {"weeks", "start_date"}  # the horizon is drawn separately; the date is not a range
ACTOR_FIXED = {"name", "role", "nato", "eu"}  # identity, not a tunable quantity
FRACTIONS_MODEL = ("eu_gas_storage", "alliance_cohesion")
FRACTIONS_AGENTS = ("resolve", "threat", "belief", "gas_storage")


def _value_strategy(spec_field: dataclasses.Field) -> st.SearchStrategy | None:
    lo, hi = spec_field.metadata["lo"], spec_field.metadata["hi"]
    kind = spec_field.type if isinstance(spec_field.type, str) else spec_field.type.__name__
    if kind == "bool":
        return st.booleans()
    if lo is None or hi is None:
        return None
    if kind == "int":
        return st.integers(int(lo), int(hi))
    return st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)


def _tunable() -> dict[str, st.SearchStrategy]:
    """Every override name of the baseline scenario with a strategy over its documented range."""
    found: dict[str, st.SearchStrategy] = {}
    for cls in SECTIONS.values():
        for spec_field in dataclasses.fields(cls):
            strategy = _value_strategy(spec_field)
            if spec_field.name not in FIXED and strategy is not None:
                found[spec_field.name] = strategy
    actor_fields = [f for f in dataclasses.fields(ActorProfile) if f.name not in ACTOR_FIXED]
    for profile in load_scenario("baseline").actors:
        for spec_field in actor_fields:
            strategy = _value_strategy(spec_field)
            if strategy is not None:
                found[f"{actor_slug(profile.name)}_{spec_field.name}"] = strategy
    return found


TUNABLE = _tunable()
SECTIONS_FIELDS = {f.name for cls in SECTIONS.values() for f in dataclasses.fields(cls)}


@st.composite
def runs(draw: st.DrawFn) -> tuple[str, int, int, dict]:
    scenario = draw(st.sampled_from(sorted(list_scenarios())))
    weeks = draw(st.integers(1, MAX_WEEKS))
    seed = draw(st.integers(0, 2**32 - 1))
    names = draw(st.lists(st.sampled_from(sorted(TUNABLE)), unique=True, max_size=25))
    actors = {actor_slug(p.name) for p in load_scenario(scenario).actors}
    overrides = {}
    for name in names:
        slug = next((s for s in actors if name.startswith(f"{s}_")), None)
        if name in SECTIONS_FIELDS or slug is not None:
            overrides[name] = draw(TUNABLE[name], label=name)
    return scenario, weeks, seed, overrides


def _finite(frame: pd.DataFrame, where: str) -> None:
    numeric = frame.select_dtypes(include=["number", "bool"]).astype(float)
    bad = ~np.isfinite(numeric.to_numpy())
    assert not bad.any(), f"{where}: non-finite values in {list(numeric.columns[bad.any(axis=0)])}"


def _within(series: pd.Series, lo: float, hi: float, where: str) -> None:
    low, high = series.min(), series.max()
    assert lo <= low and high <= hi, f"{where}.{series.name}: {low}..{high} outside {lo}..{hi}"


def check_invariants(model: EscalationModel, weeks: int) -> dict[str, pd.DataFrame]:
    tables = model.history()
    weekly, agents, signals = tables["model"], tables["agents"], tables["signals"]
    names = {p.name for p in model.spec.actors}
    start = pd.Timestamp(model.spec.world.start_date)

    assert weekly["week"].tolist() == list(range(weeks + 1))
    assert (weekly["date"] == start + pd.to_timedelta(weekly["week"] * 7, unit="D")).all()
    _finite(weekly, "model")
    for column in FRACTIONS_MODEL:
        _within(weekly[column], 0.0, 1.0, "model")
    for column in ("russian_troops", "eastern_flank_troops", "ukraine_capability", "gas_flow"):
        _within(weekly[column], 0.0, math.inf, "model")
    _within(weekly["energy_price"], 0.0, math.inf, "model")
    _within(weekly["rung"], 0, max(RUNG_NAMES), "model")
    _within(weekly["sanction_tier"], 0, max(SANCTION_TIER_NAMES), "model")
    assert set(weekly["rung_name"]) <= set(RUNG_NAMES.values())
    # once begun, an invasion is never undone
    invaded = weekly["invasion"].to_numpy()
    assert (np.maximum.accumulate(invaded) == invaded).all()

    _finite(agents, "agents")
    assert set(agents["actor"]) == names
    assert len(agents) == len(names) * (weeks + 1)
    for column in FRACTIONS_AGENTS:
        _within(agents[column], 0.0, 1.0, "agents")
    _within(agents["sanction_support"], 0, max(SANCTION_TIER_NAMES), "agents")
    _within(agents["energy_exposure"], 0.0, math.inf, "agents")
    _within(agents["cost"], 0.0, math.inf, "agents")

    _finite(signals, "signals")
    assert set(signals["sender"]) <= names and set(signals["receiver"]) <= names
    assert (signals["sender"] != signals["receiver"]).all()
    _within(signals["intensity"], 0.0, 1.0, "signals")
    _within(signals["cost"], 0.0, math.inf, "signals")
    _within(signals["week"], 0, weeks, "signals")
    return tables


@given(runs())
# A busy first week (arms_now, no deterrent reserve) outgrows a one-week run's signal log: the
# run grows its arrays and replays (found by this test, 2026-12-07).
@example(("arms_now", 1, 0, {"deterrent_reserve": 0.0}))
def test_every_week_of_every_run_keeps_the_invariants(case):
    scenario, weeks, seed, overrides = case
    model = EscalationModel(scenario, rng=seed, weeks=weeks, **overrides).run()
    first = check_invariants(model, weeks)
    again = EscalationModel(scenario, rng=seed, weeks=weeks, **overrides).run().history()
    for name, table in first.items():
        pd.testing.assert_frame_equal(table, again[name], obj=f"{name} table on replay")


@pytest.mark.parametrize("scenario", sorted(list_scenarios()))
def test_three_years_at_the_range_ends_keep_the_invariants(scenario):
    """Every tunable number at its lower, then its upper documented bound, for 156 weeks."""
    actors = {actor_slug(p.name) for p in load_scenario(scenario).actors}
    for end in ("lo", "hi"):
        overrides = {}
        for cls in SECTIONS.values():
            for spec_field in dataclasses.fields(cls):
                value = spec_field.metadata[end]
                if spec_field.name not in FIXED and value is not None:
                    overrides[spec_field.name] = value
        for profile in load_scenario(scenario).actors:
            for spec_field in dataclasses.fields(ActorProfile):
                value = spec_field.metadata[end]
                if spec_field.name in ACTOR_FIXED or value is None:
                    continue
                if actor_slug(profile.name) in actors:
                    overrides[f"{actor_slug(profile.name)}_{spec_field.name}"] = value
        model = EscalationModel(scenario, rng=11, weeks=MAX_WEEKS, **overrides).run()
        check_invariants(model, MAX_WEEKS)
