"""The sampler and executor registries: each entry complete, so adding one needs nothing else."""

from __future__ import annotations

import pytest

from experiments.design import DESIGN_KEYS, ExperimentError
from experiments.executors import EXECUTORS, make_executor
from experiments.samplers import SAMPLERS


def test_every_sampler_is_registered_under_its_name_and_reads_known_keys():
    assert list(SAMPLERS) == ["none", "grid", "list", "latin", "sobol", "morris"]
    for name, sampler in SAMPLERS.items():
        assert sampler.name == name
        assert set(sampler.keys) <= set(DESIGN_KEYS) - {"sampler"}
        assert (sampler.sensitivity is None) == (sampler.main_index is None)


def test_the_analysis_reads_the_samplers():
    from analysis.results import SET_SAMPLERS
    from analysis.sensitivity import MAIN_INDEX
    from analysis.summary import SENSITIVITY_SAMPLERS

    assert {"grid", "list"} == SET_SAMPLERS
    assert {"sobol", "morris"} == SENSITIVITY_SAMPLERS
    assert MAIN_INDEX == {"sobol": "ST", "morris": "mu_star"}


def test_an_unknown_executor_lists_the_known_ones():
    assert list(EXECUTORS) == ["serial", "processes", "dask"]
    with pytest.raises(ExperimentError, match="choose from serial, processes, dask"):
        make_executor("slurm")
