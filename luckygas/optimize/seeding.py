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

from luckygas.optimize.model import NumModel

_BIG = 10**9  # "forbidden" arc length, far above any real route


def pyvrp_routes(model: NumModel, seconds: float, seed: int = 0) -> list[list[int]] | None:
    """Solve a relaxed copy of ``model`` with PyVRP for ``seconds``.

    Returns
    -------
    list[list[int]] | None
        Node lists per vehicle index, or None if PyVRP is unavailable or failed.
    """
    try:
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError:  # optional dependency
        return None
    n = model.n_nodes
    m = pyvrp.Model()
    locs = [m.add_location(x=0, y=0) for _ in range(n)]  # edges carry the real data
    depot = m.add_depot(locs[0])
    for node in range(1, n):
        wins = model.windows[node]
        early, late = (wins[0][0], wins[-1][1]) if wins else (0, model.horizon)
        pen = model.penalties[node]
        m.add_client(
            locs[node], delivery=[int(d[node]) for d in model.demands],
            service_duration=model.service[node], tw_early=early, tw_late=late,
            required=pen is None, prize=0 if pen is None else int(min(pen, 2**40)),
        )
    # One profile per distinct (time matrix, cost matrix, forbidden set).
    profiles: dict[Hashable, object] = {}
    veh_profile = []
    for v, veh in enumerate(model.vehicles):
        forbidden = frozenset(i for i in range(1, n) if model.allowed[i] is not None and v not in model.allowed[i])
        key = (veh.time_key, veh.cost_key, forbidden)
        if key not in profiles:
            profiles[key] = m.add_profile()
            tm, cm = model.time_matrices[veh.time_key], model.cost_matrices[veh.cost_key]
            for i in range(n):
                for j in range(n):
                    if i == j:
                        continue
                    bad = j in forbidden or i in forbidden
                    m.add_edge(locs[i], locs[j], distance=_BIG if bad else cm[i][j],
                               duration=_BIG if bad else tm[i][j] - model.service[i],
                               profile=profiles[key])
        veh_profile.append(profiles[key])
    for v, veh in enumerate(model.vehicles):
        # PyVRP has no breaks: keep the break's length free in the shift so OR-Tools can
        # usually slot it in without cutting stops from the seed.
        pause = veh.break_[2] if veh.break_ else 0
        m.add_vehicle_type(
            num_available=1, capacity=list(veh.capacities), start_depot=depot, end_depot=depot,
            fixed_cost=veh.fixed_cost, tw_early=veh.start_range[0], tw_late=veh.end_range[1],
            shift_duration=(veh.max_span if veh.max_span is not None else veh.end_range[1]
                            - veh.start_range[0]) - pause,
            profile=veh_profile[v], name=str(v),
        )
    try:
        res = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    except Exception:
        return None
    routes: list[list[int]] = [[] for _ in model.vehicles]
    for route in res.best.routes():
        # Client activities are numbered 0.. in insertion order, i.e. node - 1.
        routes[route.vehicle_type()] = [a.idx + 1 for a in route if _is_client(a)]
    return routes


def _is_client(activity: object) -> bool:
    flag = activity.is_client  # type: ignore[attr-defined]
    return bool(flag() if callable(flag) else flag)
