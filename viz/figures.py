"""Matplotlib charts for the interactive view and the batch page.

Each weekly chart is drawn once per run and updated in place every week: reusing the figure
keeps its Agg renderer and Matplotlib's text-layout cache warm, which is most of the cost of a
redraw (tick labels and rung names do not change from week to week). Figures are built with
``matplotlib.figure.Figure`` and their own Agg canvas (no pyplot state), so several browser
sessions can draw at once; a chart belongs to one session's component.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from model.ladder import RUNG_NAMES, SANCTION_TIER_NAMES
from viz.views import NetworkView

STANCE_COLOURS = {
    "war": "#b2182b",
    "coercion": "#ef8a62",
    "deterrence": "#2166ac",
    "diplomacy": "#1b7837",
    "waiting": "#9e9e9e",
}
EDGE_STYLES = {
    "nato_ally": {"color": "#2166ac", "linestyle": "-", "label": "NATO ally (width: trust)"},
    "eu_member": {"color": "#d4a017", "linestyle": "-", "label": "EU member (width: trust)"},
    "security_partner": {"color": "#1b7837", "linestyle": ":", "label": "security partner"},
    "adversary": {"color": "#bdbdbd", "linestyle": "--", "label": "adversary"},
    "energy_supply": {"color": "#7b3294", "linestyle": "-", "label": "gas supply (width: flow)"},
}
WIDTH, HEIGHT, DPI = 6.4, 3.6, 80


def _figure(width: float = WIDTH, height: float = HEIGHT) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)  # its own canvas, so savefig reuses one renderer across weeks
    fig.subplots_adjust(left=0.3, right=0.86, top=0.9, bottom=0.16)
    return fig


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, for ``solara.Image``-style widgets."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class BlitChart:
    """A figure whose static part (axes, ticks, names, legend) is rasterised once.

    Each week only the artists that change are drawn over a saved copy of the static part
    (Matplotlib's blitting), so a weekly redraw costs a few lines and labels rather than the
    whole figure's text layout. Subclasses mark changing artists animated, list them in
    ``dynamic`` and call ``invalidate`` when the static part changes (e.g. new axis limits).
    """

    figure: Figure

    def __init__(self) -> None:
        self.dynamic: list = []
        self._background = None

    def invalidate(self) -> None:
        self._background = None

    def _animate(self, artist):
        artist.set_animated(True)
        self.dynamic.append(artist)
        return artist

    def png(self) -> bytes:
        """The current state as PNG bytes (fast zlib level: this is redrawn every week)."""
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()  # animated artists are left out of a full draw
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in self.dynamic:
            if artist.get_visible():
                artist.draw(renderer)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def _date_axis(ax, start: pd.Timestamp, end: pd.Timestamp) -> None:
    ax.set_xlim(start, end)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.grid(alpha=0.3)


def _edge_widths(kind: str, weights: list[float]) -> list[float]:
    if kind in ("nato_ally", "eu_member", "security_partner"):
        return [0.3 + 2.2 * w for w in weights]
    if kind == "energy_supply":
        return [0.3 + w / 10.0 for w in weights]
    return [0.5] * len(weights)


class NetworkChart(BlitChart):
    """Actors coloured by stance and sized by capability; typed edges; this week's signals."""

    def __init__(self, view: NetworkView) -> None:
        super().__init__()
        self.figure = fig = _figure(7.0, 3.7)
        fig.subplots_adjust(left=0.0, right=0.7, top=0.93, bottom=0.0)
        self.ax = ax = fig.add_subplot()
        self.pos = pos = {n.actor: (n.x, n.y) for n in view.nodes}
        self.edge_sets: dict[str, tuple[list[int], LineCollection]] = {}
        for kind, style in EDGE_STYLES.items():
            index = [i for i, e in enumerate(view.edges) if e.kind == kind]
            if not index:
                continue
            shift = {"eu_member": 0.012, "energy_supply": -0.012}.get(kind, 0.0)
            segments = []
            for i in index:
                (x0, y0), (x1, y1) = pos[view.edges[i].first], pos[view.edges[i].second]
                segments.append([(x0 + shift, y0 + shift), (x1 + shift, y1 + shift)])
            lines = LineCollection(
                segments,
                colors=style["color"],
                linestyles=style["linestyle"],
                alpha=0.55,
                zorder=1,
                label=style["label"],
            )
            ax.add_collection(lines)
            lines.set_animated(True)  # widths follow trust and gas flow every week
            self.edge_sets[kind] = (index, lines)
        self.signal_artists: list = []
        self.nodes = ax.scatter(
            [n.x for n in view.nodes],
            [n.y for n in view.nodes],
            edgecolors="black",
            linewidths=0.6,
            zorder=4,
            animated=True,
        )
        self.labels = [
            ax.annotate(
                "",
                (n.x, n.y),
                xytext=(0, 0),
                textcoords="offset points",
                fontsize=6.5,
                ha="center",
                va="top",
                animated=True,
            )
            for n in view.nodes
        ]
        for stance, colour in STANCE_COLOURS.items():
            ax.scatter([], [], color=colour, s=60, label=f"stance: {stance}")
        ax.plot([], [], color="#616161", label="signal this week: arrow,\ncoloured by stance")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=6.5, frameon=False)
        self.title = self._animate(ax.set_title("", fontsize=10))
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.4, 1.2)
        ax.set_aspect("equal")
        ax.axis("off")
        self.update(view)

    def update(self, view: NetworkView) -> NetworkChart:
        for kind, (index, lines) in self.edge_sets.items():
            lines.set_linewidths(_edge_widths(kind, [view.edges[i].weight for i in index]))
        sizes = [60 + 250 * n.capability for n in view.nodes]
        self.nodes.set_sizes(sizes)
        self.nodes.set_facecolors([STANCE_COLOURS[n.stance] for n in view.nodes])
        for label, node, size in zip(self.labels, view.nodes, sizes, strict=True):
            label.set_text(f"{node.actor}\n{node.action.replace('_', ' ')}")
            label.xyann = (0, -((size / math.pi) ** 0.5) - 1)  # just below the marker's rim
        self.title.set_text(f"Alliance network, week {view.week} ({view.date:%d %b %Y})")
        for artist in self.signal_artists:
            artist.remove()
        self.signal_artists = self._draw_signals(view)
        for artist in self.signal_artists:
            artist.set_animated(True)
        edges = [lines for _, lines in self.edge_sets.values()]
        self.dynamic = [*edges, *self.signal_artists, self.nodes, *self.labels, self.title]
        return self

    def _draw_signals(self, view: NetworkView) -> list:
        """One arrow per sender-receiver pair along its edge, coloured by the signal's stance
        and more opaque the stronger it is (the table beside lists each signal)."""
        if not view.signals:
            return []
        pos = self.pos
        starts = [pos[a.sender] for a in view.signals]
        ends = [pos[a.receiver] for a in view.signals]
        colours = [
            (*to_rgb(STANCE_COLOURS[a.stance]), 0.35 + 0.65 * min(1.0, a.intensity))
            for a in view.signals
        ]
        arrows = self.ax.quiver(
            [x for x, _ in starts],
            [y for _, y in starts],
            [x1 - x0 for (x0, _), (x1, _) in zip(starts, ends, strict=True)],
            [y1 - y0 for (_, y0), (_, y1) in zip(starts, ends, strict=True)],
            color=colours,
            angles="xy",
            scale_units="xy",
            scale=1.12,
            width=0.0045,
            headwidth=4,
            zorder=2,
        )
        return [arrows]


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a weekly chart: a model-history column, scaled, on the left or right axis."""

    column: str
    colour: str
    scale: float = 1.0
    right: bool = False
    steps: bool = False


@dataclass(frozen=True, slots=True)
class ChartSpec:
    title: str
    series: tuple[Series, ...]
    left_label: str = ""
    right_label: str = ""
    left_limits: tuple[float, float] | None = None
    ticks: dict[int, str] | None = None  # named levels on the left axis (rungs, tiers)
    mark_invasion: bool = False


class SeriesChart(BlitChart):
    """A weekly time-series chart with a fixed date axis from week 0 to the horizon."""

    def __init__(self, spec: ChartSpec, start: pd.Timestamp, end: pd.Timestamp) -> None:
        super().__init__()
        self.spec = spec
        self.figure = fig = _figure()
        self.left = left = fig.add_subplot()
        self.right = left.twinx() if any(s.right for s in spec.series) else None
        self.lines = []
        for series in spec.series:
            ax = self.right if series.right else left
            style = "steps-post" if series.steps else "default"
            (line,) = ax.plot([], [], color=series.colour, drawstyle=style, linewidth=1.8)
            self.lines.append(self._animate(line))
        if spec.ticks:
            left.set_yticks(list(spec.ticks), list(spec.ticks.values()), fontsize=7)
            left.set_ylim(min(spec.ticks) - 0.3, max(spec.ticks) + 0.3)
        elif spec.left_limits:
            left.set_ylim(*spec.left_limits)
        left.set_ylabel(spec.left_label, fontsize=8, color=spec.series[0].colour)
        if self.right is not None:
            colour = next(s.colour for s in spec.series if s.right)
            self.right.set_ylabel(spec.right_label, fontsize=8, color=colour)
        self.invasion = left.axvline(start, color="black", linestyle="--", linewidth=1)
        self.invasion.set_visible(False)
        self._animate(self.invasion)
        _date_axis(left, start, end)
        left.set_title(spec.title, fontsize=10)

    def update(self, weekly: pd.DataFrame) -> SeriesChart:
        dates = weekly["date"]
        for line, series in zip(self.lines, self.spec.series, strict=True):
            line.set_data(dates, weekly[series.column] * series.scale)
        for ax, fixed in (
            (self.left, self.spec.ticks or self.spec.left_limits),
            (self.right, None),
        ):
            if ax is not None and not fixed:
                self._expand_limits(ax)
        if self.spec.mark_invasion:
            invaded = weekly.loc[weekly["invasion"].astype(bool), "date"]
            if not invaded.empty:
                self.invasion.set_xdata([invaded.iloc[0]] * 2)
            self.invasion.set_visible(not invaded.empty)
        return self

    def _expand_limits(self, ax) -> None:
        """Grow the y-range to fit the data, with headroom, so it rarely changes (and the
        static part is redrawn only then)."""
        values = [
            v
            for line in self.lines
            if line.axes is ax
            for v in line.get_ydata()
            if v == v  # not NaN
        ]
        if not values:
            return
        low, high = min(values), max(values)
        current_low, current_high = ax.get_ylim()
        if self._background is not None and current_low <= low and high <= current_high:
            return
        span = max(high - low, abs(high) * 0.05, 1e-6)
        ax.set_ylim(low - 0.2 * span, high + 0.5 * span)  # room to grow before the next redraw
        self.invalidate()


LADDER = ChartSpec(
    "Escalation ladder",
    (Series("rung", "#b2182b", steps=True),),
    ticks={int(rung): name for rung, name in RUNG_NAMES.items()},
    mark_invasion=True,
)
FORCES = ChartSpec(
    "Russian troops vs Ukraine's capability",
    (
        Series("russian_troops", "#b2182b", scale=1e-3),
        Series("ukraine_capability", "#2166ac", right=True),
    ),
    left_label="Russian troops (thousands)",
    right_label="Ukraine's capability (week 0 = 1)",
)
SANCTIONS = ChartSpec(
    "Sanction tier imposed",
    (Series("sanction_tier", "#542788", steps=True),),
    ticks={int(tier): name for tier, name in SANCTION_TIER_NAMES.items()},
)
ENERGY = ChartSpec(
    "Gas storage and energy price",
    (
        Series("eu_gas_storage", "#1b7837", scale=100.0),
        Series("energy_price", "#e08214", right=True),
    ),
    left_label="EU gas storage (% full)",
    right_label="gas price (EUR/MWh)",
    left_limits=(0.0, 100.0),
)
COHESION = ChartSpec(
    "Alliance cohesion",
    (Series("alliance_cohesion", "#2166ac"),),
    left_label="mean tie trust (0-1)",
    left_limits=(0.0, 1.0),
)
WEEKLY_CHARTS = (LADDER, FORCES, SANCTIONS, ENERGY, COHESION)


def invasion_curves_figure(curves: pd.DataFrame) -> Figure:
    """Share of runs invaded by each week, per scenario, with 95% Wilson bands."""
    fig = _figure(7.2, 4.0)
    ax = fig.add_subplot()
    for scenario, group in curves.groupby("scenario", sort=True):
        line = ax.plot(
            group["week"], group["probability"], label=f"{scenario} (n={group['n'].max()})"
        )
        ax.fill_between(
            group["week"], group["lower"], group["upper"], color=line[0].get_color(), alpha=0.2
        )
    ax.set_ylim(0, 1)
    ax.set_xlabel("week")
    ax.set_ylabel("P(invasion by week)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Invasion probability with 95% Wilson bands", fontsize=10)
    return fig
