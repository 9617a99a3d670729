"""The installed ``escalation`` script runs the command line (a stale entry point once did not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("escalation")


@pytest.mark.skipif(not SCRIPT.exists(), reason="the package is not installed in this Python")
def test_the_installed_script_lists_every_command():
    done = subprocess.run(
        [str(SCRIPT), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("scenarios", "run", "experiment", "summarize", "calibrate", "validate", "app"):
        assert command in done.stdout
