"""Growing an experiment (issue 17): more replicates add runs; the stored ones stay as they are."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from ensemble import simulate
from experiments import load, load_manifest
from experiments.design import ExperimentError, load_experiment, run_seed
from experiments.runner import run_experiment
from experiments.store import RUNS, ResultStore
from model import EscalationModel

GRID = """
name = "grows"
seed = 21
replicates = 2
weeks = 3
scenarios = ["baseline", "arms_now"]
chunk_size = 3
[design]
sampler = "grid"
[design.parameters]
arms_aid = [0.2, 0.8]
"""


def write(tmp_path: Path, text: str = GRID) -> Path:
    path = tmp_path / "grows.toml"
    path.write_text(text)
    return path


def stored(out: Path) -> dict[str, tuple[int, bytes]]:
    return {
        f"{folder.name}/{part.name}": (part.stat().st_mtime_ns, part.read_bytes())
        for folder in (out / RUNS, out / "model")
        for part in sorted(folder.glob("part-*.parquet"))
    }


def test_more_replicates_add_runs_and_leave_the_stored_ones_untouched(tmp_path, monkeypatch):
    path, out = write(tmp_path), tmp_path / "out"
    run_experiment(load_experiment(path), out)
    before, parts = load(out), stored(out)
    simulated = []

    def counted(specs, seeds, weeks=None, **options):
        simulated.extend(seeds)
        return simulate(specs, seeds, weeks, **options)

    monkeypatch.setattr("experiments.chunks.simulate", counted)
    final = run_experiment(load_experiment(path, replicates=5), out)
    monkeypatch.setattr("experiments.chunks.simulate", simulate)
    after = load(out)
    assert len(simulated) == 2 * 2 * 3  # scenarios x points x the 3 new replicates, no others
    assert (final.total, final.resumed, final.done) == (20, 8, 20)
    for name, (mtime, content) in parts.items():  # the stored parts were not rewritten
        assert (out / name).stat().st_mtime_ns == mtime and (out / name).read_bytes() == content
    runs = after["runs"]
    old = runs[runs["run_id"] < 8].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        old.drop(columns="wall_time"), before["runs"].drop(columns="wall_time"), check_like=True
    )
    assert runs["run_id"].tolist() == list(range(20))
    assert sorted(runs["replicate"].value_counts().index) == [0, 1, 2, 3, 4]
    assert (runs.groupby(["scenario", "arms_aid"]).size() == 5).all()
    assert runs["seed"].tolist() == [run_seed(21, run_id) for run_id in range(20)]
    assert not runs.duplicated(["scenario", "sample", "replicate"]).any()
    manifest = load_manifest(out)
    assert manifest["replicate_blocks"] == [2, 5] and manifest["total_runs"] == 20
    assert manifest["growth"][0]["replicates"] == [2, 5]
    # any new run replays alone from its recorded seed and parameters
    row = runs.iloc[-1]
    alone = EscalationModel(
        row["scenario"], rng=int(row["seed"]), weeks=3, arms_aid=row["arms_aid"]
    )
    model = after["model"]
    history = model[model["run_id"] == row["run_id"]].drop(columns="run_id")
    pd.testing.assert_frame_equal(
        history.reset_index(drop=True),
        alone.run().history()["model"][history.columns].reset_index(drop=True),
        check_dtype=False,
    )
    # resuming the grown experiment with the same command runs nothing
    again = run_experiment(load_experiment(path, replicates=5), out)
    assert again.done == again.resumed == 20


def test_a_grown_experiment_matches_its_blocks_run_from_scratch(tmp_path):
    path = write(tmp_path)
    grown, fresh = tmp_path / "grown", tmp_path / "fresh"
    run_experiment(load_experiment(path), grown)
    run_experiment(load_experiment(path, replicates=3), grown)
    run_experiment(load_experiment(path, replicates=4), grown)
    assert load_manifest(grown)["replicate_blocks"] == [2, 3, 4]
    write(tmp_path, GRID.replace("replicates = 2", "replicates = 4"))
    run_experiment(load_experiment(path), fresh)  # one block: numbered and seeded differently
    a, b = load(grown)["runs"], load(fresh)["runs"]
    key = ["scenario", "sample", "replicate"]
    assert sorted(map(tuple, a[key].values.tolist())) == sorted(map(tuple, b[key].values.tolist()))
    assert a["run_id"].is_unique and len(a) == 16


REFUSED = {
    "another seed": (["--seed", "22"], "with seed 21, not 22"),
    "other scenarios": (["--scenarios", "baseline"], "with scenarios baseline, arms_now"),
    "fewer replicates": (["--replicates", "1"], "with 2 replicates per design point"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_changes_to_what_stored_runs_mean_are_refused(tmp_path, capsys, case):
    path, out = write(tmp_path), tmp_path / "out"
    assert main(["experiment", str(path), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    options, needle = REFUSED[case]
    manifest = (out / "manifest.json").read_text()
    assert main(["experiment", str(path), "--out", str(out), "--quiet", *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("escalation: error: ") and err.count("\n") == 1 and needle in err
    assert (out / "manifest.json").read_text() == manifest


def test_a_different_design_is_refused_even_with_more_replicates(tmp_path):
    path, out = write(tmp_path), tmp_path / "out"
    run_experiment(load_experiment(path), out)
    write(tmp_path, GRID.replace("[0.2, 0.8]", "[0.2, 0.9]"))
    with pytest.raises(ExperimentError, match="a different design"):
        ResultStore.open(out, load_experiment(path, replicates=4))


def test_growing_from_the_command_line(tmp_path, capsys):
    path, out = write(tmp_path), tmp_path / "out"
    assert main(["experiment", str(path), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["experiment", str(path), "--out", str(out), "--quiet", "--replicates", "3"]) == 0
    assert "(4 run now, 8 already there, 0 failed)" in " ".join(capsys.readouterr().out.split())
    assert json.loads((out / "manifest.json").read_text())["overrides"] == {"replicates": 3}
    # the file alone (2 replicates) would drop runs: refused, saying what to give
    assert main(["experiment", str(path), "--out", str(out), "--quiet"]) == 2
    assert "give --replicates 3" in capsys.readouterr().err


def test_a_directory_written_before_growth_was_recorded_can_grow(tmp_path):
    path, out = write(tmp_path), tmp_path / "out"
    run_experiment(load_experiment(path), out)
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("identity", "replicate_blocks", "overrides"):
        del manifest[key]
    (out / "manifest.json").write_text(json.dumps(manifest))
    final = run_experiment(load_experiment(path, replicates=3), out)
    assert (final.resumed, final.done) == (8, 12)
