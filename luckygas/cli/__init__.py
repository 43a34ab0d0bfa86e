"""The ``luckygas`` command line.

Each sub-command group lives in its own module exposing ``register(subparsers)``; the
modules import heavy libraries (pandas, OR-Tools, Jupyter) inside their handlers so
``luckygas --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from luckygas.cli._common import CommandError

#: Modules that add sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "luckygas.cli.demo",
    "luckygas.cli.db",
    "luckygas.cli.users",
    "luckygas.cli.plan",
    "luckygas.cli.importing",
    "luckygas.cli.forecast",
    "luckygas.cli.scenarios",
    "luckygas.cli.report",
    "luckygas.cli.roads",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every sub-command that is installed."""
    parser = argparse.ArgumentParser(
        prog="luckygas",
        description="Route-planning workbench for Lucky Gas (幸福氣), Taitung.",
    )
    parser.add_argument(
        "--db",
        dest="database_url",
        metavar="URL",
        help="database URL (default: $LUCKYGAS_DATABASE_URL, else data/luckygas.sqlite)",
    )
    parser.add_argument(
        "--user", help="who is doing this (default: $LUCKYGAS_USER, else the OS login)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the module: surface it
                raise
            continue
        module.register(sub)
    return parser


#: Commands that may create the database; every other one needs it to exist already.
CREATING_COMMANDS = frozenset({"demo", "demo-data", "db", "template"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Errors a user can act on (bad input, a missing, unreachable or foreign database, a
    role that may not do this) are printed as one line; anything else as one line
    starting ``internal error`` (a bug to report). ``LUCKYGAS_DEBUG=1`` shows the
    traceback. Output cut short by a closed pipe (``luckygas users list | head``) ends
    quietly.
    """
    from sqlalchemy.exc import ArgumentError, DatabaseError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command not in CREATING_COMMANDS:
            _require_database(args.database_url)
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except CommandError as exc:
        return _fail(str(exc), exc.exit_code)
    except ArgumentError as exc:
        return _fail(f"not a database URL ({exc}); e.g. sqlite:///path/to/file.sqlite")
    except DatabaseError as exc:  # also OperationalError: locked, unreachable, not a database
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        return _fail(f"cannot use the database {_shown_url(args.database_url)}: {reason}")
    except (PermissionError, ValueError, LookupError, OSError) as exc:
        if os.environ.get("LUCKYGAS_DEBUG"):
            raise
        return _fail(" ".join(str(exc).split()))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        # The last resort: a bug, still one line (and no half write: sessions roll back).
        if os.environ.get("LUCKYGAS_DEBUG"):
            raise
        return _fail(
            f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
            "(LUCKYGAS_DEBUG=1 shows the traceback)"
        )


def _fail(message: str, code: int = 1) -> int:
    print(f"luckygas: error: {message}", file=sys.stderr)
    return code


#: Exit status after a closed pipe: 128 + SIGPIPE, what a shell reports for such a reader.
CLOSED_PIPE_EXIT = 141


def _closed_pipe() -> int:
    """The reader of our output went away (``| head``): stop quietly.

    Python would otherwise report the pipe again when it flushes stdout at exit, so
    stdout is pointed at /dev/null first.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass
    return CLOSED_PIPE_EXIT


def _shown_url(url: str | None) -> str:
    """The database URL in use, without its password, for messages."""
    from sqlalchemy.engine import make_url

    from luckygas.config import resolve_database_url

    try:
        return make_url(resolve_database_url(url)).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: its own error says so
        return "(unparsable URL)"


def _require_database(url: str | None) -> None:
    """Refuse to run against a SQLite file that does not exist (SQLite would create it)."""
    from sqlalchemy.engine import make_url

    from luckygas.config import resolve_database_url

    resolved = make_url(resolve_database_url(url))
    if resolved.get_backend_name() != "sqlite" or resolved.database in (None, "", ":memory:"):
        return
    if not os.path.exists(resolved.database):
        raise CommandError(
            f"no database at {resolved.database}: build the demo with `luckygas demo-data`, "
            "create an empty one with `luckygas db upgrade`, or pass --db URL"
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
