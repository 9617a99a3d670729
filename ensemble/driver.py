"""The batch driver: R replicates of one or more design points, in compiled loops on every core.

A block is a set of replicates sharing a scenario's actors (`Structure`) and horizon; each
replicate has its own seed and design point. Replicates run in parallel threads (Numba's
``prange``) with their state in arrays; what they record lands in arrays too, one row per
(replicate, week), which `ensemble.tables` turns into the Mesa model's tables or Arrow columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from process.handles import PointRecord, ReplicaRecord, StructureRecord, alive, borrowed, handle
from process.layout import (
    AGENT_ACTION_FIELDS,
    AGENT_NUMBER_FIELDS,
    BITE_TIERS,
    MODEL_NUMBERS,
    A,
    Capacity,
    G,
    Numbers,
    Structure,
    numbers,
    structure,
)
from process.week import TRACK_COUNT, Marks, Point, Scratch, advance, begin, record, scratch_width
from world import draws
from world.compiled import enable
from world.scenario import ScenarioSpec

numba = enable()  # rules named in compiled code are their compiled forms from here on

WORLD_SIZE, ACTOR_SIZE = int(G.SIZE), int(A.SIZE)  # plain integers: compiled shapes
SCRATCH_ROWS, MARK_ROWS = int(Scratch.SIZE), int(Marks.SIZE)


@numba.njit(parallel=True, cache=True, nogil=True)
def _run_block(
    structure,
    points,
    point_of,
    keys,
    weeks,
    post_capacity,
    pipeline_capacity,
    logs,
    model_out,
    agent_numbers,
    agent_codes,
    logged,
    overflow,
):  # pragma: no cover - compiled
    # Without an agents table the agents' rows are written over one week's place.
    keep_weeks = agent_numbers.shape[1] > 1
    replicates = point_of.shape[0]
    n = structure.role.shape[0]
    edges = structure.edge_u.shape[0]
    width = scratch_width(n)
    for r in numba.prange(replicates):
        p = point_of[r]
        st_record = StructureRecord(*borrowed(structure))
        point = (
            points.world[p],
            points.calculus[p],
            points.policy[p],
            points.profiles[p],
            points.muted[p],
            points.day_of_year[p],
            points.load[p],
        )
        pt_record = PointRecord(*borrowed(point))
        owned = (
            np.zeros(WORLD_SIZE),
            np.zeros((n, ACTOR_SIZE)),
            np.zeros((n, n)),
            np.zeros((n, n)),
            np.empty(edges),
            np.empty((post_capacity, 5)),
            np.empty((post_capacity, 5)),
            np.empty((pipeline_capacity, 2)),
            logs[r],
            np.empty(n * TRACK_COUNT),
            keys[r],
            np.empty(BITE_TIERS),
            np.empty((SCRATCH_ROWS, width)),
            np.empty((MARK_ROWS, width), dtype=np.int64),
        )
        rep_record = ReplicaRecord(*borrowed(owned))
        st, pt, rep = handle(st_record), handle(pt_record), handle(rep_record)
        begin(st, pt, rep)
        record(
            st,
            pt,
            rep,
            model_out[r, 0],
            agent_numbers[r, 0],
            agent_codes[r, 0],
            AGENT_NUMBER_FIELDS,
            AGENT_ACTION_FIELDS,
        )
        for week in range(1, weeks + 1):
            advance(st, pt, rep)
            at = week if keep_weeks else 0
            record(
                st,
                pt,
                rep,
                model_out[r, week],
                agent_numbers[r, at],
                agent_codes[r, at],
                AGENT_NUMBER_FIELDS,
                AGENT_ACTION_FIELDS,
            )
        logged[r] = rep.g[G.LOGGED]
        overflow[r] = rep.g[G.OVERFLOW]
        alive((owned, st_record, pt_record, rep_record))


@dataclass(frozen=True)
class Block:
    """What a block of replicates recorded, by replicate and week."""

    spec: ScenarioSpec  # the first design point's scenario: names, roles, dates
    weeks: int
    seeds: np.ndarray
    model: np.ndarray  # replicate x week x MODEL_NUMBERS
    agent_numbers: np.ndarray  # replicate x week x actor (Mesa's order) x AGENT_NUMBERS
    agent_codes: np.ndarray  # replicate x week x actor x action columns (ACTIONS codes)
    agents: bool  # whether every week of the agents was kept (else the last week only)
    signals: np.ndarray | None  # replicate x signal x (week, sender, receiver, kind, ...)
    signal_counts: np.ndarray | None


def stack(points: Sequence[Numbers]) -> Point:
    return Point(*(np.ascontiguousarray(np.stack(parts)) for parts in zip(*points, strict=True)))


def run_key_words(seed: int) -> np.ndarray:
    return np.array(draws.run_key(np.random.default_rng(seed)), dtype=np.uint64)


def simulate(
    specs: ScenarioSpec | Sequence[ScenarioSpec],
    seeds: Sequence[int] | np.ndarray,
    weeks: int | None = None,
    *,
    point_of: Sequence[int] | np.ndarray | None = None,
    agents: bool = True,
    signals: bool = False,
) -> Block:
    """Run one replicate per seed; replicate k runs design point ``point_of[k]`` of ``specs``
    (every spec with the same actors), or the only spec given. The model table is always
    kept; the agents table if ``agents`` (else ``Block.agent_*`` hold the last week only), the
    signal log if ``signals``."""
    specs = [specs] if isinstance(specs, ScenarioSpec) else list(specs)
    first = specs[0]
    names = [a.name for a in first.actors]
    for spec in specs[1:]:
        if [a.name for a in spec.actors] != names or [a.role for a in spec.actors] != [
            a.role for a in first.actors
        ]:
            raise ValueError("every design point of a block must have the same actors")
    horizon = int(first.world.weeks if weeks is None else weeks)
    seeds = np.asarray(seeds, dtype=np.int64)
    if point_of is None:
        if len(specs) != 1:
            raise ValueError("point_of is needed with more than one design point")
        point_of = np.zeros(len(seeds), dtype=np.int64)
    point_of = np.asarray(point_of, dtype=np.int64)
    st = structure(first)
    points = stack([numbers(spec, horizon) for spec in specs])
    keys = np.array([run_key_words(int(s)) for s in seeds], dtype=np.uint64).reshape(-1, 2)
    n = len(names)
    replicates = len(seeds)
    room = Capacity.first(n, len(st.states), horizon, signals)
    while True:
        logs = np.zeros((replicates, room.log, 6))
        model = np.empty((replicates, horizon + 1, len(MODEL_NUMBERS)))
        kept = horizon + 1 if agents else 1
        agent_numbers = np.empty((replicates, kept, n, len(AGENT_NUMBER_FIELDS)))
        agent_codes = np.empty((replicates, kept, n, len(AGENT_ACTION_FIELDS)), np.int8)
        logged = np.zeros(replicates)
        overflow = np.zeros(replicates)
        _run_block(
            st,
            points,
            point_of,
            keys,
            horizon,
            room.post,
            room.pipeline,
            logs,
            model,
            agent_numbers,
            agent_codes,
            logged,
            overflow,
        )
        if not overflow.any():
            break
        room = room.doubled()
    return Block(
        spec=first,
        weeks=horizon,
        seeds=seeds,
        model=model,
        agent_numbers=agent_numbers,
        agent_codes=agent_codes,
        agents=agents,
        signals=logs if signals else None,
        signal_counts=logged.astype(np.int64) if signals else None,
    )


def warm_up() -> None:
    """Compile the weekly process for both drivers (or load it, when this machine has it):
    the engine's block and a lone run's phases, so that what comes next does not pay for it,
    several processes at once (`make test` does this before the tests)."""
    from process.replicate import Replicate
    from world.scenario import load_scenario

    spec = load_scenario("baseline")
    simulate(spec, [0], 1, signals=True)
    lone = Replicate(spec, run_key_words(0), weeks=1)
    lone.advance()
    lone.record()


__all__ = ["Block", "Structure", "simulate", "warm_up"]
