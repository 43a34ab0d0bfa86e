"""Helpers shared by the importer tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from luckygas.models import AuditLog, Customer, CustomerCylinder, CustomerWindow, Delivery, Order

CORPUS = Path(__file__).resolve().parent.parent / "data" / "import_corpus"


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per business table, read through a fresh session (sees only committed data)."""
    with Session(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Customer, CustomerWindow, CustomerCylinder, Order, Delivery, AuditLog)
        }
