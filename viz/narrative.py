"""The week in words and the run's dated events, read from the tidy history tables.

Pure functions over rows (column -> value mappings) of the ``model``, ``agents`` and ``signals``
tables of ``EscalationModel.history()``: they read any run (one stepped in the app, a replayed
or stored one) and are tested without a browser. The model is still changing, so every column
but the week is read with a fallback: an actor's moves come from the per-track actions
(``military_action``, ``diplomatic_action``, ``economic_action``) where the table has them,
from ``action`` otherwise, and from the signals it sent (the lead state's offers beside its
talks; everything, for an agents table without actions).

A week's narrative is one to four sentences, most important first: Russia's moves, the West's
(actors doing the same thing named together), what changed in the world (sanction tier, talks,
gas, the ladder), Ukraine's. A move repeated by the same actors as the week before reads "again"
and counts for less; the West's routine talks are left out unless they are new.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES, TALKS_NAMES, TOP_TIER, Talks

Row = Mapping[str, Any]

#: Per-track action columns a rewritten agents table may carry beside ``action``.
TRACK_COLUMNS = ("military_action", "diplomatic_action", "economic_action")
#: Actions that are no move at all.
IDLE = frozenset({"", "none", "hold"})
#: Actions named otherwise than the signal they send: one name for both.
SAME_MOVE = {"invade": "invasion"}
#: Signals read from the state rather than as a move (the tier in force, each actor's backing).
STATE_SIGNALS = frozenset({"sanctions", "sanction_support"})
MOST_SENTENCES = 4
MOST_CLAUSES = 3  # in one sentence
MOST_PHRASES = 2  # moves told of one group of actors
MOST_NAMED = 6  # actors named in a group; more read as two and a count
# Russia's moves drive the crisis: its sentence leads unless something weighs this much more.
CHALLENGER_LEAD = 20.0
REPEAT_WEIGHT = 0.5  # a move repeated by the same actors counts for this share of a new one
EXPOSED = 0.3  # energy exposure (0-1) from which an actor reads as exposed to a gas cut-off
STORAGE_MARKS = ((0.5, "half full"), (0.33, "a third full"), (0.25, "a quarter full"))
SHORT_NAMES = {
    "United States": "the US",
    "United Kingdom": "the UK",
    "EU": "the EU",
    "European Union": "the EU",
    "NATO": "NATO",
}
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# What each move says, by who makes it: (phrase, weight); {troops}, {tier} and {flank} are
# filled from the week's rows. Weights order the sentences and clauses (100: an invasion).
CHALLENGER_MOVES = {
    "invasion": ("launched a full-scale invasion of Ukraine with {troops} troops", 100.0),
    "nuclear_threat": ("threatened the use of nuclear weapons", 95.0),
    "limited_incursion": ("sent troops into Donbas in a limited incursion", 90.0),
    "recognition": ("recognised the separatist republics in Donbas", 85.0),
    "pull_back": ("pulled forces back, to {troops} near Ukraine", 60.0),
    "energy_pressure": ("squeezed gas deliveries to Europe (flow down to {flow})", 60.0),
    "demands": ("presented written demands on NATO", 55.0),
    "build_up": ("raised its forces near Ukraine to {troops}", 50.0),
    "hybrid_action": ("stepped up hybrid attacks on Ukraine", 40.0),
    "continue_war": ("pressed on with the war", 20.0),
    "talks": ("offered talks", 15.0),
}
WESTERN_MOVES = {
    "concession": ("offered a moratorium on NATO enlargement", 60.0),
    "freeze_offer": ("offered to freeze game-changing arms aid for a pull-back", 55.0),
    "written_response": ("answered Russia's demands in writing, offering arms control", 45.0),
    "missile_threat": ("warned of missiles near Russia should it invade", 45.0),
    "flank_deployment": ("sent troops to NATO's eastern flank ({flank} there now)", 40.0),
    "sanction_threat": ("threatened {tier}", 35.0),
    "arms_delivery": ("delivered arms to Ukraine", 35.0),
    "talks": ("opened talks with Moscow", 10.0),
}
TARGET_MOVES = {
    "donbas_offensive": ("launched an offensive in Donbas", 70.0),
    "minsk_concession": ("offered concessions under the Minsk agreements", 45.0),
    "mobilisation": ("mobilised reservists", 25.0),
    "aid_request": ("asked its partners for arms", 20.0),
    "talks": ("offered talks", 15.0),
}
MOVES_OF_ROLE = {"challenger": CHALLENGER_MOVES, "target": TARGET_MOVES}
# A repeated move said otherwise than with "again".
REPEATED = {
    "demands": "pressed its demands on NATO",
    "continue_war": "pressed on with the war",
    "talks": "kept up talks",
}
# Russian moves that say the rung they reach: no separate "the crisis climbed to ..." then.
RUNG_MOVES = frozenset({"limited_incursion", "invasion", "nuclear_threat"})
# How each rung reads in a sentence, where its name alone does not.
RUNG_PHRASES = {
    "status quo": "the status quo",
    "limited incursion": "a limited incursion",
    "full-scale invasion": "full-scale war",
    "direct NATO-Russia clash": "a direct NATO-Russia clash",
    "nuclear threat": "a nuclear threat",
}
# How each sanction tier reads in a sentence; every phrase holds the tier's name.
TIER_PHRASES = {
    "none": "no sanctions",
    "targeted": "targeted sanctions",
    "banks": "sanctions on banks",
    "SWIFT cut-off": "a SWIFT cut-off",
    "export controls": "export controls",
    "energy embargo": "an energy embargo",
}


@dataclass(frozen=True)
class WeekRecord:
    """One week of a run: its ``model`` row, the actors' rows and the signals sent that week."""

    model: Row
    agents: Sequence[Row] = ()
    signals: Sequence[Row] = ()

    @property
    def week(self) -> int:
        return int(self.model["week"])

    @cached_property
    def moves(self) -> dict[str, list[str]]:
        """Each actor's moves of the week, in table order.

        The actions on every track (or ``action``), then the signals it sent that its actions
        do not name (the lead state's offers beside its talks); sanctions in force and each
        actor's backing are read from the state instead.
        """
        found: dict[str, list[str]] = {}
        for row in self.agents:
            own = found.setdefault(str(row.get("actor")), [])
            for column in (*TRACK_COLUMNS, "action"):
                value = row.get(column)
                if isinstance(value, str) and value not in IDLE:
                    move = SAME_MOVE.get(value, value)
                    if move not in own:
                        own.append(move)
        for row in self.signals:
            kind = str(row.get("kind"))
            if kind in STATE_SIGNALS:
                continue
            own = found.setdefault(str(row.get("sender")), [])
            if kind not in own:
                own.append(kind)
        return found

    @cached_property
    def roles(self) -> dict[str, str]:
        """Each actor's role (challenger, target, state, union) from the agents rows."""
        return {str(row.get("actor")): str(row.get("role", "")) for row in self.agents}


@dataclass(frozen=True, slots=True)
class Event:
    """A dated turn of the run, drawn as a marked line on the time charts."""

    week: int
    date: dt.date
    kind: str  # invasion, sanctions, flank, agreement, recognition, incursion
    label: str  # a few words beside the line
    text: str  # a sentence, for the tooltip


# --- words -------------------------------------------------------------------------------------


def actor_name(name: str) -> str:
    """How an actor reads in a sentence: ``United States`` -> ``the US``."""
    return SHORT_NAMES.get(name, name)


def join_actors(names: Sequence[str]) -> str:
    """Actors named together: ``the US and UK``, ``Poland, Lithuania, Latvia and Estonia``.

    Up to six are named; more read as the first two and a count of the others.
    """
    shown = [actor_name(n) for n in names]
    if len(shown) > MOST_NAMED:
        others = len(shown) - 2
        count = NUMBER_WORDS[others] if others < len(NUMBER_WORDS) else str(others)
        shown = [*shown[:2], f"{count} others"]
    # "the US, UK and EU": the article once for a run of names that take it
    for i in range(len(shown) - 1, 0, -1):
        if shown[i].startswith("the ") and shown[i - 1].startswith("the "):
            shown[i] = shown[i][4:]
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def troops_text(troops: float) -> str:
    """Troops rounded to thousands: ``112,000``."""
    return f"{round(float(troops) / 1000.0) * 1000:,.0f}"


def tier_name(tier: float) -> str:
    """A sanction tier's name (``world.ladder.SANCTION_TIER_NAMES``)."""
    return SANCTION_TIER_NAMES.get(round(float(tier)), f"tier {float(tier):g}")


def tier_phrase(tier: float) -> str:
    """A sanction tier as words in a sentence: ``a SWIFT cut-off``, ``sanctions on banks``."""
    name = tier_name(tier)
    return TIER_PHRASES.get(name, f"sanctions up to {name}")


def rung_phrase(name: str) -> str:
    """A rung's name as words in a sentence: ``a direct NATO-Russia clash``."""
    return RUNG_PHRASES.get(name, name)


def _sentence(clauses: Sequence[str]) -> str:
    text = "; ".join(clauses)
    return f"{text[:1].upper()}{text[1:]}."


def _list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def number(row: Row, column: str) -> float | None:
    """A numeric cell, None where the table has no such column or no value (None, NaN)."""
    value = row.get(column)
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def _truthy(value: Any) -> bool:
    return bool(value) and value == value  # NaN (a missing value) is no


def _date(value: Any) -> dt.date:
    """A row's date as a ``datetime.date`` (a pandas Timestamp in a DataFrame's rows)."""
    return value.date() if isinstance(value, dt.datetime) else value


# --- reading the rows --------------------------------------------------------------------------


def _threatened_tier(record: WeekRecord, sender: str) -> float | None:
    """The sanction tier ``sender`` threatened this week, from its signal's intensity."""
    for row in record.signals:
        if row.get("sender") == sender and row.get("kind") == "sanction_threat":
            return float(row.get("intensity", 0.0)) * TOP_TIER
    return None


# The words a phrase loses when the number it would give is not in the table.
UNKNOWN_NUMBERS = {
    "troops": (", to {troops} near Ukraine", " to {troops}", " with {troops} troops"),
    "flank": (" ({flank} there now)",),
    "flow": (" (flow down to {flow})",),
}


def _fill(phrase: str, record: WeekRecord, tier: float | None) -> str:
    """A move's phrase with the week's numbers (troops, flank, flow) and threatened tier."""
    model = record.model
    troops, flank = number(model, "russian_troops"), number(model, "eastern_flank_troops")
    flow = number(model, "gas_flow")
    values = {
        "troops": troops_text(troops) if troops is not None else None,
        "flank": troops_text(flank) if flank is not None else None,
        "flow": f"{flow:.0%} of contract" if flow is not None else None,
    }
    for name, value in values.items():
        if value is None:
            for words in UNKNOWN_NUMBERS[name]:
                phrase = phrase.replace(words, "")
    return phrase.format(**values, tier=tier_phrase(tier) if tier is not None else "sanctions")


def _phrase(role: str, move: str) -> tuple[str, float]:
    table = MOVES_OF_ROLE.get(role, WESTERN_MOVES)
    for moves_ in (table, CHALLENGER_MOVES, WESTERN_MOVES, TARGET_MOVES):
        if move in moves_:
            return moves_[move]
    return f"chose {move.replace('_', ' ')}", 10.0


def _moves_of(record: WeekRecord | None, role: str) -> dict[str, list[str]]:
    """The moves of the actors of one role (``"west"``: states and unions)."""
    if record is None:
        return {}
    of_role = record.roles

    def wanted(actor: str) -> bool:
        found = of_role.get(actor, "state")
        return found not in ("challenger", "target") if role == "west" else found == role

    return {a: m for a, m in record.moves.items() if wanted(a) and m}


# --- the sentences -----------------------------------------------------------------------------


def _side_sentence(
    record: WeekRecord, previous: WeekRecord | None, role: str
) -> tuple[float, str] | None:
    """Russia's or Ukraine's moves as one sentence, with its weight."""
    now = _moves_of(record, role)
    before = _moves_of(previous, role)
    if not now:
        return None
    actor, done = next(iter(now.items()))
    clauses = []
    for move in done:
        phrase, weight = _phrase(role, move)
        if move in before.get(actor, ()):
            weight *= REPEAT_WEIGHT
            phrase = REPEATED.get(move, f"again {phrase}")
        clauses.append((weight, _fill(phrase, record, None)))
    if role == "challenger" and not {"build_up", "pull_back", "invasion"} & set(done):
        moved = _troops_moved(record, previous)
        if moved:
            clauses.append((30.0, moved))
    clauses.sort(key=lambda c: -c[0])
    kept = [text for _, text in clauses[:MOST_CLAUSES]]
    lead = CHALLENGER_LEAD if role == "challenger" else 0.0
    return clauses[0][0] + lead, f"{actor_name(actor)} {_list(kept)}."


def _troops_moved(record: WeekRecord, previous: WeekRecord | None) -> str | None:
    if previous is None:
        return None
    now = number(record.model, "russian_troops")
    before = number(previous.model, "russian_troops")
    if now is None or before is None or round(now, -3) == round(before, -3):
        return None
    way = "rose" if now > before else "fell"
    return f"saw its forces near Ukraine {way} to {troops_text(now)}"


def _western_clauses(record: WeekRecord, previous: WeekRecord | None) -> list[tuple[float, str]]:
    """The West's moves, the actors doing the same thing named together.

    Talks are routine: mentioned only in the week they open (no Western actor talked the
    week before); their level is told among the changes of state.
    """
    now = _moves_of(record, "west")
    before = _moves_of(previous, "west")
    talked = any("talks" in done for done in before.values())
    groups: dict[tuple[str, float | None], list[str]] = {}
    for actor, done in now.items():
        for move in done:
            if move == "talks" and talked:
                continue
            tier = _threatened_tier(record, actor) if move == "sanction_threat" else None
            groups.setdefault((move, tier), []).append(actor)
    by_actors: dict[tuple[str, ...], list[tuple[bool, float, str]]] = {}
    for (move, tier), actors in groups.items():
        phrase, weight = _phrase("state", move)
        repeated = previous is not None and all(move in before.get(a, ()) for a in actors)
        if repeated:
            weight *= REPEAT_WEIGHT
            phrase = REPEATED.get(move, f"again {phrase}")
        entry = (repeated, weight, _fill(phrase, record, tier))
        by_actors.setdefault(tuple(actors), []).append(entry)
    clauses = []
    for actors, phrases in by_actors.items():
        # What is new for these actors, or else the weightiest of their repeated moves.
        phrases.sort(key=lambda p: -p[1])
        new = [p for p in phrases if not p[0]] or phrases[:1]
        kept = new[:MOST_PHRASES]
        clauses.append((kept[0][1], f"{join_actors(actors)} {_list([p[2] for p in kept])}"))
    clauses.extend(_backing_clauses(record, previous))
    return clauses


def _backing_clauses(record: WeekRecord, previous: WeekRecord | None) -> list[tuple[float, str]]:
    """Western actors whose backing for sanctions changed (or, at the start, what each backs)."""
    rows = [r for r in record.agents if r.get("role") in ("state", "union")]
    if not rows or "sanction_support" not in rows[0]:
        return []
    if previous is None:
        return [(30.0, _backing_at_start(rows))]
    before = {r.get("actor"): number(r, "sanction_support") for r in previous.agents}
    changed: dict[tuple[bool, int], list[Row]] = {}
    for row in rows:
        old, new = before.get(row.get("actor")), number(row, "sanction_support")
        if old is None or new is None or round(old) == round(new):
            continue
        changed.setdefault((new > old, round(new)), []).append(row)
    clauses = []
    for (rose, tier), group in changed.items():
        names = join_actors([str(r.get("actor")) for r in group])
        if rose:
            clauses.append((30.0, f"{names} now backed {tier_phrase(tier)}"))
            continue
        exposed = all((number(r, "energy_exposure") or 0.0) >= EXPOSED for r in group)
        why = ", exposed to a gas cut-off," if exposed else ""
        backed = f"backed only {tier_phrase(tier)}" if tier else "no longer backed any sanctions"
        clauses.append((30.0, f"{names}{why} {backed}"))
    return clauses


def _backing_at_start(rows: Sequence[Row]) -> str:
    """Who backs which tier at the start, the most resolute first."""
    by_tier: dict[int, list[Row]] = {}
    for row in rows:
        by_tier.setdefault(round(number(row, "sanction_support") or 0.0), []).append(row)
    tiers = sorted(by_tier, reverse=True)
    top = by_tier[tiers[0]]
    parts = [f"{join_actors([str(r.get('actor')) for r in top])} backed {tier_phrase(tiers[0])}"]
    top_exposure = max(number(r, "energy_exposure") or 0.0 for r in top)
    for tier in tiers[1:]:
        group = by_tier[tier]
        names = join_actors([str(r.get("actor")) for r in group])
        more = sum(number(r, "energy_exposure") or 0.0 for r in group) / len(group)
        why = ", more exposed to a gas cut-off," if more > top_exposure else ""
        parts.append(
            f"{names}{why} only {tier_phrase(tier)}" if tier else f"{names}{why} none at all"
        )
    return "; ".join(parts)


def _state_clauses(
    record: WeekRecord, previous: WeekRecord, russian_moves: Sequence[str]
) -> list[tuple[float, str]]:
    """What changed in the world this week: invasion, sanctions, talks, gas, the ladder."""
    now, before = record.model, previous.model
    clauses: list[tuple[float, str]] = []
    began = _truthy(now.get("invasion")) and not _truthy(before.get("invasion"))
    if began and "invasion" not in russian_moves:
        clauses.append((100.0, "the full-scale invasion began"))
    tier, old_tier = number(now, "sanction_tier"), number(before, "sanction_tier")
    if tier is not None and old_tier is not None and round(tier) != round(old_tier):
        if tier > old_tier:
            clauses.append((85.0, f"the West imposed {tier_phrase(tier)}"))
        elif round(tier) == 0:
            clauses.append((60.0, "the West lifted its sanctions"))
        else:
            clauses.append((60.0, f"the West eased its sanctions to {tier_phrase(tier)}"))
    clauses.extend(_talks_clause(now.get("talks"), before.get("talks")))
    clauses.extend(_gas_clauses(now, before, squeezed="energy_pressure" in russian_moves))
    rung, old_rung = number(now, "rung"), number(before, "rung")
    if rung is not None and old_rung is not None and rung != old_rung:
        words = rung_phrase(now.get("rung_name") or RUNG_NAMES.get(round(rung), f"{rung:g}"))
        if rung > old_rung and not RUNG_MOVES & set(russian_moves):
            clauses.append((30.0 + 10.0 * max(0, int(rung) - 4), f"the crisis climbed to {words}"))
        elif rung < old_rung:
            clauses.append((15.0, f"the crisis fell back a rung, to {words}"))
    return clauses


def _talks_level(name: Any) -> int | None:
    return next((int(level) for level, n in TALKS_NAMES.items() if n == name), None)


def _talks_clause(now: Any, before: Any) -> list[tuple[float, str]]:
    if now is None or before is None or now == before:
        return []
    level, old = _talks_level(now), _talks_level(before)
    if level == Talks.AGREEMENT:
        return [(90.0, "a deal was agreed in the talks")]
    if level == Talks.BROKEN_OFF:
        return [(70.0, "talks broke off")]
    if level is not None and old is not None and level < old:
        return [(25.0, f"talks fell back to {now}")]
    return [(40.0, f"talks moved up to {now}")]


def _gas_clauses(now: Row, before: Row, squeezed: bool = False) -> list[tuple[float, str]]:
    """Gas flow and EU storage; a cut Russia's own move names (``squeezed``) is not repeated."""
    clauses = []
    flow, old_flow = number(now, "gas_flow"), number(before, "gas_flow")
    if flow is not None and old_flow is not None and abs(flow - old_flow) >= 0.005:
        share = f"{flow:.0%} of contract"
        if flow < old_flow and squeezed:
            pass
        elif flow < old_flow:
            clauses.append((55.0, f"Russian gas flow to Europe fell to {share}"))
        else:
            clauses.append((15.0, f"gas flow recovered to {share}"))
    storage, old_storage = number(now, "eu_gas_storage"), number(before, "eu_gas_storage")
    if storage is not None and old_storage is not None:
        for mark, words in STORAGE_MARKS:
            if storage < mark <= old_storage:
                clauses.append((45.0, f"EU gas storage fell below {words}"))
                break
            if old_storage < mark <= storage:
                clauses.append((15.0, f"EU gas storage rose above {words}"))
                break
    return clauses


def _opening(record: WeekRecord) -> tuple[float, str]:
    """The state a run starts from (week 0, before any move)."""
    model = record.model
    facts = []
    troops, tier = number(model, "russian_troops"), number(model, "sanction_tier")
    storage, rung = number(model, "eu_gas_storage"), number(model, "rung")
    if troops is not None:
        facts.append(f"Russia has {troops_text(troops)} troops near Ukraine")
    if tier is not None:
        in_force = f"sanctions up to {tier_name(tier)} are in force"
        facts.append("no sanctions are in force" if round(tier) == 0 else in_force)
    if storage is not None:
        facts.append(f"EU gas storage is {storage:.0%} full")
    name = model.get("rung_name") or (RUNG_NAMES.get(round(rung), "") if rung is not None else "")
    date = _date(model.get("date"))
    start = f"The run starts on {date:%d %b %Y}" if isinstance(date, dt.date) else "The run starts"
    if name:
        start += f" at {rung_phrase(str(name))}"
    return 100.0, f"{start}: {_list(facts)}." if facts else f"{start}."


def week_narrative(record: WeekRecord, previous: WeekRecord | None = None) -> list[str]:
    """One to four sentences on the week, most important first.

    ``previous`` is the week before (None for a run's first week, which then reads as the
    state the run starts from). Built from the rows alone, so it reads any run.
    """
    sentences: list[tuple[float, str]] = []
    if previous is None:
        sentences.append(_opening(record))
    for role in ("challenger", "target"):
        side = _side_sentence(record, previous, role)
        if side is not None:
            sentences.append(side)
    west = sorted(_western_clauses(record, previous), key=lambda c: -c[0])[:MOST_CLAUSES]
    if west:
        sentences.append((west[0][0], _sentence([text for _, text in west])))
    if previous is not None:
        russian = next(iter(_moves_of(record, "challenger").values()), [])
        state = sorted(_state_clauses(record, previous, russian), key=lambda c: -c[0])
        state = state[:MOST_CLAUSES]
        if state:
            sentences.append((state[0][0], _sentence([text for _, text in state])))
    if not sentences:
        return ["A quiet week: no actor moved and nothing changed."]
    sentences.sort(key=lambda s: -s[0])  # stable: at equal weight, Russia, Ukraine, the West
    return [text for _, text in sentences[:MOST_SENTENCES]]


# --- events ------------------------------------------------------------------------------------

#: The moves that mark a run the first time they are made (when the state does not show them).
EVENT_MOVES = {
    "recognition": ("recognition", "recognition", "Russia recognised the separatist republics"),
    "limited_incursion": ("incursion", "incursion", "a limited incursion into Donbas"),
    "invasion": ("invasion", "invasion", "the full-scale invasion began"),
    "flank_deployment": ("flank", "flank deployment", "the first troops sent to NATO's flank"),
}
#: Signals that mark an event: enough to read the moves of ``EVENT_MOVES`` from.
EVENT_SIGNALS = frozenset(EVENT_MOVES)
EVENT_ORDER = ("invasion", "incursion", "recognition", "sanctions", "flank", "agreement")


def run_events(
    model_rows: Iterable[Row], agents_rows: Iterable[Row] = (), signals_rows: Iterable[Row] = ()
) -> list[Event]:
    """The run's dated events, in order: the invasion, every change of sanction tier, the first
    flank deployment, an agreement in the talks, recognition and a limited incursion.

    Read from the ``model`` rows where they show it, and otherwise from the first week an
    agents row (any action column) or a signal names the move.
    """
    rows = sorted(model_rows, key=lambda r: int(r["week"]))
    if not rows:
        return []
    date_of = {int(r["week"]): _date(r.get("date")) for r in rows}
    found: list[Event] = []

    def add(week: int, kind: str, label: str, text: str) -> None:
        date = date_of.get(week)
        if date is not None and not any(e.kind == kind and e.week == week for e in found):
            found.append(Event(week, date, kind, label, text))

    first = rows[0]
    shown = {"invasion": "invasion" in first, "flank": "eastern_flank_troops" in first}
    flank_seen = False
    for before, row in itertools.pairwise(rows):
        week = int(row["week"])
        if _truthy(row.get("invasion")) and not _truthy(before.get("invasion")):
            date = date_of[week]
            add(week, "invasion", f"invasion {date:%d %b}", "the full-scale invasion began")
        tier, old = number(row, "sanction_tier"), number(before, "sanction_tier")
        if tier is not None and old is not None and round(tier) != round(old):
            name = tier_name(tier)
            if tier > old:
                add(week, "sanctions", f"sanctions: {name}", f"sanctions raised to {name}")
            else:
                add(week, "sanctions", f"sanctions eased: {name}", f"sanctions eased to {name}")
        agreed = _talks_level(row.get("talks")) == Talks.AGREEMENT
        if agreed and _talks_level(before.get("talks")) != Talks.AGREEMENT:
            add(week, "agreement", "agreement", "a deal was agreed in the talks")
        flank, start = number(row, "eastern_flank_troops"), number(first, "eastern_flank_troops")
        if not flank_seen and flank is not None and flank > (start or 0.0):
            flank_seen = True
            add(week, "flank", "flank deployment", "the first troops sent to NATO's flank")
    firsts: dict[str, int] = {}
    for row in agents_rows:
        for column in (*TRACK_COLUMNS, "action"):
            move = SAME_MOVE.get(row.get(column), row.get(column))
            if move in EVENT_MOVES:
                firsts[move] = min(firsts.get(move, int(row["week"])), int(row["week"]))
    for row in signals_rows:
        if row.get("kind") in EVENT_SIGNALS:
            kind = str(row["kind"])
            firsts[kind] = min(firsts.get(kind, int(row["week"])), int(row["week"]))
    for move, week in firsts.items():
        kind, label, text = EVENT_MOVES[move]
        if not shown.get(kind, False):
            add(week, kind, label, text)
    found.sort(key=lambda e: (e.week, EVENT_ORDER.index(e.kind)))
    return found


# --- whole tables ------------------------------------------------------------------------------


def week_records(tables: Mapping[str, Any]) -> dict[int, WeekRecord]:
    """Every week of ``history()``'s tables (DataFrames) as a :class:`WeekRecord`."""
    by_week: dict[str, dict[int, list[Row]]] = {}
    for name in ("agents", "signals"):
        grouped: dict[int, list[Row]] = {}
        frame = tables.get(name)
        for row in frame.to_dict("records") if frame is not None else ():
            grouped.setdefault(int(row["week"]), []).append(row)
        by_week[name] = grouped
    return {
        int(row["week"]): WeekRecord(
            row,
            by_week["agents"].get(int(row["week"]), []),
            by_week["signals"].get(int(row["week"]), []),
        )
        for row in tables["model"].to_dict("records")
    }


def run_narrative(tables: Mapping[str, Any]) -> dict[int, list[str]]:
    """The narrative of every week of a run's ``history()`` tables."""
    records = week_records(tables)
    return {week: week_narrative(record, records.get(week - 1)) for week, record in records.items()}


def table_events(tables: Mapping[str, Any]) -> list[Event]:
    """The dated events of a run's ``history()`` tables (DataFrames)."""
    return run_events(
        tables["model"].to_dict("records"),
        tables["agents"].to_dict("records") if "agents" in tables else (),
        tables["signals"].to_dict("records") if "signals" in tables else (),
    )
