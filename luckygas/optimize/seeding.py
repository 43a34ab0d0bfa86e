"""Starting routes from PyVRP (optional; used only as a warm start for OR-Tools).

PyVRP is a much stronger VRPTW search than OR-Tools' GLS, but it cannot express every
Lucky Gas rule exactly: one time window per client (we give it the hull of the windows),
no driver break, and no per-client vehicle restriction (we emulate forbidden vehicles by
making arcs into that client prohibitively long for that vehicle's profile). The routes it
returns are therefore only a *seed*: OR-Tools re-checks them under every constraint,
trims what is infeasible, and keeps optimising.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from luckygas.optimize.model import NumModel

_BIG = 10**9  # "forbidden" arc length, far above any real route


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
    client_rows = []
    for node in clients:
        wins = model.windows[node]
        early, late = (wins[0][0], wins[-1][1]) if wins else (0, model.horizon)
        pen = model.penalties[node]
        client_rows.append(
            pyvrp.Client(
                location=len(client_rows) + 1,
                delivery=[int(d[node]) for d in model.demands],
                service_duration=model.service[node],
                tw_early=early,
                tw_late=late,
                required=pen is None,
                prize=0 if pen is None else int(min(pen, 2**40)),
            )
        )
    # One profile per distinct (time matrix, cost matrix, forbidden set); matrices are
    # built with numpy (a Python loop over edges costs seconds at 1,000+ orders).
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
    vtypes = []
    for v, veh in enumerate(model.vehicles):
        # PyVRP has no breaks: keep the break's length free in the shift so OR-Tools can
        # usually slot it in without cutting stops from the seed.
        pause = veh.break_[2] if veh.break_ else 0
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
                reload_depots=[0] if reloads[v] else [],
                max_reloads=len(reloads[v]),
            )
        )
    try:
        data = pyvrp.ProblemData(
            locations=[pyvrp.Location(0, 0) for _ in keep],
            clients=client_rows,
            depots=[pyvrp.Depot(location=0)],
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
            if _is_client(a):
                by_trip.setdefault(_value(a.trip), []).append(clients[a.idx])
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
