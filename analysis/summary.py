"""Summaries of a batch experiment: invasion odds, timing, rungs and sanctions per scenario.

Every headline number is a share or a mean over seeded runs, so each comes with its 95% interval:
shares use the Wilson score interval (sound at 0 and n of n, unlike the normal approximation),
means a t interval. Runs that ended in an error are left out of every statistic and counted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.samplers import SAMPLERS
from experiments.store import RUN_COLUMNS
from world.errors import EscalationError
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES

MODEL_OUTCOME_COLUMNS = ("run_id", "week", "rung", "invasion", "sanction_tier")
# Designs whose parameter sets are few and chosen by hand: summarised one set at a time.
SET_SAMPLERS = frozenset(name for name, s in SAMPLERS.items() if s.compares_sets)
SENSITIVITY_SAMPLERS = frozenset(name for name, s in SAMPLERS.items() if s.sensitivity)
DUMMY = "dummy"


class ResultsError(EscalationError):
    """The directory is not a readable experiment, or holds nothing to summarise."""


class ModelNotRecorded(ResultsError):
    """The experiment kept no weekly model history, which every summary is built from."""


class NoSuccessfulRuns(ResultsError):
    """Every run of the experiment failed: there is nothing to summarise but the errors."""


@dataclass(frozen=True)
class Results:
    """One experiment directory read for analysis: its manifest, runs and per-run outcomes.

    ``outcomes`` has one row per successful run (columns of the runs table plus ``horizon``,
    ``invaded``, ``invasion_week``, ``highest_rung``, ``max_sanction_tier``); ``by`` names the
    columns that define a compared group: the scenario, plus the parameter values when the
    design is a hand-made grid or list.
    """

    out_dir: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    outcomes: pd.DataFrame
    by: list[str]
    parameters: list[str] = field(default_factory=list)

    @property
    def sampler(self) -> str:
        return str(self.manifest.get("design", {}).get("sampler", "none"))

    @property
    def errors(self) -> pd.DataFrame:
        """Runs left out of every statistic: failed, or successful but without history."""
        return self.runs[~self.runs["run_id"].isin(self.outcomes["run_id"])]


def wilson_interval(
    successes: Any, n: Any, z: float = 1.96
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Wilson score interval for a binomial share, elementwise over arrays.

    Used instead of p ± z·se because invasion shares are often 0 or 1 across a few hundred runs,
    where the normal interval collapses to a point. For n = 0 it returns (0, 1), the Wilson
    interval's own limit as n → 0: nothing observed, nothing ruled out.
    """
    k = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    if np.any(total < 0) or np.any(k < 0) or np.any(k > total):
        raise ValueError("wilson_interval needs 0 <= successes <= n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / total
        z2 = z * z
        denominator = 1.0 + z2 / total
        centre = (p + z2 / (2.0 * total)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total))
        lower = np.where(total > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
        upper = np.where(total > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    # Exact bounds at the edges, free of rounding: 0 of n cannot exclude 0, n of n cannot exclude 1.
    lower = np.where(k == 0, 0.0, lower)
    upper = np.where((k == total) & (total > 0), 1.0, upper)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


def mean_interval(values: pd.Series, level: float = 0.95) -> tuple[float, float, float]:
    """Mean with a t interval; NaN bounds for fewer than two values (no spread to judge)."""
    data = values.dropna().to_numpy(dtype=float)
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    if data.size < 2:
        return mean, float("nan"), float("nan")
    from scipy import stats  # here, not at the top: `escalation run` need not load SciPy

    half = stats.t.ppf(0.5 + level / 2.0, data.size - 1) * data.std(ddof=1) / np.sqrt(data.size)
    return mean, mean - half, mean + half


# --- reading an experiment ----------------------------------------------------------------


def read_table(
    out_dir: Path,
    name: str,
    columns: Sequence[str] | None = None,
    parts_of: str | None = None,
) -> pd.DataFrame:
    """Concatenate the part files of one table, reading only ``columns``.

    Part files are read one by one (not as one dataset) so that a part written by an older
    pyarrow with a slightly different schema still loads; files starting with '.' or '_' are
    the runner's unfinished temporaries and are skipped. With ``parts_of="runs"`` only parts
    whose namesake exists in runs/ are read: the runner writes a chunk's runs part last, so
    these are exactly the complete chunks, even while an experiment is still running.
    """
    folder = out_dir / name
    parts = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))
    if parts_of is not None:
        parts = [p for p in parts if (out_dir / parts_of / p.name).is_file()]
    if not parts:
        raise ResultsError(f"{out_dir}: no {name} table ({folder} holds no .parquet files)")
    import pyarrow as pa

    wanted = list(columns) if columns else None
    frames = []
    for part in parts:
        try:
            frames.append(pd.read_parquet(part, columns=wanted))
        except (OSError, ValueError, pa.ArrowException) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ResultsError(f"{part}: unreadable ({reason})") from None
    non_empty = [f for f in frames if len(f)]
    return pd.concat(non_empty, ignore_index=True) if non_empty else frames[0]


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest, whose presence the runner writes last: it marks a directory as ours."""
    if not out_dir.exists():
        raise ResultsError(f"{out_dir}: no such directory")
    if not out_dir.is_dir():
        raise ResultsError(f"{out_dir}: not a directory")
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise ResultsError(f"{out_dir}: not an experiment directory (no manifest.json)")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{path}: manifest is not a JSON object")
    return manifest


def run_outcomes(runs: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """One row per successful run with the outcomes every summary is built from.

    ``invasion_week`` is the first week whose ``invasion`` flag is set (missing when none);
    ``horizon`` is the last week recorded. Runs marked ok but without any history are dropped,
    so they are counted with the errors.
    """
    ok = runs[runs["status"] == "ok"]
    history = model[model["run_id"].isin(ok["run_id"])]
    weekly = history.groupby("run_id", sort=False)
    per_run = pd.DataFrame(
        {
            "horizon": weekly["week"].max(),
            "highest_rung": weekly["rung"].max(),
            "max_sanction_tier": weekly["sanction_tier"].max(),
        }
    )
    invaded_weeks = history.loc[history["invasion"].astype(bool), ["run_id", "week"]]
    per_run["invasion_week"] = invaded_weeks.groupby("run_id")["week"].min().astype("Int64")
    per_run["invaded"] = per_run["invasion_week"].notna()
    outcomes = ok.merge(per_run, left_on="run_id", right_index=True, how="inner")
    outcomes["highest_rung_name"] = outcomes["highest_rung"].map(_rung_name)
    return outcomes.reset_index(drop=True)


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """The varied parameters: every runs column that does not describe the run itself."""
    return [c for c in runs.columns if c not in RUN_COLUMNS]


def load_results(out_dir: Path | str) -> Results:
    """Read an experiment directory written by the runner (manifest, runs, model tables)."""
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    if "model" not in manifest.get("record", ["model"]):
        raise ModelNotRecorded(
            f"{out_dir}: the model table was not recorded (record = {manifest['record']}), "
            "so there is nothing to summarise"
        )
    runs = read_table(out_dir, "runs")
    missing = {"run_id", "scenario", "sample", "status"} - set(runs.columns)
    if missing:
        raise ResultsError(f"{out_dir}: runs table lacks {', '.join(sorted(missing))}")
    if (runs["status"] == "ok").any():
        model = read_table(out_dir, "model", MODEL_OUTCOME_COLUMNS, parts_of="runs")
    else:
        model = pd.DataFrame(columns=list(MODEL_OUTCOME_COLUMNS))
    outcomes = run_outcomes(runs, model)
    if outcomes.empty:
        raise NoSuccessfulRuns(
            f"{out_dir}: no successful runs to summarise (all {len(runs)} failed)"
        )
    parameters = parameter_columns(runs)
    sampler = str(manifest.get("design", {}).get("sampler", "none"))
    by = ["scenario"]
    if sampler in SET_SAMPLERS:
        by += [p for p in parameters if p != DUMMY]
    return Results(out_dir, manifest, runs, outcomes, by, parameters)


# --- summaries ------------------------------------------------------------------------------


def _rung_name(rung: int) -> str:
    return RUNG_NAMES.get(int(rung), f"rung {rung}")


def _groups(frame: pd.DataFrame, by: Sequence[str]):
    return frame.groupby(list(by), sort=False, dropna=False)


def invasion_curves(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """P(full-scale invasion by week w) per group and week, with Wilson bounds.

    A run counts towards week w only if it was observed that long, so groups mixing horizons
    are not biased towards 'no invasion' at late weeks.
    """
    rows = []
    for key, group in _groups(outcomes, by):
        key = key if isinstance(key, tuple) else (key,)
        horizon = group["horizon"].to_numpy(dtype=int)
        invasion = group["invasion_week"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
        weeks = np.arange(0, horizon.max() + 1)
        observed = (horizon[None, :] >= weeks[:, None]).sum(axis=1)
        invaded = (
            (invasion[None, :] <= weeks[:, None]) & (horizon[None, :] >= weeks[:, None])
        ).sum(axis=1)
        lower, upper = wilson_interval(invaded, observed)
        frame = pd.DataFrame(
            {
                "week": weeks,
                "runs": observed,
                "invaded": invaded,
                "p_invasion": invaded / observed,
                "p_invasion_lo": lower,
                "p_invasion_hi": upper,
            }
        )
        for position, (name, value) in enumerate(zip(by, key, strict=True)):
            frame.insert(position, name, value)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


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
    table["highest_rung"] = table.pop("top").map(_rung_name)

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
    from analysis import plots

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
        from analysis.sensitivity import format_sensitivity

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
        from analysis.sensitivity import sensitivity_table

        sensitivity = sensitivity_table(experiment, outcomes)
    print(report_text(experiment, sensitivity))
    written = write_figures(experiment, sensitivity)
    print(f"\nFigures in {out_dir / 'figures'}: {', '.join(p.name for p in written)}")
