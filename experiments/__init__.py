"""Batch experiments: design, execution and storage of many seeded runs.

``load_experiment`` reads an experiment file, ``run_experiment`` runs it into a results
directory, ``load`` / ``read_table`` / ``load_manifest`` / ``export_csv`` read that directory
back (the one reader: every problem is a :class:`ResultsError`). Samplers and executors are
registries (``SAMPLERS``, ``EXECUTORS``): a new one is one new class.
"""

from experiments.design import Experiment, ExperimentError, load_experiment, run_seed
from experiments.executors import EXECUTORS, make_executor
from experiments.runner import run_experiment
from experiments.samplers import SAMPLERS
from experiments.store import (
    ResultsError,
    ResultStore,
    export_csv,
    load,
    load_manifest,
    read_table,
)

__all__ = [
    "EXECUTORS",
    "SAMPLERS",
    "Experiment",
    "ExperimentError",
    "ResultStore",
    "ResultsError",
    "export_csv",
    "load",
    "load_experiment",
    "load_manifest",
    "make_executor",
    "read_table",
    "run_experiment",
    "run_seed",
]
