"""``luckygas db``: create, upgrade, inspect, back up and restore the database.

The commands that can lose data (``upgrade`` of a database holding data, ``downgrade``,
``restore``) pass :func:`luckygas.cli._guard.guard_destructive`: admin role, the database
name typed (or ``--yes``), and a backup first.
"""

from __future__ import annotations

import argparse

from luckygas.cli._common import CommandError, add_command, one_line
from luckygas.cli._guard import add_yes_option, guard_destructive


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``db upgrade``, ``current``, ``downgrade``, ``backup``, ``restore`` and ``secure``."""
    parser = sub.add_parser(
        "db",
        help="database schema (migrations), backups and restores",
        description="Create, upgrade and inspect the database schema (Alembic migrations); "
        "back the database up and restore it.",
    )
    db_sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    up = add_command(
        db_sub,
        "upgrade",
        "create the database or upgrade it to the newest schema (and seed reference data)",
        _upgrade,
    )
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    add_yes_option(up)
    add_command(db_sub, "current", "show the schema revision of the database", _current)
    down = add_command(
        db_sub, "downgrade", "downgrade the schema to an older revision (may drop data)", _downgrade
    )
    down.add_argument("revision", help="target revision, e.g. -1 or base")
    add_yes_option(down)
    back = add_command(
        db_sub,
        "backup",
        "write a backup of the database (SQLite: a copy of the file; PostgreSQL: pg_dump "
        "of luckygas's tables)",
        _backup,
    )
    back.add_argument(
        "file",
        nargs="?",
        default=None,
        help="backup file (default: luckygas-backup-YYYYmmdd-HHMMSS.sqlite beside the "
        "database, or .dump in the current folder for PostgreSQL)",
    )
    rest = add_command(
        db_sub,
        "restore",
        "replace the database with a backup (checked first; the current data is backed up)",
        _restore,
    )
    rest.add_argument("file", help="a backup written by `luckygas db backup`")
    add_yes_option(rest)
    from luckygas.cli.identity import register_secure

    register_secure(db_sub)


def _upgrade(args: argparse.Namespace) -> int:
    from luckygas.config import resolve_database_url
    from luckygas.reference import seed_reference_data
    from luckygas.schema import current_revision, head_revision, upgrade

    url = resolve_database_url(args.database_url)
    engine = _engine(url, create_parent=True)
    try:
        before = current_revision(engine)
        if not (before == head_revision() and args.revision in ("head", before)):
            # Nothing to guard when there is nothing to do (already at head).
            guard_destructive(args, url, f"upgrade the schema to {args.revision}")
        upgrade(engine, args.revision)
        after = current_revision(engine)
        if after == head_revision():
            from luckygas.db import session_scope

            with session_scope(engine, user=args.user) as session:
                seed_reference_data(session)
    except (CommandError, PermissionError):
        raise  # refused (role, confirmation, backup): already one line, nothing changed
    except Exception as exc:
        raise CommandError(f"upgrade of {_safe(url)} failed: {one_line(exc)}") from exc
    finally:
        engine.dispose()
    if before == after:
        print(f"{_safe(url)}: already at revision {after}")
    else:
        print(f"{_safe(url)}: upgraded from {before or 'empty'} to {after}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from luckygas.config import resolve_database_url
    from luckygas.schema import current_revision, head_revision

    url = resolve_database_url(args.database_url)
    engine = _engine(url, create_parent=False)
    try:
        current = current_revision(engine)
    except Exception as exc:
        raise CommandError(f"cannot read {_safe(url)}: {one_line(exc)}") from exc
    finally:
        engine.dispose()
    head = head_revision()
    if current is None:
        print(f"{_safe(url)}: no schema yet (run `luckygas db upgrade`); newest is {head}")
        return 1
    state = "up to date" if current == head else f"behind: newest is {head}"
    print(f"{_safe(url)}: revision {current} ({state})")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    from luckygas.config import resolve_database_url
    from luckygas.schema import current_revision, downgrade

    url = resolve_database_url(args.database_url)
    engine = _engine(url, create_parent=False)
    try:
        before = current_revision(engine)
        guard_destructive(args, url, f"downgrade the schema to {args.revision} (may drop data)")
        downgrade(engine, args.revision)
        after = current_revision(engine)
    except (CommandError, PermissionError):
        raise  # refused (role, confirmation, backup): already one line, nothing changed
    except Exception as exc:
        raise CommandError(f"downgrade of {_safe(url)} failed: {one_line(exc)}") from exc
    finally:
        engine.dispose()
    print(f"{_safe(url)}: downgraded from {before} to {after or 'base (empty)'}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from luckygas.backup import BackupError, backup_database
    from luckygas.config import resolve_database_url

    url = resolve_database_url(args.database_url)
    try:
        path = backup_database(url, args.file)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{_safe(url)}: backup written to {path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from luckygas.backup import BackupError, check_backup, restore_database
    from luckygas.config import resolve_database_url

    url = resolve_database_url(args.database_url)
    try:
        # Check the file before asking anything: a wrong file is refused at once.
        info = check_backup(url, args.file)
        guard_destructive(args, url, f"replace the database with {info.path}")
        restore_database(url, info.path)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{_safe(url)}: restored from {info.path} (revision {info.revision})")
    return 0


def _engine(url: str, *, create_parent: bool):
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from luckygas.db import make_engine

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if create_parent:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise CommandError(f"no database file {path} (run `luckygas db upgrade` to create it)")
    engine = make_engine(url)
    try:
        # Connect once before anything else, outside the commands' own error handling: a
        # database that cannot be reached then fails with the one line every command
        # prints (luckygas.cli.main), not as "upgrade of ... failed: <driver text>".
        with engine.connect():
            pass
    except BaseException:
        engine.dispose()
        raise
    return engine


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
