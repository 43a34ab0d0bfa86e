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
        pairs = np.unique(np.column_stack([np.minimum(a, b), np.maximum(a, b)]), axis=0)
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
        k = min(_K_FIRST, self._tree.n)
        _, first = self._tree.query(pts, k=k)
        first = np.asarray(first).reshape(len(pts), k)
        out: list[Snap | None] = []
        for p, near in zip(pts, first, strict=True):
            dist, _ = self._exact(p, np.unique(self._sample_seg[near]))
            reach = float(dist.min()) + SPACING_M / 2 + 1e-6
            segs = np.unique(self._sample_seg[self._tree.query_ball_point(p, reach)])
            dist, t = self._exact(p, segs)
            best = int(np.argmin(dist))  # ties: the lowest segment index, deterministic
            seg, tb = int(segs[best]), float(t[best])
            q = self._a[seg] + (self._b[seg] - self._a[seg]) * tb
            qlat, qlng = self.graph.unproject(q[None, :])
            out.append(
                Snap(
                    int(self.seg_u[seg]),
                    int(self.seg_v[seg]),
                    tb,
                    float(dist[best]),
                    float(qlat[0]),
                    float(qlng[0]),
                )
            )
        return out
