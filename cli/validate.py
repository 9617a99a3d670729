"""``escalation validate``: regenerate docs/VALIDATION.md from fresh runs.

It runs several experiments one after the other (minutes); a progress line per experiment on
stderr, the one ``escalation experiment`` draws, says which one is running and how far it is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cli.experiment import ProgressLine
from cli.usage import UsageError, compile_notice, executor_options


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``validate`` to the ``escalation`` parser."""
    parser = commands.add_parser(
        "validate",
        help="run the validation experiments and write docs/VALIDATION.md",
        description="Run the pattern checks, the two readings of the sources, the strategies "
        "under both, a Sobol analysis and the ablation registry, then write docs/VALIDATION.md "
        "with its figures (about 5 minutes on two cores with the defaults).",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for the runs")
    parser.add_argument(
        "--report", type=Path, default=None, help="where to write it (default docs/VALIDATION.md)"
    )
    parser.add_argument(
        "--replicates",
        type=int,
        default=None,
        help="runs per scenario and paired seeds per ablated mechanism (default 400; an "
        "entry stating more seeds in the registry runs on its own)",
    )
    parser.add_argument(
        "--sobol-samples",
        type=int,
        default=None,
        help="Sobol base sample N (default 1024, 8 seeds per sample)",
    )
    parser.add_argument(
        "--registry",
        type=Path,
        default=None,
        help="ablation registry for section 6 (default analysis/ablation.toml)",
    )
    executor_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(handler=command_validate)


def command_validate(args: argparse.Namespace) -> int:
    from analysis.ablation import REGISTRY, load_registry
    from analysis.validation import EXPERIMENTS, REPORT, Settings, validate
    from experiments.executors import make_executor

    defaults = Settings()
    replicates = defaults.replicates if args.replicates is None else args.replicates
    samples = defaults.sobol_samples if args.sobol_samples is None else args.sobol_samples
    report = REPORT if args.report is None else args.report
    for option, value in (
        ("--replicates", replicates),
        ("--sobol-samples", samples),
        ("--workers", args.workers),
    ):
        if value < 1:
            raise UsageError(f"{option} must be at least 1, got {value}")
    if samples & (samples - 1):
        raise UsageError(f"--sobol-samples must be a power of two, got {samples}")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a directory")
    registry = REGISTRY if args.registry is None else args.registry
    load_registry(registry)  # a bad registry fails now, not after the other experiments
    settings = Settings(replicates=replicates, sobol_samples=samples, registry=registry)
    executor = make_executor(args.executor, args.workers, args.scheduler)
    compile_notice(args.quiet)
    lines = StageLines(EXPERIMENTS, sys.stderr, enabled=not args.quiet)
    try:
        written = validate(args.out, settings, executor, report=report, progress=lines.update)
    finally:
        lines.finish()
        executor.close()
    print(f"Wrote {written}")
    return 0


class StageLines:
    """A :class:`~cli.experiment.ProgressLine` per experiment of a command that runs several,
    named with its place: ``validate 2/5 hypotheses: 300/1,200 runs (25%), ...``. Redrawn in
    place on a terminal, a line per update elsewhere (a log, a pipe)."""

    def __init__(
        self,
        order: Sequence[str],
        stream: TextIO,
        enabled: bool = True,
        command: str = "validate",
    ) -> None:
        self.order, self.stream, self.enabled = list(order), stream, enabled
        self.command = command
        self.name: str | None = None
        self.line: ProgressLine | None = None

    def update(self, name: str, state) -> None:  # state: experiments.runner.Progress
        if name != self.name:
            self.finish()
            place = f"{self.order.index(name) + 1}/{len(self.order)} " if name in self.order else ""
            self.name = name
            self.line = ProgressLine(f"{self.command} {place}{name}", self.stream, self.enabled)
        assert self.line is not None
        self.line.update(state)

    def finish(self) -> None:
        if self.line is not None:
            self.line.finish()
