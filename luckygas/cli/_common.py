"""Helpers shared by the command-line modules."""

from __future__ import annotations

import argparse
import sys


class CommandError(Exception):
    """A user-facing failure: printed as one line, exits non-zero."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_command(
    sub: argparse._SubParsersAction, name: str, help_text: str, handler
) -> argparse.ArgumentParser:
    """Add a sub-command whose ``handler(args) -> int`` runs it."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal: piped or logged output stays readable."""
    quiet = getattr(args, "quiet", False) or getattr(args, "no_progress", False)
    return not quiet and sys.stderr.isatty()
