"""The ``escalation`` command, including every bad-input path (exit 2, one line, no output)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from cli.main import main
from cli.run import timeline
from model import EscalationModel
from world.scenario import builtin_dir


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, timeout=120
    )


def test_scenarios_lists_every_builtin_with_description(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    shipped = sorted(path.stem for path in builtin_dir().glob("*.toml"))
    assert len(shipped) >= 9
    for name in shipped:
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 10


def test_run_prints_timeline_and_writes_parquet(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(["run", "--scenario", "baseline", "--weeks", "12", "--seed", "1", "--out", str(out)])
        == 0
    )
    text = capsys.readouterr().out
    assert "2021-11-01" in text and "2022-01-24" in text  # week 0 and week 12
    assert "status quo" in text
    tables = {
        name: pd.read_parquet(out / f"{name}.parquet") for name in ("model", "agents", "signals")
    }
    assert len(tables["model"]) == 13
    assert set(tables["agents"]["week"]) == set(range(13))
    record = json.loads((out / "run.json").read_text())
    assert record["seed"] == 1 and record["weeks"] == 12 and record["scenario"] == "baseline"
    assert "mesa" in record["versions"] and "misperception" in record["parameters"]


def test_run_csv_matches_parquet_of_same_seed(tmp_path):
    assert (
        main(["run", "--weeks", "8", "--seed", "4", "--out", str(tmp_path / "p"), "--quiet"]) == 0
    )
    assert (
        main(
            [
                "run",
                "--weeks",
                "8",
                "--seed",
                "4",
                "--out",
                str(tmp_path / "c"),
                "--quiet",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    parquet = pd.read_parquet(tmp_path / "p" / "model.parquet")
    csv = pd.read_csv(tmp_path / "c" / "model.csv")
    assert list(parquet["russian_troops"]) == list(csv["russian_troops"])


def test_same_seed_same_timeline():
    first = run_cli("run", "--weeks", "10", "--seed", "7")
    second = run_cli("run", "--weeks", "10", "--seed", "7")
    assert first.returncode == 0 and first.stdout == second.stdout


def test_overrides_from_the_command_line(tmp_path):
    out = tmp_path / "o"
    done = run_cli(
        "run", "--weeks", "4", "--seed", "1", "--set", "misperception=0.4", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "run.json").read_text())["parameters"]["misperception"] == 0.4


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--scenario", "no_such_scenario"], "unknown scenario 'no_such_scenario'"),
        (["run", "--weeks", "-3"], "--weeks"),
        (["run", "--weeks", "0"], "--weeks"),
        (["run", "--weeks", "many"], "invalid int value"),
        (["run", "--seed", "-1"], "--seed"),
        (["run", "--format", "xlsx"], "invalid choice"),
        (["run", "--set", "no_such_parameter=1"], "no_such_parameter"),
        (["run", "--set", "misperception=7"], "out of range"),
        (["run", "--set", "justtext"], "NAME=VALUE"),
        (["fly"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0]


def test_bad_input_through_the_installed_entry_point_has_no_traceback():
    done = run_cli("run", "--weeks", "-3")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_invalid_scenario_file_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[world]\nmisperception = 'lots'\n")
    done = run_cli("run", "--scenario", str(bad))
    assert done.returncode == 2
    assert str(bad) in done.stderr and "misperception" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unwritable_out_leaves_nothing_behind(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    for out in (blocker, blocker / "sub"):
        done = run_cli("run", "--weeks", "3", "--seed", "1", "--out", str(out), "--quiet")
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    assert blocker.read_text() == "not a directory"


def test_bad_input_writes_no_output(tmp_path):
    out = tmp_path / "never"
    done = run_cli("run", "--scenario", "nope", "--out", str(out))
    assert done.returncode == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_run_sets_the_horizon_like_any_parameter(tmp_path):
    # issue 17: --set weeks=4 used to end in a TypeError traceback with exit status 1
    done = run_cli("run", "--set", "weeks=4", "--seed", "1", "--out", str(tmp_path / "r"))
    assert done.returncode == 0, done.stderr
    assert len(pd.read_parquet(tmp_path / "r" / "model.parquet")) == 5  # weeks 0 to 4
    for value, reason in (("26.5", "expected a whole number"), ("0", "out of range")):
        done = run_cli("run", "--set", f"weeks={value}", "--seed", "1")
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1 and reason in done.stderr
    done = run_cli("run", "--weeks", "3", "--set", "weeks=4", "--seed", "1")
    assert done.returncode == 2 and "not both" in done.stderr


def test_the_timeline_shows_every_russian_track_and_the_talks():
    """A pull-back in a week of demands is not hidden behind them, and the freeze deal's
    agreement shows (freeze_deal, seed 15: pull-backs in weeks 4-5, the agreement in week 5)."""
    model = EscalationModel("freeze_deal", rng=15, weeks=8).run()
    rows = {line.split()[0]: line for line in timeline(model).splitlines()[2:11]}
    assert "pull_back+" in rows["4"] and "pull_back+demands" in rows["5"]
    assert "agreement" in rows["5"] and "formal talks" in rows["4"]
