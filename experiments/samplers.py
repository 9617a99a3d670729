"""Samplers: how a ``[design]`` table becomes parameter sets, and how their results are read.

One class per sampler, registered in :data:`SAMPLERS` by the name an experiment file gives.
Each says which design keys it reads, builds the :class:`~experiments.design.Design`, and names
the analysis its design is made for, so the summaries ask the sampler instead of keeping their
own lists. A new sampler is one new class here and one entry in the registry.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from experiments.design_space import (
    DUMMY,
    Design,
    ExperimentError,
    check_value,
    parameter_kinds,
    read_key,
)
from world.scenario import ScenarioSpec

Table = Mapping[str, Any]


class Sampler(ABC):
    """A way to choose parameter sets, and what the summaries do with its results."""

    name: ClassVar[str]
    keys: ClassVar[tuple[str, ...]] = ()  # design keys it reads besides "sampler"
    # Few sets chosen by hand, so results are summarised one set at a time.
    compares_sets: ClassVar[bool] = False
    # The SALib analysis the design is built for, and its index compared with the dummy's.
    sensitivity: ClassVar[str | None] = None
    main_index: ClassVar[str | None] = None

    @abstractmethod
    def design(self, table: Table, specs: Sequence[ScenarioSpec], seed: int, where: str) -> Design:
        """The parameter sets of a ``[design]`` table; raises :class:`ExperimentError`."""


class Unvaried(Sampler):
    """Every run uses the scenarios as written: replicates only."""

    name = "none"

    def design(self, table: Table, specs: Sequence[ScenarioSpec], seed: int, where: str) -> Design:
        return Design(self.name, (), ((),), {"sampler": self.name})


class FullFactorial(Sampler):
    """Every combination of the listed values of each parameter."""

    name = "grid"
    keys = ("parameters",)
    compares_sets = True

    def design(self, table: Table, specs: Sequence[ScenarioSpec], seed: int, where: str) -> Design:
        parameters = read_key(table, "parameters", dict, where, default={})
        parameter_kinds(list(parameters), specs, f"{where}.parameters")
        values = {}
        for name, levels in parameters.items():
            at = f"{where}.parameters.{name}"
            if not isinstance(levels, list) or not levels:
                raise ExperimentError(f"{at}: grid expects a non-empty list of values")
            values[name] = [check_value(name, v, specs, at) for v in levels]
        if not values:
            raise ExperimentError(f"{where}.parameters: the grid sampler needs parameters")
        rows = tuple(itertools.product(*values.values()))
        return Design(self.name, tuple(values), rows, {"sampler": self.name})


class ListedSets(Sampler):
    """The parameter sets written out one by one in ``[[design.sets]]``."""

    name = "list"
    keys = ("sets",)
    compares_sets = True

    def design(self, table: Table, specs: Sequence[ScenarioSpec], seed: int, where: str) -> Design:
        sets = read_key(table, "sets", list, where, default=[])
        if not sets:
            raise ExperimentError(f"{where}.sets: the list sampler needs [[design.sets]] tables")
        names = list(sets[0]) if isinstance(sets[0], dict) else []
        parameter_kinds(names, specs, f"{where}.sets")
        rows = []
        for i, item in enumerate(sets):
            at = f"{where}.sets[{i}]"
            if not isinstance(item, dict) or sorted(item) != sorted(names):
                raise ExperimentError(
                    f"{at}: every set must give the same parameters ({', '.join(names)})"
                )
            rows.append(tuple(check_value(n, item[n], specs, f"{at}.{n}") for n in names))
        return Design(self.name, tuple(names), tuple(rows), {"sampler": self.name})


class RangeSampler(Sampler):
    """Numeric ranges sampled by SALib; the matrix stays in SALib order, which its analyses
    need, and whole-number parameters take the nearest whole number."""

    keys: ClassVar[tuple[str, ...]] = ("parameters", "samples")

    def design(self, table: Table, specs: Sequence[ScenarioSpec], seed: int, where: str) -> Design:
        parameters = read_key(table, "parameters", dict, where, default={})
        kinds = parameter_kinds(list(parameters), specs, f"{where}.parameters")
        if not parameters:
            raise ExperimentError(
                f"{where}.parameters: the {self.name} sampler needs parameter ranges"
            )
        samples = read_key(table, "samples", int, where, default=64)
        if samples < 1:
            raise ExperimentError(f"{where}.samples: must be at least 1, got {samples}")
        names, bounds = [], []
        for name, limits in parameters.items():
            at = f"{where}.parameters.{name}"
            if kinds[name] not in (int, float):
                raise ExperimentError(
                    f"{at}: the {self.name} sampler varies numbers only; "
                    "use grid or list for switches"
                )
            if not isinstance(limits, dict) or sorted(limits) != ["max", "min"]:
                raise ExperimentError(f"{at}: expected a range such as {{min = 0.2, max = 0.6}}")
            lo, hi = limits["min"], limits["max"]
            for bound in (lo, hi):
                if isinstance(bound, bool) or not isinstance(bound, int | float):
                    raise ExperimentError(f"{at}: min and max must be numbers, got {bound!r}")
            if lo >= hi:
                raise ExperimentError(f"{at}: min ({lo}) must be below max ({hi})")
            for bound in (lo, hi):
                check_value(name, bound, specs, at, kind=float)
            names.append(name)
            bounds.append([float(lo), float(hi)])
        dummy = read_key(table, "dummy", bool, where, default=False)
        if dummy:
            if DUMMY in names:
                raise ExperimentError(
                    f"{where}.parameters: 'dummy' is reserved for the noise floor"
                )
            names.append(DUMMY)
            bounds.append([0.0, 1.0])
        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        settings: dict[str, Any] = {
            "sampler": self.name,
            "samples": samples,
            "dummy": dummy,
            "problem": {**problem},
        }
        # SALib adds keys to the problem it is given: keep the recorded one clean.
        matrix, extra = self.sample({**problem}, samples, table, seed % 2**32, where)
        settings.update(extra)
        rounders = [round if kinds.get(name) is int else float for name in names]
        rows = tuple(
            tuple(convert(float(x)) for convert, x in zip(rounders, row, strict=True))
            for row in matrix
        )
        return Design(self.name, tuple(names), rows, settings)

    @abstractmethod
    def sample(
        self, problem: dict[str, Any], samples: int, table: Table, seed: int, where: str
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """SALib's matrix, and the settings it used beyond ``samples`` (recorded)."""


class LatinHypercube(RangeSampler):
    """A Latin hypercube: even coverage of the ranges, for sweeps and scatter plots."""

    name = "latin"

    def sample(
        self, problem: dict[str, Any], samples: int, table: Table, seed: int, where: str
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from SALib.sample import latin

        return latin.sample(problem, samples, seed=seed), {}


class SaltelliSobol(RangeSampler):
    """Saltelli's extension of the Sobol sequence, for Sobol indices."""

    name = "sobol"
    keys = ("parameters", "samples", "dummy", "second_order")
    sensitivity = "sobol"
    main_index = "ST"

    def sample(
        self, problem: dict[str, Any], samples: int, table: Table, seed: int, where: str
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from SALib.sample import sobol

        if samples & (samples - 1):
            raise ExperimentError(f"{where}.samples: sobol needs a power of 2, got {samples}")
        second_order = read_key(table, "second_order", bool, where, default=True)
        matrix = sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
        return matrix, {"second_order": second_order}


class MorrisTrajectories(RangeSampler):
    """Morris elementary-effect trajectories (``samples`` of them), for screening."""

    name = "morris"
    keys = ("parameters", "samples", "dummy", "num_levels")
    sensitivity = "morris"
    main_index = "mu_star"

    def sample(
        self, problem: dict[str, Any], samples: int, table: Table, seed: int, where: str
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from SALib.sample import morris

        num_levels = read_key(table, "num_levels", int, where, default=4)
        if num_levels < 2 or num_levels % 2:
            raise ExperimentError(f"{where}.num_levels: must be an even number >= 2")
        matrix = morris.sample(problem, samples, num_levels=num_levels, seed=seed)
        return matrix, {"num_levels": num_levels}


SAMPLERS: dict[str, Sampler] = {
    sampler.name: sampler
    for sampler in (
        Unvaried(),
        FullFactorial(),
        ListedSets(),
        LatinHypercube(),
        SaltelliSobol(),
        MorrisTrajectories(),
    )
}
