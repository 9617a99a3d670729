"""The one atomic-write helper: complete files or none, no temporaries left, readable modes."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import mode

from model.files import (
    atomic_path,
    write_atomic,
    write_bytes_atomic,
    write_directory,
    write_text_atomic,
)


class Boom(RuntimeError):
    pass


def test_text_and_bytes_are_written_whole(tmp_path: Path) -> None:
    assert write_text_atomic(tmp_path / "a.txt", "héllo\n") == tmp_path / "a.txt"
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    write_text_atomic(tmp_path / "a.txt", "replaced")
    assert (tmp_path / "a.txt").read_text() == "replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_a_writer_callback_serves_pandas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    write_atomic(tmp_path / "t.parquet", lambda p: frame.to_parquet(p, index=False))
    write_atomic(tmp_path / "t.csv", lambda p: frame.to_csv(p, index=False))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    assert (tmp_path / "t.csv").read_text() == "x\n1\n2\n"


def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")

    def half(temporary: Path) -> None:
        temporary.write_text("new, but only ha")
        raise Boom("disk full")

    with pytest.raises(Boom):
        write_atomic(target, half)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
    with pytest.raises(Boom), atomic_path(tmp_path / "new.md") as temporary:
        temporary.write_text("partial")
        raise Boom("interrupted")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # nothing new appeared


def test_written_files_are_readable_by_group_and_others(tmp_path: Path, umask_022: None) -> None:
    write_text_atomic(tmp_path / "a.txt", "x")
    write_atomic(tmp_path / "b.parquet", lambda p: pd.DataFrame({"x": [1]}).to_parquet(p))
    assert mode(tmp_path / "a.txt") == 0o644
    assert mode(tmp_path / "b.parquet") == 0o644


def test_the_umask_is_respected(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        write_text_atomic(tmp_path / "private.txt", "x")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "private.txt") == 0o600


def test_a_staged_directory_moves_in_whole_and_readable(tmp_path: Path, umask_022: None) -> None:
    out = tmp_path / "deeper" / "out"

    def fill(staging: Path) -> None:
        (staging / "model.csv").write_text("week\n0\n")
        pd.DataFrame({"x": [1]}).to_parquet(staging / "agents.parquet")

    written = write_directory(out, fill)
    assert written == [out / "agents.parquet", out / "model.csv"]
    assert mode(out) == 0o755
    assert all(mode(path) == 0o644 for path in written)
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # no staging left beside it


def test_a_staged_directory_replaces_files_of_an_existing_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.csv").write_text("old")
    (out / "notes.txt").write_text("kept")
    written = write_directory(out, lambda staging: (staging / "model.csv").write_text("new"))
    assert written == [out / "model.csv"]
    assert (out / "model.csv").read_text() == "new"
    assert (out / "notes.txt").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failing_staged_directory_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.csv").write_text("old")

    def fail(staging: Path) -> None:
        (staging / "model.csv").write_text("new")
        raise Boom("killed")

    with pytest.raises(Boom):
        write_directory(out, fail)
    assert (out / "model.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    with pytest.raises(Boom):
        write_directory(tmp_path / "fresh", fail)
    assert not (tmp_path / "fresh").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
