"""Speed of a 26-week baseline run, as a ratio to a bare Mesa model of the same shape.

Why: absolute timings depend on the machine and on whatever else it is doing, so the speed
target is stated relative to a floor measured in the same process: a bare ``mesa.Model`` with
the same number of agents, the same number of steps and a ``DataCollector`` of the same width
(same number of model and agent reporters, all plain attribute names). The ratio says how much
the escalation model's own logic costs on top of what any Mesa model of that size pays for
construction, scheduling and data collection. Target: at most 3x the floor.

The two measurements are interleaved (bare, model, model, bare, ... with a distinct seed per
repeat) so that changes in machine load during the run affect both alike. Timings use
``time.perf_counter``; ``gc.collect()`` runs before each timed run and the collector stays on
during it. Medians and inter-quartile ranges are reported because a few slow outliers (another
process, the garbage collector) should not move the verdict. The model's ``history()`` and the
bare model's DataCollector-to-DataFrame conversion are timed separately, outside the ratio.

Run from the repository root with the package installed::

    .venv/bin/python benchmarks/bench_model.py            # 200 interleaved repeats
    .venv/bin/python benchmarks/bench_model.py --profile  # plus a cProfile summary of 50 model runs

The exit status is 0 whether or not the target is met: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import mesa
import pandas as pd

from model import EscalationModel
from model.escalation import AGENT_COLUMNS, MODEL_COLUMNS

TARGET_RATIO = 3.0
SCENARIO = "baseline"
PROFILE_RUNS = 50
PROFILE_TOP = 15
REPO_ROOT = Path(__file__).resolve().parent.parent


# --- the bare-Mesa floor -----------------------------------------------------------------
class BareAgent(mesa.Agent):
    """A trivial agent holding ``width`` float attributes; a step bumps one of them."""

    def __init__(self, model: mesa.Model, names: Sequence[str]) -> None:
        super().__init__(model)
        self.__dict__.update(dict.fromkeys(names, 0.0))

    def step(self) -> None:
        self.a0 += 1.0


class BareModel(mesa.Model):
    """A Mesa model with the escalation model's shape and nothing else."""

    def __init__(self, rng: int, n_agents: int, model_width: int, agent_width: int) -> None:
        super().__init__(rng=rng)
        model_names = [f"m{i}" for i in range(model_width)]
        agent_names = [f"a{i}" for i in range(agent_width)]
        self.__dict__.update(dict.fromkeys(model_names, 0.0))
        for _ in range(n_agents):
            BareAgent(self, agent_names)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: name for name in model_names},
            agent_reporters={name: name for name in agent_names},
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)


@dataclass(frozen=True)
class Shape:
    """What the bare model copies from the escalation model."""

    n_agents: int
    model_width: int
    agent_width: int
    weeks: int


def measure_shape() -> Shape:
    """Read the shape off one real baseline run, so the floor follows the model if it changes."""
    model = EscalationModel(SCENARIO, rng=0)
    return Shape(
        n_agents=len(model.agents),
        model_width=len(MODEL_COLUMNS),
        agent_width=len(AGENT_COLUMNS),
        weeks=model.horizon,
    )


# --- one timed run of each -----------------------------------------------------------------
@dataclass
class Samples:
    """Seconds per run, one entry per repeat."""

    total: list[float] = field(default_factory=list)  # construction + run
    run: list[float] = field(default_factory=list)  # the steps alone
    frames: list[float] = field(default_factory=list)  # DataCollector -> DataFrames


def time_bare(seed: int, shape: Shape, out: Samples | None) -> None:
    """Build the bare model, step it ``shape.weeks`` times, then turn its data into frames."""
    gc.collect()
    t0 = time.perf_counter()
    model = BareModel(seed, shape.n_agents, shape.model_width, shape.agent_width)
    t1 = time.perf_counter()
    for _ in range(shape.weeks):
        model.step()
    t2 = time.perf_counter()
    pd.DataFrame(model.datacollector.model_vars)
    model.datacollector.get_agent_vars_dataframe()
    t3 = time.perf_counter()
    if out is not None:
        out.total.append(t2 - t0)
        out.run.append(t2 - t1)
        out.frames.append(t3 - t2)


def time_model(seed: int, out: Samples | None) -> None:
    """Build and run the 26-week baseline, then build its tables with ``history()``."""
    gc.collect()
    t0 = time.perf_counter()
    model = EscalationModel(SCENARIO, rng=seed)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    model.history()
    t3 = time.perf_counter()
    if out is not None:
        out.total.append(t2 - t0)
        out.run.append(t2 - t1)
        out.frames.append(t3 - t2)


def check_equivalence(shape: Shape) -> None:
    """Fail loudly if the two models stop doing comparable amounts of bookkeeping."""
    bare = BareModel(0, shape.n_agents, shape.model_width, shape.agent_width)
    for _ in range(shape.weeks):
        bare.step()
    real = EscalationModel(SCENARIO, rng=0).run()
    for name, model in (("bare", bare), ("model", real)):
        collector = model.datacollector
        rows = len(next(iter(collector.model_vars.values())))
        if model.steps != shape.weeks or rows != shape.weeks + 1:
            raise SystemExit(f"{name}: {model.steps} steps, {rows} rows; expected {shape.weeks}")
        if len(model.agents) != shape.n_agents:
            raise SystemExit(f"{name}: {len(model.agents)} agents, expected {shape.n_agents}")
        widths = (len(collector.model_reporters), len(collector.agent_reporters))
        if widths != (shape.model_width, shape.agent_width):
            raise SystemExit(f"{name}: DataCollector width {widths}, expected as in the model")


def benchmark(repeats: int, warmup: int, seed: int, shape: Shape) -> tuple[Samples, Samples]:
    """Alternate the order of the pair each repeat; warm-up pairs are not recorded."""
    bare, model = Samples(), Samples()
    for i in range(warmup + repeats):
        run_seed = seed + i
        recording = i >= warmup
        if i % 2 == 0:
            time_bare(run_seed, shape, bare if recording else None)
            time_model(run_seed, model if recording else None)
        else:
            time_model(run_seed, model if recording else None)
            time_bare(run_seed, shape, bare if recording else None)
    return bare, model


# --- reporting -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    median: float
    p25: float
    p75: float
    minimum: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        p25, p50, p75 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(median=p50, p25=p25, p75=p75, minimum=min(values))

    def row(self, label: str, scale: float = 1e3) -> str:
        return (
            f"  {label:<34} {self.median * scale:9.2f} {self.p25 * scale:9.2f}"
            f" {self.p75 * scale:9.2f} {self.minimum * scale:9.2f}"
        )


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def print_environment() -> None:
    print("Environment")
    print(f"  Python   {platform.python_version()} ({platform.python_implementation()})")
    for name in ("mesa", "numpy", "pandas", "networkx"):
        print(f"  {name:<8} {package_version(name)}")
    print(f"  CPU      {cpu_name()} ({os.cpu_count()} logical CPUs)")
    print(f"  OS       {platform.platform()}")


def print_results(bare: Samples, model: Samples, shape: Shape) -> None:
    b_total, m_total = Summary.of(bare.total), Summary.of(model.total)
    b_run, m_run = Summary.of(bare.run), Summary.of(model.run)
    b_frames, m_frames = Summary.of(bare.frames), Summary.of(model.frames)
    print(f"\nResults: {len(model.total)} interleaved repeats, milliseconds per run")
    print(f"  {'':<34} {'median':>9} {'p25':>9} {'p75':>9} {'min':>9}")
    print(b_total.row("bare Mesa: construct + run"))
    print(m_total.row("baseline:  construct + run"))
    print(b_run.row("bare Mesa: run only"))
    print(m_run.row("baseline:  run only"))
    print(b_frames.row("bare Mesa: collector -> DataFrames"))
    print(m_frames.row("baseline:  history()"))

    ratio = m_total.median / b_total.median
    paired = Summary.of([m / b for m, b in zip(model.total, bare.total, strict=True)])
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print("\nRatio (baseline / bare Mesa), construction + run")
    print(f"  ratio of medians          {ratio:6.2f}x   target <= {TARGET_RATIO:.1f}x   {verdict}")
    print(
        f"  paired per-repeat ratios  median {paired.median:.2f}x,"
        f" IQR {paired.p25:.2f}-{paired.p75:.2f}x"
    )
    print(f"  run only, ratio of medians {m_run.median / b_run.median:5.2f}x (for information)")
    print(
        f"\nFloor: {shape.n_agents} agents x {shape.agent_width} attributes,"
        f" {shape.model_width} model + {shape.agent_width} agent reporters, {shape.weeks} steps"
    )


def area_of(filename: str) -> str:
    """Where a profiled function lives: project package, third-party package or stdlib."""
    if filename == "~":
        return "builtins"
    if filename.startswith("<frozen "):
        return f"stdlib:{filename[8:-1]}"
    if filename.startswith("<"):
        return "other"
    path = Path(filename).resolve()
    parts = path.parts
    if "site-packages" in parts:  # before the repository test: the venv may live inside it
        return parts[parts.index("site-packages") + 1]
    if path.is_relative_to(REPO_ROOT):
        top = path.relative_to(REPO_ROOT).parts[0]
        return f"{top}/" if top in ("model", "agents") else f"repo:{top}"
    return f"stdlib:{path.stem}"


def profile(runs: int, seed: int) -> None:
    """cProfile ``runs`` baseline runs (construction + run, as timed above)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(runs):
        EscalationModel(SCENARIO, rng=seed + i).run()
    profiler.disable()

    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs()
    print(f"\nProfile of {runs} baseline runs (construction + run; cProfile inflates call costs)")
    stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    stats.sort_stats("cumulative").print_stats(PROFILE_TOP)
    print(stream.getvalue())

    raw = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in raw.values()) or 1.0
    # Self time, with built-ins (sum, max, list.append...) counted towards their caller.
    own: dict[tuple[str, int, str], float] = {}
    for key, entry in raw.items():
        callers = entry[4]
        if area_of(key[0]) == "builtins" and callers:
            for caller, edge in callers.items():
                own[caller] = own.get(caller, 0.0) + edge[2]
        else:
            own[key] = own.get(key, 0.0) + entry[2]
    by_area: dict[str, float] = {}
    for key, seconds in own.items():
        area = area_of(key[0])
        by_area[area] = by_area.get(area, 0.0) + seconds
    print("Self time by where the code lives (built-in calls counted with their caller)")
    for area, seconds in sorted(by_area.items(), key=lambda kv: kv[1], reverse=True)[:12]:
        print(f"  {area:<28} {100 * seconds / total:5.1f}%")

    project = [key for key in raw if area_of(key[0]) in ("model/", "agents/")]

    def show(title: str, order: Callable[[tuple[str, int, str]], float]) -> None:
        print(f"\nProject functions (model/, agents/), top {PROFILE_TOP} by {title}")
        print(f"  {'cum %':>6} {'self %':>6} {'calls':>8}  function (self: incl. built-ins)")
        for key in sorted(project, key=order, reverse=True)[:PROFILE_TOP]:
            filename, _line, name = key
            where = Path(filename).resolve().relative_to(REPO_ROOT)
            cumulative, calls = raw[key][3], raw[key][1]
            print(
                f"  {100 * cumulative / total:6.1f} {100 * own.get(key, 0.0) / total:6.1f}"
                f" {calls:8d}  {where}:{name}"
            )

    show("self time", lambda key: own.get(key, 0.0))
    show("cumulative time", lambda key: raw[key][3])


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed pairs (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed pairs first (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="first seed; repeat i uses seed+i")
    parser.add_argument(
        "--profile", action="store_true", help=f"also profile {PROFILE_RUNS} baseline runs"
    )
    args = parser.parse_args(argv)
    if args.repeats < 2 or args.warmup < 0 or args.seed < 0:
        parser.error("--repeats must be at least 2; --warmup and --seed must be >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    shape = measure_shape()
    check_equivalence(shape)
    print(f"Benchmark: '{SCENARIO}' escalation model vs bare Mesa floor, {shape.weeks} steps")
    print_environment()
    print(f"  load avg {load_average()} (before)")
    started = time.perf_counter()
    bare, model = benchmark(args.repeats, args.warmup, args.seed, shape)
    elapsed = time.perf_counter() - started
    print(f"  load avg {load_average()} (after, {elapsed:.1f} s)")
    print_results(bare, model, shape)
    if args.profile:
        profile(PROFILE_RUNS, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
