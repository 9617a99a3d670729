"""The intervals and curves every summary is built from: one implementation of each.

Shares use the Wilson score interval (sound at 0 and n of n, unlike the normal approximation),
means a t interval. The analysis, the validation report and the browser's batch page all use
these functions, so a number means the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def wilson_interval(
    successes: Any, n: Any, z: float = 1.96
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Wilson score interval for a binomial share, elementwise over arrays.

    Used instead of p ± z·se because invasion shares are often 0 or 1 across a few hundred runs,
    where the normal interval collapses to a point. For n = 0 it returns (0, 1), the Wilson
    interval's own limit as n → 0: nothing observed, nothing ruled out.
    """
    k = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    if np.any(total < 0) or np.any(k < 0) or np.any(k > total):
        raise ValueError("wilson_interval needs 0 <= successes <= n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / total
        z2 = z * z
        denominator = 1.0 + z2 / total
        centre = (p + z2 / (2.0 * total)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total))
        lower = np.where(total > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
        upper = np.where(total > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    # Exact bounds at the edges, free of rounding: 0 of n cannot exclude 0, n of n cannot exclude 1.
    lower = np.where(k == 0, 0.0, lower)
    upper = np.where((k == total) & (total > 0), 1.0, upper)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


def mean_interval(values: pd.Series, level: float = 0.95) -> tuple[float, float, float]:
    """Mean with a t interval; NaN bounds for fewer than two values (no spread to judge)."""
    data = values.dropna().to_numpy(dtype=float)
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    if data.size < 2:
        return mean, float("nan"), float("nan")
    from scipy import stats  # here, not at the top: `escalation run` need not load SciPy

    half = stats.t.ppf(0.5 + level / 2.0, data.size - 1) * data.std(ddof=1) / np.sqrt(data.size)
    return mean, mean - half, mean + half


def invasion_curves(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """P(full-scale invasion by week w) per group and week, with Wilson bounds.

    ``outcomes`` has one row per run with its ``horizon`` (last week recorded) and
    ``invasion_week`` (missing when none), as :func:`analysis.results.run_outcomes` gives. A run
    counts towards week w only if it was observed that long, so groups mixing horizons are not
    biased towards 'no invasion' at late weeks. Columns: ``by``, week, runs, invaded,
    p_invasion, p_invasion_lo, p_invasion_hi.
    """
    rows = []
    for key, group in outcomes.groupby(list(by), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        horizon = group["horizon"].to_numpy(dtype=int)
        invasion = group["invasion_week"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
        weeks = np.arange(0, horizon.max() + 1)
        observed = (horizon[None, :] >= weeks[:, None]).sum(axis=1)
        invaded = (
            (invasion[None, :] <= weeks[:, None]) & (horizon[None, :] >= weeks[:, None])
        ).sum(axis=1)
        lower, upper = wilson_interval(invaded, observed)
        frame = pd.DataFrame(
            {
                "week": weeks,
                "runs": observed,
                "invaded": invaded,
                "p_invasion": invaded / observed,
                "p_invasion_lo": lower,
                "p_invasion_hi": upper,
            }
        )
        for position, (name, value) in enumerate(zip(by, key, strict=True)):
            frame.insert(position, name, value)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)
