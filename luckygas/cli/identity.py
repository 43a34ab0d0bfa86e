"""``luckygas db secure``: make a PostgreSQL database enforce roles itself."""

from __future__ import annotations

import argparse

from luckygas.cli._common import CommandError, add_command


def register_secure(db_sub: argparse._SubParsersAction) -> None:
    """Add ``db secure`` to the ``db`` command group."""
    cmd = add_command(
        db_sub,
        "secure",
        "PostgreSQL: login roles, GRANTs per role and an audit trail written by triggers "
        "(run by the database owner; again after each upgrade)",
        _secure,
    )
    cmd.add_argument(
        "--admin",
        metavar="NAME",
        help="make NAME an active admin with a login role (needed once, on a new database)",
    )


def _secure(args: argparse.Namespace) -> int:
    from luckygas.cli.db import _engine, _safe
    from luckygas.config import resolve_database_url
    from luckygas.identity import IdentityError, secure_database

    url = resolve_database_url(args.database_url)
    engine = _engine(url, create_parent=False)
    try:
        with engine.begin() as conn:
            groups = secure_database(conn, admin=args.admin)
    except IdentityError as err:
        raise CommandError(str(err)) from err
    finally:
        engine.dispose()
    print(f"{_safe(url)}: roles enforced by PostgreSQL; groups {', '.join(groups.all())}")
    if args.admin:
        print(f"{args.admin} is an admin and may log in (set a password or pg_hba.conf entry)")
    print("add people with `luckygas users add NAME --role ROLE`, logged in as an admin")
    return 0
