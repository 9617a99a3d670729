"""Summaries of a batch experiment: invasion odds, timing, rungs and sanctions per scenario.

Every headline number is a share or a mean over seeded runs, so each comes with its 95% interval:
shares use the Wilson score interval (sound at 0 and n of n, unlike the normal approximation),
means a t interval. Runs that ended in an error are left out of every statistic and counted.
The directory is read by :mod:`analysis.results`; the intervals and curves are
:mod:`analysis.stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import plots
from analysis.results import (
    SENSITIVITY_SAMPLERS,
    ModelNotRecorded,
    NoSuccessfulRuns,
    Results,
    load_results,
    rung_name,
)
from analysis.sensitivity import format_sensitivity, sensitivity_table
from analysis.stats import invasion_curves, mean_interval, wilson_interval
from experiments.store import incomplete_note, read_manifest, read_table
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES

# --- summaries ------------------------------------------------------------------------------


def _groups(frame: pd.DataFrame, by: Sequence[str]):
    return frame.groupby(list(by), sort=False, dropna=False)


def time_to_invasion(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Week of invasion among the runs that invaded (median, quartiles) and the share with none."""

    def one(group: pd.DataFrame) -> pd.Series:
        weeks = group["invasion_week"].dropna().to_numpy(dtype=float)
        quartiles = np.percentile(weeks, [25, 50, 75]) if weeks.size else [np.nan] * 3
        return pd.Series(
            {
                "runs": len(group),
                "invaded": int(weeks.size),
                "invasion_week_q1": quartiles[0],
                "invasion_week_median": quartiles[1],
                "invasion_week_q3": quartiles[2],
                "no_invasion_share": 1.0 - weeks.size / len(group),
                "horizon": int(group["horizon"].max()),
            }
        )

    return _groups(outcomes, by)[list(outcomes.columns)].apply(one).reset_index()


def _distribution(
    outcomes: pd.DataFrame, by: Sequence[str], column: str, names: dict[int, str], label: str
) -> pd.DataFrame:
    levels = sorted(set(int(k) for k in names) | set(outcomes[column].astype(int)))
    counts = (
        _groups(outcomes, by)[column]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=levels, fill_value=0)
    )
    counts.columns.name = column
    tidy = counts.stack().rename("runs").reset_index()
    tidy = tidy.rename(columns={column: label})
    tidy[f"{label}_name"] = tidy[label].map(lambda v: names.get(int(v), f"{label} {v}"))
    total = tidy.groupby(list(by), dropna=False)["runs"].transform("sum")
    tidy["share"] = tidy["runs"] / total
    tidy["share_lo"], tidy["share_hi"] = wilson_interval(tidy["runs"], total)
    return tidy


def rung_distribution(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Share of runs whose highest rung was each of the ladder's rungs (all rungs listed)."""
    return _distribution(outcomes, by, "highest_rung", dict(RUNG_NAMES), "rung")


def sanction_distribution(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Share of runs whose highest sanction tier was each tier (all tiers listed)."""
    return _distribution(outcomes, by, "max_sanction_tier", dict(SANCTION_TIER_NAMES), "tier")


def comparison_table(experiment: Results) -> pd.DataFrame:
    """One row per compared group: the headline numbers set side by side."""
    outcomes, by = experiment.outcomes, experiment.by
    timing = time_to_invasion(outcomes, by)
    lower, upper = wilson_interval(timing["invaded"], timing["runs"])
    table = timing[list(by)].copy()
    table["runs"] = timing["runs"].astype(int)
    errors = experiment.errors
    if len(errors):
        counted = _groups(errors, by).size().rename("errors").reset_index()
        table = table.merge(counted, on=list(by), how="left")
        table["errors"] = table["errors"].fillna(0).astype(int)
    else:
        table["errors"] = 0
    table["horizon"] = timing["horizon"].astype(int)
    table["p_invasion"] = timing["invaded"] / timing["runs"]
    table["p_invasion_lo"], table["p_invasion_hi"] = lower, upper
    for column in ("invasion_week_median", "invasion_week_q1", "invasion_week_q3"):
        table[column] = timing[column]
    table["no_invasion_share"] = timing["no_invasion_share"]

    rungs = rung_distribution(outcomes, by)
    modal = rungs.sort_values(["runs", "rung"], ascending=[False, False]).drop_duplicates(list(by))
    modal = modal[[*by, "rung_name", "share"]].rename(
        columns={"rung_name": "modal_rung", "share": "modal_rung_share"}
    )
    table = table.merge(modal, on=list(by), how="left")
    highest = _groups(outcomes, by)["highest_rung"].max().rename("top").reset_index()
    table = table.merge(highest, on=list(by), how="left")
    table["highest_rung"] = table.pop("top").map(rung_name)

    # A t interval can overrun the tier scale for skewed small samples; the scale bounds it.
    top = max(SANCTION_TIER_NAMES)
    tiers = [
        (mean, max(lo, 0.0), min(hi, float(top)))
        for mean, lo, hi in (
            mean_interval(g["max_sanction_tier"]) for _, g in _groups(outcomes, by)
        )
    ]
    keys = _groups(outcomes, by).size().reset_index()[list(by)]
    tiers_frame = keys.assign(
        mean_max_sanction_tier=[t[0] for t in tiers],
        mean_max_sanction_tier_lo=[t[1] for t in tiers],
        mean_max_sanction_tier_hi=[t[2] for t in tiers],
    )
    return table.merge(tiers_frame, on=list(by), how="left")


def _week(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.3g}"


def format_comparison(table: pd.DataFrame, by: Sequence[str] = ("scenario",)) -> str:
    """A plain-text table of ``comparison_table`` for the terminal and for logs."""
    horizon = table["horizon"].max() if len(table) else 0
    columns: dict[str, list[str]] = {}
    for name in by:
        columns[name] = [f"{v:g}" if isinstance(v, float) else str(v) for v in table[name]]
    columns["runs"] = [str(v) for v in table["runs"]]
    columns["errors"] = [str(v) for v in table["errors"]]
    columns[f"P(invasion by wk {horizon}) [95% CI]"] = [
        f"{p:.2f} [{lo:.2f}, {hi:.2f}]"
        for p, lo, hi in zip(
            table["p_invasion"], table["p_invasion_lo"], table["p_invasion_hi"], strict=True
        )
    ]
    columns["invasion week median [IQR]"] = [
        "-" if pd.isna(m) else f"{_week(m)} [{_week(q1)}-{_week(q3)}]"
        for m, q1, q3 in zip(
            table["invasion_week_median"],
            table["invasion_week_q1"],
            table["invasion_week_q3"],
            strict=True,
        )
    ]
    columns["modal highest rung (share)"] = [
        f"{r} ({s:.0%})"
        for r, s in zip(table["modal_rung"], table["modal_rung_share"], strict=True)
    ]
    columns["highest rung seen"] = list(table["highest_rung"])
    columns["max sanction tier mean [95% CI]"] = [
        f"{m:.2f}" + ("" if pd.isna(lo) else f" [{lo:.2f}, {hi:.2f}]")
        for m, lo, hi in zip(
            table["mean_max_sanction_tier"],
            table["mean_max_sanction_tier_lo"],
            table["mean_max_sanction_tier_hi"],
            strict=True,
        )
    ]
    numeric = {"runs", "errors"}
    widths = {name: max(len(name), *(len(v) for v in values)) for name, values in columns.items()}

    def cell(name: str, value: str) -> str:
        return value.rjust(widths[name]) if name in numeric else value.ljust(widths[name])

    lines = ["  ".join(cell(name, name) for name in columns).rstrip()]
    for i in range(len(table)):
        lines.append("  ".join(cell(name, values[i]) for name, values in columns.items()).rstrip())
    return "\n".join(lines)


# --- the report ---------------------------------------------------------------------------


def write_figures(experiment: Results, sensitivity: pd.DataFrame | None = None) -> list[Path]:
    """Write the report's PNG figures to DIR/figures/ and return their paths."""
    figures = experiment.out_dir / "figures"
    outcomes, by = experiment.outcomes, experiment.by
    written = [
        plots.invasion_curves_figure(
            invasion_curves(outcomes, by), by, figures / "invasion_probability.png"
        ),
        plots.distribution_figure(
            rung_distribution(outcomes, by),
            by,
            "rung",
            "highest rung reached",
            figures / "highest_rung.png",
        ),
        plots.distribution_figure(
            sanction_distribution(outcomes, by),
            by,
            "tier",
            "highest sanction tier",
            figures / "sanction_tier.png",
        ),
    ]
    if sensitivity is not None and len(sensitivity):
        for scenario, table in sensitivity.groupby("scenario", sort=False):
            path = figures / f"sensitivity_{plots.file_stem(str(scenario))}.png"
            written.append(plots.sensitivity_figure(table, path))
    return written


def _heading(manifest: dict[str, Any], out_dir: Path, runs: pd.DataFrame, ok: int) -> list[str]:
    lines = [
        f"Experiment {manifest.get('name', out_dir.name)} ({out_dir}): {len(runs)} runs, "
        f"{ok} ok, {len(runs) - ok} excluded as errors; "
        f"design {manifest.get('design', {}).get('sampler', 'none')}, "
        f"seed {manifest.get('seed', '-')}"
    ]
    if note := incomplete_note(len(runs), manifest.get("total_runs")):
        lines.append(f"{note}; run `escalation experiment` again with the same --out to finish")
    errors = runs[runs["status"] != "ok"]
    if len(errors) and "error" in errors.columns:
        first = errors.iloc[0]
        message = str(first["error"]).strip().splitlines()
        lines.append(f"First error (run {first['run_id']}): {message[-1] if message else '?'}")
    return lines


def report_text(experiment: Results, sensitivity: pd.DataFrame | None = None) -> str:
    """The report's text: a heading, the comparison table and, if any, the sensitivity table."""
    lines = [
        *_heading(
            experiment.manifest, experiment.out_dir, experiment.runs, len(experiment.outcomes)
        ),
        "",
        format_comparison(comparison_table(experiment), experiment.by),
    ]
    if sensitivity is not None and len(sensitivity):
        lines += ["", format_sensitivity(sensitivity)]
    return "\n".join(lines)


def print_report(out_dir: Path, outcomes: Sequence[str] | None = None) -> None:
    """Print the comparison (and, for sobol/morris designs, sensitivity) tables; write figures.

    Called at the end of ``escalation experiment`` and by ``escalation summarize``. An
    experiment whose runs all failed gets a heading with the first error instead of tables;
    a directory that is not an experiment raises ``ResultsError``.
    """
    out_dir = Path(out_dir)
    try:
        experiment = load_results(out_dir)
    except ModelNotRecorded:
        print('No summary: the model table was not recorded (add "model" to record).')
        return
    except NoSuccessfulRuns:
        runs = read_table(out_dir, "runs")
        print("\n".join(_heading(read_manifest(out_dir), out_dir, runs, 0)))
        print("No successful runs: no tables or figures.")
        return
    sensitivity = None
    if experiment.sampler in SENSITIVITY_SAMPLERS:
        sensitivity = sensitivity_table(experiment, outcomes)
    print(report_text(experiment, sensitivity))
    written = write_figures(experiment, sensitivity)
    print(f"\nFigures in {out_dir / 'figures'}: {', '.join(p.name for p in written)}")
