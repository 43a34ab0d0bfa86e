"""The run record always says how the search ended, also when the post-pass plan is kept."""

from __future__ import annotations

from luckygas.optimize import SolverParams, insertion, solver
from luckygas.optimize.result import RunRecord
from tests.optimize.helpers import FAST, order, problem, solve_checked, vehicle


def test_status_survives_a_kept_post_pass(monkeypatch) -> None:
    """A plan improved after the search still reports the search's status, not a blank."""
    evaluate = solver.evaluate
    kept = []

    def reversed_routes(sim, routes, deadline, max_seg=3):
        # Same stops, driven the other way round: a different plan the read will accept.
        return [list(reversed(r)) for r in routes]

    def cheaper_read(model, routes):
        raw = evaluate(model, routes)
        if raw is not None:
            raw.objective -= 1  # make the re-read plan win, as an improving post-pass does
            kept.append(raw)
        return raw

    monkeypatch.setattr(insertion, "improve_routes", reversed_routes)
    monkeypatch.setattr(solver, "evaluate", cheaper_read)
    params = FAST.replace(small_day_orders=0)
    assert isinstance(params, SolverParams)
    res = solve_checked(problem([order(i) for i in range(1, 6)], [vehicle(1)]), params)
    assert kept, "the post-pass plan was offered"
    assert res.run.status.startswith("ROUTING_")


# --- the outcome an analyst reads: one test per kind of ending ------------------------

#: A zig-zag start on the line world: 1 -> 6 -> 2 -> 5 -> 3 -> 4 drives 21 km for 6 km
#: of road, so any search improves it.
ZIGZAG = {1: [1, 6, 2, 5, 3, 4]}


def _zigzag_problem():
    return problem([order(i) for i in range(1, 7)], [vehicle(1)])


def test_nothing_to_plan_says_so() -> None:
    """A day without orders is not reported as a search that found nothing."""
    res = solve_checked(problem([], [vehicle(1)]))
    assert res.run.outcome() == "nothing to plan"
    assert "[nothing to plan" in res.summary()


def test_a_better_plan_than_the_start_says_searched_and_improved() -> None:
    """Re-planning a zig-zag route: the search improves it and says how it stopped."""
    res = solve_checked(_zigzag_problem(), FAST, initial_routes=ZIGZAG)
    assert res.run.start_objective is not None and res.run.objective is not None
    assert res.run.objective < res.run.start_objective
    assert res.run.outcome().startswith("searched and improved; stopped after")
    assert "deterministic" in res.run.outcome()


def test_a_clock_stopped_search_says_stopped_at_the_time_limit() -> None:
    """Without --deterministic, guided local search runs until the clock stops it."""
    params = SolverParams(time_limit_s=1.0).replace(small_day_orders=0)
    assert isinstance(params, SolverParams)
    res = solve_checked(_zigzag_problem(), params, initial_routes=ZIGZAG)
    assert res.run.outcome() == "searched and improved; stopped at the time limit"
    assert res.run.wall_s < 1.5


def test_an_optimal_start_is_kept_and_said_so() -> None:
    """Re-planning the best plan: the plan on screen comes back, labelled as kept."""
    p = _zigzag_problem()
    best = solve_checked(p, FAST, initial_routes=ZIGZAG)
    again = solve_checked(p, FAST, initial_routes=best.vehicle_routes())
    assert again.vehicle_routes() == best.vehicle_routes()
    assert again.run.outcome() == "kept the starting plan (the search found nothing better)"
    assert "no plan found" not in again.summary()


def _record(status: str, **kw: object) -> RunRecord:
    fields: dict = dict(
        solver="ortools", params=FAST.to_dict(), seed=0, time_limit_s=5.0, fingerprint="",
        wall_s=1.0, status=status, objective=100, solutions=3, start_objective=200,
    )  # fmt: skip
    fields.update(kw)
    return RunRecord(**fields)


def test_outcome_words_for_endings_a_tiny_day_cannot_force() -> None:
    """Statuses OR-Tools gives only on particular models, read as an analyst would."""
    assert _record("ROUTING_OPTIMAL").outcome() == "proven optimal"
    assert _record("START_KEPT", start_objective=100).outcome() == (
        "kept the starting plan (no time left to improve it)"
    )
    # The seeded-start fallback of a search that found nothing: a plan, not "no plan".
    assert _record("ROUTING_FAIL_TIMEOUT", objective=None).outcome() == (
        "no plan found in the time limit"
    )
    # A deterministic count cut short by the safety net is not reproducible: say so.
    cut = _record("ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED", solutions=10)
    assert (
        cut.outcome()
        == "searched and improved; stopped at the safety time limit (not reproducible)"
    )
    assert _record("NO_VEHICLES", objective=0).outcome() == "no vehicles available"
