"""Fixtures for the importer tests: sample files in the real layouts and table counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from luckygas.importers import import_customers
from luckygas.importers.samples import sample_workbook, write_workbook


@pytest.fixture
def workbook(tmp_path) -> Path:
    """A 40-row customer workbook in the real 76-column layout."""
    path = tmp_path / "2025-05 commercial client list.xlsx"
    write_workbook(sample_workbook(40, seed=1), str(path))
    return path


@pytest.fixture
def customers_loaded(db_engine, workbook) -> Engine:
    """The database with the 40 sample customers (codes 1400001-1400040) committed."""
    with Session(db_engine) as session:
        session.info["user"] = "tester"
        import_customers(session, workbook)
        session.commit()
    return db_engine
