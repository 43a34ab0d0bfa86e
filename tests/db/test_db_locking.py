"""Locks on a shared database: a long solve does not hold the SQLite write lock, and a
read session held open blocks no other analyst's reads or writes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.db import (
    ReadOnlySessionError,
    make_engine,
    read_session,
    release_if_read_only,
    session_scope,
    write_session,
)
from luckygas.schema import create_database


def _other_analyst_writes(path) -> None:
    """Another process's write that gives up after 0.2 s if the file is locked."""
    conn = sqlite3.connect(path, timeout=0.2)
    try:
        conn.execute("INSERT INTO holidays (day, name) VALUES ('2030-01-01', 'test')")
        conn.commit()
    finally:
        conn.close()


def test_read_only_session_releases_the_lock(tmp_path):
    """After reading, releasing lets another writer in at once."""
    path = tmp_path / "shared.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_database(engine, holiday_years=range(2026, 2027))
    with Session(engine) as session:
        session.scalars(select(m.ZoneRow)).all()  # BEGIN IMMEDIATE: holds the write lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _other_analyst_writes(path)
        assert release_if_read_only(session) is True
        _other_analyst_writes(path)
    engine.dispose()


def test_session_with_writes_keeps_its_transaction(tmp_path):
    """A session that has flushed changes is not committed behind the caller's back."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    create_database(engine, holiday_years=range(2026, 2027))
    with Session(engine) as session:
        session.info["user"] = "tester"
        session.add(m.Depot(code="TT", name="Depot", lat=22.75, lng=121.15))
        session.flush()
        assert release_if_read_only(session) is False
        session.rollback()
        assert session.scalar(select(m.Depot)) is None
    engine.dispose()


# ---------------------------------------------------------------------------
# Readers lock nobody out: a read session held open in one process (a notebook that
# loaded the day and sits there) while another process reads and writes.
# ---------------------------------------------------------------------------

#: Run in another process: read through a read session, then write through a write
#: session; print what happened as JSON (errors as text, so the test shows them).
_OTHER_PROCESS = """
import json, sys, time
from sqlalchemy import func, select
from luckygas import models as m
from luckygas.db import make_engine, read_session, write_session

engine = make_engine(sys.argv[1])
out = {}
t0 = time.monotonic()
try:
    with read_session(engine, user="colleague") as s:
        out["zones"] = s.scalar(select(func.count()).select_from(m.ZoneRow))
except Exception as exc:
    out["read_error"] = f"{type(exc).__name__}: {exc}"
out["read_s"] = time.monotonic() - t0
t0 = time.monotonic()
try:
    with write_session(engine, user="colleague") as s:
        s.add(m.Holiday(day=__import__("datetime").date(2030, 1, 1), name="written"))
except Exception as exc:
    out["write_error"] = f"{type(exc).__name__}: {exc}"
out["write_s"] = time.monotonic() - t0
engine.dispose()
print(json.dumps(out))
"""
#: Generous: the busy timeout is 60 s; a blocked reader or writer would wait that long.
QUICK_S = 20.0


def _other_process(url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, url],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_open_read_session_blocks_no_reader_or_writer(engine):
    """While a read session is open, with a read done, another process reads and writes."""
    url = engine.url.render_as_string(hide_password=False)
    with read_session(engine, user="analyst") as held:
        zones = held.scalars(select(m.ZoneRow)).all()  # the read transaction is open now
        assert zones and held.in_transaction()
        other = _other_process(url)
        assert "read_error" not in other and "write_error" not in other, other
        assert other["zones"] == len(zones)
        assert other["read_s"] < QUICK_S and other["write_s"] < QUICK_S
        held.scalars(select(m.ZoneRow)).all()  # the held session still reads
    with read_session(engine) as s:
        assert s.get(m.Holiday, dt.date(2030, 1, 1)).name == "written"


def test_read_session_begins_deferred_on_sqlite(tmp_path):
    """A held read session leaves the write lock free; a write session takes it."""
    path = tmp_path / "shared.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_database(engine, holiday_years=range(2026, 2027))
    with read_session(engine) as session:
        session.scalars(select(m.ZoneRow)).all()
        _other_analyst_writes(path)  # 0.2 s timeout: would fail if the lock were held
    with session_scope(engine, write=True) as session:
        session.scalars(select(m.ZoneRow)).all()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _other_analyst_writes(path)
    engine.dispose()


def test_read_session_refuses_to_write(engine):
    """Changes flushed through a reader are refused, and nothing is written."""
    with read_session(engine, user="analyst") as session:
        session.add(m.Holiday(day=dt.date(2031, 1, 1), name="no"))
        with pytest.raises(ReadOnlySessionError):
            session.flush()
        session.rollback()
    with session_scope(engine, write=False) as session:
        assert session.get(m.Holiday, dt.date(2031, 1, 1)) is None
        assert session.info["read_only"]


def test_read_session_is_read_only_on_postgresql(pg_db_url):
    """On PostgreSQL the server itself refuses a write in a read session's transaction."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = make_engine(pg_db_url)
    create_database(engine, holiday_years=range(2026, 2027))
    try:
        with read_session(engine) as session, pytest.raises(DBAPIError, match="read-only"):
            session.execute(text("INSERT INTO holidays (day, name) VALUES ('2031-01-01', 'x')"))
        with write_session(engine, user="tester") as session:  # the pool is not left read-only
            session.add(m.Holiday(day=dt.date(2031, 1, 2), name="yes"))
        with read_session(engine) as session:
            assert session.get(m.Holiday, dt.date(2031, 1, 2)) is not None
    finally:
        engine.dispose()


def test_read_only_commands_run_while_a_writer_holds_the_lock(tmp_path, monkeypatch, capsys):
    """``plans``, ``users list`` and ``scenarios list`` read through read sessions: a
    colleague's open write transaction does not make them wait (1 s busy timeout here;
    a writer session would fail with "database is locked")."""
    from luckygas import db
    from luckygas.cli import main

    path = tmp_path / "shared.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_database(engine, holiday_years=range(2026, 2027))
    engine.dispose()
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 1.0)
    colleague = sqlite3.connect(path, isolation_level=None)
    colleague.execute("BEGIN IMMEDIATE")  # holds the write lock until rollback
    try:
        url = f"sqlite:///{path}"
        for argv in (["plans"], ["users", "list"], ["scenarios", "list"]):
            assert main(["--db", url, *argv]) == 0, (argv, capsys.readouterr().err)
        assert main(["--db", url, "users", "add", "x", "--role", "admin"]) == 1  # a writer waits
        assert "locked" in capsys.readouterr().err
    finally:
        colleague.execute("ROLLBACK")
        colleague.close()


def test_report_reads_while_a_writer_holds_the_lock(tmp_path, capsys):
    """The report (its checks, the notebook's kernel, the workbook) only reads: it is
    written while a colleague's write transaction is open."""
    from luckygas.cli import main
    from tests.reports.helpers import DAY, build_planned_database

    path = tmp_path / "shared.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_database(engine, holiday_years=range(2026, 2027))
    build_planned_database(engine)
    engine.dispose()
    colleague = sqlite3.connect(path, isolation_level=None)
    colleague.execute("BEGIN IMMEDIATE")
    try:
        html, xlsx = tmp_path / "day.html", tmp_path / "day.xlsx"
        argv = ["--db", f"sqlite:///{path}", "report", "--date", DAY.isoformat(), "--quiet",
                "--output", str(html), "--excel", str(xlsx)]  # fmt: skip
        assert main(argv) == 0, capsys.readouterr().err
        assert html.stat().st_size > 0 and xlsx.stat().st_size > 0
    finally:
        colleague.execute("ROLLBACK")
        colleague.close()
