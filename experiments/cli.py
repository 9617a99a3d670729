"""Subcommands ``escalation experiment`` and ``escalation summarize`` (being built, issue 3)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add this package's subcommands to the ``escalation`` parser."""
