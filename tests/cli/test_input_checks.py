"""Bad command-line input found by trying the README as a new user: refused before any work."""

from __future__ import annotations

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
