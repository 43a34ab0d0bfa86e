"""The open orders for the next delivery day look like a real Lucky Gas day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from luckygas.domain import CYLINDER_TYPES_BY_CODE
from luckygas.models import Vehicle

SIZE_COLS = {50: "qty_50kg", 20: "qty_20kg", 16: "qty_16kg", 10: "qty_10kg", 4: "qty_4kg"}


def _required(demo):
    o = demo.orders
    return o[~o["is_optional"]]


def test_open_orders_for_next_day(full_demo):
    """150-250 pending orders for 2026-12-01 (a Tuesday), numbered YYYYMMDD-NNNN."""
    o = full_demo.orders
    req = _required(full_demo)
    assert 150 <= len(req) <= 250
    assert full_demo.summary.delivery_date == dt.date(2026, 12, 1)
    assert (o["delivery_date"] == dt.date(2026, 12, 1)).all()
    assert (o["status"] == "pending").all()
    assert o["number"].str.fullmatch(r"20261201-\d{4}").all()
    assert sorted(o["number"]) == [f"20261201-{k:04d}" for k in range(1, len(o) + 1)]
    assert full_demo.summary.open_orders == len(req)


def test_priorities_sources_and_forecasts(full_demo):
    """A handful urgent, one or two emergencies, mixed sources and about ten forecast options."""
    o = full_demo.orders
    req = _required(full_demo)
    prio = req["priority"].value_counts()
    assert 3 <= prio.get("urgent", 0) <= 20
    assert 1 <= prio.get("emergency", 0) <= 2
    assert {"phone", "alarm", "patrol", "subscription"} <= set(req["source"])
    forecast = o[o["is_optional"]]
    assert 5 <= len(forecast) <= 10
    assert (forecast["source"] == "forecast").all()


def test_window_overrides_and_closed_customers(full_demo):
    """Some orders carry their own window, and two are for customers closed that day."""
    o = _required(full_demo)
    assert o["window_start_min"].notna().sum() >= 2
    c = full_demo.customers.set_index("id").loc[o["customer_id"]]
    closed = c["rest_weekdays"].str.contains("2") | (
        c["closed_on_holidays"] & (dt.date(2026, 12, 1) in full_demo.holidays)
    )
    assert closed.sum() == 2


def test_quantities_match_owned_cylinders(full_demo):
    """Every order asks for sizes the customer owns, never more than installed."""
    cyl = full_demo.cylinders[~full_demo.cylinders["is_spare"]].copy()
    cyl["size"] = cyl["cylinder_type"].map(lambda t: CYLINDER_TYPES_BY_CODE[t].size_kg)
    owned = cyl.pivot_table(
        index="customer_id", columns="size", values="quantity", aggfunc="sum", fill_value=0
    )
    for _, order in full_demo.orders.iterrows():
        have = owned.loc[order["customer_id"]]
        for size, col in SIZE_COLS.items():
            assert order[col] <= have.get(size, 0), (order["number"], size)


def test_fleet_can_carry_the_days_demand(full_demo):
    """The fleet's loads times its trips cover the required orders in kg and per cylinder size."""
    req = _required(full_demo)
    with full_demo.engine.connect() as conn:
        vehicles = conn.execute(select(Vehicle.__table__)).mappings().all()
    kg = sum(req[col].sum() * size for size, col in SIZE_COLS.items())
    assert kg <= sum(v["max_kg"] * v["max_trips"] for v in vehicles)
    for size, col in SIZE_COLS.items():
        assert req[col].sum() <= sum(v[f"cap_{size}kg"] * v["max_trips"] for v in vehicles), size
    kinds = {str(getattr(v["vehicle_type"], "value", v["vehicle_type"])) for v in vehicles}
    assert kinds == {"light_truck", "car", "motorcycle"}
    assert 8 <= len(vehicles) <= 12
    # Loads are per trip: no single load may carry the whole day.
    assert max(v["max_kg"] for v in vehicles) < kg / len(vehicles) * 2


def test_fleet_reloads_like_the_real_operation(full_demo):
    """Trucks carry about 45 cylinders a load and reload; motorcycles shuttle 60 kg loads."""
    with full_demo.engine.connect() as conn:
        vehicles = conn.execute(select(Vehicle.__table__)).mappings().all()
    for v in vehicles:
        kind = str(getattr(v["vehicle_type"], "value", v["vehicle_type"]))
        if kind == "light_truck":
            assert 900 <= v["max_kg"] <= 1300 and v["max_trips"] >= 2
        if kind == "motorcycle":
            assert v["max_kg"] <= 60 and v["cap_50kg"] == 0 and v["max_trips"] >= 6
            assert 5 <= v["reload_minutes"] <= 15


def test_motorcycle_only_orders_fit_one_motorcycle_load(full_demo):
    """No motorcycle-only customer orders more than one motorcycle can carry in one trip."""
    from luckygas.models import Customer

    with full_demo.engine.connect() as conn:
        vehicles = conn.execute(select(Vehicle.__table__)).mappings().all()
        moto_only = set(
            conn.scalars(select(Customer.id).where(Customer.vehicle_requirement == "motorcycle"))
        )
    motos = [
        v
        for v in vehicles
        if str(getattr(v["vehicle_type"], "value", v["vehicle_type"])) == "motorcycle"
    ]
    orders = full_demo.orders[full_demo.orders["customer_id"].isin(moto_only)]
    assert len(orders) > 10
    for _, o in orders.iterrows():
        kg = sum(o[col] * size for size, col in SIZE_COLS.items())
        assert any(
            kg <= v["max_kg"]
            and all(o[col] <= v[f"cap_{size}kg"] for size, col in SIZE_COLS.items())
            for v in motos
        ), (o["number"], kg)


def test_forecast_notes_read_like_a_dispatcher_wrote_them(full_demo):
    """Forecast order notes say today/tomorrow/N days in whole days, never '0.0 天'."""
    notes = full_demo.orders.loc[full_demo.orders["is_optional"], "notes"]
    assert len(notes) > 0
    assert notes.str.fullmatch(r"預估(今日|明日| \d+ 天內)低於安全存量").all()
    assert not notes.str.contains(r"\d\.\d").any()


def test_forecast_note_wording_by_days():
    """Below half a day is today, below a day and a half tomorrow, else rounded days."""
    from luckygas.demo.orders import forecast_note

    assert forecast_note(-1.0) == forecast_note(0.0) == "預估今日低於安全存量"
    assert forecast_note(1.2) == "預估明日低於安全存量"
    assert forecast_note(2.6) == "預估 3 天內低於安全存量"
