"""The validation report, generated from fresh runs by one command (``escalation validate``).

``docs/VALIDATION.md`` is never edited by hand: every number in it comes from experiments this
module writes and runs (through the experiment runner, so any executor serves), plus the
calibration record ``docs/calibration.json``. Sections:

1. the patterns of the sources, and how well the calibrated baseline meets each;
2. the calibration: what was fitted, to what, and how tightly the patterns pin the outcome;
3. the two competing readings of the sources (000 and 004) run through the same experiment,
   how far apart their invasion probabilities are and which parameters carry the difference;
4. the strategies of the sources compared under both readings;
5. which parameters drive invasion and escalation (Sobol indices against a dummy parameter);
6. the ablation registry: does each mechanism of the ODD move an outcome (``analysis/ablation``);
7. what the model does not capture.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import ablation
from analysis.patterns import PATTERNS, check, measures, report
from analysis.plots import sensitivity_figure
from analysis.results import first_invasion_week, load_results, run_outcomes
from analysis.sensitivity import sensitivity_table
from analysis.stats import invasion_curves, wilson_interval
from experiments.design import load_experiment
from experiments.executors import Executor
from experiments.runner import Progress, run_experiment
from experiments.store import load
from experiments.toml_text import dumps
from model.files import write_atomic, write_text_atomic
from model.provenance import versions
from world.scenario import load_scenario, override_tables

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORT = REPO_ROOT / "docs" / "VALIDATION.md"
CALIBRATION_RECORD = REPO_ROOT / "docs" / "calibration.json"
HYPOTHESES = {
    "invasion_not_viable": "000: a full invasion is not viable",
    "closing_window": "004: a closing window makes invasion very likely",
}
STRATEGIES = {
    "baseline": "as in November 2021 (threats, modest arms, flank, talks)",
    "sanctions_only": "sanction threats alone",
    "arms_now": "major arms now",
    "freeze_deal": "freeze deal: carrot and stick",
    "nato_moratorium": "moratorium on enlargement",
    "energy_diversified": "energy diversification",
    "divided_west": "a divided West",
}
SENSITIVITY_PARAMETERS = {
    "russia_risk_attitude": (-0.3, 0.5),
    "assumed_western_resolve": (0.1, 0.9),
    "sanction_cost_scale": (0.2, 1.5),
    "weekly_discount": (0.9, 1.0),
    "arms_delivery_lag": (0, 12),
    "troops_for_even_odds": (70000.0, 160000.0),
    "misperception": (0.0, 0.4),
    "germany_gas_import_share": (0.1, 0.9),
    "arms_aid": (0.0, 1.0),
    "buildup_rate": (3000.0, 7000.0),
    "choice_temperature": (0.005, 0.05),
    "lng_alternatives": (0.0, 0.7),
}
SEED = 20220224
# The Sobol design of the reports before the ensemble engine (N, seeds per sample): run beside
# the report's own (N no larger than the report's) so that the noise floor is shown before and
# after.
EARLIER_SOBOL = (128, 2)
# The experiments the report runs, in the order it runs them (the progress callback's names).
EXPERIMENTS = (
    "patterns",
    "hypotheses",
    "attribution",
    "strategies",
    "arms_lag",
    "sensitivity",
    "sensitivity_earlier",
    "ablation",
)
# arms_now with its arms arriving at once, after the documented lag, and after a long one.
ARMS_LAGS = {
    "as sent": {"arms_delivery_lag": 0, "training_weeks": 0, "major_systems_training_weeks": 0},
    "documented lag": {},
    "long lag": {"arms_delivery_lag": 12},
}
StageProgress = Callable[[str, Progress], None]  # (experiment name, where it stands)


@dataclass(frozen=True)
class Settings:
    replicates: int = 400  # per scenario (patterns, hypotheses, strategies), per ablation arm
    sobol_samples: int = 1024  # Sobol base sample N (runs: N * (2D + 2) * sobol_replicates)
    sobol_replicates: int = 8
    weeks: int = 26
    registry: Path = ablation.REGISTRY  # the ablation registry the report's section 6 runs


# --- generated files -------------------------------------------------------------------------
def write_scenario(path: Path, name: str, description: str, extends: str, overrides: dict) -> str:
    """A scenario file stating ``overrides`` over the built-in ``extends``; returns its path."""
    doc: dict[str, Any] = {"name": name, "description": description, "extends": extends}
    doc.update(override_tables(load_scenario(extends), overrides))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, dumps(doc))
    return str(path.resolve())


def differences(scenario: str, reference: str = "baseline") -> dict[str, Any]:
    """What ``scenario`` changes relative to ``reference``, as overrides by name."""
    values = load_scenario(scenario).parameter_values()
    base = load_scenario(reference).parameter_values()
    return {k: v for k, v in values.items() if base.get(k) != v}


def run(
    out: Path,
    name: str,
    scenarios: Sequence[str],
    replicates: int,
    weeks: int,
    executor: Executor | None,
    record: Sequence[str] = ("model",),
    design: Mapping[str, Any] | None = None,
    progress: StageProgress | None = None,
) -> dict[str, pd.DataFrame]:
    """Write an experiment file for these scenarios, run it (resuming if interrupted), load it.

    ``progress`` is called with the experiment's name and the runner's Progress, at its start
    and after every chunk.
    """
    where = out / name
    where.mkdir(parents=True, exist_ok=True)
    doc = {
        "name": name,
        "description": f"validation report: {name}",
        "seed": SEED,
        "replicates": replicates,
        "weeks": weeks,
        "scenarios": list(scenarios),
        "record": list(record),
        "design": dict(design or {"sampler": "none"}),
    }
    file = where / "experiment.source.toml"
    write_text_atomic(file, dumps(doc))
    on_chunk = None if progress is None else functools.partial(progress, name)
    run_experiment(load_experiment(file), where / "runs", executor, progress=on_chunk)
    return load(where / "runs", ("runs", *record))


# --- statistics ------------------------------------------------------------------------------
def newcombe(x1: float, n1: int, x2: float, n2: int) -> tuple[float, float, float]:
    """Difference p1 - p2 with Newcombe's hybrid Wilson interval (method 10, 1998)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1)
    l2, u2 = wilson_interval(x2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def invasion_by_scenario(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """P(invasion by the horizon) per scenario with its Wilson interval and median week."""
    runs, weekly = tables["runs"], tables["model"]
    ok = runs[runs["status"] == "ok"]
    first = first_invasion_week(weekly)
    rows = []
    for scenario, group in ok.groupby("scenario", sort=False):
        weeks = first.reindex(group["run_id"]).dropna()
        n, k = len(group), len(weeks)
        low, high = wilson_interval(k, n)
        rows.append(
            {
                "scenario": scenario,
                "runs": n,
                "invasions": k,
                "p_invasion": k / n if n else math.nan,
                "low": low,
                "high": high,
                "median_week": float(weeks.median()) if k else math.nan,
                "failed": int((runs[runs["scenario"] == scenario]["status"] != "ok").sum()),
            }
        )
    return pd.DataFrame(rows)


def _share(row: Mapping[str, Any]) -> str:
    return f"{row['p_invasion']:.2f} [{row['low']:.2f}, {row['high']:.2f}]"


# --- the sections ----------------------------------------------------------------------------
def patterns_section(
    out: Path, s: Settings, executor: Executor | None, progress: StageProgress | None = None
) -> tuple[list[str], Any]:
    tables = run(
        out,
        "patterns",
        ["baseline"],
        s.replicates,
        s.weeks,
        executor,
        ("model", "agents"),
        progress=progress,
    )
    per_run = measures(tables)
    table = check(per_run)
    lines = [
        "## 1. Patterns of the sources",
        "",
        f"`baseline`, {s.replicates} seeded runs of {s.weeks} weeks. Each pattern is a statement"
        " of the sources turned into a number per run and judged over all runs against the"
        " range stated with it (`analysis/patterns.py`, where each tolerance is justified);"
        " `tests/analysis/test_patterns.py` checks the same over 200 seeds.",
        "",
        "| pattern | claim (source) | value | accepted range | met |",
        "|---|---|---|---|---|",
    ]
    for p, row in zip(PATTERNS, table.itertuples(), strict=True):
        lines.append(
            f"| `{p.name}` | {p.claim} ({p.source}) | {_number(row.value)} |"
            f" {_number(row.low)} – {_number(row.high)} | {'yes' if row.met else '**no**'} |"
        )
    lines += ["", "Tolerances:", ""]
    lines += [f"- `{p.name}`: {p.tolerance}" for p in PATTERNS]
    lines += [
        "",
        "Reported, not judged (the sources fix the order or give no range for these, so a range"
        " would make a date or a rate a target):",
        "",
        "| figure | value | the record |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{row.figure}`: {row.what} | {row.value} | {row.record} |"
        for row in report(per_run).itertuples()
    ]
    lines += [
        "",
        "Not represented, so not checked: where the troops stand (the sources place formations in"
        " Belarus and Crimea; the model has one number for forces near Ukraine).",
        "",
    ]
    return lines, table


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def calibration_section(record_path: Path) -> list[str]:
    lines = ["## 2. Calibration", ""]
    if not record_path.is_file():
        return [*lines, "No calibration record (`docs/calibration.json`) found.", ""]
    record = json.loads(record_path.read_text(encoding="utf-8"))
    chosen = record.get("chosen") or {}
    lines += [
        f"`escalation calibrate` ({record['calibration_file']}, run {record['date']}) searched"
        f" {record['candidates']} Latin-hypercube candidates over",
        "",
    ]
    lines += [f"- `{k}` in [{lo:g}, {hi:g}]" for k, (lo, hi) in record["free"].items()]
    lines += [
        "",
        f"with {record['replicates']} seeds each, scoring the squared relative error of the"
        " pattern means against "
        + ", ".join(f"`{k}` = {v:,.0f}" for k, v in record["targets"].items())
        + f"; the best {len(record['finalists'])} were re-run with {record['final_replicates']}"
        " seeds and the best of those meeting every pattern was chosen. Dates and outcomes"
        " (whether or when Russia invades) were never targets.",
        "",
        "| finalist | "
        + " | ".join(f"`{k}`" for k in record["free"])
        + " | score | "
        + " | ".join(f"`{k}` mean" for k in record["targets"])
        + " | all patterns | P(invasion) |",
        "|---" * (len(record["free"]) + len(record["targets"]) + 4) + "|",
    ]
    for i, f in enumerate(record["finalists"], 1):
        mark = " (chosen)" if f == chosen else ""
        lines.append(
            f"| {i}{mark} | "
            + " | ".join(f"{f['parameters'][k]:.4g}" for k in record["free"])
            + f" | {f['score']:.4f} | "
            + " | ".join(f"{f['means'][k]:,.0f}" for k in record["targets"])
            + f" | {'yes' if f['patterns_met'] else 'no'} | {f['invasion_share']:.2f} |"
        )
    spread = record.get("acceptable_invasion_share_range")
    if spread:
        lines += [
            "",
            f"**How tightly the patterns pin the outcome:** finalists that meet every pattern give"
            f" P(invasion within {record.get('weeks', 26)} weeks) from {spread[0]:.2f} to"
            f" {spread[1]:.2f}. The troop patterns constrain how fast Russia masses forces, not"
            " how it decides; the invasion probability of `baseline` is therefore a consequence"
            " of assumed values (Section 5 shows which matter), not a calibrated quantity.",
        ]
    return [*lines, ""]


def hypotheses_section(
    out: Path,
    s: Settings,
    executor: Executor | None,
    figures: Path,
    progress: StageProgress | None = None,
) -> list[str]:
    names = list(HYPOTHESES)
    scenarios = [names[0], "baseline", names[1]]
    tables = run(out, "hypotheses", scenarios, s.replicates, s.weeks, executor, progress=progress)
    shares = invasion_by_scenario(tables).set_index("scenario")
    a, b = shares.loc[names[0]], shares.loc[names[1]]
    diff, low, high = newcombe(b["invasions"], int(b["runs"]), a["invasions"], int(a["runs"]))
    # Which parameters carry the difference: a random design over the parameters on which the
    # readings differ, each at 000's or at 004's value, so that every parameter's effect is
    # averaged over the others (one-at-a-time switches from either end saturate at 0 or 1).
    effects = attribution(out, s, executor, names[0], names[1], progress)
    lines = [
        "## 3. The two readings of the sources",
        "",
        "The sources disagree: 000 judges a full-scale invasion not viable (the build-up is"
        " coercion; sabotage and separatist action are likely), 004 judges it very likely"
        " because Russia sees a closing window. Each reading is a scenario file"
        " (`invasion_not_viable`, `closing_window`; values and their reading of the text in"
        " docs/ODD.md §10). Same mechanisms, same seeds, "
        f"{s.replicates} runs each:",
        "",
        "| scenario | P(invasion within 26 weeks) [95% Wilson] | median week of invasion |",
        "|---|---|---|",
    ]
    for name in (names[0], "baseline", names[1]):
        row = shares.loc[name]
        lines.append(f"| `{name}` | {_share(row)} | {_week(row['median_week'])} |")
    lines += [
        "",
        f"The readings are **{diff:.2f}** apart in invasion probability (95% Newcombe interval"
        f" {low:.2f} to {high:.2f}).",
        "",
        "Which parameters carry the difference: every parameter on which the readings differ"
        f" is set at random to 000's or to 004's value in {ATTRIBUTION_SETS} combinations"
        f" ({_attribution_replicates(s)} runs each, built on `invasion_not_viable`). A"
        " parameter's effect is the mean P(invasion) of the combinations with 004's value minus"
        " that of those with 000's value, averaged over everything else (± 1.96 standard"
        " errors across combinations):",
        "",
        "| parameter | 000 value | 004 value | effect on P(invasion) |",
        "|---|---|---|---|",
    ]
    for row in effects.itertuples():
        lines.append(
            f"| `{row.parameter}` | {row.value_000:g} | {row.value_004:g} |"
            f" {row.effect:+.2f} ± {1.96 * row.se:.2f} |"
        )
    figure = _curves_figure(tables, [names[0], "baseline", names[1]], figures / "hypotheses.png")
    lines += ["", f"![P(invasion) by week under both readings]({_rel(figure)})", ""]
    return lines


ATTRIBUTION_SETS = 256


def _attribution_replicates(s: Settings) -> int:
    return max(2, s.replicates // 40)


def attribution(
    out: Path,
    s: Settings,
    executor: Executor | None,
    first: str,
    second: str,
    progress: StageProgress | None = None,
) -> pd.DataFrame:
    """Main effect of each differing parameter on P(invasion), over random combinations."""
    import numpy as np

    switch = differences(second, first)
    start = load_scenario(first).parameter_values()
    names = sorted(switch)
    rng = np.random.default_rng(SEED)
    flags = rng.integers(0, 2, size=(ATTRIBUTION_SETS, len(names))).astype(bool)
    sets = [
        {
            name: (switch[name] if flag else start[name])
            for name, flag in zip(names, row, strict=True)
        }
        for row in flags
    ]
    design = {"sampler": "list", "sets": sets}
    reps = _attribution_replicates(s)
    tables = run(
        out, "attribution", [first], reps, s.weeks, executor, design=design, progress=progress
    )
    runs, weekly = tables["runs"], tables["model"]
    invaded = weekly.groupby("run_id")["invasion"].any()
    ok = runs[runs["status"] == "ok"]
    share = invaded.reindex(ok["run_id"]).groupby(ok["sample"].to_numpy()).mean()
    share = share.reindex(range(ATTRIBUTION_SETS))
    rows = []
    for j, name in enumerate(names):
        high, low = share[flags[:, j]], share[~flags[:, j]]
        se = math.sqrt(high.var(ddof=1) / len(high) + low.var(ddof=1) / len(low))
        rows.append(
            {
                "parameter": name,
                "value_000": start[name],
                "value_004": switch[name],
                "effect": float(high.mean() - low.mean()),
                "se": se,
            }
        )
    return pd.DataFrame(rows).sort_values("effect", key=abs, ascending=False, ignore_index=True)


def _week(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    date = dt.date(2021, 11, 1) + dt.timedelta(weeks=int(value))
    return f"{value:.0f} ({date:%d %b %Y})"


def strategies_section(
    out: Path,
    s: Settings,
    executor: Executor | None,
    figures: Path,
    progress: StageProgress | None = None,
) -> list[str]:
    files: dict[tuple[str, str], str] = {}
    for hypothesis in HYPOTHESES:
        for strategy in STRATEGIES:
            name = f"{strategy}__under__{hypothesis}"
            files[strategy, hypothesis] = write_scenario(
                out / "strategies" / "scenarios" / f"{name}.toml",
                name,
                f"{STRATEGIES[strategy]}, under {HYPOTHESES[hypothesis]}",
                hypothesis,
                differences(strategy),
            )
    tables = run(
        out,
        "strategies",
        list(files.values()),
        s.replicates,
        s.weeks,
        executor,
        progress=progress,
    )
    shares = invasion_by_scenario(tables).set_index("scenario")
    lines = [
        "## 4. Strategies under both readings",
        "",
        "Each strategy of the sources is the set of changes its scenario file makes to"
        " `baseline`, applied on top of each reading. P(invasion within 26 weeks), 95% Wilson"
        f" interval, {s.replicates} runs per cell:",
        "",
        "| strategy | " + " | ".join(f"under `{h}`" for h in HYPOTHESES) + " |",
        "|---|" + "---|" * len(HYPOTHESES),
    ]
    for strategy, label in STRATEGIES.items():
        cells = [_share(shares.loc[files[strategy, hypothesis]]) for hypothesis in HYPOTHESES]
        lines.append(f"| `{strategy}` ({label}) | " + " | ".join(cells) + " |")
    for hypothesis in HYPOTHESES:
        lines.append(_verdict(shares, files, hypothesis))
    figure = _strategies_figure(shares, files, figures / "strategies.png")
    lines += ["", f"![Strategies under both readings]({_rel(figure)})", ""]
    return lines


def arms_lag_section(
    out: Path,
    s: Settings,
    executor: Executor | None,
    progress: StageProgress | None = None,
) -> list[str]:
    """arms_now under baseline, its arms arriving at once, after the lag, after a long one."""
    files = {"baseline policy": "baseline"}
    for label, overrides in ARMS_LAGS.items():
        name = "arms_now__" + label.replace(" ", "_")
        changes = {**differences("arms_now"), **overrides}
        files[label] = write_scenario(
            out / "arms_lag" / "scenarios" / f"{name}.toml",
            name,
            f"arms_now, arms {label}",
            "baseline",
            changes,
        )
    tables = run(
        out, "arms_lag", list(files.values()), s.replicates, s.weeks, executor, progress=progress
    )
    shares = invasion_by_scenario(tables).set_index("scenario")
    policy = load_scenario("arms_now").policy
    lag = policy.arms_delivery_lag + max(policy.training_weeks, policy.major_systems_training_weeks)
    lines = [
        "### `arms_now` and the time arms take",
        "",
        "004 warns that major systems take weeks to deliver and more to train on, and that a"
        " Russia seeing them come may strike before they work. `arms_now` under the baseline"
        f" reading, {s.replicates} runs per row; the documented lag is {policy.arms_delivery_lag}"
        f" weeks of delivery and {policy.major_systems_training_weeks} of training on major"
        f" systems ({lag} weeks in all, docs/ODD.md §8.3):",
        "",
        "| arms arrive | P(invasion within 26 weeks) [95% Wilson] | median week of invasion |",
        "|---|---|---|",
    ]
    for label, file in files.items():
        row = shares.loc[file]
        lines.append(f"| {label} | {_share(row)} | {_week(row['median_week'])} |")
    at_once, documented = shares.loc[files["as sent"]], shares.loc[files["documented lag"]]
    base = shares.loc[files["baseline policy"]]
    lines += [
        "",
        f"With arms working the week they are sent, `arms_now` gives {at_once['p_invasion']:.2f};"
        f" with the documented lag, {documented['p_invasion']:.2f} (baseline policy"
        f" {base['p_invasion']:.2f}). Russia sees the deliveries at once (its `arms_trend`)"
        " and projects Ukraine's capability with them, but they add to Ukraine's strength only"
        " after the lag: the window it sees closing is one it can still use, which is 004's"
        " worry.",
        "",
    ]
    return lines


def _verdict(shares: pd.DataFrame, files: Mapping[tuple[str, str], str], hypothesis: str) -> str:
    """Which strategies the intervals separate from `baseline` policy under one reading."""
    reference = shares.loc[files["baseline", hypothesis]]
    lower, higher = [], []
    for strategy in STRATEGIES:
        if strategy == "baseline":
            continue
        row = shares.loc[files[strategy, hypothesis]]
        if row["high"] < reference["low"]:
            lower.append(f"`{strategy}` ({row['p_invasion']:.2f})")
        elif row["low"] > reference["high"]:
            higher.append(f"`{strategy}` ({row['p_invasion']:.2f})")
    said = f"\nUnder `{hypothesis}` (baseline policy {reference['p_invasion']:.2f}): "
    said += "lower, with intervals apart: " + (", ".join(lower) or "none")
    said += "; higher: " + (", ".join(higher) or "none")
    return said + "; the others cannot be told apart from baseline policy at this sample size."


def sensitivity_section(
    out: Path,
    s: Settings,
    executor: Executor | None,
    figures: Path,
    progress: StageProgress | None = None,
) -> list[str]:

    def indices(name: str, samples: int, reps: int) -> pd.DataFrame:
        parameters = SENSITIVITY_PARAMETERS.items()
        design = {
            "sampler": "sobol",
            "samples": samples,
            "dummy": True,
            "parameters": {k: {"min": lo, "max": hi} for k, (lo, hi) in parameters},
        }
        run(out, name, ["baseline"], reps, s.weeks, executor, design=design, progress=progress)
        runs = load_results(out / name / "runs")
        return sensitivity_table(runs, ["invasion", "highest_rung"])

    table = indices("sensitivity", s.sobol_samples, s.sobol_replicates)
    small = (min(EARLIER_SOBOL[0], s.sobol_samples), EARLIER_SOBOL[1])
    earlier = indices("sensitivity_earlier", *small)
    lines = [
        "## 5. What drives invasion and escalation",
        "",
        f"Sobol indices (Saltelli design, N = {s.sobol_samples}, {s.sobol_replicates} seeds per"
        " sample, outcome per sample = mean over its seeds) for"
        f" {len(SENSITIVITY_PARAMETERS)} parameters over the ranges below, plus a `dummy`"
        " parameter the model never sees: its index is the noise floor of this stochastic model."
        " A parameter counts only when its total index ST exceeds the dummy's ST plus its"
        " confidence half-width.",
        "",
    ]
    for outcome, label in (("invasion", "P(invasion)"), ("highest_rung", "highest rung")):
        part = table[(table["outcome"] == outcome) & ~table["is_dummy"]].sort_values(
            "ST", ascending=False
        )
        floor = table[(table["outcome"] == outcome)]["noise_floor"].iloc[0]
        was = earlier[(earlier["outcome"] == outcome)]["noise_floor"].iloc[0]
        before = f"; {was:.3f} with N = {small[0]} and {small[1]} seeds per sample"
        if small == EARLIER_SOBOL:
            before += ", the design of the reports before the ensemble engine"
        lines += [
            f"**{label}** (noise floor ST = {floor:.3f}{before}):",
            "",
            "| rank | parameter | range | S1 | ST ± conf | above noise |",
            "|---|---|---|---|---|---|",
        ]
        for rank, row in enumerate(part.itertuples(), 1):
            lo, hi = SENSITIVITY_PARAMETERS[row.parameter]
            lines.append(
                f"| {rank} | `{row.parameter}` | {lo:g} – {hi:g} | {row.S1:.3f} |"
                f" {row.ST:.3f} ± {row.ST_conf:.3f} | {'yes' if row.above_noise_floor else 'no'} |"
            )
        lines.append("")
    figure = sensitivity_figure(table, figures / "sensitivity.png")
    lines += [f"![Sobol indices]({_rel(figure)})", ""]
    return lines


def ablation_section(
    out: Path,
    s: Settings,
    executor: Executor | None,
    progress: StageProgress | None = None,
) -> list[str]:
    """Every mechanism of the registry (``s.registry``) on ``s.replicates`` paired seeds, or
    an entry's own ``seeds``; per-run outcomes and their seeds are kept in ``out/ablation``."""
    mechanisms = ablation.load_registry(s.registry)
    on_chunk = None if progress is None else functools.partial(progress, "ablation")
    result = ablation.run_registry(mechanisms, s.replicates, executor, progress=on_chunk)
    ablation.write(result, out / "ablation")
    n = s.replicates
    quarter, half = (ablation.detectable_share_shift(n, q) for q in (0.25, 0.5))
    return [
        "## 6. Ablation registry: does each mechanism matter?",
        "",
        "Every mechanism of docs/ODD.md listed in `analysis/ablation.toml` is switched off, or"
        " moved across its range, with everything else as in its scenario (`baseline` unless"
        f" the registry says otherwise). Both arms run the same {n} seeds, or the more an entry"
        " states for a small effect (its `seeds`, shown in the n column; seed i is child i of"
        f" `SeedSequence({result.root_seed})`), so each seed gives a paired difference, high arm"
        " minus low arm; z = mean difference / (sd of the differences / √n). Outcomes per run:"
        " P(invasion) within the horizon, the invasion week (the horizon + 1 when there is"
        " none), the imposed tier (the highest sanction tier imposed) and the highest rung. A"
        f" mechanism must move one of them at |z| ≥ {ablation.Z_MIN:g} or it is **decorative**:"
        " to be made to matter or deleted. Where theory predicts a direction (`expect` in the"
        f" registry), that is checked too. With {n} pairs a shift in P(invasion) of"
        f" {quarter:.2f} is found at z ≥ {ablation.Z_MIN:g} with 80% power when a quarter of"
        f" the pairs differ ({half:.2f} when half do). `tests/analysis/test_ablation.py` checks"
        " every other entry in CI, on 50 paired seeds and then, for those not yet shown, 150;"
        " it skips the entries marked known (today's failures) and those whose `seeds` exceed"
        " 150 (their effects are below its power), which this table judges on their seeds."
        f" Per-run outcomes with their seeds: `{out / 'ablation'}`.",
        "",
        *ablation.markdown_table(result),
        "",
        ablation.summary(result),
        "",
    ]


LIMITATIONS = """## 7. What the model does not capture

- **Geography.** Forces near Ukraine are one number; formations in Belarus and Crimea, axes of
  attack and the course of a war after it starts are not represented.
- **Domestic politics** appear only through parameters (resolve, cost tolerance, audience
  costs); elections, parliaments and public opinion do not move during a run.
- **Third parties** (China, Belarus as an actor, Turkey, the Gulf gas suppliers) are absent;
  LNG enters as one `lng_alternatives` share.
- **Information**: beliefs are single numbers moved by signals; there is no intelligence
  disclosure campaign (the US publishing Russian plans), no deception model beyond noise.
- **Time**: one step is a week; events inside a week (e.g. recognition on 21 February and the
  invasion on 24 February) collapse into one step.
- **Arms in a pipeline, not in a war.** Deliveries work after a delivery lag and training
  time (Section 4); what they do once a war has begun (attrition, resupply) is not modelled.
- **Calibration** pins the troop build-up, not the decision to invade (Section 2): the
  invasion probability of `baseline` rests on assumed values, and Section 5 says which.
- **Known quirks** of the current implementation are listed in docs/ODD.md §8.6.
"""


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPORT.parent))
    except ValueError:
        return str(path)


def _curves_figure(tables: Mapping[str, pd.DataFrame], scenarios: list[str], path: Path) -> Path:
    curves = invasion_curves(run_outcomes(tables["runs"], tables["model"]), ["scenario"])
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    for scenario in scenarios:
        curve = curves[curves["scenario"] == scenario]
        axes.plot(curve["week"], curve["p_invasion"], label=scenario)
        axes.fill_between(
            curve["week"], curve["p_invasion_lo"], curve["p_invasion_hi"], alpha=0.2, linewidth=0
        )
    axes.set_xlabel("week (0 = 1 Nov 2021)")
    axes.set_ylabel("P(invasion by week)")
    axes.set_ylim(0, 1)
    axes.legend()
    return _save(figure, path)


def _strategies_figure(
    shares: pd.DataFrame, files: Mapping[tuple[str, str], str], path: Path
) -> Path:
    figure = Figure(figsize=(8, 4.5))
    axes = figure.subplots()
    strategies = list(STRATEGIES)
    for offset, hypothesis in zip((-0.15, 0.15), HYPOTHESES, strict=True):
        rows = [shares.loc[files[s, hypothesis]] for s in strategies]
        x = [i + offset for i in range(len(strategies))]
        y = [r["p_invasion"] for r in rows]
        err = [
            [max(0.0, r["p_invasion"] - r["low"]) for r in rows],
            [max(0.0, r["high"] - r["p_invasion"]) for r in rows],
        ]
        axes.errorbar(x, y, yerr=err, fmt="o", capsize=3, label=f"under {hypothesis}")
    axes.set_xticks(range(len(strategies)), strategies, rotation=30, ha="right")
    axes.set_ylabel("P(invasion within 26 weeks)")
    axes.set_ylim(-0.02, 1.02)
    axes.legend()
    figure.tight_layout()
    return _save(figure, path)


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)

    def draw(temporary: Path) -> None:
        figure.savefig(temporary, format="png", dpi=110, bbox_inches="tight")

    return write_atomic(path, draw)


def heading(started: dt.datetime, out: Path) -> list[str]:
    """The report's title and opening paragraphs: how and when it was made, what it is, and
    where the sources it cites by id are described."""
    stamp = versions()
    return [
        "# Validation report",
        "",
        "Generated by `escalation validate` from fresh runs; do not edit by hand. Generated"
        f" {started:%Y-%m-%d %H:%M} UTC with "
        + ", ".join(f"{k} {v}" for k, v in stamp.items())
        + f"; experiment seed {SEED}; runs kept in `{out}`.",
        "",
        "The model is an exploratory tool for comparing strategies under uncertainty, not a"
        " forecast: every number below is a distribution over seeded runs under stated"
        " assumptions.",
        "",
        "The sources are cited by their three-digit ids, (000) to (004);"
        " [docs/SOURCES.md](SOURCES.md) says what each one is, where to find it and what the"
        " model takes from it.",
        "",
    ]


def validate(
    out: Path,
    settings: Settings = Settings(),
    executor: Executor | None = None,
    report: Path = REPORT,
    calibration_record: Path = CALIBRATION_RECORD,
    progress: StageProgress | None = None,
) -> Path:
    """Run every experiment of the report into ``out`` and write the report; returns its path.

    ``progress(name, state)`` follows the experiments (:data:`EXPERIMENTS`, in this order):
    called at each one's start and after every chunk with the runner's Progress.
    """
    figures = report.parent / "figures"
    started = dt.datetime.now(dt.UTC)
    pattern_lines, _ = patterns_section(out, settings, executor, progress)
    sections = [
        pattern_lines,
        calibration_section(calibration_record),
        hypotheses_section(out, settings, executor, figures, progress),
        strategies_section(out, settings, executor, figures, progress),
        arms_lag_section(out, settings, executor, progress),
        sensitivity_section(out, settings, executor, figures, progress),
        ablation_section(out, settings, executor, progress),
    ]
    body = heading(started, out) + [line for section in sections for line in section]
    body.append(LIMITATIONS)
    report.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(report, "\n".join(body))
