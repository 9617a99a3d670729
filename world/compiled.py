"""How the rules are compiled: Numba, with its machine code cached on disk outside the project.

The decision rules are functions of numbers compiled once (`rule`), so that one Mesa run calls
the same machine code that the ensemble engine loops over thousands of stacked replicates. The
first compile of a rule takes a moment; Numba keeps the result in ``NUMBA_CACHE_DIR``, which
this module points at the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``, under
``crisis-escalation/numba``) unless it is already set, so nothing compiled lands in the
repository or in a read-only install. If that folder cannot be written, a temporary one serves.
``NUMBA_DISABLE_JIT=1`` runs every rule as plain Python (for a debugger; much slower).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """Where compiled rules are cached: the user's cache folder, or a temporary one."""
    preset = os.environ.get("NUMBA_CACHE_DIR")
    if preset:
        return Path(preset)
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for place in (
        root / "crisis-escalation" / "numba",
        Path(tempfile.gettempdir()) / "crisis-escalation-numba",
    ):
        try:
            place.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(place, os.W_OK):
            return place
    return Path(tempfile.mkdtemp(prefix="crisis-escalation-numba-"))


os.environ["NUMBA_CACHE_DIR"] = str(cache_dir())
if "numba" in sys.modules:  # imported before us: make it read the cache folder set above
    import numba

    numba.config.reload_config()
import numba  # noqa: E402  (after the cache folder is set)

#: Compile a rule: no Python objects inside, machine code cached on disk, no global lock held
#: (so two threads of the ensemble engine can run rules at once).
rule = numba.njit(cache=True, nogil=True)
