"""Units travel with the data: the column dictionary of the model's tables (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cli.main import main
from experiments.columns import DUMMY_ENTRY, RUN_FIXED
from model import EscalationModel
from model.columns import AGENTS, METADATA_KEY, MODEL, SIGNALS, TABLE_COLUMNS
from model.escalation import AGENT_COLUMNS, MODEL_COLUMNS, SIGNAL_COLUMNS

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def test_the_dictionary_covers_every_column_of_the_model_and_no_other() -> None:
    assert list(MODEL) == list(MODEL_COLUMNS)
    assert list(AGENTS) == ["week", "date", *AGENT_COLUMNS]
    assert list(SIGNALS) == list(SIGNAL_COLUMNS)
    for dictionary in TABLE_COLUMNS.values():
        for name, entry in dictionary.items():
            assert set(entry) == {"unit", "meaning"} and all(entry.values()), name


def test_history_carries_units_and_meanings_in_attrs() -> None:
    history = EscalationModel("baseline", rng=3, weeks=4).run().history()
    for name, frame in history.items():
        described = frame.attrs["columns"]
        assert list(described) == list(frame.columns), name
        assert described == {c: TABLE_COLUMNS[name][c] for c in frame.columns}
    assert history["model"].attrs["columns"]["eu_gas_storage"]["unit"].startswith("fraction")


def _documented() -> dict[tuple[str, str], tuple[str, str]]:
    text = ODD.read_text(encoding="utf-8")
    section = text[text.index("### 9.1 Data dictionary") : text.index("## 10 Scenarios")]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`"):
            rows[(cells[0], cells[1].strip("`"))] = (cells[2], cells[3])
    return rows


def test_the_documented_data_dictionary_is_the_code_s() -> None:
    documented = _documented()
    expected = {
        (table, name): (entry["unit"], entry["meaning"])
        for table, dictionary in [*TABLE_COLUMNS.items(), ("runs", RUN_FIXED)]
        for name, entry in dictionary.items()
    }
    expected[("runs", "dummy")] = (DUMMY_ENTRY["unit"], DUMMY_ENTRY["meaning"])
    pattern = documented.pop(("runs", "<parameter>"))
    assert "§8" in pattern[0]
    assert documented == expected


def test_run_out_writes_the_dictionary_into_parquet_and_beside_csv(tmp_path: Path) -> None:
    argv = ["run", "--weeks", "3", "--seed", "2", "--quiet", "--out"]
    assert main([*argv, str(tmp_path / "p")]) == 0
    for name, dictionary in TABLE_COLUMNS.items():
        path = tmp_path / "p" / f"{name}.parquet"
        assert json.loads(pq.read_schema(path).metadata[METADATA_KEY]) == dictionary
        assert pd.read_parquet(path).attrs["columns"] == dictionary  # pandas restores attrs
    assert main([*argv, str(tmp_path / "c"), "--format", "csv"]) == 0
    sidecar = json.loads((tmp_path / "c" / "columns.json").read_text())
    assert sidecar == TABLE_COLUMNS


def test_the_timeline_states_gas_storage_as_the_tables_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """eu_gas_storage is a 0-1 fraction in the tables, so the timeline prints a fraction."""
    assert main(["run", "--weeks", "2", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "gas fill" in lines[1]
    model = EscalationModel("baseline", rng=1, weeks=2).run().history()["model"]
    for line, storage in zip(lines[2:5], model["eu_gas_storage"], strict=True):
        assert "%" not in line and f" {storage:.2f} " in line
    top = model.loc[model["sanction_tier"].idxmax(), "sanction_tier_name"]
    assert f"highest sanction tier: {top};" in lines[-1]  # by name, not its code
