"""Creating orders and moving them through their one lifecycle.

Order numbers are ``YYYYMMDD-NNNN``, counted per delivery date. The next number is read
and used inside the caller's transaction, which must therefore be the only writer
numbering that date until it commits:

* on SQLite, :mod:`luckygas.db` begins every transaction with ``BEGIN IMMEDIATE``, so
  the write lock is held from the first read and concurrent writers queue on the busy
  timeout;
* on PostgreSQL, a transaction-scoped advisory lock keyed on the delivery date is taken
  before the read, so two writers for the same date serialize while other dates proceed.

Validation happens before anything is written; one bad row rejects the whole batch with
an error naming the row, the field and the reason.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luckygas.audit import Action, authorize
from luckygas.domain import (
    ORDER_TRANSITIONS,
    SIZE_CLASSES_KG,
    OrderSource,
    OrderStatus,
    Priority,
    date_problem,
    hhmm_from_minutes,
    quantity_problem,
)
from luckygas.models import Customer, Order

#: Largest sequence number a day can hold (four digits).
MAX_ORDERS_PER_DAY = 9999

# Namespace for the PostgreSQL advisory lock keys (arbitrary, fixed: "LGOR" in ASCII).
_PG_LOCK_NAMESPACE = 0x4C474F52


class OrderError(ValueError):
    """An order cannot be created or changed as asked."""


class OrderValidationError(OrderError):
    """One input row is invalid.

    Attributes
    ----------
    row
        Zero-based position of the row in the batch (``None`` for a single order).
    field
        The offending field, e.g. ``"quantities"``.
    reason
        What is wrong, in words a dispatcher understands.
    """

    def __init__(self, row: int | None, field_name: str, reason: str) -> None:
        where = f"row {row}: " if row is not None else ""
        super().__init__(f"{where}{field_name}: {reason}")
        self.row = row
        self.field = field_name
        self.reason = reason


class OrderTransitionError(OrderError):
    """A status change the canonical lifecycle does not allow."""


@dataclass(frozen=True, slots=True)
class OrderInput:
    """One order to create (the same fields as :func:`create_order`).

    Parameters
    ----------
    customer_code
        The customer's 7-digit code.
    delivery_date
        Day of delivery (a :class:`datetime.date` or an ISO string ``"2025-03-01"``).
    quantities
        Cylinders per size class in kg, e.g. ``{20: 2, 50: 1}``.
    window
        Optional ``(start, end)`` in minutes since midnight overriding the customer's
        windows for this order only.
    priority, source, is_optional, notes, details
        As on :class:`luckygas.models.Order`.
    """

    customer_code: str
    delivery_date: dt.date | str
    quantities: Mapping[int, int]
    window: tuple[int, int] | None = None
    priority: Priority | str = Priority.NORMAL
    source: OrderSource | str = OrderSource.PHONE
    is_optional: bool = False
    notes: str = ""
    details: Mapping[str, Any] | None = field(default=None)


@dataclass(frozen=True, slots=True)
class _Checked:
    """A validated row, ready to become an :class:`Order`."""

    customer_id: int
    delivery_date: dt.date
    qty: dict[str, int]
    window: tuple[int, int] | None
    priority: Priority
    source: OrderSource
    is_optional: bool
    notes: str
    details: dict[str, Any]


def create_order(
    session: Session,
    *,
    customer_code: str,
    delivery_date: dt.date | str,
    quantities: Mapping[int, int],
    window: tuple[int, int] | None = None,
    priority: Priority | str = Priority.NORMAL,
    source: OrderSource | str = OrderSource.PHONE,
    is_optional: bool = False,
    notes: str = "",
    details: Mapping[str, Any] | None = None,
) -> Order:
    """Create one pending order with the next number for its delivery date.

    Parameters
    ----------
    session
        Open session; the order is flushed (so it has its id and number) but the caller
        commits, e.g. by using :func:`luckygas.db.session_scope`.
    customer_code
        7-digit code of an active customer.
    delivery_date
        Day of delivery (date or ISO string).
    quantities
        Cylinders per size class in kg (``{20: 2}``); counts must not be negative and at
        least one must be positive.
    window
        Optional ``(start_min, end_min)`` override, ``0 <= start < end <= 1440``.
    priority, source
        Enum members or their string values.
    is_optional
        Serve only if it fits (forecast refills not yet due).
    notes, details
        Free text and a JSON-able mapping kept with the order.

    Returns
    -------
    Order
        The new order, status ``pending``.

    Raises
    ------
    OrderValidationError
        When a field is invalid (unknown or inactive customer, bad quantities or window).
    """
    row = OrderInput(
        customer_code=customer_code,
        delivery_date=delivery_date,
        quantities=quantities,
        window=window,
        priority=priority,
        source=source,
        is_optional=is_optional,
        notes=notes,
        details=details,
    )
    return _create(session, [row], single=True)[0]


def create_orders(session: Session, rows: Iterable[OrderInput]) -> list[Order]:
    """Create many orders at once, all or nothing.

    Parameters
    ----------
    session
        Open session; orders are flushed, the caller commits.
    rows
        The orders to create, numbered in the given order within each delivery date.

    Returns
    -------
    list of Order
        In the order of ``rows``.

    Raises
    ------
    OrderValidationError
        For the first invalid row (its position, field and reason); nothing is written.
    """
    return _create(session, list(rows), single=False)


def set_status(session: Session, order: Order, new_status: OrderStatus | str) -> Order:
    """Move ``order`` to ``new_status`` if the lifecycle allows it.

    Parameters
    ----------
    session
        The session the order belongs to; the change is flushed, the caller commits.
    order
        The order to change.
    new_status
        Target status (enum member or its value).

    Returns
    -------
    Order
        The same order, with its new status.

    Raises
    ------
    OrderTransitionError
        When the transition is not in :data:`luckygas.domain.ORDER_TRANSITIONS`.
    """
    try:
        target = OrderStatus(new_status)
    except ValueError:
        allowed = ", ".join(s.value for s in OrderStatus)
        raise OrderTransitionError(
            f"order {order.number}: unknown status {new_status!r} (one of {allowed})"
        ) from None
    current = OrderStatus(order.status)
    if target not in ORDER_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in ORDER_TRANSITIONS[current])) or "none"
        raise OrderTransitionError(
            f"order {order.number}: cannot go from {current.value} to {target.value} "
            f"(allowed from {current.value}: {allowed})"
        )
    authorize(session, Action.EDIT_ORDERS)
    order.status = target
    session.flush()
    return order


def order_number(day: dt.date, seq: int) -> str:
    """The order number for the ``seq``-th order of ``day``, e.g. ``20250301-0007``."""
    return f"{day:%Y%m%d}-{seq:04d}"


# ---------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------


def _create(session: Session, rows: list[OrderInput], *, single: bool) -> list[Order]:
    if not rows:
        return []
    authorize(session, Action.EDIT_ORDERS)
    codes = {str(r.customer_code).strip() for r in rows}
    customers = {
        c.code: c for c in session.scalars(select(Customer).where(Customer.code.in_(codes)))
    }
    checked = [_check(r, None if single else i, customers) for i, r in enumerate(rows)]
    next_seq = {
        day: _next_sequence(session, day) for day in sorted({c.delivery_date for c in checked})
    }
    orders: list[Order] = []
    for c in checked:
        seq = next_seq[c.delivery_date]
        if seq > MAX_ORDERS_PER_DAY:
            raise OrderError(
                f"delivery_date {c.delivery_date}: more than {MAX_ORDERS_PER_DAY} orders in one day"
            )
        next_seq[c.delivery_date] = seq + 1
        orders.append(
            Order(
                number=order_number(c.delivery_date, seq),
                customer_id=c.customer_id,
                delivery_date=c.delivery_date,
                window_start_min=c.window[0] if c.window else None,
                window_end_min=c.window[1] if c.window else None,
                priority=c.priority,
                source=c.source,
                status=OrderStatus.PENDING,
                is_optional=c.is_optional,
                notes=c.notes,
                details=c.details,
                **c.qty,
            )
        )
    session.add_all(orders)
    session.flush()
    return orders


def _next_sequence(session: Session, day: dt.date) -> int:
    """The next free sequence number for ``day``, holding the lock that keeps it free."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_NAMESPACE, day.toordinal())))
    # A range on the unique number index: cheap, and right even for re-dated orders.
    lo, hi = order_number(day, 0), order_number(day, MAX_ORDERS_PER_DAY)
    last = session.scalar(select(func.max(Order.number)).where(Order.number.between(lo, hi)))
    return 1 if last is None else int(last.rsplit("-", 1)[1]) + 1


def _check(row: OrderInput, index: int | None, customers: dict[str, Customer]) -> _Checked:
    def fail(field_name: str, reason: str) -> OrderValidationError:
        return OrderValidationError(index, field_name, reason)

    code = str(row.customer_code).strip()
    customer = customers.get(code)
    if customer is None:
        raise fail("customer_code", f"unknown customer code {code!r}")
    if not customer.is_active or customer.is_terminated:
        raise fail("customer_code", f"customer {code} ({customer.short_name}) is not active")

    day = _as_date(row.delivery_date, fail)
    qty = _as_quantities(row.quantities, fail)
    window = _as_window(row.window, fail)
    try:
        priority = Priority(row.priority)
    except ValueError:
        raise fail(
            "priority", f"{row.priority!r} is not one of {', '.join(p.value for p in Priority)}"
        ) from None
    try:
        source = OrderSource(row.source)
    except ValueError:
        raise fail(
            "source", f"{row.source!r} is not one of {', '.join(s.value for s in OrderSource)}"
        ) from None
    notes = row.notes or ""
    if len(notes) > 500:
        raise fail("notes", f"{len(notes)} characters, at most 500 allowed")
    return _Checked(
        customer_id=customer.id,
        delivery_date=day,
        qty=qty,
        window=window,
        priority=priority,
        source=source,
        is_optional=bool(row.is_optional),
        notes=notes,
        details=dict(row.details or {}),
    )


def _as_date(value: object, fail) -> dt.date:
    day = _plain_date(value, fail)
    if (problem := date_problem(day)) is not None:
        raise fail("delivery_date", problem)
    return day


def _plain_date(value: object, fail) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise fail("delivery_date", f"{value!r} is not a date (YYYY-MM-DD)") from None
    raise fail("delivery_date", f"{value!r} is not a date")


def _as_quantities(value: object, fail) -> dict[str, int]:
    if not isinstance(value, Mapping) or not value:
        raise fail("quantities", "give cylinders per size, e.g. {20: 2}")
    qty = {f"qty_{kg}kg": 0 for kg in SIZE_CLASSES_KG}
    for size, count in value.items():
        try:
            kg = int(size)
        except (TypeError, ValueError):
            kg = None
        if kg not in SIZE_CLASSES_KG or kg != size:
            sizes = "/".join(str(s) for s in SIZE_CLASSES_KG)
            raise fail("quantities", f"unknown cylinder size {size!r} kg (one of {sizes})")
        if isinstance(count, bool) or not isinstance(count, numbers.Integral):
            raise fail("quantities", f"{kg} kg count {count!r} is not a whole number")
        if (problem := quantity_problem(int(count))) is not None:
            raise fail("quantities", f"{kg} kg count {problem}")
        qty[f"qty_{kg}kg"] += int(count)
    if sum(qty.values()) == 0:
        raise fail("quantities", "all counts are zero; an order needs at least one cylinder")
    return qty


def _as_window(value: object, fail) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        start, end = value  # type: ignore[misc]
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise fail("window", f"{value!r} is not a (start, end) pair of minutes") from None
    if not 0 <= start <= 1440 or not 0 <= end <= 1440:
        raise fail("window", f"({start}, {end}) must lie within the day, 0-1440 minutes")
    if end <= start:
        raise fail(
            "window", f"end {hhmm_from_minutes(end)} is not after start {hhmm_from_minutes(start)}"
        )
    return start, end
