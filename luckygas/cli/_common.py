"""Helpers shared by the command-line modules."""

from __future__ import annotations

import argparse
import datetime as dt
import sys


class CommandError(Exception):
    """A user-facing failure: printed as one line, exits non-zero."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def one_line(exc: BaseException) -> str:
    """An exception's reason as one line: the driver's own text (not SQLAlchemy's wrapper,
    which adds the SQL and a documentation link), whitespace collapsed."""
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


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


def date_arg(text: str) -> dt.date:
    """An argparse type: a date ``YYYY-MM-DD`` within the bounds every input is held to.

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    datetime.date

    Raises
    ------
    argparse.ArgumentTypeError
        Not a date, or outside :data:`luckygas.domain.EARLIEST_DATE` ..
        :func:`luckygas.domain.latest_date` (argparse prints it as one line, exit 2).
    """
    from luckygas.domain import date_problem

    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc
    if (problem := date_problem(day)) is not None:
        raise argparse.ArgumentTypeError(problem)
    return day
