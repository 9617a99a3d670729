"""One experiment directory read for analysis: its manifest, its runs and each run's outcomes.

Built on the store's reader (:mod:`experiments.store`), which owns the on-disk format; every
problem is a :class:`~experiments.store.ResultsError` naming the directory and what is wrong.
The summaries, the sensitivity analysis, the validation report and the browser's batch page
all read results through :func:`load_results`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.design_space import DUMMY
from experiments.samplers import SAMPLERS
from experiments.store import (
    RUN_COLUMNS,
    RUNS,
    ResultsError,
    complete_parts,
    incomplete_note,
    read_manifest,
    read_table,
)
from world.ladder import RUNG_NAMES

#: How a summary shows invasion weeks: as week numbers, or as dates from each scenario's start.
WEEKS_AS = ("week", "date")
MODEL_OUTCOME_COLUMNS = ("run_id", "week", "rung", "invasion", "sanction_tier")
# Designs whose parameter sets are few and chosen by hand: summarised one set at a time.
SET_SAMPLERS = frozenset(name for name, s in SAMPLERS.items() if s.compares_sets)
# Designs made for a sensitivity analysis (SALib's sobol and morris).
SENSITIVITY_SAMPLERS = frozenset(name for name, s in SAMPLERS.items() if s.sensitivity)


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
    def incomplete(self) -> str:
        """ "INCOMPLETE: 1,410 of 9,000 runs" while planned runs are missing, else ""."""
        return incomplete_note(len(self.runs), self.manifest.get("total_runs"))

    @property
    def errors(self) -> pd.DataFrame:
        """Runs left out of every statistic: failed, or successful but without history."""
        return self.runs[~self.runs["run_id"].isin(self.outcomes["run_id"])]


def rung_name(rung: int) -> str:
    return RUNG_NAMES.get(int(rung), f"rung {rung}")


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
    per_run["invasion_week"] = first_invasion_week(history).astype("Int64")
    per_run["invaded"] = per_run["invasion_week"].notna()
    outcomes = ok.merge(per_run, left_on="run_id", right_index=True, how="inner")
    outcomes["highest_rung_name"] = outcomes["highest_rung"].map(rung_name)
    return outcomes.reset_index(drop=True)


def first_invasion_week(weekly: pd.DataFrame) -> pd.Series:
    """Each invading run's first week at war, by ``run_id`` (runs never at war are absent).

    ``weekly`` is a model table (``run_id``, ``week``, ``invasion``); a single run's table
    without ``run_id`` counts as run 0.
    """
    frame = weekly if "run_id" in weekly.columns else weekly.assign(run_id=0)
    return frame.loc[frame["invasion"].astype(bool)].groupby("run_id")["week"].min()


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
    if not complete_parts(out_dir, RUNS):
        note = incomplete_note(0, manifest.get("total_runs")) or "no runs stored"
        raise ResultsError(
            f"{out_dir}: {note}; run `escalation experiment` again with the same --out to run them"
        )
    runs = read_table(out_dir, RUNS)
    missing = {"run_id", "scenario", "sample", "status"} - set(runs.columns)
    if missing:
        raise ResultsError(f"{out_dir}: runs table lacks {', '.join(sorted(missing))}")
    if (runs["status"] == "ok").any():
        model = read_table(out_dir, "model", MODEL_OUTCOME_COLUMNS)
    else:
        model = pd.DataFrame(columns=list(MODEL_OUTCOME_COLUMNS))
    outcomes = run_outcomes(runs, model)
    if outcomes.empty:
        raise NoSuccessfulRuns(
            f"{out_dir}: no successful runs to summarise (all {len(runs)} failed)"
        )
    parameters = parameter_columns(runs)
    # A design may vary a column that also describes the run (the horizon, ``weeks``).
    names = manifest.get("design", {}).get("names", [])
    parameters += [n for n in names if n in RUN_COLUMNS and n in runs.columns]
    sampler = str(manifest.get("design", {}).get("sampler", "none"))
    by = ["scenario"]
    if sampler in SET_SAMPLERS:
        by += [p for p in parameters if p != DUMMY]
    return Results(out_dir, manifest, runs, outcomes, by, parameters)
