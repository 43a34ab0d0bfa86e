"""The database side: read history and master data as DataFrames, write proposals as orders.

Reading is plain ``select`` statements through ``pandas.read_sql`` on the session's
connection. Writing goes through :func:`luckygas.orders.create_orders`, so forecast
orders get the same validation and numbering as phone orders, always with source
``forecast``, in the caller's single transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.domain import OrderSource, Priority
from luckygas.forecast.history import QTY_COLUMNS
from luckygas.forecast.proposals import (
    OPEN_STATUSES,
    ProposalParams,
    propose_refills,
    quantities_by_size,
)
from luckygas.forecast.workdays import DeliveryCalendar
from luckygas.orders import OrderInput, create_orders

#: What the forecaster needs of a delivery row (empties returned are not used: the
#: residual gas in them is, and reading fewer columns keeps a 130k-row load short).
_DELIVERY_COLUMNS = (
    "customer_id", "delivered_on", "outcome", *QTY_COLUMNS, "residual_kg", "flow_kg",
)  # fmt: skip

_CUSTOMER_COLUMNS = (
    "id", "code", "short_name", "zone_code", "customer_type", "rest_weekdays", "closed_on_holidays",
    "avg_daily_kg", "postpone_days", "max_cycle_days", "reserve_kg", "same_day",
    "is_active", "is_terminated", "has_alarm", "on_patrol",
)  # fmt: skip


def load_deliveries(
    session: Session, *, before: dt.date | None = None, since: dt.date | None = None
) -> pd.DataFrame:
    """Delivery history rows (all customers) as a DataFrame.

    Parameters
    ----------
    session
        Open session.
    before, since
        Optional bounds on ``delivered_on`` (``since`` inclusive, ``before`` exclusive).
    """
    cols = [getattr(m.Delivery, c) for c in _DELIVERY_COLUMNS]
    stmt = select(*cols)
    if before is not None:
        stmt = stmt.where(m.Delivery.delivered_on < before)
    if since is not None:
        stmt = stmt.where(m.Delivery.delivered_on >= since)
    frame = pd.read_sql(stmt, session.connection())
    frame["outcome"] = frame["outcome"].astype(str)
    return frame


def load_customers(session: Session) -> pd.DataFrame:
    """Customer master data with the owned set per size class and its capacity in kg."""
    cols = [getattr(m.Customer, c) for c in _CUSTOMER_COLUMNS]
    frame = pd.read_sql(select(*cols).order_by(m.Customer.id), session.connection())
    frame = frame.rename(columns={"id": "customer_id"})
    frame["customer_type"] = frame["customer_type"].astype(str)
    owned = pd.read_sql(
        select(
            m.CustomerCylinder.customer_id,
            m.CustomerCylinder.quantity,
            m.CylinderTypeRow.size_kg,
            m.CylinderTypeRow.kg,
        ).join(m.CylinderTypeRow, m.CylinderTypeRow.code == m.CustomerCylinder.cylinder_type),
        session.connection(),
    )
    owned["kg_total"] = owned["quantity"] * owned["kg"]
    by_size = owned.pivot_table(
        index="customer_id", columns="size_kg", values="quantity", aggfunc="sum", fill_value=0
    )
    frame = frame.set_index("customer_id")
    for col in QTY_COLUMNS:
        size = int(col.removeprefix("qty_").removesuffix("kg"))
        values = by_size[size] if size in by_size.columns else pd.Series(dtype=int)
        frame[col] = values.reindex(frame.index).fillna(0).astype(int)
    frame["capacity_kg"] = owned.groupby("customer_id")["kg_total"].sum().reindex(frame.index)
    frame["capacity_kg"] = frame["capacity_kg"].fillna(0.0)
    return frame.reset_index()


def load_open_orders(session: Session, since: dt.date) -> pd.DataFrame:
    """Open orders (pending/planned/dispatched) with a delivery date on or after ``since``."""
    stmt = select(
        m.Order.id, m.Order.number, m.Order.customer_id, m.Order.delivery_date,
        m.Order.status, m.Order.source,
    ).where(m.Order.delivery_date >= since, m.Order.status.in_(sorted(OPEN_STATUSES)))  # fmt: skip
    frame = pd.read_sql(stmt, session.connection())
    for col in ("status", "source"):
        frame[col] = frame[col].astype(str)
    return frame


def load_calendar(session: Session, **kwargs: Any) -> DeliveryCalendar:
    """The holidays in the database as a :class:`DeliveryCalendar` (``kwargs`` passed on)."""
    return DeliveryCalendar.of(session.scalars(select(m.Holiday.day)).all(), **kwargs)


def forecast_day(
    session: Session,
    day: dt.date,
    *,
    params: ProposalParams | None = None,
    calendar: DeliveryCalendar | None = None,
) -> pd.DataFrame:
    """Proposals for ``day`` from the database (reads only).

    Parameters
    ----------
    session
        Open session.
    day
        Planning day.
    params
        Decision settings.
    calendar
        Default: the database's holidays, depot open every day.

    Returns
    -------
    DataFrame
        As :func:`luckygas.forecast.proposals.propose_refills`.
    """
    return propose_refills(
        load_deliveries(session, before=day),
        load_customers(session),
        day,
        open_orders=load_open_orders(session, day),
        calendar=calendar or load_calendar(session),
        params=params,
    )


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_proposals` did (or, in a dry run, would do).

    Attributes
    ----------
    day
        The delivery date.
    created
        Order numbers created (empty in a dry run).
    planned
        The proposals that were (or would be) saved.
    skipped
        Proposals left out, with a ``skip_reason`` column.
    dry_run
        True when nothing was written.
    """

    day: dt.date
    created: tuple[str, ...]
    planned: pd.DataFrame
    skipped: pd.DataFrame
    dry_run: bool

    def __str__(self) -> str:
        verb = "would create" if self.dry_run else "created"
        required = int((~self.planned["is_optional"]).sum()) if len(self.planned) else 0
        return (
            f"{self.day}: {verb} {len(self.planned)} forecast orders "
            f"({required} required, {len(self.planned) - required} optional); "
            f"skipped {len(self.skipped)}"
        )


def save_proposals(
    session: Session, proposals: pd.DataFrame, day: dt.date, *, dry_run: bool = False
) -> SaveResult:
    """Store proposals as pending orders with source ``forecast`` (all or nothing).

    Customers who meanwhile got an open order on or after ``day`` (say, a phone order)
    are skipped, never merged: a forecast order stands beside phone orders, it never
    changes one.

    Parameters
    ----------
    session
        Open session; orders are flushed, the caller commits (e.g. with
        :func:`luckygas.db.session_scope`).
    proposals
        From :func:`luckygas.forecast.proposals.propose_refills` for ``day``.
    day
        The delivery date the orders are for.
    dry_run
        Check and report without writing anything.

    Returns
    -------
    SaveResult

    Raises
    ------
    ValueError
        When ``proposals`` lacks a needed column or holds an empty quantity
        (``luckygas.orders.OrderValidationError``, naming the row, for invalid rows).
    """
    needed = {"customer_id", "code", "kind", "priority", "is_optional", "reason", *QTY_COLUMNS}
    missing = sorted(needed - set(proposals.columns))
    if missing:
        raise ValueError(f"save_proposals: proposals lack column(s) {', '.join(missing)}")
    taken = set(load_open_orders(session, day)["customer_id"].tolist())
    has_order = proposals["customer_id"].isin(taken).to_numpy()
    empty = (proposals[list(QTY_COLUMNS)].sum(axis=1) == 0).to_numpy()
    skipped = proposals[has_order | empty].copy()
    skipped["skip_reason"] = np.where(
        has_order[has_order | empty], "already has an open order", "no cylinders to swap"
    )
    planned = proposals[~(has_order | empty)].reset_index(drop=True)
    rows = [_order_input(r, day) for _, r in planned.iterrows()]
    created: tuple[str, ...] = ()
    if not dry_run and rows:
        created = tuple(o.number for o in create_orders(session, rows))
    return SaveResult(day, created, planned, skipped.reset_index(drop=True), dry_run)


def _order_input(row: pd.Series, day: dt.date) -> OrderInput:
    def _iso(value: object) -> str | None:
        return None if pd.isna(value) else str(np.datetime64(value, "D"))

    details = {
        "kind": str(row["kind"]),
        "penalty_weight": float(row.get("penalty_weight", 1.0)),
        "runout_date": _iso(row.get("runout_date")),
        "runout_early": _iso(row.get("runout_early")),
        "runout_late": _iso(row.get("runout_late")),
        "gas_left_kg": round(float(row.get("gas_left_kg", np.nan)), 1),
        "rate_kg_day": round(float(row.get("rate_kg_day", np.nan)), 2),
        "confidence": round(float(row.get("confidence", np.nan)), 2),
        "next_chance": _iso(row.get("next_chance")),
        "reserve_kg": round(float(row.get("reserve_kg", np.nan)), 1),
        "dry_date": _iso(row.get("dry_date")),
    }
    details = {k: v for k, v in details.items() if not (isinstance(v, float) and np.isnan(v))}
    return OrderInput(
        customer_code=str(row["code"]),
        delivery_date=day,
        quantities=quantities_by_size(row),
        priority=Priority(row["priority"]),
        source=OrderSource.FORECAST,
        is_optional=bool(row["is_optional"]),
        notes=f"forecast: {row['reason']}"[:500],
        details=details,
    )
