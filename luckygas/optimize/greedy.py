"""A cheap nearest-neighbour construction with reload trips: the solver's safety net.

Used when OR-Tools' own first-solution heuristic is too slow for the time limit (a large
day on a loaded machine) and as a starting point on large days. It builds one vehicle
at a time: go to the feasible order that can be *started* soonest; when nothing fits in
the current load and trips remain, go back to the depot and reload. The schedule is
simulated approximately (the break is taken at the first chance); OR-Tools re-checks
every route and trims what it rejects, so an approximation here can never produce an
invalid plan, only a slightly shorter seed.
"""

from __future__ import annotations

import numpy as np

from luckygas.optimize.model import NumModel

_INF = np.iinfo(np.int64).max // 4


def _window_arrays(model: NumModel) -> tuple[np.ndarray, np.ndarray]:
    k = max((len(w) for w in model.windows), default=1) or 1
    a = np.full((model.n_nodes, k), _INF, dtype=np.int64)
    b = np.full((model.n_nodes, k), -1, dtype=np.int64)
    for i, wins in enumerate(model.windows):
        if not wins:
            a[i, 0], b[i, 0] = 0, model.horizon
        for j, (lo, hi) in enumerate(wins):
            a[i, j], b[i, j] = lo, hi
    return a, b


def _earliest_start(arrive: np.ndarray, wa: np.ndarray, wb: np.ndarray) -> np.ndarray:
    """Earliest service start >= ``arrive`` inside a window (``_INF`` if none)."""
    start = np.maximum(arrive[:, None], wa)
    start = np.where(start <= wb, start, _INF)
    return start.min(axis=1)


def greedy_routes(model: NumModel) -> list[list[int]]:
    """Node routes per vehicle index (reload nodes included) built nearest-first.

    Parameters
    ----------
    model
        The numeric model.

    Returns
    -------
    list of list of int
        One node list per vehicle; orders that fit nowhere are left out.
    """
    n, n_veh = model.n_nodes, len(model.vehicles)
    reload_of = model.reload_vehicle or [None] * n
    customers = np.array([i for i in range(1, n) if reload_of[i] is None], dtype=np.int64)
    if len(customers) == 0 or n_veh == 0:
        return [[] for _ in range(n_veh)]
    wa, wb = _window_arrays(model)
    wa, wb = wa[customers], wb[customers]
    svc = np.asarray(model.service, dtype=np.int64)
    dem = np.array([[d[i] for i in customers] for d in model.demands], dtype=np.int64)
    # Keep what matters most when a vehicle has to choose: penalties (urgent first).
    pen = np.array(
        [model.penalties[i] if model.penalties[i] is not None else _INF for i in customers],
        dtype=np.float64,
    )
    urgent = pen >= np.percentile(pen, 99) if len(pen) > 5 else np.zeros(len(pen), bool)
    allowed = np.ones((n_veh, len(customers)), dtype=bool)
    for c, node in enumerate(customers):
        al = model.allowed[node]
        if al is not None:
            allowed[:, c] = False
            allowed[al, c] = True
    free = np.ones(len(customers), dtype=bool)
    reloads = {v: [i for i in range(n) if reload_of[i] == v] for v in range(n_veh)}
    routes: list[list[int]] = [[] for _ in range(n_veh)]
    matrices: dict[object, np.ndarray] = {}
    # Specialised vehicles (fewest compatible orders) choose first.
    for v in sorted(range(n_veh), key=lambda v: int(allowed[v].sum())):
        veh = model.vehicles[v]
        if veh.time_key not in matrices:
            matrices[veh.time_key] = np.asarray(model.time_matrices[veh.time_key], dtype=np.int64)
        tm = matrices[veh.time_key]
        caps = np.asarray(veh.capacities, dtype=np.int64)
        reload_dims = np.array(
            [
                bool(reloads[v]) and any(model.demands[d][r] < 0 for r in reloads[v])
                for d in range(len(caps))
            ]
        )
        load = np.zeros(len(caps), dtype=np.int64)
        t = depart = veh.start_range[0]
        end_max = veh.end_range[1]
        brk = veh.break_
        taken = brk is None
        pos, route, spare = 0, [], list(reloads[v])
        while True:
            if not taken and t >= brk[0]:  # type: ignore[index]
                t, taken = t + brk[2], True  # type: ignore[index]
            cand = free & allowed[v] & np.all(load[:, None] + dem <= caps[:, None], axis=0)
            travel = tm[pos, customers] - svc[pos]
            start = _earliest_start(t + travel, wa, wb)
            fin = start + svc[customers]
            back = tm[customers, 0] - svc[customers]
            ret = fin + back
            if not taken:
                b0, b1, dur = brk  # type: ignore[misc]
                cand &= fin <= b1  # the break must still fit after this stop
                ret = np.where(ret > b0, ret + dur, ret)
            cand &= (start < _INF) & (ret <= end_max)
            if veh.max_span is not None:
                cand &= ret - depart <= veh.max_span
            if cand.any():
                score = np.where(cand, (start - t) - urgent * 1800, _INF)
                c = int(np.argmin(score))
                route.append(int(customers[c]))
                free[c] = False
                load += dem[:, c]
                t, pos = int(fin[c]), int(customers[c])
                continue
            # Nothing fits: reload if that would let some order in, else close the route.
            if not spare or pos == 0 or reload_of[pos] is not None:
                break
            r = spare.pop(0)
            t = t + int(tm[pos, 0] - svc[pos]) + int(svc[r])
            load = np.where(reload_dims, 0, load)
            route.append(r)
            pos = r
        while route and reload_of[route[-1]] is not None:
            route.pop()
        routes[v] = route
    return routes
