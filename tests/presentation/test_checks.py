"""Data checks before planning find each kind of unplannable order."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from luckygas.checks import CHECK_COLUMNS, data_checks, day_checks
from luckygas.domain import VehicleType
from luckygas.optimize import Vehicle

from .conftest import DAY

TUESDAY = DAY
FLEET = [
    Vehicle(
        1,
        "TRUCK-1",
        VehicleType.LIGHT_TRUCK,
        {50: 4, 20: 20, 16: 10, 10: 5, 4: 5},
        600,
        shift_start_s=8 * 3600,
        shift_end_s=17 * 3600,
    ),
    Vehicle(
        2,
        "MOTO-1",
        VehicleType.MOTORCYCLE,
        {20: 3, 16: 3, 10: 3, 4: 5},
        80,
        shift_start_s=9 * 3600,
        shift_end_s=18 * 3600,
    ),
]


def _order(order_id: int, **overrides) -> dict:
    row = {
        "order_id": order_id,
        "customer_id": order_id,
        "name": f"Shop {order_id}",
        "lat": 22.75,
        "lng": 121.15,
        "qty_50kg": 0,
        "qty_20kg": 1,
        "qty_16kg": 0,
        "qty_10kg": 0,
        "qty_4kg": 0,
        "window_start_min": None,
        "window_end_min": None,
        "windows_min": [(480, 720)],
        "rest_weekdays": "",
        "closed_on_holidays": False,
    }
    row.update(overrides)
    return row


def _checks(rows, **kwargs) -> pd.DataFrame:
    return data_checks(pd.DataFrame(rows), TUESDAY, vehicles=FLEET, **kwargs)


def test_clean_orders_give_no_findings():
    """Orders that can be planned produce an empty table with the documented columns."""
    out = _checks([_order(1), _order(2)])
    assert out.empty and list(out.columns) == CHECK_COLUMNS


def test_missing_coordinates():
    """An order whose customer has no lat/lng is reported."""
    out = _checks([_order(1, lat=None, lng=None)])
    assert out["check"].tolist() == ["missing_coordinates"]
    assert out["order_id"].tolist() == [1]


def test_window_ending_before_it_starts():
    """A window whose end is not after its start is impossible."""
    out = _checks([_order(1, window_start_min=900, window_end_min=840)])
    assert out["check"].tolist() == ["impossible_window"]
    assert "15:00–14:00" in out["detail"].iloc[0]


def test_window_outside_every_shift():
    """A window no vehicle's shift overlaps is impossible, naming the shifts."""
    out = _checks([_order(1, windows_min=[(19 * 60, 21 * 60)])])
    assert out["check"].tolist() == ["impossible_window"]
    assert "08:00–17:00" in out["detail"].iloc[0]


def test_rest_day_and_holiday_closures():
    """Customers resting on Tuesday, or closed on the day's holiday, are reported."""
    rows = [_order(1, rest_weekdays="27"), _order(2, closed_on_holidays=True), _order(3)]
    assert _checks(rows)["order_id"].tolist() == [1]
    out = _checks(rows, holiday="Founding Day")
    assert out["order_id"].tolist() == [1, 2]
    assert "rest day (Tue)" in out["detail"].iloc[0]
    assert "Founding Day" in out["detail"].iloc[1]


def test_demand_larger_than_any_vehicle():
    """More cylinders of a size, or more kg, than the largest vehicle carries is reported."""
    out = _checks(
        [
            _order(1, qty_50kg=5),
            _order(2, qty_20kg=20, qty_16kg=10, qty_50kg=4),
        ]
    )
    assert out["order_id"].tolist() == [1, 2]
    assert "5 × 50 kg" in out["detail"].iloc[0]
    assert "600 kg" in out["detail"].iloc[1]


def test_capacity_counts_only_vehicles_the_customer_allows():
    """A motorcycle-only customer ordering 4 × 20 kg cannot be served: motorcycles carry 3."""
    out = _checks([_order(1, qty_20kg=4, vehicle_requirement="motorcycle"), _order(2, qty_20kg=4)])
    assert out["order_id"].tolist() == [1]
    assert "largest compatible vehicle carries 3" in out["detail"].iloc[0]
    trucks_only = data_checks(
        pd.DataFrame([_order(1, vehicle_requirement="motorcycle")]), TUESDAY, vehicles=FLEET[:1]
    )
    assert trucks_only["check"].tolist() == ["no_compatible_vehicle"]


def test_without_fleet_only_fleet_free_checks_run():
    """Without vehicles the capacity and shift checks are skipped, the others still run."""
    frame = pd.DataFrame([_order(1, qty_50kg=99, lat=None)])
    out = data_checks(frame, TUESDAY)
    assert out["check"].tolist() == ["missing_coordinates"]


def test_day_checks_reads_the_database(small_db):
    """day_checks finds the customer without coordinates in the small database."""
    from sqlalchemy.orm import Session

    with Session(small_db) as s:
        out = day_checks(s, DAY)
        assert out["check"].tolist() == ["missing_coordinates"]
        assert out["customer_name"].tolist() == ["No Coordinates"]
        assert day_checks(s, dt.date(2030, 1, 1)).empty
