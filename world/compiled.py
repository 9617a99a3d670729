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

import math
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
import numpy as np  # noqa: E402

#: What a rule takes for a sequence of numbers: a tuple (fixed, such as the ladder's) or an array.
Numbers = tuple[float, ...] | np.ndarray

#: Compile a rule: no Python objects inside, machine code cached on disk, no global lock held
#: (so two threads of the ensemble engine can run rules at once).
rule = numba.njit(cache=True, nogil=True)


@rule
def float_sum(values, count):
    """The sum of ``values[:count]`` exactly as Python's ``sum`` gives it for floats (since 3.12,
    Neumaier's compensated sum): the compiled rules add up what the Python code of the model
    adds up with ``sum``, and must get the same bits."""
    if count == 0:
        return 0.0
    total = 0.0 + values[0]
    compensation = 0.0
    for i in range(1, count):
        x = values[i]
        t = total + x
        if abs(total) >= abs(x):
            compensation += (total - t) + x
        else:
            compensation += (x - t) + total
        total = t
    if compensation != 0.0 and math.isfinite(compensation):
        total += compensation
    return total


@rule
def float_sum2(first, second):
    """``sum([first, second])`` as Python gives it (`float_sum` of two, without an array)."""
    total = 0.0 + first
    t = total + second
    compensation = (total - t) + second if abs(total) >= abs(second) else (second - t) + total
    if compensation != 0.0 and math.isfinite(compensation):
        return t + compensation
    return t
