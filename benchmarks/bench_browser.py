"""Responsiveness of the browser app, measured in headless Chromium against a local server.

Why: what a user feels is the time from pressing Step until every view shows the new week, and
the time from opening the page until it is fully drawn; both include the server's model step,
the views' drawing, the websocket and the browser's rendering, so they are measured in the
browser. Targets: step-to-updated-plots under 150 ms (median over ``--steps`` presses at
default settings) and first full render under 3 s (median over ``--loads`` fresh sessions).

"Fully drawn" means that each of the seven views (network, ladder, forces, capability,
sanctions, energy, cohesion) is on the page exactly once as an inline
``<svg class="week-view">`` whose
``data-view`` names it, and the run title is shown. After a Step press the measurement waits
until every one of the seven carries ``data-week`` equal to the next week (the attribute is
written in the same markup as the view's drawing, from the same week's data, so the drawing is
in the page when it is), the run title shows that week, and the browser has rendered the frame
holding them: the check runs in a ``requestAnimationFrame`` callback, and the clock stops in a
``setTimeout(0)`` queued from there, which runs after that frame's style, layout and paint.
Before pressing, it checks that no view shows the next week yet. Step presses and the wait are
timed inside the page with ``performance.now()``, so Playwright's own round trips are not
counted. Run from the repository root with the package and Chromium installed::

    .venv/bin/python benchmarks/bench_browser.py            # 20 steps, 5 loads
    .venv/bin/python benchmarks/bench_browser.py --steps 25 --loads 7

The exit status is 0 whether or not the targets are met: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from conftest import CHROMIUM, serving  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from viz.charts import VIEW_NAMES  # noqa: E402

VIEWS = VIEW_NAMES  # network, ladder, forces, capability, sanctions, energy, cohesion
STEP_TARGET_MS = 150.0
LOAD_TARGET_S = 3.0

# The week each view shows: its data-week if it is on the page exactly once, else null.
SHOWN = """
const shown = (views) => views.map(name => {
  const found = document.querySelectorAll(`svg.week-view[data-view="${name}"]`);
  return found.length === 1 ? Number(found[0].dataset.week) : null;
});
"""

# Press Step; resolve after the frame in which all seven views and the title show the next week.
TIMED_STEP = (
    "async ([views, nextWeek]) => {"
    + SHOWN
    + """
  if (shown(views).includes(nextWeek)) throw new Error('a view shows the next week already');
  const step = Array.from(document.querySelectorAll('button'))
    .find(b => b.innerText.trim().toLowerCase() === 'step');
  const start = performance.now();
  step.click();
  const done = () => {
    const title = document.querySelector('.run-title');
    return shown(views).every(week => week === nextWeek)
      && title !== null && title.innerText.includes(`week ${nextWeek}/`);
  };
  await new Promise(resolve => {
    const poll = () => (done() ? setTimeout(resolve, 0) : requestAnimationFrame(poll));
    requestAnimationFrame(poll);
  });
  return performance.now() - start;
}
"""
)

FULLY_DRAWN = (
    "(views) => {"
    + SHOWN
    + """
  return shown(views).every(week => week !== null)
    && document.querySelector('.run-title') !== null;
}
"""
)


def summary(values: list[float], unit: str) -> str:
    if len(values) > 1:
        q = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q = [values[0]] * 3
    return (
        f"median {statistics.median(values):.0f} {unit} "
        f"(IQR {q[0]:.0f}-{q[2]:.0f}, min {min(values):.0f}, max {max(values):.0f}, "
        f"n={len(values)})"
    )


def measure(url: str, steps: int, loads: int) -> tuple[list[float], list[float]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking"],
        )
        load_ms = []
        for _ in range(loads + 1):  # the first load warms the server's imports; not counted
            context = browser.new_context(viewport={"width": 1600, "height": 1300})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_function(FULLY_DRAWN, arg=list(VIEWS), timeout=60_000, polling="raf")
            load_ms.append((time.perf_counter() - start) * 1000)
            context.close()
        load_ms = load_ms[1:]

        context = browser.new_context(viewport={"width": 1600, "height": 1300})
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(FULLY_DRAWN, arg=list(VIEWS), timeout=60_000, polling="raf")
        step_ms = []
        for week in range(1, steps + 2):  # the first step is a warm-up; not counted
            step_ms.append(page.evaluate(TIMED_STEP, [list(VIEWS), week]))
            page.wait_for_timeout(100)
        context.close()
        browser.close()
    return step_ms[1:], load_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed Step presses (max 25)")
    parser.add_argument("--loads", type=int, default=5, help="timed page loads")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"bench_browser: needs Chromium at {CHROMIUM} (apt-get install chromium)")
        return 0
    steps = max(1, min(args.steps, 24))  # the baseline horizon is 26 weeks
    load_before = os.getloadavg()[0]
    with serving() as url:
        step_ms, load_ms = measure(url, steps, max(1, args.loads))
    step_median, load_median = statistics.median(step_ms), statistics.median(load_ms) / 1000
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    # Other work on the machine shifts every figure; the 1-minute load average shows how much.
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"step to all seven views updated: {summary(step_ms, 'ms')}")
    verdict = "met" if step_median < STEP_TARGET_MS else "NOT met"
    print(f"  target < {STEP_TARGET_MS:.0f} ms: {verdict}")
    print(f"first full render:             {summary(load_ms, 'ms')}")
    print(
        f"  target < {LOAD_TARGET_S:.0f} s: {'met' if load_median < LOAD_TARGET_S else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
