"""What a block recorded, framed as the Mesa model's tables: whole columns, no row objects.

`columns` gives a block's ``model``, ``agents`` and ``signals`` tables as NumPy columns (names
and actions as categoricals), every row led by its replicate's run index; `history` frames one
replicate exactly as ``EscalationModel.history()`` frames its run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ensemble.driver import Block
from model.columns import TABLE_COLUMNS, attach
from model.escalation import AGENT_COLUMNS, MODEL_COLUMNS
from process.layout import ACTIONS, AGENT_ACTIONS, AGENT_NUMBERS, KINDS, MODEL_NUMBERS, week_dates
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES, TALKS_NAMES

_INTEGER = {"rung", "sanction_tier", "sanction_support", "sanction_backing"}
_BOOLEAN = {"invasion", "nord_stream_2_suspended"}
_NAMED = {
    "rung": ("rung_name", RUNG_NAMES),
    "sanction_tier": ("sanction_tier_name", SANCTION_TIER_NAMES),
}
TABLES = ("model", "agents", "signals")


def _typed(name: str, values: np.ndarray) -> np.ndarray:
    if name in _INTEGER:
        return values.astype(np.int64)
    if name in _BOOLEAN:
        return values != 0.0
    return values


def _names(codes: np.ndarray, names: dict[int, str]) -> pd.Categorical:
    low = min(names)
    categories = [names[k] for k in range(low, max(names) + 1)]
    return pd.Categorical.from_codes(codes.astype(np.int64) - low, categories=categories)


def columns(
    block: Block, replicates: Sequence[int] | None = None, tables: Sequence[str] = TABLES
) -> dict[str, dict[str, Any]]:
    """The block's tables (or those named) as columns over the chosen replicates, each row led
    by ``replicate`` (its index in the block)."""
    chosen = np.arange(len(block.seeds)) if replicates is None else np.asarray(replicates)
    weeks = block.weeks + 1
    dates = np.array(week_dates(block.spec, block.weeks), dtype="datetime64[s]")
    found: dict[str, dict[str, Any]] = {}
    model = block.model[chosen]
    number = {name: model[:, :, j].ravel() for j, name in enumerate(MODEL_NUMBERS)}
    table: dict[str, Any] = {
        "replicate": np.repeat(chosen, weeks),
        "week": np.tile(np.arange(weeks), len(chosen)),
    }
    table["date"] = dates[table["week"]]
    for column, attribute in MODEL_COLUMNS.items():
        if column in ("week", "date"):
            continue
        if column == "talks":
            table[column] = _names(number["talks"], TALKS_NAMES)
        elif attribute in ("rung_name", "sanction_tier_name"):
            source = column.removesuffix("_name")
            table[column] = _names(number[source], _NAMED[source][1])
        else:
            table[column] = _typed(column, number[column])
    found["model"] = table
    if "agents" in tables:
        if not block.agents:
            raise ValueError("this block kept no agents table: simulate(..., agents=True)")
        actors = block.spec.actors
        order = _mesa_order(block)
        n = len(actors)
        rows = len(chosen) * weeks * n
        table = {
            "replicate": np.repeat(chosen, weeks * n),
            "week": np.tile(np.repeat(np.arange(weeks), n), len(chosen)),
        }
        table["date"] = dates[table["week"]]
        names = [actors[i].name for i in order]
        roles = [actors[i].role for i in order]
        table["actor"] = pd.Categorical.from_codes(np.tile(np.arange(n), rows // n), names)
        role_names = sorted(set(roles))
        role_codes = np.array([role_names.index(r) for r in roles])
        table["role"] = pd.Categorical.from_codes(np.tile(role_codes, rows // n), role_names)
        codes = block.agent_codes[chosen]
        values = block.agent_numbers[chosen]
        for column in AGENT_COLUMNS:
            if column in ("actor", "role"):
                continue
            if column in AGENT_ACTIONS:
                j = list(AGENT_ACTIONS).index(column)
                table[column] = pd.Categorical.from_codes(
                    codes[:, :, :, j].ravel().astype(np.int64), ACTIONS
                )
            else:
                j = AGENT_NUMBERS.index(column)
                table[column] = _typed(column, values[:, :, :, j].ravel())
        found["agents"] = table
    if "signals" in tables:
        if block.signals is None or block.signal_counts is None:
            raise ValueError("this block kept no signal log: simulate(..., signals=True)")
        counts = block.signal_counts[chosen]
        logged = np.concatenate([block.signals[r, : counts[k]] for k, r in enumerate(chosen)])
        logged = logged.reshape(-1, 6)
        week = logged[:, 0].astype(np.int64)
        names = [a.name for a in block.spec.actors]
        found["signals"] = {
            "replicate": np.repeat(chosen, counts),
            "week": week,
            "date": dates[week],
            "sender": pd.Categorical.from_codes(logged[:, 1].astype(np.int64), names),
            "receiver": pd.Categorical.from_codes(logged[:, 2].astype(np.int64), names),
            "kind": pd.Categorical.from_codes(
                logged[:, 3].astype(np.int64), [str(k) for k in KINDS]
            ),
            "intensity": logged[:, 4],
            "cost": logged[:, 5],
        }
    return {name: found[name] for name in tables if name in found}


def _mesa_order(block: Block) -> list[int]:
    """The agents table's order of actors: the Mesa model's (states, the Union, Russia, Ukraine)."""
    actors = block.spec.actors
    states = [i for i, a in enumerate(actors) if a.role == "state"]
    rest = [
        next((i for i, a in enumerate(actors) if a.role == role), -1)
        for role in ("union", "challenger", "target")
    ]
    return states + [i for i in rest if i >= 0]


def history(block: Block, replicate: int) -> dict[str, pd.DataFrame]:
    """One replicate's tables as ``EscalationModel.history()`` gives its run's."""
    tables = ("model", *(["agents"] if block.agents else []))
    tables += ("signals",) if block.signals is not None else ()
    framed = {}
    for name, table in columns(block, [replicate], tables).items():
        frame = pd.DataFrame({k: v for k, v in table.items() if k != "replicate"})
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype(str)
        framed[name] = attach(frame, TABLE_COLUMNS[name])
    return framed
