"""The model as a whole: history schema, row counts, calendar, horizon, determinism, the ways
of naming a scenario, Mesa batch_run compatibility, and invariants of the escalation ladder."""

from __future__ import annotations

import datetime as dt
from functools import cache

import mesa
import numpy as np
import pandas as pd
import pytest

from model import EscalationModel, ScenarioError, list_scenarios, load_scenario
from model.record import frame_tables
from world.ladder import RUNG_NAMES, Rung
from world.scenario import builtin_dir
from world.signals import Kind

MODEL_COLUMNS = (
    "week",
    "date",
    "rung",
    "rung_name",
    "russian_troops",
    "invasion",
    "sanction_tier",
    "eu_gas_storage",
    "alliance_cohesion",
)
AGENT_COLUMNS = ("week", "date", "actor", "action", "resolve", "threat")
SIGNAL_COLUMNS = ("week", "date", "sender", "receiver", "kind", "intensity", "cost")
TABLES = ("model", "agents", "signals")
START = pd.Timestamp("2021-11-01")


@cache
def run(scenario="baseline", seed=1, **overrides):
    """A finished model (cached: tests only read it)."""
    return EscalationModel(scenario, rng=seed, **overrides).run()


@cache
def history(scenario="baseline", seed=1, **overrides):
    return run(scenario, seed, **overrides).history()


INVADER = {"russia_risk_attitude": 0.5}


@cache
def invasion_seed():
    """The first seed in which a risk-seeking Russia invades within the default horizon."""
    for seed in range(100):
        if run("baseline", seed, **INVADER).invasion:
            return seed
    raise AssertionError("no invasion in 100 seeds with russia_risk_attitude=0.5")


def invasion_run():
    return run("baseline", invasion_seed(), **INVADER)


# A spread of runs for the schema checks: every scenario, and an invasion.
RUNS = [(name, 3, ()) for name in sorted(list_scenarios())] + [
    ("baseline", 0, (("russia_risk_attitude", 0.5),)),
]


@pytest.fixture(params=RUNS, ids=lambda r: f"{r[0]}-seed{r[1]}{'-' if r[2] else ''}")
def tables(request):
    scenario, seed, overrides = request.param
    model = run(scenario, seed, **dict(overrides))
    return model, model.history()


# --- schema ----------------------------------------------------------------------------------


def test_history_has_the_three_tables(tables):
    _, hist = tables
    assert set(hist) >= set(TABLES)
    assert all(isinstance(hist[name], pd.DataFrame) for name in TABLES)


@pytest.mark.parametrize(
    ("table", "columns"),
    [("model", MODEL_COLUMNS), ("agents", AGENT_COLUMNS), ("signals", SIGNAL_COLUMNS)],
)
def test_required_columns_are_present(tables, table, columns):
    _, hist = tables
    assert set(columns) <= set(hist[table].columns)


@pytest.mark.parametrize("table", TABLES)
def test_week_is_integer_and_date_is_datetime(tables, table):
    _, hist = tables
    frame = hist[table]
    assert pd.api.types.is_integer_dtype(frame["week"])
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])


def test_every_table_dates_its_rows_as_the_model_table_dates_their_week(tables):
    _, hist = tables
    date_of = dict(zip(hist["model"]["week"], hist["model"]["date"], strict=True))
    for name in ("agents", "signals"):
        frame = hist[name]
        assert frame["date"].dtype == hist["model"]["date"].dtype, name
        assert (frame["date"] == frame["week"].map(date_of)).all(), name


def test_a_run_without_signals_still_has_a_typed_signals_table():
    model = EscalationModel("baseline", rng=1, weeks=1)
    signals = frame_tables(model.datacollector.columns([]))["signals"]  # no signal sent
    assert len(signals) == 0
    assert list(signals.columns) == list(SIGNAL_COLUMNS)
    assert pd.api.types.is_integer_dtype(signals["week"])
    assert pd.api.types.is_datetime64_any_dtype(signals["date"])
    assert pd.api.types.is_float_dtype(signals["intensity"])
    assert pd.api.types.is_string_dtype(signals["kind"])


def test_model_table_dtypes(tables):
    _, hist = tables
    weekly = hist["model"]
    assert pd.api.types.is_bool_dtype(weekly["invasion"])
    assert pd.api.types.is_integer_dtype(weekly["rung"])
    assert pd.api.types.is_integer_dtype(weekly["sanction_tier"])
    for column in ("russian_troops", "eu_gas_storage", "alliance_cohesion"):
        assert pd.api.types.is_float_dtype(weekly[column]), column


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("model", ("rung", "russian_troops", "sanction_tier", "eu_gas_storage")),
        ("model", ("alliance_cohesion",)),
        ("agents", ("resolve", "threat")),
        ("signals", ("intensity", "cost")),
    ],
)
def test_numeric_columns_are_finite(tables, table, columns):
    _, hist = tables
    for column in columns:
        values = hist[table][column].to_numpy(dtype=float)
        assert np.isfinite(values).all(), column


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("model", "eu_gas_storage"),
        ("model", "alliance_cohesion"),
        ("agents", "resolve"),
        ("agents", "threat"),
        ("signals", "intensity"),
    ],
)
def test_fractions_lie_in_unit_interval(tables, table, column):
    _, hist = tables
    values = hist[table][column]
    assert values.between(0.0, 1.0).all(), values[~values.between(0.0, 1.0)]


def test_troops_and_signal_costs_are_not_negative(tables):
    _, hist = tables
    assert (hist["model"]["russian_troops"] >= 0).all()
    assert (hist["signals"]["cost"] >= 0).all()


def test_rung_and_tier_are_on_their_ladders(tables):
    _, hist = tables
    weekly = hist["model"]
    assert weekly["rung"].between(0, 7).all()
    assert weekly["sanction_tier"].between(0, 5).all()
    expected = [RUNG_NAMES[Rung(r)] for r in weekly["rung"]]
    assert weekly["rung_name"].tolist() == expected


# --- row counts ------------------------------------------------------------------------------


def test_one_model_row_per_week_from_week_zero(tables):
    model, hist = tables
    assert hist["model"]["week"].tolist() == list(range(model.horizon + 1))


def test_one_agent_row_per_actor_per_week(tables):
    model, hist = tables
    agents = hist["agents"]
    actors = {p.name for p in model.spec.actors}
    assert len(agents) == len(actors) * (model.horizon + 1)
    assert set(agents["actor"]) == actors
    counts = agents.groupby(["week", "actor"]).size()
    assert (counts == 1).all()
    assert len(counts) == len(agents)


def test_signals_run_between_existing_actors(tables):
    model, hist = tables
    signals = hist["signals"]
    actors = {p.name for p in model.spec.actors}
    assert len(signals) > 0
    assert set(signals["sender"]) <= actors
    assert set(signals["receiver"]) <= actors
    assert (signals["sender"] != signals["receiver"]).all()


def test_signal_kinds_are_known(tables):
    _, hist = tables
    assert set(hist["signals"]["kind"]) <= {kind.value for kind in Kind}


def test_signals_fall_within_the_run(tables):
    model, hist = tables
    assert hist["signals"]["week"].between(0, model.horizon).all()


# --- dates -----------------------------------------------------------------------------------


def test_week_zero_is_first_of_november_2021():
    weekly = history()["model"]
    assert weekly.loc[weekly["week"] == 0, "date"].item() == START


@pytest.mark.parametrize("table", TABLES)
def test_every_date_is_start_plus_seven_days_per_week(tables, table):
    model, hist = tables
    frame = hist[table]
    start = pd.Timestamp(model.spec.world.start_date)
    expected = start + pd.to_timedelta(frame["week"] * 7, unit="D")
    assert (frame["date"] == expected).all()


def test_model_dates_are_weekly():
    dates = history()["model"]["date"]
    assert (dates.diff().dropna() == pd.Timedelta(days=7)).all()


def test_start_date_override_moves_every_date():
    hist = history("baseline", 1, start_date="2022-01-03", weeks=3)
    for table in TABLES:
        frame = hist[table]
        expected = pd.Timestamp("2022-01-03") + pd.to_timedelta(frame["week"] * 7, unit="D")
        assert (frame["date"] == expected).all(), table


def test_model_date_is_last_recorded_date():
    model = run()
    assert history()["model"]["date"].iloc[-1] == pd.Timestamp(model.date)
    assert model.date == dt.date(2021, 11, 1) + dt.timedelta(weeks=26)


# --- horizon ---------------------------------------------------------------------------------


def test_default_horizon_is_26_weeks():
    assert len(history()["model"]) == 27


def test_weeks_argument_sets_the_horizon():
    model = EscalationModel(rng=1, weeks=4).run()
    assert model.week == 4
    assert len(model.history()["model"]) == 5


def test_weeks_as_a_keyword_override_sets_the_horizon():
    model = EscalationModel("baseline", rng=1, **{"weeks": 3}).run()
    assert model.history()["model"]["week"].tolist() == [0, 1, 2, 3]


def test_weeks_override_on_a_spec_sets_the_horizon():
    model = EscalationModel(load_scenario("baseline", weeks=2), rng=1).run()
    assert len(model.history()["model"]) == 3


def test_weeks_argument_beats_the_scenario_horizon(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text("[world]\nweeks = 8\n", encoding="utf-8")
    assert EscalationModel(path, rng=1).horizon == 8
    assert EscalationModel(path, rng=1, weeks=3).horizon == 3


def test_zero_weeks_is_refused():
    with pytest.raises(ScenarioError, match="weeks"):
        EscalationModel(rng=1, weeks=0)


def test_running_turns_false_exactly_at_the_horizon():
    model = EscalationModel(rng=1, weeks=5)
    for week in range(1, 6):
        assert model.running
        model.step()
        assert model.week == week
    assert not model.running


def test_run_returns_the_model():
    model = EscalationModel(rng=1, weeks=2)
    assert model.run() is model


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_same_seed_gives_identical_history(table):
    first = EscalationModel("baseline", rng=11).run().history()[table]
    second = EscalationModel("baseline", rng=11).run().history()[table]
    pd.testing.assert_frame_equal(first, second)


def test_same_seed_gives_identical_invasion_history():
    again = EscalationModel("baseline", rng=invasion_seed(), **INVADER).run()
    assert again.invasion
    for table in TABLES:
        pd.testing.assert_frame_equal(invasion_run().history()[table], again.history()[table])


def test_different_seeds_give_different_histories():
    first = history("baseline", 1)
    second = history("baseline", 2)
    assert not first["agents"]["action"].equals(second["agents"]["action"])
    assert not first["signals"].equals(second["signals"])


# --- scenario by name, path and spec ---------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda: "freeze_deal", id="name"),
        pytest.param(lambda: builtin_dir() / "freeze_deal.toml", id="path"),
        pytest.param(lambda: str(builtin_dir() / "freeze_deal.toml"), id="path-string"),
        pytest.param(lambda: load_scenario("freeze_deal"), id="spec"),
    ],
)
def test_scenario_by_name_path_or_spec_runs_the_same(source):
    model = EscalationModel(source(), rng=5, weeks=8).run()
    assert model.spec.policy.freeze_deal is True
    reference = history("freeze_deal", 5, weeks=8)
    for table in TABLES:
        pd.testing.assert_frame_equal(model.history()[table], reference[table])


def test_overrides_apply_to_a_spec_too():
    model = EscalationModel(load_scenario("freeze_deal"), rng=5, misperception=0.4)
    assert model.spec.world.misperception == 0.4
    assert model.spec.policy.freeze_deal is True


def test_unknown_override_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="no_such_knob"):
        EscalationModel(rng=1, no_such_knob=1.0)


def test_unknown_scenario_raises_naming_it():
    with pytest.raises(ScenarioError, match="atlantis"):
        EscalationModel("atlantis", rng=1)


# --- Mesa batch_run --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch():
    rows = mesa.batch_run(
        EscalationModel,
        parameters={"scenario": ["baseline", "freeze_deal"]},
        rng=[1, 2],
        max_steps=26,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    return pd.DataFrame(rows)


def test_batch_run_rows_carry_scenario_and_reporters(batch):
    assert {"scenario", "Step", *MODEL_COLUMNS, "actor", "resolve", "threat"} <= set(batch.columns)
    assert set(batch["scenario"]) == {"baseline", "freeze_deal"}


def test_batch_run_covers_every_run_and_week(batch):
    assert batch["RunId"].nunique() == 4
    steps = batch.groupby("RunId")["Step"].agg(["min", "max"])
    assert (steps["min"] == 0).all()
    assert (steps["max"] == 26).all()
    assert (batch["week"] == batch["Step"]).all()


def test_batch_run_has_one_row_per_actor_per_week(batch):
    actors = len(load_scenario("baseline").actors)
    sizes = batch.groupby(["RunId", "Step"]).size()
    assert (sizes == actors).all()


def test_batch_run_matches_a_direct_run(batch):
    rng_column = "rng" if "rng" in batch.columns else "seed"
    rows = batch[(batch["scenario"] == "baseline") & (batch[rng_column] == 1)]
    weekly = rows.drop_duplicates("Step").sort_values("Step")
    direct = history("baseline", 1)["model"]
    assert weekly["rung"].tolist() == direct["rung"].tolist()
    assert weekly["sanction_tier"].tolist() == direct["sanction_tier"].tolist()


# --- the escalation ladder in a run ----------------------------------------------------------


def test_an_invasion_is_found_and_recorded():
    model = invasion_run()
    assert model.invasion_week is not None
    assert 1 <= model.invasion_week <= model.horizon


def test_invasion_is_true_from_its_week_on():
    model = invasion_run()
    weekly = model.history()["model"]
    expected = (weekly["week"] >= model.invasion_week).tolist()
    assert weekly["invasion"].tolist() == expected


def test_rung_is_at_least_full_scale_invasion_after_the_invasion():
    model = invasion_run()
    weekly = model.history()["model"]
    after = weekly[weekly["week"] >= model.invasion_week]
    assert (after["rung"] >= Rung.FULL_SCALE_INVASION).all()


def test_invasion_is_signalled_by_russia_in_its_week():
    model = invasion_run()
    signals = model.history()["signals"]
    invasions = signals[signals["kind"] == Kind.INVASION.value]
    assert set(invasions["sender"]) == {"Russia"}
    assert set(invasions["week"]) == {model.invasion_week}


@pytest.mark.parametrize(
    ("scenario", "seed", "overrides"),
    [
        ("baseline", 1, ()),
        ("baseline", 2, ()),
        ("divided_west", 4, ()),
        ("freeze_deal", 6, ()),
        ("baseline", 0, (("russia_risk_attitude", 0.5),)),
        ("baseline", 9, (("russia_risk_attitude", 0.5), ("weeks", 52))),
    ],
)
def test_rung_never_falls_more_than_one_per_week(scenario, seed, overrides):
    rung = history(scenario, seed, **dict(overrides))["model"]["rung"]
    assert (rung.diff().dropna() >= -1).all()


# --- the weekly record ------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["baseline", "divided_west", "closing_window"])
def test_weekly_record_holds_what_mesas_collector_would(scenario):
    """The faster collector is only an optimisation: Mesa's own, fed the same reporters at the
    same moments, must record the same values in the same layout."""
    from model.escalation import AGENT_COLUMNS, MODEL_COLUMNS

    stock = None

    class Witness(EscalationModel):
        def step(self) -> None:
            super().step()
            stock.collect(self)

    model = Witness(scenario, rng=11, weeks=30)
    stock = mesa.DataCollector(
        model_reporters=dict(MODEL_COLUMNS),
        agent_reporters=dict(AGENT_COLUMNS),
    )
    # Week 0, as the model recorded it at construction (nothing has moved since).
    stock.collect(model)
    model.run()
    record = model.datacollector
    assert record.model_vars == stock.model_vars
    assert record._agent_records == stock._agent_records
    assert record._collection_steps == stock._collection_steps
    pd.testing.assert_frame_equal(
        record.get_agent_vars_dataframe(), stock.get_agent_vars_dataframe()
    )


def test_weekly_record_holds_only_values_that_cannot_change_later():
    """Why no copies are needed: every recorded value is immutable."""
    from model.record import IMMUTABLE

    model = EscalationModel("baseline", rng=2).run()
    record = model.datacollector
    values = [v for column in record.model_vars.values() for v in column]
    values += [v for rows in record._agent_records.values() for row in rows for v in row]
    assert values and all(isinstance(v, IMMUTABLE) for v in values)


def test_the_seed_a_run_was_given_is_kept_for_its_record():
    assert EscalationModel("baseline", rng=7).seed_used == 7
    assert EscalationModel("baseline", rng=np.random.default_rng(1)).seed_used is None


def test_the_horizon_is_a_parameter_like_any_other():
    # issue 17: weeks given as the keyword or as an override, validated as a whole number
    assert EscalationModel("baseline", rng=1, weeks=4).run().horizon == 4
    assert EscalationModel("baseline", rng=1, **{"weeks": 5}).run().horizon == 5
    assert EscalationModel("baseline", rng=1, weeks=4.0).horizon == 4
    for bad, reason in ((26.5, "whole number"), (0, "out of range"), (521, "out of range")):
        with pytest.raises(ScenarioError, match=reason):
            EscalationModel("baseline", rng=1, weeks=bad)
