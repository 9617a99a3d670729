"""Typed signals between actors, and how a receiver weighs them.

Costly signals are more credible (Fearon 1997: sinking costs and tying hands); cheap talk moves
beliefs only a little. Misperception adds noise to what a receiver reads and, for postures that
look alike, reads defensive moves as offensive (Jervis 1978).

Each kind of signal carries what it means: the stance it takes (what the app colours it by) and,
for Russia's signals, the intent to invade it implies at full intensity.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple


class Stance(StrEnum):
    """What an action or a signal says about its sender's line this week, sharpest first."""

    WAR = "war"
    COERCION = "coercion"
    DETERRENCE = "deterrence"
    DIPLOMACY = "diplomacy"
    WAITING = "waiting"


_SHARPNESS = {stance: rank for rank, stance in enumerate(Stance)}  # 0 = war, the sharpest


def sharpest(stances: Iterable[Stance]) -> Stance:
    """The sharpest of the stances (waiting if there are none)."""
    return min(stances, key=_SHARPNESS.__getitem__, default=Stance.WAITING)


class Kind(StrEnum):
    """A kind of signal: its recorded name, its stance and the intent to invade it implies.

    ``intent`` is None for kinds that say nothing about Russia's intent (every kind not sent by
    Russia); the value is the belief a fully intense signal of the kind moves a reader toward.
    """

    stance: Stance
    intent: float | None

    def __new__(cls, value: str, stance: Stance, intent: float | None = None) -> Kind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.stance = stance
        member.intent = intent
        return member

    # Russia
    BUILD_UP = "build_up", Stance.COERCION, 0.7
    DEMANDS = "demands", Stance.COERCION, 0.55
    HYBRID_ACTION = "hybrid_action", Stance.COERCION, 0.65
    ENERGY_PRESSURE = "energy_pressure", Stance.COERCION, 0.55
    RECOGNITION = "recognition", Stance.COERCION, 0.9
    LIMITED_INCURSION = "limited_incursion", Stance.WAR, 1.0
    INVASION = "invasion", Stance.WAR, 1.0
    PULL_BACK = "pull_back", Stance.DIPLOMACY, 0.1
    NUCLEAR_THREAT = "nuclear_threat", Stance.WAR, 1.0
    # West
    SANCTION_THREAT = "sanction_threat", Stance.DETERRENCE
    SANCTIONS = "sanctions", Stance.DETERRENCE
    ARMS_DELIVERY = "arms_delivery", Stance.DETERRENCE
    FLANK_DEPLOYMENT = "flank_deployment", Stance.DETERRENCE
    WRITTEN_RESPONSE = "written_response", Stance.DIPLOMACY
    CONCESSION = "concession", Stance.DIPLOMACY
    FREEZE_OFFER = "freeze_offer", Stance.DIPLOMACY
    MISSILE_THREAT = "missile_threat", Stance.DETERRENCE
    SANCTION_SUPPORT = "sanction_support", Stance.DETERRENCE
    # Ukraine
    MOBILISATION = "mobilisation", Stance.DETERRENCE
    AID_REQUEST = "aid_request", Stance.DETERRENCE
    MINSK_CONCESSION = "minsk_concession", Stance.DIPLOMACY
    DONBAS_OFFENSIVE = "donbas_offensive", Stance.DETERRENCE
    # anyone (Russia's talks imply a little intent too)
    TALKS = "talks", Stance.DIPLOMACY, 0.3


# How much each Russian signal, read at full intensity, says about an intent to invade: the
# kinds that carry an intent, for the readers' look-up every signal.
INTENT_IMPLIED: dict[Kind, float] = {k: k.intent for k in Kind if k.intent is not None}

# Actions that send no signal of their own name, and what they say; every other action is
# named after the kind of signal it sends and takes that kind's stance.
ACTION_STANCES: dict[str, Stance] = {
    "none": Stance.WAITING,  # no choice made yet (week 0)
    "hold": Stance.WAITING,
    "invade": Stance.WAR,
    "continue_war": Stance.WAR,
}


def action_stance(action: str) -> Stance:
    """The stance an action takes; unknown actions count as waiting."""
    stance = ACTION_STANCES.get(action)
    if stance is not None:
        return stance
    kind = _KIND_OF.get(action)
    return Stance.WAITING if kind is None else kind.stance


_KIND_OF: dict[str, Kind] = {str(kind): kind for kind in Kind}

#: The tracks an actor acts on each week, in the order a headline prefers them at equal
#: stance: one action per track, so a threat never crowds out a delivery.
TRACKS = ("military", "aid", "economic", "diplomatic")
TRACK_SLOT = {track: i for i, track in enumerate(TRACKS)}  # a track's draw among an actor's
KIND_SLOT = {kind: i for i, kind in enumerate(Kind)}  # a kind's draw among a pair's signals


def headline_action(actions: Iterable[str]) -> str:
    """The week's headline among an actor's track actions: the sharpest stance, the earlier
    track at equal stance; "hold" when every track holds."""
    best, best_rank = "hold", len(_SHARPNESS)
    for action in actions:
        if action == "hold":
            continue
        rank = _SHARPNESS[action_stance(action)]
        if rank < best_rank:
            best, best_rank = action, rank
    return best


# The intensity of an offer to talk, whoever makes it: an opening, not a commitment.
TALKS_INTENSITY = 0.5

# Western moves that are defensive in intent but look offensive to the other side.
AMBIGUOUS_POSTURES = frozenset({Kind.ARMS_DELIVERY, Kind.FLANK_DEPLOYMENT})


class Signal(NamedTuple):
    """One message; a tuple because a run sends thousands and they are never changed."""

    week: int
    sender: str
    receiver: str
    kind: Kind
    intensity: float
    cost: float


def credibility(cost: float, floor: float, scale: float) -> float:
    """From ``floor`` for cheap talk towards 1 as the sender's cost grows past ``scale``."""
    return floor + (1.0 - floor) * cost / (cost + scale)


def perceived(intensity: float, noise: float, bias: float) -> float:
    """What the receiver reads, clipped to [0, 1]."""
    value = intensity + noise + bias
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
