"""Which build of the model runs: the modules compiled by ``setup.py``, or their Python sources.

Why: compiled with mypyc, a run takes about a fifth less time with identical tables
(BENCHMARKS.md). But a compiled module sits beside its source and Python imports it first, so a
modeller's edit to ``agents/western.py`` would silently not run. The build records a digest of
each source it compiled (``compiled_sources.json``); if any has changed since, or
``ESCALATION_INTERPRETED=1`` is set, every compiled module is loaded from its source instead:
all or none, since compiled classes call one another directly.

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
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]  # the folder holding the model and agents packages
MANIFEST = "model/compiled_sources.json"
INTERPRETED_VARIABLE = "ESCALATION_INTERPRETED"


class StaleBuildWarning(UserWarning):
    """A compiled module's source changed after it was compiled; the sources run instead."""


def compiled_modules(root: Path = ROOT) -> dict[str, str]:
    """Module name -> digest of the source it was compiled from; empty if nothing was compiled.

    A module counts only if its compiled file is still there, and all must be: a partial
    build runs as Python.
    """
    try:
        recorded = json.loads((root / MANIFEST).read_text())["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    modules = {
        path.removesuffix(".py").replace("/", "."): digest for path, digest in recorded.items()
    }
    if not all(_extension(root, name) for name in modules):
        return {}
    return modules


def _extension(root: Path, module: str) -> bool:
    stem = root / module.replace(".", "/")
    return any(
        stem.with_name(stem.name + suffix).exists()
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


def _source(root: Path, module: str) -> Path:
    return root / (module.replace(".", "/") + ".py")


def edited_sources(modules: dict[str, str], root: Path = ROOT) -> list[str]:
    """The compiled modules whose source no longer matches the one compiled."""
    edited = []
    for name, digest in modules.items():
        try:
            current = hashlib.sha256(_source(root, name).read_bytes()).hexdigest()
        except OSError:
            current = ""
        if current != digest:
            edited.append(name)
    return edited


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


def choose(root: Path = ROOT) -> str:
    """Settle which build this process runs and return ``"compiled"`` or ``"interpreted"``."""
    modules = compiled_modules(root)
    if not modules:
        return "interpreted"
    edited = edited_sources(modules, root)
    if edited:
        warnings.warn(
            f"{', '.join(_source(root, m).relative_to(root).as_posix() for m in edited)} changed "
            "since the model was compiled: every compiled module runs from its Python source, "
            "so the change takes effect, about a fifth slower. Reinstall (make setup) to compile "
            "again.",
            StaleBuildWarning,
            stacklevel=2,
        )
    elif os.environ.get(INTERPRETED_VARIABLE, "") != "1":
        return "compiled"
    sys.meta_path.insert(0, SourcesFirst(list(modules), root))
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
