"""What a user pays on this machine: one run, 1,000 runs and 50,000 runs, in time, memory and disk.

Why: ``BENCHMARKS.md`` answers "how long will N runs take, in how much memory and disk" with
figures measured by this one command. It prints a markdown table ready to paste (on stdout;
progress goes to stderr). Measured, in this order:

1. one 26-week ``baseline`` run in this process: construction + run + ``history()``, against
   the bare-Mesa floor of ``bench_model.py`` (same number of agents, steps and DataCollector
   width, no logic), the two interleaved with a new seed per repeat; medians of ``--one-repeats``.
2. the whole ``escalation experiment`` command (``python -m cli.main experiment FILE --out DIR
   --quiet``) in a subprocess, timed from start to exit: interpreter start-up, the runs, writing
   the results and the summary it prints at the end. The experiment is ``baseline`` only, 26
   weeks, a fixed seed, recording the model table as ``compare_scenarios`` does. Run serially,
   with ``--workers 2`` (local processes) and, unless ``--no-dask``, with ``--executor dask
   --workers 2`` (a Dask LocalCluster started and stopped by the command, included in its
   time). First one run (the command's fixed cost), then 1,000 runs, the executors taking
   their repeats in turn (``--repeats``, default 3; medians and ranges shown).
3. last, because it takes longest, 50,000 runs, once per executor (serial, 2 processes).

Peak memory is the process tree of the command (the command and every child), sampled every
50 ms by ``bench_runner.sample_tree_memory``: for one process its resident set (RSS); for
several, the sum of their proportional set sizes (PSS, which shares the pages they have in
common, such as imported libraries, among them), with the sum of resident sets in brackets.
Disk is what ``du`` counts for the results directory (allocated blocks). 1 MB = 2**20 bytes.
Load averages are printed before and after each part: on a busy machine the times grow.

Run from the repository root with the package installed (``make setup``)::

    .venv/bin/python benchmarks/bench_costs.py            # the full table, about 3 min on 2 cores
    .venv/bin/python benchmarks/bench_costs.py --quick    # smoke test: 100 and 1,000 runs, 1-2 min
    .venv/bin/python benchmarks/bench_costs.py --large 0  # without the 50,000-run part

The exit status is 0 (a report, not a test) unless a command fails.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from bench_model import (  # beside this script, so on sys.path
    benchmark,
    check_equivalence,
    cpu_name,
    load_average,
    measure_shape,
    package_version,
)
from bench_runner import sample_tree_memory

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = 20211101  # compare_scenarios' seed
WEEKS = 26
EXPERIMENT = """\
name = "costs-{runs}"
description = "bench_costs.py: baseline only, {runs} seeded runs, 26 weeks, the model table."
seed = {seed}
replicates = {runs}
weeks = {weeks}
scenarios = ["baseline"]
record = ["model"]

[design]
sampler = "none"
"""
# Label, and the arguments the command gets besides FILE --out DIR --quiet.
SERIAL = ("serial", ())
PROCESSES = ("2 processes", ("--workers", "2"))
DASK = ("Dask, 2 workers", ("--executor", "dask", "--workers", "2"))


def say(text: str) -> None:
    """Progress, on stderr so that stdout is the table alone."""
    print(text, file=sys.stderr, flush=True)


# --- 1. one run in process ------------------------------------------------------------------
@dataclass(frozen=True)
class OneRun:
    model: float  # seconds: construction + run + history(), median
    floor: float  # the bare-Mesa floor: construction + run + DataFrames, median
    model_run: float  # construction + run alone (bench_model.py's measure), median
    floor_run: float
    repeats: int


def one_run(repeats: int, warmup: int) -> OneRun:
    shape = measure_shape()
    check_equivalence(shape)
    bare, model = benchmark(repeats, warmup, 1, shape)
    whole = [t + f for t, f in zip(model.total, model.frames, strict=True)]
    floor = [t + f for t, f in zip(bare.total, bare.frames, strict=True)]
    return OneRun(
        model=statistics.median(whole),
        floor=statistics.median(floor),
        model_run=statistics.median(model.total),
        floor_run=statistics.median(bare.total),
        repeats=repeats,
    )


# --- 2 and 3. the command in a subprocess ---------------------------------------------------
@dataclass
class Measures:
    """One entry per repeat of one case (runs x executor)."""

    seconds: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # peak of the tree's summed RSS, bytes
    pss: list[int] = field(default_factory=list)  # peak of the tree's summed PSS, bytes
    disk: list[int] = field(default_factory=list)  # bytes allocated to the results directory


def experiment_file(folder: Path, runs: int) -> Path:
    path = folder / f"costs-{runs}.toml"
    path.write_text(EXPERIMENT.format(runs=runs, seed=SEED, weeks=WEEKS))
    return path


def disk_usage(folder: Path) -> int:
    """Bytes allocated to every file under ``folder``, as ``du`` counts them."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def run_command(folder: Path, runs: int, extra: Sequence[str], into: Measures, tag: str) -> None:
    """``escalation experiment`` on a fresh results directory: time, peak memory, disk."""
    path = experiment_file(folder, runs)
    out = folder / f"out-{tag}"
    log = folder / f"log-{tag}.txt"
    command = [sys.executable, "-m", "cli.main", "experiment", str(path), "--out", str(out)]
    command += ["--quiet", *extra]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    with log.open("w") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        rss, pss = sample_tree_memory(process)
        seconds = time.perf_counter() - started
    text = log.read_text()
    flat = " ".join(text.split())  # the command wraps its lines to the terminal's width
    if process.returncode or f"{runs:,} runs in" not in flat or ", 0 failed)" not in flat:
        raise SystemExit(f"{' '.join(command)} failed (status {process.returncode}):\n{text}")
    into.seconds.append(seconds)
    into.rss.append(rss)
    into.pss.append(pss)
    into.disk.append(disk_usage(out))
    shutil.rmtree(out)
    log.unlink()
    say(f"  {runs:>6,} runs, {tag}: {seconds:7.1f} s, RSS {megabytes(rss)}, PSS {megabytes(pss)}")


def measure_case(
    folder: Path, runs: int, executors: Sequence[tuple[str, tuple[str, ...]]], repeats: int
) -> dict[str, Measures]:
    """Each executor's repeats, taken in turn (A, B, C, A, B, C, ...) so drift falls on all."""
    found = {label: Measures() for label, _ in executors}
    for repeat in range(repeats):
        for label, extra in executors:
            slug = "".join(c if c.isalnum() else "-" for c in label.lower())
            tag = f"{runs}-{slug}-{repeat}"
            run_command(folder, runs, extra, found[label], tag)
    return found


# --- reporting ------------------------------------------------------------------------------
def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 100:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def spread(values: Sequence[float], show=duration) -> str:
    """The median, with the range when there is more than one value."""
    median = show(statistics.median(values))
    if len(values) < 2:
        return median
    return f"{median} ({show(min(values))}–{show(max(values))})"


def megabytes(value: float) -> str:
    return f"{value / 2**20:.0f} MB"


def memory_cell(measures: Measures, single: bool) -> str:
    if single:
        return megabytes(statistics.median(measures.rss))
    pss, rss = statistics.median(measures.pss), statistics.median(measures.rss)
    return f"{megabytes(pss)} PSS ({megabytes(rss)} RSS)"


def disk_cell(measures: Measures) -> str:
    size = statistics.median(measures.disk)
    return f"{size / 2**20:.1f} MB" if size < 10 * 2**20 else megabytes(size)


def case_rows(runs: int, found: dict[str, Measures]) -> list[str]:
    rows = []
    for label, measures in found.items():
        n = len(measures.seconds)
        how = f"median of {n}" if n > 1 else "measured once"
        rate = f"{runs / statistics.median(measures.seconds):,.0f}" if runs > 1 else ""
        memory = memory_cell(measures, single="serial" in label)
        rows.append(
            f"| {runs:,} run{'s' if runs > 1 else ''}, {label} ({how}) "
            f"| {spread(measures.seconds)} | {rate} | {memory} "
            f"| {disk_cell(measures)} |"
        )
    return rows


def machine_lines() -> list[str]:
    memory = psutil.virtual_memory().total / 2**30
    try:
        os_name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        os_name = platform.system()
    versions = ", ".join(f"{name} {package_version(name)}" for name in ("mesa", "numpy", "pandas"))
    return [
        f"- CPU: {cpu_name()}, {os.cpu_count()} logical CPUs; RAM {memory:.1f} GiB",
        f"- OS: {os_name}, Linux {platform.release()}"
        if platform.system() == "Linux"
        else f"- OS: {os_name} {platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller: a smoke test")
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats of the 1,000-run case (default 3)"
    )
    parser.add_argument(
        "--small", type=int, default=None, help="runs in the small case (default 1,000)"
    )
    parser.add_argument(
        "--large",
        type=int,
        default=None,
        help="runs in the large case, measured once per executor (default 50,000; 0 skips it)",
    )
    parser.add_argument(
        "--one-repeats", type=int, default=None, help="in-process repeats of one run (200)"
    )
    parser.add_argument("--no-dask", action="store_true", help="leave the Dask executor out")
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)
    quick = args.quick
    repeats = args.repeats if args.repeats is not None else (1 if quick else 3)
    small = args.small if args.small is not None else (100 if quick else 1000)
    large = args.large if args.large is not None else (1000 if quick else 50_000)
    one_repeats = args.one_repeats if args.one_repeats is not None else (20 if quick else 200)
    if repeats < 1 or small < 1 or large < 0 or one_repeats < 2:
        parser.error("--repeats and --small must be >= 1, --large >= 0, --one-repeats >= 2")
    executors = [SERIAL, PROCESSES] if args.no_dask else [SERIAL, PROCESSES, DASK]

    started = datetime.datetime.now(datetime.UTC)
    loads: list[str] = []

    def mark(what: str) -> None:
        loads.append(f"{what} {load_average()}")
        say(f"load average {load_average()} ({what})")

    mark("start")
    say(f"1. one baseline run in process, {one_repeats} repeats interleaved with the floor")
    one = one_run(one_repeats, warmup=max(2, one_repeats // 10))
    say(f"  model {one.model * 1e3:.2f} ms, floor {one.floor * 1e3:.2f} ms")
    with tempfile.TemporaryDirectory(prefix="bench-costs-") as name:
        folder = Path(name)
        say(f"2. the command: 1 run, then {small:,} runs, {repeats} repeat(s) in turn")
        mark("before the command")
        fixed = measure_case(folder, 1, [SERIAL], repeats)
        cases = [(small, measure_case(folder, small, executors, repeats))]
        mark(f"after {small:,} runs")
        if large:
            say(f"3. {large:,} runs, once per executor (serial, 2 processes)")
            cases.append((large, measure_case(folder, large, [SERIAL, PROCESSES], 1)))
            mark(f"after {large:,} runs")
    finished = datetime.datetime.now(datetime.UTC)

    lines = [
        f"Measured {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC with "
        f"`{' '.join(['python benchmarks/bench_costs.py', *given])}`:",
        "",
        *machine_lines(),
        f"- Load average (1, 5, 15 min): {'; '.join(loads)}",
        "",
        "| What | Time | Runs/s | Peak memory | On disk |",
        "|---|---|---|---|---|",
        f"| one 26-week baseline run in process: construction + run + `history()` "
        f"(median of {one.repeats}) | {duration(one.model)} | {1 / one.model:,.0f} | | |",
        f"| the bare-Mesa floor of the same shape, same process (median of {one.repeats}) "
        f"| {duration(one.floor)} | {1 / one.floor:,.0f} | | |",
        *case_rows(1, {"the command's fixed cost, serial": fixed[SERIAL[0]]}),
    ]
    for runs, found in cases:
        lines += case_rows(runs, found)
    lines += [
        "",
        f"One run costs {one.model / one.floor:.2f}x the bare-Mesa floor "
        f"({one.model_run / one.floor_run:.2f}x for construction + run alone, as "
        "`bench_model.py` reports it). Times through the command are the whole "
        "`escalation experiment FILE --out DIR --quiet` from start to exit (start-up, runs, "
        "results, the summary it prints), ranges in brackets. Memory: the command's process "
        "tree, sampled every 50 ms; one process: resident set; several: sum of proportional set "
        "sizes (sum of resident sets in brackets). Disk: the results directory, as `du` counts.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
