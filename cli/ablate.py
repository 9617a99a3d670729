"""``escalation ablate``: run the ablation registry alone and print which mechanisms matter.

The same runs and table as the "Ablation registry" section of docs/VALIDATION.md, without the
rest of the report: for editing the registry (``--only`` one entry) or checking a model change.
Exit status 1 when a mechanism not marked known in the registry is decorative or moves its
expected outcome the wrong way; 2 for bad input, in one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.experiment import ProgressLine, say
from cli.usage import at_least_one, compile_notice, directory_option, executor_options


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``ablate`` to the ``escalation`` parser."""
    parser = commands.add_parser(
        "ablate",
        help="run the ablation registry: does each mechanism move an outcome at |z| >= 3?",
        description="Switch every mechanism of the registry off, or move it across its range, "
        "on the same seeds in both arms, and print the paired z of P(invasion), the invasion "
        "week, the imposed sanction tier and the highest rung (about 1 minute on two cores "
        "with the defaults).",
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=None,
        help="registry TOML file (default analysis/ablation.toml)",
    )
    parser.add_argument(
        "--seeds", type=int, default=400, help="paired seeds per mechanism (default 400)"
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated mechanism names to run (default all)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="also write per-run outcomes and the statistics"
    )
    executor_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(handler=command_ablate)


def command_ablate(args: argparse.Namespace) -> int:
    from analysis.ablation import (
        REGISTRY,
        load_registry,
        run_registry,
        select,
        summary,
        text_table,
        verdict,
        write,
    )
    from experiments.executors import make_executor

    at_least_one("--seeds", args.seeds)
    at_least_one("--workers", args.workers)
    directory_option("--out", args.out)
    mechanisms = load_registry(args.file or REGISTRY)
    if args.only is not None:
        mechanisms = select(mechanisms, [name.strip() for name in args.only.split(",")])
    executor = make_executor(args.executor, args.workers, args.scheduler)
    compile_notice(args.quiet)
    line = ProgressLine("ablate", sys.stderr, enabled=not args.quiet)
    try:
        result = run_registry(mechanisms, args.seeds, executor, progress=line.update)
    finally:
        line.finish()
        executor.close()
    print(text_table(result))
    print()
    more = [f"{m.name} {m.seeds}" for m in mechanisms if m.seeds > args.seeds]
    said = f"{args.seeds} paired seeds per mechanism"
    said += f" (more where an entry needs them: {', '.join(more)})" if more else ""
    say(f"{said}. {summary(result)}")
    if args.out is not None:
        written = write(result, args.out)
        say(f"Wrote {', '.join(p.name for p in written)} in {args.out}")
    unexpected = [m for m in mechanisms if not m.known_failure and not result.passes(m)]
    for m in unexpected:
        print(f"escalation: ablate: '{m.name}': {verdict(result, m)}", file=sys.stderr)
    return 1 if unexpected else 0
