"""The small-day stop rule, the greedy fallback and the auto strategy (behaviour, not timing)."""

from __future__ import annotations

import pytest

from luckygas.optimize import SolverParams, check_plan, solve
from luckygas.optimize.greedy import greedy_routes
from luckygas.optimize.pipeline import solve_numeric
from luckygas.optimize.prepare import prepare
from luckygas.optimize.solver import auto_first_solution
from luckygas.optimize.synthetic import synthetic_day


@pytest.mark.parametrize("seed", [0, 6, 11])
def test_small_day_rule_matches_a_long_search(seed: int) -> None:
    """A 10-stop day under the small-day rule costs within 1 % of a 5 s guided local search."""
    p = synthetic_day(10, seed, n_trucks=1, n_motorcycles=1)
    quick = solve(p, SolverParams())
    long = solve(p, SolverParams(time_limit_s=5.0).replace(small_day_orders=0))
    assert check_plan(p, quick) == [] and check_plan(p, long) == []
    assert quick.run.first_solution == "pyvrp"
    assert quick.kpis["served"] >= long.kpis["served"]
    assert quick.kpis["objective"] <= long.kpis["objective"] * 1.01


def test_small_day_rule_stops_by_itself() -> None:
    """The small-day search ends at a local optimum, long before a generous time limit."""
    p = synthetic_day(10, 3, n_trucks=1, n_motorcycles=1)
    res = solve(p, SolverParams(time_limit_s=60.0))
    assert check_plan(p, res) == []
    assert res.run.status == "ROUTING_SUCCESS"  # not ..._TIMEOUT / LOCAL_OPTIMUM_NOT_REACHED
    assert res.run.solutions < 500


def test_small_day_rule_is_reproducible() -> None:
    """Two small-day solves of the same input give the same routes."""
    p = synthetic_day(12, 4, n_trucks=1, n_motorcycles=1)
    a, b = solve(p), solve(p)
    assert a.stops[["vehicle_id", "order_id"]].equals(b.stops[["vehicle_id", "order_id"]])


def test_greedy_construction_is_a_valid_start() -> None:
    """The nearest-neighbour construction with reloads, repaired by OR-Tools, passes the checker."""
    p = synthetic_day(80, 2)
    prep = prepare(p, SolverParams())
    routes = greedy_routes(prep.model)
    served = sum(1 for r in routes for n in r if not prep.model.is_reload(n))
    assert served >= 60
    raw = solve_numeric(
        prep.model,
        SolverParams(time_limit_s=2).replace(metaheuristic="GREEDY_DESCENT"),
        initial_routes=routes,
    )
    assert raw.seeded and sum(len(r) for r in raw.routes) > 0


def test_timeout_before_a_first_solution_falls_back_to_greedy() -> None:
    """A limit too short for the insertion heuristic still returns a real plan, not all dropped."""
    p = synthetic_day(150, 5)
    res = solve(
        p, SolverParams(time_limit_s=0.01).replace(first_solution="LOCAL_CHEAPEST_INSERTION")
    )
    assert check_plan(p, res) == []
    assert res.kpis["served"] >= 100


def test_auto_strategy_depends_on_size() -> None:
    """'auto' is parallel insertion on Solomon-sized models and local insertion on large days."""
    assert auto_first_solution(101) == "PARALLEL_CHEAPEST_INSERTION"
    assert auto_first_solution(260) == "LOCAL_CHEAPEST_INSERTION"


def test_short_limit_on_a_large_day_starts_from_greedy() -> None:
    """Under 0.02 s per order, 'auto' starts from the greedy construction and serves most."""
    p = synthetic_day(200, 7)
    res = solve(p, SolverParams(time_limit_s=1.0).replace(large_day_pyvrp_share=0.0))
    assert check_plan(p, res) == []
    assert res.run.first_solution in {"greedy", "greedy-fallback"}
    assert res.kpis["served"] >= 150
