"""Build a :class:`RoutingProblem` for one delivery day from the database.

This is the only bridge from the database to the optimizer core: it reads rows and
turns them into the core's validated dataclasses (minutes become seconds, customer
rest days and national holidays become ``closed_reason``, a customer's several
windows become the order's windows unless the order overrides them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luckygas import models as m
from luckygas.domain import SIZE_CLASSES_KG, WEEKDAY_NAMES, OrderStatus
from luckygas.optimize.problem import Depot, Location, Order, RoutingProblem, ServiceTime, Vehicle
from luckygas.roads import road_matrix

#: Orders in these states still need a route (a draft plan leaves them ``pending``).
PLANNABLE_STATUSES: tuple[OrderStatus, ...] = (OrderStatus.PENDING, OrderStatus.PLANNED)

#: Penalty of an optional (forecast) order whose ``details`` carry no weight, in TWD.
OPTIONAL_PENALTY_TWD = 200.0


def build_problem(
    session: Session,
    day: dt.date,
    *,
    vehicle_ids: Collection[int] | None = None,
    depot_id: int | None = None,
    include_optional: bool = True,
    service_time: ServiceTime | None = None,
    optional_penalty_twd: float = OPTIONAL_PENALTY_TWD,
    roads: bool = True,
) -> RoutingProblem:
    """Read the open orders of ``day`` with their customers, the fleet and the depot.

    Parameters
    ----------
    session
        Open session (nothing is written).
    day
        The delivery date.
    vehicle_ids
        Vehicles available that day; ``None`` means every active vehicle of the depot.
    depot_id
        Depot to plan from; ``None`` means the first depot.
    include_optional
        Include optional orders (forecast refills).
    service_time
        Service-time model; default :class:`ServiceTime`.
    optional_penalty_twd
        Base penalty of an optional order; multiplied by ``details["penalty_weight"]``.
    roads
        Time and measure on the imported road graph when there is one (``luckygas roads
        import``); ``False``, or no graph imported, keeps the great-circle model.

    Returns
    -------
    RoutingProblem

    Raises
    ------
    LookupError
        If there is no depot, or a requested vehicle does not exist.
    """
    depot_row = _depot(session, depot_id)
    depot = Depot(
        id=depot_row.id,
        name=depot_row.name,
        location=Location(depot_row.lat, depot_row.lng),
        open_s=depot_row.open_min * 60,
        close_s=depot_row.close_min * 60,
    )
    vehicles = _vehicles(session, depot_row.id, vehicle_ids)
    holiday = session.get(m.Holiday, day)
    orders = _orders(session, day, include_optional, holiday, optional_penalty_twd)
    return RoutingProblem(
        date=day,
        depot=depot,
        orders=tuple(orders),
        vehicles=tuple(vehicles),
        service_time=service_time or ServiceTime(),
        matrix=road_matrix(session) if roads else None,
    )


def _depot(session: Session, depot_id: int | None) -> m.Depot:
    stmt = select(m.Depot).order_by(m.Depot.id)
    if depot_id is not None:
        stmt = stmt.where(m.Depot.id == depot_id)
    depot = session.scalars(stmt.limit(1)).first()
    if depot is None:
        which = f"depot {depot_id}" if depot_id is not None else "any depot"
        raise LookupError(f"No {which} in the database: add one before planning.")
    return depot


def _vehicles(
    session: Session, depot_id: int, vehicle_ids: Collection[int] | None
) -> list[Vehicle]:
    stmt = select(m.Vehicle).where(m.Vehicle.depot_id == depot_id).order_by(m.Vehicle.id)
    if vehicle_ids is None:
        stmt = stmt.where(m.Vehicle.is_active)
    else:
        stmt = stmt.where(m.Vehicle.id.in_(list(vehicle_ids)))
    rows = list(session.scalars(stmt))
    if vehicle_ids is not None:
        missing = set(vehicle_ids) - {v.id for v in rows}
        if missing:
            raise LookupError(f"Vehicles {sorted(missing)} do not exist at depot {depot_id}.")
    drivers = {
        d.default_vehicle_id: d
        for d in session.scalars(select(m.Driver).where(m.Driver.is_active).order_by(m.Driver.id))
        if d.default_vehicle_id is not None
    }
    return [_vehicle(v, drivers.get(v.id)) for v in rows]


def _vehicle(row: m.Vehicle, driver: m.Driver | None) -> Vehicle:
    capacity = {kg: int(getattr(row, f"cap_{kg}kg")) for kg in SIZE_CLASSES_KG}
    # A vehicle without a regular driver keeps the default 08:00-18:00 day, no break.
    shift = (driver.shift_start_min, driver.shift_end_min) if driver else (8 * 60, 18 * 60)
    has_break = (
        driver is not None
        and driver.break_minutes > 0
        and driver.break_earliest_min is not None
        and driver.break_latest_min is not None
    )
    return Vehicle(
        id=row.id,
        name=row.name,
        type=row.vehicle_type,
        capacity=capacity,
        max_kg=int(row.max_kg),
        fixed_cost=float(row.fixed_cost),
        cost_per_km=float(row.cost_per_km),
        speed_factor=float(row.speed_factor),
        shift_start_s=shift[0] * 60,
        shift_end_s=shift[1] * 60,
        break_start_earliest_s=driver.break_earliest_min * 60 if has_break else None,
        break_end_latest_s=driver.break_latest_min * 60 if has_break else None,
        break_duration_s=driver.break_minutes * 60 if has_break else 0,
        max_stops=row.max_stops,
        driver_name=driver.name if driver else "",
        max_trips=int(row.max_trips if row.max_trips is not None else 1),
        reload_s=int(row.reload_minutes if row.reload_minutes is not None else 15) * 60,
    )


def _orders(
    session: Session,
    day: dt.date,
    include_optional: bool,
    holiday: m.Holiday | None,
    optional_penalty_twd: float,
) -> list[Order]:
    stmt = (
        select(m.Order)
        .where(m.Order.delivery_date == day, m.Order.status.in_(PLANNABLE_STATUSES))
        .options(selectinload(m.Order.customer).selectinload(m.Customer.windows))
        .order_by(m.Order.id)
    )
    if not include_optional:
        stmt = stmt.where(m.Order.is_optional.is_(False))
    return [_order(row, day, holiday, optional_penalty_twd) for row in session.scalars(stmt)]


def _order(
    row: m.Order, day: dt.date, holiday: m.Holiday | None, optional_penalty_twd: float
) -> Order:
    customer = row.customer
    demand = {kg: int(getattr(row, f"qty_{kg}kg")) for kg in SIZE_CLASSES_KG}
    location = (
        Location(customer.lat, customer.lng)
        if customer.lat is not None and customer.lng is not None
        else None
    )
    penalty = None
    if row.is_optional and "penalty_weight" in row.details:
        penalty = round(optional_penalty_twd * float(row.details["penalty_weight"]))
    return Order(
        id=row.id,
        customer_id=customer.id,
        customer_name=customer.short_name,
        location=location,
        demand=demand,
        windows=_windows(row, customer),
        priority=row.priority,
        optional=row.is_optional,
        penalty=penalty,
        requirement=customer.vehicle_requirement,
        pinned_vehicle_id=row.pinned_vehicle_id,
        address=customer.address,
        notes=row.notes,
        # A delivery swaps full cylinders for the customer's empties, one for one.
        empties=dict(demand),
        closed_reason=closed_reason(customer, day, holiday),
    )


def _windows(row: m.Order, customer: m.Customer) -> tuple[tuple[int, int], ...]:
    if row.window_start_min is not None and row.window_end_min is not None:
        return ((row.window_start_min * 60, row.window_end_min * 60),)
    windows = merge_windows([(w.start_min, w.end_min) for w in customer.windows])
    # No availability flags at all means "no stated preference": the working day.
    return tuple((a * 60, b * 60) for a, b in windows) or ((8 * 3600, 20 * 3600),)


def merge_windows(windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort windows and merge overlapping or touching ones (e.g. 8-9 and 9-10 → 8-10).

    Parameters
    ----------
    windows
        ``(start, end)`` pairs in any unit, start < end.

    Returns
    -------
    list of tuple
        Disjoint, sorted windows.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def closed_reason(customer: m.Customer, day: dt.date, holiday: m.Holiday | None) -> str | None:
    """Why ``customer`` cannot take a delivery on ``day``, or ``None`` if open.

    Parameters
    ----------
    customer
        The customer row (rest weekdays, holiday flag).
    day
        The delivery date.
    holiday
        The national holiday on ``day``, if any.

    Returns
    -------
    str or None
        E.g. ``"rest day (Sun)"`` or ``"closed on national holidays (Christmas Day)"``.
    """
    weekday = day.isoweekday()
    if str(weekday) in customer.rest_weekdays:
        return f"rest day ({WEEKDAY_NAMES[weekday - 1]})"
    if holiday is not None and customer.closed_on_holidays:
        return f"closed on national holidays ({holiday.name})"
    return None
