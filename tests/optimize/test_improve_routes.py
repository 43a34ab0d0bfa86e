"""The post-pass descent on the exact simulator: only feasible, cheaper plans."""

from __future__ import annotations

import dataclasses
import time

from luckygas.optimize import insertion
from luckygas.optimize.model import NumModel, NumVehicle


def _line_model() -> NumModel:
    """Depot at 0 and four stops on a line; one vehicle with a generous shift."""
    pos = [0, 1, 2, 3, 4]
    mat = [[abs(a - b) * 10 for b in pos] for a in pos]
    veh = NumVehicle(
        time_key="t", cost_key="c", capacities=(100,), start_range=(0, 0), end_range=(0, 10_000)
    )
    return NumModel(
        n_nodes=5,
        vehicles=[veh],
        cost_matrices={"c": mat},
        time_matrices={"t": mat},
        dim_names=("kg",),
        demands=([0, 1, 1, 1, 1],),
        service=[0] * 5,
        windows=[(), (), (), (), ()],
        penalties=[None, 10**6, 10**6, 10**6, 10**6],
        allowed=[None] * 5,
        horizon=10_000,
    )


def test_descent_untangles_a_zigzag_route() -> None:
    """A zig-zag visiting order is straightened to the cheapest order along the line."""
    model = _line_model()
    sim = insertion.RouteSimulator(model)
    routes = [[3, 1, 4, 2]]
    out = insertion.improve_routes(sim, routes, time.perf_counter() + 5)
    assert sorted(out[0]) == [1, 2, 3, 4]
    assert sim.route_cost(0, out[0]) == 80 < sim.route_cost(0, routes[0])
    assert sim.feasible(0, out[0])


def test_descent_never_breaks_a_window() -> None:
    """An equally cheap order that would miss a time window or the shift end is not taken."""
    model = _line_model()
    model.windows[1] = ((85, 100),)  # stop 1 late and back by 100: 1-2-3-4 is out
    model.vehicles[0] = dataclasses.replace(model.vehicles[0], end_range=(0, 100))
    sim = insertion.RouteSimulator(model)
    routes = [[4, 2, 3, 1]]
    assert sim.feasible(0, routes[0]) and not sim.feasible(0, [1, 2, 3, 4])
    out = insertion.improve_routes(sim, routes, time.perf_counter() + 5)
    assert sim.feasible(0, out[0]) and sim.route_cost(0, out[0]) == 80 < 100
