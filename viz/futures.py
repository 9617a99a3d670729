"""Many futures: the session's settings run on many seeds, so a viewer sees that one run is
one draw from a spread.

The runs go to the ensemble engine in this process (compiled, on every core, with no pool to
start); only their outcomes come back. Seeds are the children of ``SeedSequence(settings
seed)``, as an experiment's runs are, so the same settings give the same futures, and each is
the Mesa run of its seed. The figure is the analysis's own invasion curve with two bar panels
beside it, the current run marked in each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.plots import draw_invasion_curves
from analysis.stats import invasion_curves, wilson_interval
from analysis.summary import RUNG_SHORT, TIER_SHORT
from ensemble import simulate
from experiments.design import run_seed
from model import load_scenario
from process.layout import MODEL_NUMBERS
from viz.session import RunConfig

FUTURES = 1000  # runs per update: P(invasion) within about ±0.03 (95%) at P = 0.3
COLUMNS = ("seed", "invasion_week", "highest_rung", "max_sanction_tier", "horizon")
_RUNG, _INVASION, _TIER = (MODEL_NUMBERS.index(c) for c in ("rung", "invasion", "sanction_tier"))


def future_seeds(seed: int, count: int = FUTURES) -> list[int]:
    """The seeds of the futures of a run with ``seed``: ``SeedSequence(seed)``'s children."""
    return [run_seed(seed, i) for i in range(count)]


def warm() -> None:
    """Load the compiled engine (from the disk cache; compiled once per machine), so the first
    update is quick."""
    simulate(load_scenario("baseline"), [0], 1, agents=False)


def settings_key(config: RunConfig) -> tuple:
    """What decides a set of futures: scenario, seed, horizon and overrides (hashable)."""
    return (config.scenario, config.seed, config.weeks, tuple(sorted(config.overrides.items())))


def run_futures(config: RunConfig, count: int = FUTURES) -> pd.DataFrame:
    """The outcomes of ``count`` seeded runs of ``config``, one row per run (``COLUMNS``,
    invasion week missing where there was none), in seed order."""
    seeds = future_seeds(config.seed, count)
    spec = load_scenario(config.scenario, **config.overrides)
    weeks = spec.world.weeks if config.weeks is None else config.weeks
    weekly = simulate(spec, seeds, weeks, agents=False).model
    invaded = weekly[:, :, _INVASION] != 0.0
    frame = pd.DataFrame(
        {
            "seed": seeds,
            "invasion_week": pd.array(
                np.where(invaded.any(axis=1), invaded.argmax(axis=1), -1), dtype="Int64"
            ),
            "highest_rung": weekly[:, :, _RUNG].max(axis=1).astype(np.int64),
            "max_sanction_tier": weekly[:, :, _TIER].max(axis=1).astype(np.int64),
            "horizon": weeks,
        }
    )
    frame["invasion_week"] = frame["invasion_week"].where(frame["invasion_week"] >= 0)
    frame["invaded"] = frame["invasion_week"].notna()
    frame["scenario"] = config.scenario
    return frame


def share_invading(futures: pd.DataFrame) -> tuple[float, float, float]:
    """P(invasion within the horizon) over the futures, with its 95% Wilson interval."""
    invaded, runs = int(futures["invaded"].sum()), len(futures)
    lower, upper = wilson_interval(np.array([invaded]), np.array([runs]))
    return invaded / runs, float(lower[0]), float(upper[0])


def futures_figure(
    futures: pd.DataFrame,
    start: dt.date,
    current_week: int | None,
    current_rung: int,
    current_tier: int,
    weeks_run: int,
) -> Figure:
    """P(invasion by date) over the futures with the current run's own line, and the shares
    of the highest rung and sanction tier reached, the current run's bars outlined."""
    curves = invasion_curves(futures, ["scenario"])
    figure = Figure(figsize=(12, 4))
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(1, 3, width_ratios=(2.2, 1, 1), wspace=0.4)
    curve_axes = figure.add_subplot(grid[0])
    draw_invasion_curves(curve_axes, curves, ["scenario"], start, legend=False)
    curve_axes.set_title("Invasion by date over the futures (95% band)", fontsize="medium")
    horizon = int(futures["horizon"].max())
    dates = [start + dt.timedelta(weeks=w) for w in range(weeks_run + 1)]
    mine = [float(current_week is not None and w >= current_week) for w in range(weeks_run + 1)]
    curve_axes.step(dates, mine, where="post", color="black", linewidth=1.2, label="this run")
    curve_axes.set_xlim(start, start + dt.timedelta(weeks=horizon))
    curve_axes.legend(fontsize="small", loc="upper left", frameon=False)
    for label in curve_axes.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    _bars(
        figure.add_subplot(grid[1]),
        futures["highest_rung"],
        RUNG_SHORT,
        current_rung,
        "highest rung reached",
    )
    _bars(
        figure.add_subplot(grid[2]),
        futures["max_sanction_tier"],
        TIER_SHORT,
        current_tier,
        "highest sanction tier",
    )
    return figure


def _bars(
    axes: Axes, values: pd.Series, names: Mapping[int, str], current: int, title: str
) -> None:
    levels = sorted(int(level) for level in names)
    names = {int(level): name for level, name in names.items()}
    shares = values.value_counts(normalize=True).reindex(levels, fill_value=0.0)
    colours = ["#1f77b4" if level != current else "#ff7f0e" for level in levels]
    axes.barh(range(len(levels)), shares.to_numpy(), color=colours)
    if current in names:
        spot = levels.index(current)
        axes.annotate(
            "◀ this run",
            (float(shares.iloc[spot]), spot),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
            color="#ff7f0e",
        )
    axes.set_yticks(range(len(levels)), [names[level] for level in levels], fontsize="small")
    axes.set_xlim(0.0, 1.0)
    axes.set_xlabel("share of futures (orange: this run)", fontsize="small")
    axes.set_title(title, fontsize="medium")
