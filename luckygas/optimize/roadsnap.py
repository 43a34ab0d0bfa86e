"""Snap points onto the nearest road segment a vehicle type may drive.

Exact nearest-segment search without testing every segment: every segment is sampled
every ``SPACING_M`` metres into a k-d tree (``scipy.spatial.cKDTree``); the nearest
samples give a first exact distance ``d``, and every segment that could be nearer has a
sample within ``d + SPACING_M / 2``, so one ball query collects all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from luckygas.domain import VehicleType
from luckygas.optimize.roadgraph import RoadGraph

SPACING_M = 50.0  # any spacing is exact (see above); wider builds the index faster
_K_FIRST = 8


@dataclass(frozen=True)
class Snap:
    """Where a point meets the road: segment ``u``-``v`` at fraction ``t`` from ``u``."""

    u: int
    v: int
    t: float
    distance_m: float
    lat: float
    lng: float


class SnapIndex:
    """The segments one vehicle type may drive (in either direction), ready for queries.

    Parameters
    ----------
    graph
        The road graph.
    vtype
        Only segments with an arc this type may drive are candidates.
    """

    def __init__(self, graph: RoadGraph, vtype: VehicleType) -> None:
        self.graph = graph
        allowed = graph.speed_kmh[vtype] > 0
        a, b = graph.src[allowed], graph.dst[allowed]
        # One segment per node pair, sorted by (lower, higher) node: a 1-d key sorts in a
        # tenth of the time of unique rows (0.6 s on a county).
        n = np.int64(graph.n_nodes)
        key = np.unique(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
        pairs = np.column_stack([key // n, key % n]).astype(a.dtype)
        self.seg_u, self.seg_v = pairs[:, 0], pairs[:, 1]
        xy = graph.node_xy
        self._a, self._b = xy[self.seg_u], xy[self.seg_v]
        seg_len = np.hypot(*(self._b - self._a).T)
        counts = (
            (np.ceil(seg_len / SPACING_M).astype(np.int64) + 1) if len(pairs) else np.zeros(0, int)
        )
        self._sample_seg = np.repeat(np.arange(len(pairs)), counts)
        start = np.repeat(np.cumsum(counts) - counts, counts)
        frac = (np.arange(len(self._sample_seg)) - start) / np.maximum(
            np.repeat(counts, counts) - 1, 1
        )
        sa, sb = self._a[self._sample_seg], self._b[self._sample_seg]
        self._tree = cKDTree(sa + (sb - sa) * frac[:, None]) if len(pairs) else None

    def _exact(self, p: np.ndarray, segs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distances and fractions ``t`` from ``p`` to segments ``segs``."""
        a, d = self._a[segs], self._b[segs] - self._a[segs]
        dd = np.einsum("ij,ij->i", d, d)
        t = np.clip(np.einsum("ij,ij->i", p - a, d) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
        return np.hypot(*(a + d * t[:, None] - p).T), t

    def snap(self, lat: np.ndarray, lng: np.ndarray) -> list[Snap | None]:
        """The nearest drivable point for each ``(lat, lng)``; ``None`` if the type has no road.

        All points are searched together (one k-nearest query, one ball query, one exact
        pass over every candidate pair): a per-point loop cost ~0.3 ms a point, a
        1,000-location matrix snaps three times.

        Parameters
        ----------
        lat, lng
            Coordinates of the points.

        Returns
        -------
        list of Snap or None
        """
        if self._tree is None:
            return [None] * len(lat)
        pts = self.graph.project(np.asarray(lat), np.asarray(lng))
        if not len(pts):
            return []
        k = min(_K_FIRST, self._tree.n)
        _, first = self._tree.query(pts, k=k)
        first = np.asarray(first).reshape(len(pts), k)
        # The nearest samples' segments give each point an exact distance to beat ...
        near_dist, _ = self._exact(np.repeat(pts, k, axis=0), self._sample_seg[first.ravel()])
        reach = near_dist.reshape(len(pts), k).min(axis=1) + SPACING_M / 2 + 1e-6
        # ... and every segment that could beat it has a sample within that reach.
        balls = self._tree.query_ball_point(pts, reach)
        sizes = np.fromiter((len(b) for b in balls), dtype=np.int64, count=len(balls))
        samples = np.fromiter((j for b in balls for j in b), dtype=np.int64, count=int(sizes.sum()))
        owner = np.repeat(np.arange(len(pts)), sizes)
        pair = np.unique(owner * len(self.seg_u) + self._sample_seg[samples])
        owner, segs = pair // len(self.seg_u), pair % len(self.seg_u)
        dist, t = self._exact(pts[owner], segs)
        # Per point the nearest segment; ties: the lowest segment index, deterministic.
        order = np.lexsort((segs, dist, owner))
        best = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        seg, tb = segs[best], t[best]
        q = self._a[seg] + (self._b[seg] - self._a[seg]) * tb[:, None]
        qlat, qlng = self.graph.unproject(q)
        return [
            Snap(int(u), int(v), float(f), float(d), float(a), float(b))
            for u, v, f, d, a, b in zip(
                self.seg_u[seg], self.seg_v[seg], tb, dist[best], qlat, qlng, strict=True
            )
        ]
