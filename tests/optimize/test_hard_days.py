"""Hard days never raise: they come back with reasons."""

from __future__ import annotations

from luckygas.domain import VehicleType
from tests.optimize.helpers import order, problem, reason, solve_checked, vehicle


def test_no_vehicles_marks_every_order() -> None:
    """No vehicle today: every order is unassigned with NO_COMPATIBLE_VEHICLE."""
    res = solve_checked(problem([order(1), order(2)], []))
    assert res.kpis["served"] == 0
    assert set(res.unassigned["reason_code"]) == {"NO_COMPATIBLE_VEHICLE"}


def test_all_orders_closed() -> None:
    """Every customer closed: all CLOSED_TODAY, no routes."""
    res = solve_checked(
        problem([order(i, closed_reason="national holiday") for i in (1, 2)], [vehicle(1)])
    )
    assert res.routes.empty and set(res.unassigned["reason_code"]) == {"CLOSED_TODAY"}


def test_zero_orders() -> None:
    """An empty day gives an empty plan with KPIs."""
    res = solve_checked(problem([], [vehicle(1)]))
    assert res.kpis["orders"] == 0 and res.routes.empty and res.stops.empty


def test_demand_far_above_capacity() -> None:
    """Twenty orders for a 4-cylinder motorcycle: a partial plan, the rest FLEET_FULL."""
    res = solve_checked(
        problem(
            [order(i, km=i % 12 + 1) for i in range(1, 21)],
            [
                vehicle(
                    1,
                    VehicleType.MOTORCYCLE,
                    capacity={50: 0, 20: 4, 16: 0, 10: 0, 4: 0},
                    max_kg=80,
                )
            ],
        )
    )
    assert res.kpis["served"] == 4
    assert (res.unassigned["reason_code"] == "FLEET_FULL").sum() == 16
    assert "one more motorcycle" in res.unassigned["reason"].iloc[0]


def test_single_order_bigger_than_any_vehicle() -> None:
    """4 × 50 kg against a 2-slot truck is DEMAND_EXCEEDS_CAPACITY with numbers in the sentence."""
    res = solve_checked(
        problem(
            [order(1, demand={50: 4})], [vehicle(1, capacity={50: 2, 20: 0, 16: 0, 10: 0, 4: 0})]
        )
    )
    assert reason(res, 1) == "DEMAND_EXCEEDS_CAPACITY"
    assert (
        "4 × 50 kg" in res.unassigned["reason"].iloc[0]
        and "carries 2" in res.unassigned["reason"].iloc[0]
    )


def test_no_coordinates() -> None:
    """An order without a location is NO_COORDINATES."""
    res = solve_checked(problem([order(1, location=None), order(2)], [vehicle(1)]))
    assert reason(res, 1) == "NO_COORDINATES"


def test_window_unreachable_sentence() -> None:
    """A 08:00-08:10 window 12 min from a depot opening at 08:00 is WINDOW_UNREACHABLE."""
    res = solve_checked(
        problem(
            [order(1, km=12, windows=((8 * 3600, 8 * 3600 + 600),))],
            [vehicle(1, shift_start_s=8 * 3600)],
        )
    )
    assert reason(res, 1) == "WINDOW_UNREACHABLE"
    assert (
        "08:00–08:10" in res.unassigned["reason"].iloc[0]
        and "12 min" in res.unassigned["reason"].iloc[0]
    )


def test_motorcycle_only_without_motorcycles_sentence() -> None:
    """The sentence names the missing motorcycle."""
    from luckygas.domain import VehicleRequirement

    res = solve_checked(
        problem([order(1, requirement=VehicleRequirement.MOTORCYCLE)], [vehicle(1)])
    )
    assert "no motorcycle in today's fleet" in res.unassigned["reason"].iloc[0]
