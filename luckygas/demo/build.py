"""Build the demo database: customers, fleet, two years of history and tomorrow's orders.

Everything is drawn from one seed, and every timestamp is derived from ``as_of`` (never
the wall clock), so the same parameters (and the same builder, registered as the
database's admin) give a byte-for-byte identical database (:func:`database_fingerprint`
proves it). All rows go in one transaction with bulk Core
inserts; the whole build takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select

from luckygas.config import current_user
from luckygas.demo.customers import SIZES, TYPE_CODES, CustomerSet, generate_customers
from luckygas.demo.fleet import (
    BREAK_EARLIEST_MIN,
    BREAK_LATEST_MIN,
    BREAK_MINUTES,
    DEMO_USERS,
    DEPOT,
    VehicleSpec,
)
from luckygas.demo.history import DELIVERED, NOT_HOME, REFUSED, History, simulate
from luckygas.demo.orders import OrderDraft, draft_open_orders, order_kg
from luckygas.demo.params import DemoParams
from luckygas.domain import (
    SIZE_KEYS,
    CustomerType,
    DeliveryOutcome,
    GeocodeSource,
    OrderStatus,
    PaymentMethod,
    PricingMethod,
    Priority,
    Role,
    TimePreference,
    VehicleRequirement,
    VehicleType,
)
from luckygas.models import (
    AuditLog,
    Base,
    Customer,
    CustomerCylinder,
    CustomerWindow,
    Delivery,
    Depot,
    Driver,
    Holiday,
    Order,
    User,
    Vehicle,
)

#: Author recorded on every demo row that has no more specific author.
DEMO_AUTHOR = "demo"
#: Taiwan has no daylight saving: local time is always UTC+8.
TAIPEI = dt.timezone(dt.timedelta(hours=8), "Asia/Taipei")
_OUTCOME = {
    DELIVERED: DeliveryOutcome.DELIVERED,
    NOT_HOME: DeliveryOutcome.NOT_HOME,
    REFUSED: DeliveryOutcome.REFUSED,
}
_INSERT_CHUNK = 20_000

#: Rows to insert: a list of dicts, or a dict of equally long column lists.
Rows = list[dict[str, Any]] | dict[str, list[Any]]


def _count(rows: Rows) -> int:
    if isinstance(rows, dict):
        return len(next(iter(rows.values()), []))
    return len(rows)


#: The standard demo (seed 20261201, history to 2026-11-30).
DEFAULT_PARAMS = DemoParams()


class DemoDatabaseError(ValueError):
    """The demo cannot be built here (e.g. the database already holds customers)."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a demo build wrote.

    Attributes
    ----------
    counts
        Rows per table, e.g. ``{"customers": 1267, "deliveries": 140000, ...}``.
    delivery_date
        The day the open orders are for (``as_of + 1``).
    history_start, history_end
        First and last day of the delivery history.
    open_orders, optional_orders
        Required (pending) orders and optional forecast orders for ``delivery_date``.
    orders_by_priority
        Required orders per priority value.
    order_kg
        Gas in the required orders, kg.
    fleet_kg
        What the fleet can carry in a day: ``max_kg`` per load times ``max_trips``.
    runout_days
        Customer-days in the history on which a customer's set ran empty.
    build_seconds
        Wall time of the build (not stored in the database).
    seed
        The seed used.
    """

    counts: dict[str, int]
    delivery_date: dt.date
    history_start: dt.date
    history_end: dt.date
    open_orders: int
    optional_orders: int
    orders_by_priority: dict[str, int]
    order_kg: float
    fleet_kg: float
    runout_days: int
    build_seconds: float
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """A short human-readable description."""
        c = self.counts
        prio = ", ".join(f"{k} {v}" for k, v in self.orders_by_priority.items() if v)
        return [
            f"customers {c.get('customers', 0):,}, vehicles {c.get('vehicles', 0)}, "
            f"drivers {c.get('drivers', 0)}, users {c.get('users', 0)}",
            f"history {self.history_start} .. {self.history_end}: "
            f"{c.get('deliveries', 0):,} deliveries",
            f"open orders for {self.delivery_date}: {self.open_orders} ({prio}) "
            f"+ {self.optional_orders} optional forecast; {self.order_kg:,.0f} kg "
            f"against a fleet of {self.fleet_kg:,.0f} kg",
            f"built in {self.build_seconds:.1f} s (seed {self.seed})",
        ]


def build_demo_database(
    engine: Engine,
    params: DemoParams = DEFAULT_PARAMS,
    *,
    progress: bool = True,
    admin: str | None = None,
) -> DemoSummary:
    """Create the schema (if needed) and fill an empty database with the demo.

    Parameters
    ----------
    engine
        Target database (SQLite or PostgreSQL); it must hold no customers yet.
    params
        What to build; the same parameters always give the same database content.
    progress
        Show tqdm progress bars.
    admin
        Who builds the database (default :func:`luckygas.config.current_user`, e.g.
        ``$LUCKYGAS_USER``): registered as an admin beside the demo's own users, so the
        builder may save plans, import and manage users in it (writes need a registered
        role). A name that is already a demo user keeps its demo role.

    Returns
    -------
    DemoSummary
        Counts, the delivery date of the open orders and the build time.

    Raises
    ------
    DemoDatabaseError
        When the database already holds customers (nothing is written).
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    stages = tqdm(total=6, desc="demo database", unit="step", disable=not progress)
    years = range(params.history_start.year - 1, params.delivery_date.year + 2)
    _create_schema(engine, years)
    stages.update()

    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Customer)):
            raise DemoDatabaseError(
                "the database already holds customers; the demo needs an empty database "
                "(use `luckygas demo-data --force` to replace it)"
            )
        holidays = set(conn.scalars(select(Holiday.day)))

    seeds = np.random.SeedSequence(params.seed).spawn(4)
    rng_customers, rng_history, rng_orders, rng_crew = (np.random.default_rng(s) for s in seeds)
    customers = generate_customers(rng_customers, params)
    stages.update()
    history = simulate(rng_history, customers, params, holidays, progress=progress)
    stages.update()
    drafts = draft_open_orders(rng_orders, customers, history, params)
    stages.update()

    tables = _rows(rng_crew, customers, history, drafts, params, current_user(admin))
    stages.update()
    with engine.begin() as conn:
        for model, rows in tables:
            _insert(conn, model, rows, progress=progress)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, [m for m, _ in tables])
    stages.update()
    stages.close()

    required = [d for d in drafts if not d.is_optional]
    by_priority = {p.value: sum(d.priority is p for d in required) for p in Priority}
    return DemoSummary(
        counts={model.__tablename__: _count(rows) for model, rows in tables},
        delivery_date=params.delivery_date,
        history_start=params.history_start,
        history_end=params.as_of,
        open_orders=len(required),
        optional_orders=len(drafts) - len(required),
        orders_by_priority=by_priority,
        order_kg=order_kg(required),
        fleet_kg=float(sum(v.max_kg * v.max_trips for v in params.fleet)),
        runout_days=history.runouts,
        build_seconds=time.perf_counter() - started,
        seed=params.seed,
    )


def database_fingerprint(engine: Engine) -> str:
    """SHA-256 over every row of every table (by primary key), to compare two builds.

    The same content gives the same fingerprint on SQLite and PostgreSQL: moments are
    hashed as UTC (SQLite returns them naive, PostgreSQL in the server's timezone).

    Parameters
    ----------
    engine
        The database.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if not inspect(conn).has_table(table.name):
                continue
            digest.update(table.name.encode())
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(_in_utc(v) for v in row)).encode())
    return digest.hexdigest()


def _in_utc(value: Any) -> Any:
    """A datetime as aware UTC (naive ones are UTC already: luckygas writes UTC); else as is."""
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# ---------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------


def _create_schema(engine: Engine, holiday_years: range) -> None:
    """Run the migrations and seed reference data (falls back to ``create_all``)."""
    try:
        from luckygas.schema import create_database
    except ImportError:  # pragma: no cover - before the migrations existed
        from sqlalchemy.orm import Session

        from luckygas.reference import seed_reference_data

        Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.info["user"] = DEMO_AUTHOR
            seed_reference_data(session, holiday_years=holiday_years)
            session.commit()
        return
    create_database(engine, holiday_years=holiday_years)


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def _local(day: dt.date, minute: int) -> dt.datetime:
    """A Taipei wall-clock moment as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=TAIPEI)
    return local.astimezone(dt.UTC)


def _rows(
    rng: np.random.Generator,
    customers: CustomerSet,
    history: History,
    drafts: list[OrderDraft],
    params: DemoParams,
    builder: str,
) -> list[tuple[type[Base], Rows]]:
    """Every row to insert, per model, in foreign-key order."""
    since = _local(params.history_start - dt.timedelta(days=30), 9 * 60)
    fleet = params.fleet
    users = [
        _audited(since, username=u, full_name=name, role=role, is_active=True)
        for u, name, role in DEMO_USERS
    ] + [
        _audited(
            since, username=v.driver_username, full_name=v.driver, role=Role.DRIVER, is_active=True
        )
        for v in fleet
    ]
    if builder not in {u["username"] for u in users}:
        # The one row that depends on who builds: without a role the builder could not
        # write to the database they just made (e.g. `luckygas demo` saving its plan).
        users.append(
            _audited(since, username=builder, full_name="", role=Role.ADMIN, is_active=True)
        )
    depots = [_audited(since, id=1, **DEPOT)]
    vehicles = [_vehicle_row(k + 1, v, since) for k, v in enumerate(fleet)]
    drivers = [
        _audited(
            since,
            id=k + 1,
            name=v.driver,
            phone=v.phone,
            default_vehicle_id=k + 1,
            username=v.driver_username,
            shift_start_min=v.shift[0],
            shift_end_min=v.shift[1],
            break_earliest_min=BREAK_EARLIEST_MIN,
            break_latest_min=BREAK_LATEST_MIN,
            break_minutes=BREAK_MINUTES,
            is_active=True,
        )
        for k, v in enumerate(fleet)
    ]
    customer_rows, window_rows, cylinder_rows = _customer_rows(customers, history, params)
    order_rows = _order_rows(drafts, customers, params)
    delivery_rows = _delivery_rows(rng, customers, history, fleet)
    audit = [
        {
            "at": _local(params.as_of, 20 * 60),
            "username": DEMO_AUTHOR,
            "action": "import",
            "entity": "demo",
            "entity_id": None,
            "details": {
                "seed": params.seed,
                "as_of": params.as_of.isoformat(),
                "customers": len(customer_rows),
                "deliveries": _count(delivery_rows),
                "orders": len(order_rows),
            },
        }
    ]
    return [
        (User, users),
        (Depot, depots),
        (Vehicle, vehicles),
        (Driver, drivers),
        (Customer, customer_rows),
        (CustomerWindow, window_rows),
        (CustomerCylinder, cylinder_rows),
        (Order, order_rows),
        (Delivery, delivery_rows),
        (AuditLog, audit),
    ]


def _audited(when: dt.datetime, **values: Any) -> dict[str, Any]:
    return {
        **values,
        "created_at": when,
        "created_by": DEMO_AUTHOR,
        "updated_at": None,
        "updated_by": None,
    }


def _vehicle_row(vid: int, v: VehicleSpec, since: dt.datetime) -> dict[str, Any]:
    caps = {f"cap_{key}": int(c) for key, c in zip(SIZE_KEYS, v.caps, strict=True)}
    return _audited(
        since,
        id=vid,
        plate=v.plate,
        name=v.name,
        vehicle_type=v.vehicle_type,
        depot_id=1,
        max_kg=float(v.max_kg),
        fixed_cost=float(v.fixed_cost),
        cost_per_km=float(v.cost_per_km),
        speed_factor=float(v.speed_factor),
        max_stops=v.max_stops,
        max_trips=v.max_trips,
        reload_minutes=v.reload_minutes,
        is_active=True,
        **caps,
    )


def customer_metrics(customers: CustomerSet, history: History) -> dict[str, np.ndarray]:
    """The workbook's consumption columns, computed from the recorded recent history.

    Over the last 90 days (365 for customers with fewer than three deliveries in 90
    days; never before the customer started): ``monthly_delivery_kg`` = kg delivered per
    30 days, ``return_ratio`` = residual / delivered, ``avg_daily_kg`` = (delivered -
    residual) / days, the identities the real workbook obeys. ``max_cycle_days`` is the
    longest gap between deliveries in the last year; ``postpone_days`` how long the
    reserve bank lasts at the average rate.
    """
    n = customers.n
    cal = history.calendar
    ok = history.outcome == DELIVERED
    kg = history.qty @ SIZES
    last = cal.as_of
    out_deliv = np.zeros(n)
    out_res = np.zeros(n)
    out_days = np.zeros(n)
    for window in (365, 90):  # the 90-day figure wins wherever it has enough deliveries
        first = last - window + 1
        sel = ok & (history.day >= first)
        deliv = np.bincount(history.customer[sel], weights=kg[sel], minlength=n)
        res = np.bincount(history.customer[sel], weights=history.residual_kg[sel], minlength=n)
        count = np.bincount(history.customer[sel], minlength=n)
        days = last - np.maximum(first, history.lifecycle.start) + 1
        use = (count >= 3) | (window == 365)
        out_deliv = np.where(use, deliv, out_deliv)
        out_res = np.where(use, res, out_res)
        out_days = np.where(use, np.maximum(days, 1), out_days)
    avg = np.maximum(out_deliv - out_res, 0.0) / out_days
    monthly = out_deliv * 30.0 / out_days
    ratio = np.where(out_deliv > 0, out_res / np.maximum(out_deliv, 1e-9), 0.0)

    sel = ok & (history.day >= last - 364)
    order = np.lexsort((history.day[sel], history.customer[sel]))
    cust, day = history.customer[sel][order], history.day[sel][order]
    gaps = np.diff(day)
    same = cust[1:] == cust[:-1]
    max_gap = np.zeros(n, dtype=np.int64)
    np.maximum.at(max_gap, cust[1:][same], gaps[same])
    postpone = np.where(avg > 0, np.floor(customers.reserve_kg / np.maximum(avg, 1e-9)), 0)
    return {
        "avg_daily_kg": np.round(avg, 2),
        "monthly_delivery_kg": np.round(monthly, 1),
        "return_ratio": np.round(ratio, 3),
        "max_cycle_days": max_gap,
        "postpone_days": np.clip(postpone, 1, 45).astype(np.int64),
    }


def _customer_rows(
    customers: CustomerSet, history: History, params: DemoParams
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    metrics = customer_metrics(customers, history)
    cal = history.calendar
    rows: list[dict[str, Any]] = []
    windows: list[dict[str, Any]] = []
    cylinders: list[dict[str, Any]] = []
    flow = customers.pricing == "flow"
    reserve_kg, capacity_kg = customers.reserve_kg, customers.capacity_kg
    for i in range(customers.n):
        cid = i + 1
        start = int(history.lifecycle.start[i])
        joined = cal.dates[start] if start > 0 else params.history_start - dt.timedelta(days=30)
        terminated = bool(customers.terminated[i])
        end = int(history.lifecycle.end[i])
        notes = f"已解約 {cal.dates[min(end, cal.n_days - 1)]}" if terminated else ""
        if start > 0:
            notes = f"新客戶 {joined} 起"
        max_cycle = int(metrics["max_cycle_days"][i])
        rows.append(
            _audited(
                _local(joined, 9 * 60),
                id=cid,
                code=customers.code[i],
                short_name=customers.short_name[i],
                invoice_title=customers.invoice_title[i],
                address=customers.address[i],
                township=customers.township[i],
                zone_code=customers.zone[i],
                lat=float(customers.lat[i]),
                lng=float(customers.lng[i]),
                geocode_source=GeocodeSource.SYNTHETIC,
                phone=customers.phone[i],
                tax_id=customers.tax_id[i],
                customer_type=CustomerType(customers.customer_type[i]),
                pricing_method=PricingMethod(customers.pricing[i]),
                payment_method=PaymentMethod(customers.payment[i]),
                vehicle_requirement=VehicleRequirement(customers.requirement[i]),
                time_preference=TimePreference(customers.time_preference[i]),
                rest_weekdays=customers.rest_weekdays[i],
                closed_on_holidays=bool(customers.closed_on_holidays[i]),
                avg_daily_kg=float(metrics["avg_daily_kg"][i]),
                monthly_delivery_kg=float(metrics["monthly_delivery_kg"][i]),
                return_ratio=float(metrics["return_ratio"][i]),
                max_cycle_days=max_cycle if max_cycle > 0 else None,
                postpone_days=int(metrics["postpone_days"][i]),
                reserve_kg=float(reserve_kg[i]),
                connection_kg=float(capacity_kg[i]),
                is_active=not terminated,
                is_terminated=terminated,
                is_subscription=bool(customers.subscription[i]),
                has_alarm=bool(customers.alarm[i]),
                on_patrol=bool(customers.patrol[i]),
                same_day=bool(customers.same_day[i]),
                # Only what a workbook cell would hold (no False or blank entries), so
                # export -> import of the demo is a clean round trip.
                equipment={
                    k: v
                    for k, v in (
                        ("switch_model", customers.switch_model[i]),
                        ("flow_meter", bool(flow[i])),
                    )
                    if v
                },
                notes=notes,
            )
        )
        windows.extend(
            {"customer_id": cid, "start_min": a, "end_min": b} for a, b in customers.windows(i)
        )
        for t in np.flatnonzero(customers.owned[i]):
            cylinders.append(
                {
                    "customer_id": cid,
                    "cylinder_type": TYPE_CODES[t],
                    "quantity": int(customers.owned[i, t]),
                    "is_spare": False,
                }
            )
        if customers.spare[i]:
            cylinders.append(
                {
                    "customer_id": cid,
                    "cylinder_type": "STANDARD_20KG",
                    "quantity": int(customers.spare[i]),
                    "is_spare": True,
                }
            )
    for k, row in enumerate(windows):
        row["id"] = k + 1
    for k, row in enumerate(cylinders):
        row["id"] = k + 1
    return rows, windows, cylinders


def _order_number(day: dt.date, seq: int) -> str:
    try:
        from luckygas.orders import order_number
    except ImportError:  # pragma: no cover - the orders module predates the demo
        return f"{day:%Y%m%d}-{seq:04d}"
    return order_number(day, seq)


def _order_rows(
    drafts: list[OrderDraft], customers: CustomerSet, params: DemoParams
) -> list[dict[str, Any]]:
    """Orders numbered ``YYYYMMDD-NNNN`` in arrival order, taken during ``as_of``.

    Inserted directly rather than through :func:`luckygas.orders.create_orders`, which
    stamps the wall clock: the demo must be identical on every run.
    """
    rows = []
    day = params.delivery_date
    span = 11 * 60  # orders arrive 07:30-18:30 the day before
    dispatchers = [u for u, _, role in DEMO_USERS if role is Role.DISPATCHER]
    for k, d in enumerate(drafts):
        minute = 7 * 60 + 30 + (k * span) // max(len(drafts), 1)
        author = "forecast" if d.is_optional else dispatchers[k % len(dispatchers)]
        rows.append(
            _audited(
                _local(params.as_of, minute),
                id=k + 1,
                number=_order_number(day, k + 1),
                customer_id=d.customer + 1,
                delivery_date=day,
                window_start_min=d.window[0] if d.window else None,
                window_end_min=d.window[1] if d.window else None,
                priority=d.priority,
                source=d.source,
                status=OrderStatus.PENDING,
                is_optional=d.is_optional,
                pinned_vehicle_id=None,
                notes=d.notes,
                details=dict(d.details),
                **{f"qty_{key}": q for key, q in zip(SIZE_KEYS, d.qty, strict=True)},
            )
            | {"created_by": author}
        )
    return rows


def home_vehicles(customers: CustomerSet, fleet: tuple[VehicleSpec, ...]) -> np.ndarray:
    """Index into ``fleet`` of the vehicle that normally serves each customer.

    Motorcycle-only customers get a motorcycle covering their zone, evening-only
    customers the van with the late shift, everyone else the truck of their zone.
    """
    kinds = np.array([v.vehicle_type for v in fleet], dtype=object)
    moto = np.flatnonzero(kinds == VehicleType.MOTORCYCLE)
    four = np.flatnonzero(kinds != VehicleType.MOTORCYCLE)
    trucks = np.flatnonzero(kinds == VehicleType.LIGHT_TRUCK)
    late = np.array([k for k in four if fleet[k].shift[1] >= 20 * 60], dtype=np.int64)
    home = np.zeros(customers.n, dtype=np.int64)
    for i in range(customers.n):
        zone = customers.zone[i]
        if customers.requirement[i] == "motorcycle" and len(moto):
            pool = [k for k in moto if zone in fleet[k].zones] or list(moto)
        elif not customers.hours[i, :8].any() and len(late):  # nothing before 16:00
            pool = list(late)
        else:
            base = trucks if len(trucks) else four
            pool = [k for k in base if zone in fleet[k].zones] or list(base)
        # The customer's code spreads customers of one zone over its vehicles, stably.
        home[i] = pool[int(customers.code[i]) % len(pool)]
    return home


def _delivery_rows(
    rng: np.random.Generator,
    customers: CustomerSet,
    history: History,
    fleet: tuple[VehicleSpec, ...],
) -> dict[str, list[Any]]:
    """History rows as columns: who delivered (usually the customer's own crew) and when."""
    m = len(history.customer)
    home = home_vehicles(customers, fleet)
    kinds = np.array([v.vehicle_type for v in fleet], dtype=object)
    vehicle = home[history.customer].copy()
    # About one delivery in twelve is covered by another crew of a compatible kind.
    cover = rng.random(m) < 0.08
    is_moto = kinds[vehicle] == VehicleType.MOTORCYCLE
    for moto_flag in (True, False):
        pool = np.flatnonzero((kinds == VehicleType.MOTORCYCLE) == moto_flag)
        sel = cover & (is_moto == moto_flag)
        if len(pool) and sel.any():
            vehicle[sel] = pool[rng.integers(0, len(pool), sel.sum())]

    minute = np.zeros(m, dtype=np.int64)
    order = np.argsort(history.customer, kind="stable")
    bounds = np.searchsorted(history.customer[order], np.arange(customers.n + 1))
    for i in range(customers.n):
        rows = order[bounds[i] : bounds[i + 1]]
        if len(rows):
            shift = fleet[home[i]].shift
            minute[rows] = _minutes_in(rng, customers.windows(i), shift, len(rows))

    cal = history.calendar
    days = history.day.tolist()
    dates = [cal.dates[d] for d in days]
    chrono = np.lexsort((history.customer, minute, history.day))
    names = [v.driver for v in fleet]
    users = [v.driver_username for v in fleet]
    # Local delivery moments as aware UTC datetimes, vectorised (no wall clock involved).
    local = np.array(cal.dates, dtype="datetime64[m]")[history.day] + minute.astype("m8[m]")
    utc = (local - np.timedelta64(8, "h")).astype("datetime64[us]").tolist()
    stamps = [t.replace(tzinfo=dt.UTC) for t in utc]
    vehicle_sorted = vehicle[chrono]
    qty = history.qty[chrono].T.tolist()
    ret = history.ret[chrono].T.tolist()
    vlist = vehicle_sorted.tolist()
    outcome_map = [_OUTCOME[k] for k in range(len(_OUTCOME))]
    columns: dict[str, list[Any]] = {
        "id": list(range(1, m + 1)),
        "customer_id": (history.customer[chrono] + 1).tolist(),
        "delivered_on": [dates[k] for k in chrono.tolist()],
        "delivered_min": minute[chrono].tolist(),
        "order_id": [None] * m,
        "vehicle_id": (vehicle_sorted + 1).tolist(),
        "driver_name": [names[v] for v in vlist],
        "outcome": [outcome_map[k] for k in history.outcome[chrono].tolist()],
        **{f"qty_{key}": qty[j] for j, key in enumerate(SIZE_KEYS)},
        **{f"ret_{key}": ret[j] for j, key in enumerate(SIZE_KEYS)},
        "residual_kg": history.residual_kg[chrono].tolist(),
        "flow_kg": history.flow_kg[chrono].tolist(),
        "created_at": [stamps[k] for k in chrono.tolist()],
        "created_by": [users[v] for v in vlist],
    }
    return columns


def _minutes_in(
    rng: np.random.Generator, windows: list[tuple[int, int]], shift: tuple[int, int], n: int
) -> np.ndarray:
    """``n`` delivery minutes inside the customer's windows, within the crew's shift if possible."""
    clipped = [(max(a, shift[0]), min(b, shift[1])) for a, b in windows]
    segments = [(a, b) for a, b in clipped if a < b] or windows
    lengths = np.array([b - a for a, b in segments], dtype=np.int64)
    pos = rng.integers(0, lengths.sum(), n)
    ends = np.cumsum(lengths)
    seg = np.searchsorted(ends, pos, side="right")
    starts = np.array([a for a, _ in segments]) + 0
    return starts[seg] + pos - (ends[seg] - lengths[seg])


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _table(model: type[Base]) -> Table:
    # A declarative model's __table__ is a Table; SQLAlchemy types it as the wider FromClause.
    return cast(Table, model.__table__)


def _insert(conn: Connection, model: type[Base], rows: Rows, *, progress: bool) -> None:
    """Bulk insert ``rows`` (dicts with the same keys, or columns) into ``model``'s table.

    The statement is SQLAlchemy's own compiled ``INSERT`` and every value goes through
    the column type's own bind processor, but the processing is done column by column
    and handed to the driver's ``executemany`` in one go: the per-row parameter
    bookkeeping of a generic ``execute(insert(...), rows)`` cost more than the database
    work itself for the 140,000 history rows. Running on the connection (not the ORM
    session) also keeps the audit listeners from stamping wall-clock rows.
    """
    from tqdm.auto import tqdm

    if not _count(rows):
        return
    table = _table(model)
    if isinstance(rows, dict):
        keys, raw = list(rows), rows
    else:
        keys = list(rows[0])
        raw = {key: [row[key] for row in rows] for key in keys}
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    columns = {}
    for key in keys:
        values = raw[key]
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        columns[key] = [processor(v) for v in values] if processor else values
    if compiled.positiontup is not None:
        order = [columns[name] for name in compiled.positiontup]
        params: list[Any] = list(zip(*order, strict=True))
    else:
        params = [
            dict(zip(keys, vals, strict=True)) for vals in zip(*columns.values(), strict=True)
        ]
    chunks: Iterable[int] = range(0, len(params), _INSERT_CHUNK)
    if len(params) > _INSERT_CHUNK:
        chunks = tqdm(
            chunks, desc=f"write {table.name}", unit="chunk", disable=not progress, leave=False
        )
    for start in chunks:
        conn.exec_driver_sql(compiled.string, params[start : start + _INSERT_CHUNK])


def _advance_sequences(conn: Connection, models: list[type[Base]]) -> None:
    """PostgreSQL: move id sequences past the explicit ids the demo inserted."""
    for model in models:
        table = _table(model)
        if "id" not in table.c:
            continue
        seq = select(func.pg_get_serial_sequence(table.name, "id")).scalar_subquery()
        top = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
        conn.execute(select(func.setval(seq, top, False)))
