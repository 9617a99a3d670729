"""The serial executor: the reference every other executor must match."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from experiments.chunks import ChunkResult, ChunkTask, Work


class SerialExecutor:
    """In this process, one chunk after another: the reference for every other executor."""

    def __init__(self, workers: int = 1, scheduler: str | None = None) -> None:
        self.workers = 1

    def map(self, work: Work, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        for task in tasks:
            yield work(task)

    def close(self) -> None:
        pass
