"""The ``escalation`` command: one subcommand per module of this package.

Each module registers its parser and handler; handlers import what they need when they run, so
``escalation run`` does not pay for Dask, SALib or Solara. Every library error derives from
:class:`world.errors.EscalationError` and ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from cli import ablate, app, calibrate, experiment, run, scenarios, summarize, validate
from cli.usage import Parser
from world.errors import EscalationError

COMMANDS = (scenarios, run, experiment, summarize, calibrate, validate, ablate, app)


def build_parser() -> Parser:
    parser = Parser(
        prog="escalation",
        description="Agent-based model of the 2021-22 crisis between Russia, Ukraine and the West.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except EscalationError as exc:
        print(f"escalation: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``): what it wanted was printed. Python would complain
        # again at exit while flushing stdout, so stdout is pointed at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("escalation: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
