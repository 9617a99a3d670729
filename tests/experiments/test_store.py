"""The one reader of a results directory (experiments.store) and the modes of what is written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import mode

from analysis.results import load_results
from analysis.stats import invasion_curves, wilson_interval
from cli.main import main
from experiments import export_csv, load, load_manifest
from experiments.design import load_experiment
from experiments.runner import run_experiment
from experiments.store import ResultsError, complete_parts, read_manifest, read_table
from world.errors import EscalationError

TINY = """
name = "tiny"
seed = 5
replicates = 2
weeks = 3
scenarios = ["baseline"]
record = ["model"]
chunk_size = 1
"""


def results_dir(root: Path, chunks: int = 2, record: tuple[str, ...] = ("model",)) -> Path:
    """Two complete chunks of one run each, in the store's layout."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"name": "t", "record": list(record)}))
    for table in ("runs", *record):
        (root / table).mkdir()
    for chunk in range(chunks):
        name = f"part-{chunk:05d}.parquet"
        run = {"run_id": chunk, "scenario": "baseline", "sample": 0, "replicate": chunk}
        pd.DataFrame([{**run, "seed": 10 + chunk, "weeks": 2, "status": "ok"}]).to_parquet(
            root / "runs" / name
        )
        weekly = pd.DataFrame(
            {
                "run_id": chunk,
                "week": [0, 1, 2],
                "rung": [1, 2, 7 if chunk else 2],
                "invasion": [False, False, bool(chunk)],
                "sanction_tier": [0, 1, 1],
            }
        )
        weekly.to_parquet(root / "model" / name)
    return root


def test_only_complete_chunks_are_read_and_temporaries_skipped(tmp_path: Path) -> None:
    root = results_dir(tmp_path / "r")
    (root / "model" / "part-00002.parquet").write_bytes(b"a chunk still being written")
    (root / "runs" / ".part-00003.parquet.tmp").write_bytes(b"half")
    assert [p.name for p in complete_parts(root, "model")] == [
        "part-00000.parquet",
        "part-00001.parquet",
    ]
    assert list(read_table(root, "model")["run_id"].unique()) == [0, 1]
    assert list(read_table(root, "model", ["run_id", "week"]).columns) == ["run_id", "week"]
    tables = load(root)
    assert set(tables) == {"runs", "model"} and len(tables["model"]) == 6


def test_parts_of_an_older_schema_still_load(tmp_path: Path) -> None:
    root = results_dir(tmp_path / "r")
    older = pd.read_parquet(root / "runs" / "part-00000.parquet").assign(seed=np.int32(10))
    older.to_parquet(root / "runs" / "part-00000.parquet")  # int32 where the other has int64
    assert list(read_table(root, "runs")["seed"]) == [10, 11]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "missing", "missing: no such directory"),
        (lambda tmp: (tmp / "f").write_text("x") and tmp / "f", "f: not a directory"),
        (lambda tmp: tmp, r"not an experiment directory \(no manifest.json\)"),
    ],
)
def test_every_reader_names_a_bad_directory(tmp_path: Path, make, expected) -> None:
    where = make(tmp_path)
    for read in (read_manifest, load_manifest, load, load_results):
        with pytest.raises(ResultsError, match=expected):
            read(where)


def test_unreadable_manifest_table_and_part_are_named(tmp_path: Path) -> None:
    root = results_dir(tmp_path / "r")
    with pytest.raises(ResultsError, match="table 'agents' was not recorded"):
        load(root, ("runs", "agents"))
    with pytest.raises(ResultsError, match=r"no signals table \(.*holds no .parquet files\)"):
        read_table(root, "signals")
    (root / "model" / "part-00001.parquet").write_bytes(b"not parquet")
    with pytest.raises(ResultsError, match=r"model/part-00001.parquet: unreadable"):
        load(root)
    (root / "manifest.json").write_text("{not json")
    with pytest.raises(ResultsError, match=r"manifest.json: unreadable manifest"):
        load(root)
    (root / "manifest.json").write_text("[1, 2]")
    with pytest.raises(ResultsError, match="manifest is not a JSON object"):
        read_manifest(root)
    assert issubclass(ResultsError, EscalationError)


def test_an_experiment_without_a_complete_chunk_loads_empty(tmp_path: Path) -> None:
    root = results_dir(tmp_path / "r", chunks=0)
    assert all(frame.empty for frame in load(root).values())
    with pytest.raises(ResultsError, match="no runs table"):
        read_table(root, "runs")


def test_summary_curves_match_the_weekly_flags(tmp_path: Path) -> None:
    """The curve from outcomes equals the share of runs flagged as invaded in each week (the
    flag stays set once raised), as the validation report drew it before."""
    results = load_results(results_dir(tmp_path / "r"))
    curves = invasion_curves(results.outcomes, ["scenario"])
    weekly = read_table(results.out_dir, "model").groupby("week")["invasion"].agg(["sum", "count"])
    assert list(curves["p_invasion"]) == list(weekly["sum"] / weekly["count"])
    lower, upper = wilson_interval(weekly["sum"].to_numpy(), weekly["count"].to_numpy())
    assert list(curves["p_invasion_lo"]) == list(lower)
    assert list(curves["p_invasion_hi"]) == list(upper)


def test_results_and_exports_are_readable_by_others(tmp_path: Path, umask_022: None) -> None:
    (tmp_path / "tiny.toml").write_text(TINY)
    out = tmp_path / "out"
    run_experiment(load_experiment(tmp_path / "tiny.toml"), out)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and all(mode(p) == 0o644 for p in written), {p: oct(mode(p)) for p in written}
    exported = export_csv(out, tmp_path / "csv")
    assert all(mode(p) == 0o644 for p in exported)
    assert (
        main(["run", "--weeks", "2", "--seed", "1", "--quiet", "--out", str(tmp_path / "r")]) == 0
    )
    assert mode(tmp_path / "r") == 0o755
    assert all(mode(p) == 0o644 for p in (tmp_path / "r").iterdir())


def test_an_incomplete_experiment_is_flagged_not_hidden(tmp_path, capsys):
    # issue 17: planned and completed runs; the flag on the frames, the report and the page
    from viz import batch

    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "out"
    run_experiment(load_experiment(path), out, chunks=[0])
    assert read_manifest(out)["total_runs"] == 2
    tables = load(out)
    assert len(tables["runs"]) == 1 and len(tables["model"]) == 4  # the data is all there
    for frame in tables.values():
        assert frame.attrs["incomplete"] == "INCOMPLETE: 1 of 2 runs"
        assert (frame.attrs["planned_runs"], frame.attrs["completed_runs"]) == (2, 1)
    assert main(["summarize", str(out)]) == 0
    assert "INCOMPLETE: 1 of 2 runs" in capsys.readouterr().out
    assert batch.load(str(out)).incomplete == "INCOMPLETE: 1 of 2 runs"
    run_experiment(load_experiment(path), out)
    assert load(out)["runs"].attrs["incomplete"] == ""
    assert batch.load(str(out)).incomplete == ""


def test_an_incomplete_experiment_names_the_scenarios_not_run_yet(tmp_path, capsys):
    # From a user's interrupted run: a scenario with no runs yet was silently missing.
    path = tmp_path / "two.toml"
    path.write_text(
        TINY.replace('scenarios = ["baseline"]', 'scenarios = ["baseline", "arms_now"]')
    )
    out = tmp_path / "out"
    run_experiment(load_experiment(path), out, chunks=[0])
    assert main(["summarize", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "INCOMPLETE: 1 of 4 runs" in text
    assert "No runs yet, so not in the tables: arms_now" in text
    run_experiment(load_experiment(path), out)
    assert main(["summarize", str(out)]) == 0
    assert "No runs yet" not in capsys.readouterr().out
