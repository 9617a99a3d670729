"""The model's source compiled with mypyc, against the same source interpreted: outputs and speed.

Why: a compiled core is the way left to the 3x target of ``bench_model.py``, and its cost is a
build step, so the team needs its gain measured on the real code, and proof that it changes no
result. This script copies ``model/`` and ``agents/`` to a temporary folder, compiles the
modules a run executes there with mypyc (unchanged: the agents stay ``mesa.Agent`` subclasses),
checks that every table of ``--check`` runs is identical to the interpreted model's, then runs
``bench_model.py`` on each in turn (interpreted, compiled, interpreted, ...) and reports the
ratio to the bare-Mesa floor of each. Nothing in the repository is changed.

Needs mypy (``pip install mypy``, which brings mypyc) and a C compiler; takes about three
minutes with the defaults. From the repository root::

    python benchmarks/bench_compiled.py
    python benchmarks/bench_compiled.py --turns 1 --repeats 60
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The modules a run executes; record.py stays interpreted (mypyc drops its agent rows).
COMPILED = (
    "model/choice.py",
    "model/energy.py",
    "model/alliance.py",
    "model/signals.py",
    "model/ladder.py",
    "model/escalation.py",
    "agents/actor.py",
    "agents/western.py",
    "agents/russia.py",
    "agents/ukraine.py",
    "agents/union.py",
)
# A digest of every table of the first ``runs`` seeds of every built-in scenario.
DIGEST = """
import hashlib, sys
from model import EscalationModel, list_scenarios
digest = hashlib.sha256()
for name in list_scenarios():
    for seed in range({runs}):
        for table in EscalationModel(name, rng=seed).run().history().values():
            digest.update(table.to_csv(index=False).encode())
print(digest.hexdigest())
"""


def run_python(code_root: Path, args: list[str]) -> str:
    """Output of this interpreter run with ``code_root``'s model and agents first on the path."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    done = subprocess.run(
        [sys.executable, *args], cwd=code_root, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:2])} failed in {code_root}:\n{done.stderr[-2000:]}")
    return done.stdout


def compile_copy(folder: Path) -> None:
    for part in ("model", "agents", "benchmarks"):
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    mypyc = shutil.which("mypyc", path=str(Path(sys.executable).parent)) or shutil.which("mypyc")
    if mypyc is None:
        raise SystemExit("mypyc is not installed: pip install mypy")
    done = subprocess.run(
        [mypyc, "--ignore-missing-imports", *COMPILED], cwd=folder, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"mypyc failed:\n{(done.stdout + done.stderr)[-3000:]}")


def ratio(code_root: Path, repeats: int) -> float:
    out = run_python(code_root, ["benchmarks/bench_model.py", "--repeats", str(repeats)])
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
    with tempfile.TemporaryDirectory(prefix="compiled-") as name:
        compiled = Path(name)
        compile_copy(compiled)
        built = [p for part in ("model", "agents") for p in (compiled / part).glob("*.so")]
        print(f"compiled with mypyc: {len(built)} of the modules a run executes")
        digest = DIGEST.format(runs=args.check)
        interpreted_tables = run_python(ROOT, ["-c", digest]).strip()
        compiled_tables = run_python(compiled, ["-c", digest]).strip()
        same = interpreted_tables == compiled_tables
        print(
            f"tables of {args.check} seeds x every built-in scenario: "
            f"{'identical' if same else 'DIFFERENT'} (sha256 {compiled_tables[:16]}...)"
        )
        ratios: dict[str, list[float]] = {"interpreted": [], "compiled": []}
        for _ in range(args.turns):
            ratios["interpreted"].append(ratio(ROOT, args.repeats))
            ratios["compiled"].append(ratio(compiled, args.repeats))
        for label, found in ratios.items():
            shown = ", ".join(f"{r:.2f}x" for r in found)
            print(
                f"{label:12} ratio to the bare-Mesa floor: median {statistics.median(found):.2f}x"
                f"   (turns: {shown})"
            )
    if not same:
        raise SystemExit("the compiled model's tables differ from the interpreted model's")


if __name__ == "__main__":
    main()
