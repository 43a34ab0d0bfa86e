"""Fixtures of the report tests (the data builders live in ``helpers.py``)."""

from __future__ import annotations

import os

import pytest

from luckygas.reports.data import PlanData
from tests.reports.helpers import build_planned_database, chromium_path, make_plan_data


@pytest.fixture
def plan_data() -> PlanData:
    """The hand-built plan of :func:`make_plan_data`."""
    return make_plan_data()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path to headless Chromium; skip locally when absent, fail on CI."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI is set but chromium is not installed (apt-get install chromium).")
        pytest.skip("chromium is not installed")
    return path


@pytest.fixture(scope="module")
def planned_db(tmp_path_factory) -> tuple[str, int]:
    """``(database URL, plan id)`` of a module-wide database with one saved plan."""
    from luckygas.db import make_engine
    from luckygas.models import Base
    from luckygas.reference import seed_reference_data

    path = tmp_path_factory.mktemp("reports-db") / "plan.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        seed_reference_data(session, holiday_years=range(2026, 2027))
        session.commit()
    plan_id = build_planned_database(engine)
    engine.dispose()
    return url, plan_id
