"""A first use of the model on a machine compiles it (about half a minute): the command says so."""

from __future__ import annotations

from cli.usage import compile_notice
from world.compiled import cache_folder


def test_a_cold_cache_is_announced_and_a_warm_one_is_not(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    compile_notice(quiet=False)
    said = capsys.readouterr().err
    assert "compiling the model's weekly process" in said and str(cache_folder()) in said
    compile_notice(quiet=True)
    assert capsys.readouterr().err == ""
    folder = cache_folder()
    (folder / "ensemble").mkdir(parents=True)
    (folder / "ensemble" / "driver._run_block-40.py312.nbi").write_bytes(b"")
    compile_notice(quiet=False)
    assert capsys.readouterr().err == ""
