"""Backups and restores of a luckygas database, and the guards around destructive commands.

SQLite
    A backup is a copy of the whole file made with SQLite's online backup API (a
    consistent snapshot, taken while colleagues keep reading and writing), written under
    a temporary name beside the target and renamed, so a crash or ``kill -9`` never
    leaves a half file under the backup's name. A restore copies the backup *into* the
    database through the same API: one write transaction, so it is atomic (a crash
    leaves the old database) and other connections see either the old or the new data.
PostgreSQL
    ``pg_dump`` (custom format) of luckygas's own tables only, never other tables that
    share the schema; a restore drops and recreates exactly those tables in one
    transaction (``pg_restore`` to SQL, run by ``psql --single-transaction``). The tools
    are looked up on ``PATH``, then in ``/usr/lib/postgresql/*/bin``.

Before anything is replaced the backup is checked to be a luckygas database: an
``alembic_version`` this package knows and the core tables.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from luckygas.audit import require_role
from luckygas.db import make_engine, read_session
from luckygas.domain import Role
from luckygas.models import Base, User
from luckygas.outputs import atomic_output, check_output_path
from luckygas.schema import alembic_config

#: Start of every backup file name the commands choose.
BACKUP_PREFIX = "luckygas-backup-"

#: File suffixes a backup may have, per backend.
SQLITE_SUFFIXES: tuple[str, ...] = (".sqlite", ".sqlite3", ".db")
PG_SUFFIXES: tuple[str, ...] = (".dump",)

#: Tables every luckygas database has held since the first migration: a backup without
#: them is not ours.
CORE_TABLES: tuple[str, ...] = ("customers", "orders", "vehicles", "plans", "users", "audit_log")

#: Where Debian and Ubuntu keep the PostgreSQL programs off ``PATH`` (as .ci/postgres.sh).
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done as asked; the message is one line."""


@dataclass(frozen=True)
class BackupInfo:
    """What a checked backup file holds.

    Attributes
    ----------
    path
        The backup file.
    revision
        Its schema revision (``alembic_version``).
    tables
        The tables in it.
    """

    path: Path
    revision: str
    tables: tuple[str, ...]


# ---------------------------------------------------------------------------
# Which database, which tables
# ---------------------------------------------------------------------------


def own_table_names() -> list[str]:
    """Names of the tables luckygas owns: the models' tables and ``alembic_version``."""
    return [*Base.metadata.tables, "alembic_version"]


def present_own_tables(engine: Engine) -> list[str]:
    """The luckygas tables the database holds now (other tables are never listed).

    Parameters
    ----------
    engine
        The database.

    Returns
    -------
    list[str]
        In the order of :func:`own_table_names`.
    """
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    return [name for name in own_table_names() if name in present]


def drop_own_tables(engine: Engine) -> list[str]:
    """Drop luckygas's own tables (models and ``alembic_version``), nothing else.

    Other applications' tables in the same schema or file survive; if one of them has a
    foreign key onto ours the database refuses, and nothing is dropped (one transaction).

    Parameters
    ----------
    engine
        The database.

    Returns
    -------
    list[str]
        The tables dropped.
    """
    names = present_own_tables(engine)
    if not names:
        return []
    meta = MetaData()
    # Reflected, not taken from the models, so an older revision's columns and
    # constraints are dropped as they are in the database.
    meta.reflect(engine, only=names)
    with engine.begin() as conn:
        meta.drop_all(conn)
    return names


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, ``None`` for other backends (and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database.removeprefix("file:").split("?", 1)[0])


def holds_data(url: str) -> bool:
    """True when the database exists and holds a luckygas table.

    ``alembic_version`` alone (what ``db downgrade base`` leaves) does not count: there
    is nothing to lose, so nothing to confirm or back up.
    """
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = make_engine(url)
    try:
        return any(name != "alembic_version" for name in present_own_tables(engine))
    except DBAPIError as exc:
        # E.g. --db naming a text file: refuse (never replace what we cannot read).
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise BackupError(
            f"cannot open {display_url(url)} ({reason}): not replaced; "
            "move the file away or fix the URL"
        ) from None
    finally:
        engine.dispose()


def database_label(url: str) -> str:
    """The name a person types to confirm a destructive command: file or database name."""
    path = sqlite_path(url)
    if path is not None:
        return path.name
    return make_url(url).database or "postgres"


def require_admin(engine: Engine, user: str | None, action: str) -> None:
    """Refuse unless ``user`` is an active admin of this database.

    A database with no users yet (new, or not created by luckygas) has nobody to ask,
    so it is allowed: that is how the first admin sets a database up.

    Parameters
    ----------
    engine
        The database about to be changed.
    user
        Who asks (``None``: :func:`luckygas.config.current_user`).
    action
        What for, in the error message (``"downgrade the schema"``).

    Raises
    ------
    luckygas.audit.RoleError
        E.g. ``user 'amy' (role viewer) cannot downgrade the schema: needs admin``.
    """
    if "users" not in present_own_tables(engine):
        return
    with read_session(engine, user=user) as session:
        if not session.scalar(select(func.count()).select_from(User)):
            return
        require_role(session, Role.ADMIN, action=action)


# ---------------------------------------------------------------------------
# Backup
# ---------------------------------------------------------------------------


def default_backup_path(url: str, now: dt.datetime | None = None) -> Path:
    """Where a backup goes when no file is named: a new, time-stamped name.

    Beside the database file for SQLite (``luckygas-backup-20261203-011500.sqlite``), in
    the current folder for PostgreSQL (``....dump``); ``-2``, ``-3``... when taken.

    Parameters
    ----------
    url
        The database URL.
    now
        The time stamp (default: now, local time).

    Returns
    -------
    pathlib.Path
        A path that does not exist yet.
    """
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    db = sqlite_path(url)
    folder, suffix = (db.parent, ".sqlite") if db is not None else (Path.cwd(), ".dump")
    path = folder / f"{BACKUP_PREFIX}{stamp}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{BACKUP_PREFIX}{stamp}-{n}{suffix}"
        n += 1
    return path


def backup_database(url: str, target: str | os.PathLike[str] | None = None) -> Path:
    """Write a backup of the database to ``target`` (never over an existing file).

    Parameters
    ----------
    url
        The database URL.
    target
        The backup file; ``None`` for :func:`default_backup_path`. Must end in
        ``.sqlite``/``.sqlite3``/``.db`` (SQLite) or ``.dump`` (PostgreSQL).

    Returns
    -------
    pathlib.Path
        The backup written.

    Raises
    ------
    BackupError
        The target is the database, exists or has the wrong suffix; the database is
        missing, not a database or holds no luckygas tables; a PostgreSQL tool failed.
    """
    out = Path(target) if target is not None else default_backup_path(url)
    db = sqlite_path(url)
    _check_target(url, out, SQLITE_SUFFIXES if db is not None else PG_SUFFIXES)
    if db is not None:
        _sqlite_backup(db, out)
    elif make_url(url).get_backend_name() == "postgresql":
        _pg_backup(url, out)
    else:
        raise BackupError(f"cannot back up a {make_url(url).get_backend_name()} database")
    return out


def _check_target(url: str, out: Path, suffixes: tuple[str, ...]) -> None:
    try:
        check_output_path(out, suffixes, database_url=url)
    except ValueError as exc:
        raise BackupError(str(exc)) from None
    if out.exists():
        raise BackupError(f"{out} exists; a backup never replaces a file, name a new one")


def _sqlite_backup(db: Path, out: Path) -> None:
    if not db.is_file():
        raise BackupError(f"no database file {db}")
    # Read-only: taking a backup must never change (or create) the database.
    src = _sqlite_connect(db, read_only=True)
    try:
        _sqlite_tables(src, db)  # "file is not a database" as one line, before writing
        with atomic_output(out) as tmp:
            # The backup may hold what the database's permissions protect: no wider access.
            os.chmod(tmp, db.stat().st_mode & 0o777)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                # A standalone file: no -wal/-shm beside it, readable read-only anywhere.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
            _fsync(tmp)
    except sqlite3.Error as exc:
        raise BackupError(f"backup of {db} failed: {exc}") from None
    finally:
        src.close()
    _fsync_dir(out.parent)


def _pg_backup(url: str, out: Path) -> None:
    engine = make_engine(url)
    try:
        names = present_own_tables(engine)
        schema = _pg_schema(engine)
    finally:
        engine.dispose()
    if not names:
        raise BackupError(f"{display_url(url)} holds no luckygas tables: nothing to back up")
    pg_dump = find_pg_tool("pg_dump")
    # Only our tables (with their sequences, indexes and constraints), never other
    # applications' tables in the same schema: a restore replaces exactly these.
    tables = [f"--table={_quote_ident(schema)}.{_quote_ident(n)}" for n in names]
    with atomic_output(out) as tmp:
        os.chmod(tmp, 0o600)  # a dump holds every customer's data
        _run([pg_dump, "--format=custom", f"--file={tmp}", *tables, _conninfo(url)], url)
        _fsync(tmp)
    _fsync_dir(out.parent)


# ---------------------------------------------------------------------------
# Checking a backup
# ---------------------------------------------------------------------------


def check_backup(url: str, source: str | os.PathLike[str]) -> BackupInfo:
    """Check that ``source`` is a luckygas backup that can be restored into ``url``.

    Parameters
    ----------
    url
        The database it would be restored into.
    source
        The backup file.

    Returns
    -------
    BackupInfo
        Its revision and tables.

    Raises
    ------
    BackupError
        Missing, not a database, or not a luckygas database (no ``alembic_version`` with
        a revision this package knows, or a core table missing); on PostgreSQL also a
        dump of another schema.
    """
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    db = sqlite_path(url)
    if db is not None and _same_database_file(path, db):
        raise BackupError(f"{path} is the database itself, not a backup")
    if db is not None:
        revision, tables = _sqlite_backup_contents(path)
    else:
        revision, tables = _pg_backup_contents(url, path)
    missing = [t for t in ("alembic_version", *CORE_TABLES) if t not in tables]
    if missing:
        raise BackupError(
            f"{path} is not a luckygas database (no {', '.join(missing)}); nothing was changed"
        )
    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        known = revision is not None and scripts.get_revision(revision) is not None
    except Exception:
        known = False
    if not known:
        raise BackupError(
            f"{path} is at schema revision {revision!r}, which this luckygas does not know; "
            "nothing was changed"
        )
    assert revision is not None
    return BackupInfo(path=path, revision=revision, tables=tuple(sorted(tables)))


def _sqlite_backup_contents(path: Path) -> tuple[str | None, set[str]]:
    conn = _sqlite_connect(path, read_only=True)
    try:
        tables = _sqlite_tables(conn, path)
        ok = conn.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise BackupError(
                f"{path} is a damaged SQLite file ({ok and ok[0]}); nothing was changed"
            )
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return revision, tables
    except sqlite3.Error as exc:
        raise BackupError(
            f"{path} cannot be read as a database ({exc}); nothing was changed"
        ) from None
    finally:
        conn.close()


def _pg_backup_contents(url: str, path: Path) -> tuple[str | None, set[str]]:
    listing = _run(
        [find_pg_tool("pg_restore"), "--list", str(path)],
        url,
        failed=f"{path} is not a readable PostgreSQL dump; nothing was changed",
    )
    engine = make_engine(url)
    try:
        schema = _pg_schema(engine)
    finally:
        engine.dispose()
    # TOC lines: "215; 1259 16390 TABLE <schema> <name> <owner>".
    tables: set[str] = set()
    schemas: set[str] = set()
    for line in listing.splitlines():
        match = re.match(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) \S+$", line)
        if match:
            schemas.add(match.group(1))
            tables.add(match.group(2))
    if schemas - {schema}:
        raise BackupError(
            f"{path} holds tables of schema {', '.join(sorted(schemas))}, the database uses "
            f"{schema}; nothing was changed"
        )
    revision = _pg_dump_revision(path) if "alembic_version" in tables else None
    return revision, tables


def _pg_dump_revision(path: Path) -> str | None:
    """The ``alembic_version`` row of a dump, read from its data (pg_restore to stdout)."""
    out = subprocess.run(
        [
            find_pg_tool("pg_restore"),
            "--data-only",
            "--table=alembic_version",
            "--file=-",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = out.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value == "\\." else value
    return None


# ---------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------


def restore_database(url: str, source: str | os.PathLike[str]) -> BackupInfo:
    """Replace the database's content with a backup, atomically.

    Parameters
    ----------
    url
        The database to replace (a SQLite file is created if missing).
    source
        A backup made by :func:`backup_database`.

    Returns
    -------
    BackupInfo
        What was restored.

    Raises
    ------
    BackupError
        The file is not a luckygas backup (the database is untouched), or the restore
        failed (rolled back: the database is as it was).
    """
    info = check_backup(url, source)
    db = sqlite_path(url)
    if db is not None:
        _sqlite_restore(info.path, db)
    else:
        _pg_restore(url, info.path)
    return info


def _sqlite_restore(source: Path, db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    src = _sqlite_connect(source, read_only=True)
    dst = sqlite3.connect(db, timeout=60.0)
    try:
        # Copying into the open database (not renaming a file over it) is what keeps
        # this atomic and safe for colleagues' open connections: the copy is one write
        # transaction through SQLite's own locking and journal/WAL, and SQLite bumps the
        # schema cookie so every connection reloads the schema. Renaming a file over a
        # database in WAL mode could replay a stale -wal file onto the new one.
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {db} failed, nothing was changed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _pg_restore(url: str, source: Path) -> None:
    engine = make_engine(url)
    try:
        schema = _pg_schema(engine)
        present = present_own_tables(engine)
    finally:
        engine.dispose()
    pg_restore, psql = find_pg_tool("pg_restore"), find_pg_tool("psql")
    # Dropping the tables there are now (a newer revision may have more than the backup)
    # and recreating them from the dump run in one transaction, so a failure anywhere
    # leaves the database as it was. pg_restore --single-transaction cannot do the first
    # half, hence the SQL script run by psql.
    drop = "SELECT 1;"
    if present:
        names = ", ".join(f"{_quote_ident(schema)}.{_quote_ident(n)}" for n in present)
        drop = f"DROP TABLE IF EXISTS {names};"
    with tempfile.TemporaryDirectory(prefix="luckygas-restore-") as folder:
        script = Path(folder) / "restore.sql"
        _run(
            [pg_restore, "--no-owner", f"--file={script}", str(source)],
            url,
            failed=f"{source} could not be read; nothing was changed",
        )
        _run(
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--command={drop}",
                f"--file={script}",
                _conninfo(url),
            ],
            url,
            failed="the restore failed and was rolled back: nothing was changed",
        )


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def find_pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (``pg_dump``, ``pg_restore``, ``psql``).

    Parameters
    ----------
    name
        The program.

    Returns
    -------
    str
        From ``PATH``, else the newest ``/usr/lib/postgresql/<version>/bin``.

    Raises
    ------
    BackupError
        When it is nowhere (one line saying what to install).
    """
    found = shutil.which(name)
    if found:
        return found
    import glob

    def version(folder: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", folder))

    for folder in sorted(glob.glob(PG_BIN_GLOB), key=version, reverse=True):
        candidate = Path(folder) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        f"{name} not found on PATH or in {PG_BIN_GLOB}: install the PostgreSQL client "
        "programs (e.g. apt-get install postgresql-client)"
    )


def _run(argv: list[str], url: str, *, failed: str | None = None) -> str:
    """Run a PostgreSQL program; its failure becomes a one-line :class:`BackupError`.

    ``failed`` starts the message (default: "<program> on <url> failed"); the program's
    first error line (and its DETAIL, which names the cause) follow.
    """
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)  # not on the command line, where ps shows it
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tool = Path(argv[0]).name
        lines = [
            " ".join(ln.split()).removeprefix(f"{tool}: ")
            for ln in done.stderr.splitlines()
            if ln.strip()
        ]
        detail = [ln for ln in lines[1:] if ln.startswith("DETAIL:")][:1]
        reason = "; ".join(lines[:1] + detail) or f"exit status {done.returncode}"
        raise BackupError(f"{failed or f'{tool} on {display_url(url)} failed'} ({tool}: {reason})")
    return done.stdout


def _conninfo(url: str) -> str:
    """A libpq URI for the SQLAlchemy URL, without the password (see :func:`_run`)."""
    parsed = make_url(url)
    netloc = quote(parsed.username or "", safe="")
    host = parsed.host or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{netloc}@{host}" if netloc else host
    if parsed.port:
        netloc += f":{parsed.port}"
    query = "&".join(
        f"{quote(k, safe='')}={quote(v if isinstance(v, str) else v[-1], safe='')}"
        for k, v in parsed.query.items()
    )
    uri = f"postgresql://{netloc}/{quote(parsed.database or '', safe='')}"
    return f"{uri}?{query}" if query else uri


def _pg_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    if not schema:
        raise BackupError("the database has no current schema (check search_path)")
    return str(schema)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        return sqlite3.connect(path, timeout=60.0)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=60.0)


def _sqlite_tables(conn: sqlite3.Connection, path: Path) -> set[str]:
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc}); nothing was changed") from None
    return {r[0] for r in rows}


def _same_database_file(path: Path, db: Path) -> bool:
    for candidate in (db, *(Path(f"{db}{tail}") for tail in ("-wal", "-shm", "-journal"))):
        if candidate.exists() and os.path.samefile(path, candidate):
            return True
    return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder is on disk too (power loss, not kill).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def display_url(url: str) -> str:
    """The URL for messages: without its password."""
    return make_url(url).render_as_string(hide_password=True)
