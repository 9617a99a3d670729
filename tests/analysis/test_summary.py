"""Summaries of batch experiments: Wilson intervals, per-scenario tables, figures, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import summary
from analysis.results import load_results
from analysis.stats import invasion_curves, wilson_interval
from analysis.summary import (
    comparison_table,
    rung_distribution,
    sanction_distribution,
    time_to_invasion,
)
from experiments.store import ResultsError
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- a writer of synthetic experiment directories, following the runner's on-disk contract ---


def write_experiment(
    out_dir: Path,
    runs: pd.DataFrame,
    design: dict[str, Any] | None = None,
    parts: int = 2,
) -> Path:
    """Write manifest.json, runs/ and model/ part files for synthetic runs.

    ``runs`` has the runs-table columns (run_id, scenario, sample, replicate, status and any
    parameter columns) plus, for ok runs, the outcomes to plant: ``weeks`` (horizon),
    ``invasion_week`` (NaN for none), ``highest_rung`` (reached at week 1, lower before and
    after) and ``max_tier`` (reached in the last week).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    planted = runs.copy()
    planted["weeks"] = planted.get("weeks", 10)
    ok = planted[planted["status"] == "ok"]
    lengths = ok["weeks"].to_numpy(dtype=int) + 1
    week = np.concatenate([np.arange(n) for n in lengths]) if len(ok) else np.array([], int)
    repeat = lambda column: np.repeat(ok[column].to_numpy(), lengths)  # noqa: E731
    invasion_week = repeat("invasion_week").astype(float)
    peak = repeat("highest_rung").astype(int)
    top_tier = repeat("max_tier").astype(int)
    last = np.repeat(lengths - 1, lengths)
    invaded = week >= np.nan_to_num(invasion_week, nan=np.inf)
    rung = np.where(week == 1, peak, np.minimum(peak, 1))
    rung = np.where(invaded, np.maximum(rung, 5), rung)
    tier = np.where(week == last, top_tier, 0)
    model = pd.DataFrame(
        {
            "run_id": repeat("run_id"),
            "week": week,
            "date": pd.Timestamp("2021-11-01") + pd.to_timedelta(week * 7, unit="D"),
            "rung": rung,
            "rung_name": [RUNG_NAMES[r] for r in rung],
            "russian_troops": 100_000.0,
            "ukraine_capability": 1.0,
            "eastern_flank_troops": 10_000.0,
            "invasion": invaded,
            "sanction_tier": tier,
            "sanction_tier_name": [SANCTION_TIER_NAMES[t] for t in tier],
            "talks": "none",
            "eu_gas_storage": 0.6,
            "gas_flow": 1.0,
            "energy_price": 1.0,
            "alliance_cohesion": 0.7,
        }
    )
    table = planted.drop(columns=["invasion_week", "highest_rung", "max_tier"], errors="ignore")
    table["seed"] = np.arange(len(table))
    table["error"] = np.where(table["status"] == "error", "RuntimeError: synthetic", "")
    table["wall_time"] = 0.1
    table["package_version"], table["mesa_version"], table["python_version"] = (
        "0.1.0",
        "3.5.1",
        "3.12",
    )
    for name, frame in (("runs", table), ("model", model)):
        (out_dir / name).mkdir(exist_ok=True)
        for i, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
            frame.iloc[rows].to_parquet(out_dir / name / f"part-{i:05d}.parquet", index=False)
    manifest = {
        "name": "synthetic",
        "hash": "0" * 16,
        "seed": 7,
        "scenarios": list(dict.fromkeys(table["scenario"])),
        "replicates": int(table["replicate"].max()) + 1,
        "weeks": int(planted["weeks"].max()),
        "record": ["model"],
        "design": design or {"sampler": "none", "samples": 1, "dummy": False},
        "versions": {"mesa": "3.5.1"},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    return out_dir


def known_runs() -> pd.DataFrame:
    """Baseline: exactly 30 of 100 runs invade, 10 at week 3 and 20 at week 5; freeze_deal:
    50 ok runs that never invade plus 10 errors."""
    rows = []
    for i in range(100):
        invades = i < 30
        rows.append(
            {
                "run_id": f"baseline-{i}",
                "scenario": "baseline",
                "sample": 0,
                "replicate": i,
                "status": "ok",
                "invasion_week": (3 if i < 10 else 5) if invades else np.nan,
                "highest_rung": 5 if invades else (2 if i < 80 else 1),
                "max_tier": 4 if invades else 1,
            }
        )
    for i in range(60):
        rows.append(
            {
                "run_id": f"freeze_deal-{i}",
                "scenario": "freeze_deal",
                "sample": 0,
                "replicate": i,
                "status": "ok" if i < 50 else "error",
                "invasion_week": np.nan,
                "highest_rung": 0 if i < 20 else 1,
                "max_tier": 0,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def known(tmp_path: Path) -> Path:
    return write_experiment(tmp_path / "known", known_runs())


# --- Wilson score interval ---------------------------------------------------------------


def wilson_by_hand(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson (1927) as written in Newcombe (1998), eq. 3, without continuity correction."""
    p = k / n
    root = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return (
        (2 * n * p + z * z - root) / (2 * (n + z * z)),
        (2 * n * p + z * z + root) / (2 * (n + z * z)),
    )


@pytest.mark.parametrize(
    ("k", "n", "lower", "upper"),
    [
        # Newcombe (1998), Stat Med 17:857, table I, method 3 (Wilson score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Common textbook values.
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, lower: float, upper: float) -> None:
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(lower, abs=5e-5)
    assert hi == pytest.approx(upper, abs=5e-5)
    by_hand = wilson_by_hand(k, n)
    assert (lo, hi) == pytest.approx(by_hand, abs=1e-12)


def test_wilson_is_vectorised_and_exact_at_the_edges() -> None:
    k = np.array([0, 5, 10, 81, 0])
    n = np.array([10, 10, 10, 263, 0])
    lower, upper = wilson_interval(k, n)
    assert lower.shape == upper.shape == (5,)
    assert lower[0] == 0.0 and upper[2] == 1.0
    assert lower[1] + upper[1] == pytest.approx(1.0)  # symmetric at p = 1/2
    # n = 0: the Wilson interval's limit as n -> 0 is the whole unit interval.
    assert (lower[4], upper[4]) == (0.0, 1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert np.all((lower <= k / np.maximum(n, 1)) & (k / np.maximum(n, 1) <= upper))
    narrow = wilson_interval(30, 100, z=1.0)
    wide = wilson_interval(30, 100, z=2.576)
    assert wide[0] < narrow[0] < 0.3 < narrow[1] < wide[1]


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(np.array([1, -1]), np.array([5, 5]))


# --- summaries with known answers ---------------------------------------------------------


def test_outcomes_per_run(known: Path) -> None:
    experiment = load_results(known)
    outcomes = experiment.outcomes.set_index("run_id")
    assert len(outcomes) == 150
    assert len(experiment.errors) == 10
    assert outcomes.loc["baseline-0", "invasion_week"] == 3
    assert outcomes.loc["baseline-15", "invasion_week"] == 5
    assert pd.isna(outcomes.loc["baseline-50", "invasion_week"])
    assert outcomes.loc["baseline-50", "highest_rung"] == 2
    assert outcomes.loc["baseline-0", "highest_rung_name"] == "full-scale invasion"
    assert outcomes.loc["baseline-0", "max_sanction_tier"] == 4
    assert experiment.by == ["scenario"]


def test_invasion_curve_counts_by_week(known: Path) -> None:
    experiment = load_results(known)
    curves = invasion_curves(experiment.outcomes, experiment.by)
    base = curves[curves["scenario"] == "baseline"].set_index("week")
    assert list(base.index) == list(range(11))
    assert base.loc[2, "invaded"] == 0 and base.loc[3, "invaded"] == 10
    assert base.loc[4, "p_invasion"] == pytest.approx(0.10)
    assert base.loc[5, "invaded"] == 30 and base.loc[10, "p_invasion"] == pytest.approx(0.30)
    lo, hi = wilson_by_hand(30, 100)
    assert (base.loc[10, "p_invasion_lo"], base.loc[10, "p_invasion_hi"]) == pytest.approx((lo, hi))
    freeze = curves[curves["scenario"] == "freeze_deal"]
    assert (freeze["invaded"] == 0).all() and (freeze["runs"] == 50).all()


def test_time_to_invasion(known: Path) -> None:
    experiment = load_results(known)
    timing = time_to_invasion(experiment.outcomes, experiment.by).set_index("scenario")
    assert timing.loc["baseline", "invaded"] == 30
    assert timing.loc["baseline", "invasion_week_median"] == 5
    assert timing.loc["baseline", "invasion_week_q1"] == pytest.approx(
        np.percentile([3] * 10 + [5] * 20, 25)
    )
    assert timing.loc["baseline", "no_invasion_share"] == pytest.approx(0.7)
    assert pd.isna(timing.loc["freeze_deal", "invasion_week_median"])
    assert timing.loc["freeze_deal", "no_invasion_share"] == 1.0


def test_rung_and_sanction_distributions(known: Path) -> None:
    experiment = load_results(known)
    rungs = rung_distribution(experiment.outcomes, experiment.by)
    base = rungs[rungs["scenario"] == "baseline"].set_index("rung")
    assert list(base.index) == list(range(8))  # every rung listed, zeros included
    assert base.loc[5, "share"] == pytest.approx(0.3)
    assert base.loc[2, "share"] == pytest.approx(0.5)
    assert base.loc[1, "share"] == pytest.approx(0.2)
    assert base.loc[7, "runs"] == 0 and base.loc[7, "rung_name"] == "nuclear threat"
    assert base["share"].sum() == pytest.approx(1.0)
    tiers = sanction_distribution(experiment.outcomes, experiment.by)
    freeze = tiers[tiers["scenario"] == "freeze_deal"].set_index("tier")
    assert freeze.loc[0, "share"] == 1.0 and freeze.loc[0, "tier_name"] == "none"
    assert list(freeze.index) == list(range(6))


def test_comparison_table_has_the_headline_numbers(known: Path) -> None:
    table = comparison_table(load_results(known)).set_index("scenario")
    base, freeze = table.loc["baseline"], table.loc["freeze_deal"]
    assert (base["runs"], base["errors"], freeze["runs"], freeze["errors"]) == (100, 0, 50, 10)
    assert base["p_invasion"] == pytest.approx(0.3)
    assert (base["p_invasion_lo"], base["p_invasion_hi"]) == pytest.approx(wilson_by_hand(30, 100))
    assert freeze["p_invasion"] == 0.0 and freeze["p_invasion_lo"] == 0.0
    assert base["invasion_week_median"] == 5 and pd.isna(freeze["invasion_week_median"])
    assert base["modal_rung"] == "coercive diplomacy" and base["modal_rung_share"] == 0.5
    assert base["highest_rung"] == "full-scale invasion"
    assert freeze["modal_rung"] == "military posturing"  # 30 of 50 ok runs
    assert base["mean_max_sanction_tier"] == pytest.approx(0.3 * 4 + 0.7 * 1)
    assert base["mean_max_sanction_tier_lo"] < 1.9 < base["mean_max_sanction_tier_hi"]
    assert base["horizon"] == 10


def test_report_prints_table_and_writes_valid_pngs(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary.print_report(known)
    out = capsys.readouterr().out
    assert "160 runs, 150 ok, 10 excluded as errors" in " ".join(out.split())  # prose wraps at 100
    assert "First error (run freeze_deal-50): RuntimeError: synthetic" in out
    assert "0.30 [0.22, 0.40]" in out
    assert "coercion 50%" in out and "30/100" in out
    figures = sorted((known / "figures").iterdir())
    assert [p.name for p in figures] == [
        "highest_rung.png",
        "invasion_probability.png",
        "sanction_tier.png",
    ]
    for path in figures:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000


def test_grid_designs_are_summarised_per_parameter_set(tmp_path: Path) -> None:
    runs = known_runs()
    runs["misperception"] = np.where(runs["replicate"] % 2 == 0, 0.1, 0.4)
    runs["sample"] = (runs["misperception"] == 0.4).astype(int)
    out = write_experiment(tmp_path / "grid", runs, {"sampler": "grid", "samples": 2})
    experiment = load_results(out)
    assert experiment.by == ["scenario", "misperception"]
    table = comparison_table(experiment)
    assert len(table) == 4
    assert table["runs"].sum() == 150 and table["errors"].sum() == 10
    text = summary.format_comparison(table, experiment.by)
    assert "misperception" in text.splitlines()[0] and "0.4" in text
    summary.write_figures(experiment)
    assert (out / "figures" / "invasion_probability.png").read_bytes().startswith(PNG_SIGNATURE)


def test_a_pooled_sampled_design_points_to_the_per_point_table(tmp_path: Path) -> None:
    runs = known_runs()
    runs["misperception"] = 0.1 + 0.3 * (runs["replicate"] % 5) / 4
    runs["sample"] = runs["replicate"] % 5
    out = write_experiment(tmp_path / "latin", runs, {"sampler": "latin", "samples": 5})
    experiment = load_results(out)
    assert experiment.by == ["scenario"]
    text = " ".join(summary.report_text(experiment).split())
    assert "Pooled over the design's points (misperception varied within each row)" in text
    assert "--by-point` gives one line per point" in text
    assert "Pooled" not in summary.report_text(experiment, by_point=True)
    assert max(len(line) for line in summary.report_text(experiment).splitlines()) <= 100
    grid = write_experiment(tmp_path / "grid", runs, {"sampler": "grid", "samples": 5})
    assert "Pooled" not in summary.report_text(load_results(grid))


def test_unreadable_directories_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no such directory"):
        load_results(tmp_path / "missing")
    with pytest.raises(ResultsError, match="not an experiment directory"):
        load_results(tmp_path)
    runs = known_runs()
    runs["status"] = "error"
    out = write_experiment(tmp_path / "failed", runs)
    with pytest.raises(ResultsError, match="no successful runs"):
        load_results(out)


def test_report_on_an_experiment_whose_runs_all_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_experiment(tmp_path / "failed", known_runs().assign(status="error"))
    summary.print_report(out)
    printed = capsys.readouterr().out
    assert "160 runs, 0 ok, 160 excluded as errors" in " ".join(printed.split())
    assert "No successful runs" in printed
    assert not (out / "figures").exists()


# --- the real model's history, written to the same contract -------------------------------


def write_model_experiment(
    out_dir: Path,
    settings: list[tuple[str, dict[str, float]]],
    replicates: int,
    weeks: int,
    design: dict[str, Any],
) -> Path:
    """Run the model for each (scenario, parameters) setting and write the runner's layout.

    Independent of the runner, so the summaries are checked against real history tables
    (their dtypes and the invasion flag's semantics) whatever state the runner is in.
    """
    from model import EscalationModel

    runs, histories = [], []
    for sample, (scenario, parameters) in enumerate(settings):
        overrides = {k: v for k, v in parameters.items() if k != "dummy"}
        for replicate in range(replicates):
            run_id = f"{scenario}-{sample}-{replicate}"
            seed = 1000 * sample + replicate
            model = EscalationModel(scenario, rng=seed, weeks=weeks, **overrides).run()
            history = model.history()["model"]
            histories.append(history.assign(run_id=run_id))
            runs.append(
                {
                    "run_id": run_id,
                    "scenario": scenario,
                    "sample": sample,
                    "replicate": replicate,
                    "seed": seed,
                    "weeks": weeks,
                    **parameters,
                    "status": "ok",
                    "error": "",
                    "wall_time": 0.01,
                    "package_version": "0.1.0",
                    "mesa_version": "3.5.1",
                    "python_version": "3.12",
                }
            )
    out_dir.mkdir(parents=True)
    for name, frame in (("runs", pd.DataFrame(runs)), ("model", pd.concat(histories))):
        (out_dir / name).mkdir()
        frame.to_parquet(out_dir / name / "part-00000.parquet", index=False)
    manifest = {
        "name": "real",
        "hash": "1" * 16,
        "seed": 1,
        "scenarios": list(dict.fromkeys(s for s, _ in settings)),
        "replicates": replicates,
        "weeks": weeks,
        "record": ["model"],
        "design": design,
        "versions": {},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    return out_dir


def test_summaries_of_real_model_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = [
        (scenario, {"misperception": m})
        for scenario in ("baseline", "freeze_deal")
        for m in (0.05, 0.45)
    ]
    out = write_model_experiment(
        tmp_path / "real", settings, 6, 20, {"sampler": "grid", "samples": 2}
    )
    experiment = load_results(out)
    assert experiment.by == ["scenario", "misperception"]
    history = pd.read_parquet(out / "model")
    for row in experiment.outcomes.itertuples():
        weekly = history[history["run_id"] == row.run_id]
        assert row.highest_rung == weekly["rung"].max()
        assert row.invaded == weekly["invasion"].any()
        if row.invaded:
            assert weekly.loc[weekly["week"] == row.invasion_week, "invasion"].item()
            assert not weekly.loc[weekly["week"] < row.invasion_week, "invasion"].any()
    table = comparison_table(experiment)
    assert len(table) == 4 and (table["runs"] == 6).all() and (table["horizon"] == 20).all()
    summary.print_report(out)
    assert "baseline" in capsys.readouterr().out
    assert len(list((out / "figures").glob("*.png"))) == 3


def test_only_complete_chunks_are_read(known: Path) -> None:
    """A model part without its runs part (a run killed mid-chunk) is not read."""
    stray = pd.read_parquet(known / "model" / "part-00000.parquet").assign(rung=7)
    stray.to_parquet(known / "model" / "part-00009.parquet", index=False)
    (known / "model" / ".part-00010.parquet.tmp").write_bytes(b"half")
    experiment = load_results(known)
    assert len(experiment.outcomes) == 150
    assert experiment.outcomes["highest_rung"].max() == 5


def test_an_experiment_without_model_history_is_not_summarised(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads((known / "manifest.json").read_text())
    (known / "manifest.json").write_text(json.dumps(manifest | {"record": ["agents"]}))
    with pytest.raises(ResultsError, match="model table was not recorded"):
        load_results(known)
    summary.print_report(known)
    assert "model table was not recorded" in capsys.readouterr().out
