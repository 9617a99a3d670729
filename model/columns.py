"""The data dictionary: the unit and meaning of every column of the model's three tables.

``EscalationModel.history()`` puts the dictionary of each table into ``DataFrame.attrs["columns"]``
(column name -> ``{"unit": ..., "meaning": ...}``); Parquet files written by ``escalation run``
and by the experiment store carry it in their schema metadata under :data:`METADATA_KEY` (JSON),
so the units travel with the data to any Parquet reader. docs/ODD.md §9 shows the same table
(a test keeps the two in agreement). Fractions are 0-1 fractions, never percentages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: Schema-metadata key of the column dictionary in every Parquet file the project writes.
METADATA_KEY = b"escalation.columns"
#: Key of the column dictionary in ``DataFrame.attrs``.
ATTRS_KEY = "columns"
# Beside CSV files, which have no place for them: unit and meaning of every column, per table.
COLUMNS_FILE = "columns.json"

Dictionary = dict[str, dict[str, str]]  # column -> {"unit": ..., "meaning": ...}


def _entries(rows: Iterable[tuple[str, str, str]]) -> Dictionary:
    return {name: {"unit": unit, "meaning": meaning} for name, unit, meaning in rows}


_WEEK = ("week", "week number, 0 = the scenario's start_date (the state before any step)")
_DATE = ("date", "calendar date of the week: start_date + 7 days per week")

#: The ``model`` table: one row per week (``model.escalation.MODEL_COLUMNS``).
MODEL = _entries(
    [
        ("week", *_WEEK),
        ("date", *_DATE),
        (
            "rung",
            "rung 0-7",
            "escalation ladder rung reached this week (0 status quo ... 7 nuclear)",
        ),
        ("rung_name", "name", "name of the rung"),
        ("russian_troops", "troops", "Russian troops deployed near Ukraine"),
        ("ukraine_capability", "index, 1 at week 0", "Ukraine's defensive capability"),
        ("eastern_flank_troops", "troops", "NATO troops on the eastern flank"),
        ("invasion", "true/false", "a full-scale invasion has begun (true from its week on)"),
        ("sanction_tier", "tier 0-5", "sanction tier in force, cumulative (0 none ... 5 energy)"),
        ("sanction_tier_name", "name", "name of the sanction tier"),
        ("talks", "name", "talks track: broken off, none, contacts, formal talks, ... agreement"),
        ("eu_gas_storage", "fraction of capacity (0-1)", "EU gas storage fill (the EU agent's)"),
        ("gas_flow", "fraction of contract (0-1)", "Russian pipeline gas flow to Europe"),
        ("energy_price", "EUR/MWh", "gas price (TTF) from storage fill and Russian flow"),
        ("alliance_cohesion", "trust 0-1", "mean weight of the NATO and EU alliance ties"),
        (
            "arms_in_transit",
            "capability units",
            "arms shipped to Ukraine not yet usable (in delivery or training)",
        ),
        (
            "nord_stream_2_suspended",
            "true/false",
            "whether Germany has suspended Nord Stream 2's certification",
        ),
        (
            "expected_tier_invasion",
            "tier 0-5",
            "sanction tier Russia expects the West to impose if it invades",
        ),
        (
            "expected_tier_incursion",
            "tier 0-5",
            "sanction tier Russia expects after a limited incursion",
        ),
        (
            "invasion_odds",
            "probability",
            "Russia's judged odds that an invasion this week succeeds (0 once at war)",
        ),
    ]
)

#: The ``agents`` table: one row per actor and week (``model.escalation.AGENT_COLUMNS``).
AGENTS = _entries(
    [
        ("week", *_WEEK),
        ("date", *_DATE),
        ("actor", "name", "the actor (as named in the scenario)"),
        ("role", "name", "its role: challenger, target, state or union"),
        (
            "action",
            "name",
            "the week's headline: the sharpest of its track actions ('none' at week 0)",
        ),
        ("military_action", "name", "its action on the military track ('hold' if none)"),
        ("diplomatic_action", "name", "its action on the diplomatic track ('hold' if none)"),
        ("aid_action", "name", "its action on the aid track: arms to Ukraine ('hold' if none)"),
        (
            "economic_action",
            "name",
            "its action on the economic track: hybrid action, gas pressure, a sanction threat,"
            " or 'sanctions' when it imposes ('hold' if none)",
        ),
        ("resolve", "0-1", "willingness to bear costs to resist Russia"),
        ("threat", "0-1", "threat perceived this week"),
        (
            "belief",
            "probability (0-1)",
            "believed chance Russia means to invade; for Russia: expected sanction tier / 5",
        ),
        (
            "sanction_support",
            "tier 0-5",
            "sanction tier the actor would back if Russia invaded: the line its threats carry",
        ),
        (
            "sanction_backing",
            "tier 0-5",
            "sanction tier the actor backs imposing now, given what Russia has done",
        ),
        ("gas_storage", "fraction of capacity (0-1)", "the actor's gas storage fill"),
        ("energy_exposure", "0-1", "exposure to a cut of Russian gas and oil"),
        ("cost", "utility units (stake = 1)", "costs borne so far, cumulative"),
    ]
)

#: The ``signals`` table: one row per signal and receiver (``model.escalation.SIGNAL_COLUMNS``).
SIGNALS = _entries(
    [
        ("week", "week", "week of sending, 0 = the scenario's start_date"),
        ("date", *_DATE),
        ("sender", "name", "the actor sending the signal"),
        ("receiver", "name", "the actor it is sent to"),
        ("kind", "name", "kind of signal (world/signals.py Kind)"),
        ("intensity", "0-1", "intensity as sent, before the receiver's perception noise"),
        ("cost", "utility units (stake = 1)", "the sender's cost of sending it"),
    ]
)

TABLE_COLUMNS: dict[str, Dictionary] = {"model": MODEL, "agents": AGENTS, "signals": SIGNALS}


def describe(
    table: str, columns: Iterable[str], extra: Mapping[str, Any] | None = None
) -> Dictionary:
    """The dictionary entries of ``columns`` of ``table``, in that order.

    ``extra`` describes columns the table itself does not define (``run_id`` in an experiment's
    tables); a column described nowhere gets an empty unit and meaning.
    """
    known = {**TABLE_COLUMNS.get(table, {}), **(extra or {})}
    return {str(name): dict(known.get(str(name), {"unit": "", "meaning": ""})) for name in columns}


def attach(frame: pd.DataFrame, dictionary: Dictionary) -> pd.DataFrame:
    """Put the dictionary of ``frame``'s columns into ``frame.attrs["columns"]``; returns it."""
    frame.attrs[ATTRS_KEY] = {
        name: dictionary[name] for name in frame.columns if name in dictionary
    }
    return frame


def write_parquet(frame: pd.DataFrame, path: Path | str, dictionary: Dictionary) -> None:
    """Write ``frame`` (no index) as Parquet with its column dictionary in the schema metadata."""
    import pyarrow as pa  # here, not at the top: `escalation run` without --out needs no pyarrow
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    described = {name: dictionary[name] for name in frame.columns if name in dictionary}
    metadata = dict(table.schema.metadata or {})
    metadata[METADATA_KEY] = json.dumps(described).encode("utf-8")
    # pandas (2.1 and later) restores DataFrame.attrs from this key in ``pd.read_parquet``.
    metadata[b"PANDAS_ATTRS"] = json.dumps({ATTRS_KEY: described}).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(metadata), path)


def read_dictionary(metadata: Mapping[bytes, bytes] | None) -> Dictionary | None:
    """The column dictionary stored in a Parquet schema's metadata, or None if it has none."""
    if not metadata or METADATA_KEY not in metadata:
        return None
    try:
        found = json.loads(metadata[METADATA_KEY])
    except ValueError:
        return None
    return found if isinstance(found, dict) else None
