"""A realistic, reproducible demo database for Lucky Gas (幸福氣), Taitung.

>>> from luckygas.db import make_engine
>>> from luckygas.demo import DemoParams, build_demo_database
>>> summary = build_demo_database(make_engine("sqlite:///demo.sqlite"), DemoParams(seed=1))

Customers follow the real distributions of ``docs/domain.md``; the delivery
history comes from a seasonal, noisy consumption process per customer
(:mod:`luckygas.demo.history`); the open orders for the next delivery day are read off
the simulated state (:mod:`luckygas.demo.orders`).
"""

from luckygas.demo.build import (
    DemoDatabaseError,
    DemoSummary,
    build_demo_database,
    customer_metrics,
    database_fingerprint,
)
from luckygas.demo.fleet import DEMO_FLEET, VehicleSpec
from luckygas.demo.params import SEASONAL_FACTOR, DemoParams

__all__ = [
    "DEMO_FLEET",
    "SEASONAL_FACTOR",
    "DemoDatabaseError",
    "DemoParams",
    "DemoSummary",
    "VehicleSpec",
    "build_demo_database",
    "customer_metrics",
    "database_fingerprint",
]
