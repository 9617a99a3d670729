"""What every actor shares: profile, beliefs updated from signals, risk-adjusted choice.

An actor acts on up to four tracks a week (military, aid, economic, diplomatic), choosing on each
by logit among that track's options, so a threat of sanctions never crowds out an arms delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import mesa

from world.choice import Option, choose, lottery_value
from world.decisions import threatened_tier
from world.energy import energy_exposure
from world.parameters import ActorProfile
from world.signals import TRACK_SLOT, TRACKS, Kind, Signal, headline_action


def toward(current: float, target: float, rate: float) -> float:
    return current + rate * (target - current)


def clip01(value: float) -> float:
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


class Actor(mesa.Agent):
    """A state or institution; subclasses say which options it has and what they are worth."""

    model: Any  # the EscalationModel (agents sit below the model and never import it)
    #: The kinds of signal this actor's beliefs respond to; others are delivered but not read.
    reads: ClassVar[frozenset[Kind]] = frozenset()
    #: Options taken only by deliberate decision, when they are the best valued of their
    #: track, never by choice noise (the decision to go to war).
    deliberate: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, model: Any, profile: ActorProfile) -> None:
        super().__init__(model)
        self.profile = profile
        self.name = profile.name  # as in every table (the agents table's "actor" column)
        self.slot = 0  # its place in the scenario's list of actors: which draws are its own
        self.role = profile.role
        self.action = "none"
        self.track_actions: dict[str, str] = dict.fromkeys(TRACKS, "none")
        self.resolve = profile.resolve
        self.threat = 0.0
        self.belief = 0.0
        self.cost = 0.0
        self.gas_storage = profile.gas_storage
        self.energy_exposure = 0.0
        self.sanction_support = 0  # the tier it would back against an invasion
        self.sanction_backing = 0  # the tier it backs imposing now

    # --- observe -------------------------------------------------------------------------
    def observe(self) -> None:
        """Read last week's signals as delivered: perceived, and weighted by their cost."""
        model = self.model
        read = self.read
        for signal, intensity, weight in model.inbox(self.name):
            read(signal, intensity, weight)
        profile = self.profile
        self.energy_exposure = energy_exposure(
            profile.gas_import_share,
            profile.oil_import_share,
            model.policy.lng_alternatives,
            profile.winter_sensitivity,
            model.load,
            self.gas_storage,
        )
        self.reassess()

    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        """Update beliefs from one signal; ``weight`` is learning rate times credibility."""

    def reassess(self) -> None:
        """Recompute threat, resolve and stances after this week's signals."""

    # --- choose and act ------------------------------------------------------------------
    def step(self) -> None:
        world = self.model.world
        profile = self.profile
        # The week's uniforms, one per (actor, track), keyed so that no other actor's choices
        # move this one's draws (`world.draws`).
        draws = self.model.choice_draws
        first = self.slot * len(TRACKS)
        chosen = dict.fromkeys(TRACKS, "hold")
        for track, options in self.tracks().items():
            if self.deliberate and not self.deliberate.isdisjoint(options):
                options = self.decide(options)
            if len(options) > 1:
                chosen[track] = choose(
                    options,
                    profile.risk_attitude,
                    profile.loss_aversion,
                    world.value_curvature,
                    world.prospect_theory,
                    world.choice_temperature,
                    draws[first + TRACK_SLOT[track]],
                )
            elif options:
                chosen[track] = next(iter(options))
        self.track_actions = chosen
        self.action = headline_action(chosen.values())
        for action in chosen.values():
            if action != "hold":
                self.act(action)

    def tracks(self) -> dict[str, dict[str, Option]]:
        """Each track's options, each option's outcome against the status quo ("hold")."""
        return {}

    def decide(self, options: dict[str, Option]) -> dict[str, Option]:
        """A deliberate option alone if it is the best valued; otherwise the other options."""
        world = self.model.world
        profile = self.profile

        def value(option: Option) -> float:
            return lottery_value(
                option,
                profile.risk_attitude,
                profile.loss_aversion,
                world.value_curvature,
                world.prospect_theory,
            )

        best = max(options, key=lambda name: value(options[name]))
        if best in self.deliberate:
            return {best: options[best]}
        return {name: o for name, o in options.items() if name not in self.deliberate}

    def threat_tier(self) -> int:
        """What a sanctioner threatens: the West's declared tier, if it backs any sanctions.

        Joining the common threat ties its hands (Fearon 1997): having threatened a tier, it
        pays the audience cost of backing less, which lifts its own line toward the threat.
        """
        return threatened_tier(self.sanction_support, self.model.policy.sanction_threat_tier)

    @property
    def military_action(self) -> str:
        return self.track_actions["military"]

    @property
    def aid_action(self) -> str:
        return self.track_actions["aid"]

    @property
    def economic_action(self) -> str:
        return self.track_actions["economic"]

    @property
    def diplomatic_action(self) -> str:
        return self.track_actions["diplomatic"]

    def act(self, action: str) -> None:
        """Carry out the chosen action: send its signals and queue its consequences."""

    def send(
        self, receivers: Sequence[str] | str, kind: Kind, intensity: float, cost: float
    ) -> None:
        self.model.send(self.name, receivers, kind, intensity, cost)
