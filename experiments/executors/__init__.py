"""Executors: where chunks run. Each backend is one module; :data:`EXECUTORS` names them.

An executor's ``map(work, tasks)`` yields one result per task as they finish, in any order;
results are identical on every executor because the work is a pure function of its task.
Adding a backend means one module and one entry in :data:`EXECUTORS`, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from experiments.chunks import ChunkResult, ChunkTask, Work
from experiments.design import ExperimentError
from experiments.executors.dask import DaskExecutor
from experiments.executors.processes import ProcessExecutor
from experiments.executors.serial import SerialExecutor


class Executor(Protocol):
    """Where chunks run. ``map`` yields one result per task, in any order."""

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


# Each is built as ``EXECUTORS[name](workers=..., scheduler=...)``; Dask is imported only then.
EXECUTORS: dict[str, Callable[..., Executor]] = {
    "serial": SerialExecutor,
    "processes": ProcessExecutor,
    "dask": DaskExecutor,
}


def make_executor(name: str, workers: int = 1, scheduler: str | None = None) -> Executor:
    if name not in EXECUTORS:
        raise ExperimentError(f"unknown executor '{name}'; choose from {', '.join(EXECUTORS)}")
    return EXECUTORS[name](workers=workers, scheduler=scheduler)
