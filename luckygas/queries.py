"""Read the business back as pandas DataFrames.

Every function takes a :class:`~sqlalchemy.orm.Session` or a
:class:`~sqlalchemy.engine.Connection` first, runs SQL built with SQLAlchemy constructs,
aggregates in the database (history tables hold hundreds of thousands of rows), and
never commits. Enumerations come back as their string values, times of day as integer
minutes (``*_min``).

Dates and moments have one convention, the same on SQLite and PostgreSQL (tested on
both), so a notebook written against one backend runs unchanged on the other:

- a calendar day (``delivery_date``, ``plan_date``, ``delivered_on``, ...) is
  ``datetime64[ns]`` without a timezone (:data:`DAY_DTYPE`): a day in Taitung, compare it
  with ``pd.Timestamp("2026-12-01")``;
- a moment (``created_at``, ``published_at``, the audit log's ``at``) is
  ``datetime64[ns, UTC]`` (:data:`MOMENT_DTYPE`): timezone-aware UTC, as stored. Compare
  it with an aware timestamp, ``pd.Timestamp("2026-12-01 08:00", tz="Asia/Taipei")``,
  and show it in local time with ``.dt.tz_convert("Asia/Taipei")``. A naive timestamp
  raises ``TypeError`` on both backends rather than being silently read as UTC (eight
  hours off for a Taipei wall-clock time).

SQLite stores no timezone (luckygas writes UTC there); PostgreSQL's ``timestamptz``
comes back in the server's timezone: both are converted to UTC here, in
:func:`read_frame`, from the type of each selected column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    String,
    and_,
    case,
    func,
    inspect,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from luckygas import domain
from luckygas.domain import (
    SIZE_CLASSES_KG,
    WEEKDAY_NAMES,
    DeliveryOutcome,
    OrderStatus,
    PlanStatus,
)
from luckygas.models import (
    AuditLog,
    Customer,
    CustomerCylinder,
    CustomerWindow,
    CylinderTypeRow,
    Delivery,
    Depot,
    Driver,
    Order,
    Plan,
    PlanRoute,
    PlanStop,
    PlanUnassigned,
    Scenario,
    Vehicle,
    ZoneRow,
)

#: Order statuses a day's plan works with (``orders_for_date`` default).
OPEN_STATUSES: tuple[OrderStatus, ...] = (
    OrderStatus.PENDING,
    OrderStatus.PLANNED,
    OrderStatus.DISPATCHED,
)

SessionOrConnection = Session | Connection

#: dtype of every calendar-day column of the frames returned here (naive: a local day).
DAY_DTYPE = "datetime64[ns]"

#: dtype of every moment column (``created_at``, ``published_at``, ``at``): aware UTC.
MOMENT_DTYPE = "datetime64[ns, UTC]"


def customers(
    session: SessionOrConnection, *, active_only: bool = True, zone: str | None = None
) -> pd.DataFrame:
    """One row per customer, with everything planning and maps need.

    Parameters
    ----------
    session
        Session or connection.
    active_only
        Leave out inactive and terminated customers.
    zone
        Only this zone code (e.g. ``"A"``).

    Returns
    -------
    pandas.DataFrame
        ``id, code, name, invoice_title, address, township, zone_code, zone`` (label such as
        ``"A-瑞光"``), ``lat, lng, geocode_source, phone, customer_type, pricing_method,
        payment_method, vehicle_requirement, time_preference, windows`` (text such as
        ``"08:00-12:00,14:00-20:00"``), ``windows_min`` (list of ``(start, end)``
        minutes), ``rest_weekdays`` (ISO digits), ``rest_days`` (text such as
        ``"Sat,Sun"``), ``closed_on_holidays, avg_daily_kg, monthly_delivery_kg,
        max_cycle_days, is_active, is_subscription, has_alarm, on_patrol,
        owned_50kg .. owned_4kg``; sorted by code.
    """
    c = Customer
    owned = _owned_by_size()
    stmt = (
        select(
            c.id,
            c.code,
            c.short_name.label("name"),
            c.invoice_title,
            c.address,
            c.township,
            c.zone_code,
            _zone_label(),
            c.lat,
            c.lng,
            _text(c.geocode_source),
            c.phone,
            _text(c.customer_type),
            _text(c.pricing_method),
            _text(c.payment_method),
            _text(c.vehicle_requirement),
            _text(c.time_preference),
            c.rest_weekdays,
            c.closed_on_holidays,
            c.avg_daily_kg,
            c.monthly_delivery_kg,
            c.max_cycle_days,
            c.is_active,
            c.is_subscription,
            c.has_alarm,
            c.on_patrol,
            *(
                func.coalesce(owned.c[f"owned_{kg}kg"], 0).label(f"owned_{kg}kg")
                for kg in SIZE_CLASSES_KG
            ),
        )
        .outerjoin(ZoneRow, ZoneRow.code == c.zone_code)
        .outerjoin(owned, owned.c.customer_id == c.id)
        .order_by(c.code)
    )
    where = _customer_filter(active_only, zone)
    if where is not None:
        stmt = stmt.where(where)
    frame = read_frame(session, stmt)
    frame = _add_windows(session, frame, where)
    frame["rest_days"] = _rest_days_column(frame)
    return frame[_with_text_columns(frame)]


def orders_for_date(
    session: SessionOrConnection,
    day: dt.date | str,
    statuses: Iterable[OrderStatus | str] | None = None,
) -> pd.DataFrame:
    """The orders to deliver on ``day``, with the customer fields planning needs.

    Parameters
    ----------
    session
        Session or connection.
    day
        Delivery date.
    statuses
        Statuses to include; ``None`` means :data:`OPEN_STATUSES` (pending, planned,
        dispatched).

    Returns
    -------
    pandas.DataFrame
        ``order_id, number, delivery_date, status, priority, source, is_optional,
        qty_50kg .. qty_4kg, kg, window_start_min, window_end_min, pinned_vehicle_id,
        notes, customer_id, code, name, address, township, zone_code, zone, lat, lng,
        geocode_source, vehicle_requirement, windows, windows_min, rest_weekdays,
        rest_days, closed_on_holidays, avg_daily_kg``; sorted by order number.
    """
    wanted = [OrderStatus(s).value for s in (statuses or OPEN_STATUSES)]
    o, c = Order, Customer
    stmt = (
        select(
            o.id.label("order_id"),
            o.number,
            o.delivery_date,
            _text(o.status),
            _text(o.priority),
            _text(o.source),
            o.is_optional,
            *(getattr(o, f"qty_{kg}kg") for kg in SIZE_CLASSES_KG),
            _kg_expr(o).label("kg"),
            o.window_start_min,
            o.window_end_min,
            o.pinned_vehicle_id,
            o.notes,
            c.id.label("customer_id"),
            c.code,
            c.short_name.label("name"),
            c.address,
            c.township,
            c.zone_code,
            _zone_label(),
            c.lat,
            c.lng,
            _text(c.geocode_source),
            _text(c.vehicle_requirement),
            c.rest_weekdays,
            c.closed_on_holidays,
            c.avg_daily_kg,
        )
        .join(c, c.id == o.customer_id)
        .outerjoin(ZoneRow, ZoneRow.code == c.zone_code)
        .where(o.delivery_date == _as_date(day), type_coerce(o.status, String).in_(wanted))
        .order_by(o.number)
    )
    frame = read_frame(session, stmt)
    customer_ids = select(o.customer_id).where(
        o.delivery_date == _as_date(day), type_coerce(o.status, String).in_(wanted)
    )
    frame = _add_windows(session, frame, Customer.id.in_(customer_ids), key="customer_id")
    frame["rest_days"] = _rest_days_column(frame)
    return frame[_with_text_columns(frame)]


def vehicles(session: SessionOrConnection, *, active_only: bool = True) -> pd.DataFrame:
    """The fleet with capacities, costs and depot location.

    Parameters
    ----------
    session
        Session or connection.
    active_only
        Leave out vehicles marked inactive.

    Returns
    -------
    pandas.DataFrame
        ``id, plate, name, vehicle_type, depot_id, depot_code, depot_lat, depot_lng,
        cap_50kg .. cap_4kg, max_kg, fixed_cost, cost_per_km, speed_factor, max_stops,
        is_active``; sorted by plate.
    """
    v = Vehicle
    stmt = (
        select(
            v.id,
            v.plate,
            v.name,
            _text(v.vehicle_type),
            v.depot_id,
            Depot.code.label("depot_code"),
            Depot.lat.label("depot_lat"),
            Depot.lng.label("depot_lng"),
            *(getattr(v, f"cap_{kg}kg") for kg in SIZE_CLASSES_KG),
            v.max_kg,
            v.fixed_cost,
            v.cost_per_km,
            v.speed_factor,
            v.max_stops,
            v.is_active,
        )
        .join(Depot, Depot.id == v.depot_id)
        .order_by(v.plate)
    )
    if active_only:
        stmt = stmt.where(v.is_active.is_(True))
    return read_frame(session, stmt)


def drivers(session: SessionOrConnection, *, active_only: bool = False) -> pd.DataFrame:
    """Drivers with their default vehicle, shift and lunch break.

    Parameters
    ----------
    session
        Session or connection.
    active_only
        Leave out drivers marked inactive.

    Returns
    -------
    pandas.DataFrame
        ``id, name, phone, username, default_vehicle_id, default_vehicle_plate,
        shift_start_min, shift_end_min, break_earliest_min, break_latest_min,
        break_minutes, is_active``; sorted by name.
    """
    d = Driver
    stmt = (
        select(
            d.id,
            d.name,
            d.phone,
            d.username,
            d.default_vehicle_id,
            Vehicle.plate.label("default_vehicle_plate"),
            d.shift_start_min,
            d.shift_end_min,
            d.break_earliest_min,
            d.break_latest_min,
            d.break_minutes,
            d.is_active,
        )
        .outerjoin(Vehicle, Vehicle.id == d.default_vehicle_id)
        .order_by(d.name, d.id)
    )
    if active_only:
        stmt = stmt.where(d.is_active.is_(True))
    return read_frame(session, stmt)


def delivery_history(
    session: SessionOrConnection,
    start: dt.date | str,
    end: dt.date | str,
    customer_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Historical deliveries from ``start`` to ``end`` (both inclusive).

    Parameters
    ----------
    session
        Session or connection.
    start, end
        First and last day.
    customer_codes
        Only these customers.

    Returns
    -------
    pandas.DataFrame
        ``id, delivered_on`` (datetime64), ``delivered_min, customer_id, code, name,
        zone_code, outcome, qty_50kg .. qty_4kg, ret_50kg .. ret_4kg, kg`` (gas in the
        cylinders left), ``residual_kg, flow_kg, vehicle_id, driver_name, order_id``;
        sorted by day, time and id.
    """
    d, c = Delivery, Customer
    stmt = (
        select(
            d.id,
            type_coerce(d.delivered_on, String).label("delivered_on"),
            d.delivered_min,
            d.customer_id,
            c.code,
            c.short_name.label("name"),
            c.zone_code,
            _text(d.outcome),
            *(getattr(d, f"qty_{kg}kg") for kg in SIZE_CLASSES_KG),
            *(getattr(d, f"ret_{kg}kg") for kg in SIZE_CLASSES_KG),
            _kg_expr(d).label("kg"),
            d.residual_kg,
            d.flow_kg,
            d.vehicle_id,
            d.driver_name,
            d.order_id,
        )
        .join(c, c.id == d.customer_id)
        .where(d.delivered_on.between(_as_date(start), _as_date(end)))
        .order_by(d.delivered_on, d.delivered_min, d.id)
    )
    if customer_codes is not None:
        stmt = stmt.where(c.code.in_(list(customer_codes)))
    frame = read_frame(session, stmt)
    frame["delivered_on"] = _to_datetime(frame["delivered_on"])
    return frame


def history_daily_kpis(
    session: SessionOrConnection, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """Per day and zone: stops attempted, deliveries made, kg delivered, failed outcomes.

    Parameters
    ----------
    session
        Session or connection.
    start, end
        First and last day (inclusive).

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64), ``zone_code, stops, deliveries, failed, customers, kg,
        residual_kg``; ``kg`` counts successful deliveries only. Sorted by date and zone.
    """
    d, c = Delivery, Customer
    ok = type_coerce(d.outcome, String) == DeliveryOutcome.DELIVERED.value
    stmt = (
        select(
            type_coerce(d.delivered_on, String).label("date"),
            c.zone_code,
            func.count().label("stops"),
            func.sum(case((ok, 1), else_=0)).label("deliveries"),
            func.sum(case((ok, 0), else_=1)).label("failed"),
            func.count(d.customer_id.distinct()).label("customers"),
            func.sum(case((ok, _kg_expr(d)), else_=0)).label("kg"),
            func.sum(d.residual_kg).label("residual_kg"),
        )
        .join(c, c.id == d.customer_id)
        .where(d.delivered_on.between(_as_date(start), _as_date(end)))
        .group_by(d.delivered_on, c.zone_code)
        .order_by(d.delivered_on, c.zone_code)
    )
    frame = read_frame(session, stmt)
    frame["date"] = _to_datetime(frame["date"])
    for col in ("stops", "deliveries", "failed", "customers"):
        frame[col] = frame[col].astype("int64")
    for col in ("kg", "residual_kg"):
        frame[col] = frame[col].astype("float64")
    return frame


def consumption_by_customer(
    session: SessionOrConnection, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """Per customer over ``start..end`` (inclusive): deliveries, kg delivered, residual, kg/day.

    Parameters
    ----------
    session
        Session or connection.
    start, end
        First and last day.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, code, name, zone_code, avg_daily_kg`` (the recorded figure),
        ``deliveries, kg_delivered, residual_kg, first_delivery, last_delivery,
        kg_per_day`` (``(kg_delivered - residual_kg) / days in the period``). Every
        customer that is active or had a delivery in the period; sorted by code.
    """
    d, c = Delivery, Customer
    first, last = _as_date(start), _as_date(end)
    days = (last - first).days + 1
    if days <= 0:
        raise ValueError(f"end {last} is before start {first}")
    ok = type_coerce(d.outcome, String) == DeliveryOutcome.DELIVERED.value
    agg = (
        select(
            d.customer_id,
            func.sum(case((ok, 1), else_=0)).label("deliveries"),
            func.sum(case((ok, _kg_expr(d)), else_=0)).label("kg_delivered"),
            func.sum(d.residual_kg).label("residual_kg"),
            type_coerce(func.min(d.delivered_on), String).label("first_delivery"),
            type_coerce(func.max(d.delivered_on), String).label("last_delivery"),
        )
        .where(d.delivered_on.between(first, last))
        .group_by(d.customer_id)
        .subquery()
    )
    stmt = (
        select(
            c.id.label("customer_id"),
            c.code,
            c.short_name.label("name"),
            c.zone_code,
            c.avg_daily_kg,
            func.coalesce(agg.c.deliveries, 0).label("deliveries"),
            func.coalesce(agg.c.kg_delivered, 0).label("kg_delivered"),
            func.coalesce(agg.c.residual_kg, 0.0).label("residual_kg"),
            agg.c.first_delivery,
            agg.c.last_delivery,
        )
        .outerjoin(agg, agg.c.customer_id == c.id)
        .where((c.is_active.is_(True) & c.is_terminated.is_(False)) | agg.c.customer_id.isnot(None))
        .order_by(c.code)
    )
    frame = read_frame(session, stmt)
    frame["deliveries"] = frame["deliveries"].astype("int64")
    for col in ("kg_delivered", "residual_kg"):
        frame[col] = frame[col].astype("float64")
    for col in ("first_delivery", "last_delivery"):
        frame[col] = _to_datetime(frame[col])
    frame["kg_per_day"] = (frame["kg_delivered"] - frame["residual_kg"]) / days
    return frame


def plans(session: SessionOrConnection, day: dt.date | str | None = None) -> pd.DataFrame:
    """Saved plans with their size and KPIs.

    Parameters
    ----------
    session
        Session or connection.
    day
        Only plans for this date.

    Returns
    -------
    pandas.DataFrame
        ``id, plan_date, name, status, solver_version, routes, stops, unassigned,
        kpis`` (dict), ``created_by, created_at, published_by, published_at`` (the
        moments in UTC, :data:`MOMENT_DTYPE`); newest date first.
    """
    p = Plan
    routes = select(func.count()).where(PlanRoute.plan_id == p.id).scalar_subquery().label("routes")
    stops = (
        select(func.count())
        .select_from(PlanStop)
        .join(PlanRoute, PlanRoute.id == PlanStop.route_id)
        .where(PlanRoute.plan_id == p.id)
        .scalar_subquery()
        .label("stops")
    )
    unassigned = (
        select(func.count())
        .where(PlanUnassigned.plan_id == p.id)
        .scalar_subquery()
        .label("unassigned")
    )
    stmt = select(
        p.id,
        p.plan_date,
        p.name,
        _text(p.status),
        p.solver_version,
        routes,
        stops,
        unassigned,
        p.kpis,
        p.created_by,
        p.created_at,
        p.published_by,
        p.published_at,
    ).order_by(p.plan_date.desc(), p.id)
    if day is not None:
        stmt = stmt.where(p.plan_date == _as_date(day))
    return read_frame(session, stmt)


def audit_log(
    session: SessionOrConnection,
    *,
    since: dt.datetime | dt.date | None = None,
    username: str | None = None,
    entity: str | None = None,
    action: str | None = None,
    limit: int | None = 1000,
) -> pd.DataFrame:
    """The audit trail, newest first.

    Parameters
    ----------
    session
        Session or connection.
    since
        Only entries at or after this moment: an aware datetime in any timezone, a naive
        one is taken as UTC, a date means its midnight UTC.
    username, entity, action
        Only entries by this user, about this table (e.g. ``"orders"``), of this kind
        (``insert/update/delete/publish/bulk_insert/...``).
    limit
        At most this many rows (``None`` for all).

    Returns
    -------
    pandas.DataFrame
        ``id, at`` (UTC, :data:`MOMENT_DTYPE`), ``username, action, entity, entity_id,
        details`` (dict).
    """
    a = AuditLog
    stmt = select(a.id, a.at, a.username, a.action, a.entity, a.entity_id, a.details).order_by(
        a.at.desc(), a.id.desc()
    )
    if since is not None:
        stmt = stmt.where(a.at >= _utc_moment(since))
    if username is not None:
        stmt = stmt.where(a.username == username)
    if entity is not None:
        stmt = stmt.where(a.entity == entity)
    if action is not None:
        stmt = stmt.where(a.action == action)
    if limit is not None:
        stmt = stmt.limit(limit)
    return read_frame(session, stmt)


# ---------------------------------------------------------------------------
# Small lookups for the command line and the outputs (they run no SQL of their own)
# ---------------------------------------------------------------------------

#: Order statuses the planner routes (the same as ``optimize.adapter.PLANNABLE_STATUSES``).
PLANNABLE_STATUSES: tuple[OrderStatus, ...] = (OrderStatus.PENDING, OrderStatus.PLANNED)

#: Columns of :func:`customer_contacts`.
CONTACT_COLUMNS = ["customer_id", "customer_code", "phone", "zone_code"]

#: Columns of :func:`plan_vehicle_drivers`.
DRIVER_COLUMNS = ["vehicle_id", "vehicle_plate", "driver_phone", "capacity_kg"]


def vehicle_ids_by_plate(session: SessionOrConnection, plates: Iterable[str]) -> dict[str, int]:
    """Vehicle ids of the given plates.

    Parameters
    ----------
    session
        Session or connection.
    plates
        Licence plates as printed (``"LG-001"``).

    Returns
    -------
    dict[str, int]
        ``plate -> vehicle id`` for the plates that exist; unknown plates are left out,
        so the caller can name them.
    """
    wanted = sorted(set(plates))
    if not wanted:
        return {}
    rows = _execute(session, select(Vehicle.plate, Vehicle.id).where(Vehicle.plate.in_(wanted)))
    return {str(plate): int(vid) for plate, vid in rows}


def order_numbers(session: SessionOrConnection, order_ids: Iterable[Any]) -> dict[int, str]:
    """Order numbers (as printed on paper orders) of the given orders.

    Parameters
    ----------
    session
        Session or connection.
    order_ids
        Order ids (numpy integers are fine).

    Returns
    -------
    dict[int, str]
        ``order_id -> number`` (``"20250303-0007"``) for the orders that exist.
    """
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return {}
    rows = _execute(session, select(Order.id, Order.number).where(Order.id.in_(ids)))
    return {int(i): str(n) for i, n in rows}


def order_summaries(session: SessionOrConnection, order_ids: Iterable[Any]) -> pd.DataFrame:
    """Number, customer, status and day of the given orders, whatever their status.

    Parameters
    ----------
    session
        Session or connection.
    order_ids
        Order ids.

    Returns
    -------
    pandas.DataFrame
        ``order_id, number, customer_name, status, delivery_date`` (datetime64); one row
        per existing order, sorted by id.
    """
    ids = sorted({int(i) for i in order_ids})
    stmt = (
        select(
            Order.id.label("order_id"),
            Order.number,
            Customer.short_name.label("customer_name"),
            _text(Order.status),
            Order.delivery_date,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.id.in_(ids))
        .order_by(Order.id)
    )
    return read_frame(session, stmt)


def customer_contacts(session: SessionOrConnection, customer_ids: Iterable[Any]) -> pd.DataFrame:
    """Codes, phones and zones of the given customers.

    Parameters
    ----------
    session
        Session or connection.
    customer_ids
        Customer ids.

    Returns
    -------
    pandas.DataFrame
        :data:`CONTACT_COLUMNS`, one row per existing customer.
    """
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return pd.DataFrame(columns=CONTACT_COLUMNS)
    rows = _execute(
        session,
        select(Customer.id, Customer.code, Customer.phone, Customer.zone_code).where(
            Customer.id.in_(ids)
        ),
    )
    return pd.DataFrame([tuple(r) for r in rows], columns=CONTACT_COLUMNS)


def plan_vehicle_drivers(session: SessionOrConnection, plan_id: int | None) -> pd.DataFrame:
    """Plates, driver phones and kg capacity of every vehicle of a saved plan.

    Parameters
    ----------
    session
        Session or connection.
    plan_id
        The saved plan; ``None`` gives an empty frame.

    Returns
    -------
    pandas.DataFrame
        :data:`DRIVER_COLUMNS`; the capacity is the vehicle's current ``max_kg`` (a
        plan does not store it).
    """
    if plan_id is None:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    rows = _execute(
        session,
        select(PlanRoute.vehicle_id, Vehicle.plate, Driver.phone, Vehicle.max_kg)
        .join(Vehicle, Vehicle.id == PlanRoute.vehicle_id)
        .outerjoin(Driver, Driver.id == PlanRoute.driver_id)
        .where(PlanRoute.plan_id == plan_id),
    )
    return pd.DataFrame([tuple(r) for r in rows], columns=DRIVER_COLUMNS)


def first_depot(session: SessionOrConnection) -> dict[str, Any] | None:
    """The planning depot (the one with the lowest id; Lucky Gas has one).

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    dict or None
        ``{"name", "lat", "lng", "address"}``; ``None`` in an empty database.
    """
    stmt = select(Depot.name, Depot.lat, Depot.lng, Depot.address).order_by(Depot.id).limit(1)
    row = _execute(session, stmt).first()
    if row is None:
        return None
    return {"name": row.name, "lat": float(row.lat), "lng": float(row.lng), "address": row.address}


def plan_header(session: SessionOrConnection, plan_id: int) -> dict[str, Any] | None:
    """Identity of one saved plan.

    Parameters
    ----------
    session
        Session or connection.
    plan_id
        The plan's id.

    Returns
    -------
    dict or None
        ``{"id", "plan_date"`` (date), ``"name", "status"`` (string value),
        ``"scenario_id"}``; ``None`` if there is no such plan.
    """
    stmt = select(Plan.id, Plan.plan_date, Plan.name, _text(Plan.status), Plan.scenario_id).where(
        Plan.id == plan_id
    )
    row = _execute(session, stmt).first()
    if row is None:
        return None
    return {**row._asdict(), "plan_date": _as_date(row.plan_date)}


def plan_inputs(
    session: SessionOrConnection, plan_ids: Iterable[int]
) -> dict[int, tuple[dt.date, int | None, dict[str, Any]]]:
    """Day, scenario and run record of saved plans (what staleness checks compare).

    Parameters
    ----------
    session
        Session or connection.
    plan_ids
        Plan ids.

    Returns
    -------
    dict
        ``plan_id -> (plan_date, scenario_id, run)`` for the plans that exist; ``run``
        is the plan's run record (a dict, ``{}`` when none was stored).
    """
    ids = sorted({int(i) for i in plan_ids})
    if not ids:
        return {}
    stmt = select(Plan.id, Plan.plan_date, Plan.scenario_id, Plan.run).where(Plan.id.in_(ids))
    return {
        int(pid): (_as_date(day), scenario_id, dict(run or {}))
        for pid, day, scenario_id, run in _execute(session, stmt)
    }


def baseline_plan_id(session: SessionOrConnection, day: dt.date) -> int | None:
    """The plan of ``day`` the outputs report by default.

    Parameters
    ----------
    session
        Session or connection.
    day
        Delivery date.

    Returns
    -------
    int or None
        The latest *published* plan of the day, else its latest draft; what-if
        scenario plans are skipped even when newer. ``None`` if the day has no plan.
    """
    published = case((Plan.status == PlanStatus.PUBLISHED, 0), else_=1)
    stmt = (
        select(Plan.id)
        .where(Plan.plan_date == day, Plan.scenario_id.is_(None))
        .order_by(published, Plan.created_at.desc(), Plan.id.desc())
        .limit(1)
    )
    return _execute(session, stmt).scalar()


def has_plannable_orders(session: SessionOrConnection, day: dt.date) -> bool:
    """Whether ``day`` has orders the planner would route (pending or planned).

    Parameters
    ----------
    session
        Session or connection.
    day
        Delivery date.

    Returns
    -------
    bool
    """
    stmt = (
        select(Order.id)
        .where(Order.delivery_date == day, Order.status.in_(PLANNABLE_STATUSES))
        .limit(1)
    )
    return _execute(session, stmt).first() is not None


def plan_has_orders(session: SessionOrConnection, plan_id: int) -> bool:
    """Whether a saved plan routes or leaves out at least one order.

    Parameters
    ----------
    session
        Session or connection.
    plan_id
        The plan's id.

    Returns
    -------
    bool
        False for an empty plan (saved for a day without orders, before ``luckygas
        plan`` refused such days): there is nothing in it to report.
    """
    stop = (
        select(PlanStop.id)
        .join(PlanRoute, PlanRoute.id == PlanStop.route_id)
        .where(PlanRoute.plan_id == plan_id)
        .limit(1)
    )
    left = select(PlanUnassigned.id).where(PlanUnassigned.plan_id == plan_id).limit(1)
    return any(_execute(session, q).first() is not None for q in (stop, left))


def has_deliveries(session: SessionOrConnection) -> bool:
    """Whether the database holds any delivery history.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    bool
    """
    return _execute(session, select(Delivery.id).limit(1)).first() is not None


def scenario_names(session: SessionOrConnection) -> list[str]:
    """Names of the saved scenarios, sorted.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    list[str]
    """
    return [
        str(n) for n in _execute(session, select(Scenario.name).order_by(Scenario.name)).scalars()
    ]


def scenario_record(session: SessionOrConnection, name: str) -> dict[str, Any] | None:
    """The stored scenario ``name`` as plain values.

    Parameters
    ----------
    session
        Session or connection.
    name
        The scenario's name.

    Returns
    -------
    dict or None
        ``{"id", "name", "description", "changes"}`` (``changes`` as stored, a dict);
        ``None`` if no scenario has that name.
    """
    stmt = select(Scenario.id, Scenario.name, Scenario.description, Scenario.changes).where(
        Scenario.name == name
    )
    row = _execute(session, stmt).first()
    return None if row is None else dict(row._asdict())


def latest_scenario_plan_id(
    session: SessionOrConnection, day: dt.date, scenario_id: int
) -> int | None:
    """The most recent saved plan of a scenario on ``day``.

    Parameters
    ----------
    session
        Session or connection.
    day
        Delivery date.
    scenario_id
        The stored scenario.

    Returns
    -------
    int or None
        ``None`` when the scenario has no saved plan that day.
    """
    stmt = (
        select(Plan.id)
        .where(Plan.plan_date == day, Plan.scenario_id == scenario_id)
        .order_by(Plan.created_at.desc(), Plan.id.desc())
        .limit(1)
    )
    return _execute(session, stmt).scalar()


# ---------------------------------------------------------------------------
# What a database holds (``luckygas demo`` prints it)
# ---------------------------------------------------------------------------


def has_customers(session: SessionOrConnection) -> bool:
    """Whether the database has a customers table with at least one customer.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    bool
        ``False`` also when the schema was never created.
    """
    conn = session.connection() if isinstance(session, Session) else session
    if not inspect(conn).has_table(Customer.__tablename__):
        return False
    return _execute(conn, select(Customer.id).limit(1)).first() is not None


def customer_counts(session: SessionOrConnection) -> tuple[int, int]:
    """How many customers there are, and how many of them are active.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    tuple of (int, int)
        ``(all, active)``.
    """
    active = func.sum(case((Customer.is_active.is_(True), 1), else_=0))
    total, n_active = _execute(session, select(func.count(), active).select_from(Customer)).one()
    return int(total), int(n_active or 0)


def customers_by_zone(session: SessionOrConnection) -> list[tuple[str | None, int]]:
    """Customers per zone code, the largest zone first.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    list of (zone_code, count)
        ``zone_code`` is ``None`` for customers without a zone.
    """
    stmt = (
        select(Customer.zone_code, func.count())
        .group_by(Customer.zone_code)
        .order_by(func.count().desc())
    )
    return [(code, int(n)) for code, n in _execute(session, stmt)]


def fleet_overview(session: SessionOrConnection) -> list[dict[str, Any]]:
    """Every vehicle with its regular driver's name and shift, in id order.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    list of dict
        ``plate, name, vehicle_type`` (string value), ``max_kg, max_trips, driver_name,
        shift_start_min, shift_end_min`` (``None`` without a regular driver). Plain
        values, not a DataFrame: pandas would turn the missing shift minutes into NaN.
    """
    stmt = (
        select(
            Vehicle.plate,
            Vehicle.name,
            _text(Vehicle.vehicle_type),
            Vehicle.max_kg,
            Vehicle.max_trips,
            Driver.name.label("driver_name"),
            Driver.shift_start_min,
            Driver.shift_end_min,
        )
        .outerjoin(Driver, Driver.default_vehicle_id == Vehicle.id)
        .order_by(Vehicle.id)
    )
    return [dict(row) for row in _execute(session, stmt).mappings()]


def history_span(session: SessionOrConnection) -> tuple[dt.date | None, dt.date | None, int]:
    """First and last day of the delivery history, and how many deliveries it holds.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    tuple of (date or None, date or None, int)
        ``(None, None, 0)`` without history.
    """
    stmt = select(func.min(Delivery.delivered_on), func.max(Delivery.delivered_on), func.count())
    first, last, rows = _execute(session, stmt).one()
    return first, last, int(rows)


def next_pending_day(session: SessionOrConnection) -> dt.date | None:
    """The earliest delivery date with a pending order.

    Parameters
    ----------
    session
        Session or connection.

    Returns
    -------
    datetime.date or None
        ``None`` when no order is pending.
    """
    stmt = select(func.min(Order.delivery_date)).where(Order.status == OrderStatus.PENDING)
    return _execute(session, stmt).scalar()


def pending_orders_by_priority(
    session: SessionOrConnection, day: dt.date
) -> list[tuple[str, bool, int]]:
    """Pending orders of ``day`` counted by priority and optional flag.

    Parameters
    ----------
    session
        Session or connection.
    day
        Delivery date.

    Returns
    -------
    list of (priority, is_optional, count)
        ``priority`` as its string value (``"normal"``...).
    """
    stmt = (
        select(_text(Order.priority), Order.is_optional, func.count())
        .where(Order.delivery_date == day, Order.status == OrderStatus.PENDING)
        .group_by(Order.priority, Order.is_optional)
    )
    return [(str(p), bool(opt), int(n)) for p, opt, n in _execute(session, stmt)]


# ---------------------------------------------------------------------------
# Formatting helpers (public: the optimizer adapter and reports use the same text)
# ---------------------------------------------------------------------------


def format_windows(windows: Iterable[tuple[int, int]]) -> str:
    """``[(480, 720), (840, 1200)]`` -> ``"08:00-12:00,14:00-20:00"``."""
    return domain.format_windows(windows, separator=",")


def format_rest_days(rest_weekdays: str, closed_on_holidays: bool = False) -> str:
    """``"67", True`` -> ``"Sat,Sun,holidays"`` (ISO weekday digits, 1 = Monday)."""
    return _rest_days_text(rest_weekdays, closed_on_holidays)


# ---------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------


def _execute(session: SessionOrConnection, stmt: Any) -> Any:
    """Run ``stmt`` in the session's transaction and return the result."""
    conn = session.connection() if isinstance(session, Session) else session
    return conn.execute(stmt)


def read_frame(session: SessionOrConnection, stmt: Select) -> pd.DataFrame:
    """Run ``stmt`` in the session's transaction and return the rows as a DataFrame.

    Columns selected with a ``Date`` type become :data:`DAY_DTYPE` and those with a
    ``DateTime`` type :data:`MOMENT_DTYPE`, on every backend and also when no row came
    back (pandas would infer ``object``, or a unit and timezone from the driver's values).

    Parameters
    ----------
    session
        Session or connection.
    stmt
        A SELECT built with SQLAlchemy constructs.

    Returns
    -------
    pandas.DataFrame
        One column per selected column, in order.
    """
    # pandas 3 cannot take a Session; its connection keeps us inside the session's transaction.
    conn = session.connection() if isinstance(session, Session) else session
    frame = pd.read_sql(stmt, conn, coerce_float=False)
    for name, column in zip(frame.columns, stmt.selected_columns, strict=True):
        if isinstance(column.type, DateTime):
            frame[name] = _to_moments(frame[name])
        elif isinstance(column.type, Date):
            frame[name] = pd.to_datetime(frame[name]).astype(DAY_DTYPE)
    return frame


def _text(column: Any) -> Any:
    """An enum column read back as its plain string value (no per-row enum conversion)."""
    return type_coerce(column, String).label(column.key)


def _zone_label() -> Any:
    return case(
        (ZoneRow.code.isnot(None), ZoneRow.code + literal("-") + ZoneRow.name), else_=None
    ).label("zone")


def _kg_expr(table: Any) -> Any:
    return sum(
        (getattr(table, f"qty_{kg}kg") * kg for kg in SIZE_CLASSES_KG[1:]),
        getattr(table, f"qty_{SIZE_CLASSES_KG[0]}kg") * SIZE_CLASSES_KG[0],
    )


def _customer_filter(active_only: bool, zone: str | None) -> Any:
    clauses = []
    if active_only:
        clauses.append(Customer.is_active.is_(True))
        clauses.append(Customer.is_terminated.is_(False))
    if zone is not None:
        clauses.append(Customer.zone_code == zone)
    return and_(*clauses) if clauses else None


def _add_windows(
    session: SessionOrConnection, frame: pd.DataFrame, where: Any, key: str = "id"
) -> pd.DataFrame:
    stmt = (
        select(CustomerWindow.customer_id, CustomerWindow.start_min, CustomerWindow.end_min)
        .join(Customer, Customer.id == CustomerWindow.customer_id)
        .order_by(CustomerWindow.customer_id, CustomerWindow.start_min)
    )
    if where is not None:
        stmt = stmt.where(where)
    conn = session.connection() if isinstance(session, Session) else session
    by_customer: dict[int, list[tuple[int, int]]] = {}
    for cid, start, end in conn.execute(stmt).all():
        by_customer.setdefault(cid, []).append((start, end))
    lists = [by_customer.get(cid, []) for cid in frame[key].tolist()]
    frame["windows_min"] = pd.Series(lists, index=frame.index, dtype=object)
    # Few distinct window sets exist (hourly flags), so format each once.
    texts: dict[tuple[tuple[int, int], ...], str] = {}
    frame["windows"] = [
        texts.get(k) or texts.setdefault(k, format_windows(k)) for k in map(tuple, lists)
    ]
    return frame


def _owned_by_size() -> Any:
    """Owned cylinders per customer, one column per size class (a subquery)."""
    cc, t = CustomerCylinder, CylinderTypeRow
    return (
        select(
            cc.customer_id,
            *(
                func.sum(case((t.size_kg == kg, cc.quantity), else_=0)).label(f"owned_{kg}kg")
                for kg in SIZE_CLASSES_KG
            ),
        )
        .join(t, t.code == cc.cylinder_type)
        .group_by(cc.customer_id)
        .subquery()
    )


def _with_text_columns(frame: pd.DataFrame) -> list[str]:
    """Column order with the windows and rest-day texts beside ``rest_weekdays``."""
    cols = [c for c in frame.columns if c not in ("windows", "windows_min", "rest_days")]
    at = cols.index("rest_weekdays")
    return [*cols[:at], "windows", "windows_min", "rest_weekdays", "rest_days", *cols[at + 1 :]]


def _rest_days_column(frame: pd.DataFrame) -> list[str]:
    memo: dict[tuple[str, bool], str] = {}
    out = []
    days = frame["rest_weekdays"].tolist()
    holidays = frame["closed_on_holidays"].astype(bool).tolist()
    for key in zip(days, holidays, strict=True):
        text_ = memo.get(key)
        if text_ is None:
            text_ = memo[key] = _rest_days_text(*key)
        out.append(text_)
    return out


def _rest_days_text(digits: str | None, closed_on_holidays: Any) -> str:
    names = [WEEKDAY_NAMES[int(ch) - 1] for ch in sorted(set(digits or "")) if ch in "1234567"]
    if bool(closed_on_holidays):
        names.append("holidays")
    return ",".join(names)


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _to_datetime(values: pd.Series) -> pd.Series:
    # SQLite hands dates back as ISO text, PostgreSQL as date objects: both parse here.
    return pd.to_datetime(values.astype("string"), format="%Y-%m-%d").astype(DAY_DTYPE)


def _to_moments(values: pd.Series) -> pd.Series:
    # SQLite returns naive datetimes holding UTC (what luckygas writes); PostgreSQL aware
    # ones in the server's timezone. utc=True takes the first as UTC, converts the second.
    return pd.to_datetime(values, utc=True).astype(MOMENT_DTYPE)


def _utc_moment(value: dt.datetime | dt.date) -> dt.datetime:
    """A moment to compare with stored ones: aware UTC (SQLite compares the text, so a
    Taipei-time bound must be converted, not just labelled)."""
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
