"""The run controls in a real browser: play, pause, step, reset, replay, seed and end of a run."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError

from .conftest import title, wait_for_week
from .test_app import step

WEEK = "Number(/week (\\d+)\\//.exec(document.querySelector('.run-title').innerText)[1])"


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def play(page) -> None:
    button(page, "▶").click()


def pause(page) -> None:
    button(page, "❚❚").click()
    button(page, "▶").wait_for()


def replay(page, experiment: str, run: str) -> None:
    page.get_by_role("tab", name="Experiment").click()
    field = page.get_by_label("Experiment output directory")
    loaded = page.get_by_text("4 runs in")
    for _ in range(3):  # text typed while a playing page mounts the tab can be lost
        field.fill(experiment)
        field.press("Enter")
        try:
            loaded.wait_for(timeout=5_000)
            break
        except TimeoutError:
            continue
    loaded.wait_for()
    page.locator(".v-select", has_text="Run to replay").click()
    page.get_by_role("option", name=run).click()
    page.get_by_role("button", name="Replay in the interactive view").click()
    page.get_by_text("Loaded run").wait_for()
    page.get_by_role("tab", name="Single run").click()


def test_tabs_are_named_and_mesa_noise_is_gone(app):
    page = app.page
    assert page.get_by_role("tab", name="Single run").is_visible()
    assert page.get_by_role("tab", name="Experiment").is_visible()
    assert page.get_by_role("tab", name="Page 0").count() == 0
    for noise in ("Render Interval", "Use Threads", "Model Parameters", "Time:"):
        assert page.get_by_text(noise).count() == 0, noise
    page.locator(".run-week", has_text="Week 0 of 26").wait_for()
    assert app.errors == []


def test_sliders_show_their_value_and_meaning(app):
    page = app.page
    page.get_by_text("Russia's risk attitude: 0").first.wait_for()
    page.get_by_text("-1 averse .. +1 seeking").first.wait_for()
    page.get_by_text("tier the West publicly threatens for an invasion").first.wait_for()


def test_pause_stops_at_the_week_shown(app):
    page = app.page
    play(page)
    page.wait_for_function(f"() => {WEEK} >= 3")
    pause(page)
    paused = title(page)
    page.wait_for_timeout(800)
    assert title(page) == paused
    assert button(page, "Step").is_enabled()
    assert app.errors == []


def test_the_end_of_a_run_is_announced(app):
    page = app.page
    play(page)
    page.get_by_text("Run finished at week 26").wait_for(timeout=60_000)
    assert "(" in page.locator(".run-finished").inner_text()  # the date
    assert button(page, "Step").is_disabled()
    assert button(page, "▶").is_disabled()


@pytest.mark.parametrize("bad", ["-5", "abc", "1.5"])
def test_a_bad_seed_is_reported_and_not_replaced(app, bad):
    page = app.page
    field = page.get_by_label("Seed")
    field.fill("7")
    button(page, "Reset").click()
    page.locator(".run-title", has_text="seed 7: week 0/").wait_for()
    field.fill(bad)
    page.locator(".seed-error").wait_for()
    assert "whole number" in page.locator(".seed-error").inner_text()
    assert button(page, "Reset").is_disabled()
    field.fill("9")
    page.locator(".seed-error").wait_for(state="detached")
    button(page, "Reset").click()
    page.locator(".run-title", has_text="seed 9: week 0/").wait_for()


@pytest.mark.parametrize("state", ["finished", "playing"])
def test_replay_leaves_a_fresh_steppable_run(app, experiment_dir, state):
    page = app.page
    play(page)
    if state == "finished":
        page.get_by_text("Run finished at week 26").wait_for(timeout=60_000)
    else:
        page.wait_for_function(f"() => {WEEK} >= 2")
    replay(page, experiment_dir.name, "run 3: freeze_deal, seed 14, no invasion")
    page.locator(".run-title", has_text="freeze_deal, seed 14: week 0/8").wait_for()
    page.wait_for_timeout(800)
    assert "week 0/8" in title(page)  # not played on
    button(page, "▶").wait_for()
    assert button(page, "Step").is_enabled() and button(page, "▶").is_enabled()
    assert page.get_by_text("Run finished").count() == 0
    step(page)
    wait_for_week(page, 1)
    assert app.errors == []


def test_another_scenario_is_overlaid_on_the_ladder_and_sanctions(app):
    """The same seed and settings under a second scenario step with the run, dashed on the
    ladder and sanctions charts, and go away when the comparison is turned off."""
    page = app.page
    page.locator(".v-select", has_text="Compare with").click()
    page.get_by_role("option", name="arms_now", exact=True).click()
    button(page, "Step").click()
    page.locator(".run-week", has_text="Week 1 of 26").wait_for()
    for view in ("ladder", "sanctions"):
        chart = page.locator(f'svg[data-view="{view}"]')
        chart.locator("g.compared").wait_for()
        assert "same seed, arms_now" in chart.text_content()
    assert page.locator('svg[data-view="forces"] g.compared').count() == 0
    page.locator(".v-select", has_text="Compare with").click()
    page.get_by_role("option", name="no comparison").click()
    page.locator('svg[data-view="ladder"] g.compared').wait_for(state="detached")
    assert app.errors == [] and app.outside == []
