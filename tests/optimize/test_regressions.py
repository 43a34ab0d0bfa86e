"""Named regressions for the earlier system's optimizer bugs (domain.md §4)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import luckygas.optimize.solver as solver_mod
from luckygas.domain import VehicleType
from luckygas.optimize import Depot, HaversineMatrix, Location, RoutingProblem, SolverParams
from luckygas.optimize.prepare import prepare
from tests.optimize.helpers import DATE, FAST, H, order, problem, route_of, solve_checked, vehicle


def test_bug2_time_matrix_is_seconds_from_metres_and_speed() -> None:
    """§4.2: 10 km of urban+open road is driven in minutes of seconds, not 'metres × 2'."""
    depot = Depot(0, "d", Location(22.75, 121.15))
    far = order(1, location=Location(22.75 + 10_000 / 1.3 / 111_195, 121.15))  # 10 km by road
    md = HaversineMatrix().build(depot, [far])
    d = int(md.distance_m[0, 1])
    assert abs(d - 10_000) < 20
    # 3 km urban at 30 km/h (360 s) + 7 km open road at 60 km/h (420 s) for a car.
    assert abs(int(md.duration_s[VehicleType.CAR][0, 1]) - 780) <= 2
    assert int(md.duration_s[VehicleType.CAR][0, 1]) != 2 * d


def test_bug3_each_capacity_dimension_sees_its_own_demand() -> None:
    """§4.3 late-binding closure: the 50 kg dimension carries 50 kg counts, 4 kg the 4 kg ones."""
    orders = [order(1, demand={50: 2}), order(2, demand={4: 7}), order(3, demand={20: 1, 16: 3})]
    prep = prepare(problem(orders, [vehicle(1)]), FAST)
    dims = dict(zip(prep.model.dim_names, prep.model.demands, strict=True))
    assert dims["load_50kg"] == [0, 2, 0, 0]
    assert dims["load_4kg"] == [0, 0, 7, 0]
    assert dims["load_20kg"] == [0, 0, 0, 1]
    assert dims["load_16kg"] == [0, 0, 0, 3]
    assert dims["load_kg"] == [0, 100, 28, 68]


def test_bug3_solver_respects_each_size_separately() -> None:
    """§4.3 end-to-end: 2 × 50 kg and 7 × 4 kg fit a vehicle with 2 × 50 kg and 7 × 4 kg slots."""
    caps = {50: 2, 20: 0, 16: 0, 10: 0, 4: 7}
    res = solve_checked(
        problem([order(1, demand={50: 2}), order(2, demand={4: 7})], [vehicle(1, capacity=caps)])
    )
    assert sorted(route_of(res, 1)) == [1, 2]


def test_bug4_optimizer_modules_import_cleanly() -> None:
    """§4.4: every optimizer module imports without error."""
    pkg = Path(solver_mod.__file__).parent
    for f in pkg.glob("*.py"):
        importlib.import_module(
            f"luckygas.optimize.{f.stem}" if f.stem != "__init__" else "luckygas.optimize"
        )


def test_bug5_disjunction_on_every_order_model_never_infeasible() -> None:
    """§4.5: every order (not just urgent ones) is droppable: too much work, a partial plan."""
    prep = prepare(problem([order(i) for i in range(1, 6)], [vehicle(1)]), FAST)
    assert all(p is not None and p > 0 for p in prep.model.penalties[1:])
    caps = {50: 0, 20: 2, 16: 0, 10: 0, 4: 0}
    res = solve_checked(problem([order(i) for i in range(1, 6)], [vehicle(1, capacity=caps)]))
    assert res.kpis["served"] == 2 and res.kpis["unassigned"] == 3


def test_bug7_time_limit_does_not_shrink_with_fleet() -> None:
    """§4.7: the search time limit is the configured one whatever the fleet size."""
    sp = solver_mod._search_params(SolverParams(time_limit_s=7.0))
    assert sp.time_limit.ToMilliseconds() == 7000
    assert "vehicles" not in inspect.signature(solver_mod._search_params).parameters


def test_bug1_depot_is_just_data() -> None:
    """§4.1: the depot is whatever the problem says (Taitung here, no hidden Taipei default)."""
    depot = Depot(7, "Taitung", Location(22.7553, 121.1504), 6 * H, 22 * H)
    p = RoutingProblem(DATE, depot, [order(1, location=Location(22.76, 121.15))], [vehicle(1)])
    res = solve_checked(p)
    # ~0.53 km straight line (× 1.3 road factor) out and back: a Taipei depot would be ~250 km.
    assert res.kpis["distance_km"] < 3


def test_bug6_reported_etas_come_from_the_matrix() -> None:
    """§4.6: stop times follow travel + service from the matrix, not a fixed 20 min per hop."""
    res = solve_checked(problem([order(3)], [vehicle(1)]))
    s = res.stops.iloc[0]
    assert int(s["travel_from_prev_s"]) == 180
    assert int(s["arrival_s"]) == int(res.routes["start_s"].iloc[0]) + 180
