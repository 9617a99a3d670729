"""The model after the ensemble engine against the model before it, 2,000 runs a scenario each way.

The engine changed the random streams (counter-based Philox draws keyed by run seed, week, actor
and purpose), so a seed no longer gives the run it gave before: runs cannot be compared seed for
seed, only as distributions. For every built-in scenario this runs ``compare_scenarios`` with
``--replicates`` runs at two commits, each from its own git worktree, and compares four outcomes
with two-sample tests:

- invasion week (26 weeks and "never" as a 27th class), highest rung and imposed sanction tier:
  chi-squared test of homogeneity over their classes, classes with fewer than 5 runs expected
  pooled with their neighbour;
- Russian troops on 14 Feb 2022: Kolmogorov-Smirnov.

The two commits must share their parameters (calibration moves them): the default pair is the
last commit before the new streams and the last commit of the engine before recalibration.
With 36 tests at the 0.01 level, about one failure in three such reports is expected by chance
alone; a failing outcome is worth a second look, not an automatic verdict.

Run from the repository root with the package installed (about 10 minutes on 2 cores)::

    .venv/bin/python benchmarks/equivalence_before_engine.py
    .venv/bin/python benchmarks/equivalence_before_engine.py --take ff69ae5:world/draws.py

The exit status is 0 whether or not a test passes: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analysis.patterns import MID_FEB  # noqa: E402
from analysis.results import load_results  # noqa: E402
from experiments.store import read_table  # noqa: E402

LEVEL = 0.01
OUTCOMES = ("invasion_week", "highest_rung", "imposed_tier", "troops_14_feb")


def run_at(
    commit: str,
    replicates: int,
    out: Path,
    workers: int,
    extra: Sequence[str] = (),
    taken: Sequence[str] = (),
) -> float:
    """Run compare_scenarios at ``commit`` into ``out``, with each ``COMMIT:PATH`` of
    ``taken`` checked out over it; its wall time in seconds."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        git = ["git", "worktree"]
        subprocess.run([*git, "add", "--detach", str(tree), commit], cwd=REPO, check=True)
        try:
            for spec in taken:
                source, path = spec.split(":", 1)
                subprocess.run(["git", "checkout", source, "--", path], cwd=tree, check=True)
            command = [
                sys.executable,
                "-c",
                "import sys; from cli.main import main; sys.exit(main(sys.argv[1:]))",
                "experiment",
                "compare_scenarios",
                "--out",
                str(out),
                "--replicates",
                str(replicates),
                "--quiet",
                *extra,
            ]
            if workers > 1:
                command += ["--executor", "processes", "--workers", str(workers)]
            env = {**os.environ, "PYTHONPATH": str(tree)}
            started = time.perf_counter()
            subprocess.run(command, cwd=tree, env=env, check=True)
            return time.perf_counter() - started
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], cwd=REPO, check=False)


def outcomes_of(out: Path) -> pd.DataFrame:
    """One row per run: scenario and the four compared outcomes."""
    per_run = load_results(out).outcomes.set_index("run_id")
    model = read_table(out, "model", ["run_id", "date", "russian_troops"])
    dates = pd.to_datetime(model["date"]).dt.strftime("%Y-%m-%d")
    troops = model[dates == MID_FEB].groupby("run_id")["russian_troops"].first()
    return pd.DataFrame(
        {
            "scenario": per_run["scenario"].astype(str),
            "invasion_week": per_run["invasion_week"].fillna(per_run["horizon"] + 1).astype(int),
            "highest_rung": per_run["highest_rung"].astype(int),
            "imposed_tier": per_run["max_sanction_tier"].astype(int),
            "troops_14_feb": troops.reindex(per_run.index).astype(float),
        }
    )


def pooled_counts(a: pd.Series, b: pd.Series) -> np.ndarray:
    """A 2 x k table of class counts, classes with fewer than 5 runs expected pooled upward."""
    classes = sorted(set(a) | set(b))
    table = np.array([[int((s == c).sum()) for c in classes] for s in (a, b)], dtype=float)
    share = table.sum(axis=1).min() / table.sum()  # the smaller sample's share of all runs

    def enough(column: np.ndarray) -> bool:
        return column.sum() * share >= 5

    columns: list[np.ndarray] = []
    pending = np.zeros(2)
    for k in range(table.shape[1]):
        pending = pending + table[:, k]
        if enough(pending):
            columns.append(pending)
            pending = np.zeros(2)
    if pending.sum():
        if columns:
            columns[-1] = columns[-1] + pending
        else:
            columns.append(pending)
    return np.column_stack(columns)


def p_value(outcome: str, a: pd.Series, b: pd.Series) -> tuple[str, float]:
    if outcome == "troops_14_feb":
        return "KS", float(stats.ks_2samp(a.dropna(), b.dropna()).pvalue)
    table = pooled_counts(a, b)
    if table.shape[1] < 2:
        return "χ²", 1.0  # one class each way: identical distributions
    return "χ²", float(stats.chi2_contingency(table, correction=False).pvalue)


def report(before: pd.DataFrame, after: pd.DataFrame, names: tuple[str, str]) -> int:
    print(
        f"| scenario | P(invasion) {names[0]} | P(invasion) {names[1]} | "
        + " | ".join(f"{o} p" for o in OUTCOMES)
        + " |"
    )
    print("|---" * (3 + len(OUTCOMES)) + "|")
    failures = 0
    for scenario in sorted(set(before["scenario"])):
        a = before[before["scenario"] == scenario]
        b = after[after["scenario"] == scenario]
        horizon_a, horizon_b = a["invasion_week"].max(), b["invasion_week"].max()
        cells = []
        for outcome in OUTCOMES:
            test, p = p_value(outcome, a[outcome], b[outcome])
            failures += p <= LEVEL
            cells.append(f"{p:.3f} ({test}){' **fails**' if p <= LEVEL else ''}")
        invaded_a = (a["invasion_week"] < horizon_a).mean() if len(a) else float("nan")
        invaded_b = (b["invasion_week"] < horizon_b).mean() if len(b) else float("nan")
        print(
            f"| `{scenario}` | {invaded_a:.3f} (n={len(a)}) | {invaded_b:.3f} (n={len(b)}) | "
            + " | ".join(cells)
            + " |"
        )
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="97ba2ad", help="commit of the model before")
    parser.add_argument("--after", default="36cd8c2", help="commit with the engine")
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes, before only")
    parser.add_argument("--out", default=None, help="keep the runs here (a rerun resumes them)")
    parser.add_argument("--scenarios", default=None, help="comma-separated (default: all)")
    parser.add_argument("--seed", type=int, default=None, help="experiment seed (a second look)")
    parser.add_argument(
        "--take",
        action="append",
        default=[],
        metavar="COMMIT:PATH",
        help="a file from another commit over --after (a fix the two sides share)",
    )
    args = parser.parse_args()
    for spec in args.take:
        if ":" not in spec:
            parser.error(f"--take expects COMMIT:PATH, got '{spec}'")
    extra = [f"--scenarios={args.scenarios}"] if args.scenarios else []
    extra += [f"--seed={args.seed}"] if args.seed is not None else []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.out or scratch
        walls = {}
        frames = {}
        for side, commit, workers, taken in (
            ("before", args.before, args.workers, []),
            ("after", args.after, 1, args.take),
        ):
            out = Path(folder) / side
            walls[side] = run_at(commit, args.replicates, out, workers, extra, taken)
            frames[side] = outcomes_of(out)
    print(
        f"\n{args.replicates:,} runs a scenario each way; {args.before} in "
        f"{walls['before']:.0f} s ({args.workers} processes), {args.after} in "
        f"{walls['after']:.0f} s (engine); tests at the {LEVEL} level\n"
    )
    failures = report(frames["before"], frames["after"], (args.before, args.after))
    tests = len(OUTCOMES) * frames["before"]["scenario"].nunique()
    print(f"\n{tests - failures} of {tests} tests agree at p > {LEVEL}.")


if __name__ == "__main__":
    main()
