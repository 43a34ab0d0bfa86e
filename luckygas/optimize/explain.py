"""Why did the solver drop an order? Cheap counterfactual insertion tests.

For each dropped order we try (bounded in count and time): insertion into a route as
planned, the same with a 30 min longer shift, and a direct trip with one more vehicle of
a compatible type. The schedule simulation is approximate (the break is taken at the
first chance), which is fine for a sentence but is not used to build plans.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from luckygas.optimize import reasons as R
from luckygas.optimize.prepare import COST_SCALE, Unassigned

if TYPE_CHECKING:
    from luckygas.optimize.model import NumModel, RawSolution
    from luckygas.optimize.prepare import Prepared
    from luckygas.optimize.problem import Order, RoutingProblem

EXTRA_SHIFT_S = 1800
MAX_EXPLAINED = 60
MAX_SECONDS = 1.0


def route_feasible(model: NumModel, v: int, nodes: Sequence[int], extra_end_s: int = 0) -> bool:
    """Approximate feasibility of visiting ``nodes`` with vehicle ``v`` (earliest schedule)."""
    veh = model.vehicles[v]
    for d, cap in enumerate(veh.capacities):
        load = 0
        for n in nodes:  # a reload node (negative demand) empties the vehicle's load
            load = 0 if model.demands[d][n] < 0 else load + model.demands[d][n]
            if load > cap:
                return False
    tm = model.time_matrices[veh.time_key]
    t = veh.start_range[0]
    brk_taken = veh.break_ is None
    prev = 0
    for node in [*nodes, 0]:
        dep = t + model.service[prev]
        travel = tm[prev][node] - model.service[prev]
        if not brk_taken:
            earliest, latest, dur = veh.break_  # type: ignore[misc]
            if dep >= earliest or dep + travel > latest:
                dep = max(dep, earliest) + dur
                brk_taken = True
        arrive = dep + travel
        if node == 0:
            t = arrive
            break
        for a, b in model.windows[node]:
            if max(arrive, a) <= b:
                t = max(arrive, a)
                break
        else:
            return False
        prev = node
    if t > veh.end_range[1] + extra_end_s:
        return False
    return (
        veh.max_span is None
        or t - veh.start_range[0] <= veh.max_span + extra_end_s
        or _span_ok(model, v, nodes, extra_end_s)
    )


def _span_ok(model: NumModel, v: int, nodes: Sequence[int], extra: int) -> bool:
    # Leaving later can shorten the span when the first window opens late; a cheap bound.
    veh = model.vehicles[v]
    tm = model.time_matrices[veh.time_key]
    total = sum(tm[a][b] for a, b in zip([0, *nodes], [*nodes, 0], strict=True))
    return total + (veh.break_[2] if veh.break_ else 0) <= (veh.max_span or 0) + extra


def _insertable(model: NumModel, raw: RawSolution, node: int, extra: int) -> str | None:
    allowed = model.allowed[node]
    for v in range(len(model.vehicles)):
        if allowed is not None and v not in allowed:
            continue
        r = raw.routes[v]
        for pos in range(len(r) + 1):
            if route_feasible(model, v, [*r[:pos], node, *r[pos:]], extra):
                return str(v)
    return None


def _sentence(
    problem: RoutingProblem, prep: Prepared, raw: RawSolution, order: Order, node: int
) -> str:
    model = prep.model
    names = [v.name for v in problem.vehicles]
    if order.optional and str(order.priority) == "normal":
        pen = (model.penalties[node] or 0) / COST_SCALE
        return (
            f"Optional (forecast) refill skipped: serving it costs more than its {pen:.0f} TWD "
            "penalty; raise the penalty or plan it another day."
        )
    v = _insertable(model, raw, node, 0)
    if v is not None:
        return (
            f"It fits into {names[int(v)]}'s route but the search stopped before finding it; "
            "re-run with a longer time limit."
        )
    v = _insertable(model, raw, node, EXTRA_SHIFT_S)
    if v is not None:
        return f"Fleet full: it fits with a 30 min longer shift for {names[int(v)]}."
    allowed = model.allowed[node] if model.allowed[node] is not None else range(len(model.vehicles))
    types = {str(problem.vehicles[v].type) for v in allowed if route_feasible(model, v, [node])}
    if types:
        return (
            f"Fleet full: it fits if one more {sorted(types)[0].replace('_', ' ')} is added today."
        )
    return "Fleet full: no route had room for it (capacity/time); add a vehicle or move the order."


def explain_dropped(
    problem: RoutingProblem,
    prep: Prepared,
    raw: RawSolution,
    dropped: Sequence[Order],
    detailed: bool = True,
) -> list[Unassigned]:
    """FLEET_FULL entries for orders the solver left out, with the best sentence found in time."""
    node_of = prep.node_of()
    out = []
    t0 = time.perf_counter()
    generic = (
        "Fleet full: no route had room for it (capacity/time); add a vehicle or move the order."
    )
    for k, order in enumerate(dropped):
        if detailed and k < MAX_EXPLAINED and time.perf_counter() - t0 < MAX_SECONDS:
            text = _sentence(problem, prep, raw, order, node_of[order.id])
        else:
            text = generic
        out.append(Unassigned(order, R.ReasonCode.FLEET_FULL, text))
    return out
