"""Experiment files: validation on load, deterministic designs and seeds in SALib order."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.sample import latin, morris, sobol

from experiments.design import (
    CHUNK_MULTIPLE,
    CHUNK_WEEKS,
    MAX_CHUNK_WEEKS,
    ExperimentError,
    default_chunk_size,
    load_experiment,
    run_seed,
    shipped,
)
from experiments.design_space import DUMMY
from world.errors import EscalationError


def write(tmp_path, body: str, name: str = "exp.toml"):
    path = tmp_path / name
    path.write_text(body)
    return path


HEAD = 'name = "t"\nseed = 5\nreplicates = 2\nweeks = 4\n'


@pytest.mark.parametrize("name", sorted(shipped()))
def test_shipped_experiments_load(name):
    experiment = load_experiment(name)
    assert experiment.total_runs >= 1
    assert experiment.record


def test_compare_scenarios_covers_every_built_in_scenario():
    from model import list_scenarios

    experiment = load_experiment("compare_scenarios")
    assert sorted(experiment.scenarios) == sorted(list_scenarios())
    assert experiment.replicates >= 1000 and experiment.weeks == 26
    assert experiment.record == ("model",)


def test_run_ids_enumerate_scenario_sample_replicate(tmp_path):
    path = write(
        tmp_path,
        HEAD + 'scenarios = ["baseline", "arms_now"]\n[design]\nsampler = "grid"\n'
        "[design.parameters]\nmisperception = [0.1, 0.2, 0.3]\n",
    )
    experiment = load_experiment(path)
    runs = list(experiment.runs())
    assert len(runs) == experiment.total_runs == 2 * 3 * 2
    assert [r.run_id for r in runs] == list(range(12))
    assert [(r.scenario, r.sample, r.replicate) for r in runs[:4]] == [
        (0, 0, 0),
        (0, 0, 1),
        (0, 1, 0),
        (0, 1, 1),
    ]
    assert runs[-1].scenario == 1 and runs[-1].sample == 2
    chunks = [r for c in range(experiment.chunks) for r in experiment.chunk_runs(c)]
    assert chunks == runs


@pytest.mark.parametrize(
    ("total", "weeks"),
    [(30000, 26), (80000, 26), (200000, 26), (50000, 52), (40000, 104), (500000, 26)],
)
def test_default_chunks_are_long_and_come_in_multiples_of_eight(total, weeks):
    size = default_chunk_size(total, weeks)
    chunks = -(-total // size)
    # Every worker count dividing 8 gets as many chunks, up to the rounding of the chunk size
    # (a few chunks in hundreds).
    assert abs(chunks - CHUNK_MULTIPLE * round(chunks / CHUNK_MULTIPLE)) <= max(1, chunks // 100)
    # Each chunk about CHUNK_WEEKS simulated weeks, never more than the memory bound.
    assert CHUNK_WEEKS / 2 <= size * weeks <= min(1.5 * CHUNK_WEEKS + weeks, MAX_CHUNK_WEEKS)


@pytest.mark.parametrize(
    ("total", "weeks"), [(1, 26), (5, 3), (100, 26), (9000, 26), (1, 150_000), (3, 200_000)]
)
def test_small_experiments_are_spread_over_up_to_eight_chunks(total, weeks):
    size = default_chunk_size(total, weeks)
    assert size >= 1
    assert -(-total // size) == min(total, CHUNK_MULTIPLE)
    assert size * weeks <= max(MAX_CHUNK_WEEKS, weeks)


def test_an_experiment_files_chunk_size_overrides_the_default(tmp_path):
    experiment = load_experiment(write(tmp_path, HEAD + "chunk_size = 3\n"))
    assert experiment.chunk_size == 3
    assert load_experiment(write(tmp_path, HEAD, "b.toml")).chunk_size == default_chunk_size(2, 4)


def test_run_seeds_are_spawned_children_of_the_experiment_seed():
    children = np.random.SeedSequence(99).spawn(5)
    for run_id, child in enumerate(children):
        expected = int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
        assert run_seed(99, run_id) == expected
        assert 0 <= expected < 2**63
    assert len({run_seed(99, i) for i in range(1000)}) == 1000


def test_grid_and_list_designs(tmp_path):
    grid = load_experiment(
        write(
            tmp_path,
            HEAD + '[design]\nsampler = "grid"\n[design.parameters]\n'
            "misperception = [0.1, 0.2]\nfreeze_deal = [false, true]\n",
        )
    )
    assert grid.design.names == ("misperception", "freeze_deal")
    assert grid.design.matrix == ((0.1, False), (0.1, True), (0.2, False), (0.2, True))
    listed = load_experiment(
        write(
            tmp_path,
            HEAD + '[design]\nsampler = "list"\n'
            "[[design.sets]]\nrussia_risk_attitude = 0.3\ntier_for_incursion = 1\n"
            "[[design.sets]]\ntier_for_incursion = 3\nrussia_risk_attitude = 0.1\n",
            "list.toml",
        )
    )
    assert listed.design.parameters(1) == {"russia_risk_attitude": 0.1, "tier_for_incursion": 3}


def problem(names, bounds):
    return {"num_vars": len(names), "names": names, "bounds": bounds}


RANGES = (
    "[design.parameters]\nrussia_risk_attitude = {min = 0.2, max = 0.6}\n"
    "misperception = {min = 0.0, max = 0.4}\n"
)


def test_salib_designs_keep_salib_order_and_add_the_dummy(tmp_path):
    names = ["russia_risk_attitude", "misperception"]
    bounds = [[0.2, 0.6], [0.0, 0.4]]
    lhs = load_experiment(
        write(tmp_path, HEAD + '[design]\nsampler = "latin"\nsamples = 10\n' + RANGES, "l.toml")
    )
    assert np.allclose(lhs.design.matrix, latin.sample(problem(names, bounds), 10, seed=5))

    sob = load_experiment(
        write(
            tmp_path,
            HEAD + '[design]\nsampler = "sobol"\nsamples = 8\ndummy = true\n' + RANGES,
            "s.toml",
        )
    )
    full = problem([*names, DUMMY], [*bounds, [0.0, 1.0]])
    assert sob.design.names == (*names, DUMMY)
    assert sob.design.settings["problem"] == full
    assert sob.design.samples == 8 * (2 * 3 + 2)
    assert np.allclose(sob.design.matrix, sobol.sample(full, 8, calc_second_order=True, seed=5))
    assert DUMMY not in sob.design.parameters(0)

    mor = load_experiment(
        write(
            tmp_path,
            HEAD + '[design]\nsampler = "morris"\nsamples = 4\ndummy = true\n' + RANGES,
            "m.toml",
        )
    )
    assert np.allclose(mor.design.matrix, morris.sample(full, 4, num_levels=4, seed=5))
    assert mor.design.settings["num_levels"] == 4


def test_whole_number_parameters_are_rounded_in_continuous_designs(tmp_path):
    experiment = load_experiment(
        write(
            tmp_path,
            HEAD + '[design]\nsampler = "latin"\nsamples = 6\n'
            "[design.parameters]\ntier_for_incursion = {min = 1, max = 5}\n",
        )
    )
    values = [row[0] for row in experiment.design.matrix]
    assert all(isinstance(v, int) and 1 <= v <= 5 for v in values)


def test_hash_ignores_layout_and_comments(tmp_path):
    a = load_experiment(write(tmp_path, HEAD + 'scenarios = ["baseline"]\n', "a.toml"))
    b = load_experiment(
        write(tmp_path, "# comment\n" + HEAD.replace(" = ", "=") + 'scenarios=["baseline"]\n')
    )
    c = load_experiment(write(tmp_path, HEAD.replace("seed = 5", "seed = 6"), "c.toml"))
    assert a.digest == b.digest != c.digest


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("seed = 1\nreplicates = 0\n", "replicates: must be at least 1"),
        ("seed = 1\nreplicates = -3\n", "replicates: must be at least 1"),
        ("replicates = 1\n", "missing required key 'seed'"),
        ('seed = 1\nscenarios = ["atlantis"]\n', "unknown scenario 'atlantis'"),
        ('seed = 1\nscenarios = ["nowhere.toml"]\n', "no such scenario file"),
        ('seed = 1\nrecord = ["weather"]\n', "unknown table 'weather'"),
        ("seed = 1\nreplicate = 3\n", "unknown key 'replicate'"),
        ("seed = [\n", "not valid TOML"),
        (
            'seed = 1\n[design]\nsampler = "latin"\n[design.parameters]\n'
            "russia_risk_attitude = {min = 0.6, max = 0.2}\n",
            "min (0.6) must be below max (0.2)",
        ),
        (
            'seed = 1\n[design]\nsampler = "latin"\n[design.parameters]\n'
            "russia_risk_attitude = {min = 0.2, max = 1.6}\n",
            "design.parameters.russia_risk_attitude: 1.6 is out of range; allowed -1.0 to 1.0",
        ),
        (
            'seed = 1\n[design]\nsampler = "grid"\n[design.parameters]\nrussia_mood = [1, 2]\n',
            "'russia_mood': unknown parameter",
        ),
        (
            'seed = 1\n[design]\nsampler = "sobol"\nsamples = 10\n' + RANGES,
            "sobol needs a power of 2",
        ),
        ('seed = 1\n[design]\nsampler = "latin"\ndummy = true\n' + RANGES, "sobol and morris"),
        ('seed = 1\n[design]\nsampler = "fancy"\n', "unknown sampler 'fancy'"),
        (
            'seed = 1\n[design]\nsampler = "list"\n[[design.sets]]\narms_aid = 0.1\n'
            "[[design.sets]]\nmisperception = 0.1\n",
            "every set must give the same parameters",
        ),
    ],
)
def test_invalid_files_raise_one_message_naming_file_and_field(tmp_path, body, needle):
    path = write(tmp_path, body)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    message = str(caught.value)
    assert str(path) in message and needle in message
    assert "\n" not in message
    assert isinstance(caught.value, EscalationError)  # one line, exit 2


def test_unknown_shipped_name():
    with pytest.raises(ExperimentError, match=r"unknown experiment 'nope'.*compare_scenarios"):
        load_experiment("nope")


def test_scenario_paths_are_relative_to_the_experiment_file(tmp_path):
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "calm.toml").write_text('name = "calm"\n[world]\nmisperception = 0.0\n')
    experiment = load_experiment(
        write(tmp_path, HEAD + 'scenarios = ["sc/calm.toml", "baseline"]\n')
    )
    assert experiment.scenario_specs[0].world.misperception == 0.0
    assert experiment.scenarios == ("sc/calm.toml", "baseline")


HORIZONS = """
name = "horizons"
seed = 3
replicates = 2
weeks = 3
scenarios = ["baseline"]
[design]
sampler = "list"
[[design.sets]]
weeks = 4
[[design.sets]]
weeks = 6
"""


def test_a_design_may_vary_the_horizon(tmp_path):
    # issue 17: weeks in [[design.sets]] passed validation, then every run failed (TypeError)
    from experiments import load
    from experiments.runner import run_experiment

    path = tmp_path / "horizons.toml"
    path.write_text(HORIZONS)
    final = run_experiment(load_experiment(path), tmp_path / "out")
    tables = load(tmp_path / "out")
    runs = tables["runs"]
    assert final.failures == 0 and (runs["status"] == "ok").all()
    assert runs["weeks"].tolist() == [4, 4, 6, 6]
    last = tables["model"].groupby("run_id")["week"].max()
    assert last.tolist() == [4, 4, 6, 6]
    path.write_text(HORIZONS.replace("weeks = 6", "weeks = 6.5"))
    with pytest.raises(ExperimentError, match=r"sets\[1\].weeks: expected a whole number"):
        load_experiment(path)


def test_every_design_point_is_built_before_any_run(tmp_path, monkeypatch):
    # A point whose values pass one by one but not together is refused when the file is read.
    from world.scenario import ScenarioError, ScenarioSpec

    built = []
    original = ScenarioSpec.with_overrides

    def strict(self, overrides, origin="override"):
        built.append(dict(overrides))
        if overrides.get("arms_aid") == 0.9 and overrides.get("russia_risk_attitude") == 0.5:
            raise ScenarioError(f"{origin}: arms_aid 0.9 needs a lower risk attitude")
        return original(self, overrides, origin)

    monkeypatch.setattr(ScenarioSpec, "with_overrides", strict)
    path = tmp_path / "grid.toml"
    path.write_text(
        'seed = 1\nweeks = 7\n[design]\nsampler = "grid"\n[design.parameters]\n'
        "arms_aid = [0.1, 0.9]\nrussia_risk_attitude = [0.0, 0.5]\n"
    )
    with pytest.raises(ExperimentError, match=r"design point 3 \(arms_aid = 0.9, russia_risk"):
        load_experiment(path)
    assert {"weeks": 7, "arms_aid": 0.1, "russia_risk_attitude": 0.0} in built


def test_command_line_keys_replace_the_files(tmp_path):
    path = tmp_path / "horizons.toml"
    path.write_text(HORIZONS)
    plain = load_experiment(path)
    same = load_experiment(path, replicates=2, scenarios=["baseline"], seed=3)
    assert same.digest == plain.digest and same.overrides == {}
    more = load_experiment(path, replicates=5, scenarios=["baseline", "arms_now"], seed=4)
    assert (more.replicates, more.scenarios, more.seed) == (5, ("baseline", "arms_now"), 4)
    assert more.overrides == {"replicates": 5, "scenarios": ["baseline", "arms_now"], "seed": 4}
    assert load_experiment(path, replicates=9).identity == plain.identity
    with pytest.raises(ExperimentError, match="unknown scenario 'atlantis'"):
        load_experiment(path, scenarios=["atlantis"])
