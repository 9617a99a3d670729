"""The summary as a reader meets it: 100 columns wide, counts beside shares, names, dates, and
one line per design point of a sampled sweep (issue 17)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_summary import known_runs, write_experiment

from analysis import summary
from analysis.results import load_results
from analysis.stats import wilson_interval
from cli.main import main

SCENARIOS = (
    "baseline",
    "sanctions_only",
    "nato_moratorium",
    "energy_diversified",
    "invasion_not_viable",
)


def compare_runs(replicates: int = 1000) -> pd.DataFrame:
    """Five scenarios of 1,000 runs; nato_moratorium invades in exactly 4 of them (week 12)."""
    invading = {
        "baseline": 540,
        "sanctions_only": 400,
        "nato_moratorium": 4,
        "energy_diversified": 670,
        "invasion_not_viable": 0,
    }
    rows = []
    for scenario in SCENARIOS:
        for i in range(replicates):
            invades = i < invading[scenario]
            rows.append(
                {
                    "run_id": f"{scenario}-{i}",
                    "scenario": scenario,
                    "sample": 0,
                    "replicate": i,
                    "status": "ok",
                    "weeks": 26,
                    "invasion_week": (12 if scenario == "nato_moratorium" else 10 + i % 9)
                    if invades
                    else np.nan,
                    "highest_rung": 7 if invades else 3,
                    "max_tier": 4 if invades else (3 if i % 3 else 0),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def compare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_experiment(tmp_path_factory.mktemp("compare") / "c", compare_runs())


def test_the_default_table_fits_100_columns_and_wide_shows_everything(compare: Path) -> None:
    experiment = load_results(compare)
    text = summary.report_text(experiment)
    table = text.split("\n\n")[1]
    assert max(len(line) for line in table.splitlines()) <= 100, table
    wide = summary.report_text(experiment, wide=True)
    assert max(len(line) for line in wide.splitlines()) > 100
    for column in ("highest rung seen", "sanction tier mean [95% CI]", "runs", "errors"):
        assert column in wide
    assert "sanction tier mean" not in text


def test_counts_stand_beside_the_probability_and_small_ones_are_not_zero(compare: Path) -> None:
    text = summary.report_text(load_results(compare))
    row = next(line for line in text.splitlines() if line.startswith("nato_moratorium"))
    assert "4/1000" in row
    _, hi = wilson_interval(4, 1000)
    assert f"<0.01 [<0.01, {hi:.2f}]" in row  # P = 0.004: neither 0.00 nor hidden
    assert " 12 [12-12]" in row  # its invasions' week, legible next to 4 of 1,000
    assert summary.share_text(0.004) == "<0.01" and summary.share_text(0.996) == ">0.99"
    assert summary.share_text(0.0) == "0.00" and summary.share_text(1.0) == "1.00"
    # the commonest rung's share: 999 of 1,000 runs is not 100% (it was, when one run invaded)
    assert summary.percent_text(0.999) == ">99%" and summary.percent_text(0.001) == "<1%"
    assert summary.percent_text(1.0) == "100%" and summary.percent_text(0.54) == "54%"
    assert "0/1000  0.00 [0.00, <0.01]" in text  # upper bound 0.0038


def test_sanction_tiers_are_named_with_their_share(compare: Path) -> None:
    experiment = load_results(compare)
    table = summary.comparison_table(experiment).set_index("scenario")
    assert table.loc["baseline", "modal_sanction_tier"] == "export controls"
    assert table.loc["baseline", "modal_sanction_tier_share"] == pytest.approx(0.54)
    assert table.loc["invasion_not_viable", "modal_sanction_tier"] == "SWIFT cut-off"
    assert table.loc["baseline", "invaded"] == 540
    text = summary.report_text(experiment)
    row = next(line for line in text.splitlines() if line.startswith("invasion_not_viable"))
    assert "SWIFT 67%" in row and "hybrid 100%" in row
    wide = summary.report_text(experiment, wide=True)
    assert "SWIFT cut-off (67%)" in wide and "grey-zone and hybrid operations (100%)" in wide


def test_weeks_as_dates_from_the_scenario_start(known: Path) -> None:
    experiment = load_results(known)
    assert summary.start_dates(experiment)["baseline"] == dt.date(2021, 11, 1)
    # Baseline's invasions: 10 in week 3, 20 in week 5 -> median week 5 = 6 December 2021.
    text = summary.report_text(experiment, weeks_as="date")
    row = next(line for line in text.splitlines() if line.startswith("baseline"))
    assert "6 Dec" in row and "week 0 = 2021-11-01" in text
    wide = summary.report_text(experiment, weeks_as="date", wide=True)
    assert "2021-12-06 [2021-11-22, 2021-12-06]" in wide
    week = summary.report_text(experiment)
    assert "5 [3-5]" in week


def test_dates_carry_the_year_beyond_a_one_year_horizon(known: Path) -> None:
    table = summary.comparison_table(load_results(known))
    starts = {name: dt.date(2021, 11, 1) for name in table["scenario"]}
    short = summary.format_comparison(table, weeks_as="date", start_dates=starts)
    assert "6 Dec" in short and "2021-12-06" not in short
    table["horizon"] = 60
    longer = summary.format_comparison(table, weeks_as="date", start_dates=starts)
    assert "2021-12-06" in longer and "6 Dec" not in longer


def test_scenarios_may_start_on_different_dates(known: Path) -> None:
    table = summary.comparison_table(load_results(known))
    starts = {"baseline": dt.date(2022, 1, 3), "freeze_deal": dt.date(2021, 11, 1)}
    text = summary.format_comparison(table, weeks_as="date", start_dates=starts, wide=True)
    assert "2022-02-07" in text and "each scenario's start_date" in text
    with pytest.raises(ValueError, match="start date"):
        summary.format_comparison(table, weeks_as="date")


def test_a_scenario_that_no_longer_loads_is_dated_from_its_model_table(tmp_path: Path) -> None:
    runs = known_runs().replace({"scenario": {"freeze_deal": "a_file_since_deleted"}})
    experiment = load_results(write_experiment(tmp_path / "gone", runs))
    assert summary.start_dates(experiment)["a_file_since_deleted"] == dt.date(2021, 11, 1)


@pytest.fixture
def known(tmp_path: Path) -> Path:
    return write_experiment(tmp_path / "known", known_runs())


def latin_runs() -> pd.DataFrame:
    """Four design points of a latin sweep over ``x``: point s invades in s of its 5 runs."""
    rows = []
    for sample, x in enumerate((0.1, 0.4, 0.7, 0.9)):
        for replicate in range(6):
            rows.append(
                {
                    "run_id": f"baseline-{sample}-{replicate}",
                    "scenario": "baseline",
                    "sample": sample,
                    "replicate": replicate,
                    "x": x,
                    "status": "ok" if replicate < 5 else "error",
                    "invasion_week": 4 + sample if replicate < sample else np.nan,
                    "highest_rung": 5 if replicate < sample else 2,
                    "max_tier": sample,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def latin(tmp_path: Path) -> Path:
    return write_experiment(tmp_path / "latin", latin_runs(), {"sampler": "latin", "samples": 4})


def test_point_outcomes_has_one_row_per_design_point(latin: Path) -> None:
    experiment = load_results(latin)
    assert len(summary.comparison_table(experiment)) == 1  # pooled
    points = summary.point_outcomes(experiment)
    assert list(points["sample"]) == [0, 1, 2, 3]
    assert list(points["x"]) == [0.1, 0.4, 0.7, 0.9]
    assert list(points["runs"]) == [5] * 4 and list(points["errors"]) == [1] * 4
    assert list(points["invaded"]) == [0, 1, 2, 3]
    lo, hi = wilson_interval(np.array([0, 1, 2, 3]), np.array([5] * 4))
    assert np.allclose(points["p_invasion"], [0, 0.2, 0.4, 0.6])
    assert np.allclose(points["p_invasion_lo"], lo) and np.allclose(points["p_invasion_hi"], hi)
    assert pd.isna(points.loc[0, "invasion_week_median"])
    assert list(points["invasion_week_median"][1:]) == [5, 6, 7]
    assert list(points["mean_max_sanction_tier"]) == [0, 1, 2, 3]


def test_the_summary_functions_take_the_results_directory_too(latin: Path) -> None:
    # issue 17: the README's point_outcomes('ex/latin_sweep') raised AttributeError
    experiment = load_results(latin)
    for given in (str(latin), latin):
        pd.testing.assert_frame_equal(
            summary.point_outcomes(given), summary.point_outcomes(experiment)
        )
        pd.testing.assert_frame_equal(
            summary.comparison_table(given), summary.comparison_table(experiment)
        )
        assert summary.report_text(given) == summary.report_text(experiment)
        assert summary.start_dates(given) == summary.start_dates(experiment)
    assert summary.write_figures(str(latin))[0].name == "invasion_probability.png"


def test_the_readme_shows_a_point_outcomes_call_that_works() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert 'analysis.summary.point_outcomes("out/sweep")' in readme


def test_summarize_by_point_prints_and_writes_it(
    latin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "points.csv"
    argv = ["summarize", str(latin), "--by-point", "--csv", str(csv), "--no-figures"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "3/5" in printed and "Wrote the per-point table" in printed
    written = pd.read_csv(csv)
    assert list(written["x"]) == [0.1, 0.4, 0.7, 0.9] and list(written["invaded"]) == [0, 1, 2, 3]


def test_summarize_wide_and_dates(known: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(known), "--wide", "--weeks-as", "date", "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "2021-12-06" in printed and "coercive diplomacy (50%)" in printed
    assert main(["summarize", str(known), "--weeks-as", "month"]) == 2


# issue 17: --by-point ignored the 100 columns (latin sweep 104, morris 196 columns wide)
SCREENED = {
    "russia_risk_attitude": (-0.2, 0.6),
    "misperception": (0.0, 0.4),
    "troops_for_even_odds": (70_000.0, 150_000.0),
    "sanction_cost_scale": (0.2, 1.2),
    "arms_aid": (0.0, 0.8),
    "germany_gas_import_share": (0.2, 0.7),
    "dummy": (0.0, 1.0),
}


@pytest.fixture
def screening(tmp_path: Path) -> Path:
    """A morris-like design: seven parameters (a dummy among them), 8 points of 3 runs."""
    rng = np.random.default_rng(3)
    rows = []
    for sample in range(8):
        values = {name: float(rng.uniform(lo, hi)) for name, (lo, hi) in SCREENED.items()}
        for replicate in range(3):
            invades = replicate < sample % 3
            rows.append(
                {
                    "run_id": f"baseline-{sample}-{replicate}",
                    "scenario": "baseline",
                    "sample": sample,
                    "replicate": replicate,
                    **values,
                    "status": "ok",
                    "invasion_week": 9.0 if invades else np.nan,
                    "highest_rung": 5 if invades else 2,
                    "max_tier": sample % 4,
                }
            )
    design = {"sampler": "latin", "samples": 8, "names": list(SCREENED)}
    return write_experiment(tmp_path / "screening", pd.DataFrame(rows), design)


@pytest.mark.parametrize("fixture", ["latin", "screening"])
def test_by_point_fits_100_columns_and_wide_shows_everything(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    experiment = load_results(request.getfixturevalue(fixture))
    text = summary.report_text(experiment, by_point=True)
    assert max(len(line) for line in text.splitlines()) <= 100, text
    wide = summary.report_text(experiment, by_point=True, wide=True)
    header = next(line for line in wide.splitlines() if line.startswith("scenario"))
    for column in (*experiment.parameters, "median week", "mean top tier", "mean top rung"):
        assert column in header
    if fixture == "screening":
        assert max(len(line) for line in wide.splitlines()) > 100
        # Numbered parameters, named below; what did not fit is named, and how to see it.
        assert "p1=russia_risk_attitude" in text and "p6=germany_gas_import_share" in text
        assert "left out to fit: median week, mean top tier" in text
        assert "--wide shows every column" in text and "--csv FILE" in text
        narrow = next(line for line in text.splitlines() if line.startswith("scenario"))
        assert "p3" in narrow and "troops_for_even_odds" not in narrow


def test_by_point_leaves_out_the_dummy_before_the_parameters_the_model_reads() -> None:
    names = [f"a_long_parameter_name_{i}" for i in range(12)] + ["dummy"]
    table = pd.DataFrame(
        {
            "scenario": ["baseline"],
            "sample": [0],
            **{n: [0.123456] for n in names},
            "runs": [5],
            "errors": [0],
            "invaded": [1],
            "p_invasion": [0.2],
            "p_invasion_lo": [0.04],
            "p_invasion_hi": [0.62],
            "invasion_week_median": [8.0],
            "mean_max_sanction_tier": [1.0],
            "mean_highest_rung": [4.0],
        }
    )
    text = summary.format_points(table, names)
    assert max(len(line) for line in text.splitlines()) <= 100, text
    left_out = " ".join(text.split()).split("left out to fit: ")[1].split(";")[0]
    assert "dummy" in left_out and "a_long_parameter_name_0" not in left_out
    assert "p1" in text.splitlines()[0]
