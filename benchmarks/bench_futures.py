"""The browser's "Many futures" page: how long one update takes on this machine.

An update runs the sidebar's settings on ``viz.futures.FUTURES`` seeds in the ensemble engine
and draws the figure. Measured here: the first update (which loads the compiled engine from
its disk cache), then updates on new seeds (median of 5), and the figure drawn as SVG. The
page's own time adds a websocket round trip and the browser's layout of the SVG (tens of
milliseconds).

    .venv/bin/python benchmarks/bench_futures.py

Prints a report and exits 0 whatever the figures.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viz import figures, futures
from viz.session import RunConfig

REPEATS = 5


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    count = futures.FUTURES
    cold = timed(lambda: futures.run_futures(RunConfig(seed=1000), count))
    warm = [timed(lambda s=s: futures.run_futures(RunConfig(seed=s), count)) for s in range(5)]
    frame = futures.run_futures(RunConfig(seed=1), count)
    drawing = [
        timed(
            lambda: figures.svg(futures.futures_figure(frame, dt.date(2021, 11, 1), 15, 5, 4, 26))
        )
        for _ in range(REPEATS)
    ]
    median_warm = statistics.median(warm)
    print(f"{count} futures, first update (loads the compiled engine): {cold:.2f} s")
    print(
        f"{count} futures, later updates, median of {REPEATS}: {median_warm:.2f} s"
        f" ({min(warm):.2f}-{max(warm):.2f})"
    )
    print(f"figure as SVG, median of {REPEATS}: {statistics.median(drawing) * 1000:.0f} ms")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
