"""The run record always says how the search ended, also when the post-pass plan is kept."""

from __future__ import annotations

from luckygas.optimize import SolverParams, insertion, solver
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
