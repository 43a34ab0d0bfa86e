"""Re-planning from the plan on screen: locks kept, pins honoured, never worse than the start."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from luckygas.domain import VehicleType
from luckygas.optimize import (
    MoveRefused,
    PlanResult,
    ReplanRefused,
    RoutingProblem,
    SolverParams,
    check_plan,
    solve,
)
from luckygas.optimize.synthetic import synthetic_day
from tests.optimize.helpers import FAST, H, order, problem, vehicle

#: Re-plans in the property tests: deterministic and quick.
QUICK = FAST.replace(solution_limit=30, small_day_orders=0)


def _served_required(result: PlanResult, p: RoutingProblem) -> int:
    optional = {o.id for o in p.orders if o.optional}
    return sum(1 for oid in result.stops["order_id"] if int(oid) not in optional)


def _stops(routes: dict[int, list[int | None]], vid: int) -> list[int]:
    return [o for o in routes.get(vid, []) if o is not None]


def _pin(p: RoutingProblem, order_id: int, vehicle_id: int) -> RoutingProblem:
    orders = tuple(
        dataclasses.replace(o, pinned_vehicle_id=vehicle_id) if o.id == order_id else o
        for o in p.orders
    )
    return dataclasses.replace(p, orders=orders)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=12, max_value=36),
    seed=st.integers(min_value=0, max_value=10_000),
    k=st.integers(min_value=1, max_value=6),
)
def test_lock_replan_keeps_the_locked_stops_and_is_never_worse(n: int, seed: int, k: int) -> None:
    """Locking the first stops of a route and re-planning serves no fewer orders, costs no more."""
    p = synthetic_day(n, seed, n_trucks=2, n_motorcycles=1)
    start = solve(p, QUICK)
    routes = start.vehicle_routes()
    if not routes:
        return
    vid = max(routes, key=lambda v: len(routes[v]))
    lock = {vid: routes[vid][: min(k, len(routes[vid]))]}
    again = solve(p, QUICK, initial_routes=routes, locked=lock)
    assert check_plan(p, again, locked=lock) == []
    want = [o for o in lock[vid] if o is not None]
    assert _stops(again.vehicle_routes(), vid)[: len(want)] == want
    assert _served_required(again, p) >= _served_required(start, p)
    assert again.kpis["objective"] <= start.kpis["objective"] + 1e-6


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=12, max_value=30), seed=st.integers(min_value=0, max_value=10_000))
def test_move_puts_the_order_on_its_new_vehicle_or_says_why(n: int, seed: int) -> None:
    """A moved order ends on the chosen vehicle, or the move is refused in one sentence."""
    p = synthetic_day(n, seed, n_trucks=2, n_motorcycles=1)
    start = solve(p, QUICK)
    routes = start.vehicle_routes()
    trucks = [v.id for v in p.vehicles if v.type != VehicleType.MOTORCYCLE]
    source = next((v for v in trucks if _stops(routes, v)), None)
    if source is None:
        return
    target = next(v for v in trucks if v != source)
    oid = _stops(routes, source)[-1]
    warm = {v: [o for o in r if o != oid] for v, r in routes.items()}
    moved = _pin(p, oid, target)
    try:
        again = solve(moved, QUICK, initial_routes=warm)
    except MoveRefused as exc:
        assert f"#{oid}" in str(exc) and "\n" not in str(exc)
        return
    assert oid in _stops(again.vehicle_routes(), target)
    assert check_plan(moved, again) == []


def test_a_pin_to_a_vehicle_of_the_wrong_type_is_refused_by_name() -> None:
    """50 kg cylinders moved to a motorcycle: refused, naming the order and the vehicle."""
    p = problem(
        [order(1, demand={50: 1}), order(2)],
        [vehicle(1), vehicle(2, VehicleType.MOTORCYCLE, max_kg=100)],
    )
    start = solve(p, FAST)
    with pytest.raises(MoveRefused, match=r"Order #1 \(cust1\) cannot go on v2"):
        solve(_pin(p, 1, 2), FAST, initial_routes=start.vehicle_routes())


def test_a_pin_to_a_full_vehicle_is_refused_and_says_it_is_full() -> None:
    """A one-trip vehicle whose single cylinder is pinned there already cannot take another."""
    small = {50: 0, 20: 1, 16: 0, 10: 0, 4: 0}
    p = problem(
        [order(1), order(2), order(3)],
        [vehicle(1), vehicle(2, capacity=small, max_kg=20, max_trips=1)],
    )
    routes = {1: [1, 2], 2: [3]}
    with pytest.raises(MoveRefused, match="every trip is full"):
        solve(_pin(_pin(p, 3, 2), 2, 2), FAST, initial_routes={1: [1], 2: [3]})
    # Unpinned, order 3 makes room: it moves to the roomy vehicle and order 2 goes on v2.
    moved = solve(_pin(p, 2, 2), FAST, initial_routes={1: [1], 2: [3]})
    assert _stops(moved.vehicle_routes(), 2) == [2]
    # The same move to the roomy vehicle goes through.
    again = solve(_pin(p, 3, 1), FAST, initial_routes=routes)
    assert 3 in _stops(again.vehicle_routes(), 1)


def test_new_orders_are_inserted_and_the_rest_keeps_its_vehicle() -> None:
    """An order added since the plan is served; with the keep weight the others stay put."""
    p = synthetic_day(30, 3, n_trucks=2, n_motorcycles=1)
    start = solve(p, QUICK)
    new = dataclasses.replace(p.orders[0], id=999, customer_id=999, customer_name="new")
    grown = dataclasses.replace(p, orders=(*p.orders, new))
    keep = QUICK.replace(keep_vehicle_cost=300.0)
    again = solve(grown, keep, initial_routes=start.vehicle_routes())
    assert 999 in set(again.stops["order_id"].astype(int))
    assert again.kpis["kept_vehicle_pct"] >= 90.0
    assert check_plan(grown, again) == []


def test_cancelled_orders_drop_out_of_the_start() -> None:
    """The plan on screen names an order cancelled since: the re-plan simply leaves it out."""
    p = synthetic_day(20, 5, n_trucks=2, n_motorcycles=1)
    start = solve(p, QUICK)
    gone = int(start.stops["order_id"].iloc[0])
    shrunk = dataclasses.replace(p, orders=tuple(o for o in p.orders if o.id != gone))
    again = solve(shrunk, QUICK, initial_routes=start.vehicle_routes())
    assert gone not in set(again.stops["order_id"].astype(int))
    assert _served_required(again, shrunk) >= _served_required(start, p) - 1


def test_locked_stops_that_no_longer_fit_are_refused() -> None:
    """The driver's shift now ends before the locked stops can be made: say so, don't search."""
    p = problem([order(1, windows=((9 * H, 10 * H),)), order(2)], [vehicle(1), vehicle(2)])
    start = solve(p, FAST)
    vid = int(start.stops.loc[start.stops["order_id"] == 1, "vehicle_id"].iloc[0])
    short = dataclasses.replace(
        p,
        vehicles=tuple(
            dataclasses.replace(v, shift_start_s=12 * H) if v.id == vid else v for v in p.vehicles
        ),
    )
    with pytest.raises(ReplanRefused, match=f"locked stops of v{vid}"):
        solve(short, FAST, initial_routes=start.vehicle_routes(), locked={vid: [1]})


def test_trips_survive_a_replan_that_changes_nothing() -> None:
    """A motorcycle's reloads come back as the same trips when nothing changed."""
    moto_caps = {50: 0, 20: 2, 16: 0, 10: 0, 4: 0}
    p = problem(
        [order(i) for i in range(1, 6)],
        [vehicle(1, VehicleType.MOTORCYCLE, capacity=moto_caps, max_kg=40, max_trips=4)],
    )
    start = solve(p, FAST)
    routes = start.vehicle_routes()
    assert None in routes[1], "the plan needs more than one trip"
    keep = FAST.replace(keep_vehicle_cost=300.0)
    again = solve(p, keep, initial_routes=routes)
    assert again.kpis["served"] == 5 and again.kpis["kept_vehicle_pct"] == 100.0
    assert again.kpis["objective"] <= start.kpis["objective"]
    assert check_plan(p, again) == []


def test_unserved_cost_counts_each_left_out_order_at_its_nominal_penalty() -> None:
    """Route cost + unserved cost: dropping an order never makes a plan look cheaper."""
    params = SolverParams(time_limit_s=5.0).replace(deterministic=True, solution_limit=60)
    p = problem([order(i) for i in range(1, 4)], [vehicle(1)])
    full = solve(p, params)
    none = solve(dataclasses.replace(p, vehicles=()), params)
    assert full.kpis["unserved_cost"] == 0
    assert none.kpis["unserved_cost"] == 3 * params.cost.drop_penalty_normal
    assert none.kpis["total_cost"] > full.kpis["total_cost"]
