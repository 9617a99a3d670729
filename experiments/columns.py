"""The data dictionary of an experiment's tables: the runs table and its parameter columns.

The columns of ``model``, ``agents`` and ``signals`` are described in :mod:`model.columns`;
this module adds the runs table (``experiments.store.RUN_PLACE`` and ``RUN_RESULT``) and the
parameter columns, whose unit and meaning come from the parameter schema
(:mod:`world.parameters`), named as ``ScenarioSpec.parameter_values`` names them: a field of
the world, invasion_calculus or policy tables by its own name, an actor's field as
``<actor>_<field>`` (``russia_risk_attitude``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from model.columns import Dictionary, describe
from world.parameters import SECTIONS, ActorProfile

#: The columns of the runs table that are not parameters.
RUN_FIXED: Dictionary = {
    name: {"unit": unit, "meaning": meaning}
    for name, unit, meaning in [
        (
            "run_id",
            "id",
            "number of the run: scenario, then sample, then replicate; a block of them per"
            " growth of the experiment (manifest replicate_blocks)",
        ),
        ("scenario", "name", "the scenario, as written in the experiment file"),
        ("sample", "row", "the run's parameter set: its row of design.parquet"),
        ("replicate", "count", "replicate number within the parameter set, from 0"),
        ("seed", "integer", "the run's seed, spawned from the experiment seed (manifest.json)"),
        ("weeks", "weeks", "horizon: the last week simulated"),
        ("status", "name", "'ok', or 'error' when the run raised"),
        ("error", "text", "the exception, as 'Type: message'; empty when ok"),
        ("wall_time", "seconds", "time the run took"),
        ("package_version", "version", "version of this package that ran it"),
        ("mesa_version", "version", "version of Mesa that ran it"),
        ("python_version", "version", "version of Python that ran it"),
    ]
}
DUMMY_ENTRY = {
    "unit": "0-1",
    "meaning": "a parameter the model never reads: the noise floor of a sensitivity analysis",
}


def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for cls in SECTIONS.values() for f in dataclasses.fields(cls)}


def parameter_entry(name: str) -> dict[str, str]:
    """Unit and meaning of a parameter column, from the parameter schema (empty if unknown)."""
    if name == "dummy":
        return dict(DUMMY_ENTRY)
    found = _fields().get(name)
    if found is not None:
        return {"unit": found.metadata["unit"], "meaning": found.metadata["meaning"]}
    actor_fields = {f.name: f for f in dataclasses.fields(ActorProfile)}
    matches = [f for f in actor_fields if name.endswith("_" + f) and len(name) > len(f) + 1]
    if matches:
        field = actor_fields[max(matches, key=len)]
        actor = name[: -len(field.name) - 1]
        meaning = f"{actor}: {field.metadata['meaning']}"
        return {"unit": field.metadata["unit"], "meaning": meaning}
    return {"unit": "", "meaning": ""}


def runs_dictionary(columns: Iterable[str]) -> Dictionary:
    """The dictionary of a runs (or design) table with these columns, in their order."""
    return {
        name: dict(RUN_FIXED[name]) if name in RUN_FIXED else parameter_entry(name)
        for name in columns
    }


def table_dictionary(table: str, columns: Iterable[str]) -> Dictionary:
    """The dictionary of any table of a results directory: runs, model, agents or signals."""
    columns = list(columns)
    if table in ("model", "agents", "signals"):
        return describe(table, columns, {"run_id": RUN_FIXED["run_id"]})
    return runs_dictionary(columns)
