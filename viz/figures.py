"""The Matplotlib figure of the batch page: invasion-probability curves of an experiment.

It is drawn once per experiment directory, not every week, so a PNG is fine here; the weekly
views are SVG (:mod:`viz.charts`). Figures are built with ``matplotlib.figure.Figure`` and
their own Agg canvas (no pyplot state), so several browser sessions can draw at once.
"""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 80


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.13)
    return fig


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, for ``solara.Image``-style widgets."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def invasion_curves_figure(curves: pd.DataFrame) -> Figure:
    """Share of runs invaded by each week, per scenario, with 95% Wilson bands.

    ``curves`` is :func:`analysis.stats.invasion_curves` by scenario.
    """
    fig = _figure(7.2, 4.0)
    ax = fig.add_subplot()
    for scenario, group in curves.groupby("scenario", sort=True):
        line = ax.plot(
            group["week"], group["p_invasion"], label=f"{scenario} (n={group['runs'].max()})"
        )
        ax.fill_between(
            group["week"],
            group["p_invasion_lo"],
            group["p_invasion_hi"],
            color=line[0].get_color(),
            alpha=0.2,
        )
    ax.set_ylim(0, 1)
    ax.set_xlabel("week")
    ax.set_ylabel("P(invasion by week)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Invasion probability with 95% Wilson bands", fontsize=10)
    return fig
