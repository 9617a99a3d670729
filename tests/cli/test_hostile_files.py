"""Hostile and malformed scenario files: one clear line and exit status 2, never a traceback.

Each case is a file a user might share by mistake (or on purpose); `escalation run` on it must
refuse with exit status 2 and a single line on stderr that names the file, within seconds, and
must execute nothing that is in it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.main import main

HOSTILE = {
    "empty": b"",
    "not_toml": b"this is not toml at all {{{\n",
    "binary": bytes(range(256)) * 4,
    "latin1": "[world]\nmisperception = 0.2 # caf\xe9\n".encode("latin-1"),
    "wrong_type": b'[world]\nmisperception = "high"\n',
    "bool_for_number": b"[world]\nbrinkmanship_hazard = true\n",
    "out_of_range": b"[world]\nmisperception = 7.5\n",
    "negative_weeks": b"[world]\nweeks = -3\n",
    "huge_number": b"[invasion_calculus]\ntroop_ceiling = 1e308\n",
    "huge_integer": b"[world]\nweeks = 99999999999999999999\n",
    "nan": b"[world]\nmisperception = nan\n",
    "inf": b"[world]\nmisperception = inf\n",
    "unknown_top_key": b"[weather]\nsnow = 1\n",
    "unknown_field": b"[world]\nmisperceptions = 0.2\n",
    "unknown_actor_removed": b'remove_actors = ["Atlantis"]\n',
    "new_actor_without_role": b"[actors.Italy]\ngas_import_share = 0.4\n",
    "bad_role": b'[actors.Italy]\nrole = "empire"\n',
    "duplicate_table": b"[world]\nmisperception = 0.2\n[world]\nmisperception = 0.3\n",
    "duplicate_actor": b"[actors.Poland]\nresolve = 0.5\n[actors.Poland]\nresolve = 0.6\n",
    "actor_name_collision": b'[actors."poland"]\nrole = "state"\n',
    "second_challenger": b'[actors.Belarus]\nrole = "challenger"\n',
    "no_states": b'remove_actors = ["United States", "Germany", "Poland", "Lithuania", "Latvia",'
    b' "Estonia", "Romania", "United Kingdom", "France"]\n',
    "section_not_table": b"world = 3\n",
    "actors_not_table": b'actors = "all of them"\n',
    "deeply_nested_arrays": b"x = " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
    "deeply_nested_tables": b"[world]\nmisperception = " + b"{a = " * 5_000 + b"1" + b"}" * 5_000,
    "extends_missing": b'extends = "no_such_scenario"\n',
    "extends_itself": b'extends = "hostile.toml"\n',
    "code_in_string": b"name = \"__import__('os').system('touch PWNED')\"\n"
    b'[world]\nweeks = "x"\n',
    "oversized": b"# " + b"x" * 1_100_000 + b"\n",
}


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_bytes(content)
    return path


def assert_refused(command: list[str], out: Path, tmp_path: Path, capsys) -> None:
    """Exit 2, one line naming the file, within seconds, nothing written or executed."""
    started = time.perf_counter()
    status = main([*command, "--out", str(out)])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("escalation: error: ") and "hostile.toml" in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert elapsed < 10.0
    assert not out.exists(), "nothing may be written for a refused file"
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_scenario_is_refused_in_one_line(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, HOSTILE[case])
    command = ["run", "--scenario", str(path), "--weeks", "2", "--quiet"]
    assert_refused(command, tmp_path / "out", tmp_path, capsys)


@pytest.mark.parametrize("case", ["binary", "deeply_nested_arrays", "code_in_string", "nan"])
def test_hostile_scenario_exit_status_from_a_real_process(case, tmp_path):
    path = write(tmp_path, HOSTILE[case])
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "run", "--scenario", str(path), "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_experiment_file_is_refused_in_one_line(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, HOSTILE[case])
    assert_refused(["experiment", str(path), "--quiet"], tmp_path / "results", tmp_path, capsys)
