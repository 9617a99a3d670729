"""In Chromium: the week told in words, the actor inspector, the week scrubber and the labels of
the charts' events."""

from __future__ import annotations

import datetime as dt

from viz import charts, views
from viz.narrative import Event
from viz.session import InteractiveRun, RunConfig

from .conftest import wait_for_week
from .test_app import step


def told(weeks: int) -> dict[int, str]:
    """The narrative the page should show for each week of the default run (baseline, seed 1)."""
    model = InteractiveRun(RunConfig())
    for _ in range(weeks):
        model.step()
    return {week: " ".join(views.narrative(model, week)) for week in range(weeks + 1)}


def narrative_of(page, week: int) -> str:
    shown = page.locator(f".narrative-week[data-week='{week}']")
    shown.wait_for()
    return shown.inner_text().strip()


def test_the_narrative_tells_the_week_after_a_step(app):
    page = app.page
    expected = told(1)
    assert narrative_of(page, 0) == expected[0]
    assert expected[0].startswith("The run starts on 01 Nov 2021")
    step(page)
    wait_for_week(page, 1)
    page.locator(".narrative-title", has_text="What happened in week 1 (08 Nov 2021)").wait_for()
    assert narrative_of(page, 1) == expected[1]
    assert expected[1] != expected[0] and expected[1].startswith("Russia")  # the challenger first
    assert page.locator(".narrative-earlier[data-week='0']").is_visible()  # the week before
    assert app.errors == [] and app.outside == []


def test_clicking_an_actor_opens_its_inspector(app):
    page = app.page
    step(page)
    wait_for_week(page, 1)
    page.locator("svg[data-view='network'] circle[data-actor='Germany']").click()
    page.locator(".inspector-title", has_text="Germany (state): weeks 0 to 1").wait_for()
    drawn = page.locator("svg.week-view[data-view^='actor-']")
    assert drawn.evaluate_all("els => els.map(e => [e.dataset.view, e.dataset.week])") == [
        ["actor-mind", "1"],
        ["actor-costs", "1"],
        ["actor-sanctions", "1"],
    ]
    assert page.get_by_text("Germany: resolve, threat and belief").is_visible()
    page.locator(".inspect-select").click()  # or chosen from the list
    page.get_by_role("option", name="Poland").click()
    page.locator(".inspector-title", has_text="Poland (state)").wait_for()
    page.get_by_role("button", name="Close").click()
    page.locator(".inspector-title").wait_for(state="detached")
    assert app.errors == []


def test_moving_the_scrubber_back_shows_an_earlier_week(app):
    page = app.page
    expected = told(3)
    for week in (1, 2, 3):
        step(page)
        wait_for_week(page, week)
    page.locator(".week-scrubber [role=slider]").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_week(page, 2)  # the title and all seven views
    assert narrative_of(page, 2) == expected[2]
    assert "(the run is at week 3)" in page.locator(".run-title").inner_text()
    page.locator(".heading", has_text="Signals sent in week 2").wait_for()
    step(page)  # the run goes on from its latest week, and the views follow it again
    wait_for_week(page, 4)
    assert page.locator(".scrubbed").count() == 0
    assert app.errors == []


def test_event_labels_do_not_overlap_on_screen(browser):
    """Every time chart of a finished run, its events crowded by one at every week: the labels
    drawn keep apart as Chromium lays out the text, not only by the estimate of their width."""
    model = InteractiveRun(RunConfig("closing_window", seed=0)).run()
    start, end = views.horizon_dates(model)
    crowd = [
        Event(w, start + dt.timedelta(weeks=w), "sanctions", f"sanctions eased: banks {w}", "")
        for w in range(1, 27)
    ]
    markup = "".join(
        charts.SeriesSvg(spec, start, end).update(
            views.weekly(model), [*views.events(model), *crowd]
        )
        for spec in charts.WEEKLY_CHARTS
    )
    page = browser.new_page()
    try:
        page.set_content(f"<html><body>{markup}</body></html>")
        overlaps = page.evaluate(
            """() => [...document.querySelectorAll('svg')].map(svg => {
                const boxes = [...svg.querySelectorAll('g.event-labels text')]
                    .map(t => t.getBBox());
                let found = 0;
                boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
                    if (a.x < b.x + b.width && b.x < a.x + a.width &&
                        a.y < b.y + b.height && b.y < a.y + a.height) found += 1;
                }));
                return [boxes.length, found];
            })"""
        )
    finally:
        page.close()
    assert len(overlaps) == len(charts.WEEKLY_CHARTS)
    assert all(labels >= 5 and found == 0 for labels, found in overlaps), overlaps
