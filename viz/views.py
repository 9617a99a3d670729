"""Data shaping for the app's views: plain tables and records, no drawing and no Solara.

Everything here reads the live model (or its history) and returns what a figure or table needs,
so the shapes can be tested without a browser and the drawing code stays small.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from model import EscalationModel
from model.escalation import SIGNAL_COLUMNS
from viz.narrative import EVENT_SIGNALS, Event, WeekRecord, run_events, week_narrative
from world.ladder import Rung
from world.signals import Kind, Signal, Stance, action_stance, sharpest


def signal_stance(kinds: tuple[str, ...]) -> Stance:
    """The sharpest stance among the kinds of signal sent along one edge this week."""
    return sharpest(Kind(k).stance for k in kinds)


# How long an arms delivery keeps its sender's stance at deterrence (weeks): deliveries come
# every few weeks, and a state arming Ukraine does not turn dovish in the weeks between.
ARMS_MEMORY_WEEKS = 4


def actor_stance(
    role: str,
    action: str,
    *,
    invasion: bool = False,
    rung: int = Rung.STATUS_QUO,
    massed: bool = False,
    imposing: bool = False,
    deployed: float = 0.0,
    arming: bool = False,
) -> Stance:
    """An actor's stance from its state, not only from this week's action.

    The sharpest of this week's action's stance and the stance its standing position takes:

    - Russia (the challenger) is at war once it has invaded or the ladder stands at a limited
      incursion or higher (a NATO-Russia clash, a nuclear threat); troops massed above the
      peacetime level are coercion;
    - Ukraine (the target) is at war once invaded;
    - a Western state (or the Union) that backs the sanctions in force (``imposing``), has troops
      deployed on the eastern flank or delivered arms lately (``arming``) stands at deterrence.

    So Russia talking in the middle of its war shows war, and a sanctioning state holding this
    week shows deterrence; the week's action stays in the tooltip and the node's label.
    """
    week = action_stance(action)
    standing = Stance.WAITING
    if role == "challenger":
        if invasion or rung >= Rung.LIMITED_INCURSION:
            standing = Stance.WAR
        elif massed:
            standing = Stance.COERCION
    elif role == "target":
        if invasion:
            standing = Stance.WAR
    elif imposing or deployed > 0.0 or arming:
        standing = Stance.DETERRENCE
    return sharpest((week, standing))


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    role: str
    action: str
    stance: Stance  # from the actor's state and this week's action (``actor_stance``)
    capability: float
    x: float
    y: float
    action_stance: Stance = Stance.WAITING  # what this week's action alone says


@dataclass(frozen=True, slots=True)
class Edge:
    first: str
    second: str
    kind: str
    weight: float


@dataclass(frozen=True, slots=True)
class SignalArrow:
    sender: str
    receiver: str
    kinds: tuple[str, ...]
    intensity: float
    stance: Stance
    others: int = 0  # receivers of the same broadcast not drawn (routine copies hidden)


@dataclass(frozen=True, slots=True)
class NetworkView:
    week: int
    date: dt.date
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    signals: tuple[SignalArrow, ...]
    sent: int = 0  # signals sent this week, drawn or not
    drawn: int = 0  # of which the arrows carry (a hidden broadcast's copies not counted)


def capability(
    model: EscalationModel,
    actor: str,
    russian_troops: float | None = None,
    ukraine_capability: float | None = None,
) -> float:
    """A comparable size for each actor: deployable troops (100k) plus economic weight ($10tn).

    Russia's troops are its massed troops; Ukraine's forces are scaled by its capability,
    which grows with training and arms aid during a run. Both are the model's current ones
    unless given (an earlier week's, from the record).
    """
    agent = model.actors[actor]
    profile = agent.profile
    if agent.role == "challenger":
        troops = model.russian_troops if russian_troops is None else russian_troops
    elif agent.role == "target":
        scale = model.ukraine_capability if ukraine_capability is None else ukraine_capability
        troops = profile.forces * scale
    else:
        troops = profile.forces
    return troops / 100_000 + profile.economic_weight / 10


def layout(model: EscalationModel) -> dict[str, tuple[float, float]]:
    """Fixed positions: Russia and Ukraine at the centre, the West on an outer ring."""
    graph = model.alliance.graph
    centre = [model.challenger.name, model.target.name]
    ring = [node for node in graph.nodes if node not in centre]
    positions = nx.shell_layout(graph, nlist=[centre, ring])
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}


def this_weeks_signals(model: EscalationModel, week: int | None = None) -> list[Signal]:
    """Signals sent in the current week (they are delivered at the start of the next), or in
    ``week`` of the record."""
    if week is None or week >= model.week:
        return [s for s in model.outbox if s.week == model.week]
    return [s for s in model.signal_log if s.week == week]


def recent_arms_senders(
    model: EscalationModel, weeks: int = ARMS_MEMORY_WEEKS, week: int | None = None
) -> set[str]:
    """Actors that sent an arms delivery in this week (or ``week``) or the ``weeks`` - 1
    before it."""
    now = model.week if week is None else min(week, model.week)
    since = now - weeks + 1
    senders = {s.sender for s in this_weeks_signals(model, now) if s.kind == Kind.ARMS_DELIVERY}
    for signal in reversed(model.signal_log):  # newest first: read back to ``since`` only
        if signal.week < since:
            break
        if signal.kind == Kind.ARMS_DELIVERY and signal.week <= now:
            senders.add(signal.sender)
    return senders


def node_stance(model: EscalationModel, name: str, arming: set[str] | None = None) -> Stance:
    """One actor's stance (``actor_stance``) read from the model's state."""
    agent = model.actors[name]
    tier = model.sanction_tier
    if arming is None:
        arming = recent_arms_senders(model)
    return actor_stance(
        agent.role,
        agent.action,
        invasion=bool(model.invasion),
        rung=int(model.rung),
        massed=model.russian_troops > model.spec.invasion_calculus.peacetime_troops,
        imposing=agent.role in ("state", "union") and 0 < tier <= agent.sanction_backing,
        deployed=float(getattr(agent, "deployed", 0.0)),
        arming=name in arming,
    )


# A sender broadcasting one kind to this many receivers or more is drawn to its main receiver.
BROADCAST_RECEIVERS = 3
# At most this many arrows unless every signal is asked for: the strongest of the week.
STRONGEST_ARROWS = 12


def strongest_signals(
    signals: Sequence, challenger: str, target: str, most: int = STRONGEST_ARROWS
) -> tuple[list, dict[tuple[str, str, str], int]]:
    """The week's signals worth an arrow, and how many copies of each broadcast are hidden.

    Routine traffic is left out: sanction support sent among partners (the Western states do
    not read it, only Russia does), and the copies of a broadcast (one sender, one kind, many
    receivers) other than the one to its main receiver: Russia for everyone else, Ukraine
    for Russia. Of what is left, the signals of the ``most`` strongest sender-receiver pairs.
    Returns the kept signals and, per (sender, receiver, kind) kept, the copies not drawn.
    """
    kept = [
        s for s in signals if not (s.kind == Kind.SANCTION_SUPPORT and s.receiver != challenger)
    ]
    by_broadcast: dict[tuple[str, str], list] = {}
    for signal in kept:
        by_broadcast.setdefault((signal.sender, str(signal.kind)), []).append(signal)
    chosen, others = [], {}
    for (sender, kind), copies in by_broadcast.items():
        if len(copies) < BROADCAST_RECEIVERS:
            chosen.extend(copies)
            continue
        main = target if sender == challenger else challenger
        copy = next((s for s in copies if s.receiver == main), copies[0])
        chosen.append(copy)
        others[(sender, copy.receiver, kind)] = len(copies) - 1
    strength: dict[tuple[str, str], float] = {}
    for signal in chosen:
        pair = (signal.sender, signal.receiver)
        strength[pair] = max(strength.get(pair, 0.0), float(signal.intensity))
    ranked = sorted(strength, key=lambda pair: (-strength[pair], pair))[:most]
    top = set(ranked)
    return [s for s in chosen if (s.sender, s.receiver) in top], others


def _recorded_nodes(
    model: EscalationModel, week: int, positions: Mapping[str, tuple[float, float]]
) -> tuple[Node, ...]:
    """The actors as an earlier week's record shows them (``actor_stance`` of its rows)."""
    row, agents = recorded(model).model[week], recorded(model).agents[week]
    deployed = {
        s.sender for s in model.signal_log if s.week <= week and s.kind == Kind.FLANK_DEPLOYMENT
    }
    arming = recent_arms_senders(model, week=week)
    tier = row.get("sanction_tier", 0)
    troops = row.get("russian_troops", model.russian_troops)
    massed = troops > model.spec.invasion_calculus.peacetime_troops
    nodes = []
    for agent in agents:
        name, role, action = agent["actor"], agent["role"], agent.get("action", "none")
        backs = agent.get("sanction_backing", 0)
        stance = actor_stance(
            role,
            action,
            invasion=bool(row.get("invasion", False)),
            rung=int(row.get("rung", Rung.STATUS_QUO)),
            massed=massed,
            imposing=role in ("state", "union") and 0 < tier <= backs,
            deployed=1.0 if name in deployed else 0.0,
            arming=name in arming,
        )
        size = capability(model, name, troops, row.get("ukraine_capability"))
        x, y = positions[name]
        nodes.append(Node(name, role, action, stance, size, x, y, action_stance(action)))
    return tuple(nodes)


def network_view(
    model: EscalationModel, all_signals: bool = False, week: int | None = None
) -> NetworkView:
    """Nodes, typed edges and this week's signals, ready to draw; those of ``week`` (from the
    record, with the ties' weights the session kept) if it is an earlier one.

    Only the week's strongest signals are drawn, routine broadcasts left out (see
    ``strongest_signals``), unless ``all_signals``.
    """
    positions = layout(model)
    shown = model.week if week is None else min(week, model.week)
    if shown < model.week:
        nodes = _recorded_nodes(model, shown, positions)
    else:
        arming = recent_arms_senders(model)
        nodes = tuple(
            Node(
                name=name,
                role=agent.role,
                action=agent.action,
                stance=node_stance(model, name, arming),
                capability=capability(model, name),
                x=positions[name][0],
                y=positions[name][1],
                action_stance=action_stance(agent.action),
            )
            for name, agent in model.actors.items()
        )
    edges = tuple(
        Edge(u, v, kind, weight)
        for (u, v, kind), weight in zip(
            model.alliance.graph.edges(keys=True), edge_weights(model, shown), strict=True
        )
    )
    week_signals = this_weeks_signals(model, shown)
    if all_signals:
        drawn, others = week_signals, {}
    else:
        challenger, target = model.challenger.name, model.target.name
        drawn, others = strongest_signals(week_signals, challenger, target)
    grouped: dict[tuple[str, str], list] = {}
    for signal in drawn:
        grouped.setdefault((signal.sender, signal.receiver), []).append(signal)
    signals = []
    for (sender, receiver), sent in sorted(grouped.items()):
        kinds = tuple(sorted({str(s.kind) for s in sent}))
        intensity = max(s.intensity for s in sent)
        hidden = max(others.get((sender, receiver, kind), 0) for kind in kinds)
        arrow = SignalArrow(sender, receiver, kinds, intensity, signal_stance(kinds), hidden)
        signals.append(arrow)
    return NetworkView(
        shown,
        week_date(model, shown),
        nodes,
        edges,
        tuple(signals),
        sent=len(week_signals),
        drawn=len(drawn),
    )


def edge_weights(model: EscalationModel, week: int | None = None) -> list[float]:
    """The weight of every tie (in the graph's edge order) in ``week``, default this one.

    An earlier week's are those the session's run kept (``InteractiveRun.edge_weights``);
    a model that kept none shows today's trust and that week's gas flow.
    """
    graph = model.alliance.graph
    now = [float(data.get("weight", 1.0)) for *_, data in graph.edges(keys=True, data=True)]
    if week is None or week >= model.week:
        return now
    kept = getattr(model, "edge_weights", None)
    found = kept(week) if callable(kept) else None
    if found is not None and len(found) == len(now):
        return list(found)
    flow = recorded(model).model[week].get("gas_flow", 1.0)
    return [
        data["contract"] * flow if "contract" in data else weight
        for (*_, data), weight in zip(graph.edges(keys=True, data=True), now, strict=True)
    ]


def shown_week(model: EscalationModel, week: int | None) -> int:
    """The week a view shows: ``week`` within the weeks run so far, the latest if None."""
    return model.week if week is None else max(0, min(int(week), model.week))


def week_date(model: EscalationModel, week: int) -> dt.date:
    """The calendar date of a week of the run."""
    return model.spec.world.start_date + dt.timedelta(weeks=week)


def weekly(model: EscalationModel, week: int | None = None) -> Mapping[str, Sequence]:
    """The model's weekly record so far (or up to ``week``), column -> one value per week.

    It is the record Mesa's collector keeps (``model_vars``), read as is (do not change it):
    the six charts read it every week, and building a DataFrame from it would cost more than
    drawing them.
    """
    record = model.datacollector.model_vars
    if week is None or week >= model.week:
        return record
    return {column: values[: week + 1] for column, values in record.items()}


def horizon_dates(model: EscalationModel) -> tuple[dt.date, dt.date]:
    """First and last date of the run, so time axes do not rescale as weeks are added."""
    start = model.spec.world.start_date
    return start, start + dt.timedelta(weeks=model.horizon)


SIGNAL_TABLE_COLUMNS = ("from", "to", "signal", "strength")


def signal_name(kind: str) -> str:
    """A kind of signal as words: ``sanction_threat`` -> ``sanction threat``."""
    return str(kind).replace("_", " ")


def signal_rows(
    model: EscalationModel, week: int | None = None
) -> list[tuple[str, tuple[str, ...], str, float]]:
    """This week's (or ``week``'s) signals as (sender, receivers, kind, intensity) rows,
    strongest first.

    One row per message: a sender's signal of one kind and intensity to many receivers (a
    broadcast) is one row naming them all. Plain tuples: the app writes them straight into an
    HTML table every week, which a DataFrame and ``to_html`` would make several ms slower.
    """
    grouped: dict[tuple[str, str, float], list[str]] = {}
    for s in this_weeks_signals(model, week):
        key = (s.sender, str(s.kind), round(float(s.intensity), 3))
        grouped.setdefault(key, []).append(s.receiver)
    rows = [
        (sender, tuple(receivers), kind, intensity)
        for (sender, kind, intensity), receivers in grouped.items()
    ]
    rows.sort(key=lambda row: (-row[3], row[0], row[2]))
    return rows


def history_csv(model: EscalationModel, table: str = "model") -> str:
    """One of the run's history tables as CSV text, for the download button."""
    frame = model.history()[table]
    if table == "signals":
        frame = frame[list(SIGNAL_COLUMNS)]
    return frame.to_csv(index=False)


def run_title(model: EscalationModel, week: int | None = None) -> str:
    """A one-line description of the run and where it stands (or stood in ``week``)."""
    seed = getattr(model, "seed_used", None)
    if week is not None and week < model.week:
        row = recorded(model).model[week]
        invaded = model.invasion_week is not None and model.invasion_week <= week
        status = f"invasion in week {model.invasion_week}" if invaded else row["rung_name"]
        state = f"week {week}/{model.horizon} ({week_date(model, week):%d %b %Y})"
        at = f"the run is at week {model.week}"
        return f"{model.spec.name}, seed {seed}: {state} — {status} ({at})"
    state = f"week {model.week}/{model.horizon} ({model.date:%d %b %Y})"
    status = f"invasion in week {model.invasion_week}" if model.invasion else model.rung_name
    return f"{model.spec.name}, seed {seed}: {state} — {status}"


# --- the recorded weeks: the narrative, the events, an actor's trajectories -------------------


@dataclass(frozen=True)
class Recorded:
    """A run's record as table rows, read once for each week the model reaches.

    Every view of an earlier week (the scrubber), the narrative, the events on the charts and
    the inspector read these rows, never a rerun; a week once recorded never changes, so its
    narrative is kept once told.
    """

    week: int  # the model's week when read
    model: tuple[dict[str, Any], ...]  # by week
    agents: tuple[tuple[dict[str, Any], ...], ...]  # by week
    events: tuple[Event, ...]
    told: dict[int, list[str]] = field(default_factory=dict)  # narratives by week


_RECORDED: weakref.WeakKeyDictionary[EscalationModel, Recorded] = weakref.WeakKeyDictionary()


def _rows(columns: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def signal_row(signal: Signal) -> dict[str, Any]:
    """A signal as a row of the ``signals`` table (without its date)."""
    return {
        "week": signal.week,
        "sender": signal.sender,
        "receiver": signal.receiver,
        "kind": str(signal.kind),
        "intensity": signal.intensity,
        "cost": signal.cost,
    }


def _all_signals(model: EscalationModel) -> Iterable[Signal]:
    return itertools.chain(model.signal_log, model.outbox)


def recorded(model: EscalationModel) -> Recorded:
    """The run's record as rows, read anew only when the model has moved on a week."""
    kept = _RECORDED.get(model)
    if kept is not None and kept.week == model.week:
        return kept
    columns = model.history_columns(("model", "agents"))
    model_rows = _rows(columns["model"])
    agents: list[list[dict[str, Any]]] = [[] for _ in model_rows]
    agent_rows = _rows(columns["agents"])
    for row in agent_rows:
        agents[row["week"]].append(row)
    marking = (signal_row(s) for s in _all_signals(model) if s.kind in EVENT_SIGNALS)
    events = tuple(run_events(model_rows, agent_rows, marking))
    told = kept.told if kept is not None else {}
    fresh = Recorded(model.week, tuple(model_rows), tuple(map(tuple, agents)), events, told)
    _RECORDED[model] = fresh
    return fresh


def week_record(model: EscalationModel, week: int) -> WeekRecord:
    """One recorded week of the run: its model row, actors' rows and signals sent."""
    kept = recorded(model)
    signals = [signal_row(s) for s in this_weeks_signals(model, week)]
    return WeekRecord(kept.model[week], kept.agents[week], signals)


def narrative(model: EscalationModel, week: int | None = None) -> list[str]:
    """The sentences telling this week (or ``week``) of the run (``viz.narrative``)."""
    shown = model.week if week is None else max(0, min(week, model.week))
    told = recorded(model).told
    if shown not in told:
        previous = week_record(model, shown - 1) if shown > 0 else None
        told[shown] = week_narrative(week_record(model, shown), previous)
    return told[shown]


def events(model: EscalationModel, week: int | None = None) -> tuple[Event, ...]:
    """The run's dated events so far (or up to ``week``), for the time charts' markers."""
    found = recorded(model).events
    if week is None or week >= model.week:
        return found
    return tuple(e for e in found if e.week <= week)


#: The inspector's columns of the agents table, and the tier in force from the model table.
TRAJECTORY_COLUMNS = (
    "resolve",
    "threat",
    "belief",
    "energy_exposure",
    "cost",
    "sanction_support",
)


def actor_trajectories(
    model: EscalationModel, actor: str, week: int | None = None
) -> dict[str, list[Any]]:
    """One actor's recorded numbers from week 0 to this week (or ``week``), as chart columns.

    Column -> one value per week: ``week``, ``date``, the agents table's
    ``TRAJECTORY_COLUMNS`` (NaN where a week has no value) and ``sanction_tier``, the tier in
    force, beside the one the actor backs.
    """
    kept = recorded(model)
    last = model.week if week is None else max(0, min(week, model.week))
    columns: dict[str, list[Any]] = {
        name: [] for name in ("week", "date", *TRAJECTORY_COLUMNS, "sanction_tier")
    }
    for w in range(last + 1):
        row = next((r for r in kept.agents[w] if r["actor"] == actor), {})
        columns["week"].append(w)
        columns["date"].append(kept.model[w]["date"])
        for name in TRAJECTORY_COLUMNS:
            value = row.get(name)
            columns[name].append(math.nan if value is None else float(value))
        columns["sanction_tier"].append(float(kept.model[w].get("sanction_tier", math.nan)))
    return columns


def actor_role(model: EscalationModel, actor: str) -> str:
    """An actor's role: challenger, target, state or union."""
    return model.actors[actor].role
