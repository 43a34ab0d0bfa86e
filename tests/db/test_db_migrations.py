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


def test_upgrade_keeps_data_of_a_populated_database(tmp_path):
    """An analyst's existing SQLite file (schema 0001, with plans) upgrades to head intact."""
    from sqlalchemy import text

    from luckygas.db import make_engine
    from luckygas.schema import current_revision, head_revision, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO depots (id, code, name, address, lat, lng, open_min, "
                "close_min, created_at, created_by) VALUES (1, 'TT', 'Depot', '', "
                "22.75, 121.15, 420, 1200, '2026-01-01', 'x')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO vehicles (id, plate, name, vehicle_type, depot_id, cap_50kg,"
                " cap_20kg, cap_16kg, cap_10kg, cap_4kg, max_kg, fixed_cost, cost_per_km,"
                " speed_factor, is_active, created_at, created_by) VALUES (1, 'TRK-1', "
                "'Truck', 'light_truck', 1, 1, 1, 1, 1, 1, 500, 0, 0, 1, 1, "
                "'2026-01-01', 'x')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO plans (id, plan_date, name, status, parameters, "
                "solver_version, kpis, run, snapshot, created_at, created_by) VALUES "
                "(1, '2026-01-02', 'p', 'draft', '{}', '', '{}', '{}', '{}', "
                "'2026-01-01', 'x')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO plan_routes (id, plan_id, route_no, vehicle_id, start_s, "
                "end_s, distance_m, drive_s, service_s, wait_s, break_s, load_kg, cost)"
                " VALUES (1, 1, 1, 1, 0, 10, 5, 0, 0, 0, 0, 0, 0)"
            )
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(
            text("SELECT plate, max_trips, reload_minutes FROM vehicles")
        ).one() == ("TRK-1", 1, 15)
        assert conn.execute(text("SELECT vehicle_id, trips FROM plan_routes")).one() == (1, 1)
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
