"""Demo databases shared by the demo tests: one full-size build and one small build."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from luckygas.db import make_engine
from luckygas.demo import DemoParams, DemoSummary, build_demo_database
from luckygas.models import Customer, CustomerCylinder, CustomerWindow, Delivery, Holiday, Order
from tests.factories import TEST_USER

SMALL = DemoParams(seed=11, n_customers=200, history_days=120)


@dataclass
class Demo:
    """A built demo and its tables as DataFrames."""

    engine: Engine
    params: DemoParams
    summary: DemoSummary
    customers: pd.DataFrame
    windows: pd.DataFrame
    cylinders: pd.DataFrame
    deliveries: pd.DataFrame
    orders: pd.DataFrame
    holidays: set


def _load(engine: Engine, params: DemoParams, summary: DemoSummary) -> Demo:
    with engine.connect() as conn:

        def frame(model) -> pd.DataFrame:
            return pd.read_sql(select(model.__table__), conn)

        holidays = set(conn.scalars(select(Holiday.day)))
        return Demo(
            engine=engine,
            params=params,
            summary=summary,
            customers=frame(Customer),
            windows=frame(CustomerWindow),
            cylinders=frame(CustomerCylinder),
            deliveries=frame(Delivery),
            orders=frame(Order),
            holidays=holidays,
        )


def _build(tmp_path_factory, name: str, params: DemoParams) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp(name) / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    # Built once per session, before the per-test $LUCKYGAS_USER: name the builder.
    summary = build_demo_database(engine, params, progress=False, admin=TEST_USER)
    yield _load(engine, params, summary)
    engine.dispose()


@pytest.fixture(scope="session")
def full_demo(tmp_path_factory) -> Iterator[Demo]:
    """The standard full-size demo (1,267 customers, two years), built once per session."""
    yield from _build(tmp_path_factory, "full", DemoParams())


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Iterator[Demo]:
    """A small demo (200 customers, 120 days) for quick checks."""
    yield from _build(tmp_path_factory, "small", SMALL)
