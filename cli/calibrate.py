"""``escalation calibrate``: fit the free parameters of a scenario to the sources' patterns."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.usage import UsageError, compile_notice, executor_options
from cli.validate import StageLines


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` to the ``escalation`` parser."""
    parser = commands.add_parser(
        "calibrate", help="fit free parameters to the patterns of the sources"
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=None,
        help="calibration TOML file (default analysis/calibration.toml)",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for the search runs")
    executor_options(parser)
    parser.add_argument(
        "--apply",
        action="store_true",
        help="write the chosen values into the scenario file and docs/ODD.md",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(handler=command_calibrate)


def command_calibrate(args: argparse.Namespace) -> int:
    from analysis.calibrate import (
        DEFAULT_FILE,
        STAGES,
        apply,
        calibrate,
        load_calibration,
        summary_table,
    )
    from experiments.executors import make_executor

    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    calibration = load_calibration(args.file or DEFAULT_FILE)
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a directory")
    executor = make_executor(args.executor, args.workers, args.scheduler)
    # The progress lines of `escalation validate`: in place on a terminal, else one per update.
    compile_notice(args.quiet)
    lines = StageLines(STAGES, sys.stderr, enabled=not args.quiet, command="calibrate")
    try:
        record = calibrate(calibration, args.out, executor, progress=lines.update)
    finally:
        lines.finish()
        executor.close()
    print(summary_table(record).to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    chosen = record["chosen"]
    if chosen is None:
        print("No finalist met every pattern; nothing chosen.")
        return 1
    print(f"Chosen: {chosen['parameters']} (score {chosen['score']:.4g})")
    if args.apply:
        written = apply(record)
        print(f"Wrote {written} into the {record['scenario']} scenario and docs/ODD.md")
    return 0
