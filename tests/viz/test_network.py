"""The network view: stances that agree with the ladder, and a readable set of signals."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import solara

from viz import app, charts, views
from viz.session import InteractiveRun, RunConfig
from world.ladder import Rung
from world.signals import Stance

SVG = "{http://www.w3.org/2000/svg}"


def _war_seed() -> int:
    """The first baseline seed whose run invades, reaches a NATO-Russia clash by week 30 and
    has a Western state talking in a week at war (what the tests below look at)."""
    for seed in range(1, 200):
        model = InteractiveRun(RunConfig(seed=seed))
        talked_at_war = False
        while model.week < 30:
            model.step()
            talked_at_war |= model.invasion and any(
                a.role == "state" and a.action == "talks" for a in model.actors.values()
            )
        rungs = model.datacollector.model_vars["rung"]
        if talked_at_war and max(rungs) >= Rung.NATO_RUSSIA_CLASH:
            return seed
    raise AssertionError("no baseline seed invades, clashes and talks at war in 200")


@pytest.fixture(scope="module")
def war_weeks() -> dict[int, tuple]:
    """A run that invades and clashes: what each week showed, up to week 30.

    One model stepped on; the views of each week are taken as it passes, so the dict holds
    what each week showed (the svg and view), not a model per week.
    """
    model = InteractiveRun(RunConfig(seed=_war_seed()))
    shown = {}
    while model.week < 30:
        model.step()
        view = views.network_view(model)
        russia = model.actors["Russia"]
        shown[model.week] = (model.rung, model.invasion, russia.diplomatic_action, view)
    return shown


def test_actor_stance_reads_the_state_not_only_the_action():
    assert views.actor_stance("challenger", "talks", invasion=True) == Stance.WAR
    assert views.actor_stance("challenger", "talks", rung=Rung.NATO_RUSSIA_CLASH) == Stance.WAR
    assert views.actor_stance("challenger", "talks", massed=True) == Stance.COERCION
    assert views.actor_stance("challenger", "talks") == Stance.DIPLOMACY
    assert views.actor_stance("target", "mobilisation", invasion=True) == Stance.WAR
    assert views.actor_stance("state", "talks", imposing=True) == Stance.DETERRENCE
    assert views.actor_stance("state", "hold", deployed=5000.0) == Stance.DETERRENCE
    assert views.actor_stance("union", "talks", arming=True) == Stance.DETERRENCE
    assert views.actor_stance("state", "talks") == Stance.DIPLOMACY
    assert views.actor_stance("state", "none") == Stance.WAITING
    # the week's action still counts when it is sharper than the standing position
    assert views.actor_stance("challenger", "invade") == Stance.WAR


def test_russia_is_at_war_every_week_after_the_invasion(war_weeks):
    invaded = [week for week, (_, invasion, _, _) in war_weeks.items() if invasion]
    assert invaded
    actions = set()
    for week in invaded:
        _, _, action, view = war_weeks[week]
        russia = next(n for n in view.nodes if n.name == "Russia")
        ukraine = next(n for n in view.nodes if n.name == "Ukraine")
        assert russia.stance == Stance.WAR, week
        assert ukraine.stance == Stance.WAR, week
        actions.add(action)
    assert "talks" in actions  # Russia talks in its war: colour by that alone showed diplomacy


def test_some_actor_is_at_war_at_a_clash(war_weeks):
    clashes = [week for week, (rung, *_) in war_weeks.items() if rung >= Rung.NATO_RUSSIA_CLASH]
    assert clashes
    for week in clashes:
        view = war_weeks[week][3]
        assert any(n.stance == Stance.WAR for n in view.nodes), week


def test_sanctioning_states_stay_at_deterrence_while_sanctions_hold(war_weeks):
    # once sanctions are in force, a Western actor talking still shows the deterrence its
    # backing of them stands for (the node says whether it backs the tier in force)
    talking = [
        n
        for week, (_, invasion, _, view) in war_weeks.items()
        for n in view.nodes
        if invasion and n.role in ("state", "union") and n.action == "talks"
    ]
    assert talking
    assert any(n.stance == Stance.DETERRENCE for n in talking)


def test_node_tooltip_names_the_weeks_action_and_the_stance(war_weeks):
    week, node = next(
        (w, n)
        for w, (_, inv, _, view) in war_weeks.items()
        for n in view.nodes
        if inv and n.role == "state" and n.action == "talks"
    )
    svg = charts.network_svg(war_weeks[week][3])
    assert 'data-actor="Russia" data-stance="war"' in svg
    assert f"{node.name}: stance {node.stance}; this week: talks (diplomacy)" in svg


def test_invasion_label_keeps_clear_of_the_rung_lines():
    """The label 'invasion <date>' sat on the nuclear-threat line of the ladder."""
    model = InteractiveRun(RunConfig(seed=1))
    chart = charts.SeriesSvg(charts.LADDER, *views.horizon_dates(model))
    while not model.invasion:
        model.step()
    root = ET.fromstring(chart.update(views.weekly(model)))
    label = root.find(f".//{SVG}g[@class='invasion']/{SVG}text")
    assert label is not None and label.text.startswith("invasion")
    # Centre of the 9 px text: its baseline raised by a third of an em unless dy does it.
    centre = float(label.get("y")) - (0.0 if label.get("dy") == "0.32em" else 3.0)
    for rung in charts.LADDER.ticks:
        assert abs(centre - chart.y(rung, "left")) >= 7.0, rung


def test_week_zero_draws_the_strongest_signals_not_every_broadcast():
    """Week 0 drew every sanction-support arrow (96 then), partners to partners included."""
    model = InteractiveRun(RunConfig(seed=3))
    support = [s for s in model.outbox if s.kind == "sanction_support"]
    assert len(support) > 40 and len(support) == len(model.outbox)
    everything = views.network_view(model, all_signals=True)
    assert len(everything.signals) == everything.sent == len(support)
    view = views.network_view(model)
    assert view.sent == len(support) and view.drawn == len(view.signals)
    assert 0 < len(view.signals) <= views.STRONGEST_ARROWS
    # sanction support is read by Russia alone: only the arrows into Russia are kept
    assert all(a.receiver == "Russia" for a in view.signals)
    note = charts.network_svg(view)
    assert f"{view.drawn} of {len(support)} signals drawn" in note


def test_a_broadcast_is_drawn_once_to_its_main_receiver():
    model = InteractiveRun(RunConfig(seed=3))
    model.step()  # Russia's build-up goes to all ten others
    view = views.network_view(model)
    russian = [a for a in view.signals if a.sender == "Russia"]
    assert [(a.receiver, a.others) for a in russian] == [("Ukraine", 10)]
    assert "also sent to 10 others" in charts.network_svg(view)
    every = views.network_view(model, all_signals=True)
    assert len([a for a in every.signals if a.sender == "Russia"]) == 11


def test_signals_table_reads_as_words_with_a_caption_and_one_row_per_message():
    """It showed snake_case kinds, three-decimal intensities and 96 rows at week 0."""
    model = InteractiveRun(RunConfig(seed=3))
    rows = views.signal_rows(model)
    senders = {s.sender for s in model.outbox}
    assert len(rows) == len(senders) < len(model.outbox)  # a row per broadcast, not per message
    html = ""
    while "build up" not in html and model.week < 12:  # the week Russia builds up
        model.step()
        html = charts.signals_table(views.signal_rows(model))
    assert "build up" in html and " + 10 others</span>" in html  # to all the others
    assert "sanction threat" in html and "sanction_threat" not in html
    assert re.search(r"\d\.\d{3}", html) is None
    assert re.search(r"(weak|moderate|strong) \(\d\.\d\)", html)
    assert "A signal is a message" in html
    assert "<th>strength</th>" in html


def test_signals_panel_has_no_inner_scroll_box():
    model = InteractiveRun(RunConfig(seed=3))
    _, rc = solara.render(app.SignalsPanel(model), handle_error=False)
    try:
        styles = [str(w.attributes) for w in rc.find(solara.widgets.HTML).widgets]
        assert styles and not any("max-height" in s or "overflow" in s for s in styles)
    finally:
        rc.close()


def test_troops_and_capability_are_separate_charts():
    """One chart on two y-axes made the crossing of the lines look meaningful."""
    for spec in charts.WEEKLY_CHARTS:
        assert not any(s.right for s in spec.series) or spec.key == "energy", spec.key
    columns = {spec.key: [s.column for s in spec.series] for spec in charts.WEEKLY_CHARTS}
    assert columns["forces"] == ["russian_troops"]
    assert columns["capability"] == ["ukraine_capability"]
    assert "capability" in charts.VIEW_NAMES


@pytest.mark.parametrize(
    ("key", "side", "least_span"),
    [("energy", "right", 100.0), ("forces", "left", 100.0), ("capability", "left", 1.0)],
)
def test_early_weeks_do_not_autoscale_small_moves_to_fill_the_chart(key, side, least_span):
    """At week 1 the gas price axis spanned 75.5-77.5 EUR/MWh."""
    spec = next(s for s in charts.WEEKLY_CHARTS if s.key == key)
    model = InteractiveRun(RunConfig(seed=3))
    model.step()
    chart = charts.SeriesSvg(spec, *views.horizon_dates(model))
    chart.update(views.weekly(model))
    low, high = chart.limits[side]
    assert high - low >= least_span
    assert low == 0.0  # the axis starts at zero: the lines' heights compare
