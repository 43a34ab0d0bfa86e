"""Reload trips from the database: vehicle columns reach the solver, trips are saved."""

from __future__ import annotations

import datetime as dt

from luckygas import models as m
from luckygas.bridge.adapter import build_problem
from luckygas.bridge.persist import load_plan, save_plan
from luckygas.bridge.planning import plan_day
from luckygas.domain import VehicleRequirement
from luckygas.optimize import SolverParams, check_plan
from luckygas.orders import create_order
from tests.factories import add_depot, add_motorcycle

DAY = dt.date(2026, 12, 1)


def _day(s):
    moto = add_motorcycle(
        s, add_depot(s), plate="MC-9", name="Moto 9", cap_20kg=2, cap_16kg=2, cap_10kg=2,
        cap_4kg=4, max_kg=40, max_trips=4, reload_minutes=10,
    )  # fmt: skip
    for k in range(5):
        c = m.Customer(
            code=f"150000{k}",
            short_name=f"店{k}",
            address=f"臺東市{k}號",
            zone_code="A",
            lat=22.756 + 0.002 * k,
            lng=121.148,
            vehicle_requirement=VehicleRequirement.MOTORCYCLE,
        )
        s.add(c)
        s.flush()
        create_order(s, customer_code=c.code, delivery_date=DAY, quantities={20: 1})
    s.flush()
    return moto


def test_vehicle_trip_columns_reach_the_problem(db_session):
    """max_trips and reload_minutes of a vehicle row become max_trips and reload_s."""
    _day(db_session)
    v = build_problem(db_session, DAY).vehicles[0]
    assert (v.max_trips, v.reload_s) == (4, 600)


def test_trips_are_saved_with_the_plan(db_session):
    """A motorcycle carrying 2 × 20 kg serves five orders in three trips; the trips are stored."""
    _day(db_session)
    problem, result = plan_day(
        db_session, DAY, SolverParams(time_limit_s=2).replace(deterministic=True)
    )
    assert check_plan(problem, result) == []
    assert result.kpis["served"] == 5 and int(result.routes["trips"].iloc[0]) == 3
    plan = save_plan(db_session, problem, result)
    route = plan.routes[0]
    assert route.trips == 3
    assert sorted({s.trip for s in route.stops}) == [1, 2, 3]
    assert load_plan(db_session, plan.id).reloads.equals(result.reloads)
