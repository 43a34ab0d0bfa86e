"""Who did what: audit fields, the audit log, and the roles that guard dangerous writes.

Importing this module installs two listeners on the :class:`~sqlalchemy.orm.Session`
class, so *every* session is covered (``session_scope``, a plain ``Session(engine)``,
a ``sessionmaker``), and no code path can skip the checks by forgetting to call them:

``before_flush``
    fills ``created_by`` / ``updated_by`` from ``session.info["user"]`` (else
    :func:`luckygas.config.current_user`) and refuses changes the current user's role
    does not allow: any write at all below a dispatcher (reference data and the audit log
    aside, and while nobody is registered yet), deleting customers, orders, vehicles,
    drivers, users or published plans, deleting someone else's draft plan, publishing or
    unpublishing a plan, and any change to the users table (adding, renaming, re-roling,
    deactivating: admin only). Two exceptions keep a database usable: the very first user may be
    added by anyone when it makes an admin (the bootstrap, possible once: afterwards
    the table is never empty), and the last active admin can be neither demoted,
    deactivated nor deleted.
``after_flush``
    appends one :class:`~luckygas.models.AuditLog` row per inserted, updated or deleted
    business row (updates list the changed fields with old and new values).

``do_orm_execute`` additionally guards bulk ``session.execute(delete(Customer))``-style
statements and logs bulk inserts/updates as one summary row. Core statements run on a
raw connection bypass the ORM and are not seen.

Who may do what is one table, :data:`MIN_ROLE` (an :class:`Action` to the least role
that may do it, roles ranked by :data:`ROLE_RANK`). The service functions that write
(imports, plan and scenario saves, orders, publishing, user changes) call
:func:`authorize` before they write; the flush listener above checks the rules that
can be read from the rows themselves. Users not in the ``users`` table, and
deactivated users, hold no role: every action in the table is refused to them.

On SQLite these checks are guard-rails, not a security boundary: anyone who can write
the file can change it with any SQLite tool, so the file's permissions are the boundary.
On a PostgreSQL database secured by :func:`luckygas.identity.secure` the database
enforces the same rules with GRANTs and writes the audit log by trigger; there the user
is the login (``session_user``), these checks only word the refusal first, and the
listeners above write no audit rows of their own.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from luckygas.config import current_user
from luckygas.domain import PlanStatus, Role
from luckygas.identity import EVENT_FUNCTION, Identity, identity
from luckygas.models import (
    Audited,
    AuditLog,
    Customer,
    CustomerCylinder,
    CustomerWindow,
    CylinderTypeRow,
    Driver,
    Holiday,
    Order,
    Plan,
    User,
    Vehicle,
    ZoneRow,
)

#: Roles that may publish plans and delete data.
PRIVILEGED_ROLES: tuple[Role, ...] = (Role.MANAGER, Role.ADMIN)


class Action(enum.Enum):
    """Something that writes and needs a role; the value is how error messages say it."""

    WRITE = "write to the database"
    EDIT_ORDERS = "create or change orders"
    IMPORT = "import files"
    SAVE_DRAFT = "save draft plans"
    EDIT_SCENARIOS = "save or delete scenarios"
    PUBLISH = "publish plans"
    DELETE_RECORDS = "delete records"
    DELETE_OTHERS_DRAFTS = "delete other users' draft plans"
    MANAGE_USERS = "add or change users"
    CHANGE_SCHEMA = "change the database schema"


#: Roles from least to most powerful. A driver reads like a viewer: drivers get their
#: routes from published plans and write nothing through the workbench.
ROLE_RANK: dict[Role, int] = {
    Role.VIEWER: 0,
    Role.DRIVER: 1,
    Role.DISPATCHER: 2,
    Role.MANAGER: 3,
    Role.ADMIN: 4,
}

#: Who may do what: the least role for each action (every role ranked above it may too).
#: The one place the rules live; tests/db/test_db_roles.py checks every row.
MIN_ROLE: dict[Action, Role] = {
    Action.WRITE: Role.DISPATCHER,
    Action.EDIT_ORDERS: Role.DISPATCHER,
    Action.IMPORT: Role.DISPATCHER,
    Action.SAVE_DRAFT: Role.DISPATCHER,
    Action.EDIT_SCENARIOS: Role.DISPATCHER,
    Action.PUBLISH: Role.MANAGER,
    Action.DELETE_RECORDS: Role.MANAGER,
    Action.DELETE_OTHERS_DRAFTS: Role.MANAGER,
    Action.MANAGE_USERS: Role.ADMIN,
    Action.CHANGE_SCHEMA: Role.ADMIN,
}


def roles_allowed(action: Action) -> tuple[Role, ...]:
    """The roles that may do ``action``, least powerful first.

    Parameters
    ----------
    action
        A row of :data:`MIN_ROLE`.

    Returns
    -------
    tuple of Role
        E.g. ``(Role.MANAGER, Role.ADMIN)`` for :attr:`Action.PUBLISH`.
    """
    least = ROLE_RANK[MIN_ROLE[action]]
    return tuple(r for r, rank in sorted(ROLE_RANK.items(), key=lambda kv: kv[1]) if rank >= least)


#: Rows written without :attr:`Action.WRITE`: the reference vocabulary the schema seeds
#: (zones, cylinder types, holidays), the audit log itself, and users (their own rules).
UNGUARDED_WRITES: tuple[type, ...] = (ZoneRow, CylinderTypeRow, Holiday, AuditLog, User)

#: Entities whose deletion needs a privileged role (plans are handled separately).
GUARDED_DELETES: tuple[type, ...] = (Customer, Order, Vehicle, Driver, User)

#: Entities whose every insert/update/delete gets its own audit-log row. Plan routes and
#: stops are saved with their plan (logged once); history rows carry ``created_by``.
LOGGED_ENTITIES: tuple[type, ...] = (Audited, CustomerWindow, CustomerCylinder)

# Fields whose change is bookkeeping, not content.
_UNLOGGED_FIELDS = frozenset({"created_at", "created_by", "updated_at", "updated_by"})


class RoleError(PermissionError):
    """The current user's role does not allow this change."""


def session_user(session: Session) -> str:
    """The user a session writes as.

    On a PostgreSQL database that enforces roles (:func:`luckygas.identity.secure`), the
    login: PostgreSQL's ``session_user``, whatever ``--user`` says. Elsewhere
    ``session.info["user"]``, else the configured user.
    """
    ident = database_identity(session)
    if ident is not None and ident.enforced:
        return ident.session_user
    return str(session.info.get("user") or current_user())


def database_identity(session: Session) -> Identity | None:
    """The PostgreSQL identity of the session's connection (``None`` on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return identity(session.connection())


def record_event(
    session: Session,
    action: str,
    entity: str,
    details: dict[str, Any],
    entity_id: str | None = None,
) -> None:
    """Append one audit row for an event that is not a single row change (an import).

    Parameters
    ----------
    session
        Open session; the row is written in its transaction.
    action
        E.g. ``"import"``.
    entity
        The table it concerns, e.g. ``"customers"``.
    details
        JSON-able facts (file, counts).
    entity_id
        The row concerned, when there is one.

    Notes
    -----
    On a PostgreSQL database that enforces roles no login may insert into the log, so
    the row goes through the database's own function, which stamps the login.
    """
    if _enforced_by_database(session):
        session.execute(
            text(f"SELECT {EVENT_FUNCTION}(:act, :ent, :eid, CAST(:det AS json))"),
            {"act": action, "ent": entity, "eid": entity_id, "det": json.dumps(details)},
        )
        return
    session.add(
        AuditLog(
            username=session_user(session),
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=details,
        )
    )


def _enforced_by_database(session: Session) -> bool:
    """Whether PostgreSQL writes the audit trail itself (by trigger)."""
    ident = database_identity(session)
    return ident is not None and ident.enforced


def user_role(session: Session, username: str | None = None) -> Role | None:
    """The role of ``username`` (default: the session's user), ``None`` if unknown or inactive.

    Parameters
    ----------
    session
        Open session.
    username
        Whom to look up.
    """
    name = username or session_user(session)
    with session.no_autoflush:
        row = session.execute(
            select(User.role, User.is_active).where(User.username == name)
        ).first()
    if row is None or not row.is_active:
        return None
    return Role(row.role)


def require_role(session: Session, *roles: Role | str, action: str = "do this") -> Role:
    """Check that the session's user holds one of ``roles``.

    Parameters
    ----------
    session
        Open session (its ``info["user"]`` names the user).
    *roles
        Acceptable roles; none given means :data:`PRIVILEGED_ROLES`.
    action
        What is being attempted, for the error message (e.g. ``"publish plans"``).

    Returns
    -------
    Role
        The user's role.

    Raises
    ------
    RoleError
        E.g. ``user 'amy' (role viewer) cannot delete customers: needs manager or admin``.
    """
    wanted = tuple(Role(r) for r in roles) or PRIVILEGED_ROLES
    name = session_user(session)
    role = user_role(session, name)
    if role not in wanted:
        raise RoleError(
            f"user {name!r} ({_describe(session, name, role)}) cannot {action}: "
            f"needs {_or_list(r.value for r in wanted)}"
        )
    return role


def authorize(session: Session, action: Action, what: str | None = None) -> Role:
    """Check that the session's user may do ``action`` (per :data:`MIN_ROLE`).

    Parameters
    ----------
    session
        Open session (its ``info["user"]`` names the user).
    action
        What is about to be written.
    what
        A more specific wording for the message (default: the action's own).

    Returns
    -------
    Role
        The user's role.

    Raises
    ------
    RoleError
        One line naming the user, their role (or that they are unregistered or
        inactive) and what is needed, e.g. ``user 'amy' (role viewer) cannot import
        files: needs dispatcher, manager or admin``.
    """
    return require_role(session, *roles_allowed(action), action=what or action.value)


def install_audit(target: Any = Session) -> None:
    """Install the audit listeners on ``target`` (idempotent).

    Importing this module already installs them on the ``Session`` class, which covers
    every session; call this only to be explicit, or for a custom ``Session`` subclass
    or ``sessionmaker`` that is not derived from it.
    """
    for name, fn in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
    ):
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


# ---------------------------------------------------------------------------
# Listeners
# ---------------------------------------------------------------------------


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    user = session_user(session)
    for obj in session.new:
        if hasattr(type(obj), "created_by") and not getattr(obj, "created_by", None):
            obj.created_by = user
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            obj.updated_by = user
    _check_privileges(session, user)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    if _enforced_by_database(session):
        return  # the database's row triggers write the trail, from the login
    user = session_user(session)
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, LOGGED_ENTITIES):
            rows.append(_row(now, user, "insert", obj, _label(obj)))
    for obj in session.dirty:
        if isinstance(obj, LOGGED_ENTITIES):
            changes = _changes(obj)
            if changes:
                action = "publish" if _is_publish(obj) else "update"
                rows.append(_row(now, user, action, obj, {"changes": changes}))
    for obj in session.deleted:
        if isinstance(obj, LOGGED_ENTITIES):
            rows.append(_row(now, user, "delete", obj, _label(obj)))
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def _do_orm_execute(state: ORMExecuteState) -> Any:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    cls = mapper.class_ if mapper is not None else None
    if cls is None or cls is AuditLog:
        return None
    session = state.session
    user = session_user(session)
    table = mapper.local_table.name
    if state.is_delete and (issubclass(cls, GUARDED_DELETES) or cls is Plan):
        _require(session, user, f"delete {table}")
    if state.is_update and cls is Plan:
        _require(session, user, "change plans in bulk")
    if cls is User:
        _check_bulk_user_change(state, user)
    elif not issubclass(cls, UNGUARDED_WRITES) and _user_count(session):
        _require(session, user, Action.WRITE.value, roles_allowed(Action.WRITE))
    if state.is_insert and hasattr(cls, "created_by"):
        # Fill the author of bulk inserts in place (the caller's dicts lack it).
        for params in _param_dicts(state.parameters):
            if not params.get("created_by"):
                params["created_by"] = user
    if issubclass(cls, LOGGED_ENTITIES) and not _enforced_by_database(session):
        action = "bulk_" + (
            "insert" if state.is_insert else "update" if state.is_update else "delete"
        )
        n = len(state.parameters) if isinstance(state.parameters, list) else None
        session.connection().execute(
            insert(AuditLog.__table__),
            [
                {
                    "at": dt.datetime.now(dt.UTC),
                    "username": user,
                    "action": action,
                    "entity": table,
                    "entity_id": None,
                    "details": {"rows": n} if n is not None else {},
                }
            ],
        )
    if cls is User and not state.is_insert:
        return _keeping_an_admin(state)
    return None


# ---------------------------------------------------------------------------
# Privilege checks
# ---------------------------------------------------------------------------


def _check_bulk_user_change(state: ORMExecuteState, user: str) -> None:
    """``session.execute(insert|update|delete(User))``: admins only, bar the bootstrap."""
    session = state.session
    adds_admin = any(p.get("role") == Role.ADMIN for p in _param_dicts(state.parameters))
    if not (state.is_insert and adds_admin and _user_count(session) == 0):
        _require(session, user, "change users in bulk", roles_allowed(Action.MANAGE_USERS))


def _keeping_an_admin(state: ORMExecuteState) -> Any:
    """Run a bulk user update/delete; undo it if it leaves no active admin where one was."""
    session = state.session
    before = _active_admins(session)
    # A savepoint, so the refused change is undone here whatever the caller does next.
    with session.begin_nested():
        result = state.invoke_statement()
        if before and not _active_admins(session):
            raise RoleError("cannot leave the database without an active admin")
    return result


def _active_admins(session: Session) -> int:
    with session.no_autoflush:
        return int(
            session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == Role.ADMIN, User.is_active.is_(True))
            )
            or 0
        )


def _user_count(session: Session) -> int:
    with session.no_autoflush:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def _check_privileges(session: Session, user: str) -> None:
    _check_user_changes(session, user)
    for obj in session.deleted:
        if isinstance(obj, User):
            continue  # checked above
        if isinstance(obj, GUARDED_DELETES):
            _require(session, user, f"delete {type(obj).__tablename__}")
        elif isinstance(obj, Plan):
            if PlanStatus.PUBLISHED in _values(obj, "status"):
                _require(session, user, "delete published plans")
            elif obj.created_by != user:
                _require(
                    session,
                    user,
                    f"delete {obj.created_by or 'another user'}'s draft plans",
                    roles_allowed(Action.DELETE_OTHERS_DRAFTS),
                )
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Plan) and _status_changed(obj):
            _require(session, user, "publish plans", roles_allowed(Action.PUBLISH))
    # Last: a refusal above names the specific action, which says more than "write".
    _check_writer(session, user)


def _check_writer(session: Session, user: str) -> None:
    """Any row written through the ORM needs :attr:`Action.WRITE` (a dispatcher or above):
    viewers, drivers, deactivated and unregistered users write nothing, whatever the path.

    A database nobody is registered in yet is being set up (schema, reference data,
    the first admin), so there is no one to check against; the service functions still
    refuse their actions to everyone until an admin exists.
    """
    touched = [o for o in (*session.new, *session.deleted) if not isinstance(o, UNGUARDED_WRITES)]
    touched += [
        o for o in session.dirty if not isinstance(o, UNGUARDED_WRITES) and session.is_modified(o)
    ]
    if touched and _user_count(session):
        _require(session, user, Action.WRITE.value, roles_allowed(Action.WRITE))


def _check_user_changes(session: Session, user: str) -> None:
    """Users are changed by admins only, bar the bootstrap; an active admin always remains."""
    new = [o for o in session.new if isinstance(o, User)]
    changed = [o for o in session.dirty if isinstance(o, User) and session.is_modified(o)] + [
        o for o in session.deleted if isinstance(o, User)
    ]
    if not new and not changed:
        return
    if not (not changed and _is_bootstrap(session, new)):
        verb = _user_verb(session, new, changed)
        _require(session, user, verb, roles_allowed(Action.MANAGE_USERS))
    _keep_an_admin(session, changed)
    renamed = [u for u in changed if inspect(u).attrs.username.history.deleted]
    if renamed and _enforced_by_database(session):
        raise RoleError(
            f"cannot rename {_committed(renamed[0], 'username')!r}: on this PostgreSQL database "
            "a user is their login role; add the new name and deactivate the old one"
        )


def _is_bootstrap(session: Session, new: list[User]) -> bool:
    """The first users of an empty table, an active admin among them (possible once)."""
    with session.no_autoflush:
        anyone = session.scalar(select(func.count()).select_from(User))
    return not anyone and any(_is_active_admin(u) for u in new)


def _is_active_admin(user: User) -> bool:
    active = user.is_active is None or bool(user.is_active)  # None: the column default, true
    return active and user.role is not None and Role(user.role) is Role.ADMIN


def _keep_an_admin(session: Session, changed: list[User]) -> None:
    """Refuse a flush that would leave no active admin where there was one."""
    losing = [
        u
        for u in changed
        if u in session.deleted or not _is_active_admin(u)
        if Role(_committed(u, "role")) is Role.ADMIN and _was_active(u)
    ]
    if not losing:
        return
    with session.no_autoflush:
        stored = set(
            session.scalars(
                select(User.username).where(User.role == Role.ADMIN, User.is_active.is_(True))
            )
        )
    remaining = stored - {_committed(u, "username") for u in losing}
    remaining |= {
        u.username
        for u in (*session.new, *session.dirty)
        if isinstance(u, User) and u not in session.deleted and _is_active_admin(u)
    }
    if not remaining:
        name = _committed(losing[0], "username")
        raise RoleError(
            f"cannot demote, deactivate or delete {name!r}: the last active admin "
            "(make another user admin first)"
        )


def _was_active(user: User) -> bool:
    return bool(_committed(user, "is_active"))


def _committed(obj: object, key: str) -> Any:
    """The value an attribute had before this flush's change (the current one if unchanged)."""
    history = inspect(obj).attrs[key].history
    return history.deleted[0] if history.deleted else getattr(obj, key)


def _user_verb(session: Session, new: list[User], changed: list[User]) -> str:
    """What a user change does, in the words of the refusal."""
    if new:
        return "add users"
    obj = changed[0]
    state = inspect(obj)
    if obj in session.deleted:
        return "delete users"
    if state.attrs.role.history.added:
        return "grant roles"
    if state.attrs.username.history.added:
        return "rename users"
    if state.attrs.is_active.history.added:
        return "deactivate users" if not obj.is_active else "reactivate users"
    return "change users"


def _require(
    session: Session, user: str, action: str, roles: tuple[Role, ...] = PRIVILEGED_ROLES
) -> None:
    role = user_role(session, user)
    if role not in roles:
        raise RoleError(
            f"user {user!r} ({_describe(session, user, role)}) cannot {action}: "
            f"needs {_or_list(r.value for r in roles)}"
        )


def _status_changed(plan: Plan) -> bool:
    """True when a plan is inserted published, or its status moves either way."""
    if inspect(plan).pending:  # a missing status gets the column default, draft
        return plan.status is not None and PlanStatus(plan.status) is PlanStatus.PUBLISHED
    history = inspect(plan).attrs.status.history
    return bool(history.added) and set(history.added) != set(history.deleted or ())


def _is_publish(obj: object) -> bool:
    if not isinstance(obj, Plan):
        return False
    history = inspect(obj).attrs.status.history
    return bool(history.added) and PlanStatus(history.added[0]) is PlanStatus.PUBLISHED


def _describe(session: Session, user: str, role: Role | None) -> str:
    if role is not None:
        return f"role {role.value}"
    with session.no_autoflush:
        known = session.scalar(select(func.count()).select_from(User).where(User.username == user))
    return "inactive user" if known else "not a registered user"


def _or_list(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# ---------------------------------------------------------------------------
# Audit rows
# ---------------------------------------------------------------------------


def _row(now: dt.datetime, user: str, action: str, obj: object, details: dict) -> dict[str, Any]:
    # The identity key is not set yet for rows inserted in this flush; the PK columns are.
    pk = inspect(obj).mapper.primary_key_from_instance(obj)
    entity_id = None if any(v is None for v in pk) else "/".join(str(v) for v in pk)
    return {
        "at": now,
        "username": user,
        "action": action,
        "entity": type(obj).__tablename__,
        "entity_id": entity_id,
        "details": details,
    }


def _label(obj: object) -> dict[str, Any]:
    """A human handle for the row (code, number, plate, name), when it has one."""
    for key in ("code", "number", "plate", "username", "name"):
        value = getattr(obj, key, None)
        if value is not None:
            return {key: _jsonable(value)}
    if isinstance(obj, CustomerWindow | CustomerCylinder):
        return {"customer_id": obj.customer_id}
    return {}


def _changes(obj: object) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _UNLOGGED_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if history.added or history.deleted:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_jsonable(old), _jsonable(new)]
    return changes


def _values(obj: object, key: str) -> set[Any]:
    """Current and committed values of an attribute (both matter for a pending change)."""
    current = getattr(obj, key)  # loads the value if it was expired
    return {current, *inspect(obj).attrs[key].history.deleted}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return str(value)


def _param_dicts(parameters: Any) -> list[dict[str, Any]]:
    if isinstance(parameters, dict):
        return [parameters]
    if isinstance(parameters, list):
        return [p for p in parameters if isinstance(p, dict)]
    return []


install_audit()
