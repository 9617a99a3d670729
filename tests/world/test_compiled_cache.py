"""The compile cache: a folder per state of the compiled sources, so no stale code is loaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from world.compiled import COMPILED_PACKAGES, sources_digest

ROOT = Path(__file__).resolve().parents[2]


def copy_sources(dest: Path) -> None:
    for name in COMPILED_PACKAGES:
        (dest / name).mkdir(parents=True)
        for path in (ROOT / name).glob("*.py"):
            shutil.copy(path, dest / name / path.name)


def test_a_change_in_any_compiled_file_gives_another_folder(tmp_path):
    copy_sources(tmp_path)
    assert sources_digest(tmp_path) == sources_digest()
    # Numba would check the driver's cache against driver.py only: a rule changed in the
    # weekly process must still give a fresh folder.
    week = tmp_path / "process" / "week.py"
    week.write_text(week.read_text() + "\n# changed\n")
    assert sources_digest(tmp_path) != sources_digest()


def folder_in_child(env: dict[str, str]) -> str:
    code = "import os, ensemble.driver; print(os.environ['NUMBA_CACHE_DIR'])"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True
    )
    return out.stdout.decode().strip()


def test_the_folder_is_named_by_the_digest_once(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    chosen = folder_in_child(env)
    assert chosen == str(tmp_path / sources_digest())
    # A worker process inherits the chosen folder and keeps it.
    assert folder_in_child({**env, "NUMBA_CACHE_DIR": chosen}) == chosen
