"""Snapping many points at once: the same snaps as one point at a time, and vehicle
types allowed on the same arcs share one snap index (and one snap per matrix)."""

from __future__ import annotations

import numpy as np

from luckygas.domain import VehicleType
from luckygas.optimize.roadmatrix import RoadMatrix
from luckygas.optimize.roadsnap import SnapIndex
from tests.roads.town import NODES, at

M, C, T = VehicleType.MOTORCYCLE, VehicleType.CAR, VehicleType.LIGHT_TRUCK


def _points() -> list[tuple[float, float]]:
    """Nodes, points between and beside roads, a point equally far from two roads
    (the tie goes to the lower segment index), repeats, and one far from every road."""
    offsets = [(1, -0.3), (3.5, 2), (7, 4.2), (0, 1.5), (2, -1.5), (5, 2), (1, 30.2), (5, 15)]
    pts = [at(n) for n in NODES] + [at(o) for o in offsets]
    return pts + pts[:3]


def test_batched_snaps_equal_one_by_one_snaps(town_graph):
    """Every field of every snap, for every vehicle type, bit for bit."""
    pts = np.array(_points())
    for vt in VehicleType:
        index = SnapIndex(town_graph, vt)
        together = index.snap(pts[:, 0], pts[:, 1])
        alone = [index.snap(pts[i : i + 1, 0], pts[i : i + 1, 1])[0] for i in range(len(pts))]
        assert together == alone
        assert index.snap(np.array([]), np.array([])) == []


def test_types_on_the_same_arcs_share_one_index(town_graph):
    """Cars and trucks may drive the same town streets; motorcycles also have their lane."""
    rm = RoadMatrix(town_graph)
    assert rm._index(C) is rm._index(T)
    assert rm._index(M) is not rm._index(C)
    t = rm.tables([at("W0"), at((7, 4.2)), at((5, 2))])
    assert t.snaps[C] == t.snaps[T]
    # Midway between the west bank and the lane's end: the motorcycle snaps to its lane.
    assert t.snaps[M][2] != t.snaps[C][2]
