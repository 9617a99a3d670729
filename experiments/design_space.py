"""The space a design varies: its parameter sets, and the checks every sampler applies.

Below both :mod:`experiments.design` (which reads a file) and :mod:`experiments.samplers`
(which build the sets), so that neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from world.errors import EscalationError
from world.scenario import ScenarioError, ScenarioSpec

DUMMY = "dummy"


class ExperimentError(EscalationError):
    """An experiment file is invalid; the message names the file, the field and the rule."""


@dataclass(frozen=True, slots=True)
class Design:
    """The parameter sets of an experiment, in sampler order (SALib order for SALib samplers)."""

    sampler: str
    names: tuple[str, ...]  # varied parameters, incl. "dummy" when used
    matrix: tuple[tuple[Any, ...], ...]  # one row per sample, values as given to the model
    settings: dict[str, Any]  # samples, num_levels, second_order, dummy, the SALib problem...

    @property
    def samples(self) -> int:
        return len(self.matrix)

    def parameters(self, sample: int) -> dict[str, Any]:
        """The model overrides of one sample; the dummy never reaches the model."""
        row = self.matrix[sample]
        return {name: value for name, value in zip(self.names, row, strict=True) if name != DUMMY}


def parameter_kinds(names: list[str], specs: Sequence[ScenarioSpec], where: str) -> dict[str, type]:
    """The type of each named parameter; it must exist in every scenario of the experiment."""
    kinds = {}
    for name in names:
        if name == DUMMY:
            raise ExperimentError(f"{where}.{name}: 'dummy' is reserved; set design.dummy = true")
        for spec in specs:
            values = spec.parameter_values()
            if name not in values:
                try:
                    spec.with_overrides({name: None}, origin=where)
                except ScenarioError as exc:
                    raise ExperimentError(f"{exc} (scenario '{spec.name}')") from None
            kinds[name] = type(values[name])
    return kinds


def check_value(
    name: str, value: Any, specs: Sequence[ScenarioSpec], where: str, kind: type | None = None
) -> Any:
    """Validate one value against the parameter's documented type and range."""
    for spec in specs:
        probe = float(value) if kind is float and not isinstance(value, bool) else value
        try:
            if kind is float and type(spec.parameter_values()[name]) is int:
                probe = round(probe)
            spec.with_overrides({name: probe}, origin=where)
        except ScenarioError as exc:
            message = str(exc).replace(f"{where} '{name}'", where)
            raise ExperimentError(message) from None
    return value


def read_key(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise ExperimentError(f"{where}: missing required key '{key}'")
        return default
    value = table[key]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        names = {int: "a whole number", str: "a string", list: "a list", dict: "a table"}
        expected = names.get(kind, "true or false")
        raise ExperimentError(f"{where}: '{key}' must be {expected}, got {value!r}")
    return value


def check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ExperimentError(f"{where}: unknown key '{key}'; allowed: {', '.join(allowed)}")
