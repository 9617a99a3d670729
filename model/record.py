"""The weekly record: Mesa's DataCollector, filled without a copy of every value.

Every column of the escalation model's record names an attribute holding an immutable value (a
number, a bool, a string or a date), so the deep copy Mesa's collector makes of each model value,
and its type test of each agent value, guard against nothing here while costing about a sixth of
a run. The record keeps Mesa's layout (``model_vars``, ``_agent_records``,
``_collection_steps``), so ``get_model_vars_dataframe``, ``get_agent_vars_dataframe`` and
``mesa.batch_run`` read it unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

import mesa

#: The types a recorded value may have: none of them can change after it is recorded.
IMMUTABLE = (bool, int, float, str, dt.date, type(None))


def _getter(names: Sequence[str]):
    """One call returning a tuple of the named attributes (``attrgetter`` of one name does not)."""
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


class WeeklyRecord(mesa.DataCollector):
    """A DataCollector whose reporters are attribute names, read in one call per object."""

    def __init__(self, model_columns: Mapping[str, str], agent_columns: Sequence[str]) -> None:
        super().__init__(
            model_reporters=dict(model_columns),
            agent_reporters={name: name for name in agent_columns},
        )
        self._model_values = _getter(list(model_columns.values()))
        self._agent_values = _getter(list(agent_columns))

    def collect(self, model: Any) -> None:
        time = model.time
        self._collection_steps.append(time)
        for column, value in zip(self.model_vars.values(), self._model_values(model), strict=True):
            column.append(value)
        values = self._agent_values
        self._agent_records[time] = [
            (time, agent.unique_id, *values(agent)) for agent in model.agents
        ]
