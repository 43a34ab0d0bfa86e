"""``luckygas users``: who may use the workbench, and with which role."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from luckygas.cli._common import CommandError, add_command
from luckygas.domain import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_ROLES = [r.value for r in Role]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``users add``, ``users list``, ``users set-role``, ``users deactivate`` and
    ``users roles``."""
    parser = sub.add_parser("users", help="workbench users and roles", description=__doc__)
    users_sub = parser.add_subparsers(dest="users_command", metavar="ACTION")
    users_sub.required = True
    add = add_command(users_sub, "add", "register a user with a role", _add)
    add.add_argument("name", help="user name as given to --user / $LUCKYGAS_USER")
    add.add_argument("--role", required=True, choices=_ROLES, help="the user's role")
    add.add_argument("--full-name", default="", help="display name")
    lst = add_command(users_sub, "list", "list users and their roles", _list)
    lst.add_argument("--active", action="store_true", help="only active users")
    setr = add_command(users_sub, "set-role", "change a user's role (admin only)", _set_role)
    setr.add_argument("name")
    setr.add_argument("role", choices=_ROLES)
    deact = add_command(users_sub, "deactivate", "mark a user inactive (admin only)", _deactivate)
    deact.add_argument("name")
    add_command(users_sub, "roles", "show which role may do what", _roles)


def _add(args: argparse.Namespace) -> int:
    from luckygas.users import add_user

    with _session(args) as session:
        user = add_user(session, args.name, role=args.role, full_name=args.full_name)
        print(f"added {user.username} ({user.role.value})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from luckygas.users import list_users

    with _session(args, write=False) as session:
        frame = list_users(session, include_inactive=not args.active)
    if frame.empty:
        print("no users yet (add one with `luckygas users add NAME --role admin`)")
        return 0
    frame = frame.assign(created_at=frame["created_at"].astype("string").str.slice(0, 16))
    print(frame.to_string(index=False))
    return 0


def _set_role(args: argparse.Namespace) -> int:
    from luckygas.users import set_role

    with _session(args) as session:
        user = set_role(session, args.name, args.role)
        print(f"{user.username} is now {user.role.value}")
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    from luckygas.users import deactivate

    with _session(args) as session:
        user = deactivate(session, args.name)
        print(f"{user.username} deactivated")
    return 0


def _roles(args: argparse.Namespace) -> int:
    from luckygas.users import role_table

    rows = [("action", "least role", "allowed"), *role_table()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print("viewers and drivers only read; unregistered and deactivated users write nothing")
    return 0


@contextmanager
def _session(args: argparse.Namespace, *, write: bool = True) -> Iterator[Session]:
    """A session on the configured database (committed if ``write``, else a reader);
    known errors become CLI errors."""
    from luckygas.cli.db import _engine
    from luckygas.config import resolve_database_url
    from luckygas.db import session_scope
    from luckygas.schema import current_revision
    from luckygas.users import UserError

    engine = _engine(resolve_database_url(args.database_url), create_parent=False)
    try:
        if current_revision(engine) is None:
            raise CommandError("the database has no schema yet: run `luckygas db upgrade` first")
        with session_scope(engine, user=args.user, write=write) as session:
            yield session
    except (PermissionError, UserError) as err:  # also raised at commit by the flush listener
        raise CommandError(str(err)) from err
    finally:
        engine.dispose()
