"""The ensemble engine is the Mesa model: each replicate is its seed's Mesa run, table for table.

Exact equality (not closeness) holds because the engine calls the compiled rules the agents
call and repeats their arithmetic in the same order; any drift between the two is a failure.
"""

from __future__ import annotations

import dataclasses

import numba
import numpy as np
import pandas as pd
import pytest

from ensemble import simulate
from ensemble.tables import columns, history
from model import EscalationModel
from world.scenario import list_scenarios, load_scenario

SEEDS = range(0, 75, 3)  # 25 seeds per scenario


@pytest.mark.parametrize("scenario", sorted(list_scenarios()))
def test_every_replicate_is_its_seeds_mesa_run_table_for_table(scenario):
    spec = load_scenario(scenario)
    block = simulate(spec, list(SEEDS), signals=True)
    for k, seed in enumerate(SEEDS):
        expected = EscalationModel(spec, rng=seed).run().history()
        found = history(block, k)
        for table in ("model", "agents", "signals"):
            pd.testing.assert_frame_equal(found[table], expected[table], check_exact=True)


def test_a_changed_parameter_is_a_changed_run():
    """The check above can fail: a replicate of one design point is not another's run."""
    spec = load_scenario("baseline")
    block = simulate(spec, [4])
    other = EscalationModel("baseline", rng=4, holding_cost=0.05).run().history()
    assert not history(block, 0)["model"].equals(other["model"])


def test_a_replicate_does_not_depend_on_its_batch():
    spec = load_scenario("closing_window")
    seeds = [11, 5, 902, 3, 77]
    batch = simulate(spec, seeds)
    for k, seed in enumerate(seeds):
        alone = simulate(spec, [seed])
        assert np.array_equal(batch.model[k], alone.model[0])
        assert np.array_equal(batch.agent_numbers[k], alone.agent_numbers[0])
        assert np.array_equal(batch.agent_codes[k], alone.agent_codes[0])


def test_design_points_share_a_block_and_keep_their_own_parameters():
    low = load_scenario("baseline", holding_cost=0.01, united_states_resolve=0.3)
    high = load_scenario("baseline", holding_cost=0.04, united_states_resolve=0.9)
    seeds = [1, 2, 3, 4]
    mixed = simulate([low, high], seeds, point_of=[0, 1, 1, 0])
    for k, (spec, seed) in enumerate(zip([low, high, high, low], seeds, strict=True)):
        expected = EscalationModel(spec, rng=seed).run().history()
        pd.testing.assert_frame_equal(history(mixed, k)["agents"], expected["agents"])


def test_the_same_results_on_one_thread_or_all():
    spec = load_scenario("arms_now")
    seeds = list(range(40))
    everyone = simulate(spec, seeds)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = simulate(spec, seeds)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(everyone.model, one.model)
    assert np.array_equal(everyone.agent_codes, one.agent_codes)


def test_block_columns_lead_every_row_with_its_replicate():
    spec = load_scenario("baseline")
    block = simulate(spec, [7, 8, 9], weeks=4)
    found = columns(block, tables=("model", "agents"))
    assert list(found["model"]["replicate"]) == [0] * 5 + [1] * 5 + [2] * 5
    assert len(found["agents"]["actor"]) == 3 * 5 * len(spec.actors)
    assert set(found["agents"]["action"][: len(spec.actors)]) == {"none"}  # week 0


def test_bad_blocks_are_refused():
    baseline = load_scenario("baseline")
    smaller = dataclasses.replace(
        baseline, actors=tuple(a for a in baseline.actors if a.name != "Poland")
    )
    with pytest.raises(ValueError, match="same actors"):
        simulate([baseline, smaller], [1, 2], point_of=[0, 1])
    with pytest.raises(ValueError, match="point_of"):
        simulate([baseline, baseline], [1, 2])
