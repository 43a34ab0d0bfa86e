"""Workbench users and their roles (no passwords: a local tool needs roles and an audit trail).

Who may do what is one table, :data:`luckygas.audit.MIN_ROLE` (re-exported here), and
user changes are enforced by :mod:`luckygas.audit` on every flush, so these functions
only validate input: adding, re-roling, renaming and deactivating users is an admin's;
the very first user of an empty table may be added by anyone if it is an admin (once);
the last active admin can be neither demoted nor deactivated.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from luckygas.audit import MIN_ROLE as MIN_ROLE
from luckygas.audit import Action as Action
from luckygas.domain import Role
from luckygas.models import User

if TYPE_CHECKING:
    import pandas as pd

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class UserError(ValueError):
    """A user cannot be added or changed as asked."""


def add_user(
    session: Session, username: str, *, role: Role | str = Role.VIEWER, full_name: str = ""
) -> User:
    """Register a user.

    Parameters
    ----------
    session
        Open session; flushed, the caller commits.
    username
        Login-style name (letters, digits, ``_ . @ -``; at most 64 characters), as
        given in ``--user`` / ``$LUCKYGAS_USER``.
    role
        One of :class:`luckygas.domain.Role`.
    full_name
        Display name.

    Returns
    -------
    User
        The new user.

    Raises
    ------
    UserError
        When the name is malformed or taken, or the role unknown.
    luckygas.audit.RoleError
        When the session's user is not an admin (unless this is the first user of an
        empty table, and an admin).
    """
    name = _check_name(username)
    if get_user(session, name) is not None:
        raise UserError(f"username: {name!r} already exists")
    user = User(username=name, full_name=full_name.strip(), role=_role(role), is_active=True)
    session.add(user)
    session.flush()
    _sync_login(session, user)
    return user


def get_user(session: Session, username: str) -> User | None:
    """The user called ``username``, or ``None``."""
    return session.scalar(select(User).where(User.username == username))


def set_role(session: Session, username: str, role: Role | str) -> User:
    """Change a user's role (admin only; the last active admin keeps the role).

    Parameters
    ----------
    session
        Open session; flushed, the caller commits.
    username
        An existing user.
    role
        The new role.

    Returns
    -------
    User
        The changed user.

    Raises
    ------
    UserError
        When there is no such user or the role is unknown.
    luckygas.audit.RoleError
        When the session's user is not an admin, or this would demote the last active admin.
    """
    user = _existing(session, username)
    user.role = _role(role)
    session.flush()
    _sync_login(session, user)
    return user


def deactivate(session: Session, username: str) -> User:
    """Mark a user inactive: kept for the audit trail, but holding no role any more.

    Parameters
    ----------
    session
        Open session; flushed, the caller commits.
    username
        An existing user.

    Returns
    -------
    User
        The changed user.

    Raises
    ------
    UserError
        When there is no such user.
    luckygas.audit.RoleError
        When the session's user is not an admin, or ``username`` is the last active admin.
    """
    user = _existing(session, username)
    user.is_active = False
    session.flush()
    _sync_login(session, user)
    return user


def list_users(session: Session, *, include_inactive: bool = True) -> pd.DataFrame:
    """All users as a DataFrame.

    Parameters
    ----------
    session
        Open session (not committed).
    include_inactive
        Also list deactivated users.

    Returns
    -------
    pandas.DataFrame
        Columns ``username, full_name, role, is_active, created_at, created_by``,
        sorted by username.
    """
    from luckygas.queries import read_frame

    stmt = select(
        User.username,
        User.full_name,
        type_coerce(User.role, String).label("role"),
        User.is_active,
        User.created_at,
        User.created_by,
    ).order_by(User.username)
    if not include_inactive:
        stmt = stmt.where(User.is_active.is_(True))
    return read_frame(session, stmt)


def role_table() -> list[tuple[str, str, str]]:
    """Who may do what, from :data:`luckygas.audit.MIN_ROLE`, for printing.

    Returns
    -------
    list of tuple
        ``(action, least role, every role allowed)`` per action, least demanding first,
        e.g. ``("publish plans", "manager", "manager, admin")``.
    """
    from luckygas.audit import ROLE_RANK, roles_allowed

    rows = sorted(MIN_ROLE.items(), key=lambda kv: (ROLE_RANK[kv[1]], kv[0].value))
    return [
        (action.value, role.value, ", ".join(r.value for r in roles_allowed(action)))
        for action, role in rows
    ]


def _sync_login(session: Session, user: User) -> None:
    """On a PostgreSQL database that enforces roles, make the user's login role match
    the row just written, in the same transaction (both happen or neither)."""
    from luckygas.audit import database_identity
    from luckygas.identity import IdentityError, grant_login, revoke_login

    ident = database_identity(session)
    if ident is None or not ident.enforced:
        return
    try:
        if user.is_active:
            grant_login(session.connection(), user.username, user.role)
        else:
            revoke_login(session.connection(), user.username)
    except IdentityError as err:
        raise UserError(str(err)) from None


def _check_name(username: str) -> str:
    name = (username or "").strip()
    if not _USERNAME.match(name):
        raise UserError(
            f"username: {username!r} must be 1-64 letters, digits or _ . @ - (no spaces)"
        )
    return name


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(
            f"role: {role!r} is not one of {', '.join(r.value for r in Role)}"
        ) from None


def _existing(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"username: no user {username!r}")
    return user
