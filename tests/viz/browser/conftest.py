"""A Solara server and a headless Chromium shared by the browser tests.

The server is the real ``escalation app`` (``python -m cli.main app``, so the code under test,
with the inherited PYTHONPATH) on a free localhost port as a subprocess, its batch page reading
experiments under a results root of the test session's own; Chromium is the system one, since
``playwright install`` needs the internet.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from viz.charts import VIEW_NAMES

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[3]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost")
LOCAL_PREFIXES += ("data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(port: int, results: Path) -> list[str]:
    """``escalation app`` on localhost:``port`` with batch experiments under ``results``."""
    command = ["app", "--host", "127.0.0.1", "--port", str(port), "--results", str(results)]
    return [sys.executable, "-m", "cli.main", *command]


def start_server(port: int, results: Path) -> subprocess.Popen:
    """Serve the app on ``port`` and wait until it answers (or fail with its output)."""
    server = subprocess.Popen(
        server_command(port, results),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"solara exited: {server.stdout.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("solara did not answer within 60 s")


@pytest.fixture(scope="session")
def results_root(tmp_path_factory) -> Path:
    """The directory the served app's batch page may read experiments from."""
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="session")
def app_url(results_root: Path) -> Iterator[str]:
    with serving(results_root) as url:
        yield url


@contextlib.contextmanager
def serving(results: Path | None = None) -> Iterator[str]:
    """The app served on a free localhost port for the duration of the block; its URL.

    Its batch page reads experiments under ``results`` (default: ``runs/`` in the repository).
    """
    port = free_port()
    server = start_server(port, results if results is not None else ROOT / "runs")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)  # CI sets this: a missing browser must not pass as a skip
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


class Watched:
    """A page with everything it requested from outside and every console error it logged."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _request(self, request) -> None:
        if not request.url.startswith(LOCAL_PREFIXES):
            self.outside.append(request.url)


def open_app(browser: Browser, url: str) -> Watched:
    """A new browser context (its own Solara session) with the app loaded and drawn."""
    context = browser.new_context(viewport={"width": 1600, "height": 1300}, accept_downloads=True)
    watched = Watched(context.new_page())
    watched.page.goto(url)
    wait_for_week(watched.page, 0)
    return watched


def title(page: Page) -> str:
    return page.locator(".run-title").inner_text()


# Each view is an inline <svg class="week-view" data-view=NAME data-week=WEEK> (viz.charts).
SHOWN_WEEKS = """
(names) => names.map(name => {
  const found = document.querySelectorAll(`svg.week-view[data-view="${name}"]`);
  return found.length === 1 ? Number(found[0].dataset.week) : null;
})
"""


def wait_for_week(page: Page, week: int, timeout: float = 30_000) -> None:
    """Wait until the run title and each of the seven views show ``week``."""
    page.locator(".run-title", has_text=f"week {week}/").wait_for(timeout=timeout)
    page.wait_for_function(
        f"([names, week]) => ({SHOWN_WEEKS})(names).every(shown => shown === week)",
        arg=[list(VIEW_NAMES), week],
        timeout=timeout,
    )


def shown_weeks(page: Page) -> dict[str, int | None]:
    """The week each of the seven views shows (None: missing or on the page twice)."""
    weeks = page.evaluate(SHOWN_WEEKS, list(VIEW_NAMES))
    return dict(zip(VIEW_NAMES, weeks, strict=True))


def drawings(page: Page) -> list[str]:
    """What each view draws from the data (lines, nodes, ties, arrows), in page order.

    The ``data`` group leaves out titles and captions, which change with the week anyway, so
    comparing drawings shows whether the plotted content itself changed.
    """
    return page.locator("svg.week-view").evaluate_all(
        "els => els.map(e => e.querySelector('g.data').outerHTML)"
    )


@pytest.fixture
def app(browser: Browser, app_url: str) -> Iterator[Watched]:
    watched = open_app(browser, app_url)
    yield watched
    watched.page.context.close()


@pytest.fixture
def experiment_dir(results_root, tmp_path) -> Path:
    """A tiny experiment in the served app's results root."""
    tmp_path = results_root / tmp_path.name
    (tmp_path / "runs").mkdir(parents=True)
    (tmp_path / "model").mkdir()
    runs = pd.DataFrame(
        {
            "run_id": [0, 1, 2, 3],
            "scenario": ["baseline", "baseline", "freeze_deal", "freeze_deal"],
            "sample": [0, 1, 2, 3],
            "replicate": [0, 0, 0, 0],
            "seed": [11, 12, 13, 14],
            "weeks": [8, 8, 8, 8],
            "misperception": [0.1, 0.2, 0.3, 0.4],
            "dummy": [0.5] * 4,
            "status": ["ok"] * 4,
        }
    )
    weekly = pd.DataFrame(
        [
            {"run_id": r, "week": w, "rung": 1, "invasion": r == 0 and w >= 5, "sanction_tier": 0}
            for r in range(4)
            for w in range(9)
        ]
    )
    runs.to_parquet(tmp_path / "runs" / "part-0.parquet")
    weekly.to_parquet(tmp_path / "model" / "part-0.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({"runs": 4}))
    return tmp_path
