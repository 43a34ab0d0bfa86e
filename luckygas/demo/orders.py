"""The open orders for the delivery day, read off the simulated state at the end of ``as_of``.

Customers whose refill is due by the delivery day become orders, with the source that
raised them (alarm, patrol, subscription, phone). A handful are urgent (they are
already dry or will be before noon), one or two are emergencies, a few carry their own
time window, two are for customers who are closed that day (so the data check has
something to flag), and some optional forecast refills are proposed for customers who
will need gas within a few days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from luckygas.demo.customers import SIZES, CustomerSet
from luckygas.demo.history import SRC_ALARM, SRC_PATROL, SRC_PHONE, SRC_SUBSCRIPTION, History
from luckygas.demo.params import DemoParams
from luckygas.domain import OrderSource, Priority

_SOURCE = {
    SRC_PHONE: OrderSource.PHONE,
    SRC_ALARM: OrderSource.ALARM,
    SRC_PATROL: OrderSource.PATROL,
    SRC_SUBSCRIPTION: OrderSource.SUBSCRIPTION,
}
_WINDOW_OVERRIDES: tuple[tuple[int, int, str], ...] = (
    (14 * 60, 16 * 60, "客戶要求下午兩點到四點送"),
    (9 * 60, 11 * 60, "早上備料前送達"),
    (15 * 60, 17 * 60, "老闆下午三點後才在"),
    (8 * 60, 10 * 60, "營業前送，後門進"),
)
MAX_URGENT = 8


def _five(counts: np.ndarray) -> tuple[int, int, int, int, int]:
    """Cylinder counts per type (the five TYPE_CODES) as the tuple OrderDraft holds."""
    a, b, c, d, e = (int(q) for q in counts)
    return a, b, c, d, e


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """One order before it is numbered and inserted."""

    customer: int  # index into the CustomerSet
    qty: tuple[int, int, int, int, int]
    priority: Priority = Priority.NORMAL
    source: OrderSource = OrderSource.PHONE
    is_optional: bool = False
    window: tuple[int, int] | None = None
    notes: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def draft_open_orders(
    rng: np.random.Generator, customers: CustomerSet, history: History, params: DemoParams
) -> list[OrderDraft]:
    """Orders for ``params.delivery_date`` from the state at the end of ``as_of``.

    Parameters
    ----------
    rng
        Random generator (the caller seeds it).
    customers
        The customers.
    history
        The simulation, whose final state says who needs gas.
    params
        Demo parameters (``n_forecast_orders``).

    Returns
    -------
    list of OrderDraft
        Required orders first (in a random, reproducible arrival order), then the
        optional forecast orders.
    """
    d = history.calendar.n_days - 1  # the delivery day
    alive = (history.lifecycle.start <= d) & (d < history.lifecycle.end)
    is_open = history.open_days[:, d]
    due = alive & history.pending & (history.due <= d)
    expected_use = customers.base_usage * 1.1  # early-December rate, for urgency only
    stock = history.stock

    required = np.flatnonzero(due & is_open)
    days_left = np.where(expected_use > 0, stock / np.maximum(expected_use, 1e-9), np.inf)
    cap = max(1, round(params.scale(params.max_open_orders)))
    if len(required) > cap:  # the rest wait for the day after
        required = np.sort(required[np.argsort(days_left[required], kind="stable")[:cap]])
    # Two due customers who are closed that day still phoned in: the check must flag them.
    closed_due = np.flatnonzero(due & ~is_open)
    if len(closed_due) < 2:
        extra = np.flatnonzero(alive & ~is_open & ~due)
        closed_due = np.concatenate([closed_due, extra[: 2 - len(closed_due)]])
    closed = closed_due[:2]

    # Urgent: already dry or will be by noon; emergencies are the driest commercial ones.
    by_need = required[np.argsort(days_left[required], kind="stable")]
    urgent = set(by_need[: min(MAX_URGENT, max(3, int((days_left[required] < 0.5).sum())))])
    emergency = [i for i in by_need if customers.customer_type[i] == "commercial"][:2]
    emergency = emergency[: 1 + int(len(required) > 150)]

    drafts: list[OrderDraft] = []
    overrides = list(_WINDOW_OVERRIDES)
    override_at = set(rng.choice(required, size=min(len(overrides), len(required)), replace=False))
    for i in rng.permutation(np.concatenate([required, closed]).astype(np.int64)):
        i = int(i)
        priority, notes, window = Priority.NORMAL, "", None
        source = _SOURCE[int(history.source[i])]
        if i in emergency:
            priority, source = Priority.EMERGENCY, OrderSource.PHONE
            notes = "瓦斯已用完，店家無法營業，請優先配送"
        elif i in urgent:
            priority = Priority.URGENT
            notes = "存量不足半天"
        if customers.same_day[i] and priority is Priority.NORMAL:
            priority = Priority.URGENT
            notes = "需要當天配送"
        if i in override_at:
            start, end, why = overrides.pop()
            window, notes = (start, end), (f"{notes}；{why}" if notes else why)
        if i in closed:
            source = OrderSource.PHONE
            notes = f"{notes}；客戶今日公休，請確認" if notes else "客戶今日公休，請確認"
        drafts.append(
            OrderDraft(
                customer=i,
                qty=_five(customers.swap[i]),
                priority=priority,
                source=source,
                window=window,
                notes=notes,
            )
        )

    drafts.extend(_forecast_orders(customers, history, alive & is_open & ~due, params))
    return drafts


def _forecast_orders(
    customers: CustomerSet, history: History, candidates: np.ndarray, params: DemoParams
) -> list[OrderDraft]:
    """Optional refills for customers who will ask within a few days: the closest first."""
    need_at = customers.reserve_kg + history.theta * customers.swap_kg
    rate = np.maximum(customers.base_usage * 1.1, 1e-6)
    days_to_need = (history.stock - need_at) / rate
    idx = np.flatnonzero(candidates & (days_to_need < 4.0) & (customers.swap_kg > 0))
    idx = idx[np.argsort(days_to_need[idx], kind="stable")][: params.n_forecast_orders]
    out = []
    for i in sorted(int(k) for k in idx):
        days = float(days_to_need[i])
        out.append(
            OrderDraft(
                customer=i,
                qty=_five(customers.swap[i]),
                source=OrderSource.FORECAST,
                is_optional=True,
                notes=forecast_note(days),
                details={"days_to_refill": round(max(days, 0.0), 1)},
            )
        )
    return out


def forecast_note(days_to_need: float) -> str:
    """A dispatcher's note for a forecast refill, in whole days (never "0.0 天").

    Parameters
    ----------
    days_to_need
        Days until the stock falls below the customer's safety level (negative: already).

    Returns
    -------
    str
        E.g. ``預估今日低於安全存量`` or ``預估 3 天內低於安全存量``.
    """
    if days_to_need < 0.5:
        return "預估今日低於安全存量"
    if days_to_need < 1.5:
        return "預估明日低於安全存量"
    return f"預估 {round(days_to_need)} 天內低於安全存量"


def order_kg(drafts: list[OrderDraft]) -> float:
    """Total gas in ``drafts``, kg."""
    return float(sum(np.dot(d.qty, SIZES) for d in drafts))
