"""Vehicles may reload at the depot: trips per day and reload time; trips in plans.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``vehicles.max_trips/reload_minutes``, ``plan_routes.trips``, ``plan_stops.trip``."""
    # Batch mode: SQLite cannot add a CHECK constraint to an existing table in place.
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("max_trips", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("reload_minutes", sa.Integer(), nullable=False, server_default="15")
        )
        batch.create_check_constraint("max_trips_positive", "max_trips >= 1")
        batch.create_check_constraint("reload_minutes_non_negative", "reload_minutes >= 0")
    with op.batch_alter_table("plan_routes") as batch:
        batch.add_column(sa.Column("trips", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("plan_stops") as batch:
        batch.add_column(sa.Column("trip", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    """Drop the trip columns again."""
    with op.batch_alter_table("plan_stops") as batch:
        batch.drop_column("trip")
    with op.batch_alter_table("plan_routes") as batch:
        batch.drop_column("trips")
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_constraint(op.f("ck_vehicles_reload_minutes_non_negative"), type_="check")
        batch.drop_constraint(op.f("ck_vehicles_max_trips_positive"), type_="check")
        batch.drop_column("reload_minutes")
        batch.drop_column("max_trips")
