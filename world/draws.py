"""Random numbers keyed by what they are for: common random numbers across runs.

Every draw of a run is a function of (the run's key, the week, its purpose, its slot): an
actor's choice on a track in week 9 gets the same uniform whatever any other actor did before
it, and a signal's misperception depends on who sent what to whom that week, not on how many
signals went out before it. Two runs that differ in one parameter therefore differ only where
that parameter's consequences reach (common random numbers, Law 2015 ch. 11): the paired
comparisons of the ablation registry and of sensitivity analysis see effects, not reshuffled
noise. The ensemble engine computes any run's draws without replaying it.

Philox4x64-10 (Salmon et al. 2011) is counter-based: the run's key is its key, and slot ``i``
of the (week, purpose) block is word ``i mod 4`` of the block at counter ``(i div 4 + 1, week,
purpose, 0)``: the stream of ``numpy.random.Philox(key, counter=(0, week, purpose, 0))``. The
slot runs in the counter's first word, the one NumPy increments, and the week and purpose sit
in words of their own, so no two (week, purpose) blocks share a word however many slots they
hold. (Until 2026-12-07 the week sat in the first word, so week w + 1's block was week w's
shifted by four slots: consecutive weeks' draws were the same numbers given to other actors.)
One run draws it through NumPy; the ensemble engine computes any slot on its own with
the rules below (``draw_word``), bit for bit the same words. A uniform is the word's top 53 bits
times 2^-53; a standard normal is the inverse normal distribution function (Wichura 1988,
AS 241) of the word's top 53 bits taken at the middle of their interval, so never 0 or 1: one
word per normal, at any slot.
"""

from __future__ import annotations

import math
import threading
from enum import IntEnum

import numpy as np

from world.compiled import rule


class Purpose(IntEnum):
    """What a block of draws is for; each purpose has its own counter, so its own stream."""

    CHOICE = 0  # one uniform per (actor, track): the logit choice
    PERCEPTION = 1  # one standard normal per (sender, receiver, kind): misperception
    BRINKMANSHIP = 2  # one uniform a week: an unintended step up the ladder
    INTELLIGENCE = 3  # Russia's error in judging Ukraine's strength, drawn at week 0
    ORDER = 4  # one uniform per actor a week: the order in which the actors act


Key = tuple[np.uint64, np.uint64]

# Philox4x64's multipliers and Weyl constants (Salmon et al. 2011, table 2).
_M0 = np.uint64(0xD2E7470EE14C6C93)
_M1 = np.uint64(0xCA5A826395121157)
_W0 = np.uint64(0x9E3779B97F4A7C15)
_W1 = np.uint64(0xBB67AE8584CAA73B)
_LOW32 = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
_11 = np.uint64(11)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_FOUR = np.uint64(4)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53


def run_key(seed_source: np.random.Generator) -> Key:
    """A run's Philox key (two 64-bit words), drawn once from the run's own generator."""
    words = seed_source.integers(0, 2**64, size=2, dtype=np.uint64)
    return words[0], words[1]


@rule
def _mulhilo(a, b):
    """The high and low 64 bits of a 128-bit product, from 32-bit halves."""
    a_lo, a_hi, b_lo, b_hi = a & _LOW32, a >> _32, b & _LOW32, b >> _32
    p0, p1, p2, p3 = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    middle = (p0 >> _32) + (p1 & _LOW32) + (p2 & _LOW32)
    return p3 + (p1 >> _32) + (p2 >> _32) + (middle >> _32), a * b


@rule
def _block(c0, c1, c2, k0, k1):
    """Ten Philox rounds on the counter (c0, c1, c2, 0): four random 64-bit words."""
    c3 = _ZERO
    for round_ in range(10):
        if round_ > 0:
            k0 = k0 + _W0
            k1 = k1 + _W1
        hi0, lo0 = _mulhilo(_M0, c0)
        hi1, lo1 = _mulhilo(_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


@rule
def draw_word(k0, k1, week, purpose, slot):
    """Slot ``slot``'s 64-bit word of (key, week, purpose)."""
    c0 = np.uint64(slot) // _FOUR + _ONE
    words = _block(c0, np.uint64(week), np.uint64(purpose), k0, k1)
    lane = slot % 4
    if lane == 0:
        return words[0]
    if lane == 1:
        return words[1]
    if lane == 2:
        return words[2]
    return words[3]


@rule
def draw_uniform(k0, k1, week, purpose, slot):
    """Slot ``slot``'s uniform on [0, 1) of (key, week, purpose)."""
    return float(draw_word(k0, k1, week, purpose, slot) >> _11) * _TO_UNIT


@rule
def draw_normal(k0, k1, week, purpose, slot):
    """Slot ``slot``'s standard normal of (key, week, purpose)."""
    top = float(draw_word(k0, k1, week, purpose, slot) >> _11)
    return normal_quantile((top + 0.5) * _TO_UNIT)


@rule
def fill_uniforms(k0, k1, week, purpose, out):
    """Slots 0 .. len(out) - 1 of (key, week, purpose), a block of four words at a time."""
    size = out.shape[0]
    c1, c2 = np.uint64(week), np.uint64(purpose)
    c0 = _ZERO
    i = 0
    while i < size:
        c0 = c0 + _ONE
        words = _block(c0, c1, c2, k0, k1)
        for lane in range(4):
            if i < size:
                out[i] = float(words[lane] >> _11) * _TO_UNIT
                i += 1


# AS 241's rational approximations (Wichura 1988), coefficients highest power first: the
# centre (|p - 0.5| <= 0.425), the near tail (r <= 5) and the far tail, numerator / denominator.
_CENTRE = (
    (
        2509.0809287301226727,
        33430.575583588128105,
        67265.770927008700853,
        45921.953931549871457,
        13731.693765509461125,
        1971.5909503065514427,
        133.14166789178437745,
        3.387132872796366608,
    ),
    (
        5226.495278852854561,
        28729.085735721942674,
        39307.89580009271061,
        21213.794301586595867,
        5394.1960214247511077,
        687.1870074920579083,
        42.313330701600911252,
        1.0,
    ),
)
_NEAR = (
    (
        7.7454501427834140764e-4,
        0.0227238449892691845833,
        0.24178072517745061177,
        1.27045825245236838258,
        3.64784832476320460504,
        5.7694972214606914055,
        4.6303378461565452959,
        1.42343711074968357734,
    ),
    (
        1.05075007164441684324e-9,
        5.475938084995344946e-4,
        0.0151986665636164571966,
        0.14810397642748007459,
        0.68976733498510000455,
        1.6763848301838038494,
        2.05319162663775882187,
        1.0,
    ),
)
_FAR = (
    (
        2.01033439929228813265e-7,
        2.71155556874348757815e-5,
        0.0012426609473880784386,
        0.026532189526576123093,
        0.29656057182850489123,
        1.7848265399172913358,
        5.4637849111641143699,
        6.6579046435011037772,
    ),
    (
        2.04426310338993978564e-15,
        1.4215117583164458887e-7,
        1.8463183175100546818e-5,
        7.868691311456132591e-4,
        0.0148753612908506148525,
        0.13692988092273580531,
        0.59983220655588793769,
        1.0,
    ),
)


@rule
def _ratio(coefficients, r):
    """Numerator over denominator, each by Horner's rule (written out: the same products and
    sums as a loop from 0, in a fraction of the time as Python)."""
    a, b = coefficients
    top = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * r + a[6]) * r
    bottom = ((((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + b[5]) * r + b[6]) * r
    return (top + a[7]) / (bottom + b[7])


@rule
def normal_quantile(p):
    """The standard normal quantile of ``p`` in (0, 1), to about 1e-16 (Wichura 1988, AS 241)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        return q * _ratio(_CENTRE, 0.180625 - q * q)
    r = math.sqrt(-math.log(p if q < 0.0 else 1.0 - p))
    value = _ratio(_NEAR, r - 1.6) if r <= 5.0 else _ratio(_FAR, r - 5.0)
    return -value if q < 0.0 else value


_local = threading.local()  # one Philox per thread, its state set for each block


def _words(key: Key | tuple[int, int], week: int, purpose: int, size: int) -> np.ndarray:
    """The first ``size`` words of the (key, week, purpose) block. Setting a kept generator's
    state costs a third of building one (2 against 7 microseconds), three times a week."""
    bits = getattr(_local, "bits", None)
    if bits is None:
        bits = _local.bits = np.random.Philox(0)
    bits.state = {
        "bit_generator": "Philox",
        "state": {
            "counter": np.array([0, week, purpose, 0], dtype=np.uint64),
            "key": np.array([int(key[0]), int(key[1])], dtype=np.uint64),
        },
        "buffer": np.zeros(4, dtype=np.uint64),
        "buffer_pos": 4,
        "has_uint32": 0,
        "uinteger": 0,
    }
    return bits.random_raw(size)


def _unit(words: np.ndarray) -> np.ndarray:
    """Uniforms on [0, 1) from words: the top 53 bits times 2^-53, as NumPy's ``random``."""
    return (words >> _11).astype(np.float64) * _TO_UNIT


def uniforms(key: Key | tuple[int, int], week: int, purpose: Purpose, size: int) -> list[float]:
    """The ``size`` uniforms on [0, 1) of (key, week, purpose), slot by slot."""
    return _unit(_words(key, week, int(purpose), size)).tolist()


def activation_order(key: Key | tuple[int, int], week: int, size: int) -> list[int]:
    """The week's order of the ``size`` actor slots: a uniform permutation (the slots ranked
    by their uniforms), keyed like every other draw, so that a batch engine holding a run as
    one replicate among many reproduces it without Mesa's shared ``random.Random``."""
    draws = _unit(_words(key, week, int(Purpose.ORDER), size))
    return np.argsort(draws, kind="stable").tolist()


def normals(
    key: Key | tuple[int, int], week: int, purpose: Purpose, slots: np.ndarray
) -> list[float]:
    """The standard normals of (key, week, purpose) at ``slots``: only the slots a caller
    needs, however large the week's block. The centre of the distribution is computed over
    the array at once (products and sums, which NumPy rounds as Python does), the tails one by
    one with `normal_quantile`: the same bits as the rule gives each."""
    if len(slots) == 0:
        return []
    words = _words(key, week, int(purpose), int(max(slots)) + 1)
    p = ((words[np.asarray(slots, dtype=np.int64)] >> np.uint64(11)).astype(np.float64) + 0.5) * (
        _TO_UNIT
    )
    q = p - 0.5
    values = np.empty(len(p))
    centre = np.abs(q) <= 0.425
    near = q[centre]
    r = 0.180625 - near * near
    top, bottom = np.zeros_like(r), np.zeros_like(r)
    for c in _CENTRE[0]:
        top = top * r + c
    for c in _CENTRE[1]:
        bottom = bottom * r + c
    values[centre] = near * (top / bottom)
    for i in np.flatnonzero(~centre).tolist():
        values[i] = normal_quantile(float(p[i]))
    return values.tolist()
