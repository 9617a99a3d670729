"""The patterns of the sources: each measure on hand-built histories, then the baseline.

The unit tests build small tables by hand (the schema of ``EscalationModel.history()``), so each
measure is checked against a history whose answer is known, including one that must fail it.

The slow tests judge each pattern of :data:`analysis.patterns.PATTERNS` over ``SEEDS``
replicates of ``baseline`` against the range stated (and justified) with it. With 200 seeds the
standard error of a mean troop count is under 1,000 troops and that of a share under 0.035, well
inside every stated range, so a pass or a failure is not a coin toss.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd
import pytest

from analysis.patterns import MEASURES, PATTERNS, Pattern, check, measures, report
from model import EscalationModel

SEEDS = 200
START = pd.Timestamp("2021-11-01")  # a Monday, the model's default start: week 0
MID_FEB_WEEK = 15  # 2022-02-14
ACTORS = {
    "Russia": "challenger",
    "Ukraine": "target",
    "United States": "state",
    "Germany": "state",
    "United Kingdom": "state",
    "Poland": "state",
}
SUPPORT = {"Germany": 2.0, "United Kingdom": 4.0, "Poland": 4.0}
TRACK = {
    "build_up": "military",
    "limited_incursion": "military",
    "invade": "military",
    "flank_deployment": "military",
    "arms_delivery": "military",
    "mobilisation": "military",
    "demands": "diplomatic",
    "recognition": "diplomatic",
    "sanction_threat": "diplomatic",
    "talks": "diplomatic",
    "hybrid_action": "economic",
}
# The sequence patterns of issue 16: their order must emerge from the rules, never a script.
SEQUENCE = frozenset(
    {"threats_not_sanctions", "no_incursion_first", "recognition_with_invasion", "us_alert_late"}
)

Moves = Mapping[tuple[str, int], Sequence[str]]


def history(
    moves: Moves,
    *,
    weeks: int = 20,
    invasion: int | None = None,
    tier_from: int | None = None,
    troops: Callable[[int], float] = lambda w: 90_000 + 2_500 * w,
    tracks: bool = True,
) -> dict[str, pd.DataFrame]:
    """A history of ``weeks`` weeks after week 0 (the initial state, every action "none").

    ``moves`` maps (actor, week) to that week's actions, the first being the headline action;
    each also fills its track's column (unless ``tracks`` is false, as in today's model).
    Russia invades from week ``invasion``; sanction tier 2 is in force from week ``tier_from``.
    """
    model_rows, agent_rows = [], []
    for week in range(weeks + 1):
        invading = invasion is not None and week >= invasion
        model_rows.append(
            {
                "week": week,
                "date": START + pd.Timedelta(weeks=week),
                "russian_troops": float(troops(week)),
                "invasion": invading,
                "sanction_tier": 2 if tier_from is not None and week >= tier_from else 0,
                "talks": "contacts",
            }
        )
        for actor, role in ACTORS.items():
            acts = list(moves.get((actor, week), ()))
            if actor == "Russia" and invasion is not None and week == invasion:
                acts = acts or ["invade"]
            row = {
                "week": week,
                "actor": actor,
                "role": role,
                "action": acts[0] if acts else ("none" if week == 0 else "hold"),
                "sanction_support": SUPPORT.get(actor, 0.0),
            }
            if tracks:
                for track in ("military", "diplomatic", "economic"):
                    row[f"{track}_action"] = next(
                        (a for a in acts if TRACK[a] == track), "none" if week == 0 else "hold"
                    )
            agent_rows.append(row)
    return {"model": pd.DataFrame(model_rows), "agents": pd.DataFrame(agent_rows)}


def batch(*histories: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Several histories as one batch of tables keyed by ``run_id``."""
    return {
        name: pd.concat([h[name].assign(run_id=i) for i, h in enumerate(histories)])
        for name in ("model", "agents")
    }


def pattern(name: str) -> Pattern:
    return next(p for p in PATTERNS if p.name == name)


def threat(week: int) -> Moves:
    return {("United Kingdom", week): ["sanction_threat"]}


THREAT_BESIDE_DEPLOYMENT: Moves = {("United States", 5): ["flank_deployment", "sanction_threat"]}

# The record, week by week (Monday weeks from 1 Nov 2021): demands published in December (week
# 7), the US alert in the week of 24 Jan (12) and 3,000 more to Poland on 11 Feb (14), sanction
# threats throughout, the recognition, the invasion and the first package in the week of 21 Feb
# (16).
RECORD: Moves = {
    ("Russia", 3): ["build_up"],
    ("Russia", 7): ["demands"],
    ("United Kingdom", 4): ["sanction_threat"],
    ("Germany", 9): ["sanction_threat"],
    ("United States", 12): ["flank_deployment", "sanction_threat"],
    ("United States", 14): ["flank_deployment"],
    ("Russia", 16): ["invade", "recognition"],
}


def test_the_record_meets_every_sequence_pattern():
    per_run = measures(history(RECORD, invasion=16, tier_from=16))
    table = check(per_run).set_index("pattern")
    assert table.loc[sorted(SEQUENCE | {"troops_rising"}), "met"].all(), table
    row = per_run.iloc[0]
    assert row["tier_before_invasion"] == 0 and row["threats_before_invasion"] == 3
    assert row["incursion_before_invasion"] == 0.0
    assert row["recognition_before_invasion"] == 0.0
    assert (row["demands_week"], row["crisis_troops_week"], row["us_alert_week"]) == (7, 4, 12)
    assert row["us_alert_days_before_mid_feb"] == 21  # 24 Jan
    figures = report(per_run).set_index("figure")["value"]
    assert figures["us_alert_date"].startswith("24 Jan 2022")


@pytest.mark.parametrize(
    ("case", "tier_from", "invasion", "moves", "met"),
    [
        pytest.param(*row, id=row[0])
        for row in [
            ("sanctions in the invasion week", 16, 16, threat(4), True),
            ("sanctions a week before the invasion", 15, 16, threat(4), False),
            ("no invasion, no sanctions", None, None, threat(4), True),
            ("no invasion, sanctions late in the run", 19, None, threat(4), False),
            ("no threat before the invasion", 16, 16, threat(17), False),
            ("the threat on the diplomatic track", 16, 16, THREAT_BESIDE_DEPLOYMENT, True),
        ]
    ],
)
def test_threats_not_sanctions_is_judged_up_to_the_invasion(case, tier_from, invasion, moves, met):
    per_run = measures(history(moves, invasion=invasion, tier_from=tier_from))
    assert pattern("threats_not_sanctions").met(per_run) is met, case


def test_an_earlier_recognition_does_not_excuse_sanctions():
    """The old check stopped at Russia's first move; sanctions after a recognition in week 10
    and before the invasion in week 16 are outside the record."""
    moves = {**threat(4), ("Russia", 10): ["recognition"]}
    per_run = measures(history(moves, invasion=16, tier_from=10))
    assert per_run["tier_before_trigger"].iloc[0] == 0  # excused by the old measure
    assert per_run["tier_before_invasion"].iloc[0] == 2
    assert not pattern("threats_not_sanctions").met(per_run)


def test_threats_read_from_the_headline_action_without_track_columns():
    tables = history(threat(4), invasion=16, tier_from=16, tracks=False)
    assert "diplomatic_action" not in tables["agents"].columns
    per_run = measures(tables)
    assert per_run["threats_before_invasion"].iloc[0] == 1
    assert pattern("threats_not_sanctions").met(per_run)


def test_no_incursion_first_counts_invading_runs_only():
    incursion_first = history({("Russia", 10): ["limited_incursion"]}, invasion=16)
    straight = history({}, invasion=16)
    incursion_only = history({("Russia", 10): ["limited_incursion"]})
    per_run = measures(batch(incursion_first, straight, straight, incursion_only))
    assert per_run["incursion_before_invasion"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert np.isnan(per_run["incursion_before_invasion"].iloc[3])
    rule = pattern("no_incursion_first")
    assert rule.value(per_run) == pytest.approx(1 / 3)
    assert not rule.met(per_run)
    assert rule.met(measures(batch(straight, straight, incursion_only)))
    assert rule.value(measures(incursion_only)) == 0.0  # no invasion: nothing to precede


def test_recognition_with_invasion_counts_invading_runs_that_recognised_earlier():
    early = history({("Russia", 10): ["recognition"]}, invasion=16)
    pretext = history({("Russia", 16): ["invade", "recognition"]}, invasion=16)
    without_war = history({("Russia", 10): ["recognition"]})
    per_run = measures(batch(early, pretext, pretext, without_war))
    assert per_run["recognition_before_invasion"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert np.isnan(per_run["recognition_before_invasion"].iloc[3])
    rule = pattern("recognition_with_invasion")
    assert rule.value(per_run) == pytest.approx(1 / 3) and not rule.met(per_run)
    assert rule.met(measures(batch(early, pretext, pretext, pretext, pretext, pretext)))


def test_an_incursion_in_the_invasion_week_does_not_precede_it():
    """As in the record: forces ordered into Donbas on 21-22 Feb, the invasion on 24 Feb."""
    per_run = measures(history({("Russia", 16): ["limited_incursion"]}, invasion=16))
    assert per_run["incursion_before_invasion"].iloc[0] == 0.0


def test_an_incursion_on_the_military_track_counts_beside_a_headline_recognition():
    moves = {("Russia", 10): ["recognition", "limited_incursion"]}
    per_run = measures(history(moves, invasion=16))
    assert per_run["incursion_before_invasion"].iloc[0] == 1.0
    assert not pattern("no_incursion_first").met(per_run)


@pytest.mark.parametrize(
    ("troops", "rising"),
    [
        pytest.param(lambda w: 90_000 + 2_500 * w, True, id="rising"),
        pytest.param(lambda w: 110_000.0, False, id="flat"),
        pytest.param(lambda w: 120_000 - 1_000 * w, False, id="pulled back"),
    ],
)
def test_troops_rising_compares_mid_february_with_december_january(troops, rising):
    per_run = measures(history({}, troops=troops))
    assert pattern("troops_rising").met(per_run) is rising


def test_troops_rising_is_a_share_of_runs():
    up, flat = history({}), history({}, troops=lambda w: 110_000.0)
    rule = pattern("troops_rising")
    assert rule.value(measures(batch(up, up, up, up, flat))) == pytest.approx(0.8)
    assert rule.met(measures(batch(up, up, up, up, flat)))
    assert not rule.met(measures(batch(up, up, up, flat, flat)))


def alert_at(week: int, demands: int | None = 7) -> Moves:
    moves: dict[tuple[str, int], list[str]] = {("United States", week): ["flank_deployment"]}
    if demands is not None:
        moves[("Russia", demands)] = ["demands"]
    return moves


@pytest.mark.parametrize(
    ("case", "moves", "invasion", "troops", "in_order"),
    [
        pytest.param(*row, id=row[0])
        for row in [
            ("as in the record", alert_at(12), 16, None, True),
            ("before the demands", alert_at(5), 16, None, False),
            ("in the demands' own week", alert_at(7), 16, None, False),
            ("without any demands", alert_at(12, demands=None), 16, None, False),
            ("before troops reach 100,000", alert_at(12), 16, lambda w: 95_000.0, False),
            (
                "in the week troops reach 100,000",
                alert_at(12),
                16,
                lambda w: 88_000 + 1_000 * w,
                True,
            ),
            ("after mid-February, no invasion", alert_at(16), None, None, False),
            ("in mid-February, no invasion", alert_at(MID_FEB_WEEK), None, None, True),
            ("in the invasion's own week", alert_at(12), 12, None, False),
            ("after the invasion", alert_at(12), 10, None, False),
            ("never", {("Russia", 7): ["demands"]}, 16, None, False),
        ]
    ],
)
def test_us_alert_late_is_an_order(case, moves, invasion, troops, in_order):
    kwargs = {"troops": troops} if troops else {}
    per_run = measures(history(moves, invasion=invasion, **kwargs))
    assert per_run["us_alert_in_order"].iloc[0] == float(in_order), case
    assert pattern("us_alert_late").met(per_run) is in_order, case


def test_us_alert_read_from_the_military_track_beside_a_headline_threat():
    moves = {
        ("Russia", 7): ["demands"],
        ("United States", 12): ["sanction_threat", "flank_deployment"],
    }
    assert measures(history(moves, invasion=16))["us_alert_week"].iloc[0] == 12
    without = history(moves, invasion=16, tracks=False)  # headline only: no deployment seen
    assert measures(without)["us_alert_week"].iloc[0] == np.inf


def test_the_median_alert_date_is_reported_not_judged():
    early, late = history(alert_at(4)), history(alert_at(12))
    per_run = measures(batch(early, early, late))
    assert per_run["us_alert_days_before_mid_feb"].tolist() == [77, 77, 21]
    figures = report(per_run).set_index("figure")["value"]
    assert figures["us_alert_date"].startswith("29 Nov 2021")
    assert "us_alert_date" not in {p.name for p in PATTERNS}
    never = report(measures(history({}))).set_index("figure")["value"]
    assert never["us_alert_date"].startswith("none in most runs")


def test_ukraine_mobilisation_share_counts_the_weeks_before_the_invasion():
    moves = {("Ukraine", w): ["mobilisation"] for w in (1, 2, 3, 4, 12, 13)}
    per_run = measures(history(moves, invasion=9))  # weeks 1-8 before it; week 0 is no choice
    assert per_run["ukraine_mobilisation_share"].iloc[0] == pytest.approx(4 / 8)
    flat = measures(history(moves, tracks=False))  # no invasion: the whole run, weeks 1-20
    assert flat["ukraine_mobilisation_share"].iloc[0] == pytest.approx(6 / 20)
    figures = report(per_run).set_index("figure")["value"]
    assert figures["ukraine_mobilisation_share"] == "0.50"


def test_measures_have_every_column_and_one_row_per_run():
    per_run = measures(batch(history(RECORD, invasion=16, tier_from=16), history({})))
    assert list(per_run.columns) == list(MEASURES)
    assert len(per_run) == 2
    assert check(per_run)["pattern"].tolist() == [p.name for p in PATTERNS]


# --- the calibrated baseline ------------------------------------------------------------------
@cache
def baseline_runs(**overrides: float) -> pd.DataFrame:
    tables: dict[str, list[pd.DataFrame]] = {"model": [], "agents": []}
    for seed in range(SEEDS):
        history = EscalationModel("baseline", rng=seed, **overrides).run().history()
        for name, frames in tables.items():
            frames.append(history[name].assign(run_id=seed))
    return measures({name: pd.concat(frames) for name, frames in tables.items()})


@pytest.mark.slow
@pytest.mark.parametrize("pattern", [pytest.param(p, id=p.name) for p in PATTERNS])
def test_baseline_reproduces_the_pattern(pattern):
    value = pattern.value(baseline_runs())
    assert pattern.low <= value <= pattern.high, (
        f"{pattern.name}: {value:.3f} outside {pattern.low}..{pattern.high} ({pattern.claim})"
    )


@pytest.mark.slow
def test_all_patterns_hold_together():
    table = check(baseline_runs())
    assert table["met"].all(), table.loc[~table["met"], ["pattern", "value", "low", "high"]]


@pytest.mark.slow
def test_a_germany_that_cannot_be_outvoted_opens_the_incursion_road():
    """ODD §7.5: under strict unanimity Germany is pivotal and a limited move draws a weak answer.

    Measured at 200 seeds: incursion first in 0.97 of invading runs (0.00 at the default), so
    the split is far wider than the 0.5 the test asks; the default's side is the pattern test.
    """
    value = next(p for p in PATTERNS if p.name == "no_incursion_first").value
    assert value(baseline_runs(eu_consensus_quantile=0.0)) > 0.5


def test_measures_of_a_single_history_without_run_ids():
    history = EscalationModel("baseline", rng=3).run().history()
    per_run = measures(history)
    assert len(per_run) == 1
    assert list(per_run.columns) == list(MEASURES)
    assert (
        per_run["troops_mid_feb"].iloc[0]
        == history["model"].set_index("date").loc["2022-02-14", "russian_troops"]
    )
