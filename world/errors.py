"""The one base class of every error the library reports about its input."""

from __future__ import annotations


class EscalationError(ValueError):
    """Bad input (a file, a parameter, a directory, a command-line option): the message names
    the place and the rule, and the command line reports it in one line with exit status 2."""
