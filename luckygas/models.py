"""SQLAlchemy 2 typed models: the Lucky Gas business as tables.

Conventions
-----------
* Times of day are stored as integer **minutes since midnight** (``*_min``); the
  optimizer works in seconds and converts at its adapter.
* Cylinder quantities are stored per size class (``qty_50kg`` ... ``qty_4kg``) because
  routing, loading and the history layout all count by size; the brand of cylinder a
  customer owns is kept in :class:`CustomerCylinder`.
* Every row that people change carries ``created_by/created_at`` and
  ``updated_by/updated_at``; :mod:`luckygas.audit` fills them and writes the audit log.
* Enumerations are stored by value (``native_enum=False``) so SQLite and PostgreSQL
  hold the same strings and new values need no ``ALTER TYPE``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from luckygas.domain import (
    CustomerType,
    DeliveryOutcome,
    GeocodeSource,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    PlanStatus,
    PricingMethod,
    Priority,
    Role,
    TimePreference,
    VehicleRequirement,
    VehicleType,
)

# A naming convention makes constraint names stable across SQLite and PostgreSQL,
# which Alembic needs to alter or drop them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    # All columns, so two unique constraints starting with the same column get distinct names
    # (PostgreSQL requires constraint names to be unique per schema; SQLite does not check).
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        length=20,
    )


class Base(DeclarativeBase):
    """Declarative base with the naming convention and the type map."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a plain dict)
        dict[str, Any]: JSON,
        dt.datetime: DateTime(timezone=True),
        dt.date: Date,
        Role: _enum(Role),
        VehicleType: _enum(VehicleType),
        VehicleRequirement: _enum(VehicleRequirement),
        CustomerType: _enum(CustomerType),
        PricingMethod: _enum(PricingMethod),
        PaymentMethod: _enum(PaymentMethod),
        TimePreference: _enum(TimePreference),
        Priority: _enum(Priority),
        OrderSource: _enum(OrderSource),
        OrderStatus: _enum(OrderStatus),
        DeliveryOutcome: _enum(DeliveryOutcome),
        PlanStatus: _enum(PlanStatus),
        GeocodeSource: _enum(GeocodeSource),
    }


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Audited:
    """Who created and last changed a row, and when (filled by :mod:`luckygas.audit`)."""

    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(default=None, onupdate=_utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64), default=None)


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


class User(Audited, Base):
    """A person using the workbench. No passwords: a local tool needs roles and an audit trail."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(default=Role.VIEWER)
    is_active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"User({self.username!r}, {self.role.value})"


class AuditLog(Base):
    """One write: who, when, what (append-only)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=_utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))  # insert/update/delete/publish/import
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------


class Depot(Audited, Base):
    __tablename__ = "depots"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float]
    lng: Mapped[float]
    open_min: Mapped[int] = mapped_column(default=7 * 60)
    close_min: Mapped[int] = mapped_column(default=20 * 60)

    __table_args__ = (CheckConstraint("open_min < close_min", name="hours"),)


class ZoneRow(Base):
    """A delivery zone (區域); the canonical list lives in :data:`luckygas.domain.ZONES`."""

    __tablename__ = "zones"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    township: Mapped[str] = mapped_column(String(20))
    is_line: Mapped[bool] = mapped_column(default=False)


class CylinderTypeRow(Base):
    """A cylinder product line; see :data:`luckygas.domain.CYLINDER_TYPES`."""

    __tablename__ = "cylinder_types"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(30), unique=True)
    kg: Mapped[float]
    size_kg: Mapped[int]
    flow_metered: Mapped[bool] = mapped_column(default=False)


class Holiday(Base):
    """A national holiday: customers whose rest days include ``Red`` are closed."""

    __tablename__ = "holidays"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


# ---------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------


class Customer(Audited, Base):
    """A customer from the 76-column workbook (only the fields the workbench uses as columns;
    the rest of the equipment flags live in ``equipment``)."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(7), unique=True)
    short_name: Mapped[str] = mapped_column(String(100))
    invoice_title: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    township: Mapped[str] = mapped_column(String(20), default="")
    zone_code: Mapped[str | None] = mapped_column(ForeignKey("zones.code"), index=True)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    geocode_source: Mapped[GeocodeSource] = mapped_column(default=GeocodeSource.NONE)
    phone: Mapped[str] = mapped_column(String(40), default="")
    tax_id: Mapped[str] = mapped_column(String(20), default="")
    customer_type: Mapped[CustomerType] = mapped_column(default=CustomerType.COMMERCIAL)
    pricing_method: Mapped[PricingMethod] = mapped_column(default=PricingMethod.CYLINDER)
    payment_method: Mapped[PaymentMethod] = mapped_column(default=PaymentMethod.CASH)
    vehicle_requirement: Mapped[VehicleRequirement] = mapped_column(default=VehicleRequirement.CAR)
    time_preference: Mapped[TimePreference] = mapped_column(default=TimePreference.ALL_DAY)
    # ISO weekday digits the customer is closed, e.g. "7" (Sunday) or "23" (Tue and Wed).
    rest_weekdays: Mapped[str] = mapped_column(String(7), default="")
    closed_on_holidays: Mapped[bool] = mapped_column(default=False)
    # Consumption figures (workbook columns 47-56).
    avg_daily_kg: Mapped[float] = mapped_column(default=0.0)
    monthly_delivery_kg: Mapped[float] = mapped_column(default=0.0)
    return_ratio: Mapped[float] = mapped_column(default=0.0)
    max_cycle_days: Mapped[int | None]
    postpone_days: Mapped[int | None]
    reserve_kg: Mapped[float] = mapped_column(default=0.0)
    connection_kg: Mapped[float] = mapped_column(default=0.0)
    # Flags (workbook "V"/"X" columns).
    is_active: Mapped[bool] = mapped_column(default=True)
    is_terminated: Mapped[bool] = mapped_column(default=False)
    is_subscription: Mapped[bool] = mapped_column(default=False)
    has_alarm: Mapped[bool] = mapped_column(default=False)
    on_patrol: Mapped[bool] = mapped_column(default=False)
    same_day: Mapped[bool] = mapped_column(default=False)
    equipment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(String(500), default="")

    zone: Mapped[ZoneRow | None] = relationship()
    windows: Mapped[list[CustomerWindow]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerWindow.start_min"
    )
    cylinders: Mapped[list[CustomerCylinder]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("length(code) = 7", name="code_7_digits"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lng IS NULL OR (lng BETWEEN -180 AND 180)", name="lng_range"),
        CheckConstraint("avg_daily_kg >= 0", name="usage_non_negative"),
    )

    @property
    def rest_weekday_set(self) -> frozenset[int]:
        """ISO weekdays (1 = Monday ... 7 = Sunday) the customer is closed."""
        return frozenset(int(c) for c in self.rest_weekdays)

    def __repr__(self) -> str:
        return f"Customer({self.code!r}, {self.short_name!r})"


class CustomerWindow(Base):
    """One availability window (several per customer, merged from the hourly flags)."""

    __tablename__ = "customer_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    start_min: Mapped[int]
    end_min: Mapped[int]

    customer: Mapped[Customer] = relationship(back_populates="windows")

    __table_args__ = (
        CheckConstraint("start_min >= 0 AND end_min <= 1440", name="in_day"),
        CheckConstraint("start_min < end_min", name="ordered"),
    )


class CustomerCylinder(Base):
    """Cylinders installed at a customer (owned set, not an order)."""

    __tablename__ = "customer_cylinders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    cylinder_type: Mapped[str] = mapped_column(ForeignKey("cylinder_types.code"))
    quantity: Mapped[int]
    is_spare: Mapped[bool] = mapped_column(default=False)

    customer: Mapped[Customer] = relationship(back_populates="cylinders")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive"),
        UniqueConstraint("customer_id", "cylinder_type", "is_spare"),
    )


# ---------------------------------------------------------------------------
# Fleet
# ---------------------------------------------------------------------------


class Vehicle(Audited, Base):
    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    vehicle_type: Mapped[VehicleType]
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    cap_50kg: Mapped[int] = mapped_column(default=0)
    cap_20kg: Mapped[int] = mapped_column(default=0)
    cap_16kg: Mapped[int] = mapped_column(default=0)
    cap_10kg: Mapped[int] = mapped_column(default=0)
    cap_4kg: Mapped[int] = mapped_column(default=0)
    max_kg: Mapped[float]
    fixed_cost: Mapped[float] = mapped_column(default=0.0)  # TWD per day used
    cost_per_km: Mapped[float] = mapped_column(default=0.0)  # TWD
    speed_factor: Mapped[float] = mapped_column(default=1.0)
    max_stops: Mapped[int | None]
    # Loads per day: the vehicle may come back to the depot to reload between trips;
    # capacities above are per load.
    max_trips: Mapped[int] = mapped_column(default=1, server_default="1")
    reload_minutes: Mapped[int] = mapped_column(default=15, server_default="15")
    is_active: Mapped[bool] = mapped_column(default=True)

    depot: Mapped[Depot] = relationship()

    __table_args__ = (
        CheckConstraint(
            "cap_50kg >= 0 AND cap_20kg >= 0 AND cap_16kg >= 0 AND cap_10kg >= 0 AND cap_4kg >= 0",
            name="caps_non_negative",
        ),
        # Motorcycles never carry 50 kg cylinders (domain.md section 1a).
        CheckConstraint(
            "vehicle_type != 'motorcycle' OR cap_50kg = 0", name="no_50kg_on_motorcycle"
        ),
        CheckConstraint("max_kg > 0", name="max_kg_positive"),
        CheckConstraint("speed_factor > 0", name="speed_positive"),
        CheckConstraint("max_trips >= 1", name="max_trips_positive"),
        CheckConstraint("reload_minutes >= 0", name="reload_minutes_non_negative"),
    )

    def __repr__(self) -> str:
        return f"Vehicle({self.plate!r}, {self.vehicle_type.value})"


class Driver(Audited, Base):
    __tablename__ = "drivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(40), default="")
    default_vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("vehicles.id", ondelete="SET NULL")
    )
    username: Mapped[str | None] = mapped_column(ForeignKey("users.username"))
    shift_start_min: Mapped[int] = mapped_column(default=8 * 60)
    shift_end_min: Mapped[int] = mapped_column(default=18 * 60)
    # The lunch break may start anywhere in [break_earliest_min, break_latest_min - break_minutes].
    break_earliest_min: Mapped[int | None] = mapped_column(default=11 * 60 + 30)
    break_latest_min: Mapped[int | None] = mapped_column(default=13 * 60 + 30)
    break_minutes: Mapped[int] = mapped_column(default=60)
    is_active: Mapped[bool] = mapped_column(default=True)

    default_vehicle: Mapped[Vehicle | None] = relationship()

    __table_args__ = (
        CheckConstraint("shift_start_min < shift_end_min", name="shift_ordered"),
        CheckConstraint("break_minutes >= 0", name="break_non_negative"),
    )


# ---------------------------------------------------------------------------
# Orders and history
# ---------------------------------------------------------------------------


class Order(Audited, Base):
    """A delivery request for one customer on one day."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    delivery_date: Mapped[dt.date] = mapped_column(index=True)
    qty_50kg: Mapped[int] = mapped_column(default=0)
    qty_20kg: Mapped[int] = mapped_column(default=0)
    qty_16kg: Mapped[int] = mapped_column(default=0)
    qty_10kg: Mapped[int] = mapped_column(default=0)
    qty_4kg: Mapped[int] = mapped_column(default=0)
    # Optional window override for this order only (else the customer's windows apply).
    window_start_min: Mapped[int | None]
    window_end_min: Mapped[int | None]
    priority: Mapped[Priority] = mapped_column(default=Priority.NORMAL)
    source: Mapped[OrderSource] = mapped_column(default=OrderSource.PHONE)
    status: Mapped[OrderStatus] = mapped_column(default=OrderStatus.PENDING, index=True)
    # Optional orders (e.g. forecast refills not yet due) are served only when they fit.
    is_optional: Mapped[bool] = mapped_column(default=False)
    pinned_vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("vehicles.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    customer: Mapped[Customer] = relationship()

    __table_args__ = (
        CheckConstraint(
            "qty_50kg >= 0 AND qty_20kg >= 0 AND qty_16kg >= 0 AND qty_10kg >= 0 AND qty_4kg >= 0",
            name="qty_non_negative",
        ),
        CheckConstraint(
            "qty_50kg + qty_20kg + qty_16kg + qty_10kg + qty_4kg > 0", name="qty_something"
        ),
        CheckConstraint(
            "(window_start_min IS NULL) = (window_end_min IS NULL)", name="window_both_or_none"
        ),
        CheckConstraint(
            "window_start_min IS NULL OR window_start_min < window_end_min", name="window_ordered"
        ),
        Index("ix_orders_date_status", "delivery_date", "status"),
    )

    def __repr__(self) -> str:
        return f"Order({self.number!r}, {self.delivery_date}, {self.status.value})"


class Delivery(Base):
    """One historical delivery: what went in, what empties came back, and how it ended."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    delivered_on: Mapped[dt.date]
    delivered_min: Mapped[int | None]  # time of day, minutes
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id", ondelete="SET NULL"))
    driver_name: Mapped[str] = mapped_column(String(50), default="")
    outcome: Mapped[DeliveryOutcome] = mapped_column(default=DeliveryOutcome.DELIVERED)
    qty_50kg: Mapped[int] = mapped_column(default=0)
    qty_20kg: Mapped[int] = mapped_column(default=0)
    qty_16kg: Mapped[int] = mapped_column(default=0)
    qty_10kg: Mapped[int] = mapped_column(default=0)
    qty_4kg: Mapped[int] = mapped_column(default=0)
    ret_50kg: Mapped[int] = mapped_column(default=0)
    ret_20kg: Mapped[int] = mapped_column(default=0)
    ret_16kg: Mapped[int] = mapped_column(default=0)
    ret_10kg: Mapped[int] = mapped_column(default=0)
    ret_4kg: Mapped[int] = mapped_column(default=0)
    # Residual gas (退氣) found in the returned cylinders, credited back.
    residual_kg: Mapped[float] = mapped_column(default=0.0)
    # Gas billed through a flow meter since the previous reading.
    flow_kg: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")

    customer: Mapped[Customer] = relationship()

    __table_args__ = (
        Index("ix_deliveries_customer_day", "customer_id", "delivered_on"),
        Index("ix_deliveries_day", "delivered_on"),
        CheckConstraint(
            "qty_50kg >= 0 AND qty_20kg >= 0 AND qty_16kg >= 0 AND qty_10kg >= 0 AND qty_4kg >= 0"
            " AND ret_50kg >= 0 AND ret_20kg >= 0 AND ret_16kg >= 0 AND ret_10kg >= 0"
            " AND ret_4kg >= 0 AND residual_kg >= 0",
            name="non_negative",
        ),
    )


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


class Plan(Audited, Base):
    """A solved day: draft until a manager publishes it."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_date: Mapped[dt.date] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[PlanStatus] = mapped_column(default=PlanStatus.DRAFT)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="SET NULL"))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    solver_version: Mapped[str] = mapped_column(String(60), default="")
    kpis: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The result exactly as solved (PlanResult.to_dict()): the plan is a record of a
    # decision and must load back unchanged even after its orders are edited later.
    # routes/stops/unassigned below are the same facts as rows, for queries and joins.
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[dt.datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(64))

    routes: Mapped[list[PlanRoute]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanRoute.route_no"
    )
    unassigned: Mapped[list[PlanUnassigned]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("plan_date", "name"),)

    def __repr__(self) -> str:
        return f"Plan({self.plan_date}, {self.name!r}, {self.status.value})"


class PlanRoute(Base):
    __tablename__ = "plan_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    route_no: Mapped[int]
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id", ondelete="SET NULL"))
    start_s: Mapped[int]
    end_s: Mapped[int]
    distance_m: Mapped[int]
    drive_s: Mapped[int] = mapped_column(default=0)
    service_s: Mapped[int] = mapped_column(default=0)
    wait_s: Mapped[int] = mapped_column(default=0)
    break_start_s: Mapped[int | None]
    break_s: Mapped[int] = mapped_column(default=0)
    load_kg: Mapped[float] = mapped_column(default=0.0)
    cost: Mapped[float] = mapped_column(default=0.0)
    # Loads carried out from the depot (1 + reloads).
    trips: Mapped[int] = mapped_column(default=1, server_default="1")

    plan: Mapped[Plan] = relationship(back_populates="routes")
    vehicle: Mapped[Vehicle] = relationship()
    driver: Mapped[Driver | None] = relationship()
    stops: Mapped[list[PlanStop]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by="PlanStop.sequence"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "route_no"),
        UniqueConstraint("plan_id", "vehicle_id"),
    )


class PlanStop(Base):
    __tablename__ = "plan_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(
        ForeignKey("plan_routes.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    sequence: Mapped[int]
    arrival_s: Mapped[int]
    start_s: Mapped[int]
    departure_s: Mapped[int]
    wait_s: Mapped[int] = mapped_column(default=0)
    service_s: Mapped[int] = mapped_column(default=0)
    # The customer window the stop was planned into (one of several).
    window_start_s: Mapped[int | None]
    window_end_s: Mapped[int | None]
    distance_from_prev_m: Mapped[int] = mapped_column(default=0)
    travel_from_prev_s: Mapped[int] = mapped_column(default=0)
    # Which load of the day the stop is delivered from (1, 2, ...).
    trip: Mapped[int] = mapped_column(default=1, server_default="1")
    # Locked stops (done, or already dispatched) keep their vehicle and order on re-optimization.
    locked: Mapped[bool] = mapped_column(default=False)

    route: Mapped[PlanRoute] = relationship(back_populates="stops")
    order: Mapped[Order] = relationship()

    __table_args__ = (UniqueConstraint("route_id", "sequence"),)


class PlanUnassigned(Base):
    __tablename__ = "plan_unassigned"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(300))

    plan: Mapped[Plan] = relationship(back_populates="unassigned")


class Scenario(Audited, Base):
    """A named, saved set of changes to a day's problem (see :mod:`luckygas.scenarios`)."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RoadGraphRow(Audited, Base):
    """An imported road network (``luckygas roads import``): metadata and the graph itself.

    The graph is stored *in* the database as one compressed ``.npz`` blob
    (:meth:`luckygas.optimize.roadgraph.RoadGraph.to_bytes`, a few MB for a county) rather
    than as a file beside it: the import is then one transaction (all or nothing), a
    PostgreSQL database shared by several analysts has no "beside", and a backup or copy
    of the database carries its roads. The newest row is the one planning uses.
    """

    __tablename__ = "road_graphs"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(500))
    south: Mapped[float]
    west: Mapped[float]
    north: Mapped[float]
    east: Mapped[float]
    n_nodes: Mapped[int]
    n_arcs: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The graph's contracted cores per vehicle type, computed at import so that no
    #: process pays for them again (:func:`luckygas.optimize.roadcore.cores_to_bytes`);
    #: NULL for a graph imported before schema 0004 (computed in memory on first use).
    search_data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    def __repr__(self) -> str:
        return f"RoadGraphRow({self.id}, {self.version}, {self.n_nodes} nodes)"


ALL_SIZE_COLUMNS = ("qty_50kg", "qty_20kg", "qty_16kg", "qty_10kg", "qty_4kg")
