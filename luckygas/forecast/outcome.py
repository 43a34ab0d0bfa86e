"""What became of a day's forecast orders: proposed, then planned or not (and why).

Forecast orders are reviewable: the analyst sees them apart from phone orders, and after
planning sees which the optimizer served and which it skipped with the reason.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.domain import OrderSource

OUTCOME_COLUMNS = (
    "order_id", "number", "code", "short_name", "priority", "is_optional", "status",
    "planned", "vehicle", "sequence", "reason",
)  # fmt: skip


def forecast_outcome(session: Session, day: dt.date, plan_id: int | None = None) -> pd.DataFrame:
    """The forecast orders of ``day`` and what the plan did with each.

    Parameters
    ----------
    session
        Open session (nothing is written).
    day
        Delivery date.
    plan_id
        The plan to compare with; default the most recent plan of ``day``.

    Returns
    -------
    pandas.DataFrame
        One row per forecast order (:data:`OUTCOME_COLUMNS`); ``planned`` is
        ``"served"``, ``"not served"`` or ``"no plan yet"``; ``reason`` says why an order
        was not served.
    """
    orders = pd.read_sql(
        select(
            m.Order.id.label("order_id"),
            m.Order.number,
            m.Customer.code,
            m.Customer.short_name,
            m.Order.priority,
            m.Order.is_optional,
            m.Order.status,
        )
        .join(m.Customer, m.Customer.id == m.Order.customer_id)
        .where(m.Order.delivery_date == day, m.Order.source == OrderSource.FORECAST)
        .order_by(m.Order.number),
        session.connection(),
    )
    if plan_id is None:
        plan_id = session.scalar(
            select(m.Plan.id)
            .where(m.Plan.plan_date == day)
            .order_by(m.Plan.created_at.desc(), m.Plan.id.desc())
            .limit(1)
        )
    if plan_id is None:
        return orders.assign(planned="no plan yet", vehicle="", sequence=pd.NA, reason="")[
            list(OUTCOME_COLUMNS)
        ]
    served = pd.read_sql(
        select(m.PlanStop.order_id, m.Vehicle.name.label("vehicle"), m.PlanStop.sequence)
        .join(m.PlanRoute, m.PlanRoute.id == m.PlanStop.route_id)
        .join(m.Vehicle, m.Vehicle.id == m.PlanRoute.vehicle_id)
        .where(m.PlanRoute.plan_id == plan_id),
        session.connection(),
    )
    skipped = pd.read_sql(
        select(m.PlanUnassigned.order_id, m.PlanUnassigned.reason).where(
            m.PlanUnassigned.plan_id == plan_id
        ),
        session.connection(),
    )
    out = orders.merge(served, on="order_id", how="left").merge(skipped, on="order_id", how="left")
    out["planned"] = "not in plan"
    out.loc[out["vehicle"].notna(), "planned"] = "served"
    out.loc[out["reason"].notna(), "planned"] = "not served"
    out["vehicle"] = out["vehicle"].fillna("")
    out["reason"] = out["reason"].fillna("")
    return out[list(OUTCOME_COLUMNS)]
