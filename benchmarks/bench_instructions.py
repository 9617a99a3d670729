"""Instructions per 26-week baseline run, and per bare-Mesa run, counted by valgrind's callgrind.

Why: on a shared or virtual machine, timings of a few milliseconds move by several per cent from
one minute to the next, more than many changes to the model are worth. An instruction count does
not: for the same interpreter, code and seeds it stays within about 0.1% from run to run,
whatever else the machine is doing, so two versions of the model can be compared closely. It
is not a time (cache misses and branch mispredictions cost cycles it does not count), so the
speed target is judged by ``bench_model.py``; this is its steady companion.

Each count is the difference between a process that builds and runs 2 x ``--runs`` models after
a warm-up run and one that runs ``--runs`` of them, divided by ``--runs``, so imports, start-up
and the one-off costs of the first runs cancel out. As in ``bench_model.py`` the garbage
collector runs before each run, so a run pays for collecting its own garbage but never for a
full collection of the imported libraries, which otherwise fell inside the counted runs or not
as the collector's thresholds happened to be crossed (the floor's count moved by 10% with an
unrelated change). Needs ``valgrind`` (Debian package ``valgrind``); takes about three minutes
with the defaults. From the repository root::

    .venv/bin/python benchmarks/bench_instructions.py
    .venv/bin/python benchmarks/bench_instructions.py --runs 20 --only model
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# What the child process runs: ``kind`` is "model" or "bare", ``runs`` how many after warm-up.
CHILD = """
import gc
import sys
sys.path.insert(0, {here!r})
from bench_model import SCENARIO, BareModel, measure_shape
from model import EscalationModel

kind, runs = {kind!r}, {runs}
shape = measure_shape()


def one(seed):
    if kind == "model":
        EscalationModel(SCENARIO, rng=seed).run()
        return
    bare = BareModel(seed, shape.n_agents, shape.model_width, shape.agent_width)
    for _ in range(shape.weeks):
        bare.step()


one(10_000)  # warm-up: every code path and cache the timed runs use
# Like bench_model.py, each run starts from a collected heap, and pays for collecting its own
# garbage. Frozen first, what was imported is never walked again: otherwise a full collection
# of that heap falls within the counted runs or not as thresholds happen to be crossed.
gc.collect()
gc.freeze()
for seed in range(runs):
    gc.collect()
    one(seed)
"""


# Objects hash by address, so where memory lands changes dict and set probing: turn address-space
# randomisation off where ``setarch`` can.
NO_ASLR = ["setarch", platform.machine(), "-R"] if shutil.which("setarch") else []


def instructions(kind: str, runs: int) -> int:
    """Instructions callgrind counts for the child process."""
    script = CHILD.format(here=str(HERE), kind=kind, runs=runs)
    command = [
        *NO_ASLR,
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-c",
        script,
    ]
    # A fixed hash seed (string hashing decides dict probing), and no idle BLAS threads, whose
    # spinning callgrind would count by the wall-clock time they wait.
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    found = re.search(r"Collected\s*:\s*([\d,]+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"callgrind failed for {kind}:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_run(kind: str, runs: int) -> float:
    # The first runs after the warm-up still pay one-off costs (the interpreter specialises
    # code it has run a few times, caches fill): a difference of two long batches leaves them out.
    return (instructions(kind, 2 * runs) - instructions(kind, runs)) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="counted runs (default 20)")
    parser.add_argument("--only", choices=("model", "bare"), help="count one of the two")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    kinds = (args.only,) if args.only else ("model", "bare")
    counts = {kind: per_run(kind, args.runs) for kind in kinds}
    for kind, count in counts.items():
        label = "baseline, construct + 26-week run" if kind == "model" else "bare Mesa floor"
        print(f"{label:36} {count / 1e6:8.2f} M instructions per run")
    if len(counts) == 2:
        print(f"{'ratio (baseline / bare)':36} {counts['model'] / counts['bare']:8.2f}x")


if __name__ == "__main__":
    main()
