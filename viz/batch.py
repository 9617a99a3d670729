"""Read an experiment's output directory for the batch page: curves and replayable runs.

The on-disk contract is the experiment runner's: ``DIR/manifest.json``, ``DIR/runs/*.parquet``
(one row per run: scenario, seed, weeks, one column per varied parameter, status) and
``DIR/model/*.parquet`` (``run_id`` plus the weekly model history). Only Parquet and JSON are
read, never pickles; every problem becomes a :class:`BatchError` whose message the page shows.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import load_scenario
from viz.session import RunConfig
from world.scenario import ScenarioError

# Columns of the runs table that describe a run rather than set a model parameter.
RUN_COLUMNS = frozenset(
    {"run_id", "scenario", "sample", "replicate", "seed", "weeks", "status", "error"}
    | {"wall_time", "versions"}
)
Z_95 = 1.959963984540054


class BatchError(ValueError):
    """The directory is not a readable experiment output; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Experiment:
    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    model: pd.DataFrame


def _parts(folder: Path) -> list[Path]:
    # Files being written are hidden (".part-....parquet.tmp") until moved into place.
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))


def _read(paths: list[Path], where: Path) -> pd.DataFrame:
    try:
        frames = [pd.read_parquet(path) for path in paths]
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise BatchError(f"{where}: cannot read the Parquet files ({exc})") from None
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True)


def _read_tables(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs and weekly model tables of complete chunks only.

    The runner writes a chunk's ``runs`` part last, so a ``model`` part without its ``runs``
    part belongs to a chunk still being written (or killed) and is not read.
    """
    for name in ("runs", "model"):
        if not (path / name).is_dir() or not _parts(path / name):
            raise BatchError(
                f"{path}: no {name}/*.parquet files; is this an experiment output directory?"
            )
    runs_parts = _parts(path / "runs")
    model_parts = [
        path / "model" / p.name for p in runs_parts if (path / "model" / p.name).exists()
    ]
    if not model_parts:
        raise BatchError(f"{path}: the model/ parts do not match the runs/ parts")
    return _read(runs_parts, path / "runs"), _read(model_parts, path / "model")


def load_experiment(directory: str | Path) -> Experiment:
    """Read the manifest, runs and weekly model tables of an experiment directory."""
    text = str(directory).strip()
    if not text:
        raise BatchError("Type the path of an experiment output directory.")
    path = Path(text).expanduser()
    if not path.exists():
        raise BatchError(f"{path}: no such directory")
    if not path.is_dir():
        raise BatchError(f"{path}: not a directory")
    manifest: dict[str, Any] = {}
    manifest_path = path / "manifest.json"
    if manifest_path.is_file():
        try:
            loaded = json.loads(manifest_path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BatchError(f"{manifest_path}: not valid JSON ({exc})") from None
        manifest = loaded if isinstance(loaded, dict) else {}
    runs, model = _read_tables(path)
    for table, needed in ((runs, ("run_id", "scenario", "seed")), (model, ("run_id", "week"))):
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise BatchError(f"{path}: tables lack the column(s) {', '.join(missing)}")
    if "invasion" not in model.columns:
        raise BatchError(f"{path}: the model tables have no 'invasion' column")
    return Experiment(path, manifest, runs.sort_values("run_id").reset_index(drop=True), model)


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs that finished; failed runs are listed by the runner but carry no history."""
    if "status" not in runs.columns:
        return runs
    return runs[runs["status"] == "ok"]


def wilson_interval(successes: np.ndarray, trials: np.ndarray, z: float = Z_95):
    """Wilson score interval for a binomial proportion (sound near 0 and 1, unlike Wald)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At p = 0 or 1 the bound equals p exactly; rounding must not put it on the wrong side.
    return np.clip(np.minimum(centre - half, p), 0, 1), np.clip(np.maximum(centre + half, p), 0, 1)


def invasion_curves(experiment: Experiment) -> pd.DataFrame:
    """Per scenario and week: runs, runs invaded by then, share and its 95% Wilson band."""
    runs = ok_runs(experiment.runs)[["run_id", "scenario"]]
    weekly = experiment.model[["run_id", "week", "invasion"]].merge(runs, on="run_id")
    if weekly.empty:
        raise BatchError(f"{experiment.path}: no finished runs with a weekly history")
    weekly = weekly.sort_values(["run_id", "week"])
    weekly["invaded"] = weekly.groupby("run_id")["invasion"].cummax().astype(bool)
    curves = (
        weekly.groupby(["scenario", "week"])["invaded"].agg(n="size", invaded="sum").reset_index()
    )
    curves["probability"] = curves["invaded"] / curves["n"]
    curves["lower"], curves["upper"] = wilson_interval(curves["invaded"], curves["n"])
    return curves


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value the scenario validator expects."""
    return value.item() if isinstance(value, np.generic) else value


def run_label(row: pd.Series) -> str:
    status = row.get("status", "ok")
    return f"run {row['run_id']}: {row['scenario']}, seed {row['seed']} ({status})"


def run_config(experiment: Experiment, run_id: int) -> RunConfig:
    """Settings replaying one run: its scenario, varied parameters, seed and horizon."""
    rows = experiment.runs[experiment.runs["run_id"] == run_id]
    if rows.empty:
        raise BatchError(f"run {run_id} is not in {experiment.path}")
    row = rows.iloc[0]
    scenario = str(row["scenario"])
    try:
        known = load_scenario(scenario).parameter_values()
    except ScenarioError as exc:
        raise BatchError(f"run {run_id}: cannot load its scenario ({exc})") from None
    overrides = {}
    for column in experiment.runs.columns:
        if column in RUN_COLUMNS or column not in known:
            continue  # e.g. the sensitivity design's "dummy" column sets nothing
        value = _plain(row[column])
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        overrides[column] = value
    weeks = _plain(row["weeks"]) if "weeks" in row.index and pd.notna(row["weeks"]) else None
    return RunConfig(
        scenario=scenario,
        seed=int(_plain(row["seed"])),
        overrides=overrides,
        weeks=int(weeks) if weeks is not None else None,
        label=f"replay of run {run_id} from {experiment.path.name}",
    )
