"""No compiled rule reads or writes past the end of an array.

Numba does not check array bounds in compiled code, so an index past the end reads whatever
memory lies there: a run that silently differs from process to process (a lone run stepped
past its horizon once did). Here the weekly process is compiled with bounds checks, in a
process of its own with its own cache, and run on every built-in scenario, in blocks, past a
lone run's horizon, and with arrays that must grow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import numpy as np
from ensemble.driver import simulate, run_key_words
from process.layout import Capacity
from process.replicate import Replicate
from world.scenario import list_scenarios, load_scenario

for name in sorted(list_scenarios()):
    spec = load_scenario(name)
    simulate(spec, np.arange(40), signals=True)
    simulate(spec, np.arange(10), 60, signals=True)
    lone = Replicate(spec, run_key_words(1), weeks=5, room=Capacity(post=2, pipeline=2, log=2))
    for _ in range(12):
        lone.advance()
        lone.record()
print("checked")
"""


def test_the_weekly_process_stays_inside_its_arrays(tmp_path):
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("checked")
