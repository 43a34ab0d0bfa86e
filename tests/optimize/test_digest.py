"""Per-order digests: they change with what changes a plan, and with nothing else."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from luckygas.domain import Priority, VehicleRequirement, VehicleType
from luckygas.optimize.digest import order_digest, order_digests
from luckygas.optimize.problem import Depot, Location, Order, RoutingProblem, Vehicle

BASE = Order(
    id=1, customer_id=10, customer_name="龍鳳豆花", location=Location(22.75, 121.14),
    demand={20: 2}, windows=((8 * 3600, 12 * 3600),), address="中華路1號", notes="back door",
)  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"customer_id": 11},
        {"demand": {20: 3}},
        {"demand": {20: 2, 4: 1}},
        {"windows": ((9 * 3600, 12 * 3600),)},
        {"priority": Priority.URGENT},
        {"optional": True},
        {"closed_reason": "rest day (Sun)"},
        {"location": Location(22.76, 121.14)},
        {"location": None},
        {"requirement": VehicleRequirement.MOTORCYCLE},
    ],
)
def test_digest_changes_with_what_changes_a_plan(change):
    """Customer, quantities, windows, priority, optional, closed, location, requirement."""
    assert order_digest(dataclasses.replace(BASE, **change)) != order_digest(BASE)


@pytest.mark.parametrize(
    "change",
    [{"pinned_vehicle_id": 5}, {"customer_name": "新名"}, {"notes": ""}, {"address": "x"}],
)
def test_digest_ignores_pins_and_printed_text(change):
    """A pin is a panel setting; names and notes do not move a route."""
    assert order_digest(dataclasses.replace(BASE, **change)) == order_digest(BASE)


def test_order_digests_of_a_problem_are_keyed_by_order_id():
    """One short digest per order, stable across calls."""
    depot = Depot(id=1, name="TT", location=Location(22.75, 121.15))
    truck = Vehicle(id=5, name="T", type=VehicleType.LIGHT_TRUCK, capacity={20: 10}, max_kg=500)
    other = dataclasses.replace(BASE, id=2, customer_id=12)
    problem = RoutingProblem(dt.date(2025, 3, 3), depot, (BASE, other), (truck,))
    digests = order_digests(problem)
    assert list(digests) == [1, 2]
    assert digests[1] != digests[2] and digests == order_digests(problem)
    assert all(len(d) == 16 for d in digests.values())
