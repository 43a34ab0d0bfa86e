"""Small building blocks for test databases: a depot, a light truck, a motorcycle.

The defaults are the ones the planning tests reason about (a truck that carries 4 × 50 kg
and 20 × 20 kg, a motorcycle with 3 × 20 kg and no 50 kg); pass keywords to change any
column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.domain import Role, VehicleType

#: The user test fixtures write as.
TEST_USER = "tester"


def register(engine: Any, *names: str, role: Role | str = Role.ADMIN) -> None:
    """Register ``names`` with ``role`` (those not registered yet) as test setup.

    A Core insert, past the role checks: who may add users is tested on its own in
    tests/db/test_db_roles.py, not by every test that needs a writer.
    """
    with engine.begin() as conn:
        known = set(conn.scalars(select(m.User.username)))
        rows = [
            {"username": n, "role": Role(role), "is_active": True, "full_name": "",
             "created_by": "setup"}
            for n in dict.fromkeys(names) if n not in known
        ]  # fmt: skip
        if rows:
            conn.execute(insert(m.User.__table__), rows)


TRUCK = dict(
    plate="TRK-1", name="Truck 1", vehicle_type=VehicleType.LIGHT_TRUCK, cap_50kg=4, cap_20kg=20,
    cap_16kg=10, cap_10kg=10, cap_4kg=10, max_kg=800, fixed_cost=800, cost_per_km=8,
)  # fmt: skip
MOTORCYCLE = dict(
    plate="MC-1", name="Moto 1", vehicle_type=VehicleType.MOTORCYCLE, cap_20kg=3, cap_16kg=3,
    cap_10kg=3, cap_4kg=6, max_kg=80, fixed_cost=300, cost_per_km=2,
)  # fmt: skip


DEPOT = dict(code="TT", name="Taitung depot", lat=22.7553, lng=121.1504)


def add_depot(session: Session, **columns) -> m.Depot:
    """The Taitung depot (the earlier system's downtown point; ``columns`` applied)."""
    depot = m.Depot(**{**DEPOT, **columns})
    session.add(depot)
    session.flush()
    return depot


def add_truck(session: Session, depot: m.Depot, **columns) -> m.Vehicle:
    """A light truck at ``depot`` (:data:`TRUCK` with ``columns`` applied)."""
    vehicle = m.Vehicle(depot_id=depot.id, **{**TRUCK, **columns})
    session.add(vehicle)
    session.flush()
    return vehicle


def add_motorcycle(session: Session, depot: m.Depot, **columns) -> m.Vehicle:
    """A motorcycle at ``depot`` (:data:`MOTORCYCLE` with ``columns`` applied)."""
    vehicle = m.Vehicle(depot_id=depot.id, **{**MOTORCYCLE, **columns})
    session.add(vehicle)
    session.flush()
    return vehicle
