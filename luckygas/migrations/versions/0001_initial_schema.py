"""Initial schema: every table of luckygas.models as of the first release.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_username"), ["username"], unique=False)

    op.create_table(
        "cylinder_types",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=30), nullable=False),
        sa.Column("kg", sa.Double(), nullable=False),
        sa.Column("size_kg", sa.Integer(), nullable=False),
        sa.Column("flow_metered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_cylinder_types")),
        sa.UniqueConstraint("label", name=op.f("uq_cylinder_types_label")),
    )
    op.create_table(
        "depots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lng", sa.Double(), nullable=False),
        sa.Column("open_min", sa.Integer(), nullable=False),
        sa.Column("close_min", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("open_min < close_min", name=op.f("ck_depots_hours")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depots")),
        sa.UniqueConstraint("code", name=op.f("uq_depots_code")),
    )
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holidays")),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_scenarios_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "manager",
                "dispatcher",
                "driver",
                "viewer",
                name="role",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "zones",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("township", sa.String(length=20), nullable=False),
        sa.Column("is_line", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_zones")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=7), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=False),
        sa.Column("invoice_title", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("township", sa.String(length=20), nullable=False),
        sa.Column("zone_code", sa.String(length=4), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lng", sa.Double(), nullable=True),
        sa.Column(
            "geocode_source",
            sa.Enum(
                "synthetic",
                "manual",
                "service",
                "none",
                name="geocodesource",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("tax_id", sa.String(length=20), nullable=False),
        sa.Column(
            "customer_type",
            sa.Enum(
                "commercial",
                "school",
                "residential",
                name="customertype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "pricing_method",
            sa.Enum("cylinder", "flow", name="pricingmethod", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "payment_method",
            sa.Enum("cash", "monthly", name="paymentmethod", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "vehicle_requirement",
            sa.Enum(
                "car",
                "motorcycle",
                "either",
                name="vehiclerequirement",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "time_preference",
            sa.Enum(
                "all_day",
                "morning",
                "afternoon",
                "evening",
                name="timepreference",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("rest_weekdays", sa.String(length=7), nullable=False),
        sa.Column("closed_on_holidays", sa.Boolean(), nullable=False),
        sa.Column("avg_daily_kg", sa.Double(), nullable=False),
        sa.Column("monthly_delivery_kg", sa.Double(), nullable=False),
        sa.Column("return_ratio", sa.Double(), nullable=False),
        sa.Column("max_cycle_days", sa.Integer(), nullable=True),
        sa.Column("postpone_days", sa.Integer(), nullable=True),
        sa.Column("reserve_kg", sa.Double(), nullable=False),
        sa.Column("connection_kg", sa.Double(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_terminated", sa.Boolean(), nullable=False),
        sa.Column("is_subscription", sa.Boolean(), nullable=False),
        sa.Column("has_alarm", sa.Boolean(), nullable=False),
        sa.Column("on_patrol", sa.Boolean(), nullable=False),
        sa.Column("same_day", sa.Boolean(), nullable=False),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("avg_daily_kg >= 0", name=op.f("ck_customers_usage_non_negative")),
        sa.CheckConstraint(
            "lat IS NULL OR (lat BETWEEN -90 AND 90)", name=op.f("ck_customers_lat_range")
        ),
        sa.CheckConstraint("length(code) = 7", name=op.f("ck_customers_code_7_digits")),
        sa.CheckConstraint(
            "lng IS NULL OR (lng BETWEEN -180 AND 180)", name=op.f("ck_customers_lng_range")
        ),
        sa.ForeignKeyConstraint(
            ["zone_code"], ["zones.code"], name=op.f("fk_customers_zone_code_zones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("code", name=op.f("uq_customers_code")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_zone_code"), ["zone_code"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", name="planstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("solver_version", sa.String(length=60), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.Column("run", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name=op.f("fk_plans_scenario_id_scenarios"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("plan_date", "name", name=op.f("uq_plans_plan_date_name")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_plan_date"), ["plan_date"], unique=False)

    op.create_table(
        "vehicles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column(
            "vehicle_type",
            sa.Enum(
                "motorcycle", "car", "light_truck", name="vehicletype", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("cap_50kg", sa.Integer(), nullable=False),
        sa.Column("cap_20kg", sa.Integer(), nullable=False),
        sa.Column("cap_16kg", sa.Integer(), nullable=False),
        sa.Column("cap_10kg", sa.Integer(), nullable=False),
        sa.Column("cap_4kg", sa.Integer(), nullable=False),
        sa.Column("max_kg", sa.Double(), nullable=False),
        sa.Column("fixed_cost", sa.Double(), nullable=False),
        sa.Column("cost_per_km", sa.Double(), nullable=False),
        sa.Column("speed_factor", sa.Double(), nullable=False),
        sa.Column("max_stops", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "vehicle_type != 'motorcycle' OR cap_50kg = 0",
            name=op.f("ck_vehicles_no_50kg_on_motorcycle"),
        ),
        sa.CheckConstraint(
            "cap_50kg >= 0 AND cap_20kg >= 0 AND cap_16kg >= 0 AND cap_10kg >= 0 AND cap_4kg >= 0",
            name=op.f("ck_vehicles_caps_non_negative"),
        ),
        sa.CheckConstraint("max_kg > 0", name=op.f("ck_vehicles_max_kg_positive")),
        sa.CheckConstraint("speed_factor > 0", name=op.f("ck_vehicles_speed_positive")),
        sa.ForeignKeyConstraint(
            ["depot_id"], ["depots.id"], name=op.f("fk_vehicles_depot_id_depots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("plate", name=op.f("uq_vehicles_plate")),
    )
    op.create_table(
        "customer_cylinders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("cylinder_type", sa.String(length=30), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("is_spare", sa.Boolean(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_customer_cylinders_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_cylinders_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cylinder_type"],
            ["cylinder_types.code"],
            name=op.f("fk_customer_cylinders_cylinder_type_cylinder_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_cylinders")),
        sa.UniqueConstraint(
            "customer_id",
            "cylinder_type",
            "is_spare",
            name=op.f("uq_customer_cylinders_customer_id_cylinder_type_is_spare"),
        ),
    )
    with op.batch_alter_table("customer_cylinders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_cylinders_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("start_min", sa.Integer(), nullable=False),
        sa.Column("end_min", sa.Integer(), nullable=False),
        sa.CheckConstraint("start_min < end_min", name=op.f("ck_customer_windows_ordered")),
        sa.CheckConstraint(
            "start_min >= 0 AND end_min <= 1440", name=op.f("ck_customer_windows_in_day")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_windows_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_windows")),
    )
    with op.batch_alter_table("customer_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_windows_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "drivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("default_vehicle_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("shift_start_min", sa.Integer(), nullable=False),
        sa.Column("shift_end_min", sa.Integer(), nullable=False),
        sa.Column("break_earliest_min", sa.Integer(), nullable=True),
        sa.Column("break_latest_min", sa.Integer(), nullable=True),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("break_minutes >= 0", name=op.f("ck_drivers_break_non_negative")),
        sa.CheckConstraint(
            "shift_start_min < shift_end_min", name=op.f("ck_drivers_shift_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["default_vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_drivers_default_vehicle_id_vehicles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_drivers_username_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drivers")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("qty_50kg", sa.Integer(), nullable=False),
        sa.Column("qty_20kg", sa.Integer(), nullable=False),
        sa.Column("qty_16kg", sa.Integer(), nullable=False),
        sa.Column("qty_10kg", sa.Integer(), nullable=False),
        sa.Column("qty_4kg", sa.Integer(), nullable=False),
        sa.Column("window_start_min", sa.Integer(), nullable=True),
        sa.Column("window_end_min", sa.Integer(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum("normal", "urgent", "emergency", name="priority", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "phone",
                "alarm",
                "patrol",
                "subscription",
                "forecast",
                name="ordersource",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "planned",
                "dispatched",
                "delivered",
                "failed",
                "cancelled",
                name="orderstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_optional", sa.Boolean(), nullable=False),
        sa.Column("pinned_vehicle_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(window_start_min IS NULL) = (window_end_min IS NULL)",
            name=op.f("ck_orders_window_both_or_none"),
        ),
        sa.CheckConstraint(
            "qty_50kg + qty_20kg + qty_16kg + qty_10kg + qty_4kg > 0",
            name=op.f("ck_orders_qty_something"),
        ),
        sa.CheckConstraint(
            "qty_50kg >= 0 AND qty_20kg >= 0 AND qty_16kg >= 0 AND qty_10kg >= 0 AND qty_4kg >= 0",
            name=op.f("ck_orders_qty_non_negative"),
        ),
        sa.CheckConstraint(
            "window_start_min IS NULL OR window_start_min < window_end_min",
            name=op.f("ck_orders_window_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["pinned_vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_orders_pinned_vehicle_id_vehicles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_orders_date_status", ["delivery_date", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_orders_delivery_date"), ["delivery_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("delivered_min", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("driver_name", sa.String(length=50), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "delivered",
                "not_home",
                "refused",
                "failed",
                name="deliveryoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("qty_50kg", sa.Integer(), nullable=False),
        sa.Column("qty_20kg", sa.Integer(), nullable=False),
        sa.Column("qty_16kg", sa.Integer(), nullable=False),
        sa.Column("qty_10kg", sa.Integer(), nullable=False),
        sa.Column("qty_4kg", sa.Integer(), nullable=False),
        sa.Column("ret_50kg", sa.Integer(), nullable=False),
        sa.Column("ret_20kg", sa.Integer(), nullable=False),
        sa.Column("ret_16kg", sa.Integer(), nullable=False),
        sa.Column("ret_10kg", sa.Integer(), nullable=False),
        sa.Column("ret_4kg", sa.Integer(), nullable=False),
        sa.Column("residual_kg", sa.Double(), nullable=False),
        sa.Column("flow_kg", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            (
                "qty_50kg >= 0"
                " AND qty_20kg >= 0"
                " AND qty_16kg >= 0"
                " AND qty_10kg >= 0"
                " AND qty_4kg >= 0"
                " AND ret_50kg >= 0"
                " AND ret_20kg >= 0"
                " AND ret_16kg >= 0"
                " AND ret_10kg >= 0"
                " AND ret_4kg >= 0"
                " AND residual_kg >= 0"
            ),
            name=op.f("ck_deliveries_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_deliveries_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_deliveries_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_deliveries_vehicle_id_vehicles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_customer_day", ["customer_id", "delivered_on"], unique=False
        )
        batch_op.create_index("ix_deliveries_day", ["delivered_on"], unique=False)

    op.create_table(
        "plan_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("route_no", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("drive_s", sa.Integer(), nullable=False),
        sa.Column("service_s", sa.Integer(), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=False),
        sa.Column("break_start_s", sa.Integer(), nullable=True),
        sa.Column("break_s", sa.Integer(), nullable=False),
        sa.Column("load_kg", sa.Double(), nullable=False),
        sa.Column("cost", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"],
            ["drivers.id"],
            name=op.f("fk_plan_routes_driver_id_drivers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_routes_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_plan_routes_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_routes")),
        sa.UniqueConstraint("plan_id", "route_no", name=op.f("uq_plan_routes_plan_id_route_no")),
        sa.UniqueConstraint(
            "plan_id", "vehicle_id", name=op.f("uq_plan_routes_plan_id_vehicle_id")
        ),
    )
    with op.batch_alter_table("plan_routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_routes_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_unassigned",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_plan_unassigned_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_unassigned_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_unassigned")),
    )
    with op.batch_alter_table("plan_unassigned", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_unassigned_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=False),
        sa.Column("service_s", sa.Integer(), nullable=False),
        sa.Column("window_start_s", sa.Integer(), nullable=True),
        sa.Column("window_end_s", sa.Integer(), nullable=True),
        sa.Column("distance_from_prev_m", sa.Integer(), nullable=False),
        sa.Column("travel_from_prev_s", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_plan_stops_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["plan_routes.id"],
            name=op.f("fk_plan_stops_route_id_plan_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_stops")),
        sa.UniqueConstraint("route_id", "sequence", name=op.f("uq_plan_stops_route_id_sequence")),
    )
    with op.batch_alter_table("plan_stops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_stops_route_id"), ["route_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("plan_stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_stops_route_id"))

    op.drop_table("plan_stops")
    with op.batch_alter_table("plan_unassigned", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_unassigned_plan_id"))

    op.drop_table("plan_unassigned")
    with op.batch_alter_table("plan_routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_routes_plan_id"))

    op.drop_table("plan_routes")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_day")
        batch_op.drop_index("ix_deliveries_customer_day")

    op.drop_table("deliveries")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_delivery_date"))
        batch_op.drop_index("ix_orders_date_status")
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))

    op.drop_table("orders")
    op.drop_table("drivers")
    with op.batch_alter_table("customer_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_windows_customer_id"))

    op.drop_table("customer_windows")
    with op.batch_alter_table("customer_cylinders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_cylinders_customer_id"))

    op.drop_table("customer_cylinders")
    op.drop_table("vehicles")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_plan_date"))

    op.drop_table("plans")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_zone_code"))

    op.drop_table("customers")
    op.drop_table("zones")
    op.drop_table("users")
    op.drop_table("scenarios")
    op.drop_table("holidays")
    op.drop_table("depots")
    op.drop_table("cylinder_types")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_username"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
