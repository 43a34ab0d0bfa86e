"""The analyst sees what became of the forecast orders: served, or skipped and why."""

from __future__ import annotations

import datetime as dt

from luckygas import models as m
from luckygas.domain import OrderSource
from luckygas.forecast import forecast_outcome
from luckygas.orders import create_order
from tests.factories import add_depot, add_truck

DAY = dt.date(2026, 12, 1)


def _setup(s):
    truck = add_truck(s, add_depot(s), cap_20kg=10, max_kg=400)
    for code, name in (("1400001", "麵店"), ("1400002", "自助餐"), ("1400003", "早餐店")):
        s.add(m.Customer(code=code, short_name=name, lat=22.76, lng=121.14))
    s.flush()
    phone = create_order(s, customer_code="1400001", delivery_date=DAY, quantities={20: 1})
    served = create_order(
        s,
        customer_code="1400002",
        delivery_date=DAY,
        quantities={20: 1},
        source=OrderSource.FORECAST,
    )
    skipped = create_order(
        s,
        customer_code="1400003",
        delivery_date=DAY,
        quantities={20: 1},
        source=OrderSource.FORECAST,
        is_optional=True,
    )
    return truck, phone, served, skipped


def test_forecast_orders_before_planning(db_session):
    """Before a plan exists, forecast orders are listed apart from phone orders."""
    _setup(db_session)
    out = forecast_outcome(db_session, DAY)
    assert list(out["short_name"]) == ["自助餐", "早餐店"]
    assert set(out["planned"]) == {"no plan yet"}


def test_forecast_orders_served_or_skipped_in_the_plan(db_session):
    """After planning, each forecast order is served (with its vehicle) or skipped with a reason."""
    truck, phone, served, skipped = _setup(db_session)
    plan = m.Plan(plan_date=DAY, name="p")
    route = m.PlanRoute(
        route_no=1,
        vehicle_id=truck.id,
        start_s=28800,
        end_s=30000,
        distance_m=1000,
        break_start_s=None,
    )
    for seq, order in enumerate((phone, served), start=1):
        route.stops.append(
            m.PlanStop(
                order_id=order.id, sequence=seq, arrival_s=29000, start_s=29000, departure_s=29300
            )
        )
    plan.routes.append(route)
    plan.unassigned.append(
        m.PlanUnassigned(
            order_id=skipped.id,
            reason_code="OPTIONAL_SKIPPED",
            reason="costs more than its penalty",
        )
    )
    db_session.add(plan)
    db_session.flush()
    out = forecast_outcome(db_session, DAY).set_index("short_name")
    assert out.loc["自助餐", "planned"] == "served"
    assert out.loc["自助餐", "vehicle"] == "Truck 1"
    assert out.loc["早餐店", "planned"] == "not served"
    assert out.loc["早餐店", "reason"] == "costs more than its penalty"
    assert "麵店" not in out.index
