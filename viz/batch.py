"""The batch page's data: an experiment directory's invasion curves and replayable runs.

The directory is read by :func:`analysis.results.load_results` (built on the store's reader,
Parquet and JSON only, never pickles) and the curves are :func:`analysis.stats.invasion_curves`,
the same as in ``escalation summarize``; every problem is an
:class:`~experiments.store.ResultsError` whose message the page shows. What is left here is
what only the page needs: the typed path, run labels and the settings that replay a run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Results, load_results
from analysis.stats import invasion_curves
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


def run_label(row: pd.Series) -> str:
    status = row.get("status", "ok")
    return f"run {row['run_id']}: {row['scenario']}, seed {row['seed']} ({status})"


def run_labels(results: Results) -> dict[str, int]:
    """Every run (failed ones too) by its label, in run order."""
    runs = results.runs.sort_values("run_id", kind="stable")
    return {run_label(row): int(row["run_id"]) for _, row in runs.iterrows()}


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
