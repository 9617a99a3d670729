"""What every actor shares: profile, beliefs updated from signals, risk-adjusted choice."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from model.choice import Lottery, logit_choice, lottery_value
from model.energy import energy_exposure
from model.parameters import ActorProfile
from model.signals import AMBIGUOUS_POSTURES, Kind, Signal, credibility, perceived

if TYPE_CHECKING:
    from model.escalation import EscalationModel


def toward(current: float, target: float, rate: float) -> float:
    return current + rate * (target - current)


def clip01(value: float) -> float:
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


class Actor(mesa.Agent):
    """A state or institution; subclasses say which options it has and what they are worth."""

    model: EscalationModel

    def __init__(self, model: EscalationModel, profile: ActorProfile) -> None:
        super().__init__(model)
        self.profile = profile
        self.actor = profile.name
        self.role = profile.role
        self.action = "none"
        self.resolve = profile.resolve
        self.threat = 0.0
        self.belief = 0.0
        self.cost = 0.0
        self.gas_storage = profile.gas_storage
        self.energy_exposure = 0.0
        self.sanction_support = 0

    # --- observe -------------------------------------------------------------------------
    def observe(self) -> None:
        """Read last week's signals: costly ones move beliefs more, misperception adds noise."""
        world = self.model.spec.world
        noise_sd = world.misperception
        draw = self.model.random
        for signal in self.model.inbox(self.actor):
            bias = 0.0
            if self.role == "challenger" and signal.kind in AMBIGUOUS_POSTURES:
                bias = noise_sd  # defensive postures read as offensive (security dilemma)
            noise = draw.gauss(0.0, noise_sd) if noise_sd > 0.0 else 0.0
            weight = world.belief_learning_rate * credibility(
                signal.cost, world.cheap_talk_credibility, world.credibility_scale
            )
            self.read(signal, perceived(signal.intensity, noise, bias), weight)
        self.energy_exposure = energy_exposure(
            self.profile.gas_import_share,
            self.profile.oil_import_share,
            self.model.spec.policy.lng_alternatives,
            self.profile.winter_sensitivity,
            self.model.load,
            self.gas_storage,
        )
        self.reassess()

    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        """Update beliefs from one signal; ``weight`` is learning rate times credibility."""

    def reassess(self) -> None:
        """Recompute threat, resolve and stances after this week's signals."""

    # --- choose and act ------------------------------------------------------------------
    def step(self) -> None:
        options = self.options()
        world = self.model.spec.world
        values = {
            name: lottery_value(
                lottery,
                self.profile.risk_attitude,
                self.profile.loss_aversion,
                world.value_curvature,
                world.prospect_theory,
            )
            for name, lottery in options.items()
        }
        self.action = logit_choice(values, world.choice_temperature, self.model.random)
        self.act(self.action)

    def options(self) -> dict[str, Lottery]:
        return {"hold": [(1.0, 0.0)]}

    def act(self, action: str) -> None:
        """Carry out the chosen action: send its signals and queue its consequences."""

    def send(self, receivers: list[str] | str, kind: Kind, intensity: float, cost: float) -> None:
        self.model.send(self.actor, receivers, kind, intensity, cost)
