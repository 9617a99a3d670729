"""Subcommand ``escalation app``: serve the browser front end with Solara.

The port is checked before Solara starts so that a port in use or out of range ends, like every
other bad input to ``escalation``, with exit status 2 and one line rather than a server trace.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import sys
from pathlib import Path

from cli.usage import UsageError

APP = Path(importlib.util.find_spec("viz").origin).with_name("app.py")  # the app, not run
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def check_address(host: str, port: int) -> None:
    """Raise the CLI's UsageError unless ``host:port`` can be bound now."""

    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: cannot resolve ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise UsageError(f"cannot serve on {host}:{port} ({exc.strerror})") from None


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line serving the app.

    Production mode (no auto-reload), and no start-up query to PyPI for a newer Solara: the
    app is meant to work on a machine without internet.
    """
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
    ]


def command_app(args: argparse.Namespace) -> int:
    """Check the address, print it, then become the Solara server (exec, not a child).

    Exec rather than a subprocess so that a signal sent to ``escalation app`` (Ctrl-C, a
    service manager's SIGTERM) reaches the server itself and leaves no orphan behind.
    """
    check_address(args.host, args.port)
    print(f"Serving the escalation app at http://{args.host}:{args.port}/ (Ctrl-C stops it)")
    sys.stdout.flush()
    command = server_command(args.host, args.port)
    # Solara's usage telemetry would call an outside host; off unless the user turns it on.
    env = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", **os.environ}
    os.execve(command[0], command, env)
    return 0  # not reached: execv replaces this process


def register(commands: argparse._SubParsersAction) -> None:
    """Add this package's subcommands to the ``escalation`` parser."""
    app = commands.add_parser("app", help="serve the interactive browser app (Solara)")
    app.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default: {DEFAULT_HOST})"
    )
    app.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    app.set_defaults(handler=command_app)
