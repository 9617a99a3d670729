"""Many browser sessions at once: each keeps its own model and stays responsive.

Ten headless Chromium contexts (ten Solara sessions) are open together; they are stepped in
turn, each a different number of weeks, and every one must show its own week afterwards. A
step must be answered within ``RESPONSIVE_S`` even with all ten open: a generous bound that
catches a blocked or serialised server, not a speed target (that is benchmarks/bench_browser.py).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import pytest

from .conftest import open_app, title, wait_for_week

SESSIONS = 10
RESPONSIVE_S = 20.0


def test_ten_sessions_stay_independent_and_responsive(browser, app_url):
    sessions = []
    try:
        for _ in range(SESSIONS):
            sessions.append(open_app(browser, app_url))
        wanted = [1 + i % 4 for i in range(SESSIONS)]  # 1, 2, 3, 4, 1, 2, ... weeks
        slowest = 0.0
        for week in range(1, max(wanted) + 1):
            for session, target in zip(sessions, wanted, strict=True):
                if week > target:
                    continue
                started = time.monotonic()
                session.page.get_by_role("button", name="Step").click()
                wait_for_week(session.page, week, timeout=RESPONSIVE_S * 1000)
                slowest = max(slowest, time.monotonic() - started)
        for session, target in zip(sessions, wanted, strict=True):
            assert f"week {target}/26" in title(session.page)
            assert session.errors == [] and session.outside == []
        assert slowest < RESPONSIVE_S, f"slowest step took {slowest:.1f} s"
    finally:
        for session in sessions:
            session.page.context.close()


def _outward_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("10.255.255.255", 1))
            return udp.getsockname()[0]
        except OSError:
            return None


def test_server_listens_on_localhost_only(app_url):
    port = urlparse(app_url).port
    address = _outward_address()
    if address is None or address.startswith("127."):
        pytest.skip("this machine has no non-loopback address to try")
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex((address, port)) != 0, f"app reachable on {address}:{port}"
