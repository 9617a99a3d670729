"""The weekly record: Mesa's DataCollector, filled without a copy of every value.

Every column of the escalation model's record names an attribute holding an immutable value (a
number, a bool, a string or a date), so the deep copy Mesa's collector makes of each model value,
and its type test of each agent value, guard against nothing here while costing about a sixth of
a run. The record keeps Mesa's layout (``model_vars``, ``_agent_records``,
``_collection_steps``), so ``get_model_vars_dataframe``, ``get_agent_vars_dataframe`` and
``mesa.batch_run`` read it unchanged.

A run's three tables are first gathered as plain columns (``WeeklyRecord.columns``) and only
then framed (``frame_tables``): ``history()`` frames one run's, while the batch runner gathers
the columns of a whole chunk of runs and frames each table once, which costs a fraction of
building three DataFrames per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

import mesa
import pandas as pd

from world.signals import Signal

Columns = dict[str, list[Any]]  # one table: column name -> values, every column as long
TABLES = ("model", "agents", "signals")

#: The types a recorded value may have: none of them can change after it is recorded.
IMMUTABLE = (bool, int, float, str, dt.date, type(None))


def _getter(names: Sequence[str]):
    """One call returning a tuple of the named attributes (``attrgetter`` of one name does not)."""
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


class WeeklyRecord(mesa.DataCollector):
    """A DataCollector whose reporters are attribute names, read in one call per object.

    Both tables are given as column name -> the attribute of the model (of each agent) that
    the column records.
    """

    def __init__(self, model_columns: Mapping[str, str], agent_columns: Mapping[str, str]) -> None:
        super().__init__(
            model_reporters=dict(model_columns),
            agent_reporters=dict(agent_columns),
        )
        self._agent_columns = tuple(agent_columns)
        self._model_values = _getter(list(model_columns.values()))
        self._agent_values = _getter(list(agent_columns.values()))

    def collect(self, model: Any) -> None:
        time = model.time
        self._collection_steps.append(time)
        for column, value in zip(self.model_vars.values(), self._model_values(model), strict=True):
            column.append(value)
        values = self._agent_values
        self._agent_records[time] = [
            (time, agent.unique_id, *values(agent)) for agent in model.agents
        ]

    def columns(
        self, signals: Sequence[Signal], tables: Sequence[str] = TABLES
    ) -> dict[str, Columns]:
        """The run's ``model``, ``agents`` and ``signals`` tables (or those named) as columns.

        Every row carries its week and its date (a ``datetime.date``, that of its week in the
        model table); ``signals`` is the run's signal log.
        """
        weekly = {name: list(values) for name, values in self.model_vars.items()}
        date_of = dict(zip(weekly["week"], weekly["date"], strict=True))
        found = {"model": weekly}
        if "agents" in tables:
            rows = [row for step in self._agent_records.values() for row in step]
            # Mesa's record rows are (time, agent id, *values); a week is one unit of time.
            time, _, *values = _transpose(rows, 2 + len(self._agent_columns))
            agents = dict(zip(self._agent_columns, values, strict=True))
            found["agents"] = _dated(time, agents, date_of)
        if "signals" in tables:
            week, *values = _transpose(signals, len(Signal._fields))
            sent = dict(zip(Signal._fields[1:], values, strict=True))
            sent["kind"] = [str(kind) for kind in sent["kind"]]
            found["signals"] = _dated(week, sent, date_of)
        return {name: found[name] for name in tables}


def _transpose(rows: Sequence[tuple], width: int) -> list[list[Any]]:
    """Rows of ``width`` fields as ``width`` columns (empty ones if there are no rows)."""
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]


def _dated(weeks: list[Any], values: Columns, date_of: Mapping[int, dt.date]) -> Columns:
    """A table's columns led by each row's week and that week's date."""
    weeks = [int(week) for week in weeks]
    return {"week": weeks, "date": [date_of[week] for week in weeks], **values}


#: Columns whose type pandas cannot tell from an empty list.
EMPTY_TYPES = {
    "run_id": "int64",
    "week": "int64",
    "sender": "str",
    "receiver": "str",
    "kind": "str",
    "intensity": "float64",
    "cost": "float64",
}


def frame_tables(tables: Mapping[str, Columns]) -> dict[str, pd.DataFrame]:
    """DataFrames of tables held as columns, with dates as ``datetime64``."""
    frames = {}
    for name, columns in tables.items():
        frame = pd.DataFrame(columns)
        if not len(frame):
            frame = frame.astype({k: v for k, v in EMPTY_TYPES.items() if k in frame})
        if "date" in frame:
            frame["date"] = pd.to_datetime(frame["date"])
        frames[name] = frame
    return frames
