"""A plain ``pip install .`` ships every package and data file of the layers (an explicit package
list once left out cli/, analysis/ and the world's modules, and only editable installs worked)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("world", "agents", "model", "experiments", "analysis", "viz", "cli")
SHIPPED = (".py", ".toml")


def test_the_wheel_holds_every_module_and_data_file_of_the_layers(tmp_path):
    # Built from a copy: a build/ folder left in the checkout would be packed as it is.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copy2(ROOT / "README.md", source)
    for layer in LAYERS:
        shutil.copytree(ROOT / layer, source / layer, ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source)]
    done = subprocess.run(
        [*command, "-w", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(source).as_posix()
        for layer in LAYERS
        for path in (source / layer).rglob("*")
        if path.suffix in SHIPPED
    }
    assert expected <= shipped, sorted(expected - shipped)
