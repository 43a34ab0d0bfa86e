"""Orders for a day from CSV or Excel, created through luckygas.orders."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.domain import OrderStatus, Priority
from luckygas.importers import import_orders
from luckygas.models import Order
from tests.importers.helpers import table_counts

ORDERS = (
    "客戶編號,日期,50公斤,20公斤,4公斤,時段,優先,備註\n"
    "1400001,1140602,0,2,0,09:00-11:00,急件,後門\n"
    "1400002,2025-06-02,1,0,0,,,\n"
    "1400003,2025-06-03,,1,2,,normal,\n"
)


def _orders(engine) -> list[Order]:
    with Session(engine) as session:
        return list(session.scalars(select(Order).order_by(Order.number)))


def test_orders_import_and_reimport_changes_nothing(customers_loaded, tmp_path):
    """Chinese-header orders become pending orders; importing the file again adds none."""
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    with Session(customers_loaded) as session:
        report = import_orders(session, path)
        session.commit()
    assert report.added == 3
    orders = _orders(customers_loaded)
    first = orders[0]
    assert (first.number, first.delivery_date) == ("20250602-0001", dt.date(2025, 6, 2))
    assert (first.qty_20kg, first.window_start_min, first.window_end_min) == (2, 540, 660)
    assert (first.priority, first.notes, first.status) == (
        Priority.URGENT,
        "後門",
        OrderStatus.PENDING,
    )
    assert (orders[2].qty_20kg, orders[2].qty_4kg, orders[2].qty_50kg) == (1, 2, 0)
    before = table_counts(customers_loaded)
    with Session(customers_loaded) as session:
        again = import_orders(session, path)
        session.commit()
    assert again.unchanged == 3 and table_counts(customers_loaded) == before


def test_changed_pending_order_is_updated_in_place(customers_loaded, tmp_path):
    """Re-importing with a new quantity updates the pending order instead of adding a second."""
    path = tmp_path / "orders.xlsx"
    frame = pd.DataFrame({"customer_code": ["1400001"], "date": ["2025-06-02"], "qty_20kg": [2]})
    frame.to_excel(path, index=False)
    with Session(customers_loaded) as session:
        import_orders(session, path)
        session.commit()
    frame.loc[0, "qty_20kg"] = 3
    frame.to_excel(path, index=False)
    with Session(customers_loaded) as session:
        dry = import_orders(session, path, dry_run=True)
        report = import_orders(session, path)
        session.commit()
    assert dry.updated == 1 and "qty_20kg: 2 -> 3" in dry.rows.loc[0, "changes"]
    assert report.updated == 1
    assert [o.qty_20kg for o in _orders(customers_loaded)] == [3]


def test_planned_order_is_not_overwritten(customers_loaded, tmp_path):
    """An order already planned for that day is reported as a problem, not silently changed."""
    path = tmp_path / "orders.csv"
    path.write_text("customer_code,date,qty_20kg\n1400001,2025-06-02,2\n", encoding="utf-8")
    with Session(customers_loaded) as session:
        import_orders(session, path)
        session.scalars(select(Order)).one().status = OrderStatus.PLANNED
        session.commit()
    path.write_text("customer_code,date,qty_20kg\n1400001,2025-06-02,5\n", encoding="utf-8")
    with Session(customers_loaded) as session:
        try:
            import_orders(session, path)
        except Exception as exc:
            message = str(exc)
    assert "already planned; change it in the plan" in message
    assert [o.qty_20kg for o in _orders(customers_loaded)] == [2]
