"""Running an experiment: chunks of seeded runs, sent to an executor, stored as they finish.

The work unit is a chunk (a run lasts milliseconds, so one task per run would cost more in
overhead than in simulation). :func:`simulate_chunk` is a pure function of its
:class:`ChunkTask`, so every executor gives identical results; an executor only decides where
chunks run. Each executor is one small class with ``map(work, tasks)`` yielding results as they
finish; adding one means adding a class to :data:`EXECUTORS`, nothing else.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from experiments.design import DUMMY, Experiment, ExperimentError, RunSpec
from experiments.store import RUN_PLACE, RUN_RESULT, RUNS, ResultStore, load_manifest
from model.escalation import EscalationModel
from model.provenance import versions
from model.record import frame_tables
from world.scenario import ScenarioSpec

CONNECT_TIMEOUT = 5  # seconds to reach an existing Dask scheduler before giving up
MAX_BREAKS = 8  # worker deaths in a row, with no chunk finished, before giving up
# A cluster started here runs nothing but this experiment's chunks: equal-sized, a few hundred
# ms of pure Python each. So: send chunks to workers as soon as they are submitted (``map``
# already keeps only two per worker in flight, which bounds memory) and never move them between
# workers, so a worker never idles for the scheduler's round trip between chunks; and wake the
# workers' event loops less often (no stack sampling for Dask's profiler every 10 ms, which
# nobody reads here; health ticks and monitors every 0.5-2 s instead of every 20-500 ms), each
# wake-up taking the GIL from the model. On 2 cores this brought Dask from 0.67-0.82x to
# 0.80-0.98x the throughput of local processes (docs/benchmark-history.md).
LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.worker-saturation": float("inf"),
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}
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
        started = time.perf_counter()
        status, error = "ok", ""
        try:
            model = EscalationModel(
                task.specs[run.scenario], rng=run.seed, weeks=task.weeks, **overrides
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


# --- executors --------------------------------------------------------------------------
class Executor(Protocol):
    """Where chunks run. ``map`` yields one result per task, in any order."""

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """In this process, one chunk after another: the reference for every other executor."""

    def __init__(self, workers: int = 1, scheduler: str | None = None) -> None:
        self.workers = 1

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        for task in tasks:
            yield work(task)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Local worker processes, started with forkserver (spawn where there is none).

    Forking a process that may hold threads is fragile, so workers never inherit this
    process's state. If a worker dies, the chunks in flight are lost with the pool: they are
    retried one at a time in a fresh pool, and a chunk that kills a worker on its own is
    recorded as failed runs.
    """

    def __init__(self, workers: int = 2, scheduler: str | None = None) -> None:
        self.workers = max(1, workers)
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            self.context = multiprocessing.get_context("forkserver")
            # Workers fork from a server that has imported the model once: fast start-up,
            # and the imported code's memory pages are shared between workers.
            self.context.set_forkserver_preload(["experiments.runner"])
        else:
            self.context = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context)

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        fresh = iter(tasks)
        suspects: deque[ChunkTask] = deque()
        unsent: deque[ChunkTask] = deque()  # refused by a pool that broke meanwhile
        pending: dict[Future, tuple[ChunkTask, bool]] = {}
        breaks = 0  # pool breaks since the last chunk that finished
        while True:
            # Normal: keep two chunks per worker in flight (bounded memory). After a crash:
            # one suspect at a time, so the chunk that kills a worker is found.
            limit = 1 if suspects else 2 * self.workers
            while len(pending) < limit:
                alone = bool(suspects)
                if alone:
                    task = suspects.popleft()
                else:
                    task = unsent.popleft() if unsent else next(fresh, None)
                if task is None:
                    break
                try:
                    future = self._pool.submit(work, task)
                except BrokenProcessPool:
                    (suspects if alone else unsent).appendleft(task)
                    if not pending:  # nothing in flight to report the break: start afresh
                        self._pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = self._new_pool()
                        continue
                    break
                pending[future] = (task, alone)
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost: list[tuple[ChunkTask, bool]] = []
            for future in finished:
                task, alone = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost.append((task, alone))
                    continue
                breaks = 0
                yield result
            if lost:
                breaks += 1
                if breaks > MAX_BREAKS:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    raise ExperimentError(
                        f"worker processes died {breaks} times in a row without finishing a "
                        f"chunk; is the package importable in a fresh Python process?"
                    )
                lost.extend(pending.values())  # a broken pool fails everything in flight
                pending.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                for task, alone in sorted(lost, key=lambda item: item[0].chunk):
                    if alone:
                        yield failed_chunk(task, WORKER_DIED)
                    else:
                        suspects.append(task)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _why(failure: Exception) -> str:
    """Why a local cluster did not start, in words a user can act on."""
    if getattr(sys.modules["__main__"], "__file__", None) == "<stdin>":
        # multiprocessing starts each worker by re-running the main script, which it cannot
        # find when the script was read from standard input (``python - <<EOF``).
        return (
            "its worker processes cannot start from a script read on standard input; "
            "save the script to a file and run that"
        )
    return str(failure).splitlines()[0] if str(failure) else type(failure).__name__


class DaskExecutor:
    """Dask distributed: a LocalCluster started here, or an existing cluster's scheduler.

    Workers of an existing cluster need this package installed; results come back to this
    process, which alone writes the files, so workers need no shared file system. Dask itself
    reschedules the chunks of a worker that dies; a chunk that keeps killing workers ends as
    ``KilledWorker`` and is recorded as failed runs.
    """

    def __init__(self, workers: int = 2, scheduler: str | None = None) -> None:
        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except Exception as exc:  # refused, timed out, bad address: all the same to a user
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ExperimentError(
                    f"--scheduler {scheduler}: cannot reach the Dask scheduler ({reason})"
                ) from None
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        else:
            try:
                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self.cluster = LocalCluster(
                        n_workers=max(1, workers),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.ERROR,
                    )
            except Exception as exc:
                raise ExperimentError(f"cannot start a Dask LocalCluster: {_why(exc)}") from None
            # Results come straight from the workers, not relayed through the scheduler.
            self.client = Client(self.cluster, set_as_default=False, direct_to_workers=True)
            self.workers = max(1, workers)

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        fresh = iter(tasks)
        owner: dict[str, ChunkTask] = {}

        def submit() -> list:
            task = next(fresh, None)
            if task is None:
                return []
            future = self.client.submit(work, task, pure=False)
            owner[future.key] = task
            return [future]

        first = [f for _ in range(2 * self.workers) for f in submit()]
        if not first:
            return
        flying = as_completed(first, loop=self.client.loop)
        for future in flying:
            task = owner.pop(future.key)
            try:
                result = future.result()
            except KilledWorker:
                result = failed_chunk(task, WORKER_DIED)
            future.release()
            for follower in submit():
                flying.add(follower)
            yield result

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


EXECUTORS: dict[str, type] = {
    "serial": SerialExecutor,
    "processes": ProcessExecutor,
    "dask": DaskExecutor,
}


def make_executor(name: str, workers: int = 1, scheduler: str | None = None) -> Executor:
    if name not in EXECUTORS:
        raise ExperimentError(f"unknown executor '{name}'; choose from {', '.join(EXECUTORS)}")
    return EXECUTORS[name](workers=workers, scheduler=scheduler)


# --- the experiment ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Progress:
    """Where an experiment stands; passed to the progress callback after every chunk."""

    total: int  # runs in the experiment
    done: int  # runs stored, incl. those found from an earlier, interrupted invocation
    resumed: int  # runs that were already stored when this invocation started
    failures: int  # failed runs stored by this invocation
    elapsed: float  # seconds since this invocation started

    @property
    def rate(self) -> float:
        ran = self.done - self.resumed
        return ran / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


def run_experiment(
    experiment: Experiment,
    out: Path | str,
    executor: Executor | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    chunks: Iterable[int] | None = None,
    work: Work = simulate_chunk,
) -> Progress:
    """Run the experiment's missing chunks (all, or those in ``chunks``) and store them.

    Chunks already in ``out`` are skipped, so running again after an interruption finishes
    the rest. Returns the final :class:`Progress`.
    """
    store = ResultStore.open(out, experiment)
    recorded = load_manifest(out).get("chunk_size", experiment.chunk_size)
    if recorded != experiment.chunk_size:
        # Same file, chunked differently by another version: keep the directory's layout.
        experiment = dataclasses.replace(experiment, chunk_size=recorded)
    done_chunks = store.completed_chunks()
    wanted = set(range(experiment.chunks)) if chunks is None else set(chunks)
    todo = [c for c in range(experiment.chunks) if c in wanted and c not in done_chunks]
    resumed = sum(len(experiment.chunk_runs(c)) for c in done_chunks if c < experiment.chunks)
    executor = executor or SerialExecutor()
    started = time.perf_counter()
    done, failures = resumed, 0
    state = Progress(experiment.total_runs, done, resumed, failures, 0.0)
    if progress is not None:
        progress(state)
    for result in executor.map(work, (make_task(experiment, c) for c in todo)):
        store.write_chunk(result.chunk, result.tables)
        done += len(result.tables[RUNS])
        failures += result.failures
        state = Progress(
            experiment.total_runs, done, resumed, failures, time.perf_counter() - started
        )
        if progress is not None:
            progress(state)
    return state
