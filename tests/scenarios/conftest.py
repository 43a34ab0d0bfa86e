"""A small hand-checkable day: depot, six orders, a truck, a car and a motorcycle."""

from __future__ import annotations

import datetime as dt

import pytest

from luckygas.domain import Priority, VehicleRequirement, VehicleType
from luckygas.optimize.params import SolverParams
from luckygas.optimize.problem import (
    Depot,
    Location,
    Order,
    RoutingProblem,
    Vehicle,
)

H = 3600

#: Deterministic, quick: stops on a solution count, not the clock.
FAST = SolverParams(time_limit_s=2.0).replace(deterministic=True, solution_limit=40)


def make_day() -> RoutingProblem:
    """Depot in Taitung; order 103 is motorcycle-only, 104 needs a car (50 kg)."""
    depot = Depot(1, "Lucky Gas", Location(22.7553, 121.1504), open_s=7 * H, close_s=20 * H)
    orders = (
        Order(101, 1, "漢中 A", Location(22.745, 121.130), {20: 2}),
        Order(102, 2, "四維 B", Location(22.765, 121.120), {16: 1}, windows=((9 * H, 11 * H),)),
        Order(
            103,
            3,
            "瑞光 moto-only",
            Location(22.752, 121.150),
            {20: 1},
            requirement=VehicleRequirement.MOTORCYCLE,
        ),
        Order(
            104,
            4,
            "東方大鎮 car-only",
            Location(22.790, 121.110),
            {50: 1},
            requirement=VehicleRequirement.CAR,
        ),
        Order(
            105,
            5,
            "富岡 two windows",
            Location(22.795, 121.185),
            {10: 3},
            windows=((8 * H, 10 * H), (14 * H, 16 * H)),
        ),
        Order(
            106,
            6,
            "東大 optional",
            Location(22.738, 121.095),
            {4: 5},
            optional=True,
            priority=Priority.NORMAL,
        ),
    )
    vehicles = (
        Vehicle(
            1,
            "Truck 1",
            VehicleType.LIGHT_TRUCK,
            {50: 10, 20: 30, 16: 30, 10: 40, 4: 60},
            max_kg=1000,
            fixed_cost=900.0,
            cost_per_km=8.0,
        ),
        Vehicle(
            2,
            "Car 1",
            VehicleType.CAR,
            {50: 2, 20: 10, 16: 10, 10: 10, 4: 20},
            max_kg=400,
            fixed_cost=600.0,
            cost_per_km=5.0,
            break_start_earliest_s=12 * H,
            break_end_latest_s=14 * H,
            break_duration_s=1800,
        ),
        Vehicle(
            3,
            "Moto 1",
            VehicleType.MOTORCYCLE,
            {20: 4, 16: 4, 10: 6, 4: 10},
            max_kg=120,
            fixed_cost=300.0,
            cost_per_km=2.0,
        ),
    )
    return RoutingProblem(dt.date(2026, 12, 1), depot, orders, vehicles)


@pytest.fixture
def day() -> RoutingProblem:
    """The small hand-checkable day."""
    return make_day()


DB_DAY = dt.date(2026, 12, 1)  # a Tuesday


@pytest.fixture
def db_day(db_engine):
    """A committed database day: depot, truck TRK-1, motorcycle MC-1, four customers with orders."""
    from sqlalchemy.orm import Session

    from luckygas import models as m
    from luckygas.orders import create_order
    from tests.factories import add_depot, add_motorcycle, add_truck

    with Session(db_engine) as s:
        s.info["user"] = "tester"
        depot = add_depot(s)
        add_truck(s, depot)
        add_motorcycle(s, depot)
        customers = [
            ("1400001", "麵店", 22.758, 121.145, VehicleRequirement.EITHER),
            ("1400002", "自助餐", 22.762, 121.120, VehicleRequirement.EITHER),
            ("1400003", "早餐店", 22.760, 121.140, VehicleRequirement.MOTORCYCLE),
            ("1400004", "<img src=x onerror=alert(1)>", 22.745, 121.130, VehicleRequirement.EITHER),
        ]
        for code, name, lat, lng, req in customers:
            c = m.Customer(
                code=code,
                short_name=name,
                address=f"臺東市{name}路1號",
                zone_code="A",
                lat=lat,
                lng=lng,
                vehicle_requirement=req,
            )
            c.windows = [m.CustomerWindow(start_min=8 * 60, end_min=18 * 60)]
            s.add(c)
        s.flush()
        for code, qty in (
            ("1400001", {20: 2}),
            ("1400002", {16: 1}),
            ("1400003", {20: 1}),
            ("1400004", {10: 2}),
        ):
            create_order(s, customer_code=code, delivery_date=DB_DAY, quantities=qty)
        s.commit()
    return db_engine
