"""Global sensitivity of the crisis outcomes to the varied parameters (Morris and Sobol).

The model is stochastic, so each SALib sample row is run several times and Y for that row is the
mean over its replicates. What is left of the seed noise in those means shows up as apparent
sensitivity to any parameter, including one the model never reads: the runner adds such a
``dummy`` parameter, and its index (plus its confidence) is the noise floor below which no
parameter's index can be told from chance.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import DUMMY, SENSITIVITY_SAMPLERS, Results
from experiments.samplers import SAMPLERS
from experiments.store import ResultsError, read_design

# Outcome name → what the per-sample value Y is. ``invasion_week`` needs a number for runs that
# never invade: horizon + 1, i.e. "later than anything observed"; it therefore mixes timing with
# whether an invasion happens at all, which is what a policy comparison wants to rank.
OUTCOMES: dict[str, str] = {
    "invasion": "P(invasion by horizon)",
    "highest_rung": "highest rung reached",
    "invasion_week": "week of invasion (horizon+1 if none)",
    "max_sanction_tier": "highest sanction tier",
}
MAIN_INDEX = {name: s.main_index for name, s in SAMPLERS.items() if s.main_index is not None}


def run_values(outcomes: pd.DataFrame, outcome: str) -> pd.Series:
    """The per-run value of one outcome (see ``OUTCOMES``)."""
    if outcome == "invasion":
        return outcomes["invaded"].astype(float)
    if outcome == "invasion_week":
        never = outcomes["horizon"] + 1
        return outcomes["invasion_week"].astype("Float64").fillna(never).astype(float)
    if outcome in ("highest_rung", "max_sanction_tier"):
        return outcomes[outcome].astype(float)
    raise ResultsError(f"unknown outcome '{outcome}' (choose from {', '.join(OUTCOMES)})")


def check_outcomes(names: Sequence[str] | None) -> list[str]:
    """Validate outcome names; None means all of them."""
    if not names:
        return list(OUTCOMES)
    for name in names:
        if name not in OUTCOMES:
            raise ResultsError(f"unknown outcome '{name}' (choose from {', '.join(OUTCOMES)})")
    return list(dict.fromkeys(names))


def _problem(experiment: Results) -> dict[str, Any]:
    design = experiment.manifest.get("design", {})
    problem = design.get("problem")
    if not problem or not problem.get("names"):
        raise ResultsError(f"{experiment.out_dir}: manifest design has no SALib problem")
    names = list(problem["names"])
    missing = [n for n in names if n not in experiment.runs.columns]
    if missing:
        raise ResultsError(
            f"{experiment.out_dir}: runs table lacks parameter column(s) {', '.join(missing)}"
        )
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(map(float, b)) for b in problem["bounds"]],
    }


def _design_matrix(experiment: Results, matrix: pd.DataFrame, names: list[str]) -> np.ndarray:
    """SALib's X in sampler order: the runner's design.parquet, else the runs' own values."""
    design = read_design(experiment.out_dir)
    if design is not None and len(design) == len(matrix) and set(names) <= set(design.columns):
        return design[names].to_numpy(dtype=float)
    return matrix[names].to_numpy(dtype=float)


def _morris_steps_note(x: np.ndarray, num_vars: int) -> str:
    """Each Morris step must move exactly one parameter; whole-number rounding can undo a step,
    and SALib then books no effect for it. Said in the table, since the indices are biased."""
    steps = np.diff(x.reshape(-1, num_vars + 1, num_vars), axis=1)
    moved = (steps != 0).sum(axis=2)
    still = int((moved == 0).sum())
    if still:
        return f"{still} trajectory steps move no parameter (rounding?): effects undercounted"
    return ""


def _second_order(design: dict[str, Any], rows: int, num_vars: int) -> bool:
    for key in ("second_order", "calc_second_order"):  # the runner's key, then SALib's
        if key in design:
            return bool(design[key])
    # Not recorded: infer from the Saltelli matrix's size, N(2D+2) rows with second order.
    return rows % (2 * num_vars + 2) == 0


def _morris(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, design: dict[str, Any], seed: int | None
) -> Any:
    from SALib.analyze import morris  # here: the parser imports this module for OUTCOMES

    levels = int(design.get("num_levels", 4))
    return morris.analyze(
        problem, x, y, num_levels=levels, num_resamples=1000, conf_level=0.95, seed=seed
    )


def _sobol(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, design: dict[str, Any], seed: int | None
) -> Any:
    from SALib.analyze import sobol

    second = _second_order(design, len(y), problem["num_vars"])
    return sobol.analyze(
        problem, y, calc_second_order=second, num_resamples=1000, conf_level=0.95, seed=seed
    )


def _no_caution(x: np.ndarray, num_vars: int) -> str:
    return ""


@dataclass(frozen=True)
class Analysis:
    """A SALib analysis: the indices it gives, how it runs, and what to caution beside them.

    A sampler names its analysis (``Sampler.sensitivity``); a new one is one more entry here.
    """

    columns: tuple[str, ...]
    analyse: Callable[..., Any]
    caution: Callable[[np.ndarray, int], str] = _no_caution


ANALYSES: dict[str, Analysis] = {
    "morris": Analysis(("mu", "mu_star", "mu_star_conf", "sigma"), _morris, _morris_steps_note),
    "sobol": Analysis(("S1", "S1_conf", "ST", "ST_conf"), _sobol),
}
# Keyed by sampler: the indices of the analysis each sensitivity sampler is built for.
INDEX_COLUMNS = {
    name: ANALYSES[s.sensitivity].columns for name, s in SAMPLERS.items() if s.sensitivity
}


def _analyse(
    method: str,
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    design: dict[str, Any],
    seed: int | None,
) -> dict[str, np.ndarray]:
    analysis = ANALYSES[str(SAMPLERS[method].sensitivity)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = analysis.analyse(problem, x, y, design, seed)
    return {name: np.asarray(result[name], dtype=float) for name in analysis.columns}


def sensitivity_table(experiment: Results, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Morris or Sobol indices per scenario, outcome and parameter, tested against the dummy.

    Columns: scenario, method, outcome, parameter, is_dummy, the method's indices
    (Morris: mu, mu_star, mu_star_conf, sigma; Sobol: S1, S1_conf, ST, ST_conf), noise_floor
    (the dummy's mu_star or ST plus its confidence), above_noise_floor, samples, note.
    A scenario whose samples are not all covered by a successful run, or whose outcome does
    not vary, gets NaN indices and a note instead of numbers SALib would silently misplace;
    a note beside numbers is a caution (Morris steps undone by whole-number rounding).
    """
    method = experiment.sampler
    if method not in SENSITIVITY_SAMPLERS:
        raise ResultsError(
            f"{experiment.out_dir}: sensitivity needs a sobol or morris design, not '{method}'"
        )
    chosen = check_outcomes(outcomes)
    design = experiment.manifest.get("design", {})
    problem = _problem(experiment)
    names = problem["names"]
    seed = experiment.manifest.get("seed")
    seed = int(seed) if isinstance(seed, int) else None
    main = MAIN_INDEX[method]
    rows: list[dict[str, Any]] = []
    for scenario, runs in experiment.runs.groupby("scenario", sort=False):
        matrix = runs.drop_duplicates("sample").sort_values("sample")
        samples = matrix["sample"].to_numpy(dtype=int)
        expected = int(samples.max()) + 1 if len(samples) else 0
        x = _design_matrix(experiment, matrix, names)
        done = experiment.outcomes[experiment.outcomes["scenario"] == scenario]
        for outcome in chosen:
            means = run_values(done, outcome).groupby(done["sample"].to_numpy()).mean()
            means = means.reindex(range(expected))
            note = ""
            indices: dict[str, np.ndarray] = {
                c: np.full(len(names), np.nan) for c in INDEX_COLUMNS[method]
            }
            uncovered = int(means.isna().sum())
            if len(samples) != expected:
                note = f"sample indices not contiguous ({len(samples)} of {expected})"
            elif uncovered:
                note = f"{uncovered} of {expected} samples have no successful run"
            elif np.ptp(means.to_numpy()) == 0:
                note = "outcome constant across samples"
            else:
                try:
                    indices = _analyse(method, problem, x, means.to_numpy(), design, seed)
                except (ValueError, IndexError, RuntimeError) as exc:
                    note = f"SALib could not analyse: {exc}".splitlines()[0]
                else:
                    note = ANALYSES[str(SAMPLERS[method].sensitivity)].caution(x, len(names))
            floor = np.nan
            if DUMMY in names:
                d = names.index(DUMMY)
                floor = float(indices[main][d] + indices[f"{main}_conf"][d])
            for i, name in enumerate(names):
                value = indices[main][i]
                rows.append(
                    {
                        "scenario": scenario,
                        "method": method,
                        "outcome": outcome,
                        "parameter": name,
                        "is_dummy": name == DUMMY,
                        **{c: float(indices[c][i]) for c in INDEX_COLUMNS[method]},
                        "noise_floor": floor,
                        "above_noise_floor": bool(
                            # The margin keeps a round-off above a zero floor from counting.
                            name != DUMMY and np.isfinite(floor) and value > floor + 1e-9
                        ),
                        "samples": expected,
                        "note": note,
                    }
                )
    return pd.DataFrame(rows)


def format_sensitivity(table: pd.DataFrame, width: int = 100) -> str:
    """Plain text: one block per scenario and outcome, parameters by falling main index.

    The lines of prose are wrapped to ``width`` characters (the summary's tables keep to it).
    """
    if table.empty:
        return "Sensitivity: nothing to analyse."
    method = table["method"].iloc[0]
    main = MAIN_INDEX[method]
    columns = INDEX_COLUMNS[method]

    def wrapped(text: str, indent: str = "") -> list[str]:
        return textwrap.wrap(
            text,
            width,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,
        )

    marked = f"'*' = index above the dummy's {main} + confidence (noise floor)"
    lines = wrapped(f"Sensitivity ({method}); {marked};")
    lines += wrapped("Y per sample = mean over its replicates", "  ")
    name_width = max(len("parameter"), *(len(p) for p in table["parameter"]))
    for (scenario, outcome), block in table.groupby(["scenario", "outcome"], sort=False):
        floor = block["noise_floor"].iloc[0]
        floor_text = "none (no dummy)" if pd.isna(floor) else f"{floor:.3f}"
        if floor == 0:
            floor_text += ", the dummy showed no effect at all: too few runs to judge noise"
        lines.append("")
        lines += wrapped(
            f"{scenario} / {OUTCOMES.get(outcome, outcome)} "
            f"({block['samples'].iloc[0]} sample rows; noise floor {floor_text})"
        )
        note = block["note"].iloc[0]
        if note and block[main].isna().all():
            lines += wrapped(f"not analysed: {note}", "  ")
            continue
        if note:
            lines += wrapped(f"caution: {note}", "  ")
        lines.append(
            "  " + "parameter".ljust(name_width) + "".join(c.rjust(13) for c in columns) + "  above"
        )
        for row in block.sort_values(main, ascending=False).itertuples(index=False):
            mark = "dummy" if row.is_dummy else ("*" if row.above_noise_floor else "")
            values = "".join(f"{getattr(row, c):13.3f}" for c in columns)
            lines.append(f"  {row.parameter.ljust(name_width)}{values}  {mark}")
    return "\n".join(lines)
