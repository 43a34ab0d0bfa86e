"""The clients of the concurrency tests: writers creating orders, readers listing them.

Kept light (a few short transactions each): the test forks 50 of them at once, and
every one opens its own engine (nothing is shared with the test process).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from luckygas import queries
from luckygas.db import make_engine, read_session, session_scope
from luckygas.orders import create_order

DAY = dt.date(2025, 3, 3)
ORDERS_EACH = 5
READS_EACH = 5


def write_orders(url: str, worker: int, start: Any) -> list[str]:
    """Create ORDERS_EACH orders, one transaction each; return the errors seen, as text."""
    return run_client(url, worker, "writer", start)["errors"]


def run_client(url: str, worker: int, kind: str, start: Any, queue: Any = None) -> dict[str, Any]:
    """One client: a ``"writer"`` creates ORDERS_EACH orders (one transaction each) as
    ``writer{worker}``; a ``"reader"`` lists the day's orders READS_EACH times in read
    sessions and checks what it sees.

    Returns (and puts on ``queue``, when given) ``{"worker", "kind", "errors",
    "worst_s", "started", "ended"}``: every error as text (any error at all fails the
    test), the longest single transaction, and the wall-clock times (``time.time()``)
    the client was released at and finished. A reader's error is also a view that is not a
    gap-free, unique run of order numbers ``0001..n``, or one smaller than its previous
    view (numbers are handed out under a lock held until commit, so every committed
    state is such a prefix).
    """
    errors: list[str] = []
    worst = 0.0
    started = time.time()
    engine = make_engine(url)
    try:
        start.wait()  # every client starts at the same moment
        started = time.time()
        seen = 0
        for i in range(ORDERS_EACH if kind == "writer" else READS_EACH):
            t0 = time.perf_counter()
            try:
                if kind == "writer":
                    with session_scope(engine, user=f"writer{worker}") as s:
                        create_order(
                            s,
                            customer_code="1000001",
                            delivery_date=DAY,
                            quantities={20: 1},
                            notes=f"{worker}-{i}",
                        )
                else:
                    with read_session(engine, user="tester") as s:
                        numbers = queries.orders_for_date(s, DAY).number.tolist()
                    expected = [f"{DAY:%Y%m%d}-{n:04d}" for n in range(1, len(numbers) + 1)]
                    if sorted(numbers) != expected or len(numbers) < seen:
                        errors.append(f"reader {worker} saw {numbers} after {seen} orders")
                    seen = len(numbers)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            worst = max(worst, time.perf_counter() - t0)
    finally:
        engine.dispose()
    result = {
        "worker": worker,
        "kind": kind,
        "errors": errors,
        "worst_s": worst,
        "started": started,
        "ended": time.time(),
    }
    if queue is not None:
        queue.put(result)
    return result
