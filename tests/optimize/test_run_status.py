"""The run record always says how the search ended, also when the post-pass plan is kept."""

from __future__ import annotations

import dataclasses

from luckygas.optimize import SolverParams, solver
from tests.optimize.helpers import FAST, order, problem, solve_checked, vehicle


def test_status_survives_a_kept_post_pass(monkeypatch) -> None:
    """A plan improved after the search still reports the search's status, not a blank."""
    read_fresh = solver._read_fresh
    kept = []

    def same_routes(model, manager, routing, solution, deadline):
        routes = []
        for v in range(routing.vehicles()):
            idx, nodes = solution.Value(routing.NextVar(routing.Start(v))), []
            while not routing.IsEnd(idx):
                nodes.append(manager.IndexToNode(idx))
                idx = solution.Value(routing.NextVar(idx))
            routes.append(nodes)
        return routes

    def cheaper_read(model, params, routes):
        raw = read_fresh(model, params, routes)
        if raw is not None:
            raw.objective -= 1  # make the re-read plan win, as an improving post-pass does
            kept.append(raw)
        return raw

    monkeypatch.setattr(solver, "_post_pass", same_routes)
    monkeypatch.setattr(solver, "_read_fresh", cheaper_read)
    params = dataclasses.replace(FAST, small_day_orders=0)
    assert isinstance(params, SolverParams)
    res = solve_checked(problem([order(i) for i in range(1, 6)], [vehicle(1)]), params)
    assert kept, "the post-pass plan was offered"
    assert res.run.status.startswith("ROUTING_")
