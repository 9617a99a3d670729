"""Calibration: fit the free parameters of a scenario to the patterns the sources report.

Pattern-oriented: a candidate parameter set is judged by the *patterns* its runs produce
(:mod:`analysis.patterns`), never by when or whether Russia invades. The procedure, stated
in a TOML file (``analysis/calibration.toml``):

1. Draw ``candidates`` parameter sets by Latin hypercube over the free parameters' ranges.
2. Run every candidate ``replicates`` times (the experiment runner: any executor, seeded).
3. Score each by the sum of squared relative errors of the pattern means against their
   targets (e.g. troops in December-January against 100,000).
4. Re-run the ``finalists`` best with ``final_replicates`` seeds; among those that meet every
   pattern check, choose the lowest score.
5. With ``--apply``, write the chosen values into the scenario file and the ODD parameter
   table, and record the fit in ``docs/calibration.json``.

Everything the search ran stays in the output directory as ordinary experiment datasets.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.stats import qmc

from analysis.patterns import MEASURES, check, measures
from experiments.design import ExperimentError, load_experiment
from experiments.executors import Executor
from experiments.runner import run_experiment
from experiments.store import load
from experiments.toml_text import dumps
from model.files import write_text_atomic
from world.parameters import SECTIONS, fields_of
from world.scenario import builtin_dir, forget_loaded

CALIBRATION_DIR = Path(__file__).resolve().parent
DEFAULT_FILE = CALIBRATION_DIR / "calibration.toml"
REPO_ROOT = CALIBRATION_DIR.parent
ODD = REPO_ROOT / "docs" / "ODD.md"
RECORD = REPO_ROOT / "docs" / "calibration.json"
# Where an ODD row of a calibrated parameter sends the reader: the record of the fit and the
# section on calibration (§1); docs/VALIDATION.md only repeats the record's summary.
CITATION = "docs/calibration.json (§1)"
KEYS = (
    "scenario",
    "seed",
    "weeks",
    "candidates",
    "replicates",
    "finalists",
    "final_replicates",
    "free",
    "targets",
)


@dataclass(frozen=True)
class Calibration:
    scenario: str
    seed: int
    weeks: int
    candidates: int
    replicates: int
    finalists: int
    final_replicates: int
    free: dict[str, tuple[float, float]]  # section parameter -> (min, max)
    targets: dict[str, float]  # pattern measure -> target mean
    source: Path


def load_calibration(path: Path | str = DEFAULT_FILE) -> Calibration:
    """Read and validate a calibration file; problems raise one ExperimentError line."""
    path = Path(path)
    where = str(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExperimentError(f"{where}: cannot read file ({exc.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExperimentError(f"{where}: not valid TOML: {exc}") from None
    unknown = [k for k in doc if k not in KEYS]
    if unknown:
        raise ExperimentError(f"{where}: unknown key '{unknown[0]}'; allowed: {', '.join(KEYS)}")
    counts = {}
    for key in ("seed", "weeks", "candidates", "replicates", "finalists", "final_replicates"):
        value = doc.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ExperimentError(f"{where}: '{key}' must be a positive integer, got {value!r}")
        counts[key] = value
    if counts["finalists"] > counts["candidates"]:
        raise ExperimentError(f"{where}: 'finalists' cannot exceed 'candidates'")
    scenario = doc.get("scenario", "baseline")
    if not isinstance(scenario, str):
        raise ExperimentError(f"{where}: 'scenario' must be a scenario name")
    section_fields = {name for cls in SECTIONS.values() for name in fields_of(cls)}
    free: dict[str, tuple[float, float]] = {}
    for name, bounds in dict(doc.get("free", {})).items():
        at = f"{where}: free.{name}"
        if name not in section_fields:
            raise ExperimentError(f"{at}: not a world, invasion_calculus or policy parameter")
        if not isinstance(bounds, dict) or set(bounds) != {"min", "max"}:
            raise ExperimentError(f"{at}: must be {{min = ..., max = ...}}")
        lo, hi = float(bounds["min"]), float(bounds["max"])
        spec = next(fields_of(cls)[name] for cls in SECTIONS.values() if name in fields_of(cls))
        doc_lo, doc_hi = spec.metadata["lo"], spec.metadata["hi"]
        if not lo < hi:
            raise ExperimentError(f"{at}: min {lo} must be below max {hi}")
        if (doc_lo is not None and lo < doc_lo) or (doc_hi is not None and hi > doc_hi):
            raise ExperimentError(f"{at}: outside the documented range {doc_lo} to {doc_hi}")
        free[name] = (lo, hi)
    if not free:
        raise ExperimentError(f"{where}: 'free' must name at least one parameter")
    known = set(MEASURES)
    targets: dict[str, float] = {}
    for name, value in dict(doc.get("targets", {})).items():
        if name not in known:
            raise ExperimentError(
                f"{where}: targets.{name}: not a pattern measure; known: {', '.join(sorted(known))}"
            )
        if not isinstance(value, int | float) or isinstance(value, bool) or value == 0:
            raise ExperimentError(f"{where}: targets.{name}: must be a non-zero number")
        targets[name] = float(value)
    if not targets:
        raise ExperimentError(f"{where}: 'targets' must name at least one pattern measure")
    return Calibration(scenario=scenario, free=free, targets=targets, source=path, **counts)


def candidates(calibration: Calibration) -> list[dict[str, float]]:
    """Latin-hypercube parameter sets over the free ranges (reproducible from the seed)."""
    names = list(calibration.free)
    lows = [calibration.free[n][0] for n in names]
    highs = [calibration.free[n][1] for n in names]
    unit = qmc.LatinHypercube(d=len(names), seed=calibration.seed).random(calibration.candidates)
    return [dict(zip(names, map(float, row), strict=True)) for row in qmc.scale(unit, lows, highs)]


def score(per_run: pd.DataFrame, targets: Mapping[str, float]) -> float:
    """Sum of squared relative errors of the pattern means against their targets."""
    return float(
        sum(((per_run[name].mean() - target) / target) ** 2 for name, target in targets.items())
    )


def _experiment_text(
    calibration: Calibration, sets: list[dict[str, float]], replicates: int, name: str
) -> str:
    return dumps(
        {
            "name": name,
            "description": f"calibration of {calibration.scenario}: candidate parameter sets",
            "seed": calibration.seed,
            "replicates": replicates,
            "weeks": calibration.weeks,
            "scenarios": [_scenario_source(calibration.scenario)],
            "record": ["model", "agents"],
            "design": {"sampler": "list", "sets": sets},
        }
    )


def _scenario_source(scenario: str) -> str:
    path = Path(scenario)
    return str(path.resolve()) if path.suffix == ".toml" else scenario


def evaluate(
    calibration: Calibration,
    sets: list[dict[str, float]],
    replicates: int,
    out: Path,
    executor: Executor | None,
    progress: Callable[[Any], None] | None = None,
) -> list[pd.DataFrame]:
    """Run every parameter set ``replicates`` times; per-run pattern measures for each set."""
    out.mkdir(parents=True, exist_ok=True)
    file = out / "experiment.source.toml"
    write_text_atomic(file, _experiment_text(calibration, sets, replicates, out.name))
    experiment = load_experiment(file)
    run_experiment(experiment, out / "runs", executor, progress=progress)
    tables = load(out / "runs", ("runs", "model", "agents"))
    runs = tables["runs"]
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        first = failed["error"].iloc[0]
        raise ExperimentError(f"{len(failed)} calibration runs failed, e.g.: {first}")
    per_run = measures(tables)
    sample_of = runs.set_index("run_id")["sample"]
    return [per_run[sample_of.reindex(per_run.index) == i] for i in range(len(sets))]


# The experiments a calibration runs, in this order (the progress callback's names).
STAGES = ("search", "final")


def calibrate(
    calibration: Calibration,
    out: Path,
    executor: Executor | None = None,
    progress: Callable[[str, Any], None] | None = None,
) -> dict[str, Any]:
    """The whole procedure; returns the record of the fit (also written to ``out``).

    ``progress(stage, state)`` follows the runs of each of :data:`STAGES` (state: the runner's
    ``Progress``): the search over every candidate, then the finalists' re-runs.
    """

    def follow(stage: str) -> Callable[[Any], None] | None:
        return None if progress is None else functools.partial(progress, stage)

    pool = candidates(calibration)
    search = evaluate(
        calibration, pool, calibration.replicates, out / "search", executor, follow("search")
    )
    scores = [score(per_run, calibration.targets) for per_run in search]
    order = sorted(range(len(pool)), key=lambda i: scores[i])[: calibration.finalists]
    finals = evaluate(
        calibration,
        [pool[i] for i in order],
        calibration.final_replicates,
        out / "final",
        executor,
        follow("final"),
    )
    finalists = []
    for rank, (index, per_run) in enumerate(zip(order, finals, strict=True)):
        patterns = check(per_run)
        finalists.append(
            {
                "rank_in_search": rank + 1,
                "parameters": pool[index],
                "search_score": scores[index],
                "score": score(per_run, calibration.targets),
                "patterns_met": bool(patterns["met"].all()),
                "patterns": {
                    row.pattern: {"value": row.value, "met": bool(row.met)}
                    for row in patterns.itertuples()
                },
                "means": {name: float(per_run[name].mean()) for name in calibration.targets},
                "invasion_share": float(per_run["invaded"].mean()),
            }
        )
    accepted = [f for f in finalists if f["patterns_met"]]
    record: dict[str, Any] = {
        "calibration_file": _shown_path(calibration.source),
        "scenario": calibration.scenario,
        "date": dt.date.today().isoformat(),
        "seed": calibration.seed,
        "weeks": calibration.weeks,
        "free": {k: list(v) for k, v in calibration.free.items()},
        "targets": calibration.targets,
        "candidates": calibration.candidates,
        "replicates": calibration.replicates,
        "final_replicates": calibration.final_replicates,
        "search": [
            {"parameters": p, "score": s}
            for p, s in sorted(zip(pool, scores, strict=True), key=lambda x: x[1])
        ],
        "finalists": finalists,
        "chosen": min(accepted, key=lambda f: f["score"]) if accepted else None,
        "acceptable_invasion_share_range": (
            [min(f["invasion_share"] for f in accepted), max(f["invasion_share"] for f in accepted)]
            if accepted
            else None
        ),
    }
    write_text_atomic(out / "calibration.json", json.dumps(record, indent=2) + "\n")
    return record


# --- writing the chosen values back ---------------------------------------------------------
def _section_of(name: str) -> str:
    return next(section for section, cls in SECTIONS.items() if name in fields_of(cls))


def _toml_value(value: float, name: str) -> str:
    spec = fields_of(SECTIONS[_section_of(name)])[name]
    if spec.type in ("int", int):
        return str(round(value))
    return repr(_rounded(value))


def _rounded(value: float) -> float:
    """Four significant figures: more would claim a precision the fit does not have."""
    if value == 0:
        return 0.0
    digits = 3 - math.floor(math.log10(abs(value)))
    return float(round(value, digits))


def write_scenario_values(path: Path, values: Mapping[str, float], note: str) -> None:
    """Set ``values`` in their sections of a scenario file, keeping everything else as it is."""
    write_text_atomic(path, _scenario_text(path, values, note))
    forget_loaded()  # a built-in scenario may have changed under its name


def _scenario_text(path: Path, values: Mapping[str, float], note: str) -> str:
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        section = _section_of(name)
        line = f"{name} = {_toml_value(value, name)}  # {note}"
        header = re.search(rf"(?m)^\[{section}\]\s*$", text)
        if header is None:
            text = text.rstrip("\n") + f"\n\n[{section}]\n{line}\n"
            continue
        start = header.end()
        following = re.search(r"(?m)^\[", text[start:])
        end = start + following.start() if following else len(text)
        body = text[start:end]
        existing = re.search(rf"(?m)^{re.escape(name)}\s*=.*$", body)
        if existing:
            body = body[: existing.start()] + line + body[existing.end() :]
        else:
            body = body.rstrip("\n") + "\n" + line + "\n" + ("\n" if following else "")
        text = text[:start] + body + text[end:]
    tomllib.loads(text)  # never write a file the loader would refuse
    return text


def write_odd_rows(path: Path, values: Mapping[str, float], note: str) -> None:
    """Put the calibrated value and its provenance into each parameter's ODD table row."""
    write_text_atomic(path, _odd_text(path, values, note))


def _odd_text(path: Path, values: Mapping[str, float], note: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    for name, value in values.items():
        for i, line in enumerate(lines):
            cells = line.split("|")
            if len(cells) > 3 and cells[1].strip() == f"`{name}`":
                shown = _toml_value(value, name)
                cells[2] = f" {float(shown):,g} " if "." in shown else f" {int(shown):,} "
                cells[-2] = f" {note} "
                lines[i] = "|".join(cells)
                break
        else:
            raise ExperimentError(f"{path}: no ODD table row for '{name}'")
    return "\n".join(lines) + "\n"


def apply(
    record: Mapping[str, Any],
    scenario_file: Path | None = None,
    odd: Path = ODD,
    record_file: Path = RECORD,
) -> dict[str, float]:
    """Write the chosen values into the scenario file, the ODD table and docs/calibration.json."""
    chosen = record.get("chosen")
    if not chosen:
        raise ExperimentError("no candidate met every pattern; nothing to apply")
    values = {k: float(v) for k, v in chosen["parameters"].items()}
    scenario_file = scenario_file or builtin_dir() / f"{record['scenario']}.toml"
    means = ", ".join(f"{k} {v:,.0f}" for k, v in chosen["means"].items())
    note = (
        f"calibrated ({record['date']}, `escalation calibrate`, "
        f"{record['final_replicates']} seeds): fits {means}; all patterns met; "
        f"see {CITATION}"
    )
    # Both texts are made (and checked) before either file is replaced.
    scenario_text = _scenario_text(scenario_file, values, f"calibrated {record['date']}")
    odd_text = _odd_text(odd, values, note)
    write_text_atomic(scenario_file, scenario_text)
    forget_loaded()  # a built-in scenario may have changed under its name
    write_text_atomic(odd, odd_text)
    write_text_atomic(record_file, json.dumps(record, indent=2) + "\n")
    return {k: float(_toml_value(v, k)) for k, v in values.items()}


def summary_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """The finalists as a table: parameters, score, target means, patterns met, invasion share."""
    rows = []
    for finalist in record["finalists"]:
        row = dict(finalist["parameters"])
        row.update(finalist["means"])
        row["score"] = finalist["score"]
        row["patterns_met"] = finalist["patterns_met"]
        row["invasion_share"] = finalist["invasion_share"]
        rows.append(row)
    return pd.DataFrame(rows)


def _shown_path(path: Path | str) -> str:
    """The calibration file as the record shows it: relative to the working directory when it
    lies under it, so that a committed record names no one's home or checkout."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
