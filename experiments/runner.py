"""Running an experiment: its missing chunks sent to an executor, stored as they finish."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from experiments.chunks import Work, make_task, simulate_chunk
from experiments.design import Experiment
from experiments.executors import Executor
from experiments.executors.serial import SerialExecutor
from experiments.store import RUNS, ResultStore


@dataclass(frozen=True, slots=True)
class Progress:
    """Where an experiment stands; passed to the progress callback after every chunk."""

    total: int  # runs in the experiment
    done: int  # runs stored, incl. those found from an earlier, interrupted invocation
    resumed: int  # runs that were already stored when this invocation started
    failures: int  # failed runs stored by this invocation
    elapsed: float  # seconds since this invocation started
    retried: int = 0  # failed runs found stored and run again by this invocation
    kept_failures: int = 0  # failed runs found stored and kept (not retried)
    # Where the first chunk of this invocation left things: it carries the start-up (loading
    # the engine, or compiling it on a machine's first use), which the rate leaves out.
    first_done: int = 0
    first_elapsed: float = 0.0

    @property
    def rate(self) -> float:
        """Runs a second: after the first chunk, over the chunks since (the steady rate)."""
        since = self.elapsed - self.first_elapsed
        if self.first_elapsed > 0 and since > 0 and self.done > self.first_done:
            return (self.done - self.first_done) / since
        ran = self.done - self.resumed
        return ran / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        """Seconds left at the steady rate; unknown (None) while the first chunk, start-up and
        all, is all there is to go by."""
        if self.done >= self.total:
            return 0.0
        if self.first_elapsed > 0 and self.elapsed <= self.first_elapsed:
            return None
        return (self.total - self.done) / self.rate if self.rate > 0 else None


def run_experiment(
    experiment: Experiment,
    out: Path | str,
    executor: Executor | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    chunks: Iterable[int] | None = None,
    work: Work = simulate_chunk,
    retry: bool = True,
) -> Progress:
    """Run the experiment's missing chunks (all, or those in ``chunks``) and store them.

    Chunks already in ``out`` are skipped, so running again after an interruption finishes
    the rest; a stored chunk with failed runs is run again and replaced unless ``retry`` is
    false. Replicates added to the file (or ``load_experiment(..., replicates=)``) are run
    after the stored runs, which stay as they are. Returns the final :class:`Progress`.
    """
    store = ResultStore.open(out, experiment)
    experiment = store.experiment  # the directory's layout: its chunk size, its blocks
    done_chunks = {c for c in store.completed_chunks() if c < experiment.chunks}
    failed = {c: n for c, n in store.failed_runs().items() if c in done_chunks}
    wanted = set(range(experiment.chunks)) if chunks is None else set(chunks)
    again = {c for c in failed if c in wanted} if retry else set()
    todo = [
        c for c in range(experiment.chunks) if c in wanted and (c not in done_chunks or c in again)
    ]
    resumed = sum(len(experiment.chunk_runs(c)) for c in done_chunks - again)
    retried = sum(failed[c] for c in again)
    kept = sum(n for c, n in failed.items() if c not in again)
    executor = executor or SerialExecutor()
    started = time.perf_counter()
    done, failures = resumed, 0
    first: tuple[int, float] = (0, 0.0)
    state = Progress(experiment.total_runs, done, resumed, failures, 0.0, retried, kept)
    if progress is not None:
        progress(state)
    for result in executor.map(work, (make_task(experiment, c) for c in todo)):
        store.write_chunk(result.chunk, result.tables)
        done += len(result.tables[RUNS])
        failures += result.failures
        elapsed = time.perf_counter() - started
        first = first if first[1] > 0 else (done, elapsed)
        state = Progress(
            experiment.total_runs, done, resumed, failures, elapsed, retried, kept, *first
        )
        if progress is not None:
            progress(state)
    return state
