"""Creating orders: numbering, validation, lifecycle, and many writers at once."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import select

from luckygas.db import make_engine, session_scope
from luckygas.domain import OrderStatus, Priority, Role
from luckygas.models import Order
from luckygas.orders import (
    OrderInput,
    OrderTransitionError,
    OrderValidationError,
    create_order,
    create_orders,
    set_status,
)
from luckygas.schema import create_database
from tests.db.conftest import DAY, add_customer, open_session
from tests.db.order_writer import ORDERS_EACH, write_orders
from tests.factories import register


@pytest.fixture
def customers(engine):
    """Two active customers and one inactive."""
    with session_scope(engine, user="tester") as s:
        add_customer(s, "1000001")
        add_customer(s, "1000002", vehicle_requirement="motorcycle")
        add_customer(s, "1000003", is_active=False)
    return engine


def test_numbers_count_up_per_delivery_date(customers):
    """Order numbers are YYYYMMDD-NNNN, starting at 0001 for each date."""
    with session_scope(customers, user="tester") as s:
        a = create_order(s, customer_code="1000001", delivery_date=DAY, quantities={20: 2})
        b = create_order(s, customer_code="1000002", delivery_date=DAY, quantities={16: 1})
        c = create_order(s, customer_code="1000001", delivery_date="2025-03-04", quantities={4: 1})
    assert [a.number, b.number, c.number] == ["20250303-0001", "20250303-0002", "20250304-0001"]
    assert (a.status, a.priority, a.qty_20kg, a.created_by) == (
        OrderStatus.PENDING,
        Priority.NORMAL,
        2,
        "tester",
    )


def test_fifty_kg_for_a_motorcycle_customer_is_accepted(customers):
    """Whether a 50 kg cylinder fits the customer's vehicle is the optimizer's business."""
    with session_scope(customers, user="tester") as s:
        o = create_order(s, customer_code="1000002", delivery_date=DAY, quantities={50: 1})
    assert o.qty_50kg == 1


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"customer_code": "9999999"}, "customer_code", "unknown customer code '9999999'"),
        ({"customer_code": "1000003"}, "customer_code", "is not active"),
        ({"quantities": {20: -1}}, "quantities", "20 kg count is negative"),
        ({"quantities": {20: 0}}, "quantities", "all counts are zero"),
        ({"quantities": {25: 1}}, "quantities", "unknown cylinder size 25"),
        ({"window": (720, 480)}, "window", "end 08:00 is not after start 12:00"),
        ({"window": (600, 1500)}, "window", "within the day"),
        ({"delivery_date": "tomorrow"}, "delivery_date", "is not a date"),
        ({"priority": "asap"}, "priority", "'asap' is not one of"),
    ],
)
def test_invalid_orders_name_field_and_reason(customers, change, field, reason):
    """Bad input is refused with the field and the reason, and nothing is written."""
    row = {"customer_code": "1000001", "delivery_date": DAY, "quantities": {20: 1}} | change
    with open_session(customers) as s:
        with pytest.raises(OrderValidationError) as info:
            create_order(s, **row)
        assert info.value.field == field
        assert reason in str(info.value)
        assert s.scalars(select(Order)).all() == []


def test_batch_is_all_or_nothing(customers):
    """One bad row in a batch rejects the batch and names the row."""
    rows = [
        OrderInput("1000001", DAY, {20: 1}),
        OrderInput("1000002", DAY, {20: 1}, window=(600, 500)),
    ]
    with open_session(customers) as s:
        with pytest.raises(OrderValidationError, match=r"^row 1: window:"):
            create_orders(s, rows)
        assert s.scalars(select(Order)).all() == []
        made = create_orders(s, rows[:1] * 3)
        assert [o.number for o in made] == [f"20250303-000{i}" for i in (1, 2, 3)]


def test_lifecycle_is_enforced(customers):
    """Orders follow pending -> planned -> dispatched -> delivered; shortcuts are refused."""
    with session_scope(customers, user="tester") as s:
        o = create_order(s, customer_code="1000001", delivery_date=DAY, quantities={20: 1})
        with pytest.raises(OrderTransitionError, match="cannot go from pending to delivered"):
            set_status(s, o, OrderStatus.DELIVERED)
        for step in ("planned", "dispatched", "failed", "pending", "cancelled"):
            set_status(s, o, step)
        with pytest.raises(OrderTransitionError, match=r"allowed from cancelled: none"):
            set_status(s, o, "pending")
    assert o.status is OrderStatus.CANCELLED


# ---------------------------------------------------------------------------
# Concurrency
# ---------------------------------------------------------------------------

WRITERS = 20


def _check_all_there(url: str, writers: int) -> None:
    engine = make_engine(url)
    with open_session(engine) as s:
        orders = s.scalars(select(Order)).all()
    engine.dispose()
    assert len(orders) == writers * ORDERS_EACH
    assert sorted(o.number for o in orders) == [
        f"20250303-{n:04d}" for n in range(1, writers * ORDERS_EACH + 1)
    ]
    expected = {f"{w}-{i}" for w in range(writers) for i in range(ORDERS_EACH)}
    assert {o.notes for o in orders} == expected


def test_twenty_processes_create_orders_in_one_sqlite_file(tmp_path):
    """20 processes writing orders at once: none sees an error, all orders exist, numbers unique."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    create_database(url, holiday_years=range(2025, 2026))
    register(
        make_engine(url), "tester", *(f"writer{w}" for w in range(WRITERS)), role=Role.DISPATCHER
    )
    with session_scope(make_engine(url), user="tester") as s:
        add_customer(s, "1000001")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Barrier(WRITERS)
        with ctx.Pool(WRITERS) as pool:
            results = pool.starmap(write_orders, [(url, w, start) for w in range(WRITERS)])
    assert [e for errs in results for e in errs] == []
    _check_all_there(url, WRITERS)


@pytest.mark.postgres
def test_concurrent_writers_on_postgresql(pg_db_url):
    """On PostgreSQL, 10 simultaneous writers also get unique gap-free numbers and no errors."""
    db_url = pg_db_url
    engine = make_engine(db_url)
    create_database(engine, holiday_years=range(2025, 2026))
    register(engine, "tester", *(f"writer{w}" for w in range(10)), role=Role.DISPATCHER)
    with session_scope(engine, user="tester") as s:
        add_customer(s, "1000001")
    engine.dispose()
    writers = 10
    start = threading.Barrier(writers)
    results: list[list[str]] = [[] for _ in range(writers)]

    def run(w: int) -> None:
        results[w] = write_orders(db_url, w, start)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e for errs in results for e in errs] == []
    _check_all_there(db_url, writers)
