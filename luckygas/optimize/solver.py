"""The OR-Tools layer: the ONLY module that imports ``ortools``.

Pinned to ``ortools==9.15`` (CamelCase ``pywrapcp``; see docs/notebook-stack.md section 5). This
module builds the routing model of a :class:`~luckygas.optimize.model.NumModel`,
searches (from a given start or from OR-Tools' own first solution) and reads plans
back. Which start to search from, how the time is shared and which plan wins is the
pipeline's job (:mod:`luckygas.optimize.pipeline`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from luckygas.optimize.model import NumModel, ProgressFn, RawSolution
from luckygas.optimize.params import SolverParams

TIME = "Time"
#: Status of a search that returned its start unchanged (no time left to better it).
START_KEPT = "START_KEPT"
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
# Nested-search time limit per model node (see _search_params); measured: completing the
# greedy start of a 1,000-order day (1,200 nodes, 57 breaks) takes 0.4-2 s.
LNS_MS_PER_NODE = 2
# Deterministic searches stop on a solution count; the clock stops them only after
# max(MIN, FACTOR x time limit) seconds, so a slow machine still gets the same plan.
DETERMINISTIC_SAFETY_MIN_S = 60.0
DETERMINISTIC_SAFETY_FACTOR = 10.0


def auto_first_solution(n_nodes: int) -> str:
    """The first-solution strategy ``"auto"`` stands for on a model of ``n_nodes`` nodes."""
    return AUTO_LARGE_FIRST_SOLUTION if n_nodes >= AUTO_LARGE_NODES else AUTO_FIRST_SOLUTION


def first_solution_name(params: SolverParams, n_nodes: int) -> str:
    """The first-solution strategy ``params`` asks for on a model of ``n_nodes`` nodes."""
    if params.search.first_solution == "auto":
        return auto_first_solution(n_nodes)
    return params.search.first_solution


def _search_params(
    params: SolverParams, n_nodes: int = 0
) -> pywrapcp.DefaultRoutingSearchParameters:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution_name(params, n_nodes)
    )
    sp.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.search.metaheuristic
    )
    if params.search.deterministic:
        # Stop on a solution count, not the clock, so the same input gives the same plan.
        # The clock is only a safety net (DETERMINISTIC_SAFETY_*): a count cut short by it
        # gives a plan that depends on the machine's speed (RunRecord.outcome() says so).
        # LNS sub-searches also have a wall-clock limit; make it irrelevant.
        sp.solution_limit = params.search.solution_limit
        sp.lns_time_limit.FromSeconds(3600)
        sp.time_limit.FromMilliseconds(int(_safety_net_s(params.time_limit_s) * 1000))
        return sp
    # The same limit bounds the nested search that completes a warm start (cumuls,
    # breaks). With breaks on 1,000+ nodes that takes longer than the 100 ms default,
    # and the search then fails at once (ROUTING_FAIL) from a perfectly valid start.
    sp.lns_time_limit.FromMilliseconds(max(100, LNS_MS_PER_NODE * n_nodes))
    sp.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    return sp


def _safety_net_s(time_limit_s: float) -> float:
    """Seconds a deterministic search may run before the clock stops it anyway."""
    return max(DETERMINISTIC_SAFETY_MIN_S, DETERMINISTIC_SAFETY_FACTOR * time_limit_s)


def _read_params(params: SolverParams, n_nodes: int) -> pywrapcp.DefaultRoutingSearchParameters:
    """Search parameters with room to read a plan: 0.6 s for 1,200 nodes with breaks."""
    sp = _search_params(params, n_nodes)
    sp.time_limit.FromMilliseconds(max(1000, 5 * n_nodes))
    return sp


def _status_name(routing: pywrapcp.RoutingModel) -> str:
    try:
        return routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    except (AttributeError, ValueError):  # enum layout differs between releases
        return str(routing.status())


@dataclass(frozen=True)
class SearchOptions:
    """How one search deviates from ``SolverParams`` (the pipeline's strategy rules).

    Parameters
    ----------
    greedy_descent
        Stop at the first local optimum instead of running the metaheuristic until the
        clock (small days; a start that only needs polishing).
    solution_limit
        Stop after this many solutions (None: only the clock).
    gls_lambda
        Guided local search's penalty factor instead of OR-Tools' default (0.1).
    """

    greedy_descent: bool = False
    solution_limit: int | None = None
    gls_lambda: float | None = None


@dataclass
class _Routing:
    """One OR-Tools routing model of a :class:`NumModel`."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    tdim: pywrapcp.RoutingDimension

    @classmethod
    def of(cls, model: NumModel) -> _Routing:
        manager = pywrapcp.RoutingIndexManager(model.n_nodes, max(len(model.vehicles), 1), 0)
        routing = pywrapcp.RoutingModel(manager)
        tdim = _build(model, manager, routing)
        _add_locks(model, manager, routing)
        return cls(manager, routing, tdim)

    def indices(self, routes: Sequence[Sequence[int]]) -> list[list[int]]:
        return [[self.manager.NodeToIndex(x) for x in r] for r in routes]


def search(
    model: NumModel,
    params: SolverParams,
    progress: ProgressFn | None = None,
    start: Sequence[Sequence[int]] | None = None,
    options: SearchOptions = SearchOptions(),
) -> RawSolution:
    """Build the OR-Tools model of ``model`` and search for ``params.time_limit_s``.

    Parameters
    ----------
    model
        The numeric model (node 0 = depot); ``model.locked`` prefixes are enforced.
    params
        Search settings; ``time_limit_s`` is this search's whole budget.
    progress
        Called with ``(elapsed_s, best_objective)`` at start and on every improving
        solution.
    start
        Node lists per vehicle to search from (a warm start). Nodes OR-Tools rejects
        are trimmed (longest feasible prefixes), so pass a repaired start when you can.
    options
        Strategy deviations (see :class:`SearchOptions`).

    Returns
    -------
    RawSolution
        Routes, times and search statistics; empty routes if nothing was found.
    """
    t0 = time.perf_counter()
    if not model.vehicles:
        return RawSolution.empty(model, "NO_VEHICLES")
    r = _Routing.of(model)
    sp = _search_params(params, model.n_nodes)
    if not params.search.deterministic:
        sp.time_limit.FromMilliseconds(max(50, int(params.time_limit_s * 1000)))
    if options.greedy_descent:
        sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    if options.solution_limit is not None:
        sp.solution_limit = min(sp.solution_limit, options.solution_limit)
    if options.gls_lambda is not None:
        sp.guided_local_search_lambda_coefficient = options.gls_lambda
    count, first = _watch(r.routing, progress, t0)
    # Reading a start is a small search under the limit the model was closed with; a
    # search left with a few ms would reject a valid start, and the trimming fallback
    # then spent ~20 s of reads on a loaded machine. So the model is closed with the
    # read's room; the search itself runs under ``sp`` (OR-Tools updates its limits
    # from the parameters each solve gets).
    r.routing.CloseModelWithParameters(_read_params(params, model.n_nodes))
    assignment = _read_routes(r, start, model.locked) if start is not None else None
    if assignment is not None:
        solution = r.routing.SolveFromAssignmentWithParameters(assignment, sp)
        kept_start = solution is None  # budget spent before the search accepted anything
        solution = solution or assignment
    else:
        kept_start = False
        solution = r.routing.SolveWithParameters(sp)
    raw = _extract(model, r, solution, count[0], t0)
    if assignment is not None:
        raw.start_objective = assignment.ObjectiveValue()
    elif first[0] is not None:
        raw.start_objective = int(first[0])
    # OR-Tools says "no plan found" when it had no time to better the start: the plan is
    # the start, and the status must not tell the analyst there is none.
    raw.status = START_KEPT if kept_start else _status_name(r.routing)
    raw.seeded = assignment is not None
    raw.first_solution = (
        "initial routes" if raw.seeded else first_solution_name(params, model.n_nodes)
    )
    return raw


def _watch(
    routing: pywrapcp.RoutingModel, progress: ProgressFn | None, t0: float
) -> tuple[list[int], list[float | None]]:
    """Count solutions and keep the first one's objective (one-element lists, filled
    as the search runs); report improvements to ``progress``."""
    best: list[float | None] = [None]
    first: list[float | None] = [None]
    count = [0]

    def on_solution() -> None:
        count[0] += 1
        cost = routing.CostVar().Max()
        if first[0] is None:
            first[0] = cost
        if best[0] is None or cost < best[0]:
            best[0] = cost
            if progress is not None:
                progress(time.perf_counter() - t0, float(cost))

    routing.AddAtSolutionCallback(on_solution)
    if progress is not None:
        progress(time.perf_counter() - t0, None)
    return count, first


def evaluate(model: NumModel, routes: Sequence[Sequence[int]]) -> RawSolution | None:
    """``routes`` as OR-Tools reads them (exact times and objective), or None if rejected.

    A routing model that has solved from an assignment rejects every later read, hence a
    fresh model. The read is a small search under the model's time limit: give it room
    (0.6 s for 1,200 nodes with breaks, measured), or a valid plan is rejected.
    """
    t0 = time.perf_counter()
    if not model.vehicles:
        return None
    r = _Routing.of(model)
    r.routing.CloseModelWithParameters(_read_params(SolverParams(), model.n_nodes))
    padded = [list(routes[v]) if v < len(routes) else [] for v in range(len(model.vehicles))]
    start = r.routing.ReadAssignmentFromRoutes(r.indices(padded), True)
    if start is None:
        return None
    raw = _extract(model, r, start, 1, t0)
    raw.status = "READ"
    return raw


def accepts_routes(model: NumModel, routes: Sequence[Sequence[int]]) -> bool:
    """True if OR-Tools accepts node ``routes`` (one list per vehicle) exactly as given.

    The reference for :class:`luckygas.optimize.insertion.RouteSimulator`: both must
    agree on which routes are feasible.
    """
    r = _Routing.of(model)
    r.routing.CloseModelWithParameters(_search_params(SolverParams(), model.n_nodes))
    padded = [list(routes[v]) if v < len(routes) else [] for v in range(len(model.vehicles))]
    return r.routing.ReadAssignmentFromRoutes(r.indices(padded), True) is not None


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


def _add_locks(
    model: NumModel, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    """Locked prefixes: a NextVar chain from the vehicle's start, vehicle fixed."""
    solver = routing.solver()
    for v, nodes in model.locked.items():
        prev = routing.Start(v)
        for node in nodes:
            idx = manager.NodeToIndex(node)
            solver.Add(routing.NextVar(prev) == idx)
            routing.VehicleVar(idx).SetValues([v])
            prev = idx


def _read_routes(
    r: _Routing, routes: Sequence[Sequence[int]], locked: Mapping[int, Sequence[int]]
) -> pywrapcp.Assignment | None:
    """Turn node routes into an assignment, trimming nodes OR-Tools rejects."""
    routing, manager = r.routing, r.manager
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
    r: _Routing,
    solution: pywrapcp.Assignment | None,
    count: int,
    t0: float,
) -> RawSolution:
    """Routes, service starts and breaks of ``solution`` (empty routes for None)."""
    if solution is None:
        raw = RawSolution.empty(model, "", wall_s=time.perf_counter() - t0)
        raw.depart = [0] * len(model.vehicles)
        raw.end = [0] * len(model.vehicles)
        raw.solutions = count
        return raw
    routing, manager, tdim = r.routing, r.manager, r.tdim
    routes, starts, depart, end = [], [], [], []
    for v in range(routing.vehicles()):
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
    return RawSolution(
        routes=routes,
        starts=starts,
        depart=depart,
        end=end,
        breaks=_breaks(solution, routing.vehicles()),
        objective=solution.ObjectiveValue(),
        status="",
        solutions=count,
        wall_s=time.perf_counter() - t0,
    )


def _breaks(solution: pywrapcp.Assignment, n_veh: int) -> list[int | None]:
    breaks: list[int | None] = [None] * n_veh
    intervals = solution.IntervalVarContainer()
    for i in range(intervals.Size()):
        el = intervals.Element(i)
        name = el.Var().Name()
        if name.startswith("break_") and el.PerformedValue():
            breaks[int(name.split("_")[1])] = el.StartValue()
    return breaks
