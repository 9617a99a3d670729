"""Morris and Sobol sensitivity on synthetic experiments with a known answer, and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from test_summary import (
    PNG_SIGNATURE,
    known_runs,
    write_experiment,
    write_model_experiment,
)

from analysis import summary
from analysis.results import load_results
from analysis.sensitivity import OUTCOMES, format_sensitivity, run_values, sensitivity_table
from cli.main import main
from experiments.store import ResultsError

PROBLEM = {"num_vars": 3, "names": ["strong", "irrelevant", "dummy"], "bounds": [[0, 1]] * 3}
REPLICATES = 4


def sampled_runs(x: np.ndarray, seed: int = 1) -> pd.DataFrame:
    """Runs whose outcomes depend on ``strong`` alone (plus replicate noise).

    P(invasion) rises from 0.05 to 0.95 with ``strong``; invasions come earlier, and sanctions
    go higher, the larger it is. ``irrelevant`` and ``dummy`` are never read.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for sample, (strong, irrelevant, dummy) in enumerate(x):
        for replicate in range(REPLICATES):
            invades = rng.random() < 0.05 + 0.9 * strong
            rows.append(
                {
                    "run_id": f"baseline-{sample}-{replicate}",
                    "scenario": "baseline",
                    "sample": sample,
                    "replicate": replicate,
                    "strong": strong,
                    "irrelevant": irrelevant,
                    "dummy": dummy,
                    "status": "ok",
                    "invasion_week": 2 + round(6 * (1 - strong)) if invades else np.nan,
                    "highest_rung": 5 if invades else 1 + int(strong > 0.5),
                    "max_tier": min(5, int(6 * strong)),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def morris_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    x = morris_sample.sample(PROBLEM, 40, num_levels=4, seed=3)
    design = {"sampler": "morris", "samples": 40, "dummy": True, "problem": PROBLEM}
    design["num_levels"] = 4
    return write_experiment(tmp_path_factory.mktemp("morris"), sampled_runs(x), design)


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    x = sobol_sample.sample(PROBLEM, 128, calc_second_order=False, seed=3)
    design = {"sampler": "sobol", "samples": 128, "dummy": True, "problem": PROBLEM}
    design["calc_second_order"] = False
    return write_experiment(tmp_path_factory.mktemp("sobol"), sampled_runs(x), design)


@pytest.mark.parametrize(("fixture", "index"), [("morris_dir", "mu_star"), ("sobol_dir", "ST")])
def test_strong_parameter_clears_the_noise_floor_and_the_others_do_not(
    fixture: str, index: str, request: pytest.FixtureRequest
) -> None:
    table = sensitivity_table(load_results(request.getfixturevalue(fixture)))
    assert set(table["outcome"]) == set(OUTCOMES)
    assert (table["note"] == "").all()
    for outcome, block in table.groupby("outcome"):
        rows = block.set_index("parameter")
        assert rows.loc["strong", "above_noise_floor"], outcome
        assert not rows.loc["irrelevant", "above_noise_floor"], outcome
        assert not rows.loc["dummy", "above_noise_floor"] and rows.loc["dummy", "is_dummy"]
        floor = rows.loc["dummy", index] + rows.loc["dummy", f"{index}_conf"]
        assert rows.loc["strong", "noise_floor"] == pytest.approx(floor)
        assert rows.loc["strong", index] > 2 * rows.loc["irrelevant", index]


def test_outcome_values_per_run() -> None:
    outcomes = pd.DataFrame(
        {
            "invaded": [True, False],
            "invasion_week": pd.array([4, pd.NA], dtype="Int64"),
            "horizon": [10, 10],
            "highest_rung": [5, 2],
            "max_sanction_tier": [3, 1],
        }
    )
    assert list(run_values(outcomes, "invasion")) == [1.0, 0.0]
    assert list(run_values(outcomes, "invasion_week")) == [4.0, 11.0]  # none → horizon + 1
    assert list(run_values(outcomes, "highest_rung")) == [5.0, 2.0]
    with pytest.raises(ResultsError, match="unknown outcome"):
        run_values(outcomes, "gdp")


def test_samples_without_a_successful_run_are_not_analysed(tmp_path: Path) -> None:
    x = morris_sample.sample(PROBLEM, 10, num_levels=4, seed=3)
    runs = sampled_runs(x)
    runs.loc[runs["sample"] == 3, "status"] = "error"
    design = {"sampler": "morris", "samples": 10, "dummy": True, "problem": PROBLEM}
    table = sensitivity_table(load_results(write_experiment(tmp_path, runs, design)))
    assert (table["note"] == "1 of 40 samples have no successful run").all()
    assert table["mu_star"].isna().all() and not table["above_noise_floor"].any()
    assert "not analysed" in format_sensitivity(table)


def test_report_includes_sensitivity_and_its_figure(
    morris_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary.print_report(morris_dir)
    out = capsys.readouterr().out
    assert "Sensitivity (morris)" in out and "noise floor" in out
    strong_line = next(
        line for line in out.splitlines() if line.strip().startswith("strong") and "*" in line
    )
    assert strong_line
    figure = morris_dir / "figures" / "sensitivity_baseline.png"
    assert figure.read_bytes().startswith(PNG_SIGNATURE)


# --- the `escalation summarize` command ------------------------------------------------------


def run_cli(argv: list[str]) -> int:
    return main(argv)


@pytest.mark.parametrize(
    ("make_argv", "message"),
    [
        (lambda d: ["summarize", str(d / "missing")], "no such directory"),
        (lambda d: ["summarize", str(d)], "not an experiment directory"),
        (lambda d: ["summarize", str(d / "failed")], "no successful runs"),
        (lambda d: ["summarize", str(d / "known"), "--outcome", "gdp"], "unknown outcome 'gdp'"),
        (lambda d: ["summarize", str(d / "known"), "--outcome", "invasion"], "needs a sobol"),
        (lambda d: ["summarize"], "required"),
    ],
)
def test_summarize_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_argv, message: str
) -> None:
    write_experiment(tmp_path / "known", known_runs())
    failed = known_runs().assign(status="error")
    write_experiment(tmp_path / "failed", failed)
    assert run_cli(make_argv(tmp_path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], captured.err


def test_summarize_prints_and_writes_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_experiment(tmp_path / "known", known_runs())
    csv = tmp_path / "tables" / "comparison.csv"
    assert run_cli(["summarize", str(out), "--csv", str(csv), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "by week 10" in printed and "freeze_deal" in printed
    table = pd.read_csv(csv)
    assert list(table["scenario"]) == ["baseline", "freeze_deal"]
    assert table.loc[0, "p_invasion"] == pytest.approx(0.3)
    assert not (out / "figures").exists()


def test_morris_on_real_model_runs(tmp_path: Path) -> None:
    problem = {
        "num_vars": 3,
        "names": ["misperception", "stake", "dummy"],
        "bounds": [[0.0, 0.5], [0.5, 2.0], [0.0, 1.0]],
    }
    x = morris_sample.sample(problem, 6, num_levels=4, seed=5)
    settings = [("baseline", dict(zip(problem["names"], row, strict=True))) for row in x]
    design = {"sampler": "morris", "samples": 6, "dummy": True, "problem": problem}
    out = write_model_experiment(tmp_path / "real", settings, 2, 16, design | {"num_levels": 4})
    experiment = load_results(out)
    assert experiment.by == ["scenario"]
    table = sensitivity_table(experiment, ["invasion", "highest_rung"])
    assert len(table) == 2 * 3
    assert (table["samples"] == len(x)).all()
    assert table.loc[table["note"] == "", "mu_star"].notna().all()
    assert not table.loc[table["is_dummy"], "above_noise_floor"].any()
    written = summary.write_figures(experiment, table)
    assert written[-1].name == "sensitivity_baseline.png"
    assert written[-1].read_bytes().startswith(PNG_SIGNATURE)


def test_sobol_second_order_is_inferred_when_the_manifest_does_not_say(tmp_path: Path) -> None:
    x = sobol_sample.sample(PROBLEM, 64, calc_second_order=True, seed=4)
    design = {"sampler": "sobol", "samples": 64, "dummy": True, "problem": PROBLEM}
    table = sensitivity_table(
        load_results(write_experiment(tmp_path, sampled_runs(x), design)), ["invasion"]
    )
    rows = table.set_index("parameter")
    assert (rows["note"] == "").all() and rows.loc["strong", "above_noise_floor"]
    assert rows.loc["strong", "samples"] == 64 * (2 * 3 + 2)


def test_a_sensitivity_design_without_its_problem_is_reported(tmp_path: Path) -> None:
    x = morris_sample.sample(PROBLEM, 4, num_levels=4, seed=3)
    out = write_experiment(tmp_path, sampled_runs(x), {"sampler": "morris", "samples": 4})
    with pytest.raises(ResultsError, match="no SALib problem"):
        sensitivity_table(load_results(out))


def test_summarize_writes_the_sensitivity_table(
    morris_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "sensitivity.csv"
    argv = ["summarize", str(morris_dir), "--outcome", "invasion,highest_rung", "--no-figures"]
    assert run_cli([*argv, "--sensitivity-csv", str(csv)]) == 0
    printed = capsys.readouterr().out
    assert "P(invasion by horizon)" in printed and "highest sanction tier" not in printed
    table = pd.read_csv(csv)
    table = table[table["outcome"] == "invasion"]
    assert list(table["parameter"]) == ["strong", "irrelevant", "dummy"]
    assert list(table["above_noise_floor"]) == [True, False, False]


def test_summarize_reports_corrupt_tables_and_bad_csv_paths_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_experiment(tmp_path / "known", known_runs())
    (tmp_path / "here").mkdir()
    assert run_cli(["summarize", str(out), "--csv", str(tmp_path / "here")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "is a directory" in captured.err
    (out / "model" / "part-00001.parquet").write_bytes(b"not parquet")
    assert run_cli(["summarize", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1 and "unreadable" in lines[0]


# --- end to end through the runner ------------------------------------------------------------

TINY_MORRIS = """
name = "tiny-morris"
description = "Two parameters and a dummy, a few trajectories."
seed = 3
replicates = 2
weeks = 12
scenarios = ["baseline"]
record = ["model"]

[design]
sampler = "morris"
samples = 4
num_levels = 4
dummy = true

[design.parameters]
misperception = {min = 0.0, max = 0.4}
stake = {min = 0.5, max = 2.0}
"""

TINY_LIST = """
name = "tiny-list"
description = "Two policy packages under two scenarios."
seed = 5
replicates = 4
weeks = 10
scenarios = ["baseline", "freeze_deal"]
record = ["model"]

[design]
sampler = "list"

[[design.sets]]
arms_aid = 0.1

[[design.sets]]
arms_aid = 0.6
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [(TINY_MORRIS, "Sensitivity (morris)"), (TINY_LIST, "arms_aid")],
    ids=["morris", "list"],
)
def test_experiment_command_reports_and_summarize_repeats_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    file, out = tmp_path / "tiny.toml", tmp_path / "out"
    file.write_text(text)
    assert main(["experiment", str(file), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert expected in printed and "P [95% CI]" in printed
    assert (out / "figures" / "invasion_probability.png").read_bytes().startswith(PNG_SIGNATURE)

    csv = tmp_path / "comparison.csv"
    assert run_cli(["summarize", str(out), "--csv", str(csv), "--no-figures"]) == 0
    again = capsys.readouterr().out
    report = printed[printed.index("Experiment ") : printed.index("\n\nFigures")]
    assert again.startswith(report + "\n\nWrote the comparison table")
    table = pd.read_csv(csv)
    assert table["runs"].sum() + table["errors"].sum() == len(pd.read_parquet(out / "runs"))


def test_summarize_through_escalation_main(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_experiment(tmp_path / "known", known_runs())
    assert main(["summarize", str(out), "--no-figures"]) == 0
    assert "freeze_deal" in capsys.readouterr().out
    assert main(["summarize", str(tmp_path / "nowhere")]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"escalation: error: {tmp_path / 'nowhere'}: no such directory\n"


def test_morris_steps_undone_by_rounding_are_flagged(tmp_path: Path) -> None:
    x = morris_sample.sample(PROBLEM, 10, num_levels=4, seed=3)
    # A whole-number parameter between non-whole bounds, [0.6, 1.4]: every level rounds to 1.
    x[:, 1] = np.round(0.6 + 0.8 * x[:, 1])
    design = {"sampler": "morris", "samples": 10, "dummy": True, "problem": PROBLEM}
    table = sensitivity_table(
        load_results(write_experiment(tmp_path, sampled_runs(x), design)), ["invasion"]
    )
    assert table["note"].str.contains("move no parameter").all()
    assert table["mu_star"].notna().all()
    assert "caution:" in format_sensitivity(table)


@pytest.mark.parametrize("fixture", ["morris_dir", "sobol_dir"])
def test_the_sensitivity_text_fits_100_columns(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    # issue 17: its heading alone was 121 (sobol) to 127 (morris) columns wide
    experiment = load_results(request.getfixturevalue(fixture))
    table = sensitivity_table(experiment)
    table["note"] = "a caution long enough to need wrapping " * 4  # wrapped like the headings
    text = format_sensitivity(table)
    assert max(len(line) for line in text.splitlines()) <= 100, text
    assert "Y per sample = mean over its replicates" in text
    report = summary.report_text(experiment, sensitivity_table(experiment))
    assert max(len(line) for line in report.splitlines()) <= 100, report
