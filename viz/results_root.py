"""The one directory the batch page may read experiments from: the results root.

``escalation app --results DIR`` (default ``runs`` in the current directory) puts the root in
the environment variable :data:`ROOT_ENV` before the server starts, since Solara loads the page
itself. A visitor types a path relative to the root (an absolute path inside it is accepted
too); anything that resolves outside it, by ``..``, an absolute path or a symbolic link, is
refused before a file is opened, so the path field cannot probe the server's files when the app
is served beyond localhost (``--host``).
"""

from __future__ import annotations

import os
from pathlib import Path

from experiments.store import MANIFEST, ResultsError

ROOT_ENV = "ESCALATION_RESULTS_ROOT"
DEFAULT_ROOT = "runs"
MAX_DEPTH = 3  # how deep under the root experiments are looked for
MAX_LISTED = 200


def results_root() -> Path:
    """The root the app was started with (``$ESCALATION_RESULTS_ROOT``, else ``./runs``)."""
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT).expanduser().resolve()


def inside(root: Path, typed: str) -> Path:
    """The experiment directory ``typed`` names under ``root``, resolved; ResultsError outside.

    The check is on the resolved path (symbolic links followed, ``..`` removed), so a link in
    the root pointing elsewhere is refused like a path typed outright.
    """
    text = typed.strip()
    if not text:
        raise ResultsError("Pick an experiment or type its path under the results directory.")
    root = root.resolve()
    path = (root / text).resolve()  # an absolute ``text`` replaces the root here
    if not path.is_relative_to(root):
        raise ResultsError(
            f"{text}: outside the results directory {root}; only experiments under it are read"
        )
    return path


def experiments(root: Path) -> list[str]:
    """Experiment directories (those with a manifest) under ``root``, relative, sorted.

    Looks ``MAX_DEPTH`` levels down, follows no symbolic link out of the root, and lists at
    most ``MAX_LISTED``. A missing root holds none.
    """
    root = root.resolve()
    if not root.is_dir():
        return []
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        depth = len(here.relative_to(root).parts)
        if MANIFEST in files:
            found.append(here.relative_to(root).as_posix())
        if depth >= MAX_DEPTH:
            subdirs.clear()
        else:
            subdirs[:] = sorted(
                name
                for name in subdirs
                if not name.startswith(".") and (here / name).resolve().is_relative_to(root)
            )
    return sorted(found)[:MAX_LISTED]
