"""Units travel with an experiment's results: Parquet schema metadata and attrs (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from experiments import load
from experiments.columns import RUN_FIXED, parameter_entry, runs_dictionary
from experiments.design import load_experiment
from experiments.runner import run_experiment
from experiments.store import RUN_PLACE, RUN_RESULT, read_design, read_table
from model.columns import METADATA_KEY, TABLE_COLUMNS
from world.parameters import ActorProfile, World

SWEEP = """
name = "units"
seed = 5
replicates = 1
weeks = 3
scenarios = ["baseline"]
record = ["model", "agents", "signals"]
chunk_size = 1

[design]
sampler = "latin"
samples = 2

[design.parameters]
russia_risk_attitude = {min = -0.2, max = 0.6}
misperception = {min = 0.05, max = 0.3}
"""


def test_the_runs_dictionary_names_every_fixed_column() -> None:
    assert list(RUN_FIXED) == [*RUN_PLACE, *RUN_RESULT]


def test_parameter_columns_take_unit_and_meaning_from_the_schema() -> None:
    field = World.__dataclass_fields__["misperception"]
    assert parameter_entry("misperception") == {
        "unit": field.metadata["unit"],
        "meaning": field.metadata["meaning"],
    }
    risk = ActorProfile.__dataclass_fields__["risk_attitude"]
    entry = parameter_entry("russia_risk_attitude")
    assert entry["unit"] == risk.metadata["unit"]
    assert entry["meaning"] == f"russia: {risk.metadata['meaning']}"
    assert parameter_entry("united_states_resolve")["meaning"].startswith("united_states: ")
    assert parameter_entry("dummy")["meaning"].startswith("a parameter the model never reads")


def test_every_part_carries_the_dictionary_and_the_reader_attaches_it(tmp_path: Path) -> None:
    (tmp_path / "units.toml").write_text(SWEEP)
    out = tmp_path / "out"
    run_experiment(load_experiment(tmp_path / "units.toml"), out)
    parts = sorted(out.glob("*/part-*.parquet"))
    assert len(parts) == 4 * 2
    for part in parts:
        stored = json.loads(pq.read_schema(part).metadata[METADATA_KEY])
        columns = pq.read_schema(part).names
        assert list(stored) == columns, part
        table = part.parent.name
        if table == "runs":
            assert stored == runs_dictionary(columns)
        else:
            assert stored["run_id"] == RUN_FIXED["run_id"]
            assert {k: v for k, v in stored.items() if k != "run_id"} == TABLE_COLUMNS[table]
    tables = load(out)
    runs = tables["runs"]
    assert list(runs.attrs["columns"]) == list(runs.columns)
    assert runs.attrs["columns"]["russia_risk_attitude"] == parameter_entry("russia_risk_attitude")
    assert runs.attrs["columns"]["wall_time"]["unit"] == "seconds"
    assert (
        tables["model"].attrs["columns"]["eu_gas_storage"]
        == TABLE_COLUMNS["model"]["eu_gas_storage"]
    )
    some = read_table(out, "model", ["run_id", "energy_price"])
    assert list(some.attrs["columns"]) == ["run_id", "energy_price"]
    assert some.attrs["columns"]["energy_price"]["unit"] == "EUR/MWh"
    design = read_design(out)
    assert design is not None and design.attrs["columns"]["misperception"]["unit"]
    assert json.loads(pq.read_schema(out / "design.parquet").metadata[METADATA_KEY])


def test_a_directory_written_without_the_dictionary_is_described_by_the_code(
    tmp_path: Path,
) -> None:
    (tmp_path / "units.toml").write_text(SWEEP)
    out = tmp_path / "out"
    run_experiment(load_experiment(tmp_path / "units.toml"), out)
    for part in (out / "model").glob("part-*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.replace_schema_metadata({}), part)
    model = read_table(out, "model")
    assert model.attrs["columns"]["rung"] == TABLE_COLUMNS["model"]["rung"]
