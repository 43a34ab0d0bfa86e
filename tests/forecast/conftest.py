"""Fixtures for the forecast tests: small synthetic histories with known true rates."""

from __future__ import annotations

import pytest

from luckygas.forecast.simulate import SimulationParams, SyntheticHistory, simulate_history
from tests.forecast.forecast_helpers import load_into_db


@pytest.fixture(scope="session")
def history() -> SyntheticHistory:
    """120 customers over two years, a fifth of them changing regime once."""
    return simulate_history(SimulationParams(n_customers=120, seed=7))


@pytest.fixture(scope="session")
def regime_history() -> SyntheticHistory:
    """80 customers who *all* change regime, so the change logic is exercised in bulk."""
    return simulate_history(SimulationParams(n_customers=80, change_share=1.0, seed=11))


@pytest.fixture
def seeded_engine(db_engine, history):
    """The test database with 30 synthetic customers and their history, committed."""
    from sqlalchemy.orm import Session

    with Session(db_engine) as session:
        session.info["user"] = "tester"
        load_into_db(session, history, n=30)
        session.commit()
    return db_engine
