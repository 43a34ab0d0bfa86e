"""Identity on a shared PostgreSQL database: login roles, GRANTs and an audit trail by trigger.

On SQLite the file's permissions are the boundary and the roles of :mod:`luckygas.audit`
are guard-rails. On PostgreSQL the database itself can enforce them, and once
:func:`secure` has run on a database (``luckygas db secure``) it does:

* **One login role per person.** ``luckygas users add amy --role dispatcher`` creates the
  PostgreSQL login role ``amy`` (if the cluster has none) and makes it a member of this
  database's group role for dispatchers, in the same transaction as the ``users`` row.
  Who a session is comes from PostgreSQL's ``session_user``, not from ``--user``.
* **GRANTs per application role**, on four group roles named after the database and
  schema (``lg_<database>[_<schema>]_viewer`` ... ``_admin``, see :func:`group_roles`),
  each a member of the one below it:

  - viewer (and driver): ``SELECT`` on every luckygas table, the audit log included;
  - dispatcher: inserts and updates business rows (orders, imports, draft plans,
    scenarios), deletes the rows a re-import or a draft save replaces; a row-level
    security policy keeps its plans drafts and its deletes to its own drafts;
  - manager: deletes any row and publishes plans (the policy lets a manager write any
    plan status);
  - admin: the ``users`` table, and the schema: the luckygas tables are owned by the
    admin group, so an admin's own login runs ``luckygas db upgrade``.

* **An audit trail nobody rewrites.** Every insert, update and delete of a logged table
  (:data:`luckygas.audit.LOGGED_ENTITIES`) is written to ``audit_log`` by a row trigger
  from ``session_user``, and ``created_by`` / ``updated_by`` are stamped the same way, so
  raw SQL is logged exactly like the workbench's own writes. ``audit_log`` and the
  trigger functions stay owned by the role that ran :func:`secure`; the groups may only
  ``SELECT`` it, and a trigger refuses ``UPDATE``, ``DELETE`` and ``TRUNCATE`` on it
  even to its owner. (A superuser can still do anything: that is PostgreSQL's promise,
  not ours to change.)

The Python checks of :mod:`luckygas.audit` stay in place on top: they give one readable
sentence before the database would refuse with its own error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from luckygas.domain import Role

#: Login roles the workbench creates: PostgreSQL identifiers are at most 63 bytes.
MAX_LOGIN_LENGTH = 63

# Names of the objects secure() installs, in the luckygas schema.
_AUDIT_FUNCTION = "luckygas_audit_row"
_STAMP_FUNCTION = "luckygas_stamp_author"
_FREEZE_FUNCTION = "luckygas_audit_log_frozen"
#: Called by the workbench for events that are not one row (an import's summary).
EVENT_FUNCTION = "luckygas_audit_event"
_INFO_KEY = "luckygas.identity"

#: Tables a dispatcher may delete from: the rows a customer re-import, a draft-plan save
#: or a scenario delete replaces (plans themselves: own drafts only, by policy).
DISPATCHER_DELETES = (
    "customer_windows",
    "customer_cylinders",
    "plans",
    "plan_routes",
    "plan_stops",
    "plan_unassigned",
    "scenarios",
    "road_graphs",
)

#: Tables only the admin group writes (besides owning everything).
ADMIN_ONLY = ("users", "alembic_version")

#: Written by triggers only; every group may read it.
AUDIT_TABLE = "audit_log"


class IdentityError(RuntimeError):
    """The database's identity setup cannot do what was asked (one readable sentence)."""


@dataclass(frozen=True)
class GroupRoles:
    """This database's four group roles, by application role."""

    viewer: str
    dispatcher: str
    manager: str
    admin: str

    def for_role(self, role: Role | str) -> str:
        """The group a user of ``role`` joins (drivers read like viewers)."""
        role = Role(role)
        if role in (Role.VIEWER, Role.DRIVER):
            return self.viewer
        return str(getattr(self, role.value))

    def all(self) -> tuple[str, str, str, str]:
        """Least powerful first."""
        return (self.viewer, self.dispatcher, self.manager, self.admin)


@dataclass(frozen=True)
class Identity:
    """Who a PostgreSQL connection is and whether the database enforces roles."""

    session_user: str
    enforced: bool


def group_roles(conn: Connection) -> GroupRoles:
    """The group role names of the database and schema ``conn`` works in.

    Roles are cluster-wide in PostgreSQL, while one cluster may hold several luckygas
    databases (or schemas), each with its own people and rights; so the names carry the
    database and schema: ``lg_luckygas_viewer`` for schema ``public`` of database
    ``luckygas``, a short hash where the name would pass PostgreSQL's 63-byte limit.

    Parameters
    ----------
    conn
        A PostgreSQL connection (its ``search_path`` selects the schema).

    Returns
    -------
    GroupRoles
    """
    database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
    stem = _slug(database) + ("" if schema == "public" else "_" + _slug(schema))
    prefix = f"lg_{stem}"
    if len(prefix) > MAX_LOGIN_LENGTH - len("_dispatcher"):
        digest = hashlib.sha1(f"{database}/{schema}".encode()).hexdigest()[:10]
        prefix = f"lg_{stem[:30]}_{digest}"
    return GroupRoles(*(f"{prefix}_{r}" for r in ("viewer", "dispatcher", "manager", "admin")))


def identity(conn: Connection) -> Identity | None:
    """Who ``conn`` is on PostgreSQL, and whether :func:`secure` has run here.

    ``None`` on any other backend. Cached on the pooled DBAPI connection, whose login
    and schema do not change.

    Parameters
    ----------
    conn
        An open connection.
    """
    if conn.dialect.name != "postgresql":
        return None
    cached = conn.info.get(_INFO_KEY)
    if cached is None:
        user, enforced = conn.execute(
            text(
                "SELECT session_user, to_regprocedure("
                "quote_ident(current_schema()) || :fn) IS NOT NULL"
            ),
            {"fn": f".{_AUDIT_FUNCTION}()"},
        ).one()
        cached = Identity(session_user=str(user), enforced=bool(enforced))
        conn.info[_INFO_KEY] = cached
    return cached


def forget(conn: Connection) -> None:
    """Drop the cached :func:`identity` of ``conn`` (after :func:`secure` changed it)."""
    conn.info.pop(_INFO_KEY, None)


def secure(
    conn: Connection,
    *,
    logged_tables: Iterable[str],
    stamped_tables: Iterable[str],
) -> GroupRoles:
    """Make the database enforce roles (idempotent: run again after a migration).

    Creates the group roles, grants each what its application role needs, hands the
    luckygas tables to the admin group, installs the audit and author triggers, and
    freezes the audit log. Runs in the caller's transaction: all or nothing.

    Parameters
    ----------
    conn
        A connection of a role that may create roles and owns the tables (the
        database owner with ``CREATEROLE``, or a superuser), in a transaction.
    logged_tables
        Tables whose every row change is audited.
    stamped_tables
        Tables with ``created_by`` / ``updated_by`` columns.

    Returns
    -------
    GroupRoles
        The four groups.

    Raises
    ------
    IdentityError
        Not PostgreSQL; no luckygas schema; the role may not create roles.
    """
    if conn.dialect.name != "postgresql":
        raise IdentityError("database roles are enforced on PostgreSQL only")
    can_create = conn.execute(
        text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not can_create:
        raise IdentityError(
            "securing the database needs a role with CREATEROLE that owns the luckygas tables "
            "(the database owner or a superuser)"
        )
    tables = _luckygas_tables(conn)
    if "alembic_version" not in tables:
        raise IdentityError(
            "the database has no luckygas schema yet: run `luckygas db upgrade` first"
        )
    groups = group_roles(conn)
    q = _quoter(conn)
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    for name in groups.all():
        if not _role_exists(conn, name):
            conn.execute(text(f"CREATE ROLE {q(name)} NOLOGIN"))
    # Each group is a member of the one below, so rights (and policies) add up.
    for lower, upper in zip(groups.all(), groups.all()[1:], strict=False):
        conn.execute(text(f"GRANT {q(lower)} TO {q(upper)}"))

    everyone = ", ".join(q(g) for g in groups.all())
    conn.execute(text(f"GRANT USAGE ON SCHEMA {q(schema)} TO {everyone}"))
    business = [t for t in tables if t not in (*ADMIN_ONLY, AUDIT_TABLE)]
    for table in tables:
        conn.execute(text(f"REVOKE ALL ON {q(table)} FROM PUBLIC, {everyone}"))
        conn.execute(text(f"GRANT SELECT ON {q(table)} TO {q(groups.viewer)}"))
    for table in business:
        conn.execute(text(f"GRANT INSERT, UPDATE ON {q(table)} TO {q(groups.dispatcher)}"))
        # Managers inherit the dispatcher's deletes (they are members of its group).
        deleter = groups.dispatcher if table in DISPATCHER_DELETES else groups.manager
        conn.execute(text(f"GRANT DELETE ON {q(table)} TO {q(deleter)}"))
    for table in ADMIN_ONLY:
        if table in tables:
            conn.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {q(table)} TO {q(groups.admin)}"))
    conn.execute(
        text(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {q(groups.dispatcher)}"
        )
    )
    # Users need their own sequence even where no dispatcher right reaches it.
    conn.execute(
        text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {q(groups.admin)}")
    )

    _install_functions(conn, schema)
    event = f"{q(schema)}.{EVENT_FUNCTION}(text, text, text, json)"
    conn.execute(text(f"REVOKE ALL ON FUNCTION {event} FROM PUBLIC"))
    conn.execute(text(f"GRANT EXECUTE ON FUNCTION {event} TO {q(groups.dispatcher)}"))
    _install_plan_policies(conn, groups)
    logged = [t for t in logged_tables if t in tables]
    stamped = [t for t in stamped_tables if t in tables]
    _install_triggers(conn, logged, stamped)
    if not conn.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar():
        # A non-superuser owner hands its tables to the admin group only as a member of it,
        # and keeps through it the right to run this again.
        conn.execute(text(f"GRANT {q(groups.admin)} TO CURRENT_USER"))
    for table in tables:
        if table != AUDIT_TABLE:
            # The admin group owns the schema's tables (an admin migrates); the audit log
            # stays with the role running this, out of every login's reach.
            conn.execute(text(f"ALTER TABLE {q(table)} OWNER TO {q(groups.admin)}"))
    forget(conn)
    return groups


def secure_database(conn: Connection, *, admin: str | None = None) -> GroupRoles:
    """:func:`secure` the luckygas schema ``conn`` works in, with the tables the models log.

    Parameters
    ----------
    conn
        A connection of the database owner (with ``CREATEROLE``) or a superuser, in a
        transaction.
    admin
        A user to make (or keep) an active admin with a login role: registered in the
        ``users`` table now if they are not yet, so a fresh database has someone to add
        the next person.

    Returns
    -------
    GroupRoles
        The four groups.
    """
    from sqlalchemy import insert, select, update

    from luckygas.audit import LOGGED_ENTITIES
    from luckygas.models import Base, User

    logged, stamped = [], []
    for mapper in Base.registry.mappers:
        table = str(mapper.class_.__tablename__)
        if issubclass(mapper.class_, LOGGED_ENTITIES):
            logged.append(table)
        if {"created_by", "updated_by"} <= set(mapper.columns.keys()):
            stamped.append(table)
    groups = secure(conn, logged_tables=logged, stamped_tables=stamped)
    if admin:
        name = check_login_name(admin)
        # Core statements: the one running this owns the database; the row triggers
        # just installed log the change under their login.
        if conn.execute(select(User.id).where(User.username == name)).first():
            conn.execute(
                update(User).where(User.username == name).values(role=Role.ADMIN, is_active=True)
            )
        else:
            conn.execute(
                insert(User).values(
                    username=name, full_name="", role=Role.ADMIN, is_active=True, created_by=""
                )
            )
        grant_login(conn, name, Role.ADMIN)
    return groups


def grant_login(conn: Connection, username: str, role: Role | str) -> None:
    """Give ``username`` a login role holding ``role`` in this database (and nothing else here).

    The login is created when the cluster has none by that name (without a password:
    set one with ``ALTER ROLE ... PASSWORD`` or authenticate by ``pg_hba.conf``); an
    existing one (the same person on another luckygas database) is reused. Admins get
    ``CREATEROLE`` so they can add the next person.

    Parameters
    ----------
    conn
        A connection of an admin (or the role that ran :func:`secure`), in a transaction.
    username
        The user's name, as in the ``users`` table.
    role
        Their application role.
    """
    name = check_login_name(username)
    groups = group_roles(conn)
    q = _quoter(conn)
    if not _role_exists(conn, name):
        conn.execute(text(f"CREATE ROLE {q(name)} LOGIN"))
    for group in groups.all():
        if _is_member(conn, name, group):
            conn.execute(text(f"REVOKE {q(group)} FROM {q(name)}"))
    conn.execute(text(f"GRANT {q(groups.for_role(role))} TO {q(name)}"))
    if Role(role) is Role.ADMIN:
        conn.execute(text(f"ALTER ROLE {q(name)} CREATEROLE"))


def revoke_login(conn: Connection, username: str) -> None:
    """Take every group of this database from ``username`` (they keep their login, which
    may serve another database, but can no longer read or write anything here).

    Parameters
    ----------
    conn
        A connection of an admin, in a transaction.
    username
        The user's name.
    """
    name = check_login_name(username)
    q = _quoter(conn)
    for group in group_roles(conn).all():
        if _is_member(conn, name, group):
            conn.execute(text(f"REVOKE {q(group)} FROM {q(name)}"))


def check_login_name(username: str) -> str:
    """``username`` if PostgreSQL can hold it as a role name, else :class:`IdentityError`."""
    if len(username.encode()) > MAX_LOGIN_LENGTH:
        raise IdentityError(
            f"username: {username!r} is longer than PostgreSQL's {MAX_LOGIN_LENGTH}-byte role names"
        )
    if username.startswith("pg_") or username.startswith("lg_"):
        raise IdentityError(
            f"username: {username!r} starts with a prefix PostgreSQL or luckygas reserves"
        )
    return username


# ---------------------------------------------------------------------------
# Installation pieces
# ---------------------------------------------------------------------------


def _install_functions(conn: Connection, schema: str) -> None:
    q = _quoter(conn)
    # SECURITY DEFINER: the trigger writes the audit log with its owner's rights, which
    # no login holds; search_path pinned so a caller's objects cannot stand in for ours.
    conn.execute(
        text(
            f"""
CREATE OR REPLACE FUNCTION {q(schema)}.{_AUDIT_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {q(schema)}, pg_temp AS $fn$
DECLARE
    new_j jsonb;
    old_j jsonb;
    row_j jsonb;
    changes jsonb := '{{}}'::jsonb;
    details jsonb := '{{}}'::jsonb;
    act text := lower(TG_OP);
    k text;
    eid text;
BEGIN
    IF TG_OP <> 'DELETE' THEN new_j := to_jsonb(NEW); END IF;
    IF TG_OP <> 'INSERT' THEN old_j := to_jsonb(OLD); END IF;
    row_j := coalesce(new_j, old_j);
    SELECT string_agg(row_j ->> c, '/' ORDER BY n) INTO eid
        FROM unnest(TG_ARGV) WITH ORDINALITY AS pk(c, n);
    IF TG_OP = 'UPDATE' THEN
        FOR k IN SELECT jsonb_object_keys(new_j) LOOP
            CONTINUE WHEN k IN ('created_at', 'created_by', 'updated_at', 'updated_by');
            IF new_j -> k IS DISTINCT FROM old_j -> k THEN
                changes := changes
                    || jsonb_build_object(k, jsonb_build_array(old_j -> k, new_j -> k));
            END IF;
        END LOOP;
        IF changes = '{{}}'::jsonb THEN RETURN NULL; END IF;
        details := jsonb_build_object('changes', changes);
        IF TG_TABLE_NAME = 'plans' AND new_j ->> 'status' = 'published'
           AND old_j ->> 'status' IS DISTINCT FROM 'published' THEN
            act := 'publish';
        END IF;
    ELSE
        FOREACH k IN ARRAY ARRAY['code', 'number', 'plate', 'username', 'name', 'customer_id'] LOOP
            IF row_j ? k AND row_j -> k <> 'null'::jsonb THEN
                details := jsonb_build_object(k, row_j -> k);
                EXIT;
            END IF;
        END LOOP;
    END IF;
    INSERT INTO {AUDIT_TABLE} (at, username, action, entity, entity_id, details)
    VALUES (clock_timestamp(), session_user, act, TG_TABLE_NAME, eid, details::json);
    RETURN NULL;
END
$fn$
"""
        )
    )
    # Authors come from the login too, so a raw INSERT cannot name someone else.
    conn.execute(
        text(
            f"""
CREATE OR REPLACE FUNCTION {q(schema)}.{_STAMP_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SET search_path = {q(schema)}, pg_temp AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := session_user;
    ELSE
        NEW.created_by := OLD.created_by;
        NEW.updated_by := session_user;
    END IF;
    RETURN NEW;
END
$fn$
"""
        )
    )
    # The one way a login adds a row to the log itself; stamped with its login, too.
    conn.execute(
        text(
            f"""
CREATE OR REPLACE FUNCTION {q(schema)}.{EVENT_FUNCTION}(act text, ent text, eid text, det json)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = {q(schema)}, pg_temp AS $fn$
    INSERT INTO {AUDIT_TABLE} (at, username, action, entity, entity_id, details)
    VALUES (clock_timestamp(), session_user, act, ent, eid, det)
$fn$
"""
        )
    )
    conn.execute(
        text(
            f"""
CREATE OR REPLACE FUNCTION {q(schema)}.{_FREEZE_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""
        )
    )


def _install_triggers(conn: Connection, logged: list[str], stamped: list[str]) -> None:
    q = _quoter(conn)
    for table in logged:
        pk = _primary_key(conn, table)
        args = ", ".join(_sql_string(c) for c in pk)
        conn.execute(text(f"DROP TRIGGER IF EXISTS luckygas_audit ON {q(table)}"))
        conn.execute(
            text(
                f"CREATE TRIGGER luckygas_audit AFTER INSERT OR UPDATE OR DELETE ON {q(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {_AUDIT_FUNCTION}({args})"
            )
        )
    for table in stamped:
        conn.execute(text(f"DROP TRIGGER IF EXISTS luckygas_author ON {q(table)}"))
        conn.execute(
            text(
                f"CREATE TRIGGER luckygas_author BEFORE INSERT OR UPDATE ON {q(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {_STAMP_FUNCTION}()"
            )
        )
    for name, when in (
        ("luckygas_frozen", "UPDATE OR DELETE"),
        ("luckygas_frozen_truncate", "TRUNCATE"),
    ):
        level = "ROW" if when != "TRUNCATE" else "STATEMENT"
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {AUDIT_TABLE}"))
        conn.execute(
            text(
                f"CREATE TRIGGER {name} BEFORE {when} ON {AUDIT_TABLE} "
                f"FOR EACH {level} EXECUTE FUNCTION {_FREEZE_FUNCTION}()"
            )
        )


def _install_plan_policies(conn: Connection, groups: GroupRoles) -> None:
    """Dispatchers write draft plans and their rows (and delete their own drafts);
    managers any plan."""
    q = _quoter(conn)
    for name in ("lg_read", "lg_draft_insert", "lg_draft_update", "lg_draft_delete", "lg_manage"):
        conn.execute(text(f"DROP POLICY IF EXISTS {name} ON plans"))
    conn.execute(text("ALTER TABLE plans ENABLE ROW LEVEL SECURITY"))
    conn.execute(
        text(f"CREATE POLICY lg_read ON plans FOR SELECT TO {q(groups.viewer)} USING (true)")
    )
    conn.execute(
        text(
            f"CREATE POLICY lg_draft_insert ON plans FOR INSERT TO {q(groups.dispatcher)} "
            "WITH CHECK (status = 'draft')"
        )
    )
    conn.execute(
        text(
            f"CREATE POLICY lg_draft_update ON plans FOR UPDATE TO {q(groups.dispatcher)} "
            "USING (status = 'draft') WITH CHECK (status = 'draft')"
        )
    )
    conn.execute(
        text(
            f"CREATE POLICY lg_draft_delete ON plans FOR DELETE TO {q(groups.dispatcher)} "
            "USING (status = 'draft' AND created_by = session_user)"
        )
    )
    conn.execute(
        text(
            f"CREATE POLICY lg_manage ON plans FOR ALL TO {q(groups.manager)} "
            "USING (true) WITH CHECK (true)"
        )
    )
    # A plan's rows follow their plan: a dispatcher changes those of drafts only, so a
    # published plan cannot be edited from below. (Deleting a plan cascades past these,
    # as referential actions do.)
    of_draft = {
        "plan_routes": "EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_id AND p.status = 'draft')",
        "plan_unassigned": (
            "EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_id AND p.status = 'draft')"
        ),
        "plan_stops": (
            "EXISTS (SELECT 1 FROM plan_routes r JOIN plans p ON p.id = r.plan_id "
            "WHERE r.id = route_id AND p.status = 'draft')"
        ),
    }
    for table, draft in of_draft.items():
        for name in ("lg_read", "lg_draft", "lg_manage"):
            conn.execute(text(f"DROP POLICY IF EXISTS {name} ON {table}"))
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        conn.execute(
            text(f"CREATE POLICY lg_read ON {table} FOR SELECT TO {q(groups.viewer)} USING (true)")
        )
        conn.execute(
            text(
                f"CREATE POLICY lg_draft ON {table} FOR ALL TO {q(groups.dispatcher)} "
                f"USING ({draft}) WITH CHECK ({draft})"
            )
        )
        conn.execute(
            text(
                f"CREATE POLICY lg_manage ON {table} FOR ALL TO {q(groups.manager)} "
                "USING (true) WITH CHECK (true)"
            )
        )


# ---------------------------------------------------------------------------
# Catalog lookups
# ---------------------------------------------------------------------------


def _luckygas_tables(conn: Connection) -> list[str]:
    from luckygas.models import Base

    ours = set(Base.metadata.tables) | {"alembic_version"}
    present = conn.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    ).scalars()
    return [t for t in present if t in ours]


def _primary_key(conn: Connection, table: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = "
            "to_regclass(quote_ident(current_schema()) || '.' || quote_ident(:t)) "
            "AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)"
        ),
        {"t": table},
    ).scalars()
    return list(rows)


def _role_exists(conn: Connection, name: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    )


def _is_member(conn: Connection, member: str, group: str) -> bool:
    return bool(
        conn.execute(
            text(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = :g AND u.rolname = :u"
            ),
            {"g": group, "u": member},
        ).first()
    )


def _quoter(conn: Connection) -> Callable[[str], str]:
    """Quote identifiers the dialect's way: role and table names are not bind parameters."""
    prep = conn.dialect.identifier_preparer
    return prep.quote_identifier


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def _sql_string(value: str) -> str:
    """A SQL string literal for trigger arguments (catalog column names, not user input)."""
    return "'" + value.replace("'", "''") + "'"
