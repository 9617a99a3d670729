"""What every command shares: the usage error and a parser that raises it instead of exiting."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from experiments.executors import EXECUTORS
from world.errors import EscalationError


class UsageError(EscalationError):
    """Bad input from the command line; reported in one line with exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def reader_gone() -> None:
    """The reader of stdout went away (``| head``): what it wanted was printed. Python would
    complain again at exit while flushing stdout, so stdout is pointed at nothing."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def parse_override(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from ``--set``, the value read as a bool, int or float where it is one."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--set expects NAME=VALUE, got '{text}'")
    raw = raw.strip()
    value: Any = raw
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    else:
        for convert in (int, float):
            try:
                value = convert(raw)
                break
            except ValueError:
                continue
    return name.strip(), value


def executor_options(parser: argparse.ArgumentParser) -> None:
    """--executor, --workers and --scheduler, as the commands that run many seeds take them."""
    parser.add_argument(
        "--executor",
        choices=tuple(EXECUTORS),
        default="processes",
        help="where the runs go (default processes)",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address")


def at_least_one(option: str, value: int) -> None:
    if value < 1:
        raise UsageError(f"{option} must be at least 1, got {value}")


def directory_option(option: str, path: Any) -> None:
    """Refuse an output path that exists and is not a directory, before any work starts."""
    if path is not None and path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: exists and is not a directory")


def compile_notice(quiet: bool) -> None:
    """Say, before a first use compiles the weekly process (`process.week`, which the Mesa model
    and the ensemble engine both run), why the next half minute is quiet."""
    from world.compiled import cache_folder, compiled_here

    if not quiet and not compiled_here():
        print(
            "escalation: compiling the model's weekly process for this machine, once: about half "
            "a minute "
            f"(cached in {cache_folder()})",
            file=sys.stderr,
            flush=True,
        )
