"""Data shaping for the app's views: plain tables and records, no drawing and no Solara.

Everything here reads the live model (or its history) and returns what a figure or table needs,
so the shapes can be tested without a browser and the drawing code stays small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from model import EscalationModel
from model.escalation import SIGNAL_COLUMNS
from world.ladder import Rung
from world.signals import Kind, Stance, action_stance, sharpest


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


def capability(model: EscalationModel, actor: str) -> float:
    """A comparable size for each actor: deployable troops (100k) plus economic weight ($10tn).

    Russia's troops are its current massed troops; Ukraine's forces are scaled by its
    capability, which grows with training and arms aid during a run.
    """
    agent = model.actors[actor]
    profile = agent.profile
    if agent.role == "challenger":
        troops = model.russian_troops
    elif agent.role == "target":
        troops = profile.forces * model.ukraine_capability
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


def this_weeks_signals(model: EscalationModel) -> list[tuple]:
    """Signals sent in the current week (they are delivered at the start of the next)."""
    return [s for s in model.outbox if s.week == model.week]


def recent_arms_senders(model: EscalationModel, weeks: int = ARMS_MEMORY_WEEKS) -> set[str]:
    """Actors that sent an arms delivery in this week or the ``weeks`` - 1 before it."""
    since = model.week - weeks + 1
    senders = {s.sender for s in this_weeks_signals(model) if s.kind == Kind.ARMS_DELIVERY}
    for signal in reversed(model.signal_log):  # newest first: read back to ``since`` only
        if signal.week < since:
            break
        if signal.kind == Kind.ARMS_DELIVERY:
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


def network_view(model: EscalationModel, all_signals: bool = False) -> NetworkView:
    """Nodes, typed edges and this week's signals, ready to draw.

    Only the week's strongest signals are drawn, routine broadcasts left out (see
    ``strongest_signals``), unless ``all_signals``.
    """
    positions = layout(model)
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
        Edge(u, v, kind, float(data.get("weight", 1.0)))
        for u, v, kind, data in model.alliance.graph.edges(keys=True, data=True)
    )
    week = this_weeks_signals(model)
    if all_signals:
        shown, others = week, {}
    else:
        shown, others = strongest_signals(week, model.challenger.name, model.target.name)
    grouped: dict[tuple[str, str], list] = {}
    for signal in shown:
        grouped.setdefault((signal.sender, signal.receiver), []).append(signal)
    signals = []
    for (sender, receiver), sent in sorted(grouped.items()):
        kinds = tuple(sorted({str(s.kind) for s in sent}))
        intensity = max(s.intensity for s in sent)
        hidden = max(others.get((sender, receiver, kind), 0) for kind in kinds)
        arrow = SignalArrow(sender, receiver, kinds, intensity, signal_stance(kinds), hidden)
        signals.append(arrow)
    return NetworkView(
        model.week, model.date, nodes, edges, tuple(signals), sent=len(week), drawn=len(shown)
    )


def weekly(model: EscalationModel) -> Mapping[str, Sequence]:
    """The model's weekly record so far, column -> one value per week (read-only).

    It is the record Mesa's collector keeps (``model_vars``), read as is: the six charts read
    it every week, and building a DataFrame from it would cost more than drawing them.
    """
    return model.datacollector.model_vars


def horizon_dates(model: EscalationModel) -> tuple[dt.date, dt.date]:
    """First and last date of the run, so time axes do not rescale as weeks are added."""
    start = model.spec.world.start_date
    return start, start + dt.timedelta(weeks=model.horizon)


SIGNAL_TABLE_COLUMNS = ("from", "to", "signal", "strength")


def signal_name(kind: str) -> str:
    """A kind of signal as words: ``sanction_threat`` -> ``sanction threat``."""
    return str(kind).replace("_", " ")


def signal_rows(model: EscalationModel) -> list[tuple[str, tuple[str, ...], str, float]]:
    """This week's signals as (sender, receivers, kind, intensity) rows, strongest first.

    One row per message: a sender's signal of one kind and intensity to many receivers (a
    broadcast) is one row naming them all. Plain tuples: the app writes them straight into an
    HTML table every week, which a DataFrame and ``to_html`` would make several ms slower.
    """
    grouped: dict[tuple[str, str, float], list[str]] = {}
    for s in this_weeks_signals(model):
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


def run_title(model: EscalationModel) -> str:
    """A one-line description of the run and where it stands."""
    state = f"week {model.week}/{model.horizon} ({model.date:%d %b %Y})"
    status = f"invasion in week {model.invasion_week}" if model.invasion else model.rung_name
    seed = getattr(model, "seed_used", None)
    return f"{model.spec.name}, seed {seed}: {state} — {status}"
