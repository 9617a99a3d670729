"""A chunk: the work unit sent to an executor, a few seeded runs simulated together.

A run lasts milliseconds, so one task per run would cost more in overhead than in simulation.
:func:`simulate_chunk` is a pure function of its :class:`ChunkTask` (no file access), so every
executor gives identical results. Executors and the runner both build on this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.design import Experiment, RunSpec
from experiments.design_space import DUMMY
from experiments.store import RUN_PLACE, RUN_RESULT, RUNS
from model.escalation import EscalationModel
from model.provenance import versions
from model.record import frame_tables
from world.scenario import ScenarioSpec

WORKER_DIED = "worker process died while running this chunk (killed, crashed or out of memory)"


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Everything a worker needs to simulate one chunk, with no file access."""

    chunk: int
    runs: tuple[RunSpec, ...]
    rows: tuple[tuple[Any, ...], ...]  # each run's design row, aligned with ``names``
    names: tuple[str, ...]
    labels: tuple[str, ...]  # scenario as written in the experiment file, by index
    specs: dict[int, ScenarioSpec]  # the resolved scenarios this chunk uses
    weeks: int
    record: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChunkResult:
    chunk: int
    tables: dict[str, pd.DataFrame]  # "runs" plus every recorded table

    @property
    def failures(self) -> int:
        return int((self.tables[RUNS]["status"] != "ok").sum())


Work = Callable[[ChunkTask], ChunkResult]


def make_task(experiment: Experiment, chunk: int) -> ChunkTask:
    runs = tuple(experiment.chunk_runs(chunk))
    design = experiment.design
    return ChunkTask(
        chunk=chunk,
        runs=runs,
        rows=tuple(design.matrix[run.sample] for run in runs),
        names=design.names,
        labels=experiment.scenarios,
        specs={i: experiment.scenario_specs[i] for i in {run.scenario for run in runs}},
        weeks=experiment.weeks,
        record=experiment.record,
    )


def simulate_chunk(task: ChunkTask) -> ChunkResult:
    """Run every run of a chunk; a run that raises is recorded as an error, the rest go on."""
    found = versions()
    runs: list[dict[str, Any]] = []
    # Each recorded table's columns, gathered over the chunk and framed once at its end: a
    # DataFrame per table and run would cost as much as the run itself.
    gathered: dict[str, dict[str, list[Any]]] = {name: {} for name in task.record}
    for run, row in zip(task.runs, task.rows, strict=True):
        params = {name: value for name, value in zip(task.names, row, strict=True)}
        overrides = {name: value for name, value in params.items() if name != DUMMY}
        # A design may vary the horizon itself: its value, not the file's, is the run's.
        weeks = overrides.pop("weeks", task.weeks)
        started = time.perf_counter()
        status, error = "ok", ""
        try:
            model = EscalationModel(
                task.specs[run.scenario], rng=run.seed, weeks=weeks, **overrides
            )
            model.run()
            if task.record:
                tables = model.history_columns(task.record)
                for name, into in gathered.items():
                    table = tables[name]
                    rows = len(next(iter(table.values())))
                    into.setdefault("run_id", []).extend([run.run_id] * rows)
                    for column, values in table.items():
                        into.setdefault(column, []).extend(values)
        except Exception as exc:  # a failing run is a result, not the end of the experiment
            status, error = "error", f"{type(exc).__name__}: {exc}"
        runs.append(run_row(task, run, params, status, error, time.perf_counter() - started, found))
    result = {RUNS: _runs_frame(runs), **frame_tables(gathered)}
    for name in task.record:
        if "run_id" in result[name]:
            result[name]["run_id"] = result[name]["run_id"].astype("int64")
    return ChunkResult(task.chunk, result)


def failed_chunk(task: ChunkTask, message: str) -> ChunkResult:
    """A chunk whose worker died: every run recorded as an error, so none is dropped silently."""
    found = versions()
    runs = [
        run_row(task, run, dict(zip(task.names, row, strict=True)), "error", message, 0.0, found)
        for run, row in zip(task.runs, task.rows, strict=True)
    ]
    tables = {RUNS: _runs_frame(runs)}
    tables.update(
        {name: pd.DataFrame({"run_id": pd.array([], dtype="int64")}) for name in task.record}
    )
    return ChunkResult(task.chunk, tables)


def run_row(
    task: ChunkTask,
    run: RunSpec,
    params: dict[str, Any],
    status: str,
    error: str,
    wall_time: float,
    found: dict[str, str],
) -> dict[str, Any]:
    """One row of the ``runs`` table: where the run sits, its parameters, how it went."""
    place = (run.run_id, task.labels[run.scenario], run.sample, run.replicate, run.seed)
    result = (status, error, wall_time, found["crisis-escalation"], found["mesa"], found["python"])
    return {
        **dict(zip(RUN_PLACE, (*place, task.weeks), strict=True)),
        **params,
        **dict(zip(RUN_RESULT, result, strict=True)),
    }


def _runs_frame(runs: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(runs)
    for column in ("run_id", "sample", "replicate", "seed", "weeks"):
        frame[column] = frame[column].astype("int64")
    return frame
