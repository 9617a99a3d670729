"""Many futures: the session's settings on many seeds, the current run marked among them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from experiments.design import run_seed
from model import EscalationModel
from viz import futures
from viz.session import RunConfig

CONFIG = RunConfig(scenario="baseline", seed=7, overrides={"arms_aid": 0.4}, weeks=12)


@pytest.fixture(scope="module")
def serial():
    return futures.run_futures(CONFIG, 24)


def test_the_futures_are_the_seed_sequence_children_of_the_settings_seed(serial):
    assert serial["seed"].tolist() == [run_seed(7, i) for i in range(24)]
    row = serial.iloc[3]
    replay = EscalationModel("baseline", rng=int(row["seed"]), weeks=12, arms_aid=0.4).run()
    week = replay.invasion_week if replay.invasion else None
    recorded = row["invasion_week"]
    assert (None if recorded is pd.NA else int(recorded)) == week
    assert set(serial["horizon"]) == {12} and (serial["scenario"] == "baseline").all()


def test_every_future_is_its_seeds_mesa_run(serial):
    assert futures.run_futures(CONFIG, 24).equals(serial)  # the same settings, the same futures
    for row in serial.itertuples():
        replay = EscalationModel("baseline", rng=int(row.seed), weeks=12, arms_aid=0.4).run()
        weekly = replay.history()["model"]
        assert row.highest_rung == weekly["rung"].max()
        assert row.max_sanction_tier == weekly["sanction_tier"].max()
        week = replay.invasion_week if replay.invasion else None
        assert (None if row.invasion_week is pd.NA else int(row.invasion_week)) == week


def test_an_update_runs_a_thousand_futures():
    assert futures.FUTURES >= 1000
    many = futures.run_futures(CONFIG)
    assert len(many) == futures.FUTURES and many["seed"].is_unique


def test_the_share_invading_has_its_wilson_interval(serial):
    p, lo, hi = futures.share_invading(serial)
    assert p == pytest.approx(serial["invaded"].mean())
    assert 0.0 <= lo <= p <= hi <= 1.0 and hi - lo > 0.1  # 24 runs: a wide interval


def test_the_figure_marks_the_current_run(serial):
    figure = futures.futures_figure(serial, dt.date(2021, 11, 1), 5, 5, 4, 8)
    curve, rungs, tiers = figure.axes
    this_run = [line for line in curve.get_lines() if line.get_label() == "this run"]
    assert len(this_run) == 1 and list(this_run[0].get_ydata()[4:7]) == [0.0, 1.0, 1.0]
    orange = [i for i, bar in enumerate(rungs.patches) if bar.get_facecolor()[0] > 0.9]
    assert orange == [5]  # the invasion rung
    assert [i for i, bar in enumerate(tiers.patches) if bar.get_facecolor()[0] > 0.9] == [4]


def test_settings_key_follows_every_setting():
    keys = {
        futures.settings_key(c)
        for c in (
            CONFIG,
            CONFIG.with_override("arms_aid", 0.5),
            RunConfig(scenario="baseline", seed=8, overrides={"arms_aid": 0.4}, weeks=12),
            RunConfig(scenario="arms_now", seed=7, overrides={"arms_aid": 0.4}, weeks=12),
        )
    }
    assert len(keys) == 4
    assert futures.settings_key(CONFIG) == futures.settings_key(
        RunConfig(scenario="baseline", seed=7, overrides={"arms_aid": 0.4}, weeks=12)
    )
