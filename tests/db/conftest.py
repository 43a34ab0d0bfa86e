"""Database fixtures run on every backend: SQLite always, PostgreSQL when configured.

PostgreSQL tests need ``LUCKYGAS_TEST_PG_URL`` (``eval "$(bash .ci/postgres.sh)"`` starts a
server and sets it). Without it they are skipped, except under ``CI=true``, where a
missing server is a failure: CI must not silently test one backend only. Each
PostgreSQL test runs in a fresh schema of its own, so tests can run in parallel.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.domain import Role, VehicleType
from luckygas.models import Customer, CustomerCylinder, CustomerWindow, Depot, User, Vehicle
from luckygas.schema import create_database
from tests.factories import add_depot

PG_ENV = "LUCKYGAS_TEST_PG_URL"
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))


def pg_url_or_skip() -> str:
    """The test server's URL; skip (or fail under CI) when none is configured."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"CI=true but {PG_ENV} is not set: start PostgreSQL with .ci/postgres.sh")
        pytest.skip(f'{PG_ENV} not set (run: eval "$(bash .ci/postgres.sh)")')
    return url


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """URL of a fresh, private PostgreSQL schema on the test server (dropped afterwards)."""
    base = pg_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))  # generated name, not user input
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """URL of an empty database on each backend (a fresh SQLite file / PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'luckygas.sqlite'}"
        return
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def pg_db_url() -> Iterator[str]:
    """URL of an empty PostgreSQL schema (skipped without a server, failed under CI)."""
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    """A database created by the migrations, with reference data and ``tester`` (a
    dispatcher: enters orders, saves drafts), on each backend."""
    eng = make_engine(db_url)
    create_database(eng, holiday_years=range(2025, 2026))
    add_users(eng, tester=Role.DISPATCHER)
    yield eng
    eng.dispose()


@pytest.fixture
def bare(db_url) -> Iterator[Engine]:
    """A database created by the migrations, with reference data and no users at all."""
    eng = make_engine(db_url)
    create_database(eng, holiday_years=range(2025, 2026))
    yield eng
    eng.dispose()


def open_session(engine: Engine, user: str = "tester") -> Session:
    """A plain session writing as ``user``."""
    session = Session(engine, expire_on_commit=False)
    session.info["user"] = user
    return session


def add_users(engine: Engine, **roles: Role) -> None:
    """Register users ``name=role`` as test setup.

    A Core insert, past the audit listeners: who may add users is tested on its own
    (tests/db/test_db_roles.py), not by every test that needs a colleague.
    """
    rows = [
        {"username": name, "role": role, "is_active": True, "full_name": "", "created_by": "setup"}
        for name, role in roles.items()
    ]
    with engine.begin() as conn:
        conn.execute(insert(User.__table__), rows)


def add_customer(session: Session, code: str, **fields) -> Customer:
    """A customer with sensible defaults; ``windows`` and ``owned`` may be given."""
    windows = fields.pop("windows", [])
    owned = fields.pop("owned", {})
    fields.setdefault("short_name", f"Customer {code}")
    fields.setdefault("zone_code", "A")
    customer = Customer(code=code, **fields)
    customer.windows = [CustomerWindow(start_min=a, end_min=b) for a, b in windows]
    customer.cylinders = [CustomerCylinder(cylinder_type=t, quantity=n) for t, n in owned.items()]
    session.add(customer)
    session.flush()
    return customer


def add_vehicle(session: Session, plate: str = "LG-001", **fields) -> Vehicle:
    """A vehicle at a (created on demand) depot."""
    depot = session.query(Depot).filter_by(code="TT").one_or_none() or add_depot(session)
    fields.setdefault("name", plate)
    fields.setdefault("vehicle_type", VehicleType.LIGHT_TRUCK)
    fields.setdefault("max_kg", 1000.0)
    vehicle = Vehicle(plate=plate, depot_id=depot.id, **fields)
    session.add(vehicle)
    session.flush()
    return vehicle


DAY = dt.date(2025, 3, 3)
