"""A replicate stepped from Python, one phase at a time, is the engine's replicate of its seed.

The single run (`process.replicate.Replicate`) and the ensemble engine (`ensemble.simulate`)
call the same compiled week: the one phase by phase from Python, the other whole weeks inside
a compiled loop. Exact equality of every recorded number is the claim.
"""

from __future__ import annotations

import numpy as np
import pytest

from ensemble import simulate
from ensemble.driver import run_key_words
from process.layout import Capacity
from process.replicate import Replicate
from world.scenario import list_scenarios, load_scenario

SEEDS = (0, 7, 31, 404)


def stepped(spec, seed):
    """A run the long way: every phase called from Python, recorded every week."""
    replicate = Replicate(spec, run_key_words(seed))
    rows = [replicate.record()]
    weeks = []
    while replicate.week < replicate.weeks:
        order = replicate.open_week()
        assert sorted(order.tolist()) == list(range(len(spec.actors)))
        for slot in order:
            replicate.take_turn(int(slot))
        replicate.close_week()
        weeks.append(replicate.week)
        rows.append(replicate.record())
    assert weeks == list(range(1, replicate.weeks + 1))
    model, numbers, codes = (np.stack(part) for part in zip(*rows, strict=True))
    return model, numbers, codes, replicate.signal_log()


@pytest.mark.parametrize("scenario", sorted(list_scenarios()))
def test_a_replicate_stepped_from_python_is_the_engines(scenario):
    spec = load_scenario(scenario)
    block = simulate(spec, list(SEEDS), signals=True)
    for k, seed in enumerate(SEEDS):
        model, numbers, codes, log = stepped(spec, seed)
        assert np.array_equal(model, block.model[k], equal_nan=True)
        assert np.array_equal(numbers, block.agent_numbers[k], equal_nan=True)
        assert np.array_equal(codes, block.agent_codes[k])
        assert np.array_equal(log, block.signals[k][: block.signal_counts[k]])


def test_whole_weeks_are_the_phases_strung_together():
    spec = load_scenario("closing_window")
    replicate = Replicate(spec, run_key_words(5))
    for _ in range(replicate.weeks):
        replicate.advance()
    model, *_ = stepped(spec, 5)
    assert np.array_equal(replicate.record()[0], model[-1], equal_nan=True)


def test_another_seed_is_another_run():
    """The checks above can fail: two seeds give two different runs."""
    spec = load_scenario("baseline")
    first, *_ = stepped(spec, 1)
    second, *_ = stepped(spec, 2)
    assert not np.array_equal(first, second, equal_nan=True)


def test_a_replicate_that_outgrows_its_arrays_grows_them_and_is_the_same_run():
    """A busy run in little room (a week's post, the log) is replayed in twice the room, as
    often as it takes: the same run as in ample room, table for table."""
    spec = load_scenario("arms_now")
    small = Replicate(spec, run_key_words(3), room=Capacity(post=2, pipeline=2, log=2))
    ample = Replicate(spec, run_key_words(3), room=Capacity(post=4096, pipeline=4096, log=8192))
    for _ in range(spec.world.weeks):
        small.advance()
        ample.advance()
        for ours, theirs in zip(small.record(), ample.record(), strict=True):
            assert np.array_equal(ours, theirs, equal_nan=True)
    assert small.room.post > 2 and small.room.log > 2  # it did grow
    assert np.array_equal(small.signal_log(), ample.signal_log())


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # Philox wraps on purpose
@pytest.mark.parametrize(("scenario", "seed"), [("baseline", 3), ("divided_west", 8)])
def test_the_week_run_as_python_is_the_compiled_week(scenario, seed):
    """Every rule is one Python function, compiled for the runs: run as it stands (as a test
    or a reader checking a step by hand runs it) it gives the same numbers, bit for bit."""
    from process import week

    spec = load_scenario(scenario, misperception=0.3)
    compiled = Replicate(spec, run_key_words(seed))
    st, pt = compiled.structure, compiled.point
    by_hand = type(compiled.state)(*(part.copy() for part in compiled.state))
    for _ in range(6):
        compiled.advance()
        week.advance(st, pt, by_hand)
        for name, ours, theirs in zip(by_hand._fields, by_hand, compiled.state, strict=True):
            assert np.array_equal(ours, theirs, equal_nan=True), name


def test_a_run_stepped_past_its_horizon_is_the_longer_run():
    """The browser and the tests may step a run on past its horizon: the weeks after it are
    those of a run with a longer horizon, not numbers read from past the end of an array."""
    spec = load_scenario("baseline")
    short = Replicate(spec, run_key_words(7), weeks=10)
    long = Replicate(spec, run_key_words(7), weeks=30)
    for _ in range(30):
        short.advance()
        long.advance()
        for ours, theirs in zip(short.record(), long.record(), strict=True):
            assert np.array_equal(ours, theirs, equal_nan=True), short.week
    assert short.weeks >= 30
    assert np.array_equal(short.signal_log(), long.signal_log())
