"""The validation report: generated end to end from fresh (tiny) runs, by its command."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from analysis.validation import EXPERIMENTS, differences, newcombe
from analysis.validation import heading as report_heading
from cli.main import main

# Two entries of the registry (the whole one asks 1,600 paired seeds of some): one on the
# replicates, one on seeds of its own.
SMALL_REGISTRY = """
[[mechanism]]
name = "tie learning"
odd = "§7.7"
what = "how fast ties follow (dis)agreement, 0 to 0.3"
low = { tie_learning_rate = 0.0 }
high = { tie_learning_rate = 0.3 }

[[mechanism]]
name = "misperception"
odd = "§7.3"
what = "misperception 0 to 0.4"
low = { misperception = 0.0 }
high = { misperception = 0.4 }
seeds = 6
"""


def test_report_command_runs_end_to_end(tmp_path, capsys):
    report = tmp_path / "docs" / "VALIDATION.md"
    registry = tmp_path / "ablation.toml"
    registry.write_text(SMALL_REGISTRY, encoding="utf-8")
    status = main(
        [
            "validate",
            "--out",
            str(tmp_path / "runs"),
            "--report",
            str(report),
            "--replicates",
            "4",
            "--sobol-samples",
            "8",
            "--registry",
            str(registry),
            "--executor",
            "serial",
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    # A progress line per experiment on stderr (not a terminal: at its start and its end),
    # named in the report's order, with its runs done of total.
    lines = captured.err.splitlines()
    for place, name in enumerate(EXPERIMENTS, start=1):
        stage = f"validate {place}/{len(EXPERIMENTS)} {name}: "
        mine = [line for line in lines if line.startswith(stage)]
        assert len(mine) >= 2, captured.err
        assert " 0/" in mine[0] and "(100%)" in mine[-1] and "0 failed" in mine[-1]
    assert lines == sorted(lines, key=lambda line: line.split()[1])  # one stage after another
    assert captured.out.strip() == f"Wrote {report}"
    text = report.read_text()
    for heading in (
        "## 1. Patterns of the sources",
        "## 2. Calibration",
        "## 3. The two readings of the sources",
        "## 4. Strategies under both readings",
        "## 5. What drives invasion and escalation",
        "## 6. Ablation registry: does each mechanism matter?",
        "## 7. What the model does not capture",
    ):
        assert heading in text
    for pattern in ("troops_dec_jan", "germany_restrained", "no_incursion_first", "us_alert_late"):
        assert f"`{pattern}`" in text
    assert "Reported, not judged" in text and "`us_alert_date`" in text
    assert "`invasion_not_viable`" in text and "`closing_window`" in text
    assert "noise floor" in text
    assert "[docs/SOURCES.md](SOURCES.md)" in text
    # a row of the ablation registry
    assert "| tie learning | how fast ties follow (dis)agreement, 0 to 0.3 | §7.7 | 4 |" in text
    assert "| misperception | misperception 0 to 0.4 | §7.3 | 6 |" in text
    assert (tmp_path / "runs" / "ablation" / "ablation_runs.csv").is_file()
    for figure in ("hypotheses.png", "strategies.png", "sensitivity.png"):
        data = (report.parent / "figures" / figure).read_bytes()
        assert data.startswith(b"\x89PNG"), figure
        assert f"figures/{figure}" in text


def test_the_heading_links_the_sources_the_report_cites_by_id():
    # issue 17: the report cited (000) to (004) and never said where they are described
    head = report_heading(dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), Path("/tmp/runs"))
    assert head[0] == "# Validation report"
    linked = [line for line in head if "[docs/SOURCES.md](SOURCES.md)" in line]
    assert len(linked) == 1 and "(000) to (004)" in linked[0]
    assert (Path(__file__).resolve().parents[2] / "docs" / "SOURCES.md").is_file()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--replicates", "0"], "--replicates must be at least 1"),
        (["--sobol-samples", "12"], "power of two"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--registry", "no-such-registry.toml"], "no-such-registry.toml"),
    ],
)
def test_report_command_bad_input_is_one_line(tmp_path, capsys, args, fragment):
    assert main(["validate", "--out", str(tmp_path / "r"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]


def test_newcombe_interval_matches_the_published_example():
    """Newcombe (1998), example (a), 56/70 vs 48/80: difference 0.2000, 95% interval by the
    hybrid score method (his method 10) 0.0524 to 0.3339."""
    d, low, high = newcombe(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=1e-4)
    assert high == pytest.approx(0.3339, abs=1e-4)
    assert not math.isnan(low)


def test_differences_name_what_a_scenario_changes():
    changed = differences("freeze_deal")
    assert changed == {"freeze_deal": True}
    assert differences("baseline") == {}
