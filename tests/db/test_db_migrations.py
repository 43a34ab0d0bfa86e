"""The migrations create exactly the models' schema, and can be undone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from luckygas.cli import main
from luckygas.db import make_engine
from luckygas.models import Base, CylinderTypeRow, ZoneRow
from luckygas.schema import create_database, current_revision, downgrade, head_revision, upgrade


def test_upgrade_from_empty_reproduces_the_models(db_url):
    """A database built by the migrations has every table, column, index and key of the models."""
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(db_url):
    """Downgrading to base leaves only Alembic's bookkeeping table behind."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)  # and back up again
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_create_database_seeds_reference_data_and_is_idempotent(db_url):
    """Creating twice keeps one copy of the 14 zones and the cylinder types."""
    engine = make_engine(db_url)
    try:
        create_database(engine, holiday_years=range(2025, 2026))
        create_database(engine, holiday_years=range(2025, 2026))
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(ZoneRow)) == 14
            assert conn.scalar(select(func.count()).select_from(CylinderTypeRow)) == 16
    finally:
        engine.dispose()


def test_cli_db_upgrade_and_current(tmp_path, capsys):
    """`luckygas db upgrade` creates a new file database and `db current` reports it."""
    url = f"sqlite:///{tmp_path / 'sub' / 'new.sqlite'}"
    assert main(["--db", url, "db", "current"]) == 1
    assert "no database file" in capsys.readouterr().err
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert "upgraded from empty" in capsys.readouterr().out
    assert main(["--db", url, "db", "current"]) == 0
    assert f"revision {head_revision()} (up to date)" in capsys.readouterr().out


@pytest.mark.parametrize("revision", ["nonsense"])
def test_cli_db_upgrade_to_unknown_revision_fails_cleanly(tmp_path, capsys, revision):
    """An unknown revision is a one-line error with a non-zero exit, not a traceback."""
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert main(["--db", url, "db", "upgrade", "--revision", revision]) == 1
    assert "upgrade of" in capsys.readouterr().err
