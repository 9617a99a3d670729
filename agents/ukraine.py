"""Ukraine: mobilises and asks for aid as the threat grows; rarely concedes on Minsk.

It acts on a military track (mobilise, or not) and a diplomatic one (ask for aid, talk, or
concede on Minsk; not conceding is its standing position, so a refusal is no move) in the same
week.

A Ukrainian attempt to retake Donbas by force is a stated Russian red line (003); it is an
option here, attractive only to a risk-seeking Ukraine, and provokes Russia if taken.
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world.choice import Option
from world.moves import DONBAS_RUNG, SIGNALS, UKRAINE_READS
from world.signals import INTENT_IMPLIED, TALKS_INTENSITY, Kind, Signal


class Ukraine(Actor):
    reads = UKRAINE_READS

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.belief = model.spec.world.target_prior_intent

    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        implied = INTENT_IMPLIED.get(signal.kind)
        if implied is not None and signal.sender == self.model.challenger.name:
            floor = self.model.world.intent_floor
            self.belief = toward(self.belief, implied, weight * max(intensity, floor))
            if signal.kind == Kind.HYBRID_ACTION:
                effect = self.model.world.hybrid_resolve_effect * weight * intensity
                self.resolve = toward(self.resolve, 1.0 if effect > 0 else 0.0, abs(effect))

    def reassess(self) -> None:
        model = self.model
        self.threat = clip01(
            self.belief + (model.world.target_war_threat if model.invasion else 0.0)
        )

    def tracks(self) -> dict[str, dict[str, Option]]:
        profile = self.profile
        world = self.model.world
        threat, resolve = self.threat, self.resolve
        military: dict[str, Option] = {
            "hold": 0.0,
            "mobilisation": threat * resolve * world.mobilisation_value - world.mobilisation_cost,
            "donbas_offensive": [
                (world.donbas_success, world.donbas_gain),
                (1.0 - world.donbas_success, -world.donbas_loss),
            ],
        }
        diplomatic: dict[str, Option] = {
            "hold": 0.0,
            "aid_request": threat * world.aid_request_value,
            "talks": profile.diplomacy_preference,
            "minsk_concession": (1.0 - resolve) * threat * world.minsk_concession_value
            - world.minsk_concession_cost,
        }
        return {"military": military, "diplomatic": diplomatic}

    def act(self, action: str) -> None:
        model = self.model
        russia = model.challenger.name
        if action == "mobilisation":
            model.mobilise(model.world.mobilisation_gain)
            self.send(russia, Kind.MOBILISATION, *SIGNALS[Kind.MOBILISATION])
        elif action == "aid_request":
            partners = model.alliance.neighbours(self.name, "security_partner")
            self.send(partners, Kind.AID_REQUEST, self.threat, 0.0)
        elif action == "talks":
            self.send(russia, Kind.TALKS, TALKS_INTENSITY, 0.0)
        elif action == "minsk_concession":
            self.send(russia, Kind.MINSK_CONCESSION, *SIGNALS[Kind.MINSK_CONCESSION])
        elif action == "donbas_offensive":
            self.send(russia, Kind.DONBAS_OFFENSIVE, *SIGNALS[Kind.DONBAS_OFFENSIVE])
            model.push_rung(DONBAS_RUNG)
