"""The interactive view's charts as inline SVG: the alliance network and the weekly time series.

Why SVG text rather than Matplotlib PNGs: a weekly redraw is string formatting (about a
millisecond per chart) instead of rasterising and PNG-encoding (tens of milliseconds on the
path between pressing Step and seeing the new week), the browser draws vectors crisply at any
cell size and has nothing to decode, and hovering a node, tie or arrow shows its numbers.

Every root ``<svg>`` carries ``data-view`` (which chart) and ``data-week`` (the week its content
was drawn from), so the tests and ``benchmarks/bench_browser.py`` can tell when each view shows
a new week. Every time chart marks the run's dated events (``viz.narrative.run_events``: the
invasion, sanction tiers, the first flank deployment...) as dashed lines with short labels, set
on rows so that no two labels overlap. All text that comes from a scenario (actor names,
actions) is escaped: the markup goes into the page as HTML. No Matplotlib, pandas or Solara here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from viz.narrative import EVENT_ORDER, Event, run_events
from viz.views import SIGNAL_TABLE_COLUMNS, NetworkView, signal_name
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES
from world.signals import Stance

STANCE_COLOURS = {
    Stance.WAR: "#b2182b",
    Stance.COERCION: "#ef8a62",
    Stance.DETERRENCE: "#2166ac",
    Stance.DIPLOMACY: "#1b7837",
    Stance.WAITING: "#9e9e9e",
}


@dataclass(frozen=True, slots=True)
class EdgeStyle:
    colour: str
    dash: str  # SVG stroke-dasharray; "" for a solid line
    label: str  # legend text
    offset: float = 0.0  # px sideways, so parallel ties between two actors stay visible


EDGE_STYLES = {
    # Light blue: the dark blue is deterrence, this week's Western signals drawn over the ties.
    "nato_ally": EdgeStyle("#92c5de", "", "NATO ally (width: trust)"),
    "eu_member": EdgeStyle("#d4a017", "", "EU member (width: trust)", 2.5),
    "security_partner": EdgeStyle("#1b7837", "2 2", "security partner (width: trust)"),
    "adversary": EdgeStyle("#bdbdbd", "6 3", "adversary"),
    "energy_supply": EdgeStyle("#7b3294", "", "gas supply (width: bcm/year)", -2.5),
}
TRUST_KINDS = ("nato_ally", "eu_member", "security_partner")
FONT = 'font-family="Roboto, Arial, sans-serif"'
HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'


def _e(text: object) -> str:
    """Text escaped for SVG/HTML content and attribute values."""
    return escape(str(text), quote=True)


def _f(value: float) -> str:
    """A coordinate with one decimal: enough for the screen, short on the wire."""
    return f"{value:.1f}"


def _svg_open(view: str, week: int, width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="week-view" data-view="{view}" '
        f'data-week="{week}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" role="img" aria-label="{_e(label)}" {FONT}>'
        # White paper, like the PNGs before: the page may be in the dark theme.
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
    )


# --- the alliance network ------------------------------------------------------------------

NET_WIDTH, NET_HEIGHT = 600, 350
NET_CENTRE, NET_SCALE = (210.0, 185.0), 135.0  # layout coordinates are within [-1, 1]
LEGEND_X = 405


def edge_width(kind: str, weight: float) -> float:
    """Line width in px: trust (0-1) for alliance ties, gas volume (bcm/year) for supply."""
    if kind in TRUST_KINDS:
        return 0.3 + 2.2 * weight
    if kind == "energy_supply":
        return 0.3 + weight / 10.0
    return 0.6


def node_radius(capability: float) -> float:
    """Circle radius in px; the area grows linearly with capability (plus a floor)."""
    return 1.1 * math.sqrt((60.0 + 250.0 * capability) / math.pi)


def _arrow_markers() -> str:
    markers = "".join(
        f'<marker id="net-arrow-{stance}" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for stance, colour in STANCE_COLOURS.items()
    )
    return f"<defs>{markers}</defs>"


ARROW_MARKERS = _arrow_markers()


def _network_legend() -> str:
    parts = ['<g class="legend" font-size="10.5">']
    y = 38
    parts.append(f'<text x="{LEGEND_X}" y="{y}" font-weight="bold">Stance</text>')
    parts.append(
        f'<text x="{LEGEND_X + 42}" y="{y}" font-size="10">(state, this week; label: action)</text>'
    )
    for stance, colour in STANCE_COLOURS.items():
        y += 15
        parts.append(
            f'<circle cx="{LEGEND_X + 6}" cy="{y - 3.5}" r="5" fill="{colour}" '
            f'stroke="#000" stroke-width="0.6"/><text x="{LEGEND_X + 16}" y="{y}">{stance}</text>'
        )
    y += 22
    parts.append(f'<text x="{LEGEND_X}" y="{y}" font-weight="bold">Ties</text>')
    for kind, style in EDGE_STYLES.items():
        y += 15
        width = 1.2 if kind == "adversary" else 3
        parts.append(
            f'<line x1="{LEGEND_X}" y1="{y - 3.5}" x2="{LEGEND_X + 12}" y2="{y - 3.5}" '
            f'stroke="{style.colour}" stroke-width="{width}" stroke-dasharray="{style.dash}"/>'
            f'<text x="{LEGEND_X + 16}" y="{y}">{_e(style.label)}</text>'
        )
    y += 22
    parts.append(f'<text x="{LEGEND_X}" y="{y}" font-weight="bold">Signals sent this week</text>')
    y += 15
    parts.append(
        f'<line x1="{LEGEND_X}" y1="{y - 3.5}" x2="{LEGEND_X + 12}" y2="{y - 3.5}" '
        f'stroke="#616161" stroke-width="1.6" marker-end="url(#net-arrow-waiting)"/>'
        f'<text x="{LEGEND_X + 16}" y="{y}">arrow sender → receiver;</text>'
        f'<text x="{LEGEND_X + 16}" y="{y + 13}">colour: stance, darker: stronger</text>'
    )
    y += 35
    parts.append(
        f'<text x="{LEGEND_X}" y="{y}" font-weight="bold">Circle area: capability</text>'
        f'<text x="{LEGEND_X}" y="{y + 14}">troops/100k + economy/$10tn;</text>'
        f'<text x="{LEGEND_X}" y="{y + 27}">hover for numbers</text>'
    )
    parts.append("</g>")
    return "".join(parts)


NETWORK_LEGEND = _network_legend()


def _shift(x0: float, y0: float, x1: float, y1: float, by: float) -> tuple[float, float]:
    """The offset moving a segment ``by`` px to its right (screen coordinates)."""
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    return -(y1 - y0) / length * by, (x1 - x0) / length * by


def network_svg(view: NetworkView) -> str:
    """Actors coloured by stance and sized by capability, typed ties, this week's signals."""
    cx, cy = NET_CENTRE
    pos = {n.name: (cx + NET_SCALE * n.x, cy - NET_SCALE * n.y) for n in view.nodes}
    radius = {n.name: node_radius(n.capability) for n in view.nodes}
    title = f"Alliance network, week {view.week} ({view.date:%d %b %Y})"
    parts = [
        _svg_open("network", view.week, NET_WIDTH, NET_HEIGHT, title),
        ARROW_MARKERS,
        f'<text x="{_f(cx)}" y="18" font-size="13" font-weight="bold" text-anchor="middle">'
        f"{_e(title)}</text>",
        '<g class="data">',
        '<g class="edges" fill="none" stroke-opacity="0.55">',
    ]
    for edge in view.edges:
        style = EDGE_STYLES.get(edge.kind)
        if style is None or edge.first not in pos or edge.second not in pos:
            continue
        (x0, y0), (x1, y1) = pos[edge.first], pos[edge.second]
        dx, dy = _shift(x0, y0, x1, y1, style.offset) if style.offset else (0.0, 0.0)
        if edge.kind in TRUST_KINDS:
            tie = style.label.split(" (")[0]
            tip = f"{edge.first} – {edge.second}: {tie}, trust {edge.weight:.2f}"
        elif edge.kind == "energy_supply":
            tip = f"{edge.first} → {edge.second}: gas supply {edge.weight:.1f} bcm/year"
        else:
            tip = f"{edge.first} – {edge.second}: adversaries"
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(
            f'<line x1="{_f(x0 + dx)}" y1="{_f(y0 + dy)}" x2="{_f(x1 + dx)}" y2="{_f(y1 + dy)}" '
            f'stroke="{style.colour}" stroke-width="{edge_width(edge.kind, edge.weight):.2f}"'
            f"{dash}><title>{_e(tip)}</title></line>"
        )
    parts.append('</g><g class="signals" fill="none" stroke-width="1.6">')
    for arrow in view.signals:
        if arrow.sender not in pos or arrow.receiver not in pos:
            continue
        (x0, y0), (x1, y1) = pos[arrow.sender], pos[arrow.receiver]
        length = math.hypot(x1 - x0, y1 - y0)
        if length < 1.0:
            continue
        # Start and end at the circles' rims, 3 px right of the tie so that the two directions
        # between a pair (and the tie itself) stay apart.
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        dx, dy = _shift(x0, y0, x1, y1, 3.0)
        start, end = radius[arrow.sender] + 1.0, radius[arrow.receiver] + 2.0
        opacity = 0.35 + 0.65 * min(1.0, max(0.0, arrow.intensity))
        stance = arrow.stance if arrow.stance in STANCE_COLOURS else "waiting"
        kinds = ", ".join(k.replace("_", " ") for k in arrow.kinds)
        tip = f"{arrow.sender} → {arrow.receiver}: {kinds} (intensity {arrow.intensity:.1f})"
        if arrow.others:
            tip += f"; also sent to {arrow.others} others"
        parts.append(
            f'<line class="signal" x1="{_f(x0 + ux * start + dx)}" y1="{_f(y0 + uy * start + dy)}" '
            f'x2="{_f(x1 - ux * end + dx)}" y2="{_f(y1 - uy * end + dy)}" '
            f'stroke="{STANCE_COLOURS[stance]}" '
            f'stroke-opacity="{opacity:.2f}" marker-end="url(#net-arrow-{stance})">'
            f"<title>{_e(tip)}</title></line>"
        )
    parts.append('</g><g class="nodes" stroke="#000" stroke-width="0.6">')
    for node in view.nodes:
        x, y = pos[node.name]
        action = node.action.replace("_", " ")
        tip = (
            f"{node.name}: stance {node.stance}; this week: {action} ({node.action_stance}); "
            f"capability {node.capability:.2f}. Click for its trajectories."
        )
        parts.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{radius[node.name]:.1f}" '
            f'data-actor="{_e(node.name)}" data-stance="{_e(node.stance)}" '
            f'fill="{STANCE_COLOURS.get(node.stance, "#9e9e9e")}"><title>{_e(tip)}</title></circle>'
        )
    parts.append(f'</g><g class="labels" text-anchor="middle" {HALO}>')
    for node in view.nodes:
        x, y = pos[node.name]
        top = y + radius[node.name] + 10
        parts.append(
            f'<text x="{_f(x)}" y="{_f(top)}" font-size="11" font-weight="bold" '
            f'data-actor="{_e(node.name)}">{_e(node.name)}</text>'
            f'<text x="{_f(x)}" y="{_f(top + 11)}" font-size="10">'
            f"{_e(node.action.replace('_', ' '))}</text>"
        )
    parts.append("</g></g>")
    if view.drawn < view.sent:
        note = (
            f"{view.drawn} of {view.sent} signals drawn: the strongest; routine broadcasts hidden"
        )
    else:
        note = f"all {view.sent} signals of the week drawn"
    parts.append(
        # under the title, where it is read before the drawing
        f'<text class="signal-note" x="{_f(NET_CENTRE[0])}" y="31" font-size="10" fill="#555" '
        'text-anchor="middle">'
        f"{_e(note)}</text>"
    )
    parts.append(NETWORK_LEGEND)
    parts.append("</svg>")
    return "".join(parts)


# --- weekly time series ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a weekly chart: a model-history column, scaled, on the left or right axis."""

    column: str
    colour: str
    label: str  # what the caption calls it
    unit: str = ""  # appended to the caption's value
    scale: float = 1.0
    right: bool = False
    steps: bool = False
    digits: int = 1  # decimals of the caption's value


@dataclass(frozen=True, slots=True)
class ChartSpec:
    key: str  # the view's name in ``data-view``
    title: str
    series: tuple[Series, ...]
    left_label: str = ""
    right_label: str = ""
    left_limits: tuple[float, float] | None = None
    # The least range an automatic axis shows (it grows past it with the data), so that small
    # early moves do not fill the chart: (low, high) in the series' scaled units.
    left_least: tuple[float, float] | None = None
    right_least: tuple[float, float] | None = None
    ticks: dict[int, str] | None = None  # named levels on the left axis (rungs, tiers)


SERIES_WIDTH, SERIES_HEIGHT = 540, 300
COMPARED_COLOUR = "#6b6b6b"  # another scenario's run, overlaid dashed

# Event markers: a dashed line per event, its label on one of a few rows under the top.
EVENT_COLOURS = {
    "invasion": "#000000",
    "incursion": "#b2182b",
    "recognition": "#d6604d",
    "sanctions": "#542788",
    "flank": "#2166ac",
    "agreement": "#1b7837",
}
EVENT_LANES = 5
EVENT_LANE_STEP = 11.0  # px between label rows on a chart without named levels
EVENT_GAP = 3  # px between a line and its label
# A generous mean advance of the 9 px label font (Roboto's is about 4.7 px), so that labels
# the layout keeps apart are apart on screen too.
EVENT_CHAR_WIDTH = 5.4


def _weight_order(event: Event) -> tuple[int, int]:
    order = EVENT_ORDER.index(event.kind) if event.kind in EVENT_ORDER else len(EVENT_ORDER)
    return order, event.week


def label_width(text: str) -> float:
    """The width an event label is given (px): generous, so estimated apart is apart."""
    return len(text) * EVENT_CHAR_WIDTH


@dataclass(frozen=True, slots=True)
class EventLabel:
    """An event's place on a chart: its line's x, its label's row (None: no room) and span."""

    event: Event
    x: float
    y: float | None
    extent: tuple[float, float]  # the label's left and right edge, px
    right: bool  # the label is right of its line


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months within [start, end], thinned to at most eight ticks."""
    months = []
    year, month = start.year, start.month
    while True:
        first = dt.date(year, month, 1)
        if first > end:
            break
        if first >= start:
            months.append(first)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    every = max(1, math.ceil(len(months) / 8))
    return months[::every]


def nice_ticks(low: float, high: float, most: int = 7) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) within [low, high]."""
    span = high - low
    if not span > 0:
        return [low]
    raw = span / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    ticks = []
    value = first * step
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        first += 1
        value = first * step
    return ticks


def _tick_text(value: float, ticks: Sequence[float]) -> str:
    """A tick value with as many decimals as the tick step needs (0.25 -> 2, 2.5 -> 1)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = next((d for d in range(6) if abs(round(step, d) - step) < 1e-9 * step), 6)
    return f"{value:.{decimals}f}"


class SeriesSvg:
    """A weekly chart with a fixed date axis from week 0 to the horizon, as SVG text.

    The frame (axes, ticks, names, title) changes only when an axis grows, so it is kept as a
    string and only the lines, the event marks and the caption are formatted each week. An
    axis without fixed limits grows with headroom when the data leave it, so it rarely moves.
    """

    def __init__(self, spec: ChartSpec, start: dt.date, end: dt.date) -> None:
        self.spec = spec
        self.start, self.end = start, end
        self.days = max(1, (end - start).days)
        has_right = any(s.right for s in spec.series)
        self.left = 178.0 if spec.ticks else 62.0
        self.right = SERIES_WIDTH - (62.0 if has_right else 18.0)
        self.top, self.bottom = 44.0, SERIES_HEIGHT - 38.0
        self.limits: dict[str, tuple[float, float] | None] = {"left": None, "right": None}
        if spec.ticks:
            self.limits["left"] = (min(spec.ticks) - 0.3, max(spec.ticks) + 0.3)
        elif spec.left_limits:
            self.limits["left"] = spec.left_limits
        self.fixed_left = self.limits["left"] is not None
        self._frame: str | None = None

    def invalidate(self) -> None:
        """Forget the cached frame (it is rebuilt on the next update)."""
        self._frame = None

    # coordinates
    def x(self, date: dt.date) -> float:
        return self.left + (date - self.start).days / self.days * (self.right - self.left)

    def y(self, value: float, side: str) -> float:
        low, high = self.limits[side] or (0.0, 1.0)
        fraction = (value - low) / (high - low)
        fraction = 0.0 if fraction < 0.0 else 1.0 if fraction > 1.0 else fraction
        return self.bottom - fraction * (self.bottom - self.top)

    def update(
        self,
        record: Mapping[str, Sequence],
        events: Sequence[Event] | None = None,
        compared: Mapping[str, Sequence] | None = None,
        compared_name: str = "",
    ) -> str:
        """The chart of the weekly record so far (``model.datacollector.model_vars``), with
        the run's dated ``events`` marked (by default those the record's columns show), and
        another run's record (``compared``: the same seed under another scenario) overlaid
        as a dashed grey line named ``compared_name``."""
        spec = self.spec
        values = self._scaled(record)
        shown = [values] if compared is None else [values, self._scaled(compared)]
        for side, right in (("left", False), ("right", True)):
            if not (side == "left" and self.fixed_left):
                on_side = [
                    v for vs in shown for s in spec.series if s.right == right for v in vs[s.column]
                ]
                self._expand(side, [v for v in on_side if v == v])
        if self._frame is None:
            self._frame = self._draw_frame()
        dates = record["date"]
        week = int(record["week"][-1])
        parts = [
            _svg_open(spec.key, week, SERIES_WIDTH, SERIES_HEIGHT, f"{spec.title}, week {week}"),
            self._frame,
            '<g class="data" fill="none" stroke-width="1.8" stroke-linejoin="round">',
        ]
        for series in spec.series:
            side = "right" if series.right else "left"
            parts.append(self._line(series, dates, values[series.column], side))
        parts.append("</g>")
        if compared is not None:
            parts.append(self._compared(compared, compared_name))
        if events is None:  # the events the weekly record itself shows
            columns = list(record)
            rows = [dict(zip(columns, v, strict=True)) for v in zip(*record.values(), strict=True)]
            events = run_events(rows)
        parts.append(self._events(events, dates[-1]))
        parts.append(self._caption(week, dates[-1], values))
        parts.append("</svg>")
        return "".join(parts)

    def lane_heights(self) -> list[float]:
        """The heights of the rows event labels sit on, from the top of the plot.

        On a chart of named levels (rungs, tiers) a label sits between two levels' lines,
        not on one; elsewhere the rows lie under the top of the plot.
        """
        levels = sorted(self.spec.ticks or (), reverse=True)
        if len(levels) >= 2:
            gaps = itertools.pairwise(levels)
            return [self.y((a + b) / 2, "left") for a, b in gaps][:EVENT_LANES]
        return [self.top + 9.0 + EVENT_LANE_STEP * lane for lane in range(EVENT_LANES)]

    def event_labels(self, events: Sequence[Event], last: dt.date) -> list[EventLabel]:
        """Where each event's line and label go; a label with no free row is left out.

        Labels take the first row where they overlap no other label (by a generous estimate
        of their width), to the right of their line unless they would leave the plot; the
        weightiest events (``EVENT_ORDER``: the invasion first) choose first.
        """
        lanes = self.lane_heights()
        taken: list[list[tuple[float, float]]] = [[] for _ in lanes]
        placed = []
        for event in sorted(events, key=_weight_order):
            if not self.start <= event.date <= last:
                continue
            x = self.x(event.date)
            width = label_width(event.label)
            right = x + EVENT_GAP + width <= self.right
            extent = (x + 1, x + EVENT_GAP + width) if right else (x - EVENT_GAP - width, x - 1)
            lane = next(
                (
                    i
                    for i, spans in enumerate(taken)
                    if all(extent[1] + 3 < a or b + 3 < extent[0] for a, b in spans)
                ),
                None,
            )
            if lane is not None:
                taken[lane].append(extent)
            y = lanes[lane] if lane is not None else None
            placed.append(EventLabel(event, x, y, extent, right))
        placed.sort(key=lambda p: (p.event.week, _weight_order(p.event)))
        return placed

    def _events(self, events: Sequence[Event], last: dt.date) -> str:
        """Dashed dated lines for the run's events, then their labels over every line; each
        with the event's date and sentence as its tooltip."""
        lines, labels = [], []
        for placed in self.event_labels(events, last):
            event, x = placed.event, _f(placed.x)
            colour = EVENT_COLOURS.get(event.kind, "#000")
            tip = f"<title>{_e(f'{event.date:%d %b %Y} (week {event.week}): {event.text}')}</title>"
            lines.append(
                f'<line class="{_e(event.kind)}" x1="{x}" y1="{self.top}" x2="{x}" '
                f'y2="{self.bottom}" stroke="{colour}">{tip}</line>'
            )
            if placed.y is None:
                continue
            side = f'dx="{EVENT_GAP}"' if placed.right else f'dx="-{EVENT_GAP}" text-anchor="end"'
            labels.append(
                f'<g class="{_e(event.kind)}">{tip}<text x="{x}" y="{_f(placed.y)}" dy="0.32em" '
                f'{side} fill="{colour}" {HALO}>{_e(event.label)}</text></g>'
            )
        return (
            '<g class="events" font-size="9"><g class="event-lines" stroke-opacity="0.75" '
            f'stroke-dasharray="5 3">{"".join(lines)}</g>'
            f'<g class="event-labels">{"".join(labels)}</g></g>'
        )

    def _line(self, series: Series, dates: Sequence, values: list[float], side: str) -> str:
        points: list[str] = []
        runs: list[list[str]] = [points]
        previous_y = None
        for date, value in zip(dates, values, strict=True):
            if value != value:  # NaN: a gap in the line
                points = []
                runs.append(points)
                previous_y = None
                continue
            x, y = _f(self.x(date)), _f(self.y(value, side))
            if series.steps and previous_y is not None:
                points.append(f"{x},{previous_y}")
            points.append(f"{x},{y}")
            previous_y = y
        lines = "".join(
            f'<polyline points="{" ".join(run)}" stroke="{series.colour}"/>' for run in runs if run
        )
        if previous_y is not None:  # a dot on this week's value, visible from week 0 on
            lines += f'<circle cx="{x}" cy="{y}" r="2.5" fill="{series.colour}" stroke="none"/>'
        return f"<g><title>{_e(series.label)}</title>{lines}</g>"

    def _scaled(self, record: Mapping[str, Sequence]) -> dict[str, list[float]]:
        """Each series' values in the chart's units (NaN kept as a gap)."""
        return {
            s.column: [v * s.scale if v == v else math.nan for v in record[s.column]]
            for s in self.spec.series
        }

    def _compared(self, record: Mapping[str, Sequence], name: str) -> str:
        """Another run's lines, dashed and grey under a key naming its scenario."""
        lines = []
        scaled = self._scaled(record)
        for series in self.spec.series:
            side = "right" if series.right else "left"
            values = scaled[series.column]
            grey = dataclasses.replace(
                series, colour=COMPARED_COLOUR, label=f"{name}: {series.label}"
            )
            lines.append(self._line(grey, record["date"], values, side))
        # Inside the plot's bottom right, below the event labels, ending short of the last
        # week's dot; haloed, since the lines may run under it.
        label = f"same seed, {name}"
        end = self.right - 10
        start = end - len(label) * EVENT_CHAR_WIDTH
        key_y = self.bottom - 12
        key = (
            f'<line x1="{_f(start - 22)}" y1="{_f(key_y)}" x2="{_f(start - 4)}" '
            f'y2="{_f(key_y)}" stroke="{COMPARED_COLOUR}" stroke-dasharray="4 3"/>'
            f'<text x="{_f(end)}" y="{_f(key_y + 3)}" font-size="9" text-anchor="end" '
            f'stroke-dasharray="none" fill="{COMPARED_COLOUR}" {HALO}>{_e(label)}</text>'
        )
        return (
            '<g class="compared" fill="none" stroke-width="1.5" stroke-dasharray="4 3" '
            f'opacity="0.85">{"".join(lines)}{key}</g>'
        )

    def _caption(self, week: int, date: dt.date, values: dict[str, list[float]]) -> str:
        """This week's values in words, coloured like their lines (the charts' legend)."""
        texts = []
        for series in self.spec.series:
            value = values[series.column][-1]
            if self.spec.ticks and not series.right:
                shown = self.spec.ticks.get(round(value), f"{value:g}")
            elif value != value:
                shown = "n/a"
            else:
                shown = f"{value:,.{series.digits}f}{series.unit}"
            texts.append(
                f'<tspan fill="{series.colour}">{_e(series.label)}: '
                f'<tspan font-weight="bold">{_e(shown)}</tspan></tspan>'
            )
        return (
            f'<text class="caption" x="{_f((self.left + self.right) / 2)}" y="34" '
            'font-size="10.5" text-anchor="middle">'
            f"week {week} ({date:%d %b %Y}) · {' · '.join(texts)}</text>"
        )

    def _expand(self, side: str, values: list[float]) -> None:
        """Grow an automatic axis to fit the data, with headroom, so it seldom changes."""
        least = self.spec.right_least if side == "right" else self.spec.left_least
        if not values:
            if least is not None and self.limits[side] is None:
                self.limits[side] = least
                self._frame = None
            return
        low, high = min(values), max(values)
        current = self.limits[side]
        if current is not None and current[0] <= low and high <= current[1]:
            return
        span = max(high - low, abs(high) * 0.05, 1e-6)
        new = (low - 0.2 * span, high + 0.5 * span)
        if least is not None:
            # never narrower than the least range, and not below its floor if the data are not
            new = (min(new[0], least[0]), max(new[1], least[1]))
            if low >= least[0]:
                new = (least[0], new[1])
        self.limits[side] = new
        self._frame = None

    def _draw_frame(self) -> str:
        """Title, plot box, grid, date axis, y axes and their labels."""
        spec = self.spec
        left, right, top, bottom = self.left, self.right, self.top, self.bottom
        parts = [
            f'<text x="{_f((left + right) / 2)}" y="16" font-size="13" font-weight="bold" '
            f'text-anchor="middle">{_e(spec.title)}</text>',
            '<g class="frame" font-size="9.5" fill="#333">',
        ]
        grid = []
        for month in _month_starts(self.start, self.end):
            x = _f(self.x(month))
            grid.append(f"M{x},{top}V{bottom}")
            parts.append(
                f'<text x="{x}" y="{bottom + 13}" text-anchor="middle">{month:%b}</text>'
                f'<text x="{x}" y="{bottom + 24}" text-anchor="middle">{month:%Y}</text>'
            )
        if spec.ticks:
            left_ticks = [(float(level), name) for level, name in spec.ticks.items()]
        else:
            values = nice_ticks(*self.limits["left"]) if self.limits["left"] else []
            left_ticks = [(v, _tick_text(v, values)) for v in values]
        for value, text in left_ticks:
            y = _f(self.y(value, "left"))
            grid.append(f"M{left},{y}H{right}")
            parts.append(
                f'<text x="{left - 5}" y="{y}" dy="0.32em" text-anchor="end">{_e(text)}</text>'
            )
        if self.limits["right"] is not None and any(s.right for s in spec.series):
            values = nice_ticks(*self.limits["right"])
            for value in values:
                y = _f(self.y(value, "right"))
                parts.append(
                    f'<path d="M{right},{y}h4" stroke="#333"/>'
                    f'<text x="{right + 6}" y="{y}" dy="0.32em">{_tick_text(value, values)}</text>'
                )
        parts.append("</g>")
        parts.append(
            f'<path d="{"".join(grid)}" stroke="#000" stroke-opacity="0.12" fill="none"/>'
            f'<rect x="{left}" y="{top}" width="{_f(right - left)}" height="{_f(bottom - top)}" '
            'fill="none" stroke="#333" stroke-width="0.8"/>'
        )
        middle = _f((top + bottom) / 2)
        if spec.left_label:
            colour = spec.series[0].colour
            parts.append(
                f'<text transform="translate(14,{middle}) rotate(-90)" text-anchor="middle" '
                f'font-size="10" fill="{colour}">{_e(spec.left_label)}</text>'
            )
        if spec.right_label:
            colour = next(s.colour for s in spec.series if s.right)
            parts.append(
                f'<text transform="translate({SERIES_WIDTH - 10},{middle}) rotate(90)" '
                f'text-anchor="middle" font-size="10" fill="{colour}">{_e(spec.right_label)}</text>'
            )
        return "".join(parts)


LADDER = ChartSpec(
    "ladder",
    "Escalation ladder",
    (Series("rung", "#b2182b", "rung", steps=True),),
    ticks={int(rung): name for rung, name in RUNG_NAMES.items()},
)
FORCES = ChartSpec(
    "forces",
    "Russian troops near Ukraine",
    (Series("russian_troops", "#b2182b", "Russian troops", "k", scale=1e-3, digits=0),),
    left_label="troops near Ukraine (thousands)",
    left_least=(0.0, 200.0),
)
# Its own chart: on a second axis beside the troops, where the lines crossed meant nothing.
CAPABILITY = ChartSpec(
    "capability",
    "Ukraine's military capability",
    (Series("ukraine_capability", "#2166ac", "Ukraine's capability", "×", digits=2),),
    left_label="capability (× its week-0 level; week 0 = 1)",
    left_least=(0.0, 2.0),
)
SANCTIONS = ChartSpec(
    "sanctions",
    "Sanction tier imposed",
    (Series("sanction_tier", "#542788", "imposed", steps=True),),
    ticks={int(tier): name for tier, name in SANCTION_TIER_NAMES.items()},
)
ENERGY = ChartSpec(
    "energy",
    "Gas storage and energy price",
    (
        Series("eu_gas_storage", "#1b7837", "EU storage", "% full", scale=100.0, digits=0),
        Series("energy_price", "#e08214", "gas price", " EUR/MWh", right=True, digits=0),
    ),
    left_label="EU gas storage (% full)",
    right_label="gas price (EUR/MWh)",
    left_limits=(0.0, 100.0),
    right_least=(0.0, 150.0),
)
COHESION = ChartSpec(
    "cohesion",
    "Alliance cohesion",
    (Series("alliance_cohesion", "#2166ac", "mean tie trust", digits=2),),
    left_label="mean trust of alliance ties (0-1)",
    left_limits=(0.0, 1.0),
)
WEEKLY_CHARTS = (LADDER, FORCES, CAPABILITY, SANCTIONS, ENERGY, COHESION)
VIEW_NAMES = ("network", *(spec.key for spec in WEEKLY_CHARTS))


def actor_charts(actor: str, role: str) -> tuple[ChartSpec, ...]:
    """The inspector's charts of one actor: its mind (resolve, threat, belief), its exposure
    and costs, and the sanction tier it backs beside the tier in force.

    Units are the agents table's (``model.columns.AGENTS``); axes start at zero.
    """
    belief = "expected tier / 5" if role == "challenger" else "belief Russia invades"
    return (
        ChartSpec(
            "actor-mind",
            f"{actor}: resolve, threat and belief",
            (
                Series("resolve", "#1b7837", "resolve", digits=2),
                Series("threat", "#b2182b", "threat", digits=2),
                Series("belief", "#2166ac", belief, digits=2),
            ),
            left_label="0-1 (belief: a probability)"
            if role != "challenger"
            else "0-1 (belief: expected sanction tier / 5)",
            left_limits=(0.0, 1.0),
        ),
        ChartSpec(
            "actor-costs",
            f"{actor}: energy exposure and costs",
            (
                Series("energy_exposure", "#e08214", "energy exposure", digits=2),
                Series("cost", "#542788", "costs so far", right=True, digits=2),
            ),
            left_label="energy exposure (0-1: a gas cut-off's bite)",
            right_label="costs borne so far (utility, stake = 1)",
            left_least=(0.0, 1.0),
            right_least=(0.0, 0.5),
        ),
        ChartSpec(
            "actor-sanctions",
            f"{actor}: sanction tier backed",
            (
                Series("sanction_support", "#542788", "backs", steps=True),
                Series("sanction_tier", "#9e9e9e", "in force", steps=True),
            ),
            ticks={int(tier): name for tier, name in SANCTION_TIER_NAMES.items()},
        ),
    )


def narrative_html(weeks: Sequence[tuple[int, dt.date, Sequence[str]]]) -> str:
    """The narrative of the week shown, then of the weeks before it in smaller print.

    ``weeks`` holds (week, date, sentences), the week shown first. Escaped: actor names come
    from scenario files.
    """
    parts = []
    for i, (week, date, sentences) in enumerate(weeks):
        text = _e(" ".join(sentences))
        if i == 0:
            parts.append(f'<p class="narrative-week" data-week="{week}" style="margin:0 0 8px">')
        else:
            parts.append(
                f'<p class="narrative-earlier" data-week="{week}" '
                'style="margin:0 0 6px;font-size:0.85em;color:#616161">'
                f"<b>Week {week} ({date:%d %b}):</b> "
            )
        parts.append(f"{text}</p>")
    return "".join(parts)


SIGNALS_CAPTION = (
    "A signal is a message an actor's move sends to others (a threat, an offer, a deployment); "
    "its receivers read it, with some noise, and revise their beliefs. Strength runs from 0 to 1."
)


def strength_words(intensity: float) -> str:
    """A signal's intensity as a word and one decimal: ``strong (0.8)``."""
    word = "weak" if intensity < 0.35 else "moderate" if intensity < 0.65 else "strong"
    return f"{word} ({intensity:.1f})"


def _receivers(names: Sequence[str] | str) -> str:
    """The receivers of one message: up to three by name, more as the first and a count."""
    if isinstance(names, str):
        return _e(names)
    if len(names) <= 3:
        return _e(", ".join(names))
    return f'<span title="{_e(", ".join(names))}">{_e(names[0])} + {len(names) - 1} others</span>'


def signals_table(rows: Sequence[tuple[str, Sequence[str] | str, str, float]]) -> str:
    """A plain, escaped HTML table under a line saying what a signal is: a paginated data grid
    costs several widget updates per row every week, and pandas' ``to_html`` a few ms."""
    head = "".join(f"<th>{name}</th>" for name in SIGNAL_TABLE_COLUMNS)
    body = "".join(
        f"<tr><td>{_e(sender)}</td><td>{_receivers(receivers)}</td>"
        f"<td>{_e(signal_name(kind))}</td><td>{strength_words(intensity)}</td></tr>"
        for sender, receivers, kind, intensity in rows
    )
    return (
        f'<p class="signals-caption" style="margin:0 0 4px">{_e(SIGNALS_CAPTION)}</p>'
        '<table class="dataframe signals-table" style="border-spacing: 12px 2px">'
        '<thead><tr style="text-align: left;">'
        f"{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]], name: str = "") -> str:
    """A plain, escaped HTML table of texts (the batch page's P(invasion) table)."""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (
        f'<table class="dataframe {_e(name)}" style="border-spacing: 16px 2px">'
        f'<thead><tr style="text-align: left;">{head}</tr>'
        f"</thead><tbody>{body}</tbody></table>"
    )
