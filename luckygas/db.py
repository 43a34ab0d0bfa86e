"""Engines and sessions. Nothing is created at import time.

SQLite is set up for a workbench file that several analysts' notebooks share: foreign
keys enforced, WAL journal (readers never block the writer), a busy timeout so a
second writer waits instead of failing with "database is locked", and ``BEGIN
IMMEDIATE`` for write transactions so two writers never deadlock on a lock upgrade.

Sessions come in two kinds, chosen by the caller:

- :func:`write_session` (also :func:`session_scope`, and any plain ``Session(engine)``):
  on SQLite every transaction takes the write lock up front (``BEGIN IMMEDIATE``);
  commits on success.
- :func:`read_session`: on SQLite a deferred ``BEGIN``, which in WAL mode takes no lock
  any writer or reader waits for, so a notebook holding one open blocks nobody; on
  PostgreSQL a ``READ ONLY`` transaction. A flush of changes through it is refused
  (:class:`ReadOnlySessionError`), so a caller that writes cannot sit on the reader path
  unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

import luckygas.audit  # noqa: F401  (installs the audit/role listeners on every Session)
from luckygas.config import current_user, resolve_database_url

#: How long a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0

#: Execution option marking an engine (and its connections) as read-only.
READ_ONLY_OPTION = "luckygas_read_only"


class ReadOnlySessionError(RuntimeError):
    """Changes were flushed through a :func:`read_session`; use :func:`write_session`."""


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (resolved by :func:`luckygas.config.resolve_database_url`).

    Parameters
    ----------
    url
        Database URL; ``None`` means ``$LUCKYGAS_DATABASE_URL`` or the embedded SQLite file.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.

    Returns
    -------
    Engine
        For SQLite, with the workbench pragmas applied on every connection.
    """
    resolved = resolve_database_url(url)
    if resolved.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin).
        connect_args.setdefault("isolation_level", None)
        engine = create_engine(resolved, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(resolved, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    # WAL cannot be used for in-memory databases; the pragma then just reports "memory".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A deferred transaction that reads and then writes must upgrade its lock, and two
    # such transactions deadlock (SQLITE_BUSY without waiting). BEGIN IMMEDIATE takes the
    # write lock up front, so concurrent writers queue on the busy timeout instead.
    # Readers never upgrade (flushes are refused), so they begin deferred and hold only
    # a WAL snapshot, which blocks no other reader or writer.
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def read_only_engine(engine: Engine) -> Engine:
    """A view of ``engine`` (same pool) whose transactions only read.

    Parameters
    ----------
    engine
        An engine from :func:`make_engine`.

    Returns
    -------
    Engine
        On SQLite its transactions begin deferred; on PostgreSQL they are ``READ ONLY``
        (the server refuses writes).
    """
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return engine.execution_options(**options)


@contextmanager
def session_scope(
    engine: Engine | None = None, *, user: str | None = None, write: bool = True
) -> Iterator[Session]:
    """Open a session: a writer (:func:`write_session`) or, with ``write=False``, a reader.

    Parameters
    ----------
    engine
        Engine to use; ``None`` makes one from the environment.
    user
        Who is writing; recorded in audit fields (default :func:`luckygas.config.current_user`).
    write
        ``True`` (default): commits on success, rolls back on any error, takes the
        SQLite write lock for each transaction. ``False``: :func:`read_session`.

    Yields
    ------
    Session
        With ``session.info["user"]`` set.
    """
    scope = write_session if write else read_session
    with scope(engine, user=user) as session:
        yield session


@contextmanager
def write_session(engine: Engine | None = None, *, user: str | None = None) -> Iterator[Session]:
    """Open a session that may write: commits on success, rolls back on any error.

    On SQLite each transaction begins with ``BEGIN IMMEDIATE`` (the write lock, held
    until commit); use :func:`read_session` for work that only reads.

    Parameters
    ----------
    engine
        Engine to use; ``None`` makes one from the environment.
    user
        Who is writing; recorded in audit fields (default :func:`luckygas.config.current_user`).

    Yields
    ------
    Session
        With ``session.info["user"]`` set.
    """
    owned = engine is None
    engine = engine or make_engine()
    session = Session(engine, expire_on_commit=False)
    session.info["user"] = current_user(user)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if owned:
            engine.dispose()


@contextmanager
def read_session(engine: Engine | None = None, *, user: str | None = None) -> Iterator[Session]:
    """Open a session that only reads and holds no lock other sessions wait for.

    On SQLite its transactions begin deferred (in WAL mode a reader blocks neither
    readers nor the writer, however long it stays open); on PostgreSQL they are
    ``READ ONLY``. Flushing changes through it raises :class:`ReadOnlySessionError`.
    The session is closed at the end without committing; loaded objects stay usable.

    Parameters
    ----------
    engine
        Engine to use; ``None`` makes one from the environment.
    user
        Who is reading (``session.info["user"]``, for checks that look at roles).

    Yields
    ------
    Session
        With ``session.info["read_only"]`` true.
    """
    owned = engine is None
    engine = engine or make_engine()
    session = Session(read_only_engine(engine), expire_on_commit=False)
    session.info["user"] = current_user(user)
    session.info["read_only"] = True
    try:
        yield session
    finally:
        session.close()  # ends the read transaction (a rollback: nothing was written)
        if owned:
            engine.dispose()


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_read_only(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get("read_only"):
        return
    modified = [o for o in session.dirty if session.is_modified(o)]
    if session.new or session.deleted or modified:
        raise ReadOnlySessionError(
            "this session only reads (read_session); write through write_session()"
        )


# Whether the session's current transaction has written anything: a read-only
# transaction may be ended early (see release_if_read_only) without changing what the
# caller commits later.
@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context: Any) -> None:
    session.info["_wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_written(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop("_wrote", None)


def release_if_read_only(session: Session) -> bool:
    """End the session's transaction if it has only read, so it holds no database lock.

    On SQLite every write transaction takes the write lock up front (``BEGIN
    IMMEDIATE``), so a writer session that reads the day and then spends minutes in the
    solver would make every other analyst's writes wait. Call this before long work that
    needs no database (a :func:`read_session` needs no such care).

    Parameters
    ----------
    session
        The session; left untouched if it has pending or flushed changes.

    Returns
    -------
    bool
        True if the transaction was ended.
    """
    if session.info.get("_wrote") or session.new or session.dirty or session.deleted:
        return False
    if not session.in_transaction():
        return False
    session.commit()  # nothing to write: only ends the transaction and frees the lock
    return True
