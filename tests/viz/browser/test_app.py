"""The app in a real (headless) Chromium: offline rendering, stepping, reset, sessions, batch."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from viz import views
from viz.charts import VIEW_NAMES
from viz.session import InteractiveRun, RunConfig

from .conftest import drawings, free_port, open_app, shown_weeks, title, wait_for_week

SCREENSHOT = Path("/tmp/viz_screenshot.png")


def step(page) -> None:
    page.get_by_role("button", name="Step").click()


def test_page_renders_offline_without_console_errors(app):
    page = app.page
    assert shown_weeks(page) == dict.fromkeys(VIEW_NAMES, 0)  # each of the seven views, once
    assert page.locator("svg.week-view").count() == len(VIEW_NAMES)
    for text in ("nuclear threat", "SWIFT cut-off", "EU gas storage (% full)", "Stance"):
        assert page.get_by_text(text, exact=True).first.is_visible()
    for text in ("Run settings", "Russia's risk attitude", "Misperception", "Reset", "Step"):
        assert page.get_by_text(text).first.is_visible()
    page.wait_for_timeout(500)
    assert app.outside == [], f"requests left localhost: {app.outside}"
    assert app.errors == [], f"console errors: {app.errors}"


def test_step_advances_the_week_and_redraws_every_view(app, tmp_path):
    page = app.page
    before_title, before = title(page), drawings(page)
    assert "week 0/26" in before_title and len(before) == len(VIEW_NAMES)
    step(page)
    wait_for_week(page, 1)
    after = drawings(page)
    assert len(after) == len(VIEW_NAMES)
    assert all(new != old for new, old in zip(after, before, strict=True))
    assert page.locator(".heading", has_text="Signals sent in week 1").is_visible()
    for _ in range(5):
        step(page)
    wait_for_week(page, 6)
    page.wait_for_timeout(300)
    shot = tmp_path / "app-week6.png"
    page.screenshot(path=shot, full_page=True)
    shutil.copyfile(shot, SCREENSHOT)
    print(f"screenshot: {shot} (copied to {SCREENSHOT})")
    assert app.errors == [] and app.outside == []


def test_scenario_change_and_reset_start_a_different_run(app):
    page = app.page
    step(page)
    wait_for_week(page, 1)
    page.locator(".v-select").first.click()
    page.get_by_role("option", name="sanctions_only").click()
    page.get_by_text("sanction threats alone").first.wait_for()
    page.get_by_role("button", name="Reset").click()
    wait_for_week(page, 0)
    assert title(page).startswith("sanctions_only, seed 1: week 0/26")
    step(page)
    wait_for_week(page, 1)
    assert app.errors == []


def test_play_runs_weeks_until_paused(app):
    page = app.page
    page.get_by_role("button", name="▶").click()
    week = "Number(/week (\\d+)\\//.exec(document.querySelector('.run-title').innerText)[1])"
    page.wait_for_function(f"() => {week} >= 3")  # weeks pass faster than a locator polls
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    page.wait_for_timeout(600)  # a step already under way when pausing still lands
    paused = title(page)
    page.wait_for_timeout(800)
    assert title(page) == paused
    assert app.errors == []


def test_two_sessions_keep_independent_models(browser, app_url):
    first, second = open_app(browser, app_url), open_app(browser, app_url)
    try:
        for _ in range(3):
            step(first.page)
        wait_for_week(first.page, 3)
        second.page.wait_for_timeout(500)
        assert "week 0/26" in title(second.page)
        step(second.page)
        wait_for_week(second.page, 1)
        assert "week 3/26" in title(first.page)
    finally:
        first.page.context.close()
        second.page.context.close()


def test_export_downloads_the_runs_history_as_csv(app, tmp_path):
    page = app.page
    step(page)
    wait_for_week(page, 1)
    with page.expect_download() as download:
        page.get_by_role("button", name="model table").click()
    path = tmp_path / "model.csv"
    download.value.save_as(path)
    table = pd.read_csv(path)
    assert list(table["week"]) == [0, 1]
    assert {"rung_name", "russian_troops", "sanction_tier"} <= set(table.columns)


def test_batch_page_reports_bad_paths_and_replays_a_run(app, experiment_dir):
    page = app.page
    page.get_by_role("tab", name="Experiment").click()
    field = page.get_by_label("Experiment output directory")
    field.fill(f"{experiment_dir.name}/nowhere")
    field.press("Enter")
    page.get_by_text("no such directory").wait_for()
    assert page.get_by_text("Traceback").count() == 0
    field.fill(experiment_dir.name)
    field.press("Enter")
    page.get_by_text("4 runs in").wait_for()
    table = page.locator("table.invasion-table")
    assert "baseline" in table.inner_text() and "0.50" in table.inner_text()
    assert page.locator(".chart svg").count() >= 1  # the figure, inline SVG
    for name in ("figure (SVG)", "figure (PNG)", "curves (CSV)", "table (CSV)"):
        assert page.get_by_role("button", name=name).count() == 1
    with page.expect_download() as download:
        page.get_by_role("button", name="table (CSV)").click()
    assert download.value.suggested_filename.endswith("-invasion-table.csv")
    page.locator(".v-select", has_text="Runs with outcome").click()
    page.get_by_role("option", name="invaded", exact=True).click()
    page.locator(".runs-matching", has_text="1 run matches").wait_for()
    page.locator(".v-select", has_text="Runs with outcome").click()
    page.get_by_role("option", name="no invasion").click()
    page.locator(".v-select", has_text="Runs of scenario").click()
    page.get_by_role("option", name="freeze_deal").click()
    page.locator(".runs-matching", has_text="2 runs match").wait_for()
    page.locator(".v-select", has_text="Run to replay").click()
    page.get_by_role("option", name="run 3: freeze_deal, seed 14, no invasion").click()
    page.get_by_role("button", name="Replay in the interactive view").click()
    page.get_by_text("Loaded run 3").wait_for()
    page.get_by_role("tab", name="Single run").click()
    page.locator(".run-title", has_text="freeze_deal, seed 14: week 0/8").wait_for()
    assert app.errors == [] and app.outside == []


def test_batch_page_reads_only_under_the_results_root(app, experiment_dir, tmp_path_factory):
    """Paths outside the root (absolute, ``..``, a symbolic link out) are refused on the page;
    an experiment under it is offered in the list and loads."""
    outside = tmp_path_factory.mktemp("outside")
    shutil.copytree(experiment_dir, outside / "copy")
    (experiment_dir.parent / f"{experiment_dir.name}-link").symlink_to(outside / "copy")
    page = app.page
    page.get_by_role("tab", name="Experiment").click()
    field = page.get_by_label("Experiment output directory")
    for typed in (
        str(outside / "copy"),
        f"../{outside.name}/copy",
        f"{experiment_dir.name}-link",
        "/etc",
    ):
        field.fill(typed)
        field.press("Enter")
        page.get_by_text(f"{typed}: outside the results directory").wait_for()
        assert page.get_by_text("runs in").count() == 0
    page.get_by_role("button", name="Look again").click()
    page.locator(".v-select", has_text="Experiment").first.click()
    page.get_by_role("option", name=experiment_dir.name, exact=True).click()
    page.get_by_text(f"4 runs in {experiment_dir}").wait_for()
    field.fill(str(experiment_dir))  # an absolute path inside the root is accepted
    field.press("Enter")
    page.get_by_text(f"4 runs in {experiment_dir}").wait_for()
    assert app.errors == [] and app.outside == []


def _children(pid: int) -> set[int]:
    """The processes ``pid`` has started (Linux /proc), their children too."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in map(int, listing.read_text().split()):
            found |= {child} | _children(child)
    return found


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_escalation_app_command_serves_the_page_and_stops_cleanly(tmp_path, stop):
    """It serves; a busy port is refused; Ctrl-C (or SIGTERM) ends it with exit 0 and one
    line, the port free and no process left; Solara's cookie warning is never printed."""
    port = free_port()
    escalation = Path(sys.executable).with_name("escalation")
    command = [str(escalation), "app", "--port", str(port), "--results", str(tmp_path)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert (
            server.stdout.readline().strip().endswith(f"http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        )
        assert (
            server.stdout.readline().strip() == f"Its batch page reads experiments under {tmp_path}"
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "escalation app did not answer"
                time.sleep(0.3)
        busy = subprocess.run(command, capture_output=True, text=True)
        assert busy.returncode == 2
        assert busy.stderr.count("\n") == 1 and "in use" in busy.stderr
        children = _children(server.pid)
        server.send_signal(stop)
        out, err = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0
    assert err == "escalation app: stopped\n"  # no cookie warning after the page request
    assert "Aborted" not in out
    assert _bindable(port)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]


def test_network_draws_the_strongest_signals_until_all_are_asked_for(app):
    page = app.page
    sent = views.network_view(InteractiveRun(RunConfig()), all_signals=True).sent
    assert sent > 24  # week 0: every state's routine broadcasts to the others
    arrows = page.locator("svg[data-view='network'] line.signal")
    assert 0 < arrows.count() <= 12  # the strongest few drawn
    assert page.get_by_text("signals drawn: the strongest").is_visible()
    page.get_by_text("Show all signals (routine broadcasts too)").click()
    page.wait_for_function(
        "n => document.querySelectorAll(\"svg[data-view='network'] line.signal\").length == n",
        arg=sent,
    )
    assert page.get_by_text(f"all {sent} signals of the week drawn").is_visible()
    assert app.errors == []


def test_many_futures_run_the_settings_in_the_background(app):
    """The third page runs the sidebar's settings on 1,000 seeds off the page's thread and
    marks the current run among them; new settings bring new futures."""
    page = app.page
    page.get_by_role("tab", name="Many futures").click()
    summary = page.locator(".futures-summary")
    summary.wait_for(timeout=120_000)  # the first batch also loads the compiled engine
    text = summary.inner_text()
    assert "over 1,000 runs" in text and "this run (seed 1)" in text and "95% interval" in text
    assert page.locator(".chart svg").count() >= 1
    page.get_by_label("Seed").fill("7")
    page.get_by_text("seeds drawn from 7").wait_for()
    summary.filter(has_text="started with other settings").wait_for(timeout=60_000)
    assert app.errors == [] and app.outside == []


# Every element that scrolls its own content, and for each chart its rendered scale and its
# smallest text (font-size in canvas units, so rendered px = scale x size).
LAYOUT_PROBE = """() => {
  const scrolling = [...document.querySelectorAll('*')].filter(el => {
    const style = getComputedStyle(el);
    return ['auto', 'scroll'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 2;
  }).map(el => el.tagName + '.' + el.className.toString().trim().split(/\\s+/)[0]);
  const sideways = [...document.querySelectorAll('*')].filter(el => {
    const style = getComputedStyle(el);
    return ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
  }).length;
  const charts = [...document.querySelectorAll('svg.week-view')].map(svg => {
    const sizes = [...svg.querySelectorAll('text')]
      .map(t => parseFloat(getComputedStyle(t).fontSize));
    return [svg.dataset.view, svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
            Math.min(...sizes)];
  });
  const clipped = [...document.querySelectorAll('.views-grid > *')]
    .filter(card => card.scrollWidth > card.clientWidth + 1).length;
  return {scrolling, sideways, charts, clipped, page: document.documentElement.scrollHeight};
}"""
LEGIBLE_PX = 8.5  # the smallest chart text a viewer should have to read, in screen pixels


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)], ids=["1600x1000", "1280x800"])
def test_the_page_scrolls_as_one_and_chart_text_stays_legible(app, size):
    """No view hides inside a box that scrolls on its own (the document scrolls, and the
    sidebar on its own), nothing scrolls sideways, no card is cut off at the side, and chart
    text is not shrunk below LEGIBLE_PX by a narrow column: the views', and the inspector's."""
    page = app.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(500)
    layout = page.evaluate(LAYOUT_PROBE)
    assert set(layout["scrolling"]) <= {"HTML.", "DIV.v-navigation-drawer__content"}, layout
    assert layout["page"] > size[1]  # the views run below the window: the page itself scrolls
    assert layout["clipped"] == 0 and layout["sideways"] == 0
    assert len(layout["charts"]) == len(VIEW_NAMES)
    step(page)
    wait_for_week(page, 1)
    page.locator("svg[data-view='network'] circle[data-actor='Germany']").click()
    page.locator(".inspector-title", has_text="Germany (state)").wait_for()
    page.wait_for_timeout(300)
    inspected = page.evaluate(LAYOUT_PROBE)
    assert inspected["sideways"] == 0
    assert len(inspected["charts"]) == len(VIEW_NAMES) + 3  # and the inspector's three
    for view, scale, smallest in layout["charts"] + inspected["charts"]:
        assert scale * smallest >= LEGIBLE_PX, (view, scale, smallest)
