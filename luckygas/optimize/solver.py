"""The OR-Tools layer: the ONLY module that imports ``ortools``.

Pinned to ``ortools==9.15`` (CamelCase ``pywrapcp``; see style.md "API drift").
:func:`solve` is the public entry point; :func:`solve_numeric` builds and runs the
routing model from a :class:`~luckygas.optimize.model.NumModel` so the Solomon
benchmark shares exactly the same code path.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from luckygas.optimize.model import NumModel, RawSolution
from luckygas.optimize.problem import RoutingProblem, SolverParams
from luckygas.optimize.result import PlanResult, RunRecord, build_result

TIME = "Time"
SOLVER_NAME = f"ortools {ortools.__version__}"
# Measured on the 56 Solomon instances (benchmarks/README_vrptw.md): with GLS at 1-10 s,
# PARALLEL_CHEAPEST_INSERTION gives a lower average gap than PATH_CHEAPEST_ARC.
AUTO_FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"

ProgressFn = Callable[[float, float | None], None]


def _search_params(params: SolverParams) -> pywrapcp.DefaultRoutingSearchParameters:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    fs = AUTO_FIRST_SOLUTION if params.first_solution == "auto" else params.first_solution
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
    sp.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    return sp


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

    solver = routing.solver()
    for node in range(1, model.n_nodes):
        idx = manager.NodeToIndex(node)
        allowed = model.allowed[node]
        if allowed is not None:
            routing.VehicleVar(idx).SetValues([-1, *allowed])
        penalty = model.penalties[node]
        if penalty is not None:
            # Reload nodes have penalty 0: unused reloads cost nothing.
            routing.AddDisjunction([idx], penalty)
    locked = dict(locked or {})
    for v, nodes in locked.items():
        prev = routing.Start(v)
        for node in nodes:
            idx = manager.NodeToIndex(node)
            solver.Add(routing.NextVar(prev) == idx)
            routing.VehicleVar(idx).SetValues([v])
            prev = idx

    sp = _search_params(params)
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
    if initial_routes is not None:
        routing.CloseModelWithParameters(sp)
        start = _read_routes(routing, manager, initial_routes, locked)
        if start is not None:
            seeded = True
            solution = routing.SolveFromAssignmentWithParameters(start, sp)
            if solution is None:  # budget spent before the search accepted anything
                solution = start
        else:
            solution = routing.SolveWithParameters(sp)
    else:
        solution = routing.SolveWithParameters(sp)

    raw = _extract(model, manager, routing, tdim, solution, count[0], t0)
    raw.status = _status_name(routing)
    raw.seeded = seeded
    if progress is not None:
        progress(raw.wall_s, None if raw.objective is None else float(raw.objective))
    return raw


def _add_capacities(model: NumModel, manager: pywrapcp.RoutingIndexManager,
                    routing: pywrapcp.RoutingModel) -> None:
    """One dimension per capacity, each bound to its own demand vector (domain.md §4.3).

    Reloads follow OR-Tools' ``cvrp_reload`` sample: a reload node's transit is
    ``-capacity`` and its slack may take any value in ``[0, capacity]``, so the load after
    it can restart from zero; every other node has zero slack, so loads only add up.
    """
    reload_idx = {manager.NodeToIndex(i) for i in range(1, model.n_nodes) if model.is_reload(i)}
    for d, name in enumerate(model.dim_names):
        cb = routing.RegisterUnaryTransitVector(list(model.demands[d]))
        caps = [veh.capacities[d] for veh in model.vehicles]
        resets = bool(reload_idx) and any(model.demands[d][manager.IndexToNode(i)] < 0
                                          for i in reload_idx)
        routing.AddDimensionWithVehicleCapacity(cb, max(caps) if resets else 0, caps, True, name)
        if not resets:
            continue
        dim = routing.GetDimensionOrDie(name)
        for index in range(routing.Size()):
            if index not in reload_idx:
                dim.SlackVar(index).SetValue(0)


def _add_windows(model: NumModel, manager: pywrapcp.RoutingIndexManager,
                 routing: pywrapcp.RoutingModel, tdim: pywrapcp.RoutingDimension) -> None:
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


def _add_vehicle_times(model: NumModel, routing: pywrapcp.RoutingModel,
                       tdim: pywrapcp.RoutingDimension) -> None:
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


def _add_breaks(model: NumModel, manager: pywrapcp.RoutingIndexManager,
                routing: pywrapcp.RoutingModel, tdim: pywrapcp.RoutingDimension) -> None:
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
        interval = solver.FixedDurationIntervalVar(earliest, latest_start, duration, False, f"break_{v}")
        tdim.SetBreakIntervalsOfVehicle([interval], v, visit)


def _read_routes(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager,
                 routes: Sequence[Sequence[int]], locked: Mapping[int, Sequence[int]]
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
        rest = wanted[v][len(accepted[v]):]
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
            rest = rest[lo + 1:]
    return routing.ReadAssignmentFromRoutes(to_idx(accepted), True)


def drop_idle_reloads(model: NumModel, nodes: list[int], times: list[int]
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


def _extract(model: NumModel, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel,
             tdim: pywrapcp.RoutingDimension, solution: pywrapcp.Assignment | None,
             count: int, t0: float) -> RawSolution:
    n_veh = routing.vehicles()
    if solution is None:
        return RawSolution([[] for _ in range(n_veh)], [[] for _ in range(n_veh)], [0] * n_veh,
                           [0] * n_veh, [None] * n_veh, None, "", count, time.perf_counter() - t0)
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
    return RawSolution(routes, starts, depart, end, breaks, solution.ObjectiveValue(), "", count,
                       time.perf_counter() - t0)


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
        Optional ``progress(elapsed_s, best_cost)`` callback.
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
    prep = prepare.prepare(problem, params, locked=locked)
    init_nodes = prep.routes_to_nodes(initial_routes) if initial_routes else None
    locked_nodes = prep.locks_to_nodes(locked) if locked else None
    if params.pyvrp_seed_s > 0 and prep.model.n_nodes > 1 and prep.model.vehicles:
        seed_routes = seeding.pyvrp_routes(prep.model, params.pyvrp_seed_s, params.seed)
        if seed_routes is not None and init_nodes is None:
            init_nodes = seed_routes
    if prep.model.n_nodes > 1 and prep.model.vehicles:
        raw = solve_numeric(prep.model, params, progress, init_nodes, locked_nodes)
    else:
        if progress is not None:
            progress(0.0, None)
        n = len(prep.model.vehicles)
        raw = RawSolution([[] for _ in range(n)], [[] for _ in range(n)],
                          [v.start_range[0] for v in prep.model.vehicles],
                          [v.start_range[0] for v in prep.model.vehicles], [None] * n, 0,
                          "NOTHING_TO_PLAN", 0, 0.0)
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
    )
    return build_result(problem, prep, raw, unassigned, run)
