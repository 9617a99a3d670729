"""The compiled build against the Python sources: identical tables, and the speed of each.

Why: installing compiles the modules a run executes with mypyc (``setup.py``) to meet the 3x
target of ``bench_model.py``; the team needs the gain measured on the real code in one session,
and proof that compiling changes no result. This script checks that every table of ``--check``
seeds of every built-in scenario is identical under both builds, then runs ``bench_model.py``
on each in turn (sources, compiled, sources, ...; ``ESCALATION_INTERPRETED=1`` selects the
sources, ``model/build.py``) and reports the ratio to the bare-Mesa floor of each.

Needs the compiled build installed (``make setup``); about three minutes with the defaults.
From the repository root::

    python benchmarks/bench_compiled.py
    python benchmarks/bench_compiled.py --turns 1 --repeats 60
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILDS = {"interpreted": "1", "compiled": "0"}  # build -> ESCALATION_INTERPRETED
# The build a fresh interpreter runs, and a digest of every table of the first ``runs`` seeds
# of every built-in scenario.
DIGEST = """
import hashlib
import model
from model import EscalationModel, list_scenarios
digest = hashlib.sha256()
for name in list_scenarios():
    for seed in range({runs}):
        for table in EscalationModel(name, rng=seed).run().history().values():
            digest.update(table.to_csv(index=False).encode())
print(model.BUILD, digest.hexdigest())
"""


def run_python(build: str, args: list[str]) -> str:
    """Output of this interpreter run on ``build``."""
    env = {**os.environ, "ESCALATION_INTERPRETED": BUILDS[build]}
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(
            f"{' '.join(args[:2])} failed on the {build} build:\n{done.stderr[-2000:]}"
        )
    return done.stdout


def ratio(build: str, repeats: int) -> float:
    out = run_python(build, ["benchmarks/bench_model.py", "--repeats", str(repeats)])
    found = re.search(r"ratio of medians\s+([\d.]+)x", out)
    if found is None:
        raise SystemExit(f"no ratio in bench_model.py's output:\n{out[-2000:]}")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3, help="bench_model.py runs of each")
    parser.add_argument("--repeats", type=int, default=150, help="repeats per bench_model.py")
    parser.add_argument("--check", type=int, default=8, help="seeds per scenario compared")
    args = parser.parse_args()
    if min(args.turns, args.repeats, args.check) < 1:
        parser.error("--turns, --repeats and --check must be at least 1")
    digests = {}
    for build in BUILDS:
        ran, digests[build] = run_python(build, ["-c", DIGEST.format(runs=args.check)]).split()
        if ran != build:
            raise SystemExit(
                f"asked for the {build} build, got the {ran} one: install the compiled build "
                "first (make setup), and check that no source changed since (model/build.py)"
            )
    same = digests["interpreted"] == digests["compiled"]
    print(
        f"tables of {args.check} seeds x every built-in scenario: "
        f"{'identical' if same else 'DIFFERENT'} (sha256 {digests['compiled'][:16]}...)"
    )
    ratios: dict[str, list[float]] = {build: [] for build in BUILDS}
    for _ in range(args.turns):
        for build in BUILDS:
            ratios[build].append(ratio(build, args.repeats))
    for build, found in ratios.items():
        shown = ", ".join(f"{r:.2f}x" for r in found)
        print(
            f"{build:12} ratio to the bare-Mesa floor: median {statistics.median(found):.2f}x"
            f"   (turns: {shown})"
        )
    if not same:
        raise SystemExit("the compiled model's tables differ from the interpreted model's")


if __name__ == "__main__":
    main()
