"""Ukraine: mobilises and asks for aid as the threat grows; rarely concedes on Minsk.

A Ukrainian attempt to retake Donbas by force is a stated Russian red line (003); it is an
option here, attractive only to a risk-seeking Ukraine, and provokes Russia if taken.
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world.choice import Option
from world.signals import INTENT_IMPLIED, Kind, Signal

MOBILISATION_GAIN = 0.01  # capability added by a week of mobilisation


class Ukraine(Actor):
    reads = frozenset(INTENT_IMPLIED)

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.belief = 0.4

    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        implied = INTENT_IMPLIED.get(signal.kind)
        if implied is not None and signal.sender == self.model.challenger.actor:
            self.belief = toward(self.belief, implied, weight * max(intensity, 0.2))

    def reassess(self) -> None:
        self.threat = clip01(self.belief + (0.5 if self.model.invasion else 0.0))

    def options(self) -> dict[str, Option]:
        profile = self.profile
        threat, resolve = self.threat, self.resolve
        return {
            "hold": 0.0,
            "mobilisation": threat * resolve * 0.5 - 0.05,
            "aid_request": threat * 0.3,
            "talks": profile.diplomacy_preference,
            "minsk_refusal": resolve * 0.1,
            "minsk_concession": (1.0 - resolve) * threat * 0.3 - 0.1,
            "donbas_offensive": [(0.3, 0.3), (0.7, -0.4)],
        }

    def act(self, action: str) -> None:
        model = self.model
        russia = model.challenger.actor
        if action == "mobilisation":
            model.deliver_arms(0.0, MOBILISATION_GAIN)
            self.send(russia, Kind.MOBILISATION, 0.5, 0.03)
        elif action == "aid_request":
            partners = model.alliance.neighbours(self.actor, "security_partner")
            self.send(partners, Kind.AID_REQUEST, self.threat, 0.0)
        elif action == "talks":
            self.send(russia, Kind.TALKS, 0.5, 0.0)
        elif action == "minsk_refusal":
            self.send(russia, Kind.MINSK_REFUSAL, 0.5, 0.0)
        elif action == "minsk_concession":
            self.send(russia, Kind.MINSK_CONCESSION, 0.8, 0.1)
        elif action == "donbas_offensive":
            self.send(russia, Kind.DONBAS_OFFENSIVE, 1.0, 0.2)
            model.push_rung(3)
