"""Which build of the model runs: the modules compiled by ``setup.py``, or their Python sources.

Why: compiled with mypyc, a run takes about a fifth less time with identical tables
(BENCHMARKS.md). But a compiled module sits beside its source and Python imports it first, so a
modeller's edit to ``agents/western.py`` would silently not run. The build records a digest of
each source it compiled (``compiled_sources.json``); if any has changed since, if a compiled
file is missing or was not made by that build, or if ``ESCALATION_INTERPRETED=1`` is set, every
compiled module is loaded from its source instead: all or none, since compiled classes call
one another directly.

``model/__init__.py`` settles this before any compiled module can be imported.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import platform
import sys
import warnings
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]  # the folder holding the model and agents packages
MANIFEST = "model/compiled_sources.json"
INTERPRETED_VARIABLE = "ESCALATION_INTERPRETED"
PACKAGES = ("model", "agents")  # where setup.py compiles modules


class StaleBuildWarning(UserWarning):
    """A compiled module does not match its source; the sources run instead."""


def recorded_sources(root: Path = ROOT) -> dict[str, str]:
    """Module name -> digest of the source the last build compiled; empty without a record."""
    try:
        recorded = json.loads((root / MANIFEST).read_text())["sources"]
        return {
            path.removesuffix(".py").replace("/", "."): str(digest)
            for path, digest in recorded.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def compiled_files(
    recorded: Mapping[str, str], root: Path = ROOT, packages: Sequence[str] = PACKAGES
) -> set[str]:
    """The modules with a compiled file beside their source, in ``packages`` and any package
    the ``recorded`` modules are in: Python would import those files first."""
    searched = {*packages, *(m.rpartition(".")[0] for m in recorded)}
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)
    found = set()
    for package in searched:
        folder = root / package.replace(".", "/")
        files = folder.iterdir() if folder.is_dir() else iter(())
        for path in files:
            suffix = next((s for s in suffixes if path.name.endswith(s)), None)
            if suffix is not None:
                found.add(f"{package}.{path.name.removesuffix(suffix)}")
    return found


def _source(root: Path, module: str) -> Path:
    return root / (module.replace(".", "/") + ".py")


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def mismatches(recorded: Mapping[str, str], present: set[str], root: Path = ROOT) -> list[str]:
    """Why the ``present`` compiled files cannot run: sources edited since, files the build
    did not record, recorded modules whose file is gone. Empty if they can."""
    found = []
    for name in sorted(recorded.keys() | present):
        label = _source(root, name).relative_to(root).as_posix()
        if name not in recorded:
            found.append(f"{label} (a compiled file the last build did not make: delete it)")
        elif name not in present:
            found.append(f"{label} (its compiled file is missing)")
        elif _digest(_source(root, name)) != recorded[name]:
            found.append(f"{label} (changed since it was compiled)")
    return found


class SourcesFirst(importlib.abc.MetaPathFinder):
    """Finds the named modules' ``.py`` sources ahead of their compiled files."""

    def __init__(self, modules: Sequence[str], root: Path = ROOT) -> None:
        self.modules = frozenset(modules)
        self.root = root

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        return importlib.util.spec_from_file_location(fullname, _source(self.root, fullname))


def choose(root: Path = ROOT, packages: Sequence[str] = PACKAGES) -> str:
    """Settle which build this process runs and return ``"compiled"`` or ``"interpreted"``.

    All or none: compiled modules call one another directly, so if any compiled file cannot
    run, every one is replaced by its source.
    """
    recorded = recorded_sources(root)
    present = compiled_files(recorded, root, packages)
    if not present:
        return "interpreted"
    problems = mismatches(recorded, present, root)
    if problems:
        warnings.warn(
            f"the compiled model does not match its sources: {'; '.join(problems)}. Every "
            "compiled module runs from its Python source, so edits take effect, about a fifth "
            "slower; reinstall (make setup) to compile again.",
            StaleBuildWarning,
            stacklevel=2,
        )
    elif os.environ.get(INTERPRETED_VARIABLE, "") != "1":
        return "compiled"
    sys.meta_path.insert(0, SourcesFirst(sorted(present | recorded.keys()), root))
    return "interpreted"


BUILD = choose()

#: The packages whose versions are recorded with results.
RECORDED_PACKAGES = ("crisis-escalation", "mesa", "networkx", "numpy", "pandas", "pyarrow")


def versions() -> dict[str, str]:
    """Python, the packages a run depends on and the build: recorded with every result, read
    where the run happens (on a Dask worker, the worker's)."""
    found = {"python": platform.python_version(), "build": BUILD}
    for package in RECORDED_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
