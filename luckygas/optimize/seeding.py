"""Starting routes from PyVRP (optional; used only as a warm start for OR-Tools).

PyVRP is a much stronger VRPTW search than OR-Tools' GLS, but it cannot express every
Lucky Gas rule exactly. What we give it:

* several windows per client as mutually exclusive copies (a client group), one per
  window;
* reloads as PyVRP reload depots with the reload time as the depot's service duration;
* forbidden vehicles as prohibitively long arcs in that vehicle's profile;
* the driver break cut out of the clock (:class:`_LunchClock`): taken at a fixed time,
  with windows and shifts after it moved earlier by its length;
* orders worth more than a vehicle and a round trip as required clients, cheaper
  (optional) ones as prizes; on a day the fleet cannot serve whole, every order a prize
  (see ``FEASIBLE_CHECK_SHARE``).

The routes it returns are therefore only a *seed*: they are repaired and completed by
exact simulation (:mod:`luckygas.optimize.insertion`), then OR-Tools re-checks them
under every constraint and keeps optimising. :func:`pyvrp_starts` runs one seed per core
(the others in forked processes), each repaired there, and ranks the repaired plans.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import warnings
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from luckygas.optimize import insertion
from luckygas.optimize.model import NumModel, ProgressFn

_BIG = 10**9  # "forbidden" arc length, far above any real route


@dataclass(frozen=True)
class _LunchClock:
    """PyVRP's clock with the fleet's common driver break taken out.

    PyVRP has no driver breaks. Every vehicle with the most common break
    ``(earliest, latest, duration)`` is given it at a fixed moment ``at`` (the middle of
    its start window), and the hour it takes is cut out of the clock: a time ``t`` after
    the break becomes ``t - duration``, so windows, shifts and the break all shrink
    consistently. A route that is feasible on this clock stays feasible on the real one
    with the break inserted at the first moment at or after ``at`` when the vehicle is
    not serving: travel and waiting after that moment move one hour later, and the
    break starts no later than the end of a service under way at ``at`` (a service
    too long to end by ``latest`` may not start just before ``at``, see
    :meth:`windows`). Orders whose only windows fall inside the break keep a
    one-second window just before it. The break is less flexible than in OR-Tools
    (always at ``at``), which OR-Tools' own search then corrects.

    Earlier seeds modelled the break as an optional client of its own vehicle, with
    approximate travel to and from it: PyVRP used it as a shortcut, 2-5 of 11 routes
    per seed were infeasible on the demo day, and the per-vehicle matrices halved
    PyVRP's iterations. With this clock no route of 8 seeds needed repair.
    """

    break_: tuple[int, int, int] | None
    at: int = 0
    duration: int = 0

    @classmethod
    def of(cls, model: NumModel) -> _LunchClock:
        """The clock for ``model``'s most common vehicle break (none without breaks)."""
        breaks = [v.break_ for v in model.vehicles if v.break_]
        if not breaks:
            return cls(None)
        brk = Counter(breaks).most_common(1)[0][0]
        earliest, latest, duration = brk
        return cls(brk, (earliest + latest) // 2, duration)

    def start(self, t: int) -> int:
        """A window opening at real time ``t``, on PyVRP's clock."""
        return t if t < self.at else max(self.at, t - self.duration)

    def end(self, t: int) -> int:
        """A window closing at real time ``t``, on PyVRP's clock."""
        if t < self.at:
            return t
        return self.at - 1 if t < self.at + self.duration else t - self.duration

    def windows(self, wins: Sequence[tuple[int, int]], service: int = 0) -> list[tuple[int, int]]:
        """``wins`` on PyVRP's clock, for a visit of ``service`` seconds.

        A service that starts before the break must end in time for the break to start
        by its latest start, so a long one (over ``latest - at``) may not start just
        before ``at``: that stretch is cut out of the window. Empty windows are dropped
        (see the class docstring for an order with none left).
        """
        out: list[tuple[int, int]] = []
        last_before = self.latest - service  # latest start that still ends in time
        for a, b in wins:
            a2, b2 = self.start(a), self.end(b)
            if (
                self.break_ is not None
                and last_before < self.at - 1
                and a2 < self.at
                and b2 > last_before
            ):
                if a2 <= last_before:
                    out.append((a2, last_before))
                if b2 >= self.at:
                    out.append((self.at, b2))
                continue
            if a2 <= b2:
                out.append((a2, b2))
        if out:
            return out
        return [(max(0, self.at - 1), max(0, self.at - 1))]

    @property
    def latest(self) -> int:
        """The break's latest start (real and PyVRP clock agree before the break)."""
        return self.break_[1] if self.break_ is not None else 0


# On a day the fleet cannot serve whole, required clients leave PyVRP without a feasible
# plan: its best stays infeasible and the repair then cuts whole route tails (the demo
# day without one light truck: ~150 of 230 orders kept at a 5 s limit). If no feasible
# plan is found in FEASIBLE_CHECK_ITERATIONS iterations or this share of the time,
# whichever comes first, PyVRP starts again with every order a prize and chooses itself
# which to leave out. Measured (2 seeds each): the full demo day had its first feasible
# plan at iteration 10-23, synthetic days of 40-300 orders at iteration 1; the demo day
# without a truck had none after 183-290 (3 s), and its prize run alone served 221-223
# orders in 2.8-4 s.
FEASIBLE_CHECK_SHARE = 0.3
FEASIBLE_CHECK_ITERATIONS = 50
# Prize of an order in that second run: its drop penalty, capped so that PyVRP's integer
# sums stay far from overflow.
MAX_PRIZE = 10**12
# PyVRP's penalty range per unit of violation (a second of time warp, a cylinder or kg
# too many) in that prize run: its ceiling is the typical (median) prize divided by
# PRIZE_RUN_UNITS_PER_PRIZE, its floor that over PRIZE_RUN_RANGE. Why: PyVRP starts at the
# middle of its range (default 0.1 to 100,000, so 50,000) and moves only every 500
# candidates, ~2 times in a 5-s plan on the tight day (300-400 iterations/s), so the
# start is what the search runs with. At 50,000 an order's prize (10,000 TWD = 1,000,000
# cents) pays for only 20 s of time warp: the search seldom puts an order into a packed
# route, stays near the feasible plans it has, and its served count grows only with time.
# Measured on the demo day without a light truck (prize run alone, 2.5 s, seeds 0/1/2,
# load 3.5-4.8): default range (ceiling prize/10) 217/214/219 served; ceiling prize/100
# (10,000, start 5,000) 223/223/222, twice; prize/33 220/221/221; 10,000 to 10^7 (start
# 5 x 10^6) 211/213/211. Too low a ceiling finds no feasible plan at all: with a drop penalty of
# 100,000 TWD, a ceiling of prize/1,000 none in 3 of 3 seeds, prize/100 221/224/221;
# with 1,000 TWD (median prize 6,348 TWD), prize/635 none, prize/100 222/222/224,
# prize/63 219/219/220. The required-client run keeps PyVRP's range: a feasible plan is
# its aim, and the full demo day finds one there within 10-23 iterations.
PRIZE_RUN_UNITS_PER_PRIZE = 100.0
PRIZE_RUN_RANGE = 10_000.0


def pyvrp_routes(
    model: NumModel,
    seconds: float,
    seed: int = 0,
    iterations: int | None = None,
    progress: ProgressFn | None = None,
) -> list[list[int]] | None:
    """Solve a relaxed copy of ``model`` with PyVRP for ``seconds``.

    With ``iterations`` the search stops after that many iterations (reproducible), or
    at ``seconds`` if that comes first. ``progress(elapsed_s, best)`` is called on
    every better feasible plan PyVRP finds (its cost in model units) and every 0.2 s
    between (``best`` None); ``elapsed_s`` counts from the start of this call. If no
    feasible plan turns up in ``FEASIBLE_CHECK_SHARE`` of the time (a day the fleet
    cannot serve whole), the rest of the time goes to a run where every order is a prize.

    Returns
    -------
    list[list[int]] | None
        Node lists per vehicle index, or None if PyVRP is unavailable or failed.
    """
    plan = _pyvrp_plan(model, seconds, seed, iterations, progress)
    return None if plan is None else plan[0]


def _pyvrp_plan(
    model: NumModel,
    seconds: float,
    seed: int = 0,
    iterations: int | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[list[int]], bool] | None:
    """:func:`pyvrp_routes` and whether PyVRP found them feasible on its relaxed model."""
    try:
        import pyvrp  # noqa: F401 - optional dependency
    except ImportError:
        return None
    t0 = time.perf_counter()
    data = _PyvrpData.of(model, prizes_only=False)
    check_s = None if iterations is not None else FEASIBLE_CHECK_SHARE * seconds
    res = _run(data.data, seconds, seed, iterations, progress, check_s)
    if res is None:
        return None
    left = seconds - (time.perf_counter() - t0)
    if not res.best.is_feasible() and iterations is None and left > 0.05:
        prized = _PyvrpData.of(model, prizes_only=True)
        again = _run(prized.data, left, seed, None, progress, None, prized.penalty_range())
        if again is not None and again.best.is_feasible():
            return prized.routes(again.best), True
    return data.routes(res.best), bool(res.best.is_feasible())


def _run(
    data: Any,
    seconds: float,
    seed: int,
    iterations: int | None,
    progress: ProgressFn | None,
    check_s: float | None,
    penalty_range: tuple[float, float] | None = None,
) -> Any:
    """``pyvrp.solve`` under our stopping rules; None if PyVRP fails.

    ``penalty_range`` is PyVRP's ``(min_penalty, max_penalty)``, its default if None.
    """
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    criteria: list[Any] = [MaxRuntime(seconds)]
    if iterations is not None:
        criteria.append(MaxIterations(iterations))
    if check_s is not None:
        criteria.append(_NoFeasiblePlanAfter(check_s))
    try:
        with warnings.catch_warnings():
            # "A penalty parameter has reached its maximum value": expected on a day
            # with more orders than the fleet can serve; the repair handles the result.
            warnings.simplefilter("ignore")
            import pyvrp

            return pyvrp.solve(
                data,
                stop=MultipleCriteria(criteria),
                seed=seed,
                display=False,
                params=_solve_params(progress, penalty_range),
            )
    except Exception:
        return None


class _NoFeasiblePlanAfter:
    """PyVRP stopping criterion: no feasible plan after ``seconds`` or ``iterations``.

    PyVRP calls it once per iteration with the best plan's cost, a very large number
    while that plan is infeasible.
    """

    def __init__(self, seconds: float, iterations: int = FEASIBLE_CHECK_ITERATIONS) -> None:
        self.seconds = seconds
        self.iterations = iterations
        self.calls = 0
        self.t0: float | None = None

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if self.t0 is None:
            self.t0 = now
        self.calls += 1
        late = now - self.t0 >= self.seconds or self.calls > self.iterations
        return late and best_cost >= _INFEASIBLE_COST


# CostEvaluator.cost of an infeasible solution is INT64_MAX-like; anything above this is it.
_INFEASIBLE_COST = 2**62


@dataclass
class _PyvrpData:
    """A PyVRP ``ProblemData`` of a :class:`NumModel` and the way back to its nodes."""

    data: Any
    model: NumModel
    client_node: list[int]  # PyVRP client index -> model node
    reloads: dict[int, list[int]]  # vehicle -> its reload nodes

    @classmethod
    def of(cls, model: NumModel, *, prizes_only: bool) -> _PyvrpData:
        import pyvrp

        n = model.n_nodes
        # Reload nodes are not clients: PyVRP models reloads itself (reload_depots).
        clients = [i for i in range(1, n) if not model.is_reload(i)]
        reloads = {
            v: [i for i in range(1, n) if model.is_reload(i) and model.reload_vehicle[i] == v]  # type: ignore[index]
            for v in range(len(model.vehicles))
        }
        keep = np.array([0, *clients], dtype=np.int64)
        lunch = _LunchClock.of(model)
        rows, groups, client_node = _clients(model, clients, lunch, prizes_only)
        dist_ms, dur_ms, veh_profile = _profiles(model, clients, keep)
        # Reloading takes time: one extra depot (same place) per distinct reload
        # duration, so PyVRP charges it at the start of every later trip, as OR-Tools does.
        reload_s = sorted({model.service[reloads[v][0]] for v in reloads if reloads[v]})
        depots = [pyvrp.Depot(location=0)] + [
            pyvrp.Depot(location=0, service_duration=s) for s in reload_s
        ]
        reload_depot = {s: k + 1 for k, s in enumerate(reload_s)}
        vtypes = [
            _vehicle_type(model, v, lunch, veh_profile[v], reloads[v], reload_depot)
            for v in range(len(model.vehicles))
        ]
        data = pyvrp.ProblemData(
            locations=[pyvrp.Location(0, 0) for _ in range(len(keep))],
            clients=rows,
            groups=groups,
            depots=depots,
            vehicle_types=vtypes,
            distance_matrices=dist_ms,
            duration_matrices=dur_ms,
        )
        return cls(data, model, client_node, reloads)

    def penalty_range(self) -> tuple[float, float]:
        """PyVRP's penalty range for a run with prizes (see ``PRIZE_RUN_UNITS_PER_PRIZE``).

        The ceiling is the median positive prize over ``PRIZE_RUN_UNITS_PER_PRIZE``, so an
        order's prize outweighs that many units of violation even at the ceiling.
        """
        prizes = [c.prize for c in self.data.clients() if c.prize > 0]
        typical = float(np.median(prizes)) if prizes else 1.0
        ceiling = max(typical / PRIZE_RUN_UNITS_PER_PRIZE, 1.0)
        return ceiling / PRIZE_RUN_RANGE, ceiling

    def routes(self, best: Any) -> list[list[int]]:
        """Node lists per vehicle index of PyVRP's ``best`` solution, trips joined by reloads."""
        routes: list[list[int]] = [[] for _ in self.model.vehicles]
        for route in best.routes():
            # Client activities are numbered 0.. in insertion order, i.e. clients[idx].
            v = route.vehicle_type()
            by_trip: dict[int, list[int]] = {}
            for a in route:
                if _is_client(a):
                    by_trip.setdefault(_value(a.trip), []).append(self.client_node[a.idx])
            spare = list(self.reloads[v])
            nodes: list[int] = []
            for k, trip in enumerate(sorted(by_trip)):
                if k and spare:
                    nodes.append(spare.pop(0))
                nodes += by_trip[trip]
            routes[v] = nodes
        return routes


def _clients(
    model: NumModel, clients: list[int], lunch: _LunchClock, prizes_only: bool
) -> tuple[list[Any], list[Any], list[int]]:
    """PyVRP clients (one per window; a group when there are several) and client groups."""
    import pyvrp

    # An order worth more than a vehicle's fixed cost and a round trip to it (every
    # normal, urgent and emergency order; prepare.py sets their penalties so) is a
    # required client. As a prize, PyVRP traded it for a few seconds of time warp and
    # left 1-2 orders out of 1 seed in 2 on the demo day; required, none.
    fixed = max((v.fixed_cost for v in model.vehicles), default=0)
    round_trip = {i: max(c[0][i] + c[i][0] for c in model.cost_matrices.values()) for i in clients}
    rows: list[Any] = []
    groups: list[Any] = []
    client_node: list[int] = []
    for k, node in enumerate(clients):
        wins = lunch.windows(model.windows[node] or ((0, model.horizon),), model.service[node])
        pen = model.penalties[node]
        required = not prizes_only and (pen is None or pen > fixed + round_trip[node])
        prize = 0 if required else min(MAX_PRIZE, MAX_PRIZE if pen is None else pen)
        common: dict[str, Any] = {
            "location": k + 1,
            "delivery": [int(d[node]) for d in model.demands],
            "service_duration": model.service[node],
            "prize": prize,
        }
        if len(wins) == 1:
            rows.append(
                pyvrp.Client(**common, tw_early=wins[0][0], tw_late=wins[0][1], required=required)
            )
            client_node.append(node)
            continue
        # Several windows: mutually exclusive copies, one per window.
        members = []
        for a, b in wins:
            members.append(len(rows))
            rows.append(
                pyvrp.Client(**common, tw_early=a, tw_late=b, required=False, group=len(groups))
            )
            client_node.append(node)
        groups.append(pyvrp.ClientGroup(members, required=required))
    return rows, groups, client_node


def _profiles(
    model: NumModel, clients: list[int], keep: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], list[int]]:
    """One profile per distinct (time matrix, cost matrix, forbidden set).

    Matrices are built with numpy (a Python loop over edges costs seconds at 1,000+
    orders); a vehicle's forbidden clients get prohibitively long arcs.
    """
    svc = np.asarray(model.service, dtype=np.int64)[keep]
    profiles: dict[Hashable, int] = {}
    dist_ms: list[np.ndarray] = []
    dur_ms: list[np.ndarray] = []
    veh_profile = []
    for v, veh in enumerate(model.vehicles):
        forbidden = frozenset(
            k + 1
            for k, i in enumerate(clients)
            if model.allowed[i] is not None and v not in model.allowed[i]  # type: ignore[operator]
        )
        key = (veh.time_key, veh.cost_key, forbidden)
        if key not in profiles:
            profiles[key] = len(dist_ms)
            tm = np.asarray(model.time_matrices[veh.time_key], dtype=np.int64)[np.ix_(keep, keep)]
            cm = np.asarray(model.cost_matrices[veh.cost_key], dtype=np.int64)[np.ix_(keep, keep)]
            dur = np.maximum(tm - svc[:, None], 0)
            bad = np.zeros(len(keep), dtype=bool)
            bad[list(forbidden)] = True
            mask = bad[:, None] | bad[None, :]
            np.fill_diagonal(mask, False)
            dist_ms.append(np.where(mask, _BIG, cm))
            dur_ms.append(np.where(mask, _BIG, dur))
        veh_profile.append(profiles[key])
    return dist_ms, dur_ms, veh_profile


def _vehicle_type(
    model: NumModel,
    v: int,
    lunch: _LunchClock,
    profile: int,
    reloads: list[int],
    reload_depot: dict[int, int],
) -> Any:
    """Vehicle ``v`` as a PyVRP vehicle type of its own, on the lunch clock."""
    import pyvrp

    veh = model.vehicles[v]
    # A vehicle whose break is not the one taken out of the clock keeps room for its
    # own break in the shift instead; one without a break loses the cut hour too
    # (its seed is then conservative, never infeasible).
    pause = veh.break_[2] if veh.break_ and veh.break_ != lunch.break_ else 0
    early = lunch.start(veh.start_range[0])
    late = lunch.end(veh.end_range[1])
    span = late - early
    if veh.max_span is not None:  # a span across the lunch break is an hour longer
        span = veh.max_span - (lunch.duration if veh.break_ == lunch.break_ else 0)
    return pyvrp.VehicleType(
        num_available=1,
        capacity=list(veh.capacities),
        start_depot=0,
        end_depot=0,
        fixed_cost=veh.fixed_cost,
        tw_early=early,
        tw_late=max(early, late),
        shift_duration=max(0, span - pause),
        profile=profile,
        name=str(v),
        reload_depots=[reload_depot[model.service[reloads[0]]]] if reloads else [],
        max_reloads=len(reloads),
    )


def _solve_params(
    progress: ProgressFn | None = None, penalty_range: tuple[float, float] | None = None
) -> object:
    """PyVRP's settings: its defaults with at most 10 perturbations per iteration.

    Measured on the demo day (PyVRP alone, repaired plan, 8 seeds, 5 s): median 20,392
    TWD with 10 perturbations against 20,500 with the default of 25 (5 and 15: no
    better than 10); Solomon at 1 s: 1.04 % against 1.22-1.60 %; six synthetic days at
    10 s: the same total cost. A shorter late-acceptance history (50 instead of 300)
    gained another 0.5 % on the demo day but cost up to 17 % (a vehicle more) on
    synthetic days and 0.1-0.3 points on Solomon, so the default stays. With
    ``progress``, the search reports to it (see :func:`pyvrp_routes`). With
    ``penalty_range`` ``(min, max)``, PyVRP's penalties stay in it (see
    :meth:`_PyvrpData.penalty_range`).
    """
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
    from pyvrp.PenaltyManager import PenaltyParams
    from pyvrp.search import PerturbationParams
    from pyvrp.solve import SolveParams

    perturbation = PerturbationParams(1, 10)
    penalty = (
        PenaltyParams()
        if penalty_range is None
        else PenaltyParams(min_penalty=penalty_range[0], max_penalty=penalty_range[1])
    )
    if progress is None:
        return SolveParams(perturbation=perturbation, penalty=penalty)
    report = progress
    t0 = time.perf_counter()

    class Report(IteratedLocalSearchCallbacks):  # type: ignore[misc]
        """Passes PyVRP's improvements and the passing time on to ``progress``."""

        last = 0.0

        def on_best(self, best: Any) -> None:
            # An infeasible plan's cost means nothing to the analyst (it was reported as
            # tens of millions of TWD on a tight day): only feasible plans are reported.
            if not best.is_feasible():
                return
            cost = best.distance_cost() + best.fixed_vehicle_cost() + best.uncollected_prizes()
            report(time.perf_counter() - t0, float(cost))

        def on_iteration(self, *_: Any) -> None:
            now = time.perf_counter()
            if now - self.last >= 0.2:
                self.last = now
                report(now - t0, None)

    return SolveParams(
        perturbation=perturbation,
        penalty=penalty,
        ils=IteratedLocalSearchParams(callbacks=Report()),
    )


def _value(x: object) -> int:
    return int(x() if callable(x) else x)  # type: ignore[operator]


def _is_client(activity: object) -> bool:
    flag = activity.is_client  # type: ignore[attr-defined]
    return bool(flag() if callable(flag) else flag)


def plan_score(model: NumModel, routes: list[list[int]]) -> int:
    """Route costs plus the penalties of the orders left out (the solver's objective)."""
    sim = insertion.RouteSimulator(model)
    visited = {x for r in routes for x in r}
    pen = sum(
        p if p is not None else 2**50
        for i, p in enumerate(model.penalties)
        if i and not model.is_reload(i) and i not in visited
    )
    return pen + sum(sim.route_cost(v, r) for v, r in enumerate(routes))


_FORKED_MODEL: NumModel | None = None


# Share of the seeding time kept for repairing PyVRP's plan (at least REPAIR_MIN_S).
REPAIR_SHARE = 0.05
REPAIR_MIN_S = 0.2


def _repaired(
    model: NumModel, seconds: float, seed: int, progress: ProgressFn | None = None
) -> tuple[int, list[list[int]]] | None:
    """PyVRP for ``seconds`` minus the repair's reserve, then the repair: (score, routes).

    If PyVRP ends without a feasible plan (a day the fleet cannot serve whole, on a
    loaded machine, whose prize run got too little time), its routes lose whole tails
    in the repair: the nearest-neighbour plan, repaired too, wins if it scores better.
    Measured on the demo day without a light truck at 2 s, load 9: PyVRP's routes
    repaired to 180-185 orders, the nearest-neighbour plan serves 212.
    """
    from luckygas.optimize.greedy import greedy_routes

    t0 = time.perf_counter()
    repair_s = min(max(REPAIR_MIN_S, REPAIR_SHARE * seconds), 0.5 * seconds)
    plan = _pyvrp_plan(model, max(seconds - repair_s, 0.01), seed, progress=progress)
    if plan is None:
        return None
    routes, feasible = plan
    deadline = max(t0 + seconds, time.perf_counter() + 0.01)
    fixed = insertion.repair_and_fill(model, routes, deadline)
    best = plan_score(model, fixed), fixed
    if not feasible:
        greedy = insertion.repair_and_fill(model, greedy_routes(model), deadline)
        best = min(best, (plan_score(model, greedy), greedy), key=lambda x: x[0])
    return best


def _child(send: Connection, seconds: float, seed: int) -> None:
    """Worker process: a repaired PyVRP plan of the model inherited from the parent."""
    model = _FORKED_MODEL
    try:
        send.send(None if model is None else _repaired(model, seconds, seed))
    finally:
        send.close()


def pyvrp_starts(
    model: NumModel,
    seconds: float,
    seed: int = 0,
    workers: int = 2,
    progress: ProgressFn | None = None,
) -> list[list[list[int]]]:
    """PyVRP with ``workers`` seeds in parallel, each repaired; the plans best first.

    ``seconds`` covers PyVRP and the repair: each worker makes its own plan feasible and
    complete (:func:`luckygas.optimize.insertion.repair_and_fill`) in the last
    ``REPAIR_SHARE`` of it, so the repairs run in parallel too. The plan OR-Tools reaches
    depends on the start, so the solver searches from the two best on a large day.
    Falls back to one seed in this process if a worker process cannot be started.
    ``progress`` follows the seed run in this process (see :func:`pyvrp_routes`).

    Returns
    -------
    list[list[list[int]]]
        Node routes per vehicle for each seed that succeeded, best score first (empty if
        PyVRP is unavailable or failed).
    """
    results: list[tuple[int, list[list[int]]] | None] = []
    children = []
    if workers > 1 and "fork" in mp.get_all_start_methods():
        ctx = mp.get_context("fork")
        global _FORKED_MODEL
        _FORKED_MODEL = model  # the children see it copy-on-write: nothing is pickled
        try:
            for k in range(1, workers):
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(send, seconds, seed + k), daemon=True)
                proc.start()
                send.close()
                children.append((proc, recv))
        except Exception:  # e.g. inside a daemonic worker (scenario runs): no children
            pass
        finally:
            _FORKED_MODEL = None
    results.append(_repaired(model, seconds, seed, progress))
    for proc, recv in children:
        try:
            results.append(recv.recv() if recv.poll(seconds + 30) else None)
        except (EOFError, OSError):  # a failed worker only costs its seed
            results.append(None)
        finally:
            recv.close()
            proc.join(timeout=1)
            if proc.is_alive():
                proc.kill()
    scored = [(r[0], k, r[1]) for k, r in enumerate(results) if r is not None]
    scored.sort(key=lambda x: x[:2])
    return [fixed for _, _, fixed in scored]
