"""A long solve does not hold the SQLite write lock, so other analysts can keep writing."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.db import make_engine, release_if_read_only
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
