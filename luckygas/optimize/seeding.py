"""Starting routes from PyVRP (optional; used only as a warm start for OR-Tools).

PyVRP is a much stronger VRPTW search than OR-Tools' GLS, but it cannot express every
Lucky Gas rule exactly. What we give it:

* several windows per client as mutually exclusive copies (a client group), one per
  window;
* reloads as PyVRP reload depots with the reload time as the depot's service duration;
* forbidden vehicles as prohibitively long arcs in that vehicle's profile;
* the driver break, on days small enough for one profile per vehicle, as an optional
  client of that vehicle only (the break's window and duration, a prize above any
  order's); on larger days as a shift shortened by the break.

The routes it returns are therefore only a *seed*: they are repaired and completed by
exact simulation (:mod:`luckygas.optimize.insertion`), then OR-Tools re-checks them
under every constraint and keeps optimising. :func:`best_pyvrp_routes` runs two seeds
at once, one in a second process, and keeps the better repaired plan.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Hashable
from multiprocessing.connection import Connection

import numpy as np

from luckygas.optimize import insertion
from luckygas.optimize.model import NumModel

_BIG = 10**9  # "forbidden" arc length, far above any real route
# Break clients need one profile per vehicle; allowed while vehicles x locations^2 stays
# below this many matrix cells (the demo day: 11 x 290^2 = 0.9 M).
BREAK_CELLS = 4_000_000
# ... and only from this many orders on: the break's prize makes PyVRP open every vehicle
# (measured on 10-stop days: +18 % cost on one of six when a second vehicle was opened
# for nothing), which is harmless only when the day needs the whole fleet anyway.
BREAK_CLIENTS_MIN_ORDERS = 100


def pyvrp_routes(
    model: NumModel, seconds: float, seed: int = 0, iterations: int | None = None
) -> list[list[int]] | None:
    """Solve a relaxed copy of ``model`` with PyVRP for ``seconds``.

    With ``iterations`` the search stops after that many iterations (reproducible), or
    at ``seconds`` if that comes first.

    Returns
    -------
    list[list[int]] | None
        Node lists per vehicle index, or None if PyVRP is unavailable or failed.
    """
    try:
        import pyvrp
        from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria
    except ImportError:  # optional dependency
        return None
    n = model.n_nodes
    # Reload nodes are not clients: PyVRP models reloads itself (reload_depots).
    clients = [i for i in range(1, n) if not model.is_reload(i)]
    reloads = {
        v: [i for i in range(1, n) if model.is_reload(i) and model.reload_vehicle[i] == v]  # type: ignore[index]
        for v in range(len(model.vehicles))
    }
    keep = np.array([0, *clients], dtype=np.int64)
    svc = np.asarray(model.service, dtype=np.int64)[keep]
    n_loc = len(keep)
    # Breaks as clients: one virtual stop per vehicle (only that vehicle may visit it) with
    # the break's window and duration, so PyVRP leaves room for it where OR-Tools needs
    # it. It costs one profile per vehicle, so only on days where that stays small.
    brk_v = [v for v, veh in enumerate(model.vehicles) if veh.break_]
    with_breaks = (
        bool(brk_v)
        and len(clients) >= BREAK_CLIENTS_MIN_ORDERS
        and len(model.vehicles) * (n_loc + len(brk_v)) ** 2 <= BREAK_CELLS
    )
    brk_loc = {v: n_loc + k for k, v in enumerate(brk_v)} if with_breaks else {}
    n_all = n_loc + len(brk_loc)
    client_rows: list[object] = []
    groups: list[object] = []
    client_node: list[int | None] = []  # PyVRP client index -> model node (None = break)
    for k, node in enumerate(clients):
        wins = model.windows[node] or ((0, model.horizon),)
        pen = model.penalties[node]
        prize = 0 if pen is None else int(min(pen, 2**40))
        alts = wins if len(wins) > 1 else (wins[0],)
        if len(alts) > 1:  # several windows: mutually exclusive copies, one per window
            members = []
            for a, b in alts:
                members.append(len(client_rows))
                client_rows.append(
                    pyvrp.Client(
                        location=k + 1,
                        delivery=[int(d[node]) for d in model.demands],
                        service_duration=model.service[node],
                        tw_early=a,
                        tw_late=b,
                        required=False,
                        prize=prize,
                        group=len(groups),
                    )
                )
                client_node.append(node)
            groups.append(pyvrp.ClientGroup(members, required=pen is None))
            continue
        client_rows.append(
            pyvrp.Client(
                location=k + 1,
                delivery=[int(d[node]) for d in model.demands],
                service_duration=model.service[node],
                tw_early=alts[0][0],
                tw_late=alts[0][1],
                required=pen is None,
                prize=prize,
            )
        )
        client_node.append(node)
    brk_prize = int(min(2 * max((p or 0) for p in model.penalties), 2**40)) or 1
    for v in brk_loc:
        early, latest, dur = model.vehicles[v].break_  # type: ignore[misc]
        client_rows.append(
            pyvrp.Client(
                location=brk_loc[v],
                delivery=[0] * len(model.demands),
                service_duration=dur,
                tw_early=early,
                tw_late=latest,
                # Optional with a prize above any order's: never dropped for an order,
                # while a hard requirement makes PyVRP's search stall on infeasible
                # starts (measured: 1 seed in 2 ended with forbidden arcs).
                required=False,
                prize=brk_prize,
            )
        )
        client_node.append(None)
    # One profile per distinct (time matrix, cost matrix, forbidden set, break owner);
    # matrices are built with numpy (a Python loop over edges costs seconds at 1,000+
    # orders).
    profiles: dict[Hashable, int] = {}
    dist_ms: list[np.ndarray] = []
    dur_ms: list[np.ndarray] = []
    veh_profile = []
    for v, veh in enumerate(model.vehicles):
        forbidden = frozenset(
            k + 1
            for k, i in enumerate(clients)
            if model.allowed[i] is not None and v not in model.allowed[i]
        )
        key = (veh.time_key, veh.cost_key, forbidden, v if brk_loc else None)
        if key not in profiles:
            profiles[key] = len(dist_ms)
            tm = np.asarray(model.time_matrices[veh.time_key], dtype=np.int64)[np.ix_(keep, keep)]
            cm = np.asarray(model.cost_matrices[veh.cost_key], dtype=np.int64)[np.ix_(keep, keep)]
            dur = np.maximum(tm - svc[:, None], 0)
            bad = np.zeros(n_all, dtype=bool)
            bad[list(forbidden)] = True
            bad[[loc for u, loc in brk_loc.items() if u != v]] = True
            dist = np.zeros((n_all, n_all), dtype=np.int64)
            durm = np.zeros((n_all, n_all), dtype=np.int64)
            dist[:n_loc, :n_loc], durm[:n_loc, :n_loc] = cm, dur
            if brk_loc:
                # Leaving the break costs the cheapest arc into the next stop: a stand-in
                # for the travel of the gap the break sits in (a lower bound).
                big = np.where(np.eye(n_loc, dtype=bool), _BIG, cm).min(axis=0)
                bigt = np.where(np.eye(n_loc, dtype=bool), _BIG, dur).min(axis=0)
                big[0], bigt[0] = 0, 0
                dist[n_loc:, :n_loc], durm[n_loc:, :n_loc] = big, bigt
            mask = bad[:, None] | bad[None, :]
            np.fill_diagonal(mask, False)
            dist_ms.append(np.where(mask, _BIG, dist))
            dur_ms.append(np.where(mask, _BIG, durm))
        veh_profile.append(profiles[key])
    # Reloading takes time: one extra depot (same place) per distinct reload duration, so
    # PyVRP charges it at the start of every later trip, as OR-Tools does.
    reload_s = sorted({model.service[reloads[v][0]] for v in reloads if reloads[v]})
    depots = [pyvrp.Depot(location=0)] + [
        pyvrp.Depot(location=0, service_duration=s) for s in reload_s
    ]
    reload_depot = {s: k + 1 for k, s in enumerate(reload_s)}
    vtypes = []
    for v, veh in enumerate(model.vehicles):
        # Without break clients, keep the break's length free in the shift so OR-Tools
        # can usually slot it in without cutting stops from the seed.
        pause = veh.break_[2] if veh.break_ and not brk_loc else 0
        vtypes.append(
            pyvrp.VehicleType(
                num_available=1,
                capacity=list(veh.capacities),
                start_depot=0,
                end_depot=0,
                fixed_cost=veh.fixed_cost,
                tw_early=veh.start_range[0],
                tw_late=veh.end_range[1],
                shift_duration=(
                    veh.max_span
                    if veh.max_span is not None
                    else veh.end_range[1] - veh.start_range[0]
                )
                - pause,
                profile=veh_profile[v],
                name=str(v),
                reload_depots=[reload_depot[model.service[reloads[v][0]]]] if reloads[v] else [],
                max_reloads=len(reloads[v]),
            )
        )
    try:
        data = pyvrp.ProblemData(
            locations=[pyvrp.Location(0, 0) for _ in range(n_all)],
            clients=client_rows,  # type: ignore[arg-type]
            groups=groups,  # type: ignore[arg-type]
            depots=depots,
            vehicle_types=vtypes,
            distance_matrices=dist_ms,
            duration_matrices=dur_ms,
        )
        stop = MaxRuntime(seconds)
        if iterations is not None:
            stop = MultipleCriteria([MaxIterations(iterations), stop])
        res = pyvrp.solve(data, stop=stop, seed=seed, display=False)
    except Exception:
        return None
    routes: list[list[int]] = [[] for _ in model.vehicles]
    for route in res.best.routes():
        # Client activities are numbered 0.. in insertion order, i.e. clients[idx].
        v = route.vehicle_type()
        by_trip: dict[int, list[int]] = {}
        for a in route:
            if _is_client(a) and client_node[a.idx] is not None:
                by_trip.setdefault(_value(a.trip), []).append(client_node[a.idx])  # type: ignore[arg-type]
        spare = list(reloads[v])
        nodes: list[int] = []
        for k, trip in enumerate(sorted(by_trip)):
            if k and spare:
                nodes.append(spare.pop(0))
            nodes += by_trip[trip]
        routes[v] = nodes
    return routes


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


def _child(send: Connection, seconds: float, seed: int) -> None:
    """Worker process: PyVRP on the model inherited from the parent, routes sent back."""
    model = _FORKED_MODEL
    try:
        send.send(None if model is None else pyvrp_routes(model, seconds, seed))
    finally:
        send.close()


def best_pyvrp_routes(
    model: NumModel, seconds: float, seed: int = 0, workers: int = 2
) -> list[list[int]] | None:
    """PyVRP with ``workers`` seeds in parallel, each repaired; the best plan wins.

    See :func:`pyvrp_starts`, whose first plan this is (None if there is none).
    """
    starts = pyvrp_starts(model, seconds, seed, workers)
    return starts[0] if starts else None


def pyvrp_starts(
    model: NumModel, seconds: float, seed: int = 0, workers: int = 2
) -> list[list[list[int]]]:
    """PyVRP with ``workers`` seeds in parallel, each repaired; the plans best first.

    On the demo day PyVRP's plan stops improving after about 1 s but varies a lot with
    the seed, and so does the plan OR-Tools reaches from it, so a second seed on the
    second core is worth more than a longer run of one (the solver searches from both
    on a large day). Each plan is made feasible and completed by
    :func:`luckygas.optimize.insertion.repair_and_fill` before the comparison. Falls
    back to one seed in this process if a worker process cannot be started.

    Returns
    -------
    list[list[list[int]]]
        Node routes per vehicle for each seed that succeeded, best score first (empty if
        PyVRP is unavailable or failed).
    """
    results: list[list[list[int]] | None] = []
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
    results.append(pyvrp_routes(model, seconds, seed))
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
    scored: list[tuple[int, int, list[list[int]]]] = []
    for k, routes in enumerate(results):
        if routes is None:
            continue
        deadline = time.perf_counter() + max(0.2, 0.05 * seconds)
        fixed = insertion.repair_and_fill(model, routes, deadline)
        scored.append((plan_score(model, fixed), k, fixed))
    scored.sort(key=lambda x: x[:2])
    return [fixed for _, _, fixed in scored]
