"""The ``escalation`` command: one subcommand per module of this package.

Each module registers its parser and handler; handlers import what they need when they run, so
``escalation run`` does not pay for Dask, SALib or Solara. Every library error derives from
:class:`world.errors.EscalationError` and ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from cli import ablate, app, calibrate, experiment, run, scenarios, summarize, validate
from cli.usage import Parser, reader_gone
from world.errors import EscalationError

COMMANDS = (scenarios, run, experiment, summarize, calibrate, validate, ablate, app)


def build_parser() -> Parser:
    parser = Parser(
        prog="escalation",
        description="Agent-based model of the 2021-22 crisis between Russia, Ukraine and the West.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=Parser, metavar="command"
    )
    for command in COMMANDS:
        command.register(commands)
    return parser


def _version() -> str:
    try:
        return version("crisis-escalation")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        # No command: one line, as for any usage error, that names the commands there are.
        names = ", ".join(c.__name__.rsplit(".", 1)[1] for c in COMMANDS)
        print(
            f"escalation: error: a command is required: {names} (escalation -h says what each"
            " does)",
            file=sys.stderr,
        )
        return 2
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except EscalationError as exc:
        print(f"escalation: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        reader_gone()  # what the reader wanted was printed (commands that can fail say so)
        return 0
    except KeyboardInterrupt:
        print("escalation: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
