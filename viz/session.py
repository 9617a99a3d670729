"""One interactive run: its settings, the model built from them, and the sliders' parameters.

The app's own controls build each run as ``InteractiveRun(config)``, from the settings the
sidebar (which follows the chosen scenario's values) or the batch page's replay left.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Protocol

from model import EscalationModel, load_scenario
from world.parameters import SECTIONS, ActorProfile, fields_of

DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = 1


@dataclass(frozen=True, slots=True)
class Lever:
    """A slider: the model parameter it sets and the range the schema documents for it."""

    name: str
    label: str
    lo: float
    hi: float
    step: float
    integer: bool = False
    help: str = ""

    def shown(self, value: float) -> str:
        """The slider's label with its current value, e.g. ``Arms aid: 0.30``."""
        return f"{self.label}: {int(value)}" if self.integer else f"{self.label}: {value:.2f}"


def _documented(name: str) -> dict[str, Any]:
    """The schema metadata of an override name (section field or ``<actor>_<field>``)."""
    for cls in SECTIONS.values():
        if name in fields_of(cls):
            return dict(fields_of(cls)[name].metadata)
    for field_name, spec in fields_of(ActorProfile).items():
        if name.endswith("_" + field_name):
            return dict(spec.metadata)
    raise KeyError(name)


def _lever(name: str, label: str, step: float, integer: bool = False) -> Lever:
    meta = _documented(name)
    meaning, unit = meta.get("meaning", ""), meta.get("unit", "")
    help_text = f"{meaning[:1].upper()}{meaning[1:]} ({unit})" if unit else meaning
    return Lever(name, label, meta["lo"], meta["hi"], step, integer, help_text)


LEVERS: tuple[Lever, ...] = (
    _lever("russia_risk_attitude", "Russia's risk attitude", 0.05),
    _lever("sanction_threat_tier", "Western sanction resolve (tier)", 1, integer=True),
    _lever("germany_gas_import_share", "Germany's gas dependence", 0.05),
    _lever("arms_aid", "Arms aid", 0.05),
    _lever("misperception", "Misperception", 0.05),
)


def parse_seed(text: str | int) -> int:
    """A seed typed by the viewer as an int; ValueError with a message the page can show."""
    cleaned = str(text).strip()
    if not cleaned.isdecimal() or not cleaned.isascii():
        shown = cleaned or "an empty field"
        raise ValueError(f"Seed must be a whole number 0 or more, not {shown}.")
    return int(cleaned)


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything that determines an interactive run: scenario, seed and explicit overrides.

    Overrides hold only what the user (or a replayed batch run) set; any other parameter keeps
    the scenario's own value, so picking ``arms_now`` is not undone by the baseline's sliders.
    """

    scenario: str = DEFAULT_SCENARIO
    seed: int = DEFAULT_SEED
    overrides: dict[str, Any] = field(default_factory=dict)
    weeks: int | None = None
    label: str = ""

    def with_override(self, name: str, value: Any) -> RunConfig:
        return dataclasses.replace(self, overrides={**self.overrides, name: value})

    def lever_values(self) -> dict[str, Any]:
        """Each slider's current value: the override if set, else the scenario's value."""
        values = load_scenario(self.scenario).parameter_values()
        return {lever.name: self.overrides.get(lever.name, values[lever.name]) for lever in LEVERS}


class ConfigSource(Protocol):
    """Anything holding the current settings, e.g. a per-session ``solara.Reactive``."""

    @property
    def value(self) -> RunConfig: ...


class InteractiveRun(EscalationModel):
    """The escalation model built from a session's settings, with a fixed seed for replay."""

    def __init__(self, config: RunConfig | ConfigSource, scenario: Any = None) -> None:
        # ``scenario`` would receive Mesa's own experiment Scenario were SolaraViz to rebuild
        # the model; the crisis scenario comes from the settings instead.
        settings = config if isinstance(config, RunConfig) else config.value
        self.config = settings
        super().__init__(
            settings.scenario, rng=settings.seed, weeks=settings.weeks, **settings.overrides
        )
        # The tables record no tie, so the weights the network draws are kept week by week
        # for the week scrubber (a few dozen numbers a week).
        self._edge_weights: list[tuple[float, ...]] = [self._weights_now()]

    def step(self) -> None:
        super().step()
        self._edge_weights.append(self._weights_now())

    def _weights_now(self) -> tuple[float, ...]:
        edges = self.alliance.graph.edges(keys=True, data=True)
        return tuple(float(data.get("weight", 1.0)) for *_, data in edges)

    def edge_weights(self, week: int) -> tuple[float, ...] | None:
        """Every tie's weight in ``week`` (the graph's edge order), None if not kept."""
        if 0 <= week < len(self._edge_weights):
            return self._edge_weights[week]
        return None
