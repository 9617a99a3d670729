"""The documentation keeps up with the code: every parameter has a row in docs/ODD.md."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from model.parameters import SECTIONS, ActorProfile

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
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
