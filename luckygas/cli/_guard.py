"""The guard every destructive command passes: admin role, typed confirmation, backup first."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from luckygas.cli._common import CommandError


def add_yes_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--yes`` (skip the typed confirmation, for scripts)."""
    parser.add_argument(
        "--yes",
        action="store_true",
        help="do not ask to type the database name (a backup is still taken first)",
    )


def guard_destructive(args: argparse.Namespace, url: str, action: str) -> Path | None:
    """Check the role, ask for confirmation, then back the database up.

    In this order, so a refusal costs nothing and the backup is taken only once the
    change is certain to be attempted.

    Parameters
    ----------
    args
        Parsed command line (``user``, ``yes``).
    url
        The database about to be changed.
    action
        What will happen, e.g. ``"downgrade the schema to base"``.

    Returns
    -------
    pathlib.Path or None
        The backup written (its path is printed), or ``None`` when the database holds no
        luckygas table (nothing to lose, nothing to back up).

    Raises
    ------
    CommandError
        Not confirmed, or the backup failed (nothing was changed).
    luckygas.audit.RoleError
        The user is not an admin of this database.
    """
    from luckygas.backup import (
        BackupError,
        backup_database,
        database_label,
        holds_data,
        require_admin,
    )
    from luckygas.db import make_engine

    try:
        if not holds_data(url):
            return None
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    engine = make_engine(url)
    try:
        require_admin(engine, args.user, action)
    finally:
        engine.dispose()
    _confirm(url, action, database_label(url), yes=getattr(args, "yes", False))
    try:
        path = backup_database(url)
    except BackupError as exc:
        raise CommandError(f"no backup, so nothing was changed: {exc}") from exc
    print(f"backup written to {path}")
    return path


def _confirm(url: str, action: str, word: str, *, yes: bool) -> None:
    """Ask for ``word`` to be typed; ``--yes`` skips the question."""
    if yes:
        return
    from luckygas.backup import display_url

    # The question goes to stderr so stdout stays the command's output.
    sys.stderr.write(
        f"This will {action} on {display_url(url)}. A backup is taken first.\n"
        f"Type the database name ({word}) to go on: "
    )
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, EOFError):  # no input to read (closed, or captured by a test runner)
        answer = ""
    if not answer.endswith("\n"):
        sys.stderr.write("\n")  # end the question's line before the error (no input came)
    if answer.strip() != word:
        raise CommandError(f"not confirmed (type {word} or pass --yes); nothing was changed")
