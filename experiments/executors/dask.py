"""The Dask executor. Dask and distributed are imported only when one is built, so commands
that do not use Dask never load them."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator

from experiments.chunks import (
    WORKER_DIED,
    ChunkResult,
    ChunkTask,
    Work,
    failed_chunk,
    one_thread_each,
)
from experiments.design import ExperimentError

CONNECT_TIMEOUT = 5  # seconds to reach an existing Dask scheduler before giving up
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

        fresh = iter(one_thread_each(tasks))
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
