"""Small building blocks for test databases: a depot, a light truck, a motorcycle.

The defaults are the ones the planning tests reason about (a truck that carries 4 × 50 kg
and 20 × 20 kg, a motorcycle with 3 × 20 kg and no 50 kg); pass keywords to change any
column.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.domain import VehicleType

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
