"""A chunk: the work unit sent to an executor, seeded runs simulated together as replicates.

A run lasts a fraction of a millisecond in the ensemble engine, so one task per run would cost
far more in overhead than in simulation.
:func:`simulate_chunk` is a pure function of its :class:`ChunkTask` (no file access), so every
executor gives identical results. Executors and the runner both build on this module.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.design import Experiment, RunSpec
from experiments.design_space import DUMMY
from experiments.store import RUN_PLACE, RUN_RESULT, RUNS
from model.provenance import versions
from world.scenario import ScenarioSpec, load_scenario

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
    # The engine's threads for this chunk: 0 is every core; an executor that runs chunks side
    # by side (processes, Dask workers) gives each one thread, so cores are not oversubscribed.
    threads: int = 0


def one_thread_each(tasks: Iterable[ChunkTask]) -> Iterator[ChunkTask]:
    """The tasks for an executor whose workers each run a chunk at once."""
    for task in tasks:
        yield dataclasses.replace(task, threads=1)


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


def run_scenario(task: ChunkTask, run: RunSpec, params: dict[str, Any]) -> ScenarioSpec:
    """A run's scenario with its design row applied (and its horizon, which a design may vary):
    where a bad value in a row is refused, so that its run fails alone."""
    overrides = {name: value for name, value in params.items() if name != DUMMY}
    overrides.setdefault("weeks", task.weeks)
    return load_scenario(task.specs[run.scenario], **overrides)


def simulate_chunk(task: ChunkTask) -> ChunkResult:
    """Run every run of a chunk in the ensemble engine, as blocks of replicates: one block per
    scenario and horizon, each run a replicate with its own seed and design point. A run whose
    design row is refused is recorded as an error; the rest go on."""
    found = versions()
    engine_threads(task.threads)
    outcome: dict[int, tuple[str, str, float]] = {}  # run id -> status, error, wall time
    params_of: dict[int, dict[str, Any]] = {}
    blocks: dict[tuple[int, int], Members] = {}
    points: dict[tuple[int, tuple[Any, ...]], ScenarioSpec] = {}
    for run, row in zip(task.runs, task.rows, strict=True):
        params = {name: value for name, value in zip(task.names, row, strict=True)}
        params_of[run.run_id] = params
        started = time.perf_counter()
        try:
            key = (run.scenario, tuple(params.get(n) for n in task.names if n != DUMMY))
            spec = points.get(key)
            if spec is None:
                spec = points[key] = run_scenario(task, run, params)
        except Exception as exc:  # a failing run is a result, not the end of the experiment
            outcome[run.run_id] = ("error", f"{type(exc).__name__}: {exc}", 0.0)
            continue
        outcome[run.run_id] = ("ok", "", time.perf_counter() - started)
        blocks.setdefault((run.scenario, spec.world.weeks), []).append((run, spec))
    gathered: dict[str, list[pd.DataFrame]] = {name: [] for name in task.record}
    for (_, weeks), members in blocks.items():
        for group, tables, took, error in _simulate_isolated(members, weeks, task.record):
            for run, _ in group:
                status, message, prepared = outcome[run.run_id]
                if error is None:
                    outcome[run.run_id] = (status, message, prepared + took / len(group))
                else:
                    outcome[run.run_id] = ("error", f"{type(error).__name__}: {error}", 0.0)
            if tables is not None:
                for name in task.record:
                    gathered[name].append(tables[name])
    runs = [
        run_row(task, run, params_of[run.run_id], *outcome[run.run_id], found) for run in task.runs
    ]
    result = {RUNS: _runs_frame(runs)}
    for name in task.record:
        frames = gathered[name]
        frame = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame({"run_id": pd.array([], dtype="int64")})
        )
        result[name] = frame.sort_values("run_id", kind="stable", ignore_index=True)
        for column in result[name].columns:
            if isinstance(result[name][column].dtype, pd.CategoricalDtype):
                result[name][column] = result[name][column].astype(str)
    return ChunkResult(task.chunk, result)


Members = list[tuple[RunSpec, ScenarioSpec]]


# The ensemble engine is loaded on first use (it loads Numba), so that commands which run no
# batch start without it.
def simulate(*args: Any, **kwargs: Any) -> Any:
    """`ensemble.simulate`."""
    from ensemble import simulate as engine

    return engine(*args, **kwargs)


def columns(*args: Any, **kwargs: Any) -> Any:
    """`ensemble.tables.columns`."""
    from ensemble.tables import columns as framed

    return framed(*args, **kwargs)


def engine_threads(threads: int) -> None:
    """The engine's threads for a chunk: ``threads``, or every core if 0."""
    from world.compiled import enable

    numba = enable()
    cores = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(min(threads, cores) if threads else cores)


def _simulate_isolated(
    members: Members, weeks: int, record: tuple[str, ...]
) -> Iterator[tuple[Members, dict[str, pd.DataFrame] | None, float, Exception | None]]:
    """The block whole, or, if it fails, each of its runs alone, so that only failing runs
    fail: (runs, their tables or None, seconds taken, the error or None)."""
    started = time.perf_counter()
    try:
        tables = _simulate_block(members, weeks, record)
    except Exception as exc:  # a failing run is a result, not the end of the experiment
        if len(members) == 1:
            yield members, None, 0.0, exc
            return
    else:
        yield members, tables, time.perf_counter() - started, None
        return
    for member in members:
        yield from _simulate_isolated([member], weeks, record)


def _simulate_block(
    members: Members, weeks: int, record: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """The recorded tables of a block of runs (each a replicate with its own design point)."""
    specs: list[ScenarioSpec] = []
    index: dict[int, int] = {}
    for _, spec in members:
        if id(spec) not in index:
            index[id(spec)] = len(specs)
            specs.append(spec)
    run_ids = np.array([run.run_id for run, _ in members], dtype=np.int64)
    block = simulate(
        specs,
        [run.seed for run, _ in members],
        weeks,
        point_of=[index[id(spec)] for _, spec in members],
        agents="agents" in record,
        signals="signals" in record,
    )
    framed = {}
    for name, table in columns(block, tables=record).items():
        framed[name] = pd.DataFrame({"run_id": run_ids[table.pop("replicate")], **table})
    return framed


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
