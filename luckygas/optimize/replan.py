"""Re-planning from a plan the analyst already has: warm-started and never worse.

The analyst's loop is: look at a plan, change one thing (lock the first stops of a
route, move an order to another vehicle, take a truck out, shift a driver), re-plan,
look again. Following how Timefold treats pinned entities and how OptimoRoute and
Routific let a dispatcher lock stops, a re-plan here

1. starts from the plan on screen, made feasible under today's rules by the exact
   route simulator (:mod:`~luckygas.optimize.insertion`): locked prefixes stay as they
   are, orders no longer plannable drop out, orders that lost their vehicle, new orders
   and moved (pinned) orders are inserted at their cheapest feasible place;
2. refuses, in one sentence and before any search, what cannot be done: a pinned
   order that fits nowhere on its vehicle (:class:`MoveRefused`), or locked stops
   that no longer fit (:class:`ReplanRefused`);
3. searches from that start with OR-Tools under every rule and the post-pass, and
4. returns the start itself if the search ends worse: a re-plan never serves fewer
   orders (optional forecast orders aside) or has a higher objective than its start.

With ``CostParams.keep_vehicle_cost`` the objective also charges each order that ends
on another vehicle than it had (see :func:`luckygas.optimize.prepare.prepare`), so a
small change gives a small diff.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from luckygas.optimize import insertion, solver
from luckygas.optimize.model import NumModel, ProgressFn, RawSolution
from luckygas.optimize.reasons import windows_text

if TYPE_CHECKING:
    from luckygas.optimize.params import SolverParams
    from luckygas.optimize.prepare import Prepared
    from luckygas.optimize.problem import RoutingProblem

# Share of the limit (at most START_MAX_S) for building the start: the simulator's
# repair and insertion take milliseconds on the demo day, the ejection pass longer when
# many orders are out.
START_SHARE = 0.15
START_MAX_S = 1.5


class ReplanRefused(ValueError):
    """A re-plan cannot keep what it was asked to keep; the message is one sentence."""


class MoveRefused(ReplanRefused):
    """A moved (pinned) order cannot go on the vehicle it was moved to."""


def run(
    problem: RoutingProblem,
    prep: Prepared,
    start: Sequence[Sequence[int]],
    params: SolverParams,
    progress: ProgressFn | None,
    t0: float,
) -> RawSolution:
    """Re-plan ``prep.model`` from node routes ``start`` (see the module docstring).

    Parameters
    ----------
    problem, prep
        The day and its numeric model (``prep.model.locked`` holds the locks).
    start
        Node lists per vehicle: the plan on screen.
    params
        Search settings; ``time_limit_s`` covers the whole re-plan from ``t0``.
    progress
        ``progress(elapsed_s, best)`` callback (already in TWD and counted from ``t0``).
    t0
        ``time.perf_counter()`` when the solve started.

    Returns
    -------
    RawSolution
        The better of the search's plan and the repaired start.

    Raises
    ------
    ReplanRefused, MoveRefused
        See the module docstring; nothing was searched.
    """
    from luckygas.optimize.pipeline import solve_numeric

    model = prep.model
    _check_prefiltered_pins(problem, prep)
    sim = insertion.RouteSimulator(model)
    _check_locks(problem, model, sim)
    repair_s = min(START_MAX_S, START_SHARE * params.time_limit_s)
    routes = repaired_start(sim, start, time.perf_counter() + repair_s)
    _check_pins(problem, prep, sim, routes)
    base = solver.evaluate(model, routes)
    if base is not None:
        base.first_solution, base.seeded = "plan on screen", True
        if progress is not None and base.objective is not None:
            progress(0.0, float(base.objective))
    left = params.time_limit_s - (time.perf_counter() - t0)
    budget = dataclasses.replace(params, time_limit_s=max(0.05, left))
    raw = solve_numeric(model, budget, progress, routes)
    raw.first_solution = "plan on screen"
    if base is not None:
        # The plan on screen (repaired) is what this re-plan must improve on.
        raw.start_objective = base.objective
    if base is None or _no_worse(model, prep, raw, base):
        return raw
    base.status, base.solutions = raw.status, raw.solutions + 1
    base.start_objective = base.objective
    return base


def repaired_start(
    sim: insertion.RouteSimulator, start: Sequence[Sequence[int]], deadline: float
) -> list[list[int]]:
    """``start`` made feasible, with every missing order inserted where it fits.

    Locked prefixes open their routes; an order that needs another order moved out of
    its way (a pinned order on a full route, say) gets one ejection chain.
    """
    n_veh = len(sim.model.vehicles)
    padded = [list(start[v]) if v < len(start) else [] for v in range(n_veh)]
    routes = insertion.make_feasible(sim, padded)
    routes = insertion.insert_unrouted(sim, routes, deadline)
    return insertion.insert_with_ejection(sim, routes, deadline)


def _served_required(model: NumModel, prep: Prepared, raw: RawSolution) -> int:
    """Served orders that are not optional (forecast) ones."""
    orders = prep.node_orders
    return sum(
        1
        for r in raw.routes
        for node in r
        if not model.is_reload(node) and not orders[node].optional  # type: ignore[union-attr]
    )


def _no_worse(model: NumModel, prep: Prepared, raw: RawSolution, base: RawSolution) -> bool:
    if raw.objective is None or base.objective is None:
        return raw.objective is not None
    return raw.objective <= base.objective and _served_required(
        model, prep, raw
    ) >= _served_required(model, prep, base)


def _check_locks(problem: RoutingProblem, model: NumModel, sim: insertion.RouteSimulator) -> None:
    for v, prefix in model.locked.items():
        if not sim.feasible(v, prefix):
            name = problem.vehicles[v].name
            raise ReplanRefused(
                f"The locked stops of {name} no longer fit its shift, the customers' "
                "windows or its load; unlock them or change the shift."
            )


def _check_prefiltered_pins(problem: RoutingProblem, prep: Prepared) -> None:
    """A pin the pre-filter already refused (wrong type, too big, out of reach)."""
    from luckygas.optimize.reasons import ReasonCode

    for u in prep.unassigned:
        if u.code == ReasonCode.PINNED_VEHICLE_UNAVAILABLE:
            vehicle = problem.vehicles_by_id[u.order.pinned_vehicle_id]  # type: ignore[index]
            raise MoveRefused(
                f"Order #{u.order.id} ({u.order.customer_name}) cannot go on {vehicle.name}: "
                f"{_detail(u.reason)}; the plan is unchanged."
            )


def _detail(reason: str) -> str:
    """The bracketed detail of a pinned-vehicle reason ("... (a motorcycle may not ...)")."""
    if "(" in reason and ")" in reason:
        return reason[reason.index("(") + 1 : reason.rindex(")")]
    return reason


def _check_pins(
    problem: RoutingProblem,
    prep: Prepared,
    sim: insertion.RouteSimulator,
    routes: list[list[int]],
) -> None:
    """Every pinned order that reached the solver is on its vehicle, or MoveRefused."""
    placed = {x: v for v, r in enumerate(routes) for x in r}
    vpos = {v.id: i for i, v in enumerate(problem.vehicles)}
    for node, order in enumerate(prep.node_orders):
        if order is None or order.pinned_vehicle_id is None:
            continue
        v = vpos[order.pinned_vehicle_id]
        if placed.get(node) != v:
            vehicle = problem.vehicles[v]
            raise MoveRefused(
                f"Order #{order.id} ({order.customer_name}) cannot go on {vehicle.name}: "
                f"{_why_not(sim, routes[v], node, v, order.windows)}; the plan is unchanged."
            )


def _why_not(
    sim: insertion.RouteSimulator,
    route: list[int],
    node: int,
    v: int,
    windows: tuple[tuple[int, int], ...],
) -> str:
    """The rule that keeps ``node`` off vehicle ``v``'s ``route``, in words."""
    used = set(route)
    spare = [r for r in sim.vehicles[v].reloads if r not in used]
    trials = [nr for _, nr in insertion.candidates(sim, v, route, node, spare)]
    if not any(sim.loads_ok(v, nr) for nr in trials):
        return "every trip is full and no further trip fits the day"
    return (
        f"no place on its route reaches the window {windows_text(windows)} "
        "within the driver's shift and break"
    )
