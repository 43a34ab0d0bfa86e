"""Model constraints hold in the database itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import DataError, IntegrityError, StatementError

from luckygas.domain import VehicleType
from luckygas.models import (
    Customer,
    CustomerWindow,
    Order,
    Plan,
    PlanRoute,
    PlanStop,
    PlanUnassigned,
)
from tests.db.conftest import DAY, add_customer, add_vehicle, open_session


def test_customer_codes_are_unique(engine):
    """Two customers can never share a code."""
    with open_session(engine) as s:
        add_customer(s, "1000001")
        with pytest.raises(IntegrityError):
            add_customer(s, "1000001")


@pytest.mark.parametrize("code", ["123456", "12345678"])
def test_customer_codes_have_seven_characters(engine, code):
    """A customer code that is not 7 characters long is refused by the database."""
    # PostgreSQL reports an over-long value as a data error before checking constraints.
    with open_session(engine) as s, pytest.raises((IntegrityError, DataError)):
        add_customer(s, code)


def test_foreign_keys_are_enforced(engine):
    """An order for a customer id that does not exist is refused (SQLite too)."""
    with open_session(engine) as s, pytest.raises(IntegrityError):
        s.execute(
            insert(Order).values(
                number="20250303-0001",
                customer_id=99999,
                delivery_date=DAY,
                qty_20kg=1,
                created_at=dt.datetime.now(dt.UTC),
            )
        )


def test_unknown_enum_values_are_rejected(engine):
    """A misspelled vehicle requirement never reaches the database."""
    with open_session(engine) as s:
        s.add(Customer(code="1000002", short_name="X", vehicle_requirement="bicycle"))
        with pytest.raises((StatementError, LookupError)):
            s.flush()


def test_unknown_zone_is_rejected(engine):
    """A customer in a zone that does not exist is refused."""
    with open_session(engine) as s, pytest.raises(IntegrityError):
        add_customer(s, "1000003", zone_code="Q")


@pytest.mark.parametrize(("start", "end"), [(600, 600), (720, 480), (-10, 100), (1000, 1500)])
def test_customer_windows_must_be_ordered_within_the_day(engine, start, end):
    """A window that ends before it starts or leaves the day is refused."""
    with open_session(engine) as s, pytest.raises(IntegrityError):
        add_customer(s, "1000004", windows=[(start, end)])


def test_motorcycles_cannot_carry_50kg(engine):
    """A motorcycle with room for 50 kg cylinders is refused; a truck may have it."""
    with open_session(engine) as s:
        add_vehicle(s, "TRUCK-1", cap_50kg=4)
        with pytest.raises(IntegrityError):
            add_vehicle(s, "MOTO-1", vehicle_type=VehicleType.MOTORCYCLE, cap_50kg=1, max_kg=80)


def test_orders_need_at_least_one_cylinder(engine):
    """An order of zero cylinders is refused by the database, not only by create_order."""
    with open_session(engine) as s:
        c = add_customer(s, "1000005")
        s.add(Order(number="20250303-0001", customer_id=c.id, delivery_date=DAY))
        with pytest.raises(IntegrityError):
            s.flush()


def test_order_window_override_needs_both_ends_in_order(engine):
    """An order window with only a start, or ending before it starts, is refused."""
    with open_session(engine) as s:
        c = add_customer(s, "1000006")
        s.add(
            Order(
                number="20250303-0001",
                customer_id=c.id,
                delivery_date=DAY,
                qty_20kg=1,
                window_start_min=600,
            )
        )
        with pytest.raises(IntegrityError):
            s.flush()


def _plan_with_stop(s):
    c = add_customer(s, "1000007")
    v = add_vehicle(s)
    o = Order(number="20250303-0001", customer_id=c.id, delivery_date=DAY, qty_20kg=1)
    plan = Plan(plan_date=DAY, name="draft")
    s.add_all([o, plan])
    s.flush()
    route = PlanRoute(
        plan_id=plan.id, route_no=1, vehicle_id=v.id, start_s=28800, end_s=36000, distance_m=5000
    )
    s.add(route)
    s.flush()
    s.add(
        PlanStop(
            route_id=route.id,
            order_id=o.id,
            sequence=1,
            arrival_s=30000,
            start_s=30000,
            departure_s=30300,
        )
    )
    s.add(PlanUnassigned(plan_id=plan.id, order_id=o.id, reason_code="X", reason="test"))
    s.flush()
    return plan, o


def test_deleting_a_plan_deletes_its_routes_and_stops_in_the_database(engine):
    """The database cascades a plan's routes, stops and unassigned rows, but keeps orders."""
    with open_session(engine) as s:
        plan, order = _plan_with_stop(s)
        s.commit()
        # A Core delete: the cascade must come from ON DELETE CASCADE, not from the ORM.
        s.connection().execute(delete(Plan.__table__).where(Plan.__table__.c.id == plan.id))
        s.commit()
        for model in (PlanRoute, PlanStop, PlanUnassigned):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert s.get(Order, order.id) is not None


def test_deleting_a_customer_with_orders_is_refused(engine):
    """A customer who has orders cannot be deleted (history must not dangle)."""
    with open_session(engine) as s:
        c = add_customer(s, "1000008")
        s.add(Order(number="20250303-0001", customer_id=c.id, delivery_date=DAY, qty_4kg=1))
        s.commit()
        with pytest.raises(IntegrityError):
            s.connection().execute(
                delete(Customer.__table__).where(Customer.__table__.c.id == c.id)
            )


def test_customer_windows_go_with_their_customer(engine):
    """Deleting a customer row removes its availability windows (ON DELETE CASCADE)."""
    with open_session(engine) as s:
        c = add_customer(s, "1000009", windows=[(480, 720)])
        s.commit()
        s.connection().execute(delete(Customer.__table__).where(Customer.__table__.c.id == c.id))
        assert s.scalar(select(func.count()).select_from(CustomerWindow)) == 0
