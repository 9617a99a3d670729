"""Subcommand ``escalation experiment``: run an experiment file into a results directory.

Bad input (invalid file, unknown scenario or parameter, unusable --out, unreachable scheduler)
raises :class:`~experiments.design.ExperimentError`, a ``ScenarioError``, or ``UsageError``,
which ``escalation`` reports in one line with exit status 2. Exit status 1 means the results
are stored but some runs failed (a line on stderr counts them); 130, interrupted (a line says
how to resume).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from cli.usage import UsageError, compile_notice, reader_gone
from experiments.design import shipped
from experiments.executors import EXECUTORS


def register(commands: argparse._SubParsersAction) -> None:
    """Add this package's subcommands to the ``escalation`` parser."""
    parser = commands.add_parser(
        "experiment",
        help="run a batch experiment (many seeded runs) into a results directory",
        description="Run an experiment file; run it again on the same --out to resume.",
    )
    parser.add_argument(
        "file", help=f"experiment TOML file, or a shipped name: {', '.join(sorted(shipped()))}"
    )
    parser.add_argument("--out", type=Path, required=True, help="results directory")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: 2 with --executor processes or dask)",
    )
    parser.add_argument(
        "--executor",
        choices=tuple(EXECUTORS),
        default=None,
        help="where runs execute (default: dask with --scheduler, processes with --workers > 1,"
        " else serial)",
    )
    parser.add_argument(
        "--scheduler", default=None, help="existing Dask scheduler, tcp://host:8786"
    )
    parser.add_argument(
        "--replicates",
        type=int,
        default=None,
        help="replicates per design point instead of the file's; raising it on an existing"
        " --out adds runs and keeps the stored ones",
    )
    parser.add_argument(
        "--scenarios", default=None, help="comma-separated scenarios instead of the file's"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="experiment seed instead of the file's"
    )
    parser.add_argument(
        "--no-retry",
        dest="retry",
        action="store_false",
        help="on resume, keep stored failed runs instead of running them again",
    )
    parser.add_argument("--csv", type=Path, default=None, help="also export all tables as CSV here")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(handler=command_experiment)


def command_experiment(args: argparse.Namespace) -> int:
    from experiments.design import load_experiment
    from experiments.executors import make_executor
    from experiments.runner import run_experiment
    from experiments.store import ResultStore, export_csv

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    executor_name = args.executor
    if executor_name is None:
        if args.scheduler:
            executor_name = "dask"
        else:
            executor_name = "processes" if (args.workers or 1) > 1 else "serial"
    if args.scheduler and executor_name != "dask":
        raise UsageError("--scheduler needs --executor dask")
    workers = args.workers or (2 if executor_name != "serial" else 1)

    if args.replicates is not None and args.replicates < 1:
        raise UsageError(f"--replicates must be at least 1, got {args.replicates}")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    scenarios = None
    if args.scenarios is not None:
        scenarios = [name.strip() for name in args.scenarios.split(",")]
        if not all(scenarios):
            raise UsageError(
                f"--scenarios expects names separated by commas, got '{args.scenarios}'"
            )

    experiment = load_experiment(
        args.file, replicates=args.replicates, scenarios=scenarios, seed=args.seed
    )
    ResultStore.open(args.out, experiment)  # refuse a bad --out before starting any workers
    compile_notice(args.quiet)
    line = ProgressLine(experiment.name, sys.stderr, enabled=not args.quiet)
    executor = make_executor(executor_name, workers=workers, scheduler=args.scheduler)
    try:
        final = run_experiment(
            experiment, args.out, executor, progress=line.update, retry=args.retry
        )
    except KeyboardInterrupt:
        line.finish()
        print(
            f"escalation: interrupted; finished chunks are kept in {args.out}: to resume, run "
            "the same command again with the same --out",
            file=sys.stderr,
        )
        return 130
    finally:
        line.finish()
        executor.close()
    # The CSV comes before any printing, so a reader that goes away (``| head``) loses lines,
    # never files; the exit status says whether runs failed, whether or not it was read.
    written = export_csv(args.out, args.csv) if args.csv is not None else None
    failed = final.failures + final.kept_failures
    try:
        ran = final.done - final.resumed
        retried = f", {final.retried:,} retried" if final.retried else ""
        resumed = f", {final.resumed:,} already there" if final.resumed else ""
        kept = f", {final.kept_failures:,} failed earlier and kept" if final.kept_failures else ""
        say(
            f"{experiment.name}: {final.total:,} runs in {args.out} ({ran:,} run now{retried}"
            f"{resumed}, {final.failures:,} failed{kept}); read them with "
            f"experiments.load('{args.out}')"
        )
        if written is not None:
            say(f"CSV: {', '.join(p.name for p in written)} in {args.csv}")
        report_summary(args.out)
    except BrokenPipeError:
        reader_gone()
    if failed:
        again = "run the same command again to retry them" + (
            " (without --no-retry)" if not args.retry else ""
        )
        print(
            f"escalation: {failed:,} of {final.total:,} runs failed (status 'error' in the runs"
            f" table); {again}",
            file=sys.stderr,
        )
        return 1
    return 0


def say(line: str) -> None:
    """Print a line of prose wrapped to the 100 columns of the summary (paths kept whole)."""
    from analysis.summary import fit

    print("\n".join(fit(line, whole_words=True)))


def report_summary(out: Path) -> None:
    from analysis.summary import print_report

    print_report(out)


class ProgressLine:
    """One line on stderr, redrawn in place: runs done of total, rate, time left, failures."""

    def __init__(self, name: str, stream: TextIO, enabled: bool = True, every: float = 0.2):
        self.name, self.stream, self.enabled, self.every = name, stream, enabled, every
        # Redrawn in place on a terminal; into a log file, a plain line every 10 seconds.
        self.in_place = bool(getattr(stream, "isatty", lambda: False)())
        if not self.in_place:
            self.every = max(every, 10.0)
        self._last = 0.0
        self._drawn = False

    def update(self, state) -> None:  # state: experiments.runner.Progress
        now = time.monotonic()
        if not self.enabled or (now - self._last < self.every and state.done < state.total):
            return
        self._last = now
        left = state.remaining
        eta = "?" if left is None else _duration(left)
        text = (
            f"{self.name}: {state.done:,}/{state.total:,} runs "
            f"({state.done / max(state.total, 1):.0%}), {state.rate:,.0f} runs/s, "
            f"{eta} left, {state.failures} failed"
        )
        if self.in_place:
            self.stream.write("\r" + text.ljust(78))
            self._drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self._drawn = False
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
