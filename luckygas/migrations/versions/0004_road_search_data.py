"""Road graphs keep their search cores: ``road_graphs.search_data`` (nullable).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``road_graphs.search_data`` (a graph imported earlier keeps NULL)."""
    op.add_column("road_graphs", sa.Column("search_data", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    """Drop ``road_graphs.search_data``."""
    with op.batch_alter_table("road_graphs") as batch:
        batch.drop_column("search_data")
