"""The ``luckygas`` command line.

Each sub-command group lives in its own module exposing ``register(subparsers)``; the
modules import heavy libraries (pandas, OR-Tools, Jupyter) inside their handlers so
``luckygas --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CommandError as exc:
        print(f"luckygas: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("luckygas: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
