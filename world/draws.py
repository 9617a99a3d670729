"""Random numbers keyed by what they are for: common random numbers across runs.

Every draw of a run is a function of (the run's key, the week, its purpose, its slot): an
actor's choice on a track in week 9 gets the same uniform whatever any other actor did before
it, and a signal's misperception depends on who sent what to whom that week, not on how many
signals went out before it. Two runs that differ in one parameter therefore differ only where
that parameter's consequences reach (common random numbers, Law 2015 ch. 11): the paired
comparisons of the ablation registry and of sensitivity analysis see effects, not reshuffled
noise. A batch engine can also reproduce any run's draws without replaying it.

Philox (Salmon et al. 2011) is counter-based: the week and the purpose are its counter, the
run's key is its key. A week's draws for one purpose come as one block, indexed by slot.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Purpose(IntEnum):
    """What a block of draws is for; each purpose has its own counter, so its own stream."""

    CHOICE = 0  # one uniform per (actor, track): the logit choice
    PERCEPTION = 1  # one standard normal per (sender, receiver, kind): misperception
    BRINKMANSHIP = 2  # one uniform a week: an unintended step up the ladder
    INTELLIGENCE = 3  # Russia's error in judging Ukraine's strength, drawn at week 0
    ORDER = 4  # one uniform per actor a week: the order in which the actors act


def run_key(seed_source: np.random.Generator) -> tuple[int, int]:
    """A run's Philox key (two 64-bit words), drawn once from the run's own generator."""
    words = seed_source.integers(0, 2**64, size=2, dtype=np.uint64)
    return int(words[0]), int(words[1])


def _generator(key: tuple[int, int], week: int, purpose: Purpose) -> np.random.Generator:
    counter = np.array([week, int(purpose), 0, 0], dtype=np.uint64)
    return np.random.Generator(
        np.random.Philox(key=np.array(key, dtype=np.uint64), counter=counter)
    )


def uniforms(key: tuple[int, int], week: int, purpose: Purpose, size: int) -> list[float]:
    """The ``size`` uniforms on [0, 1) of (key, week, purpose), slot by slot."""
    return _generator(key, week, purpose).random(size).tolist()


def activation_order(key: tuple[int, int], week: int, size: int) -> list[int]:
    """The week's order of the ``size`` actor slots: a uniform permutation (the slots ranked
    by their uniforms), keyed like every other draw, so that a batch engine holding a run as
    one replicate among many reproduces it without Mesa's shared ``random.Random``."""
    return np.argsort(_generator(key, week, Purpose.ORDER).random(size), kind="stable").tolist()


def normals(key: tuple[int, int], week: int, purpose: Purpose, size: int) -> np.ndarray:
    """The ``size`` standard normals of (key, week, purpose), slot by slot (an array: a
    caller usually needs a few slots of a large block)."""
    return _generator(key, week, purpose).standard_normal(size)
