"""The narrative panel, the week scrubber and the actor inspector, rendered without a browser."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import ipyvuetify
import pytest
import solara

from viz import app, charts, views
from viz.session import InteractiveRun, RunConfig

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def run() -> InteractiveRun:
    model = InteractiveRun(RunConfig(seed=1))
    for _ in range(8):
        model.step()
    return model


def _session(model: InteractiveRun) -> app.Session:
    return app.Session(model=solara.Reactive(model), config=solara.Reactive(RunConfig()))


def _html(rc) -> list[str]:
    return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]


def test_narrative_panel_tells_the_week_shown_and_those_before(run):
    _box, rc = solara.render(app.NarrativePanel(run), handle_error=False)
    try:
        (markup,) = _html(rc)
        assert 'class="narrative-week" data-week="8"' in markup
        assert " ".join(views.narrative(run, 8)) in markup.replace("&#x27;", "'")
        assert markup.count('class="narrative-earlier"') == app.EARLIER_WEEKS
    finally:
        rc.close()
    _box, rc = solara.render(app.NarrativePanel(run, 1), handle_error=False)
    try:
        (markup,) = _html(rc)
        assert 'data-week="1"' in markup and 'data-week="0"' in markup
        assert markup.count("<p") == 2  # week 1 and week 0: nothing before the run
    finally:
        rc.close()


def test_narrative_markup_escapes_names():
    markup = charts.narrative_html([(2, views.week_date(InteractiveRun(RunConfig()), 2), ["<b>x"])])
    assert "<b>x" not in markup and "&lt;b&gt;x" in markup


def test_the_scrubber_shows_an_earlier_week_until_the_run_moves_on(run):
    session = _session(run)
    session.show(3)
    assert session.shown.value == 3
    session.show(run.week)
    assert session.shown.value is None  # the latest week follows the run
    session.show(2)
    session.step()
    assert session.shown.value is None and run.week == 9
    session.show(4)
    session.play()
    assert session.shown.value is None


def test_every_view_follows_the_scrubbed_week(run):
    session = _session(run)

    @solara.component
    def Page():
        app.session_context.provide(session)
        app.Views(run, session.shown.value)

    _box, rc = solara.render(Page(), handle_error=False)
    try:
        session.show(3)
        weeks = {}
        for markup in _html(rc):
            root = ET.fromstring(markup) if markup.startswith("<svg") else None
            if root is not None:
                weeks[root.get("data-view")] = root.get("data-week")
        assert weeks == dict.fromkeys(charts.VIEW_NAMES, "3")
        assert any('class="narrative-week" data-week="3"' in m for m in _html(rc))
    finally:
        rc.close()


def test_choosing_or_clicking_an_actor_opens_its_inspector(run):
    _box, rc = solara.render(app.NetworkPanel(run), handle_error=False)
    try:
        assert not any("actor-mind" in m for m in _html(rc))
        rc.find(label="Inspect an actor").widget.v_model = "Germany"
        inspector = [m for m in _html(rc) if 'data-view="actor-' in m]
        assert [ET.fromstring(m).get("data-view") for m in inspector] == [
            "actor-mind",
            "actor-costs",
            "actor-sanctions",
        ]
        assert all(ET.fromstring(m).get("data-week") == "8" for m in inspector)
        assert "Germany: resolve, threat and belief" in inspector[0]
        rc.find(app.ActorClicks).widget.vue_actor_clicked("Poland")  # a click on its circle
        assert any("Poland: energy exposure and costs" in m for m in _html(rc))
        rc.find(ipyvuetify.Btn, children=["Close"]).widget.fire_event("click", {})
        assert not any('data-view="actor-' in m for m in _html(rc))
    finally:
        rc.close()


@pytest.mark.parametrize("role", ["challenger", "state"])
def test_the_inspectors_charts_start_at_zero_with_units(role, run):
    actor = "Russia" if role == "challenger" else "Germany"
    record = views.actor_trajectories(run, actor)
    for spec in charts.actor_charts(actor, role):
        chart = charts.SeriesSvg(spec, *views.horizon_dates(run))
        root = ET.fromstring(chart.update(record, views.events(run)))
        assert root.get("data-view") == spec.key
        if not spec.ticks:
            assert chart.limits["left"][0] == 0.0
            assert spec.left_label
        for series in spec.series:
            if series.right:
                assert chart.limits["right"][0] == 0.0 and spec.right_label
