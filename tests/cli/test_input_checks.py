"""Bad command-line input found by trying the README as a new user: refused before any work."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cli.main import main


def test_an_unwritable_out_is_refused_before_the_run(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    assert main(["run", "--seed", "1", "--weeks", "3", "--out", str(blocker / "sub")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no timeline: the run never started
    assert captured.err.startswith("escalation: error: --out ") and "cannot write" in captured.err
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize("weeks", ["0", "521", "100000"])
def test_weeks_out_of_range_names_the_option_and_the_range(weeks, capsys):
    assert main(["run", "--weeks", weeks, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == f"escalation: error: --weeks must be 1 to 520 weeks, got {weeks}\n"


def test_an_experiment_file_given_as_a_scenario_gets_a_hint(tmp_path, capsys):
    path = tmp_path / "sweep.toml"
    path.write_text('seed = 1\nscenarios = ["baseline"]\n')
    assert main(["run", "--scenario", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'seed'" in err and "escalation experiment" in err


def test_the_experiment_help_names_every_shipped_experiment(capsys):
    with pytest.raises(SystemExit):
        main(["experiment", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in ("compare_scenarios", "latin_sweep", "morris_screening", "policy_list"):
        assert name in text


def test_output_piped_into_head_ends_quietly():
    command = [sys.executable, "-m", "cli.main", "run", "--seed", "1", "--weeks", "26"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before the timeline is printed (`| head`)
        err = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_the_report_heading_wraps_to_the_tables_width(tmp_path):
    import pandas as pd

    from analysis.summary import WIDTH, _heading

    runs = pd.DataFrame({"run_id": [0, 1], "status": ["ok", "error"], "error": ["", "x" * 300]})
    manifest = {"name": "a-long-experiment-name-" * 3, "total_runs": 9000, "seed": 20211101}
    lines = _heading(manifest, tmp_path / ("deep/" * 12), runs, ok=1)
    assert all(len(line) <= WIDTH for line in lines), [len(line) for line in lines]
    assert any("INCOMPLETE: 2 of 9,000 runs" in line for line in lines)


def test_no_command_lists_the_commands_and_exits_2(capsys):
    from cli.main import COMMANDS, main

    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("escalation: error: a command is required") and err.count("\n") == 1
    for command in COMMANDS:
        assert command.__name__.rsplit(".", 1)[1] in err
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("escalation ")


def test_a_scenario_and_an_experiment_mistaken_for_each_other_get_a_hint(capsys):
    from cli.main import main
    from world.scenario import builtin_dir

    assert main(["run", "--scenario", "compare_scenarios", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'compare_scenarios'" in err and "escalation experiment" in err
    baseline = str(builtin_dir() / "baseline.toml")
    assert main(["experiment", baseline, "--out", "never-written"]) == 2
    err = capsys.readouterr().err
    assert "this looks like a scenario file" in err and err.count("\n") == 1
