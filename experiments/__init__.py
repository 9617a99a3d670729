"""Batch experiments: design, execution and storage of many seeded runs.

``load_experiment`` reads an experiment file, ``run_experiment`` runs it into a results
directory, ``load`` / ``load_manifest`` / ``export_csv`` read that directory back.
"""

from experiments.design import Experiment, ExperimentError, load_experiment, run_seed
from experiments.executors import EXECUTORS, make_executor
from experiments.runner import run_experiment
from experiments.store import ResultStore, export_csv, load, load_manifest

__all__ = [
    "EXECUTORS",
    "Experiment",
    "ExperimentError",
    "ResultStore",
    "export_csv",
    "load",
    "load_experiment",
    "load_manifest",
    "make_executor",
    "run_experiment",
    "run_seed",
]
