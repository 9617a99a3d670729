"""The documentation keeps up with the code: every parameter has a row in docs/ODD.md."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from world.parameters import SECTIONS, ActorProfile

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
DOCUMENTED = [*SECTIONS.values(), ActorProfile]


@pytest.mark.parametrize(
    "name",
    [f.name for cls in DOCUMENTED for f in dataclasses.fields(cls)],
)
def test_every_parameter_is_in_the_odd_table(name):
    assert f"`{name}`" in ODD.read_text(encoding="utf-8"), f"{name} missing from docs/ODD.md"


def test_every_parameter_has_unit_and_meaning():
    for cls in DOCUMENTED:
        for spec in dataclasses.fields(cls):
            assert spec.metadata.get("unit"), spec.name
            assert spec.metadata.get("meaning"), spec.name


def _odd_default(name: str) -> str:
    for line in ODD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[0] == f"`{name}`":
            return cells[1]
    raise AssertionError(f"{name}: no row in docs/ODD.md")


@pytest.mark.parametrize(
    "name", [f.name for cls in SECTIONS.values() for f in dataclasses.fields(cls)]
)
def test_odd_default_is_the_baseline_value(name):
    """The table shows what `baseline` runs with, calibrated values included."""
    from model import load_scenario

    spec = load_scenario("baseline")
    value = next(
        getattr(getattr(spec, section), name)
        for section, cls in SECTIONS.items()
        if name in {f.name for f in dataclasses.fields(cls)}
    )
    shown = _odd_default(name).replace(",", "").replace("−", "-")
    if isinstance(value, bool):
        assert shown.lower() == str(value).lower(), (name, shown, value)
    elif isinstance(value, int | float):
        assert float(shown) == pytest.approx(float(value)), (name, shown, value)
    else:
        assert shown == str(value), (name, shown, value)
