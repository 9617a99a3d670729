"""PNG figures of an experiment's summaries.

Figures are drawn on matplotlib's object API with the Agg canvas, never through pyplot, so no
display is needed and the global backend other code may rely on (the browser app) is untouched.
Each file is written to a temporary name beside its destination and moved into place, so a
reader never sees half a PNG.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.sensitivity import MAIN_INDEX, OUTCOMES
from model.files import write_atomic

LEGEND_LIMIT = 12  # more groups than this and a legend hides the data
# Line styles cycled with the colours, so that curves lying on one another (several scenarios
# that never invade) stay told apart where their colours cannot be.
LINE_STYLES = ("-", "--", ":", "-.")


def file_stem(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "scenario"


def group_labels(frame: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """Readable labels for groups: the scenario, then ``name=value`` for each varied parameter."""

    def label(row: pd.Series) -> str:
        parts = [str(row[by[0]])]
        for name in by[1:]:
            value = row[name]
            parts.append(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}")
        return ", ".join(parts)

    if frame.empty:
        return pd.Series([], dtype=str)
    return frame.apply(label, axis=1)


def save_png(figure: Figure, path: Path) -> Path:
    """Render ``figure`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(figure)

    def draw(temporary: Path) -> None:
        figure.savefig(temporary, format="png", dpi=120, bbox_inches="tight")

    return write_atomic(path, draw)


def invasion_curves_figure(
    curves: pd.DataFrame, by: Sequence[str], path: Path, start: dt.date | None = None
) -> Path:
    """P(invasion by week) with its Wilson band, one line per scenario or parameter set, saved
    as a PNG at ``path``; dated from ``start`` (week 0) when the groups share one."""
    return save_png(invasion_curves_plot(curves, by, start), path)


def invasion_curves_plot(
    curves: pd.DataFrame, by: Sequence[str], start: dt.date | None = None
) -> Figure:
    """The figure of :func:`invasion_curves_figure`, unsaved (the browser's batch page shows it).

    Built on ``matplotlib.figure.Figure`` with its own canvas (no pyplot state), so several
    browser sessions can draw at once."""
    figure = Figure(figsize=(8, 4))
    FigureCanvasAgg(figure)
    draw_invasion_curves(figure.add_subplot(), curves, by, start)
    if start is not None:
        figure.autofmt_xdate()
    return figure


def draw_invasion_curves(
    axes: Axes,
    curves: pd.DataFrame,
    by: Sequence[str],
    start: dt.date | None = None,
    legend: bool = True,
) -> None:
    """P(invasion by week) with its Wilson band on ``axes``, one line per group.

    With ``start`` the x-axis is the calendar (week 0 on that date), otherwise weeks. Each
    group's legend entry ends with its P(invasion) at the horizon, and line styles cycle with
    the colours, so groups whose curves coincide are still told apart."""
    labels = group_labels(curves, by)
    for i, label in enumerate(dict.fromkeys(labels)):
        line = curves[labels == label]
        weeks = line["week"].to_numpy()
        x = [start + dt.timedelta(weeks=int(w)) for w in weeks] if start is not None else weeks
        final = float(line["p_invasion"].iloc[-1]) if len(line) else float("nan")
        (drawn,) = axes.step(
            x,
            line["p_invasion"],
            where="post",
            label=f"{label} ({final:.2f})",
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            linewidth=1.8,
        )
        axes.fill_between(
            x,
            line["p_invasion_lo"],
            line["p_invasion_hi"],
            step="post",
            alpha=0.15,
            color=drawn.get_color(),
            linewidth=0,
        )
    if start is not None:
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        axes.set_xlabel(f"date (week 0 = {start:%d %b %Y})")
    else:
        axes.set_xlabel("week")
    axes.set_ylabel("P(full-scale invasion by then)")
    axes.set_ylim(-0.02, 1.02)
    axes.set_title("Probability of invasion by date (95% Wilson band)")
    axes.grid(alpha=0.3)
    if legend and 0 < labels.nunique() <= LEGEND_LIMIT:
        axes.legend(
            title="P(invasion) at the horizon",
            fontsize="medium",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
        )


def distribution_figure(
    distribution: pd.DataFrame, by: Sequence[str], level: str, title: str, path: Path
) -> Path:
    """Grouped bars: share of runs per level (rung or sanction tier), one bar colour per group."""
    figure = Figure(figsize=(10, 5))
    axes = figure.add_subplot()
    labels = group_labels(distribution, by)
    groups = list(dict.fromkeys(labels))
    levels = sorted(distribution[level].unique())
    names = distribution.drop_duplicates(level).set_index(level)[f"{level}_name"]
    width = 0.8 / max(len(groups), 1)
    positions = np.arange(len(levels))
    for i, group in enumerate(groups):
        bars = distribution[labels == group].set_index(level).reindex(levels)
        share = bars["share"].fillna(0.0).to_numpy()
        error = np.vstack(
            [share - bars["share_lo"].fillna(0.0), bars["share_hi"].fillna(0.0) - share]
        )
        axes.bar(
            positions + (i - (len(groups) - 1) / 2) * width,
            share,
            width,
            yerr=np.clip(error, 0.0, None) if len(groups) <= LEGEND_LIMIT else None,
            capsize=2,
            error_kw={"elinewidth": 0.8, "ecolor": "0.4"},
            label=group,
        )
    ticks = [f"{v}\n{textwrap.fill(str(names[v]), 12)}" for v in levels]
    axes.set_xticks(positions, ticks, fontsize="small")
    axes.set_ylabel("share of runs")
    axes.set_ylim(0, 1.02)
    axes.set_title(f"{title.capitalize()} (share of runs, 95% Wilson bars)")
    axes.grid(axis="y", alpha=0.3)
    if 0 < len(groups) <= LEGEND_LIMIT:
        axes.legend(fontsize="small")
    return save_png(figure, path)


def sensitivity_figure(table: pd.DataFrame, path: Path) -> Path:
    """One panel per outcome: each parameter's main index with its confidence, dummy as a line.

    The dashed line is the noise floor (the dummy parameter's index plus its confidence):
    bars that do not clear it cannot be told apart from a parameter the model ignores.
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    parameters = list(dict.fromkeys(table.loc[~table["is_dummy"], "parameter"]))
    figure = Figure(figsize=(3.6 * len(outcomes) + 1.5, 0.5 * len(parameters) + 2.2))
    panels = figure.subplots(1, len(outcomes), squeeze=False, sharey=True)[0]
    for axes, outcome in zip(panels, outcomes, strict=True):
        rows = table[table["outcome"] == outcome]
        index_name = MAIN_INDEX[rows["method"].iloc[0]]
        rows = rows[~rows["is_dummy"]].set_index("parameter").reindex(parameters)
        colours = ["tab:blue" if above else "tab:gray" for above in rows["above_noise_floor"]]
        axes.barh(
            parameters,
            rows[index_name].fillna(0.0).to_numpy(),
            xerr=rows[f"{index_name}_conf"].fillna(0.0).to_numpy(),
            color=colours,
            capsize=2,
            error_kw={"elinewidth": 0.8, "ecolor": "0.3"},
        )
        floor = rows["noise_floor"].iloc[0] if len(rows) else np.nan
        if pd.notna(floor):
            axes.axvline(floor, color="tab:red", linestyle="--", label="dummy + conf (noise floor)")
        note = rows["note"].iloc[0] if len(rows) else ""
        if note and rows[index_name].isna().all():
            axes.text(0.5, 0.5, f"not analysed:\n{note}", transform=axes.transAxes, ha="center")
        axes.set_xlabel(index_name)
        axes.set_title(textwrap.fill(OUTCOMES.get(outcome, outcome), 30), fontsize="medium")
        axes.grid(axis="x", alpha=0.3)
    panels[0].invert_yaxis()
    handles, labels = panels[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="lower center", fontsize="small", frameon=False)
    scenario = table["scenario"].iloc[0]
    method = table["method"].iloc[0]
    figure.suptitle(
        f"{method.capitalize()} sensitivity, scenario {scenario} (blue: above the noise floor)"
    )
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return save_png(figure, path)
