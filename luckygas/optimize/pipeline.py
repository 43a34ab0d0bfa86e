"""One delivery day from problem to plan: prepare, start, search, repair, explain.

The stages, in the order :func:`solve` runs them:

1. **prepare** (:mod:`~luckygas.optimize.prepare`): orders that can never be served today
   leave with a reason; the rest become an integer :class:`NumModel`.
2. **start**: a re-plan starts from the plan it is given (:mod:`~luckygas.optimize.replan`);
   a fresh plan from PyVRP's routes (:mod:`~luckygas.optimize.seeding`) on small and
   large days, from a nearest-neighbour construction when OR-Tools' own insertion would
   eat the limit, else from OR-Tools' first-solution strategy.
3. **search**: OR-Tools under every rule (:mod:`~luckygas.optimize.solver`, the only
   module importing it), on both cores on a large day.
4. **repair**: a Python post-pass inserts what the search left out (with a reload when
   needed) and descends on the true cost (:mod:`~luckygas.optimize.insertion`).
5. **explain**: why each order left out was left out (:mod:`~luckygas.optimize.explain`),
   then the plan as DataFrames (:mod:`~luckygas.optimize.result`).

Like PyVRP's ``solve.py``, this module only decides *what* runs and with how much of the
time limit; each stage lives in its own module.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence

from luckygas.optimize import geometry, insertion, solver
from luckygas.optimize.assemble import build_result
from luckygas.optimize.matrix import default_matrix
from luckygas.optimize.model import NumModel, ProgressFn, RawSolution
from luckygas.optimize.params import SolverParams
from luckygas.optimize.problem import RoutingProblem
from luckygas.optimize.result import PlanResult, RunRecord
from luckygas.optimize.solver import SOLVER_NAME, SearchOptions

_LOG = logging.getLogger(__name__)
# "auto" starts from the greedy construction when OR-Tools' insertion would eat the time
# limit. Measured on a 2-core machine: local cheapest insertion took 1.5-3.2 s for ~220
# orders and 24 s for 500 (it grows about as n^3), so: below 0.02 s per order, or above
# GREEDY_ABOVE_ORDERS orders, use greedy.
GREEDY_SECONDS_PER_ORDER = 0.02
GREEDY_ABOVE_ORDERS = 300
# Share of the time limit kept for the insertion post-pass (at most POST_PASS_MAX_S).
POST_PASS_SHARE = 0.08
POST_PASS_MAX_S = 2.0
# Share of the time limit kept, on a large day, for the end of the two searches.
FINISH_SHARE = 0.04
FINISH_MAX_S = 0.5
# GLS penalty factor of the second-core search when both cores start from the same plan
# (OR-Tools' default is 0.1; on the demo day 0.05 ended elsewhere, 0.2 at the same plan).
OTHER_GLS_LAMBDA = 0.05


def solve(
    problem: RoutingProblem,
    params: SolverParams | None = None,
    progress: ProgressFn | None = None,
    initial_routes: Mapping[int, Sequence[int | None]] | None = None,
    locked: Mapping[int, Sequence[int | None]] | None = None,
) -> PlanResult:
    """Plan one delivery day, or re-plan it from a plan the analyst has.

    Parameters
    ----------
    problem
        The day to plan.
    params
        Search settings; defaults to ``SolverParams()``.
    progress
        Optional ``progress(elapsed_s, best_cost)`` callback; ``best_cost`` is the
        objective in TWD: route costs plus the penalties of orders left unserved.
    initial_routes
        ``{vehicle_id: [order_id or None, ...]}``: re-plan from this plan (``None``
        between two trips, as :meth:`PlanResult.vehicle_routes` gives). Orders no
        longer plannable drop out, new ones are inserted, pinned orders go on their
        vehicle, and the result is never worse than this start made feasible: not
        fewer orders served, not a higher objective (see :mod:`luckygas.optimize.replan`).
    locked
        ``{vehicle_id: [order_id or None, ...]}``: stops already committed (dispatched
        or locked by the analyst); they open that vehicle's route in this order.

    Returns
    -------
    PlanResult
        Routes, stops, unassigned orders with reasons, KPIs and a run record. Never
        raises for a hard day (no vehicles, nothing open, too much demand).

    Raises
    ------
    ValueError
        If ``initial_routes``/``locked`` refer to unknown vehicles or orders.
    luckygas.optimize.replan.ReplanRefused
        In a re-plan, when a pinned order cannot go on its vehicle or locked stops no
        longer fit (:class:`~luckygas.optimize.replan.MoveRefused` for a pin); the
        message is one sentence for the analyst.
    """
    from luckygas.optimize import explain, prepare, replan

    params = params or SolverParams()
    t0 = time.perf_counter()
    if progress is not None:
        progress = _since(_in_twd(progress), t0)
    prep = prepare.prepare(problem, params, locked=_strip(locked), start=initial_routes)
    if locked:
        prep.model.locked = prep.locks_to_nodes(_strip(locked) or {})
    model = prep.model
    if not (model.n_nodes > 1 and model.vehicles):
        raw = _nothing_to_plan(model, progress)
    elif initial_routes is not None:
        start = prep.routes_to_nodes(initial_routes)
        raw = replan.run(problem, prep, start, params, progress, t0)
    else:
        raw = _fresh(model, params, progress, t0)
    visited = {node for r in raw.routes for node in r}
    dropped = [o for i, o in enumerate(prep.node_orders) if o is not None and i not in visited]
    unassigned = list(prep.unassigned)
    unassigned += explain.explain_dropped(
        problem, prep, raw, dropped, params.search.explain_dropped
    )
    run = RunRecord(
        solver=SOLVER_NAME,
        params=params.to_dict(),
        seed=params.search.seed,
        time_limit_s=params.time_limit_s,
        fingerprint=problem.fingerprint(),
        wall_s=time.perf_counter() - t0,
        status=raw.status,
        objective=raw.objective,
        solutions=raw.solutions,
        seeded=raw.seeded,
        first_solution=raw.first_solution,
        start_objective=raw.start_objective,
        matrix=(problem.matrix or default_matrix()).describe(),
    )
    result = build_result(problem, prep, raw, unassigned, run, start_routes=initial_routes)
    result.paths = geometry.road_trip_lines(problem, result)
    return result


def _strip(
    locked: Mapping[int, Sequence[int | None]] | None,
) -> dict[int, list[int | None]] | None:
    """Locks without trailing reload markers (a lock ends on a stop) or empty prefixes."""
    if not locked:
        return None
    out = {}
    for vid, oids in locked.items():
        nodes = list(oids)
        while nodes and nodes[-1] is None:
            nodes.pop()
        if nodes:
            out[vid] = nodes
    return out or None


def _nothing_to_plan(model: NumModel, progress: ProgressFn | None) -> RawSolution:
    if progress is not None:
        progress(0.0, None)
        progress(0.0, 0.0)
    return RawSolution.empty(model, "NOTHING_TO_PLAN", objective=0)


def _fresh(
    model: NumModel, params: SolverParams, progress: ProgressFn | None, t0: float
) -> RawSolution:
    """A plan from scratch: the small- and large-day rules of :class:`SolverParams`."""
    from luckygas.optimize import seeding

    rules = params.seeding
    small = model.n_customers <= rules.small_day_orders
    large = (
        rules.large_day_orders > 0
        and model.n_customers >= rules.large_day_orders
        and rules.large_day_pyvrp_share > 0
        and not params.search.deterministic
    )
    seed_s = rules.pyvrp_seed_s or (
        rules.large_day_pyvrp_share * params.time_limit_s if large else 0
    )
    start: list[list[int]] | None = None
    other: list[list[int]] | None = None
    label = ""
    if small:  # a bounded number of iterations: a few ms, and reproducible
        start = seeding.pyvrp_routes(
            model, max(seed_s, params.time_limit_s / 2), params.search.seed,
            rules.small_day_pyvrp_iterations,
        )  # fmt: skip
    elif seed_s > 0:
        if not rules.pyvrp_seed_s:  # the share covers preparation too
            seed_s = max(seed_s - (time.perf_counter() - t0), 0.05)
        starts = seeding.pyvrp_starts(
            model, seed_s, params.search.seed, rules.seed_workers, progress
        )
        start = starts[0] if starts else None
        if large and not model.locked and len(starts) > 1:
            other = starts[1]
    if start is not None:
        label = "pyvrp"
    _LOG.debug("solve: prepare+seed %.2f s (seed %r)", time.perf_counter() - t0, label)
    # The time limit covers the whole solve: OR-Tools gets what preparation and seeding
    # left (an explicit pyvrp_seed_s is extra time, as before).
    spent = time.perf_counter() - t0 if not rules.pyvrp_seed_s else 0.0
    if other is not None:
        # Two searches end with a second process handing its plan back, and the
        # post-pass's read can overrun its reserve: measured 0.2-0.3 s past a 10 s
        # limit on the demo day without this margin.
        spent += min(FINISH_SHARE * params.time_limit_s, FINISH_MAX_S)
    search = dataclasses.replace(params, time_limit_s=max(params.time_limit_s - spent, 0.05))
    if other is not None:
        raw = _two_searches(model, search, progress, start, other)  # type: ignore[arg-type]
    else:
        raw = solve_numeric(model, search, progress, start, small_day=small)
    if label and raw.first_solution == "initial routes":
        raw.first_solution = label
    if small and label and raw.served(model) < model.n_customers:
        # Greedy descent cannot add a reload and an order in one move, so a seed that
        # left an order out may keep it out: try OR-Tools' own start too, keep the best.
        alt = solve_numeric(model, search, progress, None, small_day=True)
        if _better(alt, raw):
            alt.solutions += raw.solutions
            raw = alt
    return raw


def solve_numeric(
    model: NumModel,
    params: SolverParams,
    progress: ProgressFn | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    *,
    small_day: bool = False,
    post_pass: bool = True,
    gls_lambda: float | None = None,
) -> RawSolution:
    """Search ``model`` within ``params.time_limit_s``: start, OR-Tools, post-pass.

    The Solomon benchmark (``benchmarks/vrptw.py``) calls this directly, so it shares
    exactly the Lucky Gas code path.

    Parameters
    ----------
    model
        The numeric model (node 0 = depot).
    params
        Search settings.
    progress
        Called with ``(elapsed_s, best_objective)`` at start, on every improving
        solution and at the end.
    initial_routes
        Node lists per vehicle to start from; repaired and completed in Python first
        (exact simulation of every rule, cheapest insertion with a reload when needed).
    small_day
        Apply the small-day stop rule (see :class:`SolverParams`): greedy descent from
        the given start, or GLS limited to ``20 × customers`` solutions without one.
    post_pass
        After the search, insert dropped orders by cheapest feasible insertion (with a
        reload if needed) and keep the result if it is better (``POST_PASS_SHARE`` of
        the time limit is kept for it).
    gls_lambda
        Guided local search's penalty factor instead of OR-Tools' default (0.1).

    Returns
    -------
    RawSolution
        Routes, times and search statistics (empty routes if nothing was found).
    """
    t0 = time.perf_counter()
    if not model.vehicles:
        return RawSolution.empty(model, "NO_VEHICLES")
    post_s = 0.0 if small_day or not post_pass else post_pass_seconds(params.time_limit_s)
    start, label = _start(model, params, initial_routes, max(0.05, post_s))
    options = SearchOptions(
        greedy_descent=(small_day and start is not None) or model.n_nodes <= 2,
        solution_limit=max(20, 20 * model.n_customers) if small_day and start is None else None,
        gls_lambda=gls_lambda,
    )
    left = params.time_limit_s - (time.perf_counter() - t0) - post_s
    budget = dataclasses.replace(params, time_limit_s=max(0.05, left))
    raw = solver.search(model, budget, progress, start, options)
    if label and raw.seeded:
        raw.first_solution = label
    if _stuck(model, params, raw, start, t0):
        raw = _greedy_fallback(model, params, progress, raw, t0)
    if raw.objective is not None and post_s > 0:
        raw = improve(model, raw, _deadline(params, post_s))
    raw.wall_s = time.perf_counter() - t0
    if progress is not None:
        progress(raw.wall_s, None if raw.objective is None else float(raw.objective))
    return raw


def post_pass_seconds(time_limit_s: float) -> float:
    """The share of a search's limit kept for the Python post-pass."""
    return min(POST_PASS_MAX_S, POST_PASS_SHARE * time_limit_s)


def _start(
    model: NumModel,
    params: SolverParams,
    routes: Sequence[Sequence[int]] | None,
    repair_s: float,
) -> tuple[list[list[int]] | None, str]:
    """The start of a search and its label: the given routes repaired, greedy, or none."""
    if routes is not None:
        if model.n_nodes <= 1:
            return [list(r) for r in routes], ""
        return insertion.repair_and_fill(model, routes, _deadline(params, repair_s)), ""
    if (
        params.search.first_solution == "auto"
        and params.search.fallback_greedy
        and (
            params.time_limit_s < GREEDY_SECONDS_PER_ORDER * model.n_customers
            or model.n_customers > GREEDY_ABOVE_ORDERS
        )
    ):
        # Too little time for an insertion heuristic on this many orders: start from the
        # nearest-neighbour construction (milliseconds) and spend the time improving it.
        from luckygas.optimize.greedy import greedy_routes

        return greedy_routes(model), "greedy"
    return None, ""


def _stuck(
    model: NumModel,
    params: SolverParams,
    raw: RawSolution,
    start: list[list[int]] | None,
    t0: float,
) -> bool:
    """True if the clock stopped OR-Tools' first-solution heuristic (nothing usable)."""
    timed_out = time.perf_counter() - t0 >= 0.9 * params.time_limit_s
    return (
        params.search.fallback_greedy
        and model.n_nodes > 1
        and start is None
        and timed_out
        and (raw.objective is None or raw.solutions <= 1)
    )


def _greedy_fallback(
    model: NumModel,
    params: SolverParams,
    progress: ProgressFn | None,
    raw: RawSolution,
    t0: float,
) -> RawSolution:
    """A nearest-neighbour plan, repaired and descended, if it beats ``raw``.

    A large day on a loaded machine: OR-Tools then returns nothing, or a half-built plan
    with the rest dropped, and its limit is spent; a fresh search from a cheap plan
    descends to a local optimum in a quarter of the limit.
    """
    from luckygas.optimize.greedy import greedy_routes

    quick = params.replace(
        metaheuristic="GREEDY_DESCENT",
        fallback_greedy=False,
        time_limit_s=max(1.0, 0.25 * params.time_limit_s),
    )
    fb = solve_numeric(model, quick, progress, greedy_routes(model), post_pass=False)
    if not _better(fb, raw):
        return raw
    fb.first_solution = "greedy-fallback"
    fb.wall_s = time.perf_counter() - t0
    fb.solutions += raw.solutions
    return fb


def improve(model: NumModel, raw: RawSolution, deadline: float) -> RawSolution:
    """Insert what ``raw`` left out, descend on the true cost; the better plan wins.

    GLS moves one node at a time, so an order that needs a reload trip to fit stays out
    for long; the insertion tries every position (and reload placement) directly. GLS
    also stops on a local optimum of its *penalised* cost, so a plain descent on the
    true cost can still find a few moves. Half the time left stays for OR-Tools' read
    of the new plan, which gives its exact objective.
    """
    sim = insertion.RouteSimulator(model)
    routes = [list(r) for r in raw.routes]
    filled = routes
    if raw.served(model) < model.n_customers:
        filled = insertion.insert_unrouted(sim, filled, deadline)
        filled = insertion.insert_with_ejection(sim, filled, deadline)
    rest = deadline - time.perf_counter()
    filled = insertion.improve_routes(sim, filled, time.perf_counter() + 0.5 * rest)
    if filled == routes:
        return raw
    alt = solver.evaluate(model, filled)
    if alt is None or not _better(alt, raw):
        return raw
    alt.solutions, alt.wall_s = raw.solutions + 1, raw.wall_s
    alt.status = raw.status  # the search's status; the read itself has none
    alt.seeded, alt.first_solution = raw.seeded, raw.first_solution
    alt.start_objective = raw.start_objective
    return alt


def _better(a: RawSolution, b: RawSolution) -> bool:
    """True if ``a`` has a plan and ``b`` has none or a higher objective."""
    return a.objective is not None and (b.objective is None or a.objective < b.objective)


def _deadline(params: SolverParams, seconds: float) -> float:
    """``perf_counter`` deadline for the Python passes; none in deterministic mode.

    The passes are bounded by their own candidate limits, so without a clock they still
    end, and the same input then gives the same plan.
    """
    return float("inf") if params.search.deterministic else time.perf_counter() + seconds


def _two_searches(
    model: NumModel,
    params: SolverParams,
    progress: ProgressFn | None,
    start: list[list[int]],
    other: list[list[int]],
) -> RawSolution:
    """OR-Tools from ``start`` here and from ``other`` on the second core; the better wins.

    GLS on a large day depends a lot on its start (demo day, 10 s, before the seed saw
    the break: 20,760-21,130 TWD from the repaired plans of different PyVRP seeds), and
    after the seeding the second core is idle. If both starts are the same plan, the
    child varies GLS's penalty factor instead (``OTHER_GLS_LAMBDA``) so that the two
    searches still differ.
    """
    from luckygas.optimize import parallel

    gls_lambda = OTHER_GLS_LAMBDA if other == start else None
    child = parallel.start_forked(
        lambda: solve_numeric(model, params, None, other, gls_lambda=gls_lambda)
    )
    raw = solve_numeric(model, params, progress, start)
    if child is None:
        return raw
    alt = child.result(timeout_s=params.time_limit_s + 5.0)
    if alt is not None and _better(alt, raw):
        alt.solutions += raw.solutions
        if progress is not None:
            progress(raw.wall_s, float(alt.objective))  # type: ignore[arg-type]
        return alt
    if alt is not None:
        raw.solutions += alt.solutions
    return raw


def _since(progress: ProgressFn, t0: float) -> ProgressFn:
    """Report the time since ``t0`` (the start of the solve), whoever calls.

    PyVRP and each OR-Tools search count from their own start; the caller's bar follows
    the whole solve.
    """

    def report(_elapsed_s: float, best: float | None) -> None:
        progress(time.perf_counter() - t0, best)

    return report


def _in_twd(progress: ProgressFn) -> ProgressFn:
    """Report the objective in TWD (the model counts integer cents)."""
    from luckygas.optimize.prepare import COST_SCALE

    def report(elapsed_s: float, best: float | None) -> None:
        progress(elapsed_s, None if best is None else best / COST_SCALE)

    return report
