"""Batch experiments: design, execution, storage and analysis of many seeded runs.

``load_experiment`` reads an experiment file, ``run_experiment`` runs it into a results
directory, ``load`` / ``load_manifest`` / ``export_csv`` read that directory back. Names are
imported on first use so that ``escalation run`` does not pay for pandas, SALib or Dask here.
"""

from typing import Any

_EXPORTS = {
    "load": "experiments.store",
    "load_manifest": "experiments.store",
    "export_csv": "experiments.store",
    "ResultStore": "experiments.store",
    "load_experiment": "experiments.design",
    "Experiment": "experiments.design",
    "ExperimentError": "experiments.design",
    "run_seed": "experiments.design",
    "run_experiment": "experiments.runner",
    "make_executor": "experiments.runner",
    "EXECUTORS": "experiments.runner",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
