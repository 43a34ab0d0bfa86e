"""Shared fixtures: a fresh database per test, seeded with reference data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.models import Base
from luckygas.reference import seed_reference_data


@pytest.fixture
def db_engine(tmp_path) -> Iterator[Engine]:
    """An empty SQLite workbench file with the schema and reference data."""
    engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed_reference_data(session, holiday_years=range(2024, 2028))
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine) -> Iterator[Session]:
    """A session on :func:`db_engine` acting as user ``tester``; rolled back at the end."""
    with Session(db_engine, expire_on_commit=False) as session:
        session.info["user"] = "tester"
        yield session
        session.rollback()
