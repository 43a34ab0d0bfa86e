"""Creating and upgrading the database schema: Alembic migrations, run from Python.

A new database is created by the same migrations that upgrade an old one, so every
database (the analysts' shared SQLite file, a PostgreSQL server, a test fixture) has
exactly the schema of some revision. The migrations live inside the package
(``luckygas/migrations``); no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, literal, select
from sqlalchemy.orm import Session

from luckygas.db import make_engine, read_only_engine
from luckygas.models import AuditLog, Base, CylinderTypeRow, Holiday, ZoneRow

#: Where the migration scripts are (inside the installed package).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic :class:`~alembic.config.Config` for the packaged migrations.

    Parameters
    ----------
    connection
        Run on this open connection (its transaction is the caller's).
    url
        Else open one from this URL (only used when ``connection`` is ``None``).

    Returns
    -------
    Config
        Usable with any :mod:`alembic.command` function.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        # ConfigParser treats "%" as interpolation; URL-encoded passwords contain it.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the package knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (creating every table on an empty database).

    Parameters
    ----------
    engine_or_url
        An engine, a URL, or ``None`` for the configured database
        (:func:`luckygas.config.resolve_database_url`).
    revision
        Target revision id, ``"head"`` or a relative step such as ``"+1"``.
    """
    with _connection(engine_or_url) as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine_or_url: Engine | str | None = None, revision: str = "base") -> None:
    """Downgrade the database to ``revision`` (``"base"`` drops every table).

    Parameters
    ----------
    engine_or_url
        An engine, a URL, or ``None`` for the configured database.
    revision
        Target revision id, ``"base"`` or a relative step such as ``"-1"``.
    """
    with _connection(engine_or_url) as conn:
        command.downgrade(alembic_config(conn), revision)


def current_revision(engine_or_url: Engine | str | None = None) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated.

    Parameters
    ----------
    engine_or_url
        An engine, a URL, or ``None`` for the configured database.
    """
    engine, owned = _engine(engine_or_url)
    try:
        # Only reads: a read-only (on SQLite deferred) transaction, so asking which
        # revision the database is at never waits for, nor blocks, a colleague's writes.
        with read_only_engine(engine).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def create_database(engine_or_url: Engine | str | None = None, *, holiday_years=None) -> None:
    """Create (or bring up to date) a database: run every migration, then seed reference data.

    Safe to run again on an existing database: migrations already applied are skipped
    and reference rows already present are kept.

    Parameters
    ----------
    engine_or_url
        An engine, a URL, or ``None`` for the configured database.
    holiday_years
        ``range`` of years to load national holidays for (default: see
        :func:`luckygas.reference.seed_reference_data`).
    """
    from luckygas.reference import seed_reference_data

    engine, owned = _engine(engine_or_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            session.info["user"] = "system"
            seed_reference_data(session, holiday_years=holiday_years)
            session.commit()
    finally:
        if owned:
            engine.dispose()


def table_names(engine_or_url: Engine | str | None = None) -> list[str]:
    """The tables the database holds (``[]`` for an empty one).

    Parameters
    ----------
    engine_or_url
        Engine, URL, or ``None`` for the configured database.

    Returns
    -------
    list[str]
    """
    engine, owned = _engine(engine_or_url)
    try:
        with engine.connect() as conn:
            return list(inspect(conn).get_table_names())
    finally:
        if owned:
            engine.dispose()


#: Alembic's bookkeeping table (the schema revision).
ALEMBIC_TABLE = "alembic_version"

#: Tables ``luckygas db upgrade`` fills by itself: the reference data every database holds
#: (zones, cylinder types, holidays). Rows there are part of an empty schema, not data.
REFERENCE_TABLES: frozenset[str] = frozenset(
    t.__tablename__ for t in (ZoneRow, CylinderTypeRow, Holiday)
)


def tables_with_data(engine_or_url: Engine | str | None = None) -> list[str]:
    """The tables holding data: luckygas's with rows beyond what the schema itself brings,
    and any other application's table.

    A database just made by ``luckygas db upgrade`` has tables, ``alembic_version`` and
    the reference data, and nothing anyone would lose: this returns ``[]`` for it, as it
    does for a database without any table. Audit entries about the reference data do
    not count either. Another application's table counts whatever it holds: a file or
    schema shared with something else is not empty (the demo is not built beside it
    unasked).

    Parameters
    ----------
    engine_or_url
        Engine, URL, or ``None`` for the configured database.

    Returns
    -------
    list[str]
        luckygas's tables in the models' dependency order (e.g. ``["users",
        "customers", "orders"]``), then the others by name.
    """
    engine, owned = _engine(engine_or_url)
    try:
        # Only reads: never waits for, nor blocks, a colleague's writes (see db.py).
        with read_only_engine(engine).connect() as conn:
            present = set(inspect(conn).get_table_names())
            found = []
            for table in Base.metadata.sorted_tables:
                if table.name in REFERENCE_TABLES or table.name not in present:
                    continue
                probe = select(literal(1)).select_from(table).limit(1)
                if table.name == AuditLog.__tablename__:
                    probe = probe.where(AuditLog.entity.not_in(sorted(REFERENCE_TABLES)))
                if conn.execute(probe).first() is not None:
                    found.append(table.name)
            ours = {*Base.metadata.tables, ALEMBIC_TABLE}
            return found + sorted(present - ours)
    finally:
        if owned:
            engine.dispose()


def drop_all_tables(engine_or_url: Engine | str | None = None) -> None:
    """Drop every table there is, ``alembic_version`` included.

    The tables are reflected from the database rather than taken from the models, so a
    database of an older or newer schema is emptied too and nothing is left behind.

    Parameters
    ----------
    engine_or_url
        Engine, URL, or ``None`` for the configured database.
    """
    engine, owned = _engine(engine_or_url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        meta.drop_all(engine)
    finally:
        if owned:
            engine.dispose()


def _engine(engine_or_url: Engine | str | None) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return make_engine(engine_or_url), True


@contextmanager
def _connection(engine_or_url: Engine | str | None) -> Iterator[Connection]:
    engine, owned = _engine(engine_or_url)
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite migrations rebuild tables (batch mode: copy, drop, rename); with
                # foreign keys enforced, dropping a referenced table fails. The pragma only
                # takes effect outside a transaction, hence the raw driver connection.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                # One transaction for the whole run: a failed migration leaves nothing
                # half-done (SQLite and PostgreSQL DDL are both transactional).
                with conn.begin():
                    yield conn
                    if sqlite:
                        _check_foreign_keys(conn)
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    finally:
        if owned:
            engine.dispose()


def _check_foreign_keys(conn: Connection) -> None:
    """Refuse to commit a SQLite migration that left rows pointing nowhere."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise RuntimeError(
            f"migration left {len(broken)} row(s) with a broken foreign key, e.g. "
            f"{table} row {rowid} -> {parent}; nothing was changed"
        )
