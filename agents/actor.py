"""What every actor shares: a Mesa agent whose state is its row of the run's arrays.

An actor's quantities (resolve, threat, belief, what it chose on each track) live in its row
of the run's state (`process.layout.A`), where the compiled weekly process (`process.week`)
reads and writes them; the agent is a view of that row, named as the tables name it. Its turn
(`Actor.step`: choose on each of the four tracks by logit among that track's options, then act)
is the compiled process's, so one run here is the ensemble engine's replicate of its seed,
number for number (tests/ensemble).
"""

from __future__ import annotations

from typing import Any, ClassVar

import mesa

from process.layout import ACTIONS, A
from world.parameters import ActorProfile
from world.signals import Kind


class Quantity:
    """One of an actor's quantities: its place in the actor's row, read as ``kind``."""

    def __init__(self, field: A, kind: type = float) -> None:
        self.field = int(field)
        self.kind = kind

    def __get__(self, actor: Any, owner: type | None = None) -> Any:
        if actor is None:
            return self
        return self.kind(actor.model.replicate.state.a[actor.slot, self.field])

    def __set__(self, actor: Any, value: Any) -> None:
        actor.model.replicate.state.a[actor.slot, self.field] = value


class Action(Quantity):
    """An action an actor took this week, by name (`process.layout.ACTIONS`)."""

    def __get__(self, actor: Any, owner: type | None = None) -> Any:
        if actor is None:
            return self
        return ACTIONS[int(actor.model.replicate.state.a[actor.slot, self.field])]

    def __set__(self, actor: Any, value: Any) -> None:
        actor.model.replicate.state.a[actor.slot, self.field] = ACTIONS.index(value)


class Actor(mesa.Agent):
    """A state or institution of the crisis, as a view of its row of the run's state."""

    model: Any  # the EscalationModel (agents sit below the model and never import it)
    #: The kinds of signal this actor's beliefs respond to (`world.moves`).
    reads: ClassVar[frozenset[Kind]] = frozenset()

    resolve = Quantity(A.RESOLVE)
    threat = Quantity(A.THREAT)
    belief = Quantity(A.BELIEF)
    cost = Quantity(A.COST)
    gas_storage = Quantity(A.GAS_STORAGE)
    energy_exposure = Quantity(A.ENERGY_EXPOSURE)
    sanction_support = Quantity(A.SANCTION_SUPPORT, int)  # the tier it would back if invaded
    sanction_backing = Quantity(A.SANCTION_BACKING, int)  # the tier it backs imposing now
    action = Action(A.ACTION)  # the week's headline action, the sharpest of its tracks'
    military_action = Action(A.MILITARY)
    aid_action = Action(A.AID)
    economic_action = Action(A.ECONOMIC)
    diplomatic_action = Action(A.DIPLOMATIC)

    def __init__(self, model: Any, profile: ActorProfile, slot: int) -> None:
        super().__init__(model)
        self.profile = profile
        self.name = profile.name  # as in every table (the agents table's "actor" column)
        self.role = profile.role
        self.slot = slot  # its row: its place in the scenario's list of actors

    def step(self) -> None:
        """Its turn of the week: choose on every track, then act (`process.week.step`)."""
        self.model.replicate.take_turn(self.slot)

    @property
    def track_actions(self) -> dict[str, str]:
        """What it chose this week on each track."""
        return {
            "military": self.military_action,
            "aid": self.aid_action,
            "economic": self.economic_action,
            "diplomatic": self.diplomatic_action,
        }
