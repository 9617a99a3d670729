"""Subcommand ``escalation app``: serve the browser front end with Solara.

The port and the results root (``--results``, the only directory the batch page reads
experiments from) are checked before Solara starts, so that a port in use or out of range, or a
root that is a file, ends like every other bad input to ``escalation``: exit status 2 and one
line rather than a server trace. Solara's server then runs in this process until Ctrl-C or
SIGTERM, which end it with exit status 0 and one line.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import sys
import warnings
from pathlib import Path

from cli.usage import UsageError
from viz.results_root import DEFAULT_ROOT, ROOT_ENV

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


def check_results(path: str) -> Path:
    """The results root, resolved; UsageError if it exists but is not a directory.

    A missing root is not an error: the app starts and its batch page says that the root
    holds no experiments yet (``escalation experiment`` may be about to write one there).
    """
    root = Path(path).expanduser()
    if root.exists() and not root.is_dir():
        raise UsageError(f"--results {path}: not a directory")
    return root.resolve()


def solara_arguments(host: str, port: int) -> list[str]:
    """The ``solara run`` arguments serving the app.

    Production mode (no auto-reload), and no start-up query to PyPI for a newer Solara: the
    app is meant to work on a machine without internet.
    """
    return [str(APP), "--host", host, "--port", str(port), "--production", "--no-check-version"]


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl-C does


def serve(host: str, port: int) -> None:
    """Run Solara's server in this process until Ctrl-C or SIGTERM (KeyboardInterrupt).

    In-process rather than a child, so that a signal sent to ``escalation app`` reaches the
    server itself and leaves no orphan behind. Uvicorn shuts down gracefully on the signal
    and then raises it again, which ends here as KeyboardInterrupt.
    """
    # Solara's usage telemetry would call an outside host; off unless the user turns it on.
    # Set before Solara is imported: its settings read the environment then.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Solara's fixed "This website runs on Solara" banner lies over the page's last lines.
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    from solara.__main__ import run

    # Solara warns (12 lines, on the first page request) that its session cookie falls back
    # to SameSite=Lax whenever the page is not served over https or from "localhost". That
    # fallback is right for this app, which is not embedded in other sites' frames, and
    # Solara has no setting to turn the warning off: filter exactly that warning.
    warnings.filterwarnings(
        "ignore",
        message="Cookies with samesite=none require https",
        category=UserWarning,
        module="solara.server.starlette",
    )
    # Invoked without click's standalone handling, which would turn Ctrl-C into "Aborted!"
    # and exit status 1.
    with run.make_context("solara run", solara_arguments(host, port)) as context:
        run.invoke(context)


def command_app(args: argparse.Namespace) -> int:
    """Check the address and the results root, print them, then serve until stopped.

    Ctrl-C or SIGTERM ends with one line, ``escalation app: stopped``, and exit status 0.
    """
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        check_address(args.host, args.port)
        root = check_results(args.results)
        # Solara loads the page itself; the root reaches it through the environment.
        os.environ[ROOT_ENV] = str(root)
        print(f"Serving the escalation app at http://{args.host}:{args.port}/ (Ctrl-C stops it)")
        note = "" if root.is_dir() else " (it does not exist yet)"
        print(f"Its batch page reads experiments under {root}{note}")
        sys.stdout.flush()
        serve(args.host, args.port)
    except KeyboardInterrupt:
        print("escalation app: stopped", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this package's subcommands to the ``escalation`` parser."""
    app = commands.add_parser("app", help="serve the interactive browser app (Solara)")
    app.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default: {DEFAULT_HOST})"
    )
    app.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    app.add_argument(
        "--results",
        default=DEFAULT_ROOT,
        metavar="DIR",
        help="the batch page reads experiment directories under DIR only "
        f"(default: {DEFAULT_ROOT}/ in the current directory)",
    )
    app.set_defaults(handler=command_app)
