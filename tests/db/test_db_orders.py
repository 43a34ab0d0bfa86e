"""Creating orders: numbering, validation, lifecycle, and many writers at once."""

from __future__ import annotations

import multiprocessing
import queue
import time

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
from tests.db.order_writer import ORDERS_EACH, run_client
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
# Concurrency at the seed's scale: under 50 people at once
# ---------------------------------------------------------------------------

#: Clients at once (processes, each with its own connection), and how many of them write.
CLIENTS = 50
WRITERS = 30


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


def run_clients(url: str, kinds: list[str], timeout_s: float = 600.0) -> list[dict]:
    """Start one process per entry of ``kinds`` (``"writer"``/``"reader"``), release them
    together, and return their results.

    The processes are forked (where the platform can): 50 forks of this process start in
    about a second, where spawning (or a forkserver, which re-imports the main module in
    every child) took most of the test's time. A fork inherits the test process's open
    connections, so callers dispose their engines first; the clients open their own.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    # A client that dies before the start breaks the barrier for the others instead of
    # leaving them waiting for ever.
    start = ctx.Barrier(len(kinds), timeout=timeout_s)
    results_queue = ctx.Queue()
    procs = [
        ctx.Process(target=run_client, args=(url, w, kind, start, results_queue))
        for w, kind in enumerate(kinds)
    ]
    for p in procs:
        p.start()
    results: list[dict] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(results) < len(procs):
            try:
                results.append(results_queue.get(timeout=1.0))
            except queue.Empty:
                died = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                assert not died, f"{len(died)} client(s) died (exit codes {died})"
                assert time.monotonic() < deadline, f"only {len(results)} clients finished"
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return results


def test_fifty_clients_write_and_read_orders_at_once(db_url):
    """50 processes at once, 30 creating orders and 20 listing them, on one SQLite file and
    on PostgreSQL (50 connections): no client sees an error, no order is lost, numbers
    are unique and gap-free, and every reader's view is a gap-free prefix that only grows."""
    engine = make_engine(db_url)
    create_database(engine, holiday_years=range(2025, 2026))
    register(engine, "tester", *(f"writer{w}" for w in range(WRITERS)), role=Role.DISPATCHER)
    with session_scope(engine, user="tester") as s:
        add_customer(s, "1000001")
    engine.dispose()  # the clients must not share (or inherit) its connections
    kinds = ["writer"] * WRITERS + ["reader"] * (CLIENTS - WRITERS)
    results = run_clients(db_url, kinds)
    assert sorted(r["worker"] for r in results) == list(range(CLIENTS))
    assert [e for r in results for e in r["errors"]] == []
    _check_all_there(db_url, WRITERS)
