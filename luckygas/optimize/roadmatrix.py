"""Travel matrices on the road graph: a :class:`~luckygas.optimize.matrix.TravelMatrix`.

Each location is snapped per vehicle type to the nearest segment that type may drive and
becomes a node of its own in the middle of that segment (so a location costs one
shortest-path source, not two). Shortest paths are ``scipy.sparse.csgraph.dijkstra`` on
the *fastest* route, ties broken by length, with both carried in one exact float:
``weight = tenths_of_seconds * 10**7 + decimetres`` (exact below 2**53, i.e. for any route
shorter than 1,000 km), so one Dijkstra run gives both seconds and metres. The searches
run on the type's contracted core (:mod:`luckygas.optimize.roadcore`) plus what the day's
locations need to reach it, which gives the same tables as the whole graph, and a day's
batch of runs is split over the machine's cores (forked processes; see
:func:`_searches_many`).

Unreachable pairs (a disconnected island, a location more than ``max_snap_m`` from any
road the type may drive) get :data:`UNREACHABLE_M` / :data:`UNREACHABLE_S`: longer than a
day, so the optimizer's pre-filter leaves such an order out with a reason
(``NO_ROAD``) and the search never uses such an arc.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from luckygas.domain import VehicleType
from luckygas.optimize.matrix import (
    _DEFAULT_DENSE,
    _DEFAULT_PARKING,
    UNREACHABLE_M,
    UNREACHABLE_S,
    MatrixData,
    dense_arrivals,
    haversine_m,
)
from luckygas.optimize.roadchains import Chains, Structure, contract, structure
from luckygas.optimize.roadcore import Core, build_core, lightest_arcs
from luckygas.optimize.roadgraph import RoadGraph
from luckygas.optimize.roadsnap import Snap, SnapIndex

if TYPE_CHECKING:
    from luckygas.optimize.problem import Depot, Order

#: Default distance beyond which a location is not on the road network.
MAX_SNAP_M = 500.0

LatLng = tuple[float, float]
_SCALE = 10_000_000.0  # decimetres below, tenths of seconds above
# A leg's path search gives up beyond this many metres of road (no route in the county).
_MAX_BOUND_M = 2_000_000.0
#: Vehicle types whose route length becomes the single ``distance_m`` matrix, in order.
DISTANCE_TYPES = (VehicleType.LIGHT_TRUCK, VehicleType.CAR, VehicleType.MOTORCYCLE)

_INDEX: dict[tuple[str, str], SnapIndex] = {}  # by graph and set of drivable arcs
_DRIVES: dict[tuple[str, VehicleType], str] = {}  # the key of a type's drivable arcs
_BASE: dict[tuple[str, VehicleType], tuple[np.ndarray, ...]] = {}
_CHAINS: dict[tuple[str, VehicleType], Chains] = {}
_CORES: dict[tuple[str, VehicleType], Core] = {}
_SHAPES: dict[tuple[str, str], Structure] = {}
_CACHE: dict[tuple[str, str], RoadTables] = {}
_POINTS: dict[tuple[str, str], tuple[tuple[float, float], ...]] = {}  # each table's points
_CACHE_MAX = 16
# Road lines of legs, by (graph version, vehicle type, snap limit, from, to).
_LEGS: dict[tuple[Any, ...], list[LatLng]] = {}
_LEGS_MAX = 20_000  # a county day has ~300 legs; a line ~20 points
_CHUNK = 32  # Dijkstra sources per call
#: Searches x arcs from which a batch is split over processes (50 sources on a county).
PARALLEL_MIN_WORK = 5_000_000
#: At most this many processes share one batch of searches.
MAX_PROCESSES = 8


@dataclass(frozen=True)
class RoadTables:
    """Per vehicle type: snaps, metres and seconds for one list of points."""

    snaps: dict[VehicleType, list[Snap | None]]
    distance_m: dict[VehicleType, np.ndarray]
    duration_s: dict[VehicleType, np.ndarray]

    @cached_property
    def matrix_data(self) -> MatrixData:
        """One distance matrix (truck route where a truck can go, else car, else motorcycle)."""
        first = self.distance_m[DISTANCE_TYPES[0]]
        dist = np.full_like(first, UNREACHABLE_M)
        for t in reversed(DISTANCE_TYPES):
            d = self.distance_m[t]
            dist = np.where(d < UNREACHABLE_M, d, dist)
        dist.setflags(write=False)
        return MatrixData(dist, dict(self.duration_s))


@dataclass(frozen=True, eq=False)
class RoadMatrix:
    """Road distances and times from a :class:`RoadGraph` (see the module docstring).

    Parameters
    ----------
    graph
        The imported road graph.
    max_snap_m
        A location further than this from any road a vehicle type may drive is
        unreachable for that type (a data check, not a silent guess).
    parking_s, dense_areas
        Extra seconds per arrival into a dense downtown box, by vehicle type, exactly as
        :class:`~luckygas.optimize.matrix.HaversineMatrix` adds them: cars and trucks
        circle for parking wherever the roads come from; motorcycles stop at the door.
        :meth:`build` adds them; :meth:`tables` gives the bare road times.
    cores
        The graph's contracted cores per vehicle type, as stored with it at import
        (:func:`build_cores`); a type without one has it computed on first use (~2 s per
        type on a county graph). They only make the searches faster: the matrices are
        the same with or without them.
    """

    graph: RoadGraph
    max_snap_m: float = MAX_SNAP_M
    parking_s: Mapping[VehicleType, int] = field(default_factory=lambda: dict(_DEFAULT_PARKING))
    dense_areas: tuple[tuple[float, float, float, float], ...] = _DEFAULT_DENSE
    cores: Mapping[VehicleType, Core] = field(default_factory=dict, repr=False)

    def describe(self) -> str:
        """Stable description: the graph's version hash, the snap limit, parking."""
        parking = sorted((str(k), v) for k, v in self.parking_s.items())
        return (
            f"RoadMatrix(graph={self.graph.version}, max_snap_m={self.max_snap_m}, "
            f"parking={parking}, dense={self.dense_areas})"
        )

    def build(self, depot: Depot, orders: Sequence[Order]) -> MatrixData:
        """Matrices for ``[depot, *orders]``; orders must have a location."""
        pts = [depot.location, *(o.location for o in orders)]
        if any(p is None for p in pts):
            raise ValueError("RoadMatrix: every order passed to build() needs a location.")
        xy = np.array([(p.lat, p.lng) for p in pts])  # type: ignore[union-attr]
        md = self.tables([tuple(row) for row in xy]).matrix_data
        if not any(self.parking_s.values()):
            return md
        dense = dense_arrivals(xy[:, 0], xy[:, 1], self.dense_areas)
        durations = {}
        for t, d in md.duration_s.items():
            extra = np.where(dense, self.parking_s.get(t, 0), 0)[None, :]
            drive = (d < UNREACHABLE_S) & ~np.eye(len(xy), dtype=bool)
            durations[t] = _freeze(np.where(drive, d + extra, d))
        return MatrixData(md.distance_m, durations)

    def tables(self, points: Sequence[tuple[float, float]]) -> RoadTables:
        """Snaps, metres and seconds per vehicle type for ``points`` (cached).

        A set that is mostly one computed before (a re-plan that adds or cancels a few
        orders) only searches from and to its new points: an existing pair's route is
        the same whichever other points join the graph, since a point only splits the
        road it lies on (points at the very same spot are joined by arcs of the least
        weight, a decimetre, which both ways round to 0 m and 0 s). Going backwards from
        a point is a forward search on the reversed graph, so ``j`` new points cost
        ``2 j`` searches instead of one per point.

        Parameters
        ----------
        points
            ``(lat, lng)`` pairs; equal points share one graph node.

        Returns
        -------
        RoadTables
        """
        coords = tuple((round(a, 6), round(b, 6)) for a, b in points)
        key = (hashlib.sha256(repr(coords).encode()).hexdigest(), self.describe())
        if key in _CACHE:
            return _CACHE[key]
        unique, inverse = np.unique(
            np.array(coords, dtype=float).reshape(-1, 2), axis=0, return_inverse=True
        )
        inverse = inverse.ravel()
        base, rows = self._known(unique)
        have = rows >= 0
        snaps, dist, dur = {}, {}, {}
        pending: list[_Job] = []
        # Types that may drive the same arcs (cars and light trucks, almost everywhere)
        # share one index, so they snap once.
        snapped: dict[int, list[Snap | None]] = {}
        for t in VehicleType:
            index = self._index(t)
            if id(index) not in snapped:
                s: list[Snap | None] = [None] * len(unique)
                if base is not None:
                    for i in np.flatnonzero(have):
                        s[i] = base.snaps[t][rows[i]]
                fresh = np.flatnonzero(~have)
                for i, snap in zip(fresh, index.snap(*unique[fresh].T), strict=True):
                    s[i] = snap
                snapped[id(index)] = s
            s = snapped[id(index)]
            old = None
            if base is not None:
                block = np.ix_(rows[have], rows[have])
                old = (have, base.distance_m[t][block], base.duration_s[t][block])
            dist[t], dur[t], jobs = self._shortest(s, t, old)
            pending += jobs
            snaps[t] = [s[i] for i in inverse]
        # Every type's searches in one batch: one set of processes for the whole matrix.
        for job, rows in zip(pending, _searches_many(pending), strict=True):
            job.place(rows)
        for t in VehicleType:
            dist[t], dur[t] = (_freeze(a[np.ix_(inverse, inverse)]) for a in (dist[t], dur[t]))
        out = RoadTables(snaps, dist, dur)
        if len(_CACHE) >= _CACHE_MAX:
            oldest = next(iter(_CACHE))
            _CACHE.pop(oldest, None)
            _POINTS.pop(oldest, None)
        _CACHE[key] = out
        _POINTS[key] = coords
        return out

    def _known(self, unique: np.ndarray) -> tuple[RoadTables | None, np.ndarray]:
        """The cached tables of this matrix holding most of ``unique``, if worth reusing.

        Returns
        -------
        tuple
            The tables (``None``: compute from scratch) and, per point, its row there
            (``-1``: a new point; all ``-1`` without tables).
        """
        desc = self.describe()
        wanted = [tuple(p) for p in unique.tolist()]
        best: RoadTables | None = None
        best_rows = np.full(len(unique), -1, dtype=np.int64)
        # A copy: a solve in another thread may add a table meanwhile.
        for key, tab in list(_CACHE.items()):
            points = _POINTS.get(key)
            if key[1] != desc or points is None:
                continue
            where = {p: i for i, p in enumerate(points)}
            rows = np.array([where.get(p, -1) for p in wanted], dtype=np.int64)
            if (rows >= 0).sum() > (best_rows >= 0).sum():
                best, best_rows = tab, rows
        # A new point costs two searches (to it and from it), a point from scratch one.
        if best is None or 2 * int((best_rows < 0).sum()) >= len(unique):
            return None, np.full(len(unique), -1, dtype=np.int64)
        return best, best_rows

    def snap(self, lat: np.ndarray, lng: np.ndarray, vtype: VehicleType) -> list[Snap | None]:
        """Nearest point on a road ``vtype`` may drive, per point (``None``: no such road)."""
        return self._index(vtype).snap(lat, lng)

    def _index(self, vtype: VehicleType) -> SnapIndex:
        """The snap index of the arcs ``vtype`` may drive (cached per graph and arc set).

        Building one takes ~1 s on a county graph; types allowed on the same arcs get
        the same index, since it depends on nothing else.
        """
        version = _keep_only(self.graph.version)
        if (version, vtype) not in _DRIVES:
            allowed = np.packbits(self.graph.speed_kmh[vtype] > 0)
            _DRIVES[version, vtype] = hashlib.sha1(allowed.tobytes()).hexdigest()
        k = (version, _DRIVES[version, vtype])
        if k not in _INDEX:
            _INDEX[k] = SnapIndex(self.graph, vtype)
        return _INDEX[k]

    def _shortest(
        self,
        snaps: list[Snap | None],
        vtype: VehicleType,
        known: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, list[_Job]]:
        """Metres and seconds between the snapped points (sentinels where unreachable).

        ``known``: which points already have their metres and seconds between each other
        (a mask) and those two blocks; only the other points are searched, from and to.

        Returns
        -------
        tuple
            The two matrices, and the searches still to run: each job's rows (from
            :func:`_searches_many`, which runs the jobs of every vehicle type as one
            batch) go into the matrices through its ``place``.
        """
        k = len(snaps)
        ok = np.array([s is not None and s.distance_m <= self.max_snap_m for s in snaps])
        dist = np.full((k, k), UNREACHABLE_M, dtype=np.int64)
        dur = np.full((k, k), UNREACHABLE_S, dtype=np.int64)
        np.fill_diagonal(dist, 0)
        np.fill_diagonal(dur, 0)
        idx = np.flatnonzero(ok)
        new = idx
        if known is not None:
            have, old_m, old_s = known
            block = np.ix_(np.flatnonzero(have), np.flatnonzero(have))
            dist[block], dur[block] = old_m, old_s
            new = np.flatnonzero(ok & ~have)
        if not len(new):
            return dist, dur, []
        graph, nodes = self._points_graph([snaps[i] for i in idx], vtype)  # type: ignore[misc]

        def into(rows: np.ndarray, cols: np.ndarray) -> Callable[[np.ndarray], None]:
            def place(w: np.ndarray) -> None:
                dist[np.ix_(rows, cols)], dur[np.ix_(rows, cols)] = _decode(w)

            return place

        if known is None:
            return dist, dur, [_Job(graph, nodes, nodes, into(idx, idx))]
        src = nodes[np.searchsorted(idx, new)]
        back = into(idx, new)
        return (
            dist,
            dur,
            [
                _Job(graph, src, nodes, into(new, idx)),
                # Towards a new point: from it on the reversed graph; [i, j] = idx[i] -> new[j].
                _Job(graph.T.tocsr(), src, nodes, lambda w: back(w.T)),
            ],
        )

    def _base(self, vtype: VehicleType) -> tuple[np.ndarray, ...]:
        """Arcs ``vtype`` may drive, deduplicated, with weights and a lookup key (cached)."""
        k = (_keep_only(self.graph.version), vtype)
        if k not in _BASE:
            g = self.graph
            speed = g.speed_kmh[vtype].astype(np.float64)
            m = speed > 0
            src, dst, length, v = g.src[m], g.dst[m], g.length_m[m].astype(np.float64), speed[m]
            w = _weights(length, v)
            key = src.astype(np.int64) * g.n_nodes + dst
            # Parallel ways between the same two nodes: keep the fastest (csr would sum them).
            order = np.lexsort((w, key))
            first = (
                np.r_[True, key[order][1:] != key[order][:-1]] if len(order) else order.astype(bool)
            )
            keep = order[first]
            _BASE[k] = (src[keep], dst[keep], w[keep], key[keep], length[keep], v[keep])
        return _BASE[k]

    def _chains(self, vtype: VehicleType) -> Chains:
        """The type's graph contracted to its junctions (cached per graph and type)."""
        k = (_keep_only(self.graph.version), vtype)
        if k not in _CHAINS:
            src, dst, w, key, *_ = self._base(vtype)
            # Types allowed on the same arcs share the (slow, Python) chain walk.
            shape_key = (self.graph.version, hashlib.sha1(key.tobytes()).hexdigest())
            if shape_key not in _SHAPES:
                _SHAPES[shape_key] = structure(self.graph.n_nodes, src, dst)
            _CHAINS[k] = contract(self.graph.n_nodes, src, dst, w, _SHAPES[shape_key])
        return _CHAINS[k]

    def _points_graph(self, snaps: list[Snap], vtype: VehicleType) -> tuple[csr_matrix, np.ndarray]:
        """The graph searched for ``snaps``, and the indices of their nodes in it.

        One node per snapped point, joined to the junctions at both ends of its chain, on
        the type's :class:`~luckygas.optimize.roadcore.Core` plus the contracted junctions
        those ends need to reach it, renumbered densely (a search's cost grows with the
        nodes it could reach, and its dense result row with every node of the graph).
        """
        _, _, _, key, length, speed = self._base(vtype)
        ch = self._chains(vtype)
        n, first = self.graph.n_nodes, ch.n_junctions
        # Each point lies on up to two base arcs (u -> v at fraction t, v -> u at 1 - t).
        point, arc, frac = [], [], []
        for i, s in enumerate(snaps):
            for u, v, f in ((s.u, s.v, s.t), (s.v, s.u, 1.0 - s.t)):
                j = int(np.searchsorted(key, u * n + v))
                if j < len(key) and key[j] == u * n + v:
                    point.append(first + i)
                    arc.append(j)
                    frac.append(f)
        a, p = np.array(arc, dtype=np.int64), np.array(point, dtype=np.int64)
        chain = ch.chain_of[a]
        pos = ch.before[a] + _weights(np.array(frac) * length[a], speed[a])
        starts, ends = ch.junction_index[ch.start[chain]], ch.junction_index[ch.end[chain]]
        core_src, core_dst, core_w = self._core(vtype).query_arcs(np.concatenate([starts, ends]))
        on = np.zeros(first, dtype=bool)
        on[core_src] = on[core_dst] = on[starts] = on[ends] = True
        if _search_cost(int(on.sum()), len(core_src)) >= _search_cost(first, len(ch.src)):
            # Locations spread over a small graph need most of it back: search it all.
            core_src, core_dst, core_w = ch.src, ch.dst, ch.w
            on[:] = True
        rows, cols, ws = [starts, p], [p, ends], [pos, ch.total[chain] - pos]
        # Points on one chain: joined directly in chain order (else a point could only
        # reach a later point on its own road through the chain's far junction).
        order = np.lexsort((pos, chain))
        same = chain[order][1:] == chain[order][:-1]
        rows.append(p[order][:-1][same])
        cols.append(p[order][1:][same])
        ws.append(pos[order][1:][same] - pos[order][:-1][same])
        # Two points snapped to the very same spot: no driving between them either way.
        tie = same & (pos[order][1:] == pos[order][:-1])
        rows.append(p[order][1:][tie])
        cols.append(p[order][:-1][tie])
        ws.append(np.zeros(int(tie.sum())))
        size = first + len(snaps)
        # One arc per pair, the lightest: a sparse matrix would add duplicates up (a point
        # on a two-way loop street reaches its one junction along both chains). Only the
        # points' arcs can repeat: the core's are one per pair already.
        p_src, p_dst, p_w = lightest_arcs(
            np.concatenate(rows), np.concatenate(cols), np.concatenate(ws), size
        )
        # Junctions the search cannot reach are left out: a search costs per node too.
        index = np.cumsum(np.r_[on, np.ones(len(snaps), dtype=bool)]) - 1
        graph = csr_matrix(
            (
                np.maximum(np.concatenate([core_w, p_w]), 1.0),  # csgraph drops zero weights
                (
                    index[np.concatenate([core_src, p_src])],
                    index[np.concatenate([core_dst, p_dst])],
                ),
            ),
            shape=(int(index[-1]) + 1, int(index[-1]) + 1),
        )
        return graph, index[first:]

    def _core(self, vtype: VehicleType) -> Core:
        """The type's contracted junction graph (stored, or computed once per graph and type)."""
        k = (_keep_only(self.graph.version), vtype)
        if k not in _CORES:
            ch = self._chains(vtype)
            stored = self.cores.get(vtype)
            if stored is not None and stored.n == ch.n_junctions:
                _CORES[k] = stored
            else:
                _CORES[k] = build_core(ch.n_junctions, ch.src, ch.dst, ch.w)
        return _CORES[k]

    def _augmented(self, snaps: list[Snap], vtype: VehicleType) -> tuple[csr_matrix, np.ndarray]:
        """The type's graph plus one node per snapped point, and those nodes' indices."""
        src, dst, w, key, length, speed = self._base(vtype)
        n = self.graph.n_nodes
        nodes = np.arange(n, n + len(snaps))
        new_s: list[int] = []
        new_d: list[int] = []
        new_l: list[float] = []
        new_v: list[float] = []

        def arc(u: int, v: int) -> tuple[float, float] | None:
            i = np.searchsorted(key, u * n + v)
            return (
                (float(length[i]), float(speed[i]))
                if i < len(key) and key[i] == u * n + v
                else None
            )

        def add(a: int, b: int, metres: float, kmh: float) -> None:
            new_s.append(a)
            new_d.append(b)
            new_l.append(metres)
            new_v.append(kmh)

        on_segment: dict[tuple[int, int], list[int]] = {}
        for i, s in enumerate(snaps):
            p = int(nodes[i])
            on_segment.setdefault((s.u, s.v), []).append(i)
            if fwd := arc(s.u, s.v):
                add(s.u, p, s.t * fwd[0], fwd[1])
                add(p, s.v, (1 - s.t) * fwd[0], fwd[1])
            if back := arc(s.v, s.u):
                add(s.v, p, (1 - s.t) * back[0], back[1])
                add(p, s.u, s.t * back[0], back[1])
        # Two points on one segment: the direct stretch between them.
        for (u, v), members in on_segment.items():
            fwd, back = arc(u, v), arc(v, u)
            for i in members:
                for j in members:
                    ti, tj = snaps[i].t, snaps[j].t
                    if i == j or ti > tj or (ti == tj and i > j):
                        continue
                    if fwd:
                        add(int(nodes[i]), int(nodes[j]), (tj - ti) * fwd[0], fwd[1])
                    if back:
                        add(int(nodes[j]), int(nodes[i]), (tj - ti) * back[0], back[1])
        all_w = np.concatenate([w, _weights(np.array(new_l), np.array(new_v))])
        rows = np.concatenate([src, np.array(new_s, dtype=src.dtype)])
        cols = np.concatenate([dst, np.array(new_d, dtype=dst.dtype)])
        size = n + len(snaps)
        return csr_matrix((all_w, (rows, cols)), shape=(size, size)), nodes

    def legs_geometry(
        self, legs: Sequence[tuple[LatLng, LatLng]], vtype: VehicleType
    ) -> list[list[LatLng]]:
        """:meth:`leg_geometry` of many legs at once (a plan's trips).

        The type's graph is augmented once with every point, and each leg's search stops
        at a cost bound grown from the straight-line distance (x4 until the end is
        reached): a town leg then visits a few hundred nodes, not the county's 200,000.
        Measured on the synthetic county, the demo day's 280 legs took 10.9 s one by one.
        Lines are kept per graph, type and leg: a re-plan, which keeps most legs of the
        plan on screen, only searches its new ones.

        Parameters
        ----------
        legs
            ``((lat, lng), (lat, lng))`` pairs.
        vtype
            Whose roads and speeds.

        Returns
        -------
        list of list of (lat, lng)
            One line per leg, in order; empty where a point is off the roads or no route
            exists.
        """
        kind = (self.graph.version, vtype, self.max_snap_m)
        new = [leg for leg in dict.fromkeys(legs) if (*kind, *leg) not in _LEGS]
        for leg, line in zip(new, self._legs_searched(new, vtype), strict=True):
            _LEGS[(*kind, *leg)] = line
        out = [list(_LEGS[(*kind, *leg)]) for leg in legs]
        for key in list(_LEGS)[: max(0, len(_LEGS) - _LEGS_MAX)]:  # the oldest first
            _LEGS.pop(key, None)
        return out

    def _legs_searched(
        self, legs: Sequence[tuple[LatLng, LatLng]], vtype: VehicleType
    ) -> list[list[LatLng]]:
        """:meth:`legs_geometry` searched on the roads (no leg read from the cache)."""
        if not legs:
            return []
        points = list(dict.fromkeys(p for leg in legs for p in leg))
        index = {p: i for i, p in enumerate(points)}
        xy = np.array(points, dtype=float)
        snaps = self.snap(xy[:, 0], xy[:, 1], vtype)
        ok = [s is not None and s.distance_m <= self.max_snap_m for s in snaps]
        kept = [i for i, good in enumerate(ok) if good]
        graph, nodes = self._augmented([snaps[i] for i in kept], vtype)  # type: ignore[misc]
        node_of = {i: int(nodes[k]) for k, i in enumerate(kept)}
        slowest = float(self._base(vtype)[5].min())
        out: list[list[LatLng]] = []
        for a, b in legs:
            i, j = index[a], index[b]
            if not (ok[i] and ok[j]):
                out.append([])
                continue
            sa, sb = snaps[i], snaps[j]
            assert sa is not None and sb is not None  # ok[] says so
            if (sa.lat, sa.lng) == (sb.lat, sb.lng):
                out.append([(sa.lat, sa.lng)])
                continue
            crow = float(haversine_m(*(np.array([x]) for x in (sa.lat, sa.lng, sb.lat, sb.lng)))[0])
            out.append(self._bounded_path(graph, node_of[i], node_of[j], sa, sb, crow, slowest))
        return out

    def _bounded_path(
        self, graph: csr_matrix, u: int, v: int, a: Snap, b: Snap, crow_m: float, kmh: float
    ) -> list[LatLng]:
        """The fastest path from node ``u`` to ``v``, searching within a growing bound."""
        bound_m = max(2_000.0, 3.0 * crow_m)
        while True:
            seconds = bound_m / (kmh / 3.6)
            limit = seconds * 10 * _SCALE + bound_m * 10  # the arcs' weight encoding
            w, pred = dijkstra(
                graph, directed=True, indices=u, return_predecessors=True, limit=limit
            )
            if np.isfinite(w[v]):
                break
            if bound_m > _MAX_BOUND_M:
                return []
            bound_m *= 4
        path = [v]
        while path[-1] != u:
            path.append(int(pred[path[-1]]))
        point = {u: (a.lat, a.lng), v: (b.lat, b.lng)}
        g = self.graph
        return [
            point.get(x, (float(g.lat[x]), float(g.lng[x])) if x < g.n_nodes else (0.0, 0.0))
            for x in reversed(path)
        ]

    def leg_geometry(
        self, start: tuple[float, float], end: tuple[float, float], vtype: VehicleType
    ) -> list[tuple[float, float]]:
        """The road geometry of the fastest ``vtype`` route from ``start`` to ``end``.

        Parameters
        ----------
        start, end
            ``(lat, lng)`` of the two locations (snapped here as in :meth:`build`).
        vtype
            Whose roads and speeds.

        Returns
        -------
        list of (lat, lng)
            From the snapped start to the snapped end along the roads; empty when no
            route exists. Maps can draw it instead of a straight line.
        """
        snaps = self.snap(np.array([start[0], end[0]]), np.array([start[1], end[1]]), vtype)
        if any(s is None or s.distance_m > self.max_snap_m for s in snaps):
            return []
        a, b = snaps
        assert a is not None and b is not None  # checked just above
        if (a.lat, a.lng) == (b.lat, b.lng):
            return [(a.lat, a.lng)]
        graph, nodes = self._augmented([a, b], vtype)
        w, pred = dijkstra(graph, directed=True, indices=int(nodes[0]), return_predecessors=True)
        if not np.isfinite(w[nodes[1]]):
            return []
        path = [int(nodes[1])]
        while path[-1] != nodes[0]:
            path.append(int(pred[path[-1]]))
        point = {int(nodes[0]): (a.lat, a.lng), int(nodes[1]): (b.lat, b.lng)}
        g = self.graph
        return [
            point.get(x, (float(g.lat[x]), float(g.lng[x])) if x < g.n_nodes else (0.0, 0.0))
            for x in reversed(path)
        ]


def build_cores(graph: RoadGraph) -> dict[VehicleType, Core]:
    """Every vehicle type's core of ``graph`` (what ``luckygas roads import`` stores).

    The types are contracted side by side in forked processes where the machine has
    more than one core (~2 s each on a county graph).

    Parameters
    ----------
    graph
        The road graph.

    Returns
    -------
    dict of VehicleType to Core
    """
    from luckygas.optimize import parallel

    matrix = RoadMatrix(graph)
    types = list(VehicleType)
    children = {
        t: parallel.start_forked(partial(matrix._core, t))
        for t in (types[1:] if parallel.cpus() > 1 else [])
    }
    out = {types[0]: matrix._core(types[0])}
    for t in types[1:]:
        child = children.get(t)
        got = None if child is None else child.result(timeout_s=600.0)
        out[t] = got if isinstance(got, Core) else matrix._core(t)
        _CORES[graph.version, t] = out[t]
    return out


def _search_cost(n_nodes: int, n_arcs: int) -> int:
    """A search's relative cost on a graph of this size.

    Fitted on the county benchmark (``csgraph.dijkstra``): ~110 ns per node settled,
    ~23 ns per arc relaxed, so a node counts as five arcs.
    """
    return n_arcs + 5 * n_nodes


def _weights(length_m: np.ndarray, kmh: np.ndarray) -> np.ndarray:
    """Encoded arc weights (see the module docstring); never 0 (csgraph drops zeros)."""
    tenths_s = np.rint(length_m / (kmh / 3.6) * 10)
    w = tenths_s * _SCALE + np.rint(length_m * 10)
    return np.maximum(w, 1.0)


@dataclass(frozen=True)
class _Job:
    """Searches from ``sources`` to ``targets`` on ``graph``; ``place`` stores their rows."""

    graph: csr_matrix
    sources: np.ndarray
    targets: np.ndarray
    place: Callable[[np.ndarray], None]


def _searches_many(jobs: Sequence[_Job]) -> list[np.ndarray]:
    """Each job's encoded path weights, ``len(sources) × len(targets)``.

    ``csgraph.dijkstra`` holds the GIL, so threads gain nothing (measured); a large batch
    is split over forked children instead, one per other core, which inherit the graphs
    (nothing but their rows is pickled) while this process runs its own share of every
    job. A child that cannot start, fails or hangs costs only its rows, computed here
    after all.
    """
    work = sum(len(j.sources) * j.graph.nnz for j in jobs)
    parts = _parts(sum(len(j.sources) for j in jobs), work)
    if parts == 1:
        return [_serial_searches(j.graph, j.sources, j.targets) for j in jobs]
    from luckygas.optimize import parallel

    shares = [np.array_split(j.sources, parts) for j in jobs]

    def share(p: int) -> list[np.ndarray]:
        return [
            _serial_searches(j.graph, s[p], j.targets) for j, s in zip(jobs, shares, strict=True)
        ]

    children = [parallel.start_forked(partial(share, p)) for p in range(1, parts)]
    t0 = time.perf_counter()
    rows = [share(0)]
    # A child runs as long as this share did; far longer means it is stuck or starved.
    wait_s = max(30.0, 4 * (time.perf_counter() - t0))
    for p, child in enumerate(children, start=1):
        got = None if child is None else child.result(timeout_s=wait_s)
        rows.append(got if got is not None else share(p))
    return [np.vstack([r[i] for r in rows]) for i in range(len(jobs))]


def _parts(n_sources: int, work: int) -> int:
    """Into how many processes to split ``n_sources`` searches of ``work`` arc-searches.

    A fork and the rows' trip back cost a few milliseconds; a search on a county graph
    (~100,000 arcs) about 2, so below :data:`PARALLEL_MIN_WORK` arc-searches (a re-plan's
    few new points, a town) one process is faster.
    """
    from luckygas.optimize import parallel

    if work < PARALLEL_MIN_WORK:
        return 1
    return max(1, min(parallel.cpus(), MAX_PROCESSES, n_sources // _CHUNK))


def _serial_searches(graph: csr_matrix, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Encoded path weights from ``sources`` to ``targets`` in this process, a few
    sources per Dijkstra call.

    A few at a time: each run returns a dense row per source over the whole graph, which
    1,000 sources at once would turn into gigabytes.
    """
    if not len(sources):
        return np.empty((0, len(targets)))
    return np.vstack(
        [
            dijkstra(graph, directed=True, indices=sources[i : i + _CHUNK])[:, targets]
            for i in range(0, len(sources), _CHUNK)
        ]
    )


def _decode(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres and seconds from encoded path weights; ``inf`` (no path) becomes the sentinel.

    Parameters
    ----------
    w
        Encoded weights from Dijkstra, any shape.

    Returns
    -------
    tuple of numpy.ndarray
        ``int64`` metres and seconds, shaped as ``w``.
    """
    reach = np.isfinite(w)
    wf = np.where(reach, w, 0.0)
    dist = np.where(reach, np.rint(np.fmod(wf, _SCALE) / 10), UNREACHABLE_M).astype(np.int64)
    dur = np.where(reach, np.rint(np.floor(wf / _SCALE) / 10), UNREACHABLE_S).astype(np.int64)
    return dist, dur


def _decode_into(w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_decode` of ``k * k`` weights, as two ``(k, k)`` matrices."""
    dist, dur = _decode(np.asarray(w))
    return dist.reshape(k, k), dur.reshape(k, k)


def _freeze(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.int64)
    a.setflags(write=False)
    return a


def _keep_only(version: str) -> str:
    """Forget the indices and contractions of other graphs (a re-import replaced them; a
    county graph's take tens of MB) and return ``version``."""
    caches: tuple[dict[Any, Any], ...] = (_INDEX, _DRIVES, _BASE, _CHAINS, _CORES, _SHAPES, _LEGS)
    for cache in caches:
        for k in [k for k in cache if k[0] != version]:
            del cache[k]
    return version


def clear_cache() -> None:
    """Forget cached indices and matrices (tests; after importing a new graph)."""
    _INDEX.clear()
    _DRIVES.clear()
    _BASE.clear()
    _CHAINS.clear()
    _CORES.clear()
    _SHAPES.clear()
    _LEGS.clear()
    _CACHE.clear()
    _POINTS.clear()
