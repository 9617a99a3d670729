"""The calibrated baseline reproduces the patterns the sources report, all at once.

Each pattern of :data:`analysis.patterns.PATTERNS` is judged over ``SEEDS`` replicates of
``baseline`` against the range stated (and justified) with it. With 200 seeds the standard
error of a mean troop count is under 1,000 troops and that of a share under 0.035, well inside
every stated range, so a pass or a failure is not a coin toss. A test fails when the model
stops reproducing its pattern.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from analysis.patterns import PATTERNS, check, measures
from model import EscalationModel

SEEDS = 200

pytestmark = pytest.mark.slow


@cache
def baseline_runs() -> pd.DataFrame:
    tables: dict[str, list[pd.DataFrame]] = {"model": [], "agents": []}
    for seed in range(SEEDS):
        history = EscalationModel("baseline", rng=seed).run().history()
        for name, frames in tables.items():
            frames.append(history[name].assign(run_id=seed))
    return measures({name: pd.concat(frames) for name, frames in tables.items()})


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_baseline_reproduces_the_pattern(pattern):
    value = pattern.value(baseline_runs())
    assert pattern.low <= value <= pattern.high, (
        f"{pattern.name}: {value:.3f} outside {pattern.low}..{pattern.high} ({pattern.claim})"
    )


def test_all_patterns_hold_together():
    table = check(baseline_runs())
    assert table["met"].all(), table.loc[~table["met"], ["pattern", "value", "low", "high"]]


def test_measures_of_a_single_history_without_run_ids():
    history = EscalationModel("baseline", rng=3).run().history()
    per_run = measures(history)
    assert len(per_run) == 1
    assert (
        per_run["troops_mid_feb"].iloc[0]
        == history["model"].set_index("date").loc["2022-02-14", "russian_troops"]
    )
