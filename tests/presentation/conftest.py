"""A tiny Lucky Gas day, small enough to check by hand, for the presentation tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.domain import Priority, Role, VehicleRequirement, VehicleType
from luckygas.optimize import Depot, Location, Order, RoutingProblem, SolverParams, Vehicle, solve
from tests.factories import add_depot, add_motorcycle, add_truck, register

DAY = dt.date(2026, 12, 1)  # a Tuesday, not a holiday
XSS_NAME = "<script>alert(1)</script>"
MANAGER = "boss"


def _customers() -> list[dict]:
    """Ten customers around the depot plus one without coordinates and one with a nasty name."""
    rows = [
        {
            "code": f"C{i:06d}",
            "short_name": f"Shop {i}",
            "lat": 22.745 + 0.003 * i,
            "lng": 121.125 + 0.004 * (i % 4),
            "address": f"{i} Zhonghua Rd",
            "zone_code": "ABCD"[i % 4],
        }
        for i in range(1, 11)
    ]
    rows.append(
        {
            "code": "C000011",
            "short_name": XSS_NAME,
            "lat": 22.760,
            "lng": 121.150,
            "address": "<b>bold</b> street",
            "zone_code": "A",
        }
    )
    rows.append(
        {
            "code": "C000012",
            "short_name": "No Coordinates",
            "lat": None,
            "lng": None,
            "address": "unknown",
            "zone_code": "B",
        }
    )
    return rows


@pytest.fixture
def small_db(db_engine: Engine) -> Engine:
    """A depot, a truck and a motorcycle with drivers, 12 customers and their orders on DAY."""
    register(db_engine, MANAGER, role=Role.MANAGER)
    with Session(db_engine) as s:
        s.info["user"] = MANAGER
        depot = add_depot(s)
        truck = add_truck(
            s, depot, plate="TRK-001", name="TRUCK-1", cap_50kg=10, cap_20kg=40, cap_16kg=20,
            max_kg=1500, fixed_cost=500,
        )  # fmt: skip
        moto = add_motorcycle(
            s, depot, plate="MTR-001", name="MOTO-1", cap_4kg=5, fixed_cost=200, cost_per_km=3
        )
        s.add_all([truck, moto])
        s.flush()
        s.add_all(
            [
                m.Driver(name="Wang", default_vehicle_id=truck.id),
                m.Driver(name="Lee", default_vehicle_id=moto.id),
            ]
        )
        for i, row in enumerate(_customers(), start=1):
            c = m.Customer(**row, vehicle_requirement=VehicleRequirement.EITHER)
            c.windows.append(m.CustomerWindow(start_min=8 * 60, end_min=18 * 60))
            s.add(c)
            s.flush()
            s.add(
                m.Order(
                    number=f"20261201-{i:03d}",
                    customer_id=c.id,
                    delivery_date=DAY,
                    qty_20kg=1 + i % 2,
                    priority=Priority.URGENT if i == 3 else Priority.NORMAL,
                )
            )
        s.commit()
    return db_engine


@pytest.fixture(scope="session")
def tiny_problem() -> RoutingProblem:
    """A DB-free day: 8 located orders, one without coordinates, one with an HTML name."""
    depot = Depot(1, "Depot", Location(22.7553, 121.1504), 7 * 3600, 20 * 3600)
    orders = [
        Order(
            i,
            100 + i,
            f"Cust {i}",
            Location(22.74 + 0.004 * i, 121.12 + 0.003 * (i % 5)),
            {20: 1 + i % 3, 16: i % 2},
            address=f"{i} Road",
            empties={20: 1},
        )
        for i in range(1, 9)
    ]
    orders.append(Order(9, 109, XSS_NAME, Location(22.75, 121.14), {20: 1}, address="<i>x</i>"))
    orders.append(Order(10, 110, "Nowhere", None, {20: 1}))
    vehicles = [
        Vehicle(
            1,
            "TRUCK-1",
            VehicleType.LIGHT_TRUCK,
            {50: 5, 20: 6, 16: 6, 10: 5, 4: 5},
            400,
            driver_name="Wang",
            break_start_earliest_s=11 * 3600,
            break_end_latest_s=14 * 3600,
            break_duration_s=1800,
        ),
        Vehicle(
            2,
            "TRUCK-2",
            VehicleType.LIGHT_TRUCK,
            {50: 5, 20: 6, 16: 6, 10: 5, 4: 5},
            400,
            driver_name="Chen",
        ),
    ]
    return RoutingProblem(DAY, depot, tuple(orders), tuple(vehicles))


@pytest.fixture(scope="session")
def tiny_result(tiny_problem):
    """The tiny day solved (deterministic search, so every run gives the same plan)."""
    params = SolverParams(time_limit_s=2).replace(deterministic=True, solution_limit=50)
    return solve(tiny_problem, params)


@pytest.fixture(scope="session")
def tiny_customers(tiny_problem) -> pd.DataFrame:
    """Customer fields for the tiny day (zones cycle A, B, C)."""
    ids = [o.customer_id for o in tiny_problem.orders]
    return pd.DataFrame(
        {
            "id": ids,
            "code": [f"C{i:06d}" for i in ids],
            "phone": "089-123456",
            "zone_code": (["A", "B", "C"] * 4)[: len(ids)],
        }
    )
