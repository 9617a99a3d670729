"""The batch page's data: an experiment directory's invasion curves and replayable runs.

The directory is read by :func:`analysis.results.load_results` (built on the store's reader,
Parquet and JSON only, never pickles) and the curves are :func:`analysis.stats.invasion_curves`,
the same as in ``escalation summarize``; every problem is an
:class:`~experiments.store.ResultsError` whose message the page shows. What is left here is
what only the page needs: the typed path, run labels and the settings that replay a run.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Results, load_results
from analysis.stats import invasion_curves
from analysis.summary import comparison_table, start_dates
from experiments.store import RUN_COLUMNS, ResultsError
from model import load_scenario
from viz.session import RunConfig
from world.scenario import ScenarioError

PROMPT = "Type the path of an experiment output directory."


def load(directory: str | Path) -> Results:
    """Read the experiment directory typed on the page (``~`` expanded, blanks stripped)."""
    text = str(directory).strip()
    if not text:
        raise ResultsError(PROMPT)
    return load_results(Path(text).expanduser())


def scenario_curves(results: Results) -> pd.DataFrame:
    """P(invasion by week) per scenario with its 95% Wilson band, over the finished runs."""
    return invasion_curves(results.outcomes, ["scenario"])


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value the scenario validator expects."""
    return value.item() if isinstance(value, np.generic) else value


#: The run picker's outcome filter: every run, or those with one outcome.
OUTCOMES = ("any outcome", "invaded", "no invasion", "failed")


def invasion_table(results: Results) -> pd.DataFrame:
    """P(invasion) per scenario with its 95% Wilson interval, and the median invasion date:
    the page's table and its CSV download (rates as fractions, dates ISO)."""
    table = comparison_table(results)
    starts = start_dates(results)
    keys = [c for c in ("scenario", *results.by) if c in table.columns]
    out = table[[*dict.fromkeys(keys)]].copy()
    for column in ("runs", "invaded", "errors", "p_invasion", "p_invasion_lo", "p_invasion_hi"):
        out[column] = table[column]

    def median_date(row: pd.Series) -> str:
        week, start = row["invasion_week_median"], starts.get(str(row["scenario"]))
        if pd.isna(week) or start is None:
            return ""
        return (start + dt.timedelta(weeks=float(week))).isoformat()

    out["median_invasion_date"] = table.apply(median_date, axis=1)
    return out


TABLE_COLUMNS = ("scenario", "runs", "invaded", "P(invasion)", "95% interval", "median date")


def table_rows(table: pd.DataFrame) -> list[tuple[str, ...]]:
    """The rows of :func:`invasion_table` as the page shows them (``TABLE_COLUMNS``)."""
    return [
        (
            str(row["scenario"]),
            f"{int(row['runs']):,}",
            f"{int(row['invaded']):,}",
            f"{row['p_invasion']:.2f}",
            f"{row['p_invasion_lo']:.2f} to {row['p_invasion_hi']:.2f}",
            row["median_invasion_date"] or "no invasion",
        )
        for _, row in table.iterrows()
    ]


def _outcome(row: pd.Series, starts: dict[str, dt.date]) -> tuple[str, str]:
    """A run's outcome (one of ``OUTCOMES``) and its words for the run's label."""
    status = row.get("status", "ok")
    if status != "ok" or pd.isna(row.get("horizon")):
        return "failed", f"failed ({status})"
    week = row.get("invasion_week")
    if pd.isna(week):
        return "no invasion", "no invasion"
    start = starts.get(str(row["scenario"]))
    when = f" ({start + dt.timedelta(weeks=int(week)):%d %b %Y})" if start else ""
    return "invaded", f"invaded in week {int(week)}{when}"


def run_table(results: Results) -> pd.DataFrame:
    """Every run (failed ones too) in run order, with its outcome and its picker label."""
    runs = results.runs.sort_values("run_id", kind="stable")
    kept = ["run_id", "horizon", "invasion_week"]
    runs = runs.merge(results.outcomes[kept], on="run_id", how="left")
    starts = start_dates(results)
    told = [_outcome(row, starts) for _, row in runs.iterrows()]
    runs["outcome"] = [outcome for outcome, _ in told]
    runs["label"] = [
        f"run {row['run_id']}: {row['scenario']}, seed {row['seed']}, {words}"
        for (_, row), (_, words) in zip(runs.iterrows(), told, strict=True)
    ]
    return runs


def run_labels(
    runs: pd.DataFrame, scenario: str | None = None, outcome: str = OUTCOMES[0]
) -> dict[str, int]:
    """The labels of a :func:`run_table` (run order) by run id, of one scenario and one
    outcome if asked (the page keeps the table per directory and filters it)."""
    if scenario:
        runs = runs[runs["scenario"].astype(str) == scenario]
    if outcome != OUTCOMES[0]:
        runs = runs[runs["outcome"] == outcome]
    return {str(label): int(run) for label, run in zip(runs["label"], runs["run_id"], strict=True)}


def run_config(results: Results, run_id: int) -> RunConfig:
    """Settings replaying one run: its scenario, varied parameters, seed and horizon."""
    runs = results.runs
    rows = runs[runs["run_id"] == run_id]
    if rows.empty:
        raise ResultsError(f"run {run_id} is not in {results.out_dir}")
    row = rows.iloc[0]
    scenario = str(row["scenario"])
    try:
        known = load_scenario(scenario).parameter_values()
    except ScenarioError as exc:
        raise ResultsError(f"run {run_id}: cannot load its scenario ({exc})") from None
    overrides = {}
    for column in runs.columns:
        if column in RUN_COLUMNS or column not in known:
            continue  # e.g. the sensitivity design's "dummy" column sets nothing
        value = _plain(row[column])
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        overrides[column] = value
    weeks = _plain(row["weeks"]) if "weeks" in row.index and pd.notna(row["weeks"]) else None
    return RunConfig(
        scenario=scenario,
        seed=int(_plain(row["seed"])),
        overrides=overrides,
        weeks=int(weeks) if weeks is not None else None,
        label=f"replay of run {run_id} from {results.out_dir.name}",
    )
