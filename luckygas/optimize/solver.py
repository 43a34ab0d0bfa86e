"""The OR-Tools layer: the ONLY module that imports ``ortools``.

Pinned to ``ortools==9.15`` (CamelCase ``pywrapcp``; see style.md "API drift").
:func:`solve` is the public entry point; :func:`solve_numeric` builds and runs the
routing model from a :class:`~luckygas.optimize.model.NumModel` so the Solomon
benchmark shares exactly the same code path.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Mapping, Sequence

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from luckygas.optimize import insertion
from luckygas.optimize.model import NumModel, ProgressFn, RawSolution
from luckygas.optimize.problem import RoutingProblem, SolverParams
from luckygas.optimize.result import PlanResult, RunRecord, build_result

TIME = "Time"
# Phase timings (model build, repair, search, post-pass) at DEBUG level: the time profile.
_LOG = logging.getLogger(__name__)
SOLVER_NAME = f"ortools {ortools.__version__}"
# Measured on the 56 Solomon instances (benchmarks/README_vrptw.md): with GLS at 1-10 s,
# PARALLEL_CHEAPEST_INSERTION gives a lower average gap than PATH_CHEAPEST_ARC.
AUTO_FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"
# From this many nodes on, "auto" switches to LOCAL_CHEAPEST_INSERTION: on the demo day
# (n ~ 260 with reload nodes, 7 dimensions) it finds its first solution sooner than
# parallel insertion and ends lower at 10 s (benchmarks/README_planning.md);
# PATH_CHEAPEST_ARC found nothing in 10 s there.
AUTO_LARGE_NODES = 150
AUTO_LARGE_FIRST_SOLUTION = "LOCAL_CHEAPEST_INSERTION"
# "auto" starts from the greedy construction when OR-Tools' insertion would eat the time
# limit. Measured on a 2-core machine: local cheapest insertion took 1.5-3.2 s for ~220
# orders and 24 s for 500 (it grows about as n^3), so: below 0.02 s per order, or above
# GREEDY_ABOVE_ORDERS orders, use greedy.
GREEDY_SECONDS_PER_ORDER = 0.02
GREEDY_ABOVE_ORDERS = 300
# Nested-search time limit per model node (see _search_params); measured: completing the
# greedy start of a 1,000-order day (1,200 nodes, 57 breaks) takes 0.4-2 s.
LNS_MS_PER_NODE = 2
# Share of the time limit kept for the insertion post-pass (at most POST_PASS_MAX_S).
POST_PASS_SHARE = 0.08
POST_PASS_MAX_S = 2.0
# Share of the time limit kept, on a large day, for the end of the two searches.
FINISH_SHARE = 0.04
FINISH_MAX_S = 0.5
# GLS penalty factor of the second-core search when both cores start from the same plan
# (OR-Tools' default is 0.1; on the demo day 0.05 ended elsewhere, 0.2 at the same plan).
OTHER_GLS_LAMBDA = 0.05


def auto_first_solution(n_nodes: int) -> str:
    """The first-solution strategy ``"auto"`` stands for on a model of ``n_nodes`` nodes."""
    return AUTO_LARGE_FIRST_SOLUTION if n_nodes >= AUTO_LARGE_NODES else AUTO_FIRST_SOLUTION


def _search_params(
    params: SolverParams, n_nodes: int = 0
) -> pywrapcp.DefaultRoutingSearchParameters:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    fs = auto_first_solution(n_nodes) if params.first_solution == "auto" else params.first_solution
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, fs)
    sp.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    if params.deterministic:
        # Stop on a solution count, not the clock, so the same input gives the same plan.
        # time_limit_s stays as a safety net: if it fires first the run is NOT reproducible
        # (RunRecord.status/solutions show it), so give it room. LNS sub-searches also have a
        # wall-clock limit; make it irrelevant.
        sp.solution_limit = params.solution_limit
        sp.lns_time_limit.FromSeconds(3600)
    else:
        # The same limit bounds the nested search that completes a warm start (cumuls,
        # breaks). With breaks on 1,000+ nodes that takes longer than the 100 ms default,
        # and the search then fails at once (ROUTING_FAIL) from a perfectly valid start.
        sp.lns_time_limit.FromMilliseconds(max(100, LNS_MS_PER_NODE * n_nodes))
    sp.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    return sp


def _deadline(params: SolverParams, seconds: float) -> float:
    """``perf_counter`` deadline for the Python passes; none in deterministic mode.

    The passes are bounded by their own candidate limits, so without a clock they still
    end, and the same input then gives the same plan.
    """
    return float("inf") if params.deterministic else time.perf_counter() + seconds


def _status_name(routing: pywrapcp.RoutingModel) -> str:
    try:
        return routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    except (AttributeError, ValueError):  # enum layout differs between releases
        return str(routing.status())


def solve_numeric(
    model: NumModel,
    params: SolverParams,
    progress: ProgressFn | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    locked: Mapping[int, Sequence[int]] | None = None,
    *,
    small_day: bool = False,
    post_pass: bool = True,
    gls_lambda: float | None = None,
) -> RawSolution:
    """Build the OR-Tools model for ``model`` and search.

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
        Node lists per vehicle used as the first solution (warm start). Infeasible
        routes are trimmed greedily until OR-Tools accepts them.
    locked
        ``{vehicle_index: [node, ...]}``: these nodes must open that vehicle's route in
        this order (NextVar chain from the start, vehicle fixed, visit mandatory).
    post_pass
        After the search, insert dropped orders by cheapest feasible insertion (with a
        reload if needed) and keep the result if it is better (``POST_PASS_SHARE`` of
        the time limit is kept for it).
    gls_lambda
        Guided local search's penalty factor instead of OR-Tools' default (0.1).
    small_day
        Apply the small-day stop rule (see :class:`SolverParams`): greedy descent from
        the given start, or GLS limited to ``20 × customers`` solutions without one.

    Returns
    -------
    RawSolution
        Routes, times and search statistics (empty routes if nothing was found).
    """
    t0 = time.perf_counter()
    n_veh = len(model.vehicles)
    manager = pywrapcp.RoutingIndexManager(model.n_nodes, max(n_veh, 1), 0)
    routing = pywrapcp.RoutingModel(manager)
    if n_veh == 0:
        return RawSolution([], [], [], [], [], 0, "NO_VEHICLES", 0, time.perf_counter() - t0)

    tdim = _build(model, manager, routing)
    solver = routing.solver()
    locked = dict(locked or {})
    for v, nodes in locked.items():
        prev = routing.Start(v)
        for node in nodes:
            idx = manager.NodeToIndex(node)
            solver.Add(routing.NextVar(prev) == idx)
            routing.VehicleVar(idx).SetValues([v])
            prev = idx

    sp = _search_params(params, model.n_nodes)
    if gls_lambda is not None:
        sp.guided_local_search_lambda_coefficient = gls_lambda
    if (
        initial_routes is None
        and params.first_solution == "auto"
        and params.fallback_greedy
        and (
            params.time_limit_s < GREEDY_SECONDS_PER_ORDER * model.n_customers
            or model.n_customers > GREEDY_ABOVE_ORDERS
        )
    ):
        # Too little time for an insertion heuristic on this many orders: start from the
        # nearest-neighbour construction (milliseconds) and spend the time improving it.
        from luckygas.optimize.greedy import greedy_routes

        initial_routes = greedy_routes(model)
        seed_label = "greedy"
    else:
        seed_label = ""
    if small_day:
        if initial_routes is not None:
            sp.local_search_metaheuristic = (
                routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
            )
        else:
            sp.solution_limit = min(sp.solution_limit, max(20, 20 * model.n_customers))
    if model.n_nodes <= 2:
        # One order: greedy descent is already optimal, and GLS would idle until the clock
        # (it produces no further solutions, so a solution limit would never be reached).
        sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    best: list[float | None] = [None]
    count = [0]

    def on_solution() -> None:
        count[0] += 1
        cost = routing.CostVar().Max()
        if best[0] is None or cost < best[0]:
            best[0] = cost
            if progress is not None:
                progress(time.perf_counter() - t0, float(cost))

    routing.AddAtSolutionCallback(on_solution)
    if progress is not None:
        progress(time.perf_counter() - t0, None)

    seeded = False
    first = (
        auto_first_solution(model.n_nodes)
        if params.first_solution == "auto"
        else params.first_solution
    )
    # Warm starts are repaired and completed in Python first (exact simulation of every
    # rule, cheapest insertion with a reload when needed): one OR-Tools read instead of
    # one per trimmed node, and the orders a seed left out are back in.
    post_s = (
        0.0
        if small_day or not post_pass
        else min(POST_PASS_MAX_S, POST_PASS_SHARE * params.time_limit_s)
    )
    if initial_routes is not None and not locked and model.n_nodes > 1:
        initial_routes = insertion.repair_and_fill(
            model, initial_routes, _deadline(params, max(0.05, post_s))
        )
    t_built = time.perf_counter()
    left = params.time_limit_s - (t_built - t0) - post_s
    sp.time_limit.FromMilliseconds(max(50, int(left * 1000)))
    routing.CloseModelWithParameters(sp)
    start = None
    if initial_routes is not None:
        start = _read_routes(routing, manager, initial_routes, locked)
    if start is not None:
        seeded, first = True, seed_label or "initial routes"
        solution = routing.SolveFromAssignmentWithParameters(start, sp)
        if solution is None:  # budget spent before the search accepted anything
            solution = start
    else:
        solution = routing.SolveWithParameters(sp)
    status = _status_name(routing)
    t_searched = time.perf_counter()
    timed_out = time.perf_counter() - t0 >= 0.9 * params.time_limit_s
    if (
        params.fallback_greedy
        and model.n_nodes > 1
        and initial_routes is None
        and timed_out
        and (solution is None or count[0] <= 1)
    ):
        # The clock stopped the first-solution heuristic (a large day on a loaded machine):
        # OR-Tools then returns nothing, or a half-built plan with the rest dropped. The
        # routing model's limit is spent, so a fresh model takes a cheap nearest-neighbour
        # plan, repairs it and descends to a local optimum; the better plan wins.
        from luckygas.optimize.greedy import greedy_routes

        quick = dataclasses.replace(
            params,
            metaheuristic="GREEDY_DESCENT",
            fallback_greedy=False,
            time_limit_s=max(1.0, 0.25 * params.time_limit_s),
        )
        fb = solve_numeric(model, quick, progress, greedy_routes(model), locked)
        if fb.objective is not None and (
            solution is None or fb.objective < solution.ObjectiveValue()
        ):
            fb.first_solution = "greedy-fallback"
            fb.wall_s = time.perf_counter() - t0
            fb.solutions += count[0]
            return fb
    filled = None
    if solution is not None and post_s > 0 and not locked and post_pass:
        filled = _post_pass(model, manager, routing, solution, _deadline(params, post_s))
    raw = _extract(model, manager, routing, tdim, solution, count[0], t0)
    raw.status = status
    if filled is not None:
        alt = _read_fresh(model, params, filled)
        if alt is not None and (raw.objective is None or alt.objective < raw.objective):
            alt.solutions, alt.wall_s = raw.solutions + 1, time.perf_counter() - t0
            alt.status = raw.status  # the search's status; the re-read itself has none
            raw = alt
    raw.seeded = seeded
    raw.first_solution = first
    _LOG.debug(
        "solve_numeric: build+repair %.2f s, search %.2f s (%d solutions), post-pass+read "
        "%.2f s, post-pass %s",
        t_built - t0,
        t_searched - t_built,
        count[0],
        time.perf_counter() - t_searched,
        "kept" if raw.solutions > count[0] else "not kept",
    )
    if progress is not None:
        progress(raw.wall_s, None if raw.objective is None else float(raw.objective))
    return raw


def _build(
    model: NumModel, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> pywrapcp.RoutingDimension:
    """Every Lucky Gas rule of ``model`` as OR-Tools costs, dimensions and disjunctions."""
    # Arc costs and transits are registered as matrices/vectors (evaluated in C++), so no
    # Python closure exists that could capture the wrong loop variable (domain.md §4.3).
    cost_cb = {k: routing.RegisterTransitMatrix(m) for k, m in model.cost_matrices.items()}
    time_cb = {k: routing.RegisterTransitMatrix(m) for k, m in model.time_matrices.items()}
    for v, veh in enumerate(model.vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[veh.cost_key], v)
        routing.SetFixedCostOfVehicle(veh.fixed_cost, v)

    _add_capacities(model, manager, routing)

    routing.AddDimensionWithVehicleTransits(
        [time_cb[veh.time_key] for veh in model.vehicles], model.horizon, model.horizon, False, TIME
    )
    tdim = routing.GetDimensionOrDie(TIME)
    _add_windows(model, manager, routing, tdim)
    _add_vehicle_times(model, routing, tdim)
    _add_breaks(model, manager, routing, tdim)
    if model.span_cost:
        tdim.SetGlobalSpanCostCoefficient(model.span_cost)

    for node in range(1, model.n_nodes):
        idx = manager.NodeToIndex(node)
        allowed = model.allowed[node]
        if allowed is not None:
            routing.VehicleVar(idx).SetValues([-1, *allowed])
        penalty = model.penalties[node]
        if penalty is not None:
            # Reload nodes have penalty 0: unused reloads cost nothing.
            routing.AddDisjunction([idx], penalty)
    return tdim


def accepts_routes(model: NumModel, routes: Sequence[Sequence[int]]) -> bool:
    """True if OR-Tools accepts node ``routes`` (one list per vehicle) exactly as given.

    The reference for :class:`luckygas.optimize.insertion.RouteSimulator`: both must
    agree on which routes are feasible.
    """
    manager = pywrapcp.RoutingIndexManager(model.n_nodes, max(len(model.vehicles), 1), 0)
    routing = pywrapcp.RoutingModel(manager)
    _build(model, manager, routing)
    routing.CloseModelWithParameters(_search_params(SolverParams(), model.n_nodes))
    padded = [list(routes[v]) if v < len(routes) else [] for v in range(len(model.vehicles))]
    idx = [[manager.NodeToIndex(x) for x in r] for r in padded]
    return routing.ReadAssignmentFromRoutes(idx, True) is not None


def _add_capacities(
    model: NumModel, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    """One dimension per capacity, each bound to its own demand vector (domain.md §4.3).

    Reloads follow OR-Tools' ``cvrp_reload`` sample: a reload node's transit is
    ``-capacity`` and its slack may take any value in ``[0, capacity]``, so the load after
    it can restart from zero; every other node has zero slack, so loads only add up.
    """
    reload_idx = {manager.NodeToIndex(i) for i in range(1, model.n_nodes) if model.is_reload(i)}
    for d, name in enumerate(model.dim_names):
        cb = routing.RegisterUnaryTransitVector(list(model.demands[d]))
        caps = [veh.capacities[d] for veh in model.vehicles]
        resets = bool(reload_idx) and any(
            model.demands[d][manager.IndexToNode(i)] < 0 for i in reload_idx
        )
        routing.AddDimensionWithVehicleCapacity(cb, max(caps) if resets else 0, caps, True, name)
        if not resets:
            continue
        dim = routing.GetDimensionOrDie(name)
        for index in range(routing.Size()):
            if index not in reload_idx:
                dim.SlackVar(index).SetValue(0)


def _add_windows(
    model: NumModel,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    tdim: pywrapcp.RoutingDimension,
) -> None:
    """Several windows per node: the hull as the range, then the gaps removed."""
    for node in range(1, model.n_nodes):
        wins = model.windows[node]
        if not wins:
            continue
        cumul = tdim.CumulVar(manager.NodeToIndex(node))
        cumul.SetRange(wins[0][0], wins[-1][1])
        for (_, b1), (a2, _) in itertools.pairwise(wins):
            if a2 - 1 >= b1 + 1:
                cumul.RemoveInterval(b1 + 1, a2 - 1)


def _add_vehicle_times(
    model: NumModel, routing: pywrapcp.RoutingModel, tdim: pywrapcp.RoutingDimension
) -> None:
    for v, veh in enumerate(model.vehicles):
        start, end = tdim.CumulVar(routing.Start(v)), tdim.CumulVar(routing.End(v))
        start.SetRange(*veh.start_range)
        end.SetRange(*veh.end_range)
        if veh.max_span is not None:
            tdim.SetSpanUpperBoundForVehicle(veh.max_span, v)
        # Driver sheets: come back as early as possible first, then leave as late as that
        # allows without delaying anything (so no waiting at the first customer, and a
        # route whose first window is wide starts at the shift start, not at 17:00).
        routing.AddVariableMinimizedByFinalizer(end)
        routing.AddVariableMaximizedByFinalizer(start)


def _add_breaks(
    model: NumModel,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    tdim: pywrapcp.RoutingDimension,
) -> None:
    """One mandatory break per vehicle that has one (OR-Tools vrp_breaks sample idiom)."""
    if not any(veh.break_ for veh in model.vehicles):
        return
    # The break may not overlap a service: "visit transit" of each index = its service.
    visit = [0] * routing.Size()
    for index in range(routing.Size()):
        node = manager.IndexToNode(index)
        visit[index] = model.service[node]
    solver = routing.solver()
    for v, veh in enumerate(model.vehicles):
        if not veh.break_:
            continue
        earliest, latest_start, duration = veh.break_
        interval = solver.FixedDurationIntervalVar(
            earliest, latest_start, duration, False, f"break_{v}"
        )
        tdim.SetBreakIntervalsOfVehicle([interval], v, visit)


def _read_routes(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    routes: Sequence[Sequence[int]],
    locked: Mapping[int, Sequence[int]],
) -> pywrapcp.Assignment | None:
    """Turn node routes into an assignment, trimming nodes OR-Tools rejects."""
    n_veh = routing.vehicles()
    wanted = [list(routes[v]) if v < len(routes) else [] for v in range(n_veh)]
    for v, nodes in locked.items():  # locked prefixes must open the route
        rest = [x for x in wanted[v] if x not in set(nodes)]
        wanted[v] = list(nodes) + rest
    seen: set[int] = set()
    for v in range(n_veh):  # a node may appear once only
        wanted[v] = [x for x in wanted[v] if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]

    def to_idx(rs: list[list[int]]) -> list[list[int]]:
        return [[manager.NodeToIndex(x) for x in r] for r in rs]

    full = routing.ReadAssignmentFromRoutes(to_idx(wanted), True)
    if full is not None:
        return full
    # Greedy repair, one vehicle at a time: keep the longest feasible prefix of the
    # remaining nodes (found by bisection), skip the node that breaks it, repeat. Costs
    # about log2(n) propagations per skipped node instead of one per node.
    accepted: list[list[int]] = [list(locked.get(v, [])) for v in range(n_veh)]

    def ok(v: int, nodes: list[int]) -> bool:
        trial = [list(r) for r in accepted]
        trial[v] = nodes
        return routing.ReadAssignmentFromRoutes(to_idx(trial), True) is not None

    for v in range(n_veh):
        rest = wanted[v][len(accepted[v]) :]
        while rest:
            if ok(v, accepted[v] + rest):
                accepted[v] = accepted[v] + rest
                break
            lo, hi = 0, len(rest) - 1  # invariant: prefix of length lo is feasible, hi+1 is not
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if ok(v, accepted[v] + rest[:mid]):
                    lo = mid
                else:
                    hi = mid - 1
            accepted[v] = accepted[v] + rest[:lo]
            rest = rest[lo + 1 :]
    return routing.ReadAssignmentFromRoutes(to_idx(accepted), True)


def _read_fresh(
    model: NumModel, params: SolverParams, routes: list[list[int]]
) -> RawSolution | None:
    """``routes`` as a solution of a fresh routing model, or None if OR-Tools rejects them.

    A routing model that has solved from an assignment rejects every later read, hence
    the fresh model. The read is a small search under the model's time limit: give it
    room (0.6 s for 1,200 nodes with breaks, measured), or a valid plan is rejected.
    """
    t0 = time.perf_counter()
    manager = pywrapcp.RoutingIndexManager(model.n_nodes, max(len(model.vehicles), 1), 0)
    routing = pywrapcp.RoutingModel(manager)
    tdim = _build(model, manager, routing)
    sp = _search_params(params, model.n_nodes)
    sp.time_limit.FromMilliseconds(max(1000, 5 * model.n_nodes))
    routing.CloseModelWithParameters(sp)
    idx = [[manager.NodeToIndex(x) for x in r] for r in routes]
    start = routing.ReadAssignmentFromRoutes(idx, True)
    if start is None:
        return None
    return _extract(model, manager, routing, tdim, start, 1, t0)


def _post_pass(
    model: NumModel,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    solution: pywrapcp.Assignment,
    deadline: float,
) -> list[list[int]] | None:
    """Dropped orders inserted (with a reload if needed) by cheapest feasible insertion.

    GLS moves one node at a time, so an order that needs a reload trip to fit stays out
    for long; this pass tries every position (and reload placement) directly. Returns
    the new node routes, or None if nothing could be inserted.
    """
    routes: list[list[int]] = []
    for v in range(routing.vehicles()):
        nodes, idx = [], solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(idx):
            nodes.append(manager.IndexToNode(idx))
            idx = solution.Value(routing.NextVar(idx))
        routes.append(nodes)
    visited = {x for r in routes for x in r}
    sim = insertion.RouteSimulator(model)
    filled = routes
    if not all(i in visited or model.is_reload(i) for i in range(1, model.n_nodes)):
        filled = insertion.insert_unrouted(sim, filled, deadline)
        filled = insertion.insert_with_ejection(sim, filled, deadline)
    # Then a descent on the true cost (idle reserve otherwise): GLS stops on a local
    # optimum of its penalised cost. Half the time left stays for the fresh model's read.
    rest = deadline - time.perf_counter()
    filled = insertion.improve_routes(sim, filled, time.perf_counter() + 0.5 * rest)
    return None if filled == routes else filled


def _drops_customers(model: NumModel, raw: RawSolution) -> bool:
    visited = sum(1 for r in raw.routes for node in r if not model.is_reload(node))
    return visited < model.n_customers


def drop_idle_reloads(
    model: NumModel, nodes: list[int], times: list[int]
) -> tuple[list[int], list[int]]:
    """Remove reloads that start or end a route or follow another reload.

    They carry nothing (the search may leave them in at zero gain); removing one only
    removes a depot stop, so every later time stays feasible.
    """
    keep_n: list[int] = []
    keep_t: list[int] = []
    for node, t in zip(nodes, times, strict=True):
        if model.is_reload(node) and (not keep_n or model.is_reload(keep_n[-1])):
            continue
        keep_n.append(node)
        keep_t.append(t)
    while keep_n and model.is_reload(keep_n[-1]):
        keep_n.pop()
        keep_t.pop()
    return keep_n, keep_t


def _extract(
    model: NumModel,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    tdim: pywrapcp.RoutingDimension,
    solution: pywrapcp.Assignment | None,
    count: int,
    t0: float,
) -> RawSolution:
    n_veh = routing.vehicles()
    if solution is None:
        return RawSolution(
            [[] for _ in range(n_veh)],
            [[] for _ in range(n_veh)],
            [0] * n_veh,
            [0] * n_veh,
            [None] * n_veh,
            None,
            "",
            count,
            time.perf_counter() - t0,
        )
    routes, starts, depart, end = [], [], [], []
    for v in range(n_veh):
        idx = routing.Start(v)
        depart.append(solution.Value(tdim.CumulVar(idx)))
        nodes, times = [], []
        idx = solution.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            nodes.append(manager.IndexToNode(idx))
            times.append(solution.Value(tdim.CumulVar(idx)))
            idx = solution.Value(routing.NextVar(idx))
        end.append(solution.Value(tdim.CumulVar(idx)))
        nodes, times = drop_idle_reloads(model, nodes, times)
        routes.append(nodes)
        starts.append(times)
    breaks: list[int | None] = [None] * n_veh
    intervals = solution.IntervalVarContainer()
    for i in range(intervals.Size()):
        el = intervals.Element(i)
        name = el.Var().Name()
        if name.startswith("break_") and el.PerformedValue():
            breaks[int(name.split("_")[1])] = el.StartValue()
    return RawSolution(
        routes,
        starts,
        depart,
        end,
        breaks,
        solution.ObjectiveValue(),
        "",
        count,
        time.perf_counter() - t0,
    )


def solve(
    problem: RoutingProblem,
    params: SolverParams | None = None,
    progress: ProgressFn | None = None,
    initial_routes: Mapping[int, Sequence[int]] | None = None,
    locked: Mapping[int, Sequence[int]] | None = None,
) -> PlanResult:
    """Plan one delivery day.

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
        ``{vehicle_id: [order_id, ...]}`` warm start (e.g. yesterday's or the
        published plan). Orders that are no longer plannable are skipped.
    locked
        ``{vehicle_id: [order_id, ...]}``: stops already committed (e.g. dispatched);
        they open that vehicle's route in this order. New orders are inserted after.

    Returns
    -------
    PlanResult
        Routes, stops, unassigned orders with reasons, KPIs and a run record. Never
        raises for a hard day (no vehicles, nothing open, too much demand).

    Raises
    ------
    ValueError
        If ``initial_routes``/``locked`` refer to unknown vehicles or orders.
    """
    from luckygas.optimize import explain, prepare, seeding

    params = params or SolverParams()
    t0 = time.perf_counter()
    if progress is not None:
        progress = _since(_in_twd(progress), t0)
    prep = prepare.prepare(problem, params, locked=locked)
    init_nodes = prep.routes_to_nodes(initial_routes) if initial_routes else None
    locked_nodes = prep.locks_to_nodes(locked) if locked else None
    model = prep.model
    plannable = model.n_nodes > 1 and bool(model.vehicles)
    small = plannable and model.n_customers <= params.small_day_orders
    large = (
        plannable
        and params.large_day_orders > 0
        and model.n_customers >= params.large_day_orders
        and params.large_day_pyvrp_share > 0
        and not params.deterministic
    )
    seed_s = params.pyvrp_seed_s or (
        params.large_day_pyvrp_share * params.time_limit_s if large else 0
    )
    seed_label = ""
    other_start: list[list[int]] | None = None
    if plannable and init_nodes is None and (seed_s > 0 or small):
        if small:  # a bounded number of iterations: a few ms, and reproducible
            seed_routes = seeding.pyvrp_routes(
                model,
                max(seed_s, params.time_limit_s / 2),
                params.seed,
                params.small_day_pyvrp_iterations,
            )
        else:
            if not params.pyvrp_seed_s:  # the share covers preparation too
                seed_s = max(seed_s - (time.perf_counter() - t0), 0.05)
            starts = seeding.pyvrp_starts(model, seed_s, params.seed, params.seed_workers, progress)
            seed_routes = starts[0] if starts else None
            if large and not locked_nodes and len(starts) > 1:
                other_start = starts[1]
        if seed_routes is not None:
            init_nodes, seed_label = seed_routes, "pyvrp"
    _LOG.debug("solve: prepare+seed %.2f s (seed %r)", time.perf_counter() - t0, seed_label)
    if plannable:
        # The time limit covers the whole solve: OR-Tools gets what preparation and
        # seeding left (an explicit pyvrp_seed_s is extra time, as before).
        spent = time.perf_counter() - t0 if not params.pyvrp_seed_s else 0.0
        if other_start is not None:
            # Two searches end with a second process handing its plan back, and the
            # post-pass's read can overrun its reserve: measured 0.2-0.3 s past a 10 s
            # limit on the demo day without this margin.
            spent += min(FINISH_SHARE * params.time_limit_s, FINISH_MAX_S)
        search = dataclasses.replace(params, time_limit_s=max(params.time_limit_s - spent, 0.05))
        if other_start is not None:
            raw = _two_searches(model, search, progress, init_nodes, other_start)  # type: ignore[arg-type]
        else:
            raw = solve_numeric(model, search, progress, init_nodes, locked_nodes, small_day=small)
        if seed_label and raw.first_solution == "initial routes":
            raw.first_solution = seed_label
        if small and seed_label and _drops_customers(model, raw):
            # Greedy descent cannot add a reload and an order in one move, so a seed that
            # left an order out may keep it out: try OR-Tools' own start too, keep the best.
            alt = solve_numeric(model, search, progress, None, locked_nodes, small_day=True)
            if alt.objective is not None and (
                raw.objective is None or alt.objective < raw.objective
            ):
                alt.solutions += raw.solutions
                raw = alt
    else:
        if progress is not None:
            progress(0.0, None)
        n = len(model.vehicles)
        raw = RawSolution(
            [[] for _ in range(n)],
            [[] for _ in range(n)],
            [v.start_range[0] for v in model.vehicles],
            [v.start_range[0] for v in model.vehicles],
            [None] * n,
            0,
            "NOTHING_TO_PLAN",
            0,
            0.0,
        )
        if progress is not None:
            progress(0.0, 0.0)
    visited = {node for r in raw.routes for node in r}
    dropped = [o for i, o in enumerate(prep.node_orders) if o is not None and i not in visited]
    unassigned = list(prep.unassigned)
    unassigned += explain.explain_dropped(problem, prep, raw, dropped, params.explain_dropped)
    run = RunRecord(
        solver=SOLVER_NAME,
        params=params.to_dict(),
        seed=params.seed,
        time_limit_s=params.time_limit_s,
        fingerprint=problem.fingerprint(),
        wall_s=time.perf_counter() - t0,
        status=raw.status,
        objective=raw.objective,
        solutions=raw.solutions,
        seeded=raw.seeded,
        first_solution=raw.first_solution,
    )
    return build_result(problem, prep, raw, unassigned, run)


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
    if (
        alt is not None
        and alt.objective is not None
        and (raw.objective is None or alt.objective < raw.objective)
    ):
        alt.solutions += raw.solutions
        if progress is not None:
            progress(raw.wall_s, float(alt.objective))
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
