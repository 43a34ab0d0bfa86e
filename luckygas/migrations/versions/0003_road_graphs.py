"""Imported road networks: ``road_graphs`` (metadata and the compressed graph).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``road_graphs``."""
    op.create_table(
        "road_graphs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("south", sa.Double(), nullable=False),
        sa.Column("west", sa.Double(), nullable=False),
        sa.Column("north", sa.Double(), nullable=False),
        sa.Column("east", sa.Double(), nullable=False),
        sa.Column("n_nodes", sa.Integer(), nullable=False),
        sa.Column("n_arcs", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road_graphs")),
    )


def downgrade() -> None:
    """Drop ``road_graphs``."""
    op.drop_table("road_graphs")
