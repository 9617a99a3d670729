"""The local-processes executor, which survives a worker that dies."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from experiments.chunks import (
    WORKER_DIED,
    ChunkResult,
    ChunkTask,
    Work,
    failed_chunk,
    one_thread_each,
)
from experiments.design import ExperimentError

MAX_BREAKS = 8  # worker deaths in a row, with no chunk finished, before giving up


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
            self.context.set_forkserver_preload(["experiments.chunks"])
        else:
            self.context = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context)

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        fresh = iter(one_thread_each(tasks))
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
