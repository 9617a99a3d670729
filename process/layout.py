"""Where each number of a replicate lives in the engine's arrays, and how a scenario becomes them.

Parameters are rows of floats, one per design point (`Numbers`), indexed by enums made from the
parameter dataclasses' own fields, so a parameter added to `world.parameters` reaches the engine
with no list to update. A replicate's state is a vector of world quantities (`G`), a matrix of
actor quantities (`A`, one row per actor in the scenario's order) and a few arrays of its own
(ties, signals, arms on their way). Codes for actions and signal kinds are their places in
`ACTIONS` and `world.signals.Kind`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from world.alliance import ADVERSARY, DEFAULT_HARDNESS, ENERGY_SUPPLY, HARDNESS, SECURITY_PARTNER
from world.alliance import _plan as alliance_plan
from world.energy import calendar_week
from world.moves import ACTION_RUNG, RUSSIA_READS, STATE_READS, UKRAINE_READS
from world.parameters import ActorProfile, InvasionCalculus, WesternPolicy, World
from world.scenario import ScenarioSpec
from world.signals import AMBIGUOUS_POSTURES, Kind, Stance, action_stance

NUMERIC = ("float", "int", "bool")


def _index(name: str, cls: type) -> type[IntEnum]:
    numeric = [f.name for f in dataclasses.fields(cls) if f.type in NUMERIC]
    return IntEnum(name, [(field, i) for i, field in enumerate(numeric)])  # type: ignore[return-value]


#: Column of each numeric parameter in its section's row.
W = _index("W", World)
C = _index("C", InvasionCalculus)
Y = _index("Y", WesternPolicy)
P = _index("P", ActorProfile)

ROLE_CODES = {"state": 0, "union": 1, "challenger": 2, "target": 3}
STATE, UNION, CHALLENGER, TARGET = range(4)

#: Every action an actor can record, "none" (week 0) and "hold" first.
ACTIONS = (
    "none",
    "hold",
    "build_up",
    "pull_back",
    "demands",
    "talks",
    "hybrid_action",
    "energy_pressure",
    "recognition",
    "limited_incursion",
    "invade",
    "continue_war",
    "nuclear_threat",
    "sanction_threat",
    "arms_delivery",
    "flank_deployment",
    "mobilisation",
    "aid_request",
    "minsk_concession",
    "donbas_offensive",
    "sanctions",
)
ACTION_CODE = {name: code for code, name in enumerate(ACTIONS)}
_STANCES = list(Stance)
#: Each action's sharpness (0 = war), for the week's headline action.
ACTION_SHARPNESS = np.array([_STANCES.index(action_stance(a)) for a in ACTIONS], dtype=np.int64)
#: The rung each of Russia's actions pushes the ladder to.
ACTION_RUNG_OF = np.array([int(ACTION_RUNG.get(a, 0)) for a in ACTIONS], dtype=np.int64)
#: How hard a line each action takes (alliance ties follow it).
ACTION_HARDNESS = np.array([HARDNESS.get(a, DEFAULT_HARDNESS) for a in ACTIONS])

KINDS = tuple(Kind)
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
#: The intent to invade each kind implies at full intensity (NaN: none).
KIND_INTENT = np.array([np.nan if k.intent is None else k.intent for k in KINDS])
KIND_AMBIGUOUS = np.array([k in AMBIGUOUS_POSTURES for k in KINDS])


class G(IntEnum):
    """A replicate's world quantities."""

    WEEK = 0
    RUNG = 1
    INVASION = 2
    INVASION_WEEK = 3
    SANCTION_TIER = 4
    NORD_STREAM_2_SUSPENDED = 5
    TALKS = 6
    GAS_FLOW = 7
    UKRAINE_CAPABILITY = 8
    FLANK_TROOPS = 9
    WEEKS_SINCE_TALKS = 10
    PUSHED_RUNG = 11
    CAPABILITY_GAIN = 12
    FLANK_GAIN = 13
    RUSSIA_TALKED = 14
    WEST_TALKED = 15
    PRESSURE = 16
    ENERGY_PRICE = 17
    PRICE_STRESS = 18
    ARMS_LAG = 19
    POSTED = 20  # signals in this week's post
    DELIVERED = 21  # signals in this week's inbox
    PIPELINE_HEAD = 22  # first shipment of the arms pipeline not yet arrived
    PIPELINE_END = 23
    LOGGED = 24  # signals in the replicate's log
    OVERFLOW = 25  # 1 if a buffer was too small: the block is run again with larger ones
    LEAD = 26  # the lead state's row
    EXPECTED_SET = 27  # Russia has formed its first expectations of the West's lines
    SIZE = 28


class A(IntEnum):
    """An actor's quantities (a Western state's and Russia's own in their rows)."""

    RESOLVE = 0
    THREAT = 1
    BELIEF = 2
    COST = 3
    GAS_STORAGE = 4
    ENERGY_EXPOSURE = 5
    SANCTION_SUPPORT = 6
    SANCTION_BACKING = 7
    ACTION = 8
    MILITARY = 9  # the track actions, in the order of world.signals.TRACKS
    AID = 10
    ECONOMIC = 11
    DIPLOMATIC = 12
    LAST_RESOLVE = 13
    LAST_BELIEF = 14
    # Western states
    DEPLOYED = 15
    THREATENED = 16
    AID_REQUESTED = 17
    NUCLEAR_FEAR = 18
    GAS_FEAR = 19
    SEEN_MOVE = 20
    DEMANDS_READ = 21
    SEEN_TROOPS = 22
    PULL_BACK_WEEK = 23
    EXPECTED_SUPPORT = 24  # the tier Russia expects this state to back against an invasion
    # Russia
    TROOPS = 25
    ARMS_TREND = 26
    SHIPPED = 27
    NATO_THREAT = 28
    MINSK_GRANTED = 29
    DEAL_PROSPECT = 30
    STICK_CREDIBILITY = 31
    GRIEVANCE = 32
    FREEZE_OFFERED = 33
    MORATORIUM_OFFERED = 34
    OFFER_TRUST = 35
    UNANSWERED_SINCE = 36
    DEMANDS_PUBLISHED = 37
    RECOGNISED = 38
    INCURSION = 39
    PROVOKED = 40
    EXPECTED_TIER = 41
    EXPECTED_TIER_INCURSION = 42
    INVASION_ODDS = 43
    WAITING = 44
    LAST_MILITARY_BEST = 45
    CAPABILITY_ERROR = 46
    WESTERN_EXPOSURE = 47
    SANCTION_SCALE = 48
    SIZE = 49


#: The model table's numeric columns, as the engine records them each week.
MODEL_NUMBERS = (
    "rung",
    "russian_troops",
    "ukraine_capability",
    "eastern_flank_troops",
    "invasion",
    "sanction_tier",
    "talks",
    "eu_gas_storage",
    "gas_flow",
    "energy_price",
    "alliance_cohesion",
    "arms_in_transit",
    "nord_stream_2_suspended",
    "expected_tier_invasion",
    "expected_tier_incursion",
    "invasion_odds",
)
#: The agents table's numeric columns (the actions are recorded as codes beside them).
AGENT_NUMBERS = (
    "resolve",
    "threat",
    "belief",
    "sanction_support",
    "sanction_backing",
    "gas_storage",
    "energy_exposure",
    "cost",
)
AGENT_NUMBER_FIELDS = np.array([int(A[name.upper()]) for name in AGENT_NUMBERS], dtype=np.int64)
#: The agents table's action columns and the state field of each.
AGENT_ACTIONS = {
    "action": A.ACTION,
    "military_action": A.MILITARY,
    "diplomatic_action": A.DIPLOMATIC,
    "aid_action": A.AID,
    "economic_action": A.ECONOMIC,
}
AGENT_ACTION_FIELDS = np.array([int(f) for f in AGENT_ACTIONS.values()], dtype=np.int64)


class Structure(NamedTuple):
    """What a scenario's actors fix for every replicate: roles, routes, ties, who reads what."""

    role: np.ndarray  # role code of each actor, in the scenario's order
    observe_order: np.ndarray  # the Mesa model's agent order: states, the union, Russia, Ukraine
    states: np.ndarray  # the Western states, in the scenario's order
    members: np.ndarray  # the states the Union speaks for (none without a Union)
    blocs: np.ndarray  # the states that decide sanctions for themselves
    union: int  # the Union's row (-1: none)
    challenger: int
    target: int
    edge_u: np.ndarray  # alliance ties (NATO, EU), in the graph's order
    edge_v: np.ndarray
    tie_ally: np.ndarray  # each actor's ties in the order it weighs them: ally, tie
    tie_edge: np.ndarray
    tie_count: np.ndarray
    adversaries: np.ndarray  # Russia's adversaries, by name
    suppliers: np.ndarray  # the importers Russia supplies gas to, by name
    partners: np.ndarray  # Ukraine's security partners, by name
    importers: np.ndarray  # actors whose gas storage follows the flow (states and the Union)
    reads: np.ndarray  # reads[actor, kind]: whether the actor's beliefs respond to the kind


def structure(spec: ScenarioSpec) -> Structure:
    actors = spec.actors
    names = tuple(a.name for a in actors)  # rows are the scenario's order of actors
    row = {name: i for i, name in enumerate(names)}
    role = np.array([ROLE_CODES[a.role] for a in actors], dtype=np.int64)
    states = [i for i, a in enumerate(actors) if a.role == "state"]
    union = next((i for i, a in enumerate(actors) if a.role == "union"), -1)
    challenger = next(i for i, a in enumerate(actors) if a.role == "challenger")
    target = next(i for i, a in enumerate(actors) if a.role == "target")
    # The Mesa model creates the states first, then the Union, Russia and Ukraine.
    observe = [*states, *([union] if union >= 0 else []), challenger, target]
    members = [i for i in states if actors[i].eu] if union >= 0 else []
    blocs = [i for i in states if i not in members]
    plan = alliance_plan(tuple(actors))
    edges = [(row[u], row[v]) for u, v, kind, _ in plan.edges if kind in ("nato_ally", "eu_member")]
    ties: list[list[tuple[int, int]]] = [[] for _ in actors]
    for e, (u, v) in enumerate(edges):
        ties[u].append((v, e))
        ties[v].append((u, e))
    depth = max([len(t) for t in ties] + [1])
    tie_ally = np.full((len(actors), depth), -1, dtype=np.int64)
    tie_edge = np.full((len(actors), depth), -1, dtype=np.int64)
    for i, found in enumerate(ties):
        for k, (ally, e) in enumerate(found):
            tie_ally[i, k], tie_edge[i, k] = ally, e

    def route(node: str, kind: str) -> np.ndarray:
        return np.array([row[n] for n in plan.neighbours.get((node, kind), ())], dtype=np.int64)

    reads = np.zeros((len(actors), len(KINDS)), dtype=np.bool_)
    readers = {"state": STATE_READS, "challenger": RUSSIA_READS, "target": UKRAINE_READS}
    for i, a in enumerate(actors):
        for kind in readers.get(a.role, frozenset()):
            reads[i, KIND_CODE[kind]] = True
    ints = np.int64
    return Structure(
        role=role,
        observe_order=np.array(observe, dtype=ints),
        states=np.array(states, dtype=ints),
        members=np.array(members, dtype=ints),
        blocs=np.array(blocs, dtype=ints),
        union=union,
        challenger=challenger,
        target=target,
        edge_u=np.array([u for u, _ in edges], dtype=ints),
        edge_v=np.array([v for _, v in edges], dtype=ints),
        tie_ally=tie_ally,
        tie_edge=tie_edge,
        tie_count=np.array([len(t) for t in ties], dtype=ints),
        adversaries=route(names[challenger], ADVERSARY),
        suppliers=route(names[challenger], ENERGY_SUPPLY),
        partners=route(names[target], SECURITY_PARTNER),
        importers=np.array([i for i in observe if role[i] in (STATE, UNION)], dtype=ints),
        reads=reads,
    )


def _row(section: object, index: type[IntEnum]) -> np.ndarray:
    return np.array([float(getattr(section, member.name)) for member in index])  # type: ignore[attr-defined]


class Numbers(NamedTuple):
    """One design point's parameters as rows of floats (a block holds one row per point)."""

    world: np.ndarray
    calculus: np.ndarray
    policy: np.ndarray
    profiles: np.ndarray  # actor x profile field
    muted: np.ndarray  # kind -> muted by the scenario
    day_of_year: np.ndarray  # week -> day of the year of its date
    load: np.ndarray  # week -> winter load


def numbers(spec: ScenarioSpec, weeks: int) -> Numbers:
    world = spec.world
    muted = {k for k in world.muted_signals.replace(" ", "").split(",") if k}
    dates = [calendar_week(world.start_date, w, world.coldest_day) for w in range(weeks + 1)]
    return Numbers(
        world=_row(world, W),
        calculus=_row(spec.invasion_calculus, C),
        policy=_row(spec.policy, Y),
        profiles=np.array([_row(a, P) for a in spec.actors]),
        muted=np.array([str(k) in muted for k in KINDS]),
        day_of_year=np.array([float(d.timetuple().tm_yday) for d, _ in dates]),
        load=np.array([load for _, load in dates]),
    )


def week_dates(spec: ScenarioSpec, weeks: int) -> list[dt.date]:
    world = spec.world
    return [calendar_week(world.start_date, w, world.coldest_day)[0] for w in range(weeks + 1)]


#: Russia's cumulative sanction bite, one place per tier from none to the embargo.
BITE_TIERS = 6


class Capacity(NamedTuple):
    """Rows a replicate's growing arrays hold: the week's post (and reading), arms on their way,
    the signal log (0: no log kept). A replicate that would outgrow one flags an overflow and is
    run again with twice the room (same seed, same run)."""

    post: int
    pipeline: int
    log: int

    @classmethod
    def first(cls, actors: int, states: int, weeks: int, signals: bool) -> Capacity:
        return cls(
            post=4 * actors * actors + 16 * actors + 64,
            pipeline=(weeks + 1) * max(1, states),
            log=(weeks + 1) * 8 * actors if signals else 0,
        )

    def doubled(self) -> Capacity:
        return Capacity(2 * self.post, 2 * self.pipeline, 2 * self.log)
