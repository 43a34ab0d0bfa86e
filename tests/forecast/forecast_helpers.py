"""Helpers for the forecast tests (a module name unique across test areas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert

from luckygas import models as m
from luckygas.forecast.simulate import SyntheticHistory

_TYPE_BY_SIZE = {50: "STANDARD_50KG", 20: "STANDARD_20KG", 16: "STANDARD_16KG",
                 10: "STANDARD_10KG", 4: "STANDARD_4KG"}  # fmt: skip


def refill_rows(customer_id: int, days: list[str], kg20: int = 2, residual: float = 0.0):
    """Delivery rows for one customer: ``kg20`` 20 kg cylinders on each day."""
    return [
        {
            "customer_id": customer_id,
            "delivered_on": dt.date.fromisoformat(d),
            "outcome": "delivered",
            "qty_50kg": 0,
            "qty_20kg": kg20,
            "qty_16kg": 0,
            "qty_10kg": 0,
            "qty_4kg": 0,
            "residual_kg": residual,
        }
        for d in days
    ]


def load_into_db(session, hist: SyntheticHistory, n: int | None = None) -> dict[int, int]:
    """Insert a synthetic history into the database; returns synthetic id -> database id."""
    customers = hist.customers if n is None else hist.customers.head(n)
    ids = {}
    for row in customers.itertuples():
        cust = m.Customer(
            code=row.code,
            short_name=f"Shop {row.customer_id}",
            avg_daily_kg=float(row.avg_daily_kg),
            postpone_days=int(row.postpone_days),
            reserve_kg=float(row.reserve_kg),
            rest_weekdays=row.rest_weekdays,
        )
        for size, type_code in _TYPE_BY_SIZE.items():
            qty = int(getattr(row, f"qty_{size}kg"))
            if qty:
                cust.cylinders.append(m.CustomerCylinder(cylinder_type=type_code, quantity=qty))
        session.add(cust)
        session.flush()
        ids[row.customer_id] = cust.id
    rows = hist.deliveries[hist.deliveries["customer_id"].isin(ids)].copy()
    rows["customer_id"] = rows["customer_id"].map(ids)
    records = rows.to_dict("records")
    if records:
        session.execute(insert(m.Delivery), records)
    session.flush()
    return ids


def as_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a deliveries DataFrame."""
    return pd.DataFrame(rows)
