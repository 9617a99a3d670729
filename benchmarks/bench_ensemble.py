"""The ensemble engine's speed and memory, against Mesa's own batch runner in the same run.

Measures (each in a child process, so that its peak memory is its own):

- headline: 7 built-in scenarios x 10,000 replicates x 26 weeks through the experiment runner,
  model table written to Parquet, on this machine's cores (target: under 60 s, under 1 GB);
- ratio: runs per second of ``mesa.batch_run`` (the same model, the model table every week,
  both cores) against the engine, model table framed in memory, side by side;
- scaling: wall time and peak memory at 1k, 10k, 100k replicates (26 weeks) and at 26, 52, 156
  weeks (10k replicates): the cost should be linear in both;
- start-up: ``escalation run`` (one Mesa run, its tables written) at this commit against an
  earlier commit (``--before``), with the compile cache warm, and a cold first engine call
  with an empty cache.

Run from the repository root with the package installed::

    .venv/bin/python benchmarks/bench_ensemble.py                 # everything
    .venv/bin/python benchmarks/bench_ensemble.py --only headline,ratio

The exit status is 0 whether or not a target is met: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = (
    "baseline",
    "closing_window",
    "arms_now",
    "sanctions_only",
    "divided_west",
    "freeze_deal",
    "nato_moratorium",
)
HEADLINE_TARGET_S = 60.0
MEMORY_TARGET_MB = 1024.0
RATIO_TARGET = 30.0


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --- children: each prints one JSON line -----------------------------------------------------
def child_headline(replicates: int, executor: str) -> dict:
    from experiments.design import load_experiment
    from experiments.executors import make_executor
    from experiments.runner import run_experiment
    from experiments.store import completed_runs

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "headline.toml"
        names = ", ".join(f'"{s}"' for s in SCENARIOS)
        path.write_text(
            f'name = "headline"\nseed = 1\nreplicates = {replicates}\nweeks = 26\n'
            f'scenarios = [{names}]\nrecord = ["model"]\n'
        )
        experiment = load_experiment(path)
        runner = make_executor(executor, workers=os.cpu_count() or 1)
        started = time.perf_counter()
        try:
            run_experiment(experiment, Path(folder) / "out", runner)
        finally:
            runner.close()
        wall = time.perf_counter() - started
        runs = completed_runs(Path(folder) / "out")
        size = sum(p.stat().st_size for p in (Path(folder) / "out").rglob("*.parquet"))
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {
        "wall": wall,
        "runs": runs,
        "chunks": experiment.chunks,
        "peak_mb": peak_mb(),
        "children_peak_mb": children,
        "parquet_mb": size / 2**20,
    }


def child_engine(replicates: int, weeks: int) -> dict:
    import numpy as np
    import pandas as pd

    from ensemble import simulate
    from ensemble.tables import columns
    from world.scenario import load_scenario

    spec = load_scenario("baseline")
    simulate(spec, [0], weeks, agents=False)  # load the compiled engine first
    started = time.perf_counter()
    block = simulate(spec, np.arange(replicates), weeks, agents=False)
    frame = pd.DataFrame(columns(block, tables=("model",))["model"])
    wall = time.perf_counter() - started
    return {"wall": wall, "rows": len(frame), "peak_mb": peak_mb()}


def child_batch_run(runs: int, processes: int) -> dict:
    import mesa

    from model import EscalationModel

    started = time.perf_counter()
    rows = mesa.batch_run(
        EscalationModel,
        parameters={"scenario": "baseline"},
        number_processes=processes,
        data_collection_period=1,
        max_steps=26,
        display_progress=False,
        rng=list(range(runs)),
    )
    return {"wall": time.perf_counter() - started, "rows": len(rows), "peak_mb": peak_mb()}


def child_cold() -> dict:
    started = time.perf_counter()
    from ensemble import simulate
    from world.scenario import load_scenario

    imported = time.perf_counter()
    simulate(load_scenario("baseline"), [0])
    return {"import": imported - started, "first_call": time.perf_counter() - imported}


CHILDREN = {
    "headline": child_headline,
    "engine": child_engine,
    "batch_run": child_batch_run,
    "cold": child_cold,
}


def run_child(kind: str, *args: object, env: dict | None = None) -> dict:
    command = [sys.executable, __file__, "--child", kind, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ------------------------------------------------------------------------------
def headline() -> None:
    print("\n## Headline: 7 scenarios x 10,000 replicates x 26 weeks, model table to Parquet")
    for executor in ("serial", "processes"):
        found = run_child("headline", 10_000, executor)
        what = "one process, the engine's threads" if executor == "serial" else "2 processes"
        verdict = "met" if found["wall"] < HEADLINE_TARGET_S else "NOT met"
        peak = max(found["peak_mb"], found["children_peak_mb"])
        print(
            f"- {executor} ({what}): {found['runs']:,} runs in {found['chunks']} chunks, "
            f"{found['wall']:.1f} s ({found['runs'] / found['wall']:,.0f} runs/s), "
            f"target < {HEADLINE_TARGET_S:.0f} s {verdict}; peak memory {peak:,.0f} MB "
            f"(target < {MEMORY_TARGET_MB:,.0f} MB "
            f"{'met' if peak < MEMORY_TARGET_MB else 'NOT met'}); "
            f"Parquet {found['parquet_mb']:.0f} MB"
        )


def ratio(runs: int, repeats: int) -> None:
    print(f"\n## Against mesa.batch_run (baseline, model table every week, {repeats} repeats)")
    mesa_rates, small_rates, large_rates = [], [], []
    for _ in range(repeats):  # interleaved, so that a change in load touches both alike
        found = run_child("batch_run", runs, 2)
        mesa_rates.append(runs / found["wall"])
        small = run_child("engine", runs, 26)
        small_rates.append(runs / small["wall"])
        large = run_child("engine", 10_000, 26)
        large_rates.append(10_000 / large["wall"])
    m, s, b = (statistics.median(x) for x in (mesa_rates, small_rates, large_rates))
    print(f"- mesa.batch_run, 2 processes, {runs} runs: median {m:,.0f} runs/s")
    print(f"- engine, {runs} replicates: median {s:,.0f} runs/s ({s / m:.1f}x)")
    verdict = "met" if b / m >= RATIO_TARGET else "NOT met"
    print(
        f"- engine, 10,000 replicates: median {b:,.0f} runs/s ({b / m:.1f}x; "
        f"target >= {RATIO_TARGET:.0f}x {verdict})"
    )


def scaling() -> None:
    print("\n## Scaling (engine, baseline, model table framed in memory)")
    print("| replicates | weeks | wall (s) | runs/s | replicate-weeks/s | peak memory (MB) |")
    print("|---|---|---|---|---|---|")
    for replicates, weeks in (
        (1_000, 26),
        (10_000, 26),
        (100_000, 26),
        (10_000, 52),
        (10_000, 156),
    ):
        found = run_child("engine", replicates, weeks)
        rate = replicates / found["wall"]
        print(
            f"| {replicates:,} | {weeks} | {found['wall']:.2f} | {rate:,.0f} | "
            f"{rate * weeks:,.0f} | {found['peak_mb']:,.0f} |"
        )


def startup(before: str | None, repeats: int) -> None:
    print("\n## Start-up: `escalation run` (one 26-week baseline run, tables written)")

    def timed(root: Path) -> float:
        samples = []
        for k in range(repeats):
            with tempfile.TemporaryDirectory() as out:
                command = [
                    sys.executable,
                    "-c",
                    "import sys; from cli.main import main; sys.exit(main(sys.argv[1:]))",
                    "run",
                    "--scenario",
                    "baseline",
                    "--seed",
                    str(k),
                    "--out",
                    str(Path(out) / "run"),
                ]
                env = {**os.environ, "PYTHONPATH": str(root)}
                started = time.perf_counter()
                subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
                samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    now = timed(REPO)
    print(f"- this commit: median {now:.2f} s over {repeats} runs (compile cache warm)")
    if before:
        with tempfile.TemporaryDirectory() as folder:
            tree = Path(folder) / "before"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), before],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            try:
                then = timed(tree)
            finally:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False
                )
        print(
            f"- {before}: median {then:.2f} s; this commit is {now - then:+.2f} s "
            f"(target: at most +1 s, {'met' if now - then <= 1.0 else 'NOT met'})"
        )
    with tempfile.TemporaryDirectory() as cache:
        cold = run_child("cold", env={**os.environ, "NUMBA_CACHE_DIR": cache})
    run_child("cold")  # the runs above may not have compiled the engine's driver: now it is
    warm = run_child("cold")
    print(
        f"- engine, empty compile cache: import {cold['import']:.1f} s, first call "
        f"{cold['first_call']:.1f} s (compiling); warm cache: import {warm['import']:.1f} s, "
        f"first call {warm['first_call']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="headline,ratio,scaling,startup")
    parser.add_argument("--ratio-runs", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", default=None, help="commit to compare start-up against")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        values = [int(v) if v.isdigit() else v for v in rest]
        print(json.dumps(CHILDREN[kind](*values)))
        return
    import numba
    import numpy as np

    print("Benchmark: the ensemble engine")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"load average {os.getloadavg()[0]:.2f} at the start"
    )
    wanted = set(args.only.split(","))
    if "headline" in wanted:
        headline()
    if "ratio" in wanted:
        ratio(args.ratio_runs, args.repeats)
    if "scaling" in wanted:
        scaling()
    if "startup" in wanted:
        startup(args.before, 5)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
