"""One replicate stepped from Python: the compiled week, one phase at a time.

The ensemble engine runs whole blocks of replicates inside compiled code. A single run (the Mesa
model, the browser's run, a test) needs the week in its phases instead, so that each actor can
take its own turn: `Replicate.open_week` delivers last week's signals, lets every actor read and
reassess them and returns the order of the week's turns; `Replicate.take_turn` is one actor's
choice and action; `Replicate.close_week` the week's consequences. They are the same compiled
functions the engine's `process.week.advance` strings together, over one replicate's arrays,
so a replicate stepped here is the engine's replicate of the same seed, number for number
(tests/process/test_replicate.py).

Its state is plain NumPy arrays (`Replicate.state`, a `process.week.Replica`), which Python
reads directly: ``replicate.state.a[slot, A.TROOPS]``. A call into the compiled week costs a
few microseconds, a whole week about 20 (BENCHMARKS.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from process.handles import PointRecord, ReplicaRecord, StructureRecord, handle, numba
from process.layout import (
    AGENT_ACTION_FIELDS,
    AGENT_NUMBER_FIELDS,
    BITE_TIERS,
    MODEL_NUMBERS,
    A,
    Capacity,
    G,
    numbers,
    structure,
)
from process.week import (
    TRACK_COUNT,
    Marks,
    Point,
    Replica,
    Scratch,
    begin,
    consequences,
    open_week,
    record,
    scratch_width,
    step,
)
from world.scenario import ScenarioSpec


@numba.njit(cache=True, nogil=True)
def _begin(structure, point, state):  # pragma: no cover - compiled
    # The records are built here, in cached code: built from Python, each would be compiled
    # again in every process (Numba does not cache a StructRef's Python constructor).
    st, pt, rep = StructureRecord(*structure), PointRecord(*point), ReplicaRecord(*state)
    begin(handle(st), handle(pt), handle(rep))
    return st, pt, rep


@numba.njit(cache=True, nogil=True)
def _open_week(st, pt, rep):  # pragma: no cover - compiled
    return open_week(handle(st), handle(pt), handle(rep))


@numba.njit(cache=True, nogil=True)
def _take_turn(st, pt, rep, slot):  # pragma: no cover - compiled
    step(handle(st), handle(pt), handle(rep), slot)


@numba.njit(cache=True, nogil=True)
def _close_week(st, pt, rep):  # pragma: no cover - compiled
    consequences(handle(st), handle(pt), handle(rep))


@numba.njit(cache=True, nogil=True)
def _record(st, pt, rep, model_row, agent_numbers, agent_codes):  # pragma: no cover - compiled
    record(
        handle(st),
        handle(pt),
        handle(rep),
        model_row,
        agent_numbers,
        agent_codes,
        AGENT_NUMBER_FIELDS,
        AGENT_ACTION_FIELDS,
    )


class Replicate:
    """One run's state as arrays, stepped by the compiled week (see the module's docstring).

    ``key`` is the run's two Philox key words (`world.draws.run_key`): the run's seed, as every
    draw of the week is keyed by it. ``signals`` keeps the log of every signal sent. A run that
    outgrows its arrays (`process.layout.Capacity`: a busy week's post, the log) gets arrays
    twice as large and is replayed to where it was, as the engine runs such a block again: the
    same seed gives the same run, whatever room it started with.
    """

    def __init__(
        self,
        spec: ScenarioSpec,
        key: tuple[int, int] | tuple[np.uint64, np.uint64] | np.ndarray,
        *,
        weeks: int | None = None,
        signals: bool = True,
        room: Capacity | None = None,
    ) -> None:
        self.spec = spec
        self.weeks = int(spec.world.weeks if weeks is None else weeks)
        self.structure = structure(spec)
        self.point = Point(*numbers(spec, self.weeks))
        self.key = np.asarray(key, dtype=np.uint64).reshape(2).copy()
        n = len(spec.actors)
        self.room = room or Capacity.first(n, len(self.structure.states), self.weeks, signals)
        self._phases: list[tuple[Any, tuple[int, ...]]] = []  # what was run, for a replay
        self._start()
        while self.state.g[G.OVERFLOW]:
            self._grow()

    def _start(self) -> None:
        n = len(self.spec.actors)
        room = self.room
        self.state = Replica(
            np.zeros(int(G.SIZE)),
            np.zeros((n, int(A.SIZE))),
            np.zeros((n, n)),
            np.zeros((n, n)),
            np.empty(len(self.structure.edge_u)),
            np.empty((room.post, 5)),
            np.empty((room.post, 5)),
            np.empty((room.pipeline, 2)),
            np.zeros((room.log, 6)),
            np.empty(n * TRACK_COUNT),
            self.key.copy(),
            np.empty(BITE_TIERS),
            np.empty((int(Scratch.SIZE), scratch_width(n))),
            np.empty((int(Marks.SIZE), scratch_width(n)), dtype=np.int64),
        )
        self._records = _begin(self.structure, self.point, self.state)

    def _grow(self) -> Any:
        """Twice the room, and the run so far again; what its last phase returned."""
        self.room = self.room.doubled()
        return self._replay()

    def _replay(self) -> Any:
        self._start()
        result = None
        for phase, args in self._phases:
            result = phase(*self._records, *args)
        return result

    def _run(self, phase: Any, *args: int) -> Any:
        self._phases.append((phase, args))
        result = phase(*self._records, *args)
        while self.state.g[G.OVERFLOW]:  # set for good: a replay that overflows grows again
            result = self._grow()
        return result

    @property
    def week(self) -> int:
        return int(self.state.g[G.WEEK])

    def open_week(self) -> np.ndarray:
        """Start the next week; the actors' slots in the order they take their turns. A run
        stepped past its horizon gets a longer one (the week's dates and winter load are read
        from arrays as long as the horizon): the same run, further."""
        if self.week >= self.weeks:
            self._lengthen()
        return self._run(_open_week)

    def _lengthen(self) -> None:
        self.weeks *= 2
        self.point = Point(*numbers(self.spec, self.weeks))
        n = len(self.spec.actors)
        longer = Capacity.first(n, len(self.structure.states), self.weeks, self.room.log > 0)
        self.room = Capacity(*(max(a, b) for a, b in zip(self.room, longer, strict=True)))
        self._replay()

    def take_turn(self, slot: int) -> None:
        """The actor in ``slot`` chooses on every track and acts."""
        self._run(_take_turn, int(slot))

    def close_week(self) -> None:
        """The week's consequences: forces, aid, sanctions, gas, ties, talks and the ladder."""
        self._run(_close_week)

    def advance(self) -> None:
        """One whole week, every actor's turn in the week's order."""
        for slot in self.open_week():
            self.take_turn(int(slot))
        self.close_week()

    def record(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This week's model row (`MODEL_NUMBERS`), and the agents' numbers and action codes,
        one row per actor in the Mesa model's order."""
        n = len(self.spec.actors)
        model_row = np.empty(len(MODEL_NUMBERS))
        agent_numbers = np.empty((n, len(AGENT_NUMBER_FIELDS)))
        agent_codes = np.empty((n, len(AGENT_ACTION_FIELDS)), np.int8)
        _record(*self._records, model_row, agent_numbers, agent_codes)
        return model_row, agent_numbers, agent_codes

    def signal_log(self) -> np.ndarray:
        """Every signal sent so far: week, sender, receiver, kind code, intensity, cost."""
        return self.state.log[: int(self.state.g[G.LOGGED])]
