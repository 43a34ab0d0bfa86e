"""The DataFrame queries return the right numbers on a small hand-made dataset."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from luckygas import queries
from luckygas.db import make_engine, session_scope
from luckygas.domain import DeliveryOutcome, Role, VehicleType
from luckygas.models import Delivery, Driver, Plan
from luckygas.orders import create_order, set_status
from luckygas.plans import publish_plan
from luckygas.schema import create_database
from tests.db.conftest import (
    DAY,
    add_customer,
    add_users,
    add_vehicle,
    open_session,
    pg_schema_url,
)


@pytest.fixture
def data(engine):
    """Three customers (one inactive), two vehicles, a driver, history, orders and a plan."""
    return fill(engine)


def fill(engine):
    """The ``data`` fixture's rows, written into ``engine``; returns ``(engine, order)``."""
    add_users(engine, boss=Role.ADMIN)
    with session_scope(engine, user="boss") as s:
        a = add_customer(
            s,
            "1000001",
            short_name="Alpha",
            zone_code="A",
            lat=22.76,
            lng=121.14,
            windows=[(840, 1200), (480, 720)],
            rest_weekdays="76",
            closed_on_holidays=True,
            owned={"STANDARD_20KG": 2, "LUCKY_20KG": 1, "STANDARD_50KG": 1},
            vehicle_requirement="motorcycle",
        )
        b = add_customer(s, "1000002", short_name="Beta", zone_code="B", lat=22.77, lng=121.12)
        add_customer(s, "1000003", short_name="Gone", zone_code="A", is_active=False)
        truck = add_vehicle(s, "TRK-1", cap_50kg=4, cap_20kg=30)
        add_vehicle(s, "MOTO-1", vehicle_type=VehicleType.MOTORCYCLE, cap_20kg=2, max_kg=60)
        add_vehicle(s, "OLD-1", is_active=False)
        s.add(Driver(name="Chen", default_vehicle_id=truck.id))
        d1, d2 = dt.date(2025, 1, 6), dt.date(2025, 1, 7)
        s.add_all(
            [
                Delivery(customer_id=a.id, delivered_on=d1, qty_20kg=2, residual_kg=1.5),
                Delivery(customer_id=b.id, delivered_on=d1, qty_50kg=1, qty_4kg=1),
                Delivery(
                    customer_id=a.id, delivered_on=d2, qty_16kg=1, outcome=DeliveryOutcome.NOT_HOME
                ),
                Delivery(customer_id=b.id, delivered_on=dt.date(2025, 2, 1), qty_20kg=1),
            ]
        )
        o1 = create_order(
            s, customer_code="1000001", delivery_date=DAY, quantities={20: 2}, window=(540, 600)
        )
        create_order(s, customer_code="1000002", delivery_date=DAY, quantities={50: 1})
        set_status(
            s,
            create_order(s, customer_code="1000002", delivery_date=DAY, quantities={4: 1}),
            "cancelled",
        )
        plan = Plan(plan_date=DAY, name="p1", kpis={"km": 12.5})
        s.add(plan)
        s.flush()
        publish_plan(s, plan)
    return engine, o1


def test_customers(data):
    """Active customers with zone label, windows text, rest days and owned cylinders by size."""
    engine, _ = data
    with open_session(engine) as s:
        df = queries.customers(s)
        assert list(df.code) == ["1000001", "1000002"]
        alpha = df.iloc[0]
        assert alpha["zone"] == "A-瑞光"
        assert alpha["windows"] == "08:00-12:00,14:00-20:00"
        assert alpha["windows_min"] == [(480, 720), (840, 1200)]
        assert alpha["rest_days"] == "Sat,Sun,holidays"
        assert alpha["vehicle_requirement"] == "motorcycle"
        assert (alpha["owned_20kg"], alpha["owned_50kg"], alpha["owned_4kg"]) == (3, 1, 0)
        assert df.iloc[1]["windows"] == ""
        assert len(queries.customers(s, active_only=False)) == 3
        assert list(queries.customers(s, zone="B").code) == ["1000002"]


def test_orders_for_date(data):
    """Open orders of the day with the planning fields; cancelled ones only when asked."""
    engine, _ = data
    with open_session(engine) as s:
        df = queries.orders_for_date(s, DAY)
        assert list(df.number) == ["20250303-0001", "20250303-0002"]
        first = df.iloc[0]
        assert (first.code, first.kg, first.window_start_min, first.window_end_min) == (
            "1000001",
            40,
            540,
            600,
        )
        assert first.windows == "08:00-12:00,14:00-20:00"
        assert first.vehicle_requirement == "motorcycle" and bool(first.closed_on_holidays)
        assert df.iloc[1].kg == 50
        assert len(queries.orders_for_date(s, DAY, statuses=["cancelled"])) == 1
        assert queries.orders_for_date(s, DAY + dt.timedelta(days=1)).empty


def test_vehicles_and_drivers(data):
    """Active vehicles with depot position; drivers with their default vehicle's plate."""
    engine, _ = data
    with open_session(engine) as s:
        v = queries.vehicles(s)
        assert list(v.plate) == ["MOTO-1", "TRK-1"]
        assert v.set_index("plate").loc["TRK-1", "cap_50kg"] == 4
        assert v.depot_code.unique().tolist() == ["TT"]
        assert len(queries.vehicles(s, active_only=False)) == 3
        d = queries.drivers(s)
        assert d[["name", "default_vehicle_plate"]].values.tolist() == [["Chen", "TRK-1"]]


def test_history_and_kpis(data):
    """History rows in range, per-day-and-zone KPIs and per-customer consumption add up."""
    engine, _ = data
    with open_session(engine) as s:
        h = queries.delivery_history(s, "2025-01-01", "2025-01-31")
        assert len(h) == 3 and h.kg.tolist() == [40, 54, 16]
        assert h.delivered_on.dtype.kind == "M"
        assert len(queries.delivery_history(s, "2025-01-01", "2025-12-31", ["1000002"])) == 2
        k = queries.history_daily_kpis(s, "2025-01-01", "2025-01-31")
        rows = k.assign(date=k.date.dt.strftime("%m-%d"))[
            ["date", "zone_code", "stops", "deliveries", "failed", "kg", "residual_kg"]
        ].values.tolist()
        assert rows == [
            ["01-06", "A", 1, 1, 0, 40.0, 1.5],
            ["01-06", "B", 1, 1, 0, 54.0, 0.0],
            ["01-07", "A", 1, 0, 1, 0.0, 0.0],
        ]
        c = queries.consumption_by_customer(s, "2025-01-01", "2025-01-10").set_index("code")
        assert c.loc["1000001", "deliveries"] == 1
        assert c.loc["1000001", "kg_delivered"] == 40.0
        assert c.loc["1000001", "kg_per_day"] == pytest.approx((40 - 1.5) / 10)
        assert c.loc["1000001", "last_delivery"] == pd.Timestamp("2025-01-07")
        assert "1000003" not in c.index  # inactive and no deliveries


def test_plans_and_audit_log(data):
    """Plans list their status and KPIs; the audit log shows the publish."""
    engine, _ = data
    with open_session(engine) as s:
        p = queries.plans(s, DAY)
        assert p[["name", "status", "routes", "published_by"]].values.tolist() == [
            ["p1", "published", 0, "boss"]
        ]
        assert p.kpis.iloc[0] == {"km": 12.5}
        log = queries.audit_log(s, username="boss", action="publish")
        assert log.entity.tolist() == ["plans"]


def test_queries_never_commit(data):
    """Reading leaves the session's pending changes uncommitted."""
    engine, _ = data
    with open_session(engine, "boss") as s:
        add_customer(s, "1000009")
        assert "1000009" in set(queries.customers(s).code)  # sees its own flushed row
        s.rollback()
        assert "1000009" not in set(queries.customers(s).code)


# ---------------------------------------------------------------------------
# One convention for dates and moments, on both backends
# ---------------------------------------------------------------------------

#: Columns holding moments (UTC, tz-aware) and days (naive) in the frames below.
MOMENTS = {"plans.created_at", "plans.published_at", "audit_log.at"}
DAYS = {
    "orders_for_date.delivery_date",
    "delivery_history.delivered_on",
    "history_daily_kpis.date",
    "consumption_by_customer.first_delivery",
    "consumption_by_customer.last_delivery",
    "plans.plan_date",
    "order_summaries.delivery_date",
}


def _every_frame(session, when: str) -> dict[str, pd.DataFrame]:
    """Every DataFrame the queries return; ``when="never"`` asks for days without rows
    (empty frames, or timestamps all missing), where pandas would infer other dtypes."""
    day = DAY if when == "data" else dt.date(2031, 1, 1)
    first, last = ("2025-01-01", "2025-12-31") if when == "data" else ("2031-01-01", "2031-01-02")
    return {
        "customers": queries.customers(s := session),
        "orders_for_date": queries.orders_for_date(s, day),
        "vehicles": queries.vehicles(s),
        "drivers": queries.drivers(s),
        "delivery_history": queries.delivery_history(s, first, last),
        "history_daily_kpis": queries.history_daily_kpis(s, first, last),
        "consumption_by_customer": queries.consumption_by_customer(s, first, last),
        "plans": queries.plans(s, day),
        "audit_log": queries.audit_log(s, action="publish" if when == "data" else "nothing"),
        "order_summaries": queries.order_summaries(s, [1, 2] if when == "data" else []),
        "customer_contacts": queries.customer_contacts(s, [1, 2]),
        "plan_vehicle_drivers": queries.plan_vehicle_drivers(s, 1),
    }


def _dtypes(url: str) -> dict[str, dict[str, str]]:
    engine = make_engine(url)
    create_database(engine, holiday_years=range(2025, 2026))
    add_users(engine, tester=Role.DISPATCHER)
    fill(engine)
    out: dict[str, dict[str, str]] = {}
    with open_session(engine) as s:
        for when in ("data", "never"):
            for name, frame in _every_frame(s, when).items():
                for column, dtype in frame.dtypes.items():
                    out.setdefault(f"{name}.{column}", {})[when] = str(dtype)
    engine.dispose()
    return out


@pytest.mark.postgres
def test_frames_have_the_same_dtypes_on_both_backends(tmp_path):
    """Every column of every frame, with rows and without: the same dtype on SQLite and
    PostgreSQL; days naive datetime64[ns], moments datetime64[ns, UTC]."""
    sqlite = _dtypes(f"sqlite:///{tmp_path / 'lg.sqlite'}")
    with pg_schema_url() as url:
        postgresql = _dtypes(url)
    assert sqlite.keys() == postgresql.keys()
    differ = {c: (sqlite[c], postgresql[c]) for c in sqlite if sqlite[c] != postgresql[c]}
    assert differ == {}
    timed = {col for col, kinds in sqlite.items() if kinds["data"].startswith("datetime")}
    assert timed == MOMENTS | DAYS
    for col in MOMENTS:
        assert sqlite[col] == {"data": queries.MOMENT_DTYPE, "never": queries.MOMENT_DTYPE}, col
    for col in DAYS:
        assert sqlite[col] == {"data": queries.DAY_DTYPE, "never": queries.DAY_DTYPE}, col


def test_moments_compare_with_aware_timestamps(data):
    """`plans().created_at > pd.Timestamp(...)` works the same on both backends, and the
    audit log's `since` in Taipei time is the same moment as in UTC."""
    engine, _ = data
    with open_session(engine) as s:
        created = queries.plans(s).created_at
        assert str(created.dt.tz) == "UTC"
        assert (created > pd.Timestamp("2025-01-01", tz="Asia/Taipei")).all()
        assert not (created > pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=1)).any()
        with pytest.raises(TypeError):  # a naive bound is refused on both, never guessed
            created > pd.Timestamp("2025-01-01")  # noqa: B015
        published = queries.plans(s).published_at.iloc[0]
        taipei = dt.timezone(dt.timedelta(hours=8))
        just_before = (published - pd.Timedelta(minutes=5)).tz_convert(taipei).to_pydatetime()
        just_after = (published + pd.Timedelta(minutes=5)).tz_convert(taipei).to_pydatetime()
        assert queries.audit_log(s, since=just_before, action="publish").entity.tolist() == [
            "plans"
        ]
        assert queries.audit_log(s, since=just_after, action="publish").empty
