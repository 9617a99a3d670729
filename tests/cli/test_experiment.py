"""``escalation experiment``: a run, a resume, and one line with exit status 2 for bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cli.main import main
from experiments import load

SMALL = 'name = "cli-small"\nseed = 9\nreplicates = 3\nweeks = 3\nscenarios = ["baseline"]\n'


def experiment(tmp_path, body=SMALL, name="small.toml"):
    path = tmp_path / name
    path.write_text(body)
    return str(path)


def test_experiment_runs_resumes_and_exports(tmp_path, capsys):
    out = tmp_path / "out"
    file = experiment(tmp_path)
    assert main(["experiment", file, "--out", str(out), "--csv", str(tmp_path / "csv")]) == 0
    captured = capsys.readouterr()
    assert f"3 runs in {out}" in " ".join(captured.out.split())
    assert "3/3 runs" in captured.err
    assert (tmp_path / "csv" / "runs.csv").is_file()
    assert len(load(out)["runs"]) == 3
    assert main(["experiment", file, "--out", str(out), "--quiet"]) == 0
    assert "0 run now, 3 already there" in " ".join(capsys.readouterr().out.split())


def test_the_closing_lines_fit_100_columns_and_keep_paths_whole(tmp_path, capsys):
    # issue 17: "compare-scenarios: 180 runs in ... read them with experiments.load('...')" was
    # 114 to 133 columns wide
    out, csv = tmp_path / "out", tmp_path / "csv"
    file = experiment(tmp_path)
    assert main(["experiment", file, "--out", str(out), "--csv", str(csv), "--quiet"]) == 0
    printed = capsys.readouterr().out
    status = f"cli-small: 3 runs in {out} (3 run now, 0 failed); read them with "
    assert status in " ".join(printed.split())
    # Only a path too long for any line may overrun, whole and alone on its line.
    overruns = [line for line in printed.splitlines() if len(line) > 100]
    assert all(len(line.split()) == 1 for line in overruns), printed
    assert f"experiments.load('{out}')" in printed.split()
    assert str(csv) in printed.split()


def test_experiment_with_local_processes(tmp_path, capsys):
    out = tmp_path / "out"
    file = experiment(tmp_path)
    assert main(["experiment", file, "--out", str(out), "--workers", "2", "--quiet"]) == 0
    assert (load(out)["runs"]["status"] == "ok").all()


BAD = {
    "unknown scenario": (SMALL.replace('"baseline"', '"atlantis"'), "unknown scenario 'atlantis'"),
    "unknown parameter": (
        SMALL + '[design]\nsampler = "grid"\n[design.parameters]\nrussia_mood = [1]\n',
        "unknown parameter",
    ),
    "min above max": (
        SMALL + '[design]\nsampler = "latin"\n[design.parameters]\n'
        "arms_aid = {min = 0.5, max = 0.1}\n",
        "must be below max",
    ),
    "range outside documented range": (
        SMALL + '[design]\nsampler = "latin"\n[design.parameters]\n'
        "arms_aid = {min = 0.5, max = 3.0}\n",
        "out of range; allowed 0.0 to 1.0",
    ),
    "zero replicates": (SMALL.replace("replicates = 3", "replicates = 0"), "at least 1"),
    "negative replicates": (SMALL.replace("replicates = 3", "replicates = -2"), "at least 1"),
    "invalid toml": ("seed = = 3\n", "not valid TOML"),
}


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.err


def assert_one_line(code, err, needle):
    assert code == 2
    assert err.startswith("escalation: error: ")
    assert err.count("\n") == 1
    assert needle in err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_files(tmp_path, capsys, case):
    body, needle = BAD[case]
    code, err = run_cli(
        ["experiment", experiment(tmp_path, body), "--out", str(tmp_path / "o")], capsys
    )
    assert_one_line(code, err, needle)
    assert not (tmp_path / "o").exists()


def test_missing_file_and_unknown_name(tmp_path, capsys):
    code, err = run_cli(["experiment", str(tmp_path / "nope.toml"), "--out", "x"], capsys)
    assert_one_line(code, err, "no such experiment file")
    code, err = run_cli(["experiment", "nope", "--out", "x"], capsys)
    assert_one_line(code, err, "unknown experiment 'nope'")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_directory_as_user(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = run_cli(["experiment", experiment(tmp_path), "--out", str(locked / "o")], capsys)
    assert_one_line(code, err, "cannot write there")


def test_unusable_output_directory(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, err = run_cli(["experiment", experiment(tmp_path), "--out", str(blocker / "o")], capsys)
    assert_one_line(code, err, "cannot write there")
    code, err = run_cli(["experiment", experiment(tmp_path), "--out", str(blocker)], capsys)
    assert_one_line(code, err, "not a directory")


def test_directory_of_another_experiment(tmp_path, capsys):
    out = str(tmp_path / "out")
    assert main(["experiment", experiment(tmp_path), "--out", out, "--quiet"]) == 0
    capsys.readouterr()
    other = experiment(tmp_path, SMALL.replace("seed = 9", "seed = 10"), "other.toml")
    code, err = run_cli(["experiment", other, "--out", out], capsys)
    assert_one_line(code, err, "holds results of experiment 'cli-small'")


def test_bad_options(tmp_path, capsys):
    file = experiment(tmp_path)
    code, err = run_cli(["experiment", file, "--out", "o", "--workers", "0"], capsys)
    assert_one_line(code, err, "--workers must be at least 1")
    code, err = run_cli(["experiment", file, "--out", "o", "--executor", "gpu"], capsys)
    assert_one_line(code, err, "invalid choice")
    code, err = run_cli(["experiment", file], capsys)
    assert_one_line(code, err, "--out")


def test_unreachable_scheduler_exits_2_quickly(tmp_path):
    # A subprocess: the real command line, its stderr and its exit status, nothing in-process.
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "experiment",
        experiment(tmp_path),
        "--out",
        str(tmp_path / "o"),
        "--scheduler",
        "tcp://127.0.0.1:9",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert_one_line(done.returncode, done.stderr, "cannot reach the Dask scheduler")


def test_progress_is_redrawn_on_a_terminal_and_logged_as_lines_elsewhere():
    import io

    from cli.experiment import ProgressLine
    from experiments.runner import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, in_place in ((Terminal(), True), (io.StringIO(), False)):
        line = ProgressLine("demo", stream)
        line.update(Progress(10, 5, 0, 1, 1.0))
        line.update(Progress(10, 10, 0, 1, 2.0))  # the last update is always shown
        line.finish()
        text = stream.getvalue()
        assert "demo: 10/10 runs (100%)" in text and "1 failed" in text
        assert ("\r" in text) is in_place
        assert text.endswith("\n")


def fragile_model(monkeypatch, bad_seeds):
    """Runs whose seed is in ``bad_seeds`` raise; the others run as usual."""
    from ensemble import simulate

    def fragile(specs, seeds, weeks=None, **options):
        if set(seeds) & set(bad_seeds):
            raise RuntimeError("deliberate failure")
        return simulate(specs, seeds, weeks, **options)

    monkeypatch.setattr("experiments.chunks.simulate", fragile)


def test_failed_runs_exit_1_and_are_retried_on_resume(tmp_path, capsys, monkeypatch):
    # issue 17: failures used to exit 0, and a rerun retried nothing ("0 run now, 3 already there")
    from experiments.design import load_experiment

    out, file = str(tmp_path / "out"), experiment(tmp_path)
    bad = load_experiment(file).run(1).seed
    fragile_model(monkeypatch, {bad})
    assert main(["experiment", file, "--out", out, "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("escalation: 1 of 3 runs failed")
    monkeypatch.undo()
    assert main(["experiment", file, "--out", out, "--quiet", "--no-retry"]) == 1
    assert "1 failed earlier and kept" in capsys.readouterr().out
    assert load(out)["runs"]["status"].tolist() == ["ok", "error", "ok"]
    assert main(["experiment", file, "--out", out, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "(1 run now, 1 retried, 2 already there, 0 failed)" in " ".join(captured.out.split())
    assert captured.err == ""
    tables = load(out)
    assert tables["runs"]["run_id"].tolist() == [0, 1, 2]
    assert (tables["runs"]["status"] == "ok").all()
    assert not tables["model"].duplicated(["run_id", "week"]).any()
    assert sorted(set(tables["model"]["run_id"])) == [0, 1, 2]


def test_interrupt_says_how_to_resume(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("experiments.runner.run_experiment", interrupted)
    out = str(tmp_path / "out")
    assert main(["experiment", experiment(tmp_path), "--out", out, "--quiet"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "interrupted" in err and "run the same command again with the same --out" in err


def test_failures_exit_1_and_the_csv_is_written_when_the_reader_is_gone(
    tmp_path, capsys, monkeypatch
):
    # A closed pipe (`| head -1`) used to turn a failed experiment's status into 0, and would
    # have cut the CSV export that followed the first printed line.
    from experiments.design import load_experiment

    out, file, csv = str(tmp_path / "out"), experiment(tmp_path), tmp_path / "csv"
    fragile_model(monkeypatch, {load_experiment(file).run(1).seed})

    def reader_left(line: str) -> None:
        raise BrokenPipeError

    monkeypatch.setattr("cli.experiment.say", reader_left)
    monkeypatch.setattr("cli.experiment.reader_gone", lambda: None)
    assert main(["experiment", file, "--out", out, "--quiet", "--csv", str(csv)]) == 1
    assert "escalation: 1 of 3 runs failed" in capsys.readouterr().err
    assert (csv / "runs.csv").is_file()


def test_a_bad_value_from_the_command_line_names_the_option_not_the_file(tmp_path, capsys):
    file, out = experiment(tmp_path), str(tmp_path / "out")
    assert main(["experiment", file, "--out", out, "--scenarios", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("escalation: error: --scenarios: unknown scenario 'nope'")
    assert main(["experiment", file, "--out", out, "--scenarios", "baseline,baseline"]) == 2
    assert "--scenarios: listed twice: baseline" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
