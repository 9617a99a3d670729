"""The keyed draws: numpy's Philox stream bit for bit, at any slot, and exact normals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import ndtri

from world import draws
from world.compiled import compiled


def numpy_philox(key, week: int, purpose: int, size: int) -> np.ndarray:
    counter = np.array([0, week, purpose, 0], dtype=np.uint64)
    bits = np.random.Philox(key=np.array(key, dtype=np.uint64), counter=counter)
    return np.random.Generator(bits).random(size)


@pytest.mark.parametrize("case", range(40))
def test_uniforms_are_numpys_philox_stream_bit_for_bit(case):
    rng = np.random.default_rng(case)
    key = tuple(int(w) for w in rng.integers(0, 2**64, size=2, dtype=np.uint64))
    week, purpose = int(rng.integers(0, 400)), int(rng.integers(0, 5))
    size = int(rng.integers(1, 3500))
    expected = numpy_philox(key, week, purpose, size)
    assert np.array_equal(draws.uniforms(key, week, draws.Purpose(purpose), size), expected)
    # Any slot on its own, as the ensemble engine draws it (compiled), and the week's block.
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    draw_uniform = compiled(draws.draw_uniform)
    for slot in rng.integers(0, size, 20):
        assert draw_uniform(k0, k1, week, purpose, int(slot)) == expected[slot]
    block = np.empty(size)
    compiled(draws.fill_uniforms)(k0, k1, week, purpose, block)
    assert np.array_equal(block, expected)


def test_no_two_weeks_or_purposes_share_a_draw():
    # The slot, not the week, runs in the counter word NumPy increments: a week's block is not
    # the week before's shifted by four slots (as it was until 2026-12-07).
    key = (3, 4)
    size = 4000  # the perception block's slots: (sender, receiver, kind)
    seen: set[float] = set()
    for week in range(6):
        for purpose in draws.Purpose:
            block = draws.uniforms(key, week, purpose, size)
            assert not seen & set(block), (week, purpose)
            seen |= set(block)
    assert len(seen) == 6 * len(draws.Purpose) * size


def test_a_slot_far_out_is_numpys_word():
    key = (3, 4)
    expected = numpy_philox(key, 7, 1, 20_000)
    k0, k1 = np.uint64(3), np.uint64(4)
    got = [compiled(draws.draw_uniform)(k0, k1, 7, 1, slot) for slot in range(19_990, 20_000)]
    assert np.array_equal(got, expected[19_990:])


def test_a_key_of_python_ints_draws_as_its_unsigned_words():
    key = (2**64 - 1, 2**63 + 5)
    words = (np.uint64(key[0]), np.uint64(key[1]))
    assert draws.uniforms(key, 3, draws.Purpose.CHOICE, 9) == draws.uniforms(
        words, 3, draws.Purpose.CHOICE, 9
    )


def test_the_normal_quantile_is_exact_to_double_precision():
    p = np.concatenate(
        [
            np.linspace(1e-6, 1 - 1e-6, 20001),
            np.logspace(-300, -1, 400),
            1 - np.logspace(-16, -1, 200),
        ]
    )
    got = np.array([draws.normal_quantile(x) for x in p])
    expected = ndtri(p)
    assert np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)) < 1e-13
    assert draws.normal_quantile(0.5) == 0.0
    # One run computes it as Python, the engine compiled: the same bits.
    quantile = compiled(draws.normal_quantile)
    assert all(quantile(x) == value for x, value in zip(p, got, strict=True))


def test_normals_are_standard_normal_and_belong_to_their_slots():
    key = (99, 7)
    slots = np.arange(20000)
    values = np.array(draws.normals(key, 5, draws.Purpose.PERCEPTION, slots))
    assert stats.kstest(values, "norm").pvalue > 0.001
    assert abs(values.mean()) < 0.03 and abs(values.std() - 1.0) < 0.02
    picked = np.array([17, 3, 19999, 3])
    assert np.array_equal(draws.normals(key, 5, draws.Purpose.PERCEPTION, picked), values[picked])
    # The same word, read as a uniform and as a normal: the normal is its quantile.
    uniform = numpy_philox(key, 5, int(draws.Purpose.PERCEPTION), 18)[17]
    assert abs(values[17] - ndtri(uniform + 2.0**-54)) < 1e-12
    # The engine draws any slot on its own, compiled: the same normals.
    draw_normal = compiled(draws.draw_normal)
    words = (np.uint64(key[0]), np.uint64(key[1]))
    assert [draw_normal(*words, 5, 1, int(i)) for i in picked] == list(values[picked])


def test_a_runs_normals_are_the_rules_quantiles_bit_for_bit():
    """One run computes a week's normals over an array; each is the rule's quantile of its
    word, as the engine computes it on its own."""
    key = (2024, 2)
    slots = np.arange(5000)
    values = draws.normals(key, 9, draws.Purpose.PERCEPTION, slots)
    uniforms = numpy_philox(key, 9, int(draws.Purpose.PERCEPTION), 5000)
    tops = uniforms * 2.0**53  # the words' top 53 bits, exactly
    assert values == [draws.normal_quantile((t + 0.5) * 2.0**-53) for t in tops]
    assert sum(abs(v) > 1.3 for v in values) > 500  # both tails are in it


def test_threads_drawing_at_once_get_their_own_blocks():
    # One kept generator per thread: a server's or Dask worker's threads never share one.
    from concurrent.futures import ThreadPoolExecutor

    keys = [(k, k + 1) for k in range(64)]
    alone = [draws.uniforms(key, 5, draws.Purpose.CHOICE, 300) for key in keys]
    with ThreadPoolExecutor(4) as pool:
        together = list(
            pool.map(lambda key: draws.uniforms(key, 5, draws.Purpose.CHOICE, 300), keys)
        )
    assert together == alone
