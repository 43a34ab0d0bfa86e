"""One hand-checkable case per Lucky Gas rule; every solve also passes check_plan."""

from __future__ import annotations

from luckygas.domain import Priority, VehicleRequirement, VehicleType
from luckygas.optimize import ServiceTime
from tests.optimize.helpers import FAST, H, order, problem, reason, route_of, solve_checked, vehicle


def test_per_size_capacity_splits_routes() -> None:
    """Two orders of 3 × 16 kg cannot share a vehicle that carries 4 × 16 kg."""
    caps = {50: 0, 20: 10, 16: 4, 10: 0, 4: 0}
    p = problem(
        [order(1, demand={16: 3}), order(2, demand={16: 3})],
        [vehicle(1, capacity=caps), vehicle(2, capacity=caps)],
    )
    res = solve_checked(p)
    assert res.kpis["served"] == 2
    assert sorted(len(route_of(res, v)) for v in (1, 2)) == [1, 1]
    assert res.routes["load_16kg"].max() == 3


def test_kg_capacity_binds_even_when_counts_fit() -> None:
    """Counts fit (2 × 20 kg twice) but 80 kg > max_kg 60 forces two vehicles."""
    p = problem(
        [order(1, demand={20: 2}), order(2, demand={20: 2})],
        [vehicle(1, max_kg=60), vehicle(2, max_kg=60)],
    )
    res = solve_checked(p)
    assert res.kpis["served"] == 2 and res.kpis["vehicles_used"] == 2


def test_multiple_windows_use_the_second_window_not_the_gap() -> None:
    """Open 08:00-08:04 and 14:00-15:00, 5 min from the depot at 08:00: served at 14:00."""
    o = order(5, windows=((8 * H, 8 * H + 240), (14 * H, 15 * H)))
    p = problem([o], [vehicle(1, shift_start_s=8 * H)])
    res = solve_checked(p)
    start = int(res.stops["start_s"].iloc[0])
    assert 14 * H <= start <= 15 * H
    assert int(res.stops["window_start_s"].iloc[0]) == 14 * H


def test_rest_day_order_is_closed_today() -> None:
    """An order with closed_reason comes back CLOSED_TODAY and is not routed."""
    p = problem([order(1, closed_reason="rest day (Mon)"), order(2)], [vehicle(1)])
    res = solve_checked(p)
    assert reason(res, 1) == "CLOSED_TODAY" and "rest day (Mon)" in res.unassigned["reason"].iloc[0]
    assert route_of(res, 1) == [2]


def test_service_time_is_base_plus_per_cylinder() -> None:
    """Service = 300 s + 2 × 180 s (20 kg) + 1 × 300 s (50 kg) = 960 s, and departure follows it."""
    st = ServiceTime()
    p = problem([order(1, demand={20: 2, 50: 1})], [vehicle(1)], service=st)
    res = solve_checked(p)
    s = res.stops.iloc[0]
    assert int(s["service_s"]) == 960
    assert int(s["departure_s"]) - int(s["start_s"]) == 960


def test_shift_bounds_route_times() -> None:
    """A 10:00-11:00 shift starts no earlier than 10:00 and a late-only order is dropped."""
    early = order(1)
    late = order(2, windows=((15 * H, 16 * H),))
    p = problem([early, late], [vehicle(1, shift_start_s=10 * H, shift_end_s=11 * H)])
    res = solve_checked(p)
    assert int(res.routes["start_s"].iloc[0]) >= 10 * H
    assert int(res.routes["end_s"].iloc[0]) <= 11 * H
    assert reason(res, 2) == "WINDOW_UNREACHABLE"


def test_break_is_really_taken() -> None:
    """A 08:00-18:00 route with a 60 min break between 11:30 and 13:30 contains that break."""
    orders = [
        order(i, windows=((8 * H, 10 * H),) if i <= 3 else ((14 * H, 16 * H),)) for i in range(1, 7)
    ]
    v = vehicle(
        1,
        break_start_earliest_s=11 * H + 1800,
        break_end_latest_s=13 * H + 1800,
        break_duration_s=3600,
    )
    res = solve_checked(problem(orders, [v]))
    r = res.routes.iloc[0]
    assert r["break_s"] == 3600
    b = int(r["break_start_s"])
    assert b >= 11 * H + 1800 and b + 3600 <= 13 * H + 1800
    # No service overlaps the break.
    for s in res.stops.itertuples():
        assert s.departure_s <= b or s.start_s >= b + 3600


def test_max_stops_per_route() -> None:
    """With max_stops=2 five orders need three vehicles."""
    p = problem([order(i) for i in range(1, 6)], [vehicle(v, max_stops=2) for v in (1, 2, 3)])
    res = solve_checked(p)
    assert res.kpis["served"] == 5
    assert res.routes["n_stops"].max() <= 2


def test_max_route_duration_limits_span() -> None:
    """A 2000 s max route fits one 10 km trip with 10 min service (1800 s), not two (2400 s)."""
    p = problem(
        [order(1, km=10), order(2, km=10)],
        [vehicle(1, max_route_s=2000), vehicle(2, max_route_s=2000)],
    )
    res = solve_checked(p)
    assert res.kpis["vehicles_used"] == 2
    assert ((res.routes["end_s"] - res.routes["start_s"]) <= 2000).all()


def test_motorcycle_only_customer_goes_by_motorcycle() -> None:
    """A motorcycle-only customer is never served by the (cheaper) truck."""
    p = problem(
        [order(1, requirement=VehicleRequirement.MOTORCYCLE)],
        [vehicle(1), vehicle(2, VehicleType.MOTORCYCLE, fixed_cost=1000)],
    )
    res = solve_checked(p)
    assert route_of(res, 2) == [1]


def test_fifty_kg_never_on_a_motorcycle() -> None:
    """An 'either' customer ordering 50 kg gets NO_COMPATIBLE_VEHICLE with only motorcycles."""
    p = problem([order(1, demand={50: 1}), order(2)], [vehicle(1, VehicleType.MOTORCYCLE)])
    res = solve_checked(p)
    assert reason(res, 1) == "NO_COMPATIBLE_VEHICLE"
    assert route_of(res, 1) == [2]


def test_car_only_customer_never_by_motorcycle() -> None:
    """A car-only customer is not served when only a motorcycle runs."""
    p = problem(
        [order(1, requirement=VehicleRequirement.CAR)], [vehicle(1, VehicleType.MOTORCYCLE)]
    )
    res = solve_checked(p)
    assert reason(res, 1) == "NO_COMPATIBLE_VEHICLE"
    assert "car-only" in res.unassigned["reason"].iloc[0]


def test_fixed_cost_reduces_vehicles() -> None:
    """With a large fixed cost two nearby orders share one vehicle."""
    vs = [vehicle(v, fixed_cost=5000) for v in (1, 2, 3)]
    res = solve_checked(problem([order(1), order(2), order(3)], vs))
    assert res.kpis["vehicles_used"] == 1


def test_emergency_served_before_normal_when_capacity_short() -> None:
    """One slot of capacity: the emergency order wins over two normal ones."""
    caps = {50: 0, 20: 1, 16: 0, 10: 0, 4: 0}
    orders = [order(1), order(2), order(3, km=11, priority=Priority.EMERGENCY)]
    res = solve_checked(problem(orders, [vehicle(1, capacity=caps)]))
    assert route_of(res, 1) == [3]
    assert reason(res, 1) == "FLEET_FULL" and reason(res, 2) == "FLEET_FULL"


def test_urgent_beats_normal() -> None:
    """Urgent beats normal for the last slot."""
    caps = {50: 0, 20: 1, 16: 0, 10: 0, 4: 0}
    res = solve_checked(
        problem([order(1), order(2, km=9, priority=Priority.URGENT)], [vehicle(1, capacity=caps)])
    )
    assert route_of(res, 1) == [2]


def test_optional_dropped_first() -> None:
    """With room for one order, the normal order is served and the forecast one dropped."""
    caps = {50: 0, 20: 1, 16: 0, 10: 0, 4: 0}
    res = solve_checked(
        problem([order(1, optional=True), order(2, km=12)], [vehicle(1, capacity=caps)])
    )
    assert route_of(res, 1) == [2]
    assert "Optional" in res.unassigned["reason"].iloc[0]


def test_pinned_order_stays_on_its_vehicle() -> None:
    """A pinned order rides its vehicle even though another is free and cheaper."""
    res = solve_checked(
        problem([order(1, pinned_vehicle_id=2), order(2)], [vehicle(1), vehicle(2, cost_per_km=50)])
    )
    assert 1 in route_of(res, 2)


def test_pinned_to_incompatible_vehicle_is_reported() -> None:
    """Pinning a 50 kg order to a motorcycle gives PINNED_VEHICLE_UNAVAILABLE."""
    res = solve_checked(
        problem(
            [order(1, demand={50: 1}, pinned_vehicle_id=2)],
            [vehicle(1), vehicle(2, VehicleType.MOTORCYCLE)],
        )
    )
    assert reason(res, 1) == "PINNED_VEHICLE_UNAVAILABLE"


def test_locked_prefix_kept_and_new_orders_inserted() -> None:
    """Re-optimisation keeps the locked prefix [3, 1] on vehicle 1 and still serves new orders."""
    orders = [order(i) for i in range(1, 6)]
    locked = {1: [3, 1]}
    res = solve_checked(problem(orders, [vehicle(1), vehicle(2)]), locked=locked)
    assert route_of(res, 1)[:2] == [3, 1]
    assert res.kpis["served"] == 5


def test_warm_start_from_initial_routes() -> None:
    """initial_routes is accepted as a warm start and the plan stays valid."""
    orders = [order(i) for i in range(1, 6)]
    res = solve_checked(
        problem(orders, [vehicle(1), vehicle(2)]), initial_routes={2: [5, 4, 3, 2, 1]}
    )
    assert res.kpis["served"] == 5 and res.run.seeded


def test_pyvrp_seed_keeps_constraints() -> None:
    """PyVRP seeding (which ignores breaks and compatibility) still yields a checker-valid plan."""
    orders = [
        order(
            i,
            requirement=VehicleRequirement.MOTORCYCLE if i % 3 == 0 else VehicleRequirement.EITHER,
            windows=((8 * H, 11 * H), (14 * H, 17 * H)),
        )
        for i in range(1, 11)
    ]
    vs = [
        vehicle(1, break_start_earliest_s=12 * H, break_end_latest_s=14 * H, break_duration_s=1800),
        vehicle(2, VehicleType.MOTORCYCLE),
    ]
    params = FAST.replace(pyvrp_seed_s=0.3)
    res = solve_checked(problem(orders, vs), params)
    assert res.kpis["served"] == 10
