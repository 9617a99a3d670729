"""Typed signals between actors, and how a receiver weighs them.

Costly signals are more credible (Fearon 1997: sinking costs and tying hands); cheap talk moves
beliefs only a little. Misperception adds noise to what a receiver reads and, for postures that
look alike, reads defensive moves as offensive (Jervis 1978).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Kind(StrEnum):
    # Russia
    BUILD_UP = "build_up"
    DEMANDS = "demands"
    MILITARY_TECHNICAL_THREAT = "military_technical_threat"
    HYBRID_ACTION = "hybrid_action"
    ENERGY_PRESSURE = "energy_pressure"
    RECOGNITION = "recognition"
    LIMITED_INCURSION = "limited_incursion"
    INVASION = "invasion"
    PULL_BACK = "pull_back"
    NUCLEAR_THREAT = "nuclear_threat"
    # West
    SANCTION_THREAT = "sanction_threat"
    SANCTIONS = "sanctions"
    ARMS_DELIVERY = "arms_delivery"
    FLANK_DEPLOYMENT = "flank_deployment"
    WRITTEN_RESPONSE = "written_response"
    ARMS_CONTROL_OFFER = "arms_control_offer"
    CONCESSION = "concession"
    FREEZE_OFFER = "freeze_offer"
    MISSILE_THREAT = "missile_threat"
    SANCTION_SUPPORT = "sanction_support"
    # Ukraine
    MOBILISATION = "mobilisation"
    AID_REQUEST = "aid_request"
    MINSK_CONCESSION = "minsk_concession"
    MINSK_REFUSAL = "minsk_refusal"
    DONBAS_OFFENSIVE = "donbas_offensive"
    # anyone
    TALKS = "talks"


# How much each Russian signal, read at full intensity, says about an intent to invade.
INTENT_IMPLIED = {
    Kind.BUILD_UP: 0.7,
    Kind.DEMANDS: 0.55,
    Kind.MILITARY_TECHNICAL_THREAT: 0.7,
    Kind.HYBRID_ACTION: 0.65,
    Kind.ENERGY_PRESSURE: 0.55,
    Kind.RECOGNITION: 0.9,
    Kind.LIMITED_INCURSION: 1.0,
    Kind.INVASION: 1.0,
    Kind.NUCLEAR_THREAT: 1.0,
    Kind.PULL_BACK: 0.1,
    Kind.TALKS: 0.3,
}

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
