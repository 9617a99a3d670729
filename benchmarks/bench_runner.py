"""Throughput and memory of the experiment runner, against ``mesa.batch_run`` and across executors.

Why: a batch experiment is only useful if thousands of runs take minutes, and the executors are
only worth having if they scale. Reported, each as the median of repeats:

1. runs/second of the runner with one worker (serial) vs ``mesa.batch_run`` on the same runs
   (baseline, 26 weeks, the same seeds), both recording the weekly model table
   (target: runner >= 2x). ``batch_run`` collects every step (``data_collection_period=1``);
   its per-agent rows are reduced to one row per run and week, as a user must do. For
   information, the runner recording all three tables (model, agents, signals), and the model
   alone: the same runs built and run as ``batch_run`` builds them, nothing kept or written.
   No runner of this model can be faster than the model alone, so the model alone over
   ``batch_run`` is the highest ratio any runner could reach here. The same two rates for the
   bare-Mesa floor of ``bench_model.py`` (the escalation model's shape, no logic) show what the
   ratio could be for a model costing nothing beyond Mesa itself.
2. speed-up of local processes from 1 to 2 workers (target >= 1.7x)
3. Dask LocalCluster (2 worker processes) vs local processes (2 workers) (target >= 0.9x);
   the cluster's start-up is reported separately.

Sections 2 and 3 take the repeats of the two executors they compare in turn (A, B, A, B, ...),
each repeat with an executor started afresh, warmed up untimed and closed (and its processes
gone) before the other's turn, so that drift in the machine's speed falls on both sides of the
ratio and no executor's start-up, idle chatter or shutdown falls into another's timing.
4. peak memory of a 20,000-run experiment recording the model table, the runner run in a
   subprocess as ``escalation experiment`` runs it (serial, and 2 worker processes; without the
   summary the command prints afterwards), sampled every 50 ms: the sum of the resident set
   sizes of the runner and all its children, and the sum of their proportional set sizes
   (target < 400 MB: for one process its resident set; for several, the sum of proportional
   set sizes, since a sum of resident sets counts the libraries they share once per process).

The machine's other load moves these figures: run it on an idle machine and read the medians.
Usage::

    .venv/bin/python benchmarks/bench_runner.py            # full
    .venv/bin/python benchmarks/bench_runner.py --quick    # smaller and faster, same report
    .venv/bin/python benchmarks/bench_runner.py --no-memory  # throughput only
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mesa
import pandas as pd
from bench_model import BareModel, measure_shape  # beside this script, so on sys.path

from experiments.design import load_experiment
from experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from experiments.runner import run_experiment
from model import EscalationModel
from model.escalation import MODEL_COLUMNS

WEEKS = 26
EXPERIMENT = """
name = "bench-{runs}"
seed = 1
replicates = {runs}
weeks = {weeks}
scenarios = ["baseline"]
record = {record}
{chunk}
"""


MODEL_ONLY = ("model",)
ALL_TABLES = ("model", "agents", "signals")


def experiment_file(
    folder: Path, runs: int, chunk: int | None = None, record: tuple[str, ...] = MODEL_ONLY
) -> Path:
    path = folder / f"bench-{runs}-{chunk}-{len(record)}.toml"
    chunk_line = f"chunk_size = {chunk}" if chunk else ""
    tables = "[" + ", ".join(f'"{name}"' for name in record) + "]"
    path.write_text(EXPERIMENT.format(runs=runs, weeks=WEEKS, chunk=chunk_line, record=tables))
    return path


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def runner_rate(
    folder: Path,
    runs: int,
    executor_factory,
    repeats: int,
    tag: str,
    record: tuple[str, ...] = MODEL_ONLY,
) -> list[float]:
    """Runs/second of ``run_experiment`` with a warmed-up executor, one value per repeat."""
    experiment = load_experiment(experiment_file(folder, runs, record=record))
    executor = executor_factory()
    try:
        warm_up(folder, executor, tag)
        rates = []
        for repeat in range(repeats):
            out = folder / f"{tag}-{repeat}"
            rates.append(runs / timed(lambda out=out: run_experiment(experiment, out, executor)))
    finally:
        executor.close()
    return rates


def interleaved_rates(
    folder: Path, runs: int, factories: dict[str, Callable[[], object]], repeats: int
) -> dict[str, list[float]]:
    """Runs/second of each executor, their repeats taken in turn (A, B, A, B, ...).

    Taking turns spreads any drift in the machine's speed over both sides of a ratio. Each
    repeat starts its executor afresh, warms it up untimed, times one experiment and closes it,
    then waits for its processes to be gone, so that no executor's start-up, idle chatter or
    shutdown falls into another's timing.
    """
    experiment = load_experiment(experiment_file(folder, runs))
    outputs = Path(tempfile.mkdtemp(prefix="turns-", dir=folder))  # fresh: nothing to resume
    rates: dict[str, list[float]] = {name: [] for name in factories}
    for repeat in range(repeats):
        for index, (name, factory) in enumerate(factories.items()):
            executor = factory()
            try:
                warm_up(outputs, executor, f"{index}-{repeat}")
                out = outputs / f"{index}-{repeat}"
                started = time.perf_counter()
                run_experiment(experiment, out, executor)
                rates[name].append(runs / (time.perf_counter() - started))
            finally:
                executor.close()
            settle()
    return rates


def warm_up(folder: Path, executor, tag: str) -> None:
    """A small untimed experiment: worker start-up and imports are not what is measured."""
    warm = load_experiment(experiment_file(folder, 8, chunk=2))
    run_experiment(warm, folder / f"warm-{tag}", executor)


def settle(timeout: float = 10.0) -> None:
    """Wait until a closed executor's processes are gone.

    Only multiprocessing's resource tracker and forkserver, started with the first pool and
    kept idle for the life of this process, may stay.
    """
    import psutil

    def leftovers() -> list:
        found = []
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                command = " ".join(child.cmdline())
                if "resource_tracker" not in command and "forkserver" not in command:
                    found.append(child)
        return found

    deadline = time.perf_counter() + timeout
    while leftovers() and time.perf_counter() < deadline:
        time.sleep(0.05)


def batch_frame(
    model_class: type, parameters: dict, seeds: list, columns: list[str] | None = None
) -> pd.DataFrame:
    """``mesa.batch_run`` collecting every step, reduced to ``columns`` and one row per week."""
    rows = mesa.batch_run(
        model_class,
        parameters=parameters,
        rng=seeds,
        max_steps=WEEKS + 1,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    return (frame[columns] if columns else frame).drop_duplicates(["RunId", "Step"])


def batch_run_rate(runs: int, repeats: int) -> list[float]:
    experiment_seeds = [r.seed for r in load_experiment_runs(runs)]
    keep = ["RunId", "Step", *MODEL_COLUMNS]

    def go() -> pd.DataFrame:
        parameters = {"scenario": "baseline", "weeks": WEEKS}
        return batch_frame(EscalationModel, parameters, experiment_seeds, keep)

    return [runs / timed(go) for _ in range(repeats)]


def model_alone_rate(runs: int, repeats: int) -> list[float]:
    """Runs/second of building and running the model on ``batch_run``'s runs, nothing kept."""
    seeds = [r.seed for r in load_experiment_runs(runs)]

    def go() -> None:
        for seed in seeds:
            EscalationModel("baseline", rng=seed, weeks=WEEKS).run()

    return [runs / timed(go) for _ in range(repeats)]


class Floor(BareModel):
    """The bare-Mesa floor as ``batch_run`` takes a model: built from keywords, stops itself."""

    def __init__(
        self, rng: int, n_agents: int, model_width: int, agent_width: int, weeks: int
    ) -> None:
        super().__init__(rng, n_agents, model_width, agent_width)
        self.weeks = weeks

    def step(self) -> None:
        super().step()
        self.running = self.steps < self.weeks


def floor_rates(runs: int, repeats: int) -> tuple[list[float], list[float]]:
    """Runs/second of the floor alone and under ``batch_run`` (reduced as above), in turn."""
    shape = vars(measure_shape())
    seeds = list(range(runs))

    def alone() -> None:
        for seed in seeds:
            floor = Floor(seed, **shape)
            while floor.running:
                floor.step()
            assert floor.steps == WEEKS

    def batch() -> pd.DataFrame:
        frame = batch_frame(Floor, shape, seeds)
        assert len(frame) == runs * (WEEKS + 1)  # weeks 0-26 of every run, as the model's
        return frame

    pairs = [(runs / timed(alone), runs / timed(batch)) for _ in range(repeats)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def load_experiment_runs(runs: int):
    with tempfile.TemporaryDirectory() as folder:
        return list(load_experiment(experiment_file(Path(folder), runs)).runs())


def peak_memory(folder: Path, runs: int, workers: int) -> tuple[float, float, float]:
    """Peak memory (MB) of ``escalation experiment`` and its children, and its duration.

    Two sums over the process tree, sampled every 50 ms: resident set sizes (counts pages
    shared between processes, e.g. the forkserver's imported libraries, once per process) and
    proportional set sizes (shares them out: the tree's real footprint).
    """
    path = experiment_file(folder, runs)
    out = folder / f"memory-{runs}-{workers}"
    kind = "serial" if workers == 1 else "processes"
    # The runner alone, as the command runs it, without the summary printed afterwards.
    script = (
        "from experiments.design import load_experiment\n"
        "from experiments.executors import make_executor\n"
        "from experiments.runner import run_experiment\n"
        f"executor = make_executor({kind!r}, workers={workers})\n"
        f"run_experiment(load_experiment({str(path)!r}), {str(out)!r}, executor)\n"
        "executor.close()\n"
    )
    command = [sys.executable, "-c", script]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak_rss, peak_pss = sample_tree_memory(process)
    if process.returncode:
        raise SystemExit(f"the memory run failed with exit status {process.returncode}")
    return peak_rss / 2**20, peak_pss / 2**20, time.perf_counter() - started


def sample_tree_memory(process: subprocess.Popen, interval: float = 0.05) -> tuple[int, int]:
    """Peak bytes of ``process`` and all its children until it exits, sampled every ``interval``.

    Two sums over the process tree: resident set sizes (counting pages the processes share
    once per process) and proportional set sizes (sharing them out). Returns when the process
    has exited; its exit status is then in ``process.returncode``.
    """
    import psutil

    root = psutil.Process(process.pid)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss = pss = 0
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in members:
            with contextlib.suppress(psutil.Error):
                info = member.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(interval)
    process.wait()
    return peak_rss, peak_pss


def report(name: str, values: list[float], unit: str = "runs/s") -> float:
    median = statistics.median(values)
    shown = ", ".join(f"{v:.0f}" for v in values)
    print(f"  {name:34} median {median:8.1f} {unit}   (repeats: {shown})")
    return median


def report_in_turn(
    folder: Path, runs: int, factories: dict[str, Callable[[], object]], turns: int
) -> list[float]:
    """Each executor's median runs/second, their repeats taken in turn; reported as found."""
    rates = interleaved_rates(folder, runs, factories, turns)
    return [report(label, values) for label, values in rates.items()]


def verdict(label: str, value: float, target: float, above: bool = True) -> None:
    met = value >= target if above else value < target
    sign = ">=" if above else "<"
    print(f"{label:54} {value:7.2f}   target {sign} {target}: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and repeats")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurement")
    args = parser.parse_args()
    small, scaling, memory_runs, repeats, turns = (
        (100, 300, 2000, 3, 3) if args.quick else (300, 800, 20000, 3, 5)
    )
    print(f"CPUs: {os.cpu_count()}; Python {sys.version.split()[0]}; mesa {mesa.__version__}")
    print("(other processes on this machine move these figures)\n")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(f"1. one worker vs mesa.batch_run, {small} runs of {WEEKS} weeks")
        ours = report("runner, serial", runner_rate(folder, small, SerialExecutor, repeats, "s"))
        theirs = report("mesa.batch_run", batch_run_rate(small, repeats))
        report(
            "runner, serial, all three tables",
            runner_rate(folder, small, SerialExecutor, repeats, "s3", ALL_TABLES),
        )
        alone = report("model alone, nothing kept", model_alone_rate(small, repeats))
        floor_alone, floor_batch = floor_rates(small, repeats)
        bare = report("bare-Mesa floor alone", floor_alone) / report(
            "bare-Mesa floor, mesa.batch_run", floor_batch
        )
        print("  (the last four for information: the runner recording every table; the model")
        print("   built and run on the same runs with nothing kept, which no runner can beat;")
        print("   the bare-Mesa floor of bench_model.py, alone and under batch_run)")

        print(f"2. local processes, 1 and 2 workers, {scaling} runs, repeats taken in turn")
        one, two = report_in_turn(
            folder,
            scaling,
            {
                "processes, 1 worker": lambda: ProcessExecutor(1),
                "processes, 2 workers": lambda: ProcessExecutor(2),
            },
            turns,
        )

        print(
            f"3. Dask LocalCluster (2 workers) vs local processes (2 workers), {scaling} runs, "
            "repeats taken in turn"
        )
        startup = timed(lambda: DaskExecutor(2).close())
        settle()
        local, dask = report_in_turn(
            folder,
            scaling,
            {
                "processes, 2 workers": lambda: ProcessExecutor(2),
                "dask LocalCluster, 2 workers": lambda: DaskExecutor(2),
            },
            turns,
        )
        print(f"  (LocalCluster start and stop: {startup:.1f} s, not included above)")

        memory = {}
        if not args.no_memory:
            print(f"4. peak memory, {memory_runs:,} runs recording the model table")
        for workers in () if args.no_memory else (1, 2):
            rss, pss, seconds = peak_memory(folder, memory_runs, workers)
            # One process: its resident set. Several: the tree's proportional set sizes, since
            # the workers share the forkserver's imported libraries and a sum of resident sets
            # counts those pages once per process.
            memory[workers] = (rss, "RSS") if workers == 1 else (pss, "PSS sum")
            print(
                f"  {workers} worker(s): peak RSS sum {rss:.0f} MB, PSS sum {pss:.0f} MB; "
                f"took {seconds:.0f} s"
            )

    print("\nSummary")
    verdict("runner (1 worker) / mesa.batch_run, runs per second", ours / theirs, 2.0)
    print(f"{'  ceiling for any runner: model alone / batch_run':54} {alone / theirs:7.2f}")
    print(f"{'  the same ceiling for the bare-Mesa floor (no logic)':54} {bare:7.2f}")
    verdict("2 workers / 1 worker, local processes", two / one, 1.7)
    verdict("Dask LocalCluster / local processes, 2 workers", dask / local, 0.9)
    for workers, (footprint, measure) in memory.items():
        label = f"peak {measure} of {memory_runs:,} runs, {workers} worker(s), MB"
        verdict(label, footprint, 400, above=False)


if __name__ == "__main__":
    main()
