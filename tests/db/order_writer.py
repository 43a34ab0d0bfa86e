"""A writer process for the concurrency test, kept light so 20 of them start quickly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from luckygas.db import make_engine, session_scope
from luckygas.orders import create_order

DAY = dt.date(2025, 3, 3)
ORDERS_EACH = 5


def write_orders(url: str, worker: int, start: Any) -> list[str]:
    """Create ORDERS_EACH orders, one transaction each; return the errors seen, as text."""
    errors: list[str] = []
    engine = make_engine(url)
    start.wait()  # every writer starts at the same moment
    for i in range(ORDERS_EACH):
        try:
            with session_scope(engine, user=f"writer{worker}") as s:
                create_order(
                    s,
                    customer_code="1000001",
                    delivery_date=DAY,
                    quantities={20: 1},
                    notes=f"{worker}-{i}",
                )
        except Exception as exc:  # any error at all fails the test, so keep them all
            errors.append(f"{type(exc).__name__}: {exc}")
    engine.dispose()
    return errors
