"""Exact route simulation, insertion with reloads, ejection, and the PyVRP seed (no timing)."""

from __future__ import annotations

import random

import pytest

from luckygas.optimize import ServiceTime, SolverParams, check_plan, solve
from luckygas.optimize import insertion as ins
from luckygas.optimize.prepare import prepare
from luckygas.optimize.seeding import plan_score, pyvrp_starts
from luckygas.optimize.solver import _search_params, accepts_routes
from luckygas.optimize.synthetic import synthetic_day

from .helpers import H, line_matrix, order, problem, vehicle

TWO = {50: 0, 20: 2, 16: 0, 10: 0, 4: 0}


def _random_routes(model, rng: random.Random) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """Random routes over allowed vehicles, with a reload now and then."""
    n_veh = len(model.vehicles)
    routes: list[list[int]] = [[] for _ in range(n_veh)]
    spare = {
        v: [i for i in range(model.n_nodes) if model.is_reload(i) and model.reload_vehicle[i] == v]
        for v in range(n_veh)
    }
    customers = [i for i in range(1, model.n_nodes) if not model.is_reload(i)]
    rng.shuffle(customers)
    for node in customers[: rng.randint(1, len(customers))]:
        allowed = model.allowed[node] or list(range(n_veh))
        v = rng.choice(allowed)
        if routes[v] and spare[v] and rng.random() < 0.2:
            routes[v].append(spare[v].pop())
        routes[v].append(node)
    return routes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulator_agrees_with_ortools_route_by_route(seed: int) -> None:
    """The Python route check says yes exactly when OR-Tools does (breaks, reloads, windows)."""
    p = synthetic_day(30, seed, n_trucks=2, n_motorcycles=1)
    model = prepare(p, SolverParams()).model
    sim = ins.RouteSimulator(model)
    rng = random.Random(seed)
    agree = checked = 0
    for _ in range(12):
        routes = _random_routes(model, rng)
        for v, r in enumerate(routes):
            only = [[] for _ in routes]
            only[v] = r
            checked += 1
            agree += sim.feasible(v, r) == accepts_routes(model, only)
    assert agree == checked


def test_insertion_adds_an_order_with_the_reload_it_needs() -> None:
    """An order that fits only after a trip back to the depot is inserted with that reload."""
    p = problem(
        [order(i) for i in range(1, 6)], [vehicle(1, capacity=TWO, max_trips=3, reload_s=900)]
    )
    model = prepare(p, SolverParams()).model
    sim = ins.RouteSimulator(model)
    reloads = [i for i in range(model.n_nodes) if model.is_reload(i)]
    start = [[1, 2, reloads[0], 3, 4]]
    assert sim.feasible(0, start[0])
    out = ins.insert_unrouted(sim, start, deadline=float("inf"))
    assert 5 in out[0] and all(r in out[0] for r in reloads)
    assert sim.feasible(0, out[0]) and accepts_routes(model, out)


def test_order_needing_a_trip_of_its_own_is_found_behind_cheaper_places() -> None:
    """A full load that fits only as a new trip is inserted, however many cheaper places fail.

    Regression: the demo day left a 60 kg motorcycle-only order out because its only
    feasible places (a trip of its own) came after the 400 cheapest, all infeasible.
    """
    n = 20
    cap = {50: 0, 20: 2, 16: 0, 10: 0, 4: 0}
    orders = [order(i) for i in range(1, n + 1)] + [order(n + 1, km=n, demand={20: 2})]
    one = vehicle(1, capacity=cap, max_trips=n, reload_s=300, shift_end_s=23 * H)
    p = problem(orders, [one], matrix=line_matrix(n))
    prep = prepare(p, SolverParams())
    model = prep.model
    node = {o.id: i for i, o in enumerate(prep.node_orders) if o}
    reloads = [i for i in range(model.n_nodes) if model.is_reload(i)]
    full: list[int] = []  # trips of two 20 kg orders each: the vehicle is always full
    for k in range(n // 2):
        full += [reloads[k - 1]] if k else []
        full += [node[2 * k + 1], node[2 * k + 2]]
    sim = ins.RouteSimulator(model)
    assert sim.feasible(0, full)
    assert node[n + 1] not in ins.insert_unrouted(sim, [full], float("inf"), max_checks=400)[0]
    out = ins.insert_unrouted(sim, [full], float("inf"))
    assert node[n + 1] in out[0] and sim.feasible(0, out[0]) and accepts_routes(model, out)


def test_make_feasible_trims_an_overloaded_route() -> None:
    """A seed route carrying more than the vehicle holds is cut back to a feasible one."""
    p = problem([order(i) for i in range(1, 5)], [vehicle(1, capacity=TWO)])
    model = prepare(p, SolverParams()).model
    sim = ins.RouteSimulator(model)
    assert not sim.feasible(0, [1, 2, 3, 4])
    fixed = ins.make_feasible(sim, [[1, 2, 3, 4]])
    assert fixed == [[1, 2]] and accepts_routes(model, fixed)


def test_break_needs_a_gap_for_travel_and_break() -> None:
    """A lunch break squeezed between back-to-back services is rejected, as by OR-Tools."""
    brk = {
        "break_start_earliest_s": 9 * H,
        "break_end_latest_s": 10 * H,
        "break_duration_s": H // 2,
    }
    # 30 min services 1 km (60 s) apart from 08:01; order 3 must start by 09:05 and the
    # break must start by 09:30: with 1, 2 and 3 there is no gap for it.
    orders = [
        order(i, windows=((8 * H, 9 * H + 300),) if i == 3 else ((8 * H, 20 * H),))
        for i in (1, 2, 3, 4)
    ]
    p = problem(orders, [vehicle(1, **brk)], service=ServiceTime(base_s=1800, per_cylinder_s={}))
    model = prepare(p, SolverParams()).model
    sim = ins.RouteSimulator(model)
    expected = {(1, 2, 3, 4): False, (1, 2, 3): False, (1, 2): True, (1,): True}
    for route, ok in expected.items():
        assert sim.feasible(0, list(route)) is ok
        assert accepts_routes(model, [list(route)]) is ok


def test_ejection_moves_one_order_to_make_room() -> None:
    """An order pinned to a full vehicle gets in when another order moves to a free vehicle."""
    svc = {"service_s": 1800}
    short = vehicle(1, shift_start_s=8 * H, shift_end_s=9 * H)
    p = problem([order(1, **svc), order(2, pinned_vehicle_id=1, **svc)], [short, vehicle(2)])
    model = prepare(p, SolverParams()).model
    sim = ins.RouteSimulator(model)
    node = {o.id: i for i, o in enumerate(prepare(p, SolverParams()).node_orders) if o}
    start = [[node[1]], []]
    assert ins.insert_unrouted(sim, start, float("inf")) == start  # no room as is
    out = ins.insert_with_ejection(sim, start, float("inf"))
    assert out == [[node[2]], [node[1]]]
    assert accepts_routes(model, out)


def test_parallel_pyvrp_seed_is_feasible_and_complete() -> None:
    """Two PyVRP seeds (one in a second process), repaired, give routes OR-Tools accepts."""
    p = synthetic_day(40, 8, n_trucks=2, n_motorcycles=1)
    model = prepare(p, SolverParams()).model
    starts = pyvrp_starts(model, 0.3, seed=0, workers=2)
    assert starts
    routes = starts[0]
    assert accepts_routes(model, routes)
    served = sum(1 for r in routes for x in r if not model.is_reload(x))
    assert served >= 36
    assert plan_score(model, routes) < plan_score(model, [[] for _ in routes])


def test_large_day_seeded_by_pyvrp_passes_the_checker() -> None:
    """A 120-order day starts from PyVRP (breaks, two-window orders, reloads) and checks out."""
    p = synthetic_day(120, 9)
    assert any(len(o.windows) > 1 for o in p.orders)
    res = solve(p, SolverParams(time_limit_s=3.0))
    assert check_plan(p, res) == []
    assert res.run.first_solution == "pyvrp"
    assert res.kpis["served"] >= 110


def test_nested_search_limit_grows_with_the_model() -> None:
    """Warm starts on 1,000+ node days get time to be completed (they failed at once before)."""
    small = _search_params(SolverParams(), 30).lns_time_limit.ToMilliseconds()
    large = _search_params(SolverParams(), 1200).lns_time_limit.ToMilliseconds()
    assert small == 100 and large >= 2000
    det = _search_params(
        SolverParams().replace(deterministic=True), 1200
    ).lns_time_limit.ToSeconds()
    assert det == 3600
