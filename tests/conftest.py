"""Shared fixtures: a fresh database per test, seeded with reference data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.domain import Role
from luckygas.models import Base
from luckygas.reference import seed_reference_data
from tests.factories import TEST_USER, register


@pytest.fixture(autouse=True)
def _write_as_the_test_user(monkeypatch) -> None:
    """Code that falls back to ``$LUCKYGAS_USER`` (the CLI without ``--user``, sessions without
    a user) writes as :data:`TEST_USER`, whom the fixtures register, on every machine
    (tests/run exports ``ci``; a developer's shell, anything)."""
    monkeypatch.setenv("LUCKYGAS_USER", TEST_USER)


@pytest.fixture
def db_engine(tmp_path) -> Iterator[Engine]:
    """A SQLite workbench file with the schema, reference data and ``tester`` (an admin)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed_reference_data(session, holiday_years=range(2024, 2028))
        session.commit()
    register(engine, TEST_USER, role=Role.ADMIN)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine) -> Iterator[Session]:
    """A session on :func:`db_engine` acting as user ``tester``; rolled back at the end."""
    with Session(db_engine, expire_on_commit=False) as session:
        session.info["user"] = "tester"
        yield session
        session.rollback()
