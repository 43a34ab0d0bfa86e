"""Exact route simulation and cheapest feasible insertion (with a reload when needed).

OR-Tools' local search inserts one node per move, so an order that only fits if the
vehicle also goes back to reload (an order *and* a reload node inserted together) is
found slowly; repairing a seed in OR-Tools itself (one propagation per trial) costs
about 0.1-0.5 s per trial on a 280-node day with breaks. This module does both in
plain Python on the :class:`~luckygas.optimize.model.NumModel`, mirroring every rule
the OR-Tools model enforces:

* capacities per dimension, restarting from zero after a reload node;
* several time windows per node, the shift (start and end ranges), the maximum span
  (conservatively: measured from the earliest start);
* one driver break per vehicle, taken in a gap between two visits (the gap must hold
  the travel plus the break, the rule ``checker.check_plan`` applies), before the
  departure or after the return;
* locked route prefixes (``model.locked``): no pass moves, removes or inserts before
  the last locked stop.

Routes built here are only proposals: the solver still reads them into OR-Tools, which
re-checks everything and trims what it rejects, so a mismatch can cost quality, never
validity.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

from luckygas.optimize.model import NumModel

_INF = 1 << 62
# Candidates checked per order, cheapest first. A full trip of its own (reload, order,
# back) is among the dearest insertions, so a cap of a few hundred missed it: on the demo
# day a 60 kg motorcycle-only order had ~1,300 candidates and its only feasible ones
# (a new trip at the end of a route) came after the first 400. A check costs ~50 us.
MAX_CHECKS = 5000


def _earliest(t: int, wins: Sequence[tuple[int, int]]) -> int:
    """Earliest service start >= ``t`` inside one of ``wins`` (``_INF`` if none)."""
    if not wins:
        return t
    for a, b in wins:
        if t <= b:
            return max(t, a)
    return _INF


@dataclass
class _VehicleData:
    """Per-vehicle lookups as plain lists (Python indexing is faster than numpy's)."""

    time: list[list[int]]
    cost: list[list[int]]
    caps: tuple[int, ...]
    start: int
    end_max: int
    max_span: int | None
    brk: tuple[int, int, int] | None
    reloads: list[int]
    fixed: int


class RouteSimulator:
    """Feasibility and cost of node sequences for each vehicle of a :class:`NumModel`.

    Parameters
    ----------
    model
        The numeric model (node 0 = depot).
    """

    def __init__(self, model: NumModel) -> None:
        self.model = model
        n = model.n_nodes
        reload_of = model.reload_vehicle or [None] * n
        self.is_reload = [r is not None for r in reload_of]
        self.service = list(model.service)
        self.windows = list(model.windows)
        self.demands = [list(d) for d in model.demands]
        #: Per vehicle, how many leading nodes are locked (no move may touch them).
        self.frozen = [len(model.locked.get(v, ())) for v in range(len(model.vehicles))]
        self.locked_nodes = {x for nodes in model.locked.values() for x in nodes}
        self.vehicles: list[_VehicleData] = []
        for v, veh in enumerate(model.vehicles):
            self.vehicles.append(
                _VehicleData(
                    time=model.time_matrices[veh.time_key],
                    cost=model.cost_matrices[veh.cost_key],
                    caps=veh.capacities,
                    start=veh.start_range[0],
                    end_max=veh.end_range[1],
                    max_span=veh.max_span,
                    brk=veh.break_,
                    reloads=[i for i in range(n) if reload_of[i] == v],
                    fixed=veh.fixed_cost,
                )
            )

    def loads_ok(self, v: int, nodes: Sequence[int]) -> bool:
        """Every capacity holds, the load restarting at each reload node."""
        caps = self.vehicles[v].caps
        for d, cap in enumerate(caps):
            dem = self.demands[d]
            load = 0
            for node in nodes:
                q = dem[node]
                load = 0 if q < 0 else load + q
                if load > cap:
                    return False
        return True

    def end_time(self, v: int, nodes: Sequence[int]) -> int | None:
        """Earliest return to the depot of ``nodes`` driven by ``v``, None if infeasible.

        A forward pass with two states per stop: the earliest service start with the
        break still to take (``a``) and with the break taken (``b``).
        """
        vd = self.vehicles[v]
        tm, svc, wins = vd.time, self.service, self.windows
        a = vd.start
        if vd.brk is None:
            b, e, late, dur = _INF, 0, 0, 0
        else:
            e, late, dur = vd.brk
            bs = max(a, e)
            b = bs + dur if bs <= late else _INF
        prev = 0
        for node in (*nodes, 0):
            w = wins[node] if node else ((0, vd.end_max),)
            row = tm[prev]
            tr = row[node] - svc[prev]
            nb = _INF
            if b < _INF:
                nb = _earliest(b + svc[prev] + tr, w)
            if a < _INF:
                dep = a + svc[prev]
                if vd.brk is not None:
                    bs = max(dep, e)
                    if bs <= late:
                        nb = min(nb, _earliest(max(dep + tr + dur, bs + dur), w))
                a = _earliest(dep + tr, w)
            b = nb
            if a >= _INF and b >= _INF:
                return None
            prev = node
        if vd.brk is not None:
            # The break may also come after the return, if it can still start in time.
            a = a if a < _INF and max(a, e) <= late else _INF
            a = min(a, b)
        if a > vd.end_max:
            return None
        if vd.max_span is not None and a - vd.start > vd.max_span:
            return None
        return a

    def feasible(self, v: int, nodes: Sequence[int]) -> bool:
        """True if ``v`` can drive ``nodes`` under every rule (see the module docstring)."""
        return self.loads_ok(v, nodes) and self.end_time(v, nodes) is not None

    def route_cost(self, v: int, nodes: Sequence[int]) -> int:
        """Arc cost plus the fixed cost if the route is used."""
        if not nodes:
            return 0
        c = self.vehicles[v].cost
        path = (0, *nodes, 0)
        return self.vehicles[v].fixed + sum(c[i][j] for i, j in itertools.pairwise(path))


def tidy(sim: RouteSimulator, route: list[int]) -> list[int]:
    """Drop reloads that open or close a route or follow another reload."""
    out: list[int] = []
    for node in route:
        if sim.is_reload[node] and (not out or sim.is_reload[out[-1]]):
            continue
        out.append(node)
    while out and sim.is_reload[out[-1]]:
        out.pop()
    return out


def make_feasible(sim: RouteSimulator, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Keep, per route and in order, each node whose addition keeps the prefix feasible.

    Wrong-vehicle nodes (``model.allowed``) are dropped too. The result is feasible for
    :class:`RouteSimulator`; the nodes left out can be re-inserted elsewhere.
    """
    allowed = sim.model.allowed
    locked = sim.model.locked
    out: list[list[int]] = []
    for v, route in enumerate(routes):
        prefix = list(locked.get(v, ()))
        # A locked prefix opens its route as given; whatever else the route had follows.
        route = prefix + [x for x in route if x not in sim.locked_nodes]
        if sim.feasible(v, route) and all(
            allowed[x] is None or v in allowed[x]  # type: ignore[operator]
            for x in route
        ):
            out.append(tidy(sim, list(route)))
            continue
        kept: list[int] = list(prefix)
        for node in route[len(prefix) :]:
            if allowed[node] is not None and v not in allowed[node]:  # type: ignore[operator]
                continue
            if sim.feasible(v, [*kept, node]) or sim.is_reload[node]:
                kept.append(node)
        kept = tidy(sim, kept)
        while len(kept) > len(prefix) and not sim.feasible(v, kept):  # a trailing reload
            kept.pop()
        out.append(tidy(sim, kept))
    return out


def candidates(
    sim: RouteSimulator,
    v: int,
    route: list[int],
    node: int,
    spare: list[int],
    pair_span: int = 12,
) -> list[tuple[int, list[int]]]:
    """(cost delta, new route) for every insertion of ``node`` (and a reload) into ``route``."""
    c = sim.vehicles[v].cost
    path = [0, *route, 0]
    base = sim.vehicles[v].fixed if not route else 0
    lo = sim.frozen[v]  # nothing goes before the end of a locked prefix
    out: list[tuple[int, list[int]]] = []
    ins = [
        c[path[p]][node] + c[node][path[p + 1]] - c[path[p]][path[p + 1]]
        for p in range(len(path) - 1)
    ]
    for p in range(lo, len(ins)):
        out.append((base + ins[p], [*route[:p], node, *route[p:]]))
    if not spare or not route:
        return out
    r = spare[0]
    rins = [
        c[path[q]][r] + c[r][path[q + 1]] - c[path[q]][path[q + 1]] for q in range(len(path) - 1)
    ]
    for p in range(lo, len(path) - 1):
        for q in range(max(lo, p - pair_span), min(len(path) - 1, p + pair_span + 1)):
            if q == p:  # reload right before the order, in the same gap
                a, b = path[p], path[p + 1]
                d = c[a][r] + c[r][node] + c[node][b] - c[a][b]
                out.append((d, [*route[:p], r, node, *route[p:]]))
            elif q < p:
                out.append((ins[p] + rins[q], [*route[:q], r, *route[q:p], node, *route[p:]]))
            else:
                out.append((ins[p] + rins[q], [*route[:p], node, *route[p:q], r, *route[q:]]))
    return out


def insert_unrouted(
    sim: RouteSimulator,
    routes: list[list[int]],
    deadline: float,
    pair_span: int = 12,
    max_checks: int = MAX_CHECKS,
) -> list[list[int]]:
    """Cheapest feasible insertion of every customer not in ``routes``, costliest drop first.

    Each customer is tried in every position of every allowed vehicle, alone or with one
    of the vehicle's unused reload nodes placed up to ``pair_span`` stops away; the
    candidates are checked by increasing cost delta, at most ``max_checks`` per customer.
    Stops at ``deadline`` (``time.perf_counter()`` seconds). Returns new route lists.
    """
    model = sim.model
    routes = [list(r) for r in routes]
    placed = {x for r in routes for x in r}
    todo = [
        i
        for i in range(1, model.n_nodes)
        if not sim.is_reload[i] and i not in placed and model.penalties[i] != 0
    ]
    # Mandatory (penalty None) and dearest orders first.
    todo.sort(key=lambda i: -(model.penalties[i] if model.penalties[i] is not None else _INF))
    n_veh = len(model.vehicles)
    for node in todo:
        if time.perf_counter() > deadline:
            break
        allowed = model.allowed[node]
        cands: list[tuple[int, int, list[int]]] = []
        for v in allowed if allowed is not None else range(n_veh):
            used = set(routes[v])
            spare = [r for r in sim.vehicles[v].reloads if r not in used]
            cands += [(d, v, nr) for d, nr in candidates(sim, v, routes[v], node, spare, pair_span)]
        cands.sort(key=lambda x: x[0])
        pen = model.penalties[node]
        for k, (d, v, nr) in enumerate(cands[:max_checks]):
            if (pen is not None and d >= pen) or (k % 64 == 63 and time.perf_counter() > deadline):
                break
            if sim.feasible(v, nr):
                routes[v] = nr
                break
    return routes


def _best_insertion(
    sim: RouteSimulator,
    routes: list[list[int]],
    node: int,
    vehicles: Sequence[int],
    pair_span: int,
    max_checks: int,
    deadline: float = float("inf"),
) -> tuple[int, int, list[int]] | None:
    """Cheapest feasible (delta, vehicle, new route) for ``node``, or None."""
    cands: list[tuple[int, int, list[int]]] = []
    for v in vehicles:
        used = set(routes[v])
        spare = [r for r in sim.vehicles[v].reloads if r not in used]
        cands += [(d, v, nr) for d, nr in candidates(sim, v, routes[v], node, spare, pair_span)]
    cands.sort(key=lambda x: x[0])
    for k, (d, v, nr) in enumerate(cands[:max_checks]):
        if k % 64 == 63 and time.perf_counter() > deadline:
            break
        if sim.feasible(v, nr):
            return d, v, nr
    return None


def insert_with_ejection(
    sim: RouteSimulator,
    routes: list[list[int]],
    deadline: float,
    near: int = 15,
    pair_span: int = 12,
    max_checks: int = MAX_CHECKS,
) -> list[list[int]]:
    """Insert each unrouted customer by moving one nearby routed customer elsewhere.

    For an order that fits nowhere as is, each of its ``near`` nearest routed orders is
    taken out of its route, the order is put in that route, and the ejected order is
    re-inserted anywhere (alone or with a reload). The first move that serves both is
    kept. This is the move a time-saturated day needs and GLS finds slowly.
    """
    model = sim.model
    routes = [list(r) for r in routes]
    n_veh = len(model.vehicles)
    where = {x: v for v, r in enumerate(routes) for x in r}
    todo = [
        i
        for i in range(1, model.n_nodes)
        if not sim.is_reload[i] and i not in where and model.penalties[i] != 0
    ]
    todo.sort(key=lambda i: -(model.penalties[i] if model.penalties[i] is not None else _INF))
    cost0 = sim.vehicles[0].cost if sim.vehicles else []
    for node in todo:
        if time.perf_counter() > deadline:
            break
        allowed = model.allowed[node]
        mine = set(allowed) if allowed is not None else set(range(n_veh))
        routed = [
            x
            for x in where
            if not sim.is_reload[x] and where[x] in mine and x not in sim.locked_nodes
        ]
        routed.sort(key=lambda x: cost0[node][x] + cost0[x][node])
        for e in routed[:near]:
            if time.perf_counter() > deadline:
                break
            v = where[e]
            trial = [list(r) for r in routes]
            trial[v] = tidy(sim, [x for x in trial[v] if x != e])
            got = _best_insertion(sim, trial, node, [v], pair_span, max_checks, deadline)
            if got is None:
                continue
            trial[v] = got[2]
            ea = model.allowed[e]
            back = _best_insertion(
                sim,
                trial,
                e,
                ea if ea is not None else range(n_veh),
                pair_span,
                max_checks,
                deadline,
            )
            if back is None:
                continue
            trial[back[1]] = back[2]
            routes = trial
            where = {x: u for u, r in enumerate(routes) for x in r}
            break
    return routes


def repair_and_fill(
    model: NumModel, routes: Sequence[Sequence[int]], deadline: float
) -> list[list[int]]:
    """Make ``routes`` feasible (see :func:`make_feasible`), then insert what is missing."""
    sim = RouteSimulator(model)
    n_veh = len(model.vehicles)
    padded = [list(routes[v]) if v < len(routes) else [] for v in range(n_veh)]
    return insert_unrouted(sim, make_feasible(sim, padded), deadline)


def _intra_moves(
    sim: RouteSimulator, v: int, r: list[int], max_seg: int
) -> list[tuple[int, list[int]]]:
    """(cost delta, new route) of every improving or-opt and 2-opt move within ``r``."""
    c = sim.vehicles[v].cost
    p = [0, *r, 0]
    n = len(r)
    out: list[tuple[int, list[int]]] = []
    fwd = [0] * (n + 2)
    bwd = [0] * (n + 2)
    for k in range(n + 1):
        fwd[k + 1] = fwd[k] + c[p[k]][p[k + 1]]
        bwd[k + 1] = bwd[k] + c[p[k + 1]][p[k]]
    # 2-opt: reverse p[i..j] (route positions i-1..j-1).
    for i in range(1, n):
        for j in range(i + 1, n + 1):
            old = c[p[i - 1]][p[i]] + fwd[j] - fwd[i] + c[p[j]][p[j + 1]]
            new = c[p[i - 1]][p[j]] + bwd[j] - bwd[i] + c[p[i]][p[j + 1]]
            if new < old:
                out.append((new - old, [*r[: i - 1], *r[i - 1 : j][::-1], *r[j:]]))
    # Or-opt: move a segment of 1..max_seg stops elsewhere in the route, either way round.
    for seg_len in range(1, min(max_seg, n - 1) + 1):
        for i in range(n - seg_len + 1):
            a, f, last, b = p[i], p[i + 1], p[i + seg_len], p[i + seg_len + 1]
            inner = fwd[i + seg_len] - fwd[i + 1]
            inner_rev = bwd[i + seg_len] - bwd[i + 1]
            gain = c[a][f] + c[last][b] - c[a][b]
            rest = r[:i] + r[i + seg_len :]
            q = [0, *rest, 0]
            seg = r[i : i + seg_len]
            for j in range(len(rest) + 1):
                if j == i:
                    continue
                x, y = q[j], q[j + 1]
                d = c[x][f] + c[last][y] - c[x][y] - gain
                if d < 0:
                    out.append((d, [*rest[:j], *seg, *rest[j:]]))
                if seg_len > 1:
                    d = c[x][last] + c[f][y] - c[x][y] - gain + inner_rev - inner
                    if d < 0:
                        out.append((d, [*rest[:j], *seg[::-1], *rest[j:]]))
    return out


def improve_routes(
    sim: RouteSimulator, routes: list[list[int]], deadline: float, max_seg: int = 3
) -> list[list[int]]:
    """Feasible, strictly cheaper moves until none is left or ``deadline`` passes.

    Moves: 2-opt and or-opt (segments of up to ``max_seg`` stops, either direction)
    within a route, and relocating one order to another allowed vehicle. Each round
    applies the cheapest move the simulator accepts. GLS ends its run on a plan
    that is a local optimum of its *penalised* cost, so a plain descent on the true
    cost can still find a few moves.
    """
    model = sim.model
    routes = [list(r) for r in routes]
    n_veh = len(routes)
    while time.perf_counter() < deadline:
        moves: list[tuple[int, int, int, list[int], list[int]]] = []
        for v, r in enumerate(routes):
            if len(r) > 1:
                k = sim.frozen[v]
                moves += [
                    (d, v, -1, nr, [])
                    for d, nr in _intra_moves(sim, v, r, max_seg)
                    if nr[:k] == r[:k]  # a locked prefix stays as it is
                ]
        for u, r in enumerate(routes):
            # Listing moves is O(orders x vehicles x stops): on 1,000+ orders one round
            # alone can outlast the reserve, so the clock is checked here too.
            if time.perf_counter() > deadline:
                return routes
            cu = sim.vehicles[u].cost
            p = [0, *r, 0]
            for i, node in enumerate(r):
                if sim.is_reload[node] or i < sim.frozen[u]:
                    continue
                a, b = p[i], p[i + 2]
                gain = cu[a][node] + cu[node][b] - cu[a][b]
                rest = r[:i] + r[i + 1 :]
                if not rest:
                    gain += sim.vehicles[u].fixed
                allowed = model.allowed[node]
                for v in allowed if allowed is not None else range(n_veh):
                    if v == u:
                        continue
                    cv = sim.vehicles[v].cost
                    q = [0, *routes[v], 0]
                    base = sim.vehicles[v].fixed if not routes[v] else 0
                    for j in range(sim.frozen[v], len(q) - 1):
                        d = base + cv[q[j]][node] + cv[node][q[j + 1]] - cv[q[j]][q[j + 1]] - gain
                        if d < 0:
                            nv = [*routes[v][:j], node, *routes[v][j:]]
                            moves.append((d, u, v, tidy(sim, rest), nv))
        moves.sort(key=lambda m: m[0])
        for k, (_, u, v, nu, nv) in enumerate(moves):
            if k % 64 == 63 and time.perf_counter() > deadline:
                return routes
            if sim.feasible(u, nu) and (v < 0 or sim.feasible(v, nv)):
                routes[u] = nu
                if v >= 0:
                    routes[v] = nv
                break
        else:
            return routes
    return routes
