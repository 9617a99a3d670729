"""The runner: same results on every executor, resume without loss or duplicates, failures kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ensemble import simulate
from experiments import export_csv, load, load_manifest
from experiments.chunks import WORKER_DIED, ChunkTask, make_task, simulate_chunk
from experiments.design import ExperimentError, load_experiment
from experiments.design_space import DUMMY
from experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from experiments.runner import Progress, run_experiment
from experiments.store import RUNS, ResultStore
from model import EscalationModel

SWEEP = """
name = "small-sweep"
seed = 314
replicates = 3
weeks = 5
scenarios = ["baseline", "arms_now"]
record = {record}
chunk_size = {chunk}
[design]
sampler = "latin"
samples = 4
[design.parameters]
russia_risk_attitude = {{min = -0.2, max = 0.6}}
misperception = {{min = 0.0, max = 0.4}}
"""


def experiment_file(tmp_path: Path, record='["model"]', chunk=5, name="exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(SWEEP.format(record=record, chunk=chunk))
    return path


def frames_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for table in a:
        left, right = a[table], b[table]
        if table == RUNS:
            left, right = left.drop(columns="wall_time"), right.drop(columns="wall_time")
        pd.testing.assert_frame_equal(left, right)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The small sweep run serially: the reference every other way of running must match."""
    root = tmp_path_factory.mktemp("reference")
    experiment = load_experiment(experiment_file(root))
    run_experiment(experiment, root / "out", SerialExecutor())
    return experiment, load(root / "out")


@pytest.fixture(scope="module")
def dask_cluster():
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    yield cluster
    cluster.close()


def test_layout_schema_and_manifest(reference, tmp_path):
    experiment, tables = reference
    runs = tables["runs"]
    assert list(runs.columns) == [
        "run_id",
        "scenario",
        "sample",
        "replicate",
        "seed",
        "weeks",
        "russia_risk_attitude",
        "misperception",
        "status",
        "error",
        "wall_time",
        "package_version",
        "mesa_version",
        "python_version",
    ]
    assert runs["run_id"].tolist() == list(range(experiment.total_runs))
    assert (runs["status"] == "ok").all() and (runs["error"] == "").all()
    for column in ("run_id", "sample", "replicate", "seed", "weeks"):
        assert runs[column].dtype == "int64"
    model = tables["model"]
    assert list(model.columns[:2]) == ["run_id", "week"]
    assert len(model) == experiment.total_runs * (experiment.weeks + 1)
    assert not model.duplicated(["run_id", "week"]).any()


def test_manifest_records_the_design(tmp_path):
    path = tmp_path / "sobol.toml"
    path.write_text(
        'name = "s"\nseed = 1\nweeks = 3\n[design]\nsampler = "sobol"\nsamples = 2\n'
        "dummy = true\n[design.parameters]\narms_aid = {min = 0.0, max = 0.5}\n"
    )
    experiment = load_experiment(path)
    run_experiment(experiment, tmp_path / "out")
    manifest = load_manifest(tmp_path / "out")
    assert manifest["hash"] == experiment.digest
    assert manifest["design"]["problem"] == {
        "num_vars": 2,
        "names": ["arms_aid", "dummy"],
        "bounds": [[0.0, 0.5], [0.0, 1.0]],
    }
    assert manifest["design"]["second_order"] is True
    assert {"python", "mesa", "crisis-escalation"} <= manifest["versions"].keys()
    assert (tmp_path / "out" / "experiment.toml").read_text() == path.read_text()
    design = pd.read_parquet(tmp_path / "out" / "design.parquet")
    assert design.shape == (experiment.design.samples, 3)
    runs = load(tmp_path / "out")["runs"]
    assert "dummy" in runs.columns


def test_seed_reproduces_a_run_alone(reference):
    _, tables = reference
    runs, model = tables["runs"], tables["model"]
    for run in runs.iloc[[0, 17, len(runs) - 1]].itertuples():
        replay = EscalationModel(
            run.scenario,
            rng=run.seed,
            weeks=run.weeks,
            russia_risk_attitude=run.russia_risk_attitude,
            misperception=run.misperception,
        ).run()
        expected = replay.history()["model"]
        stored = model[model["run_id"] == run.run_id].drop(columns="run_id")
        stored = stored.reset_index(drop=True)
        expected["date"] = expected["date"].astype(stored["date"].dtype)
        pd.testing.assert_frame_equal(stored, expected)


def test_chunk_tables_are_the_runs_histories(reference):
    """A chunk gathers its runs' columns and frames them once: the same rows as history()."""
    experiment, _ = reference
    task = make_task(experiment, 1)
    chunk = simulate_chunk(ChunkTask(**{**_fields(task), "record": ("model", "agents", "signals")}))
    model_only = simulate_chunk(task)
    pd.testing.assert_frame_equal(model_only.tables["model"], chunk.tables["model"])
    for run, row in zip(task.runs, task.rows, strict=True):
        params = dict(zip(task.names, row, strict=True))
        params.pop(DUMMY, None)
        replay = EscalationModel(
            task.specs[run.scenario], rng=run.seed, weeks=task.weeks, **params
        ).run()
        for name, expected in replay.history().items():
            table = chunk.tables[name]
            stored = table[table["run_id"] == run.run_id].drop(columns="run_id")
            assert len(stored) == len(expected) > 0
            pd.testing.assert_frame_equal(stored.reset_index(drop=True), expected)


def _fields(task):
    return {name: getattr(task, name) for name in task.__dataclass_fields__}


def test_local_processes_give_identical_results(reference, tmp_path):
    experiment, expected = reference
    executor = ProcessExecutor(workers=2)
    try:
        run_experiment(experiment, tmp_path / "out", executor)
    finally:
        executor.close()
    frames_equal(load(tmp_path / "out"), expected)


def test_dask_cluster_gives_identical_results(reference, dask_cluster, tmp_path):
    experiment, expected = reference
    executor = DaskExecutor(scheduler=dask_cluster.scheduler_address)
    try:
        run_experiment(experiment, tmp_path / "out", executor)
    finally:
        executor.close()
    frames_equal(load(tmp_path / "out"), expected)


def test_dask_local_cluster_on_demand(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('name = "one"\nseed = 3\nreplicates = 4\nweeks = 3\nchunk_size = 2\n')
    experiment = load_experiment(path)
    serial = tmp_path / "serial"
    run_experiment(experiment, serial)
    executor = DaskExecutor(workers=1)
    try:
        run_experiment(experiment, tmp_path / "dask", executor)
    finally:
        executor.close()
    frames_equal(load(tmp_path / "dask"), load(serial))


def test_a_local_cluster_that_cannot_start_says_why(tmp_path):
    """From a script read on standard input, Dask's workers cannot start: say so in a line."""
    script = (
        "from experiments.design import ExperimentError\n"
        "from experiments.executors import DaskExecutor\n"
        "try:\n"
        "    DaskExecutor(workers=1)\n"
        "except ExperimentError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == (
        "cannot start a Dask LocalCluster: its worker processes cannot start from a script "
        "read on standard input; save the script to a file and run that"
    )


def test_resume_after_partial_run_loses_and_duplicates_nothing(reference, tmp_path):
    experiment, expected = reference
    out = tmp_path / "out"
    run_experiment(experiment, out, chunks=[0, 2, 3])
    partial = load(out)
    assert sorted(set(partial["runs"]["run_id"])) == sorted(
        r.run_id for c in (0, 2, 3) for r in experiment.chunk_runs(c)
    )
    # a process killed after writing a table part but before the runs part
    (out / "model" / "part-00001.parquet").write_bytes(b"garbage, never read")
    (out / "runs" / ".part-00004.parquet.tmp").write_bytes(b"half written")
    seen = []
    final = run_experiment(experiment, out, progress=seen.append)
    assert final.resumed == len(partial["runs"]) and final.done == experiment.total_runs
    frames_equal(load(out), expected)
    assert not any(p.name.startswith(".") for p in (out / "runs").iterdir())


def test_resume_after_sigkill(tmp_path):
    # a longer run of the same kind, killed while it writes
    path = tmp_path / "long.toml"
    path.write_text(
        SWEEP.format(record='["model", "agents"]', chunk=3).replace(
            "replicates = 3", "replicates = 12"
        )
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cli.main", "experiment", str(path), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "runs").glob("part-*"))) < 5:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    long_experiment = load_experiment(path)
    before = load(out)["runs"]
    assert 0 < len(before) < long_experiment.total_runs
    subprocess.run(command, check=True, capture_output=True)
    resumed = load(out)
    clean = tmp_path / "clean"
    run_experiment(long_experiment, clean)
    frames_equal(resumed, load(clean))
    assert resumed["runs"]["run_id"].is_unique


def failing_on(bad_seed: int):
    """The ensemble engine, except that a block holding the run with ``bad_seed`` raises."""

    def fragile(specs, seeds, weeks=None, **options):
        if bad_seed in list(seeds):
            raise RuntimeError("deliberate failure")
        return simulate(specs, seeds, weeks, **options)

    return fragile


def test_a_failing_run_is_recorded_and_the_others_complete(reference, tmp_path, monkeypatch):
    experiment, expected = reference
    bad_seed = int(expected["runs"]["seed"].iloc[7])

    monkeypatch.setattr("experiments.chunks.simulate", failing_on(bad_seed))
    final = run_experiment(experiment, tmp_path / "out")
    assert final.failures == 1
    tables = load(tmp_path / "out")
    runs = tables["runs"]
    failed = runs[runs["status"] == "error"]
    assert failed["run_id"].tolist() == [7]
    assert failed["error"].iloc[0] == "RuntimeError: deliberate failure"
    assert 7 not in set(tables["model"]["run_id"])
    ok = expected["model"][expected["model"]["run_id"] != 7].reset_index(drop=True)
    pd.testing.assert_frame_equal(tables["model"], ok)


def die_in_chunk_two(task):
    """Work function for the worker-death test: the worker running chunk 2 dies."""
    if task.chunk == 2:
        os._exit(1)
    return simulate_chunk(task)


def test_a_dead_worker_is_detected_and_its_runs_reported(reference, tmp_path):
    experiment, expected = reference
    executor = ProcessExecutor(workers=2)
    try:
        final = run_experiment(experiment, tmp_path / "out", executor, work=die_in_chunk_two)
    finally:
        executor.close()
    dead = {r.run_id for r in experiment.chunk_runs(2)}
    runs = load(tmp_path / "out")["runs"]
    assert runs["run_id"].tolist() == list(range(experiment.total_runs))
    assert set(runs.loc[runs["status"] == "error", "run_id"]) == dead
    assert (runs.loc[runs["status"] == "error", "error"] == WORKER_DIED).all()
    assert final.failures == len(dead)
    model = load(tmp_path / "out")["model"]
    ok = expected["model"][~expected["model"]["run_id"].isin(dead)].reset_index(drop=True)
    pd.testing.assert_frame_equal(model, ok)


def test_a_directory_of_another_experiment_is_refused(reference, tmp_path):
    experiment, _ = reference
    run_experiment(experiment, tmp_path / "out", chunks=[0])
    other = load_experiment(experiment_file(tmp_path, chunk=4, name="other.toml"))
    with pytest.raises(ExperimentError, match="holds results of experiment 'small-sweep'"):
        ResultStore.open(tmp_path / "out", other)
    (tmp_path / "stranger").mkdir()
    (tmp_path / "stranger" / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="not empty"):
        ResultStore.open(tmp_path / "stranger", experiment)


def test_loader_round_trip_and_csv_export(reference, tmp_path):
    experiment, expected = reference
    run_experiment(experiment, tmp_path / "out")
    tables = load(tmp_path / "out")
    frames_equal(tables, expected)
    written = export_csv(tmp_path / "out", tmp_path / "csv")
    assert {p.name for p in written} == {"runs.csv", "model.csv", "columns.json", "manifest.json"}
    units = json.loads((tmp_path / "csv" / "columns.json").read_text())
    assert units["model"]["eu_gas_storage"]["unit"] and units["runs"]["seed"]["meaning"]
    runs = pd.read_csv(tmp_path / "csv" / "runs.csv", keep_default_na=False)
    assert runs["seed"].tolist() == expected["runs"]["seed"].tolist()
    assert not list(Path(tmp_path / "out").rglob("*.pkl"))


def test_a_retried_chunk_is_replaced_whole_or_not_at_all(reference, tmp_path, monkeypatch):
    # issue 17: a chunk with failed runs is run again on resume; a kill while its parts are
    # replaced leaves it incomplete (rerun next time), never old runs with new tables
    experiment, expected = reference
    out = tmp_path / "out"
    bad_seed = int(expected["runs"]["seed"].iloc[7])
    monkeypatch.setattr("experiments.chunks.simulate", failing_on(bad_seed))
    run_experiment(experiment, out)
    monkeypatch.setattr("experiments.chunks.simulate", simulate)
    chunk = 7 // experiment.chunk_size
    store = ResultStore.open(out, experiment)
    assert store.failed_runs() == {chunk: 1}
    untouched = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}

    import experiments.store as store_module

    real_write = store_module._write_parquet

    def killed_before_runs_part(frame, path, table):
        if path.parent.name == RUNS:
            raise KeyboardInterrupt
        real_write(frame, path, table)

    monkeypatch.setattr(store_module, "_write_parquet", killed_before_runs_part)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(experiment, out)
    monkeypatch.setattr(store_module, "_write_parquet", real_write)
    assert chunk not in ResultStore.open(out, experiment).completed_chunks()
    assert 7 not in set(load(out)["model"]["run_id"])  # the new table part is not read
    final = run_experiment(experiment, out, retry=False)  # the incomplete chunk is run anyway
    assert final.done - final.resumed == len(experiment.chunk_runs(chunk))
    frames_equal(load(out), expected)
    for name, mtime in untouched.items():
        if name != f"part-{chunk:05d}.parquet":
            assert (out / "runs" / name).stat().st_mtime_ns == mtime


def test_the_rate_leaves_out_the_first_chunks_start_up():
    """A first chunk that compiled the engine (30 s for 100 runs, then 1 s per 100 runs) must
    not make the estimate of what is left thirty times too long."""
    first = Progress(1_000, 100, 0, 0, 30.0, first_done=100, first_elapsed=30.0)
    assert first.rate == pytest.approx(100 / 30)  # nothing steady yet: all it has
    assert first.remaining is None  # so no estimate of what is left, rather than a wild one
    later = Progress(1_000, 300, 0, 0, 32.0, first_done=100, first_elapsed=30.0)
    assert later.rate == pytest.approx(100.0)
    assert later.remaining == pytest.approx(7.0)
    resumed = Progress(1_000, 600, 500, 0, 2.0)  # no first chunk recorded: runs of this call
    assert resumed.rate == pytest.approx(50.0)


def test_the_runner_reports_its_first_chunk(reference, tmp_path):
    experiment, _ = reference
    seen = []
    run_experiment(experiment, tmp_path / "out", progress=seen.append)
    after_first = seen[1]
    assert after_first.first_done == after_first.done > 0
    assert all(s.first_done == after_first.first_done for s in seen[1:])
    assert all(0 < s.first_elapsed <= s.elapsed for s in seen[1:])
