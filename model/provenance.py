"""Provenance: the versions recorded with every result, so a result says what made it."""

from __future__ import annotations

import platform
from importlib import metadata

RECORDED_PACKAGES = ("crisis-escalation", "mesa", "networkx", "numpy", "pandas", "pyarrow")


def versions() -> dict[str, str]:
    """Python and the packages a run depends on, read where the run happens (on a Dask worker,
    the worker's)."""
    found = {"python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
