"""``escalation ablate``: the ablation registry from the command line."""

from __future__ import annotations

import pytest

from cli.main import main

DECORATIVE = """
[[mechanism]]
name = "red line"
odd = "§7.1"
what = "provocation_factor 1 to 2 (no Donbas offensive happens, so nothing moves)"
low = { provocation_factor = 1.0 }
high = { provocation_factor = 2.0 }
"""

DRIVING = """
[[mechanism]]
name = "build-up rate"
odd = "§7.1"
what = "troops added per build-up week, 3,000 to 8,000"
low = { buildup_rate = 3000.0 }
high = { buildup_rate = 8000.0 }
expect = { outcome = "invaded", sign = "+" }
"""


def test_one_entry_runs_and_prints_its_verdict(tmp_path, capsys):
    out = tmp_path / "ablation"
    registry = tmp_path / "registry.toml"
    registry.write_text(DRIVING, encoding="utf-8")
    args = ["ablate", str(registry), "--seeds", "30", "--executor", "serial"]
    assert main([*args, "--quiet", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split()[:3] == ["mechanism", "ODD", "P(inv)"]
    assert lines[1].startswith("build-up rate") and lines[1].endswith("drives")
    assert all(len(line) <= 100 for line in lines[:2])
    assert max(len(line) for line in lines) <= 100, captured.out  # issue 17: ~150 before
    said = " ".join(captured.out.split())
    assert "30 paired seeds per mechanism. 1 of 1 mechanisms move an outcome" in said
    assert f"Wrote ablation_runs.csv, ablation_stats.csv in {out}" in said
    assert (out / "ablation_runs.csv").is_file() and (out / "ablation_stats.csv").is_file()
    assert captured.err == ""


def test_a_known_decorative_entry_is_said_known_and_exits_0(tmp_path, capsys):
    registry = tmp_path / "registry.toml"
    registry.write_text(DECORATIVE + "known_decorative = true\n", encoding="utf-8")
    args = ["ablate", str(registry), "--seeds", "5", "--executor", "serial"]
    assert main([*args, "--quiet"]) == 0
    assert "DECORATIVE (known)" in capsys.readouterr().out


def test_an_unmarked_decorative_entry_exits_1_naming_it(tmp_path, capsys):
    registry = tmp_path / "registry.toml"
    registry.write_text(DECORATIVE, encoding="utf-8")
    assert main(["ablate", str(registry), "--seeds", "5", "--executor", "serial", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "DECORATIVE" in captured.out
    assert captured.err == "escalation: ablate: 'red line': DECORATIVE (|z| < 3)\n"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--seeds", "0"], "--seeds must be at least 1, got 0"),
        (["--workers", "0"], "--workers must be at least 1, got 0"),
        (["--only", "no such thing"], "no mechanism 'no such thing' in the registry; "),
        (["--executor", "threads"], "invalid choice: 'threads'"),
    ],
)
def test_bad_options_are_one_line(capsys, args, fragment):
    assert main(["ablate", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("escalation: error: ") and err.count("\n") == 1
    assert fragment in err


def test_a_registry_naming_an_unknown_parameter_is_one_line(tmp_path, capsys):
    registry = tmp_path / "registry.toml"
    registry.write_text(DECORATIVE.replace("provocation_factor = 2.0", "red_lines = 2"))
    assert main(["ablate", str(registry), "--seeds", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "mechanism 1 ('red line'): high: override 'red_lines': unknown parameter" in err


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["ablate", "--seeds", "3", "--out", str(blocker)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
