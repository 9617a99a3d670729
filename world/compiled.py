"""How the rules are compiled: one Python function each, run as it stands or compiled by Numba.

A rule (`rule`) is a function of numbers. Called from Python (a test, a reader checking one
step by hand) it runs as the Python it is. Called from compiled code (the weekly process of
`process.week`, which the Mesa model runs one phase at a time and the ensemble engine runs over
blocks of replicates), it is that same function compiled by Numba: ``enable()`` gives every rule
its compiled form (``rule.compiled``), so that a rule named inside a compiled function is called
compiled. The two agree bit for bit, which is why the rules avoid what a compiler may rewrite,
such as powers with a constant exponent (written as products), and what Python does its own
way, such as ``sum`` (``float_sum`` reproduces it).

The compiled code is cached on disk in ``NUMBA_CACHE_DIR``, which `enable` points at the user's
cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``, under ``crisis-escalation/numba``) unless it
is already set, so nothing compiled lands in the repository or in a read-only install. If that
folder cannot be written, a temporary one serves. Inside it, a folder per digest of the rules'
source files (`sources_digest`): Numba checks a cached function against its own file only, so
a rule changed in another file would leave its compiled callers stale.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: What a rule takes for a sequence of numbers: any sequence run as Python; a tuple (fixed, such
#: as the ladder's) or an array compiled.
Numbers = Sequence[float] | np.ndarray


_RULES: list[Callable[..., Any]] = []  # every rule defined, for `enable` to give a compiled form


def rule[F: Callable[..., Any]](function: F) -> F:
    """Mark a function of numbers as a rule: Python calls it as it stands; once the engine has
    called `enable`, compiled code calls its compiled form (``function.compiled``)."""
    _RULES.append(function)
    if _enabled:
        _give_compiled_form(function)
    return function


def compiled_as(source: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A rule whose compiled form is ``source`` compiled: for what Python does in C and a
    compiler needs written out (Python's ``sum``), the two proven to agree bit for bit."""

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        function._compiled_source = source  # type: ignore[attr-defined]
        return rule(function)

    return mark


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


# The packages whose files hold compiled code: the rules (here), the weekly process over arrays
# (`process`) and the engine's driver (`ensemble`). Paths, not imports: both sit above this layer.
COMPILED_PACKAGES = ("world", "process", "ensemble")


def sources_digest(root: Path | None = None) -> str:
    """A digest of every Python file of `COMPILED_PACKAGES` (in ``root``, by default the folder
    holding this package), whichever of them is loaded."""
    root = root or Path(__file__).resolve().parent.parent
    folders = [root / name for name in COMPILED_PACKAGES]
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    """The compile cache of these sources: a folder named by their digest in `cache_dir`."""
    place, digest = cache_dir(), sources_digest()
    # A child process inherits the folder already chosen, digest included.
    return place if place.name == digest else place / digest


def compiled_here() -> bool:
    """Whether the engine has been compiled on this machine for these sources (without loading
    Numba): a command can say that a first use will compile for about a minute."""
    folder = cache_folder()
    return folder.is_dir() and any(folder.rglob("*.nbi"))


_enabled = False


def _give_compiled_form(function: Any) -> None:
    import numba
    from numba.core import types

    # Compiled at its first call from compiled code (or loaded from the cache), not now.
    source = getattr(function, "_compiled_source", function)
    dispatcher = numba.njit(cache=True, nogil=True)(source)
    function.compiled = dispatcher
    # How Numba types a global that is not its own object: a rule named inside a compiled
    # function is typed, so called, as its compiled form.
    function._numba_type_ = types.Dispatcher(dispatcher)


@functools.cache
def enable() -> Any:
    """Load Numba with the cache folder set and give every rule its compiled form, so that
    compiled code can call rules. Returns the ``numba`` module."""
    global _enabled
    os.environ["NUMBA_CACHE_DIR"] = str(cache_folder())
    already = "numba" in sys.modules
    import numba

    if already:  # imported before us: make it read the cache folder set above
        numba.config.reload_config()
    _enabled = True
    for function in _RULES:
        _give_compiled_form(function)
    return numba


def compiled(function: Callable[..., Any]) -> Any:
    """A rule's compiled form (Numba loaded if it was not)."""
    enable()
    return function.compiled  # type: ignore[attr-defined]


def _neumaier_sum(values, count):
    """Python's ``sum`` of floats (since 3.12: Neumaier's compensated sum), written out."""
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


@compiled_as(_neumaier_sum)
def float_sum(values, count):
    """The sum of ``values[:count]`` exactly as Python's ``sum`` gives it for floats: the
    compiled rules add up what the Python code of the model adds up with ``sum``, and must get
    the same bits (compiled, it is `_neumaier_sum`)."""
    return sum([float(v) for v in values[:count]])


def _neumaier_sum2(first, second):
    total = 0.0 + first
    t = total + second
    compensation = (total - t) + second if abs(total) >= abs(second) else (second - t) + total
    if compensation != 0.0 and math.isfinite(compensation):
        return t + compensation
    return t


@compiled_as(_neumaier_sum2)
def float_sum2(first, second):
    """``sum([first, second])``, as `float_sum` of two without an array."""
    return sum([first, second])
