"""Writing files completely or not at all: the one home of every atomic write.

A file is written under a temporary name beside its target (a name starting with '.', which
every reader of a results directory skips) and moved into place with ``os.replace`` only when
complete, so a reader sees the old file or the new one, never half of one; a failure part way
removes the temporary file and leaves the old file as it was. A directory of files is staged the
same way and moved in when all of it is written.

``tempfile`` creates private files (0600) and directories (0700); what is moved into place gets
the permissions an ordinary ``open`` or ``mkdir`` would give under the current umask (0644 and
0755 under umask 022), so results can be read by the people they are shared with.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "atomic_path",
    "write_atomic",
    "write_bytes_atomic",
    "write_directory",
    "write_text_atomic",
]


def _umask() -> int:
    # The umask can only be read by setting it; it is set back at once.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _publish(path: Path, base: int) -> None:
    """Give a temporary file (base 0o666) or directory (0o777) the umask's permissions."""
    os.chmod(path, base & ~_umask())


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` if the block succeeds.

    The temporary file exists (empty) when the block starts; writers that open by name (pandas'
    ``to_parquet`` and ``to_csv``, matplotlib's ``savefig``) overwrite it. If the block raises,
    the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _publish(temporary, 0o666)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)`` and move the result onto ``path``; returns ``path``.

    E.g. ``write_atomic(out, lambda p: frame.to_parquet(p, index=False))``.
    """
    with atomic_path(path) as temporary:
        write(temporary)
    return Path(path)


def write_text_atomic(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` completely or not at all."""
    return write_atomic(path, lambda temporary: temporary.write_text(text, encoding=encoding))


def write_bytes_atomic(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` completely or not at all."""
    return write_atomic(path, lambda temporary: temporary.write_bytes(data))


def write_directory(path: Path | str, write: Callable[[Path], object]) -> list[Path]:
    """Fill a directory through ``write(staging_directory)`` and move it into place at ``path``.

    The staging directory sits beside ``path`` (whose parent is created if missing). If ``path``
    does not exist, the staged directory is renamed to it in one step; otherwise each staged
    file replaces its namesake in ``path`` (other files there are kept). Returns the paths
    written, sorted. If ``write`` raises, nothing is moved and the staging directory is removed.
    """
    target = Path(path)
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        write(staging)
        _publish(staging, 0o777)
        if not target.exists():
            staging.rename(target)
            return sorted(target.iterdir())
        written = []
        for staged in sorted(staging.iterdir()):
            os.replace(staged, target / staged.name)
            written.append(target / staged.name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
