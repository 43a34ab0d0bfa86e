"""Chain contraction changes no route: contracted and full-graph matrices agree."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from luckygas.domain import VehicleType
from luckygas.optimize.roadgraph import RoadGraph, haversine_m
from luckygas.optimize.roadmatrix import RoadMatrix, _decode_into


def grid_graph(side: int, shape: int, seed: int) -> RoadGraph:
    """A street grid with ``shape`` nodes inside each block side, 15 % one-way, a ring road
    of shape nodes only, and a motorcycle-only street."""
    rng = np.random.default_rng(seed)
    lat: list[float] = []
    lng: list[float] = []

    def node(a: float, b: float) -> int:
        lat.append(22.75 + a * 0.002 + rng.normal(0, 1e-5))
        lng.append(121.10 + b * 0.002 + rng.normal(0, 1e-5))
        return len(lat) - 1

    corner = [[node(i, j) for j in range(side)] for i in range(side)]
    arcs: list[tuple[int, int, float, float]] = []  # src, dst, car/truck km/h, moto km/h
    for i in range(side):
        for j in range(side):
            for di, dj in ((0, 1), (1, 0)):
                if i + di >= side or j + dj >= side:
                    continue
                refs = [corner[i][j]]
                refs += [
                    node(i + di * k / (shape + 1), j + dj * k / (shape + 1))
                    for k in range(1, shape + 1)
                ]
                refs.append(corner[i + di][j + dj])
                oneway, moto_only = rng.random() < 0.15, rng.random() < 0.05
                car = 0.0 if moto_only else float(rng.choice([25, 40, 50]))
                for a, b in itertools.pairwise(refs):
                    arcs.append((a, b, car, 30.0))
                    if not oneway:
                        arcs.append((b, a, car, 30.0))
    ring = [node(-3 + np.cos(x), -3 + np.sin(x)) for x in np.linspace(0, 2 * np.pi, 9)[:-1]]
    for a, b in zip(ring, ring[1:] + ring[:1], strict=False):
        arcs += [(a, b, 30.0, 30.0), (b, a, 30.0, 30.0)]
    la, ln = np.array(lat), np.array(lng)
    src = np.array([a[0] for a in arcs], dtype=np.int32)
    dst = np.array([a[1] for a in arcs], dtype=np.int32)
    car = np.array([a[2] for a in arcs], dtype=np.float32)
    moto = np.array([a[3] for a in arcs], dtype=np.float32)
    return RoadGraph(
        lat=la, lng=ln, src=src, dst=dst,
        length_m=haversine_m(la[src], ln[src], la[dst], ln[dst]).astype(np.float32),
        road_class=np.full(len(src), 6, dtype=np.uint8),
        speed_kmh={VehicleType.MOTORCYCLE: moto, VehicleType.CAR: car,
                   VehicleType.LIGHT_TRUCK: car * 0.8},
    )  # fmt: skip


@pytest.mark.parametrize(("side", "shape", "seed"), [(6, 3, 0), (8, 1, 1), (5, 0, 2)])
def test_contracted_matrix_equals_the_full_graph_one(side, shape, seed):
    graph = grid_graph(side, shape, seed)
    rng = np.random.default_rng(seed + 10)
    pts = [(22.75 + a, 121.10 + b) for a, b in rng.uniform(-0.001, 0.002 * side, (30, 2))]
    pts += [pts[0], (22.75 - 0.006 + 0.002, 121.10 - 0.006)]  # a repeat; on the ring road
    rm = RoadMatrix(graph, max_snap_m=10_000)
    tables = rm.tables(pts)
    chains = rm._chains(VehicleType.CAR)
    assert chains.n_junctions < graph.n_nodes or shape == 0
    for vt in VehicleType:
        snaps = rm.snap(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]), vt)
        full, nodes = rm._augmented(snaps, vt)
        w = dijkstra(full, directed=True, indices=nodes)[:, nodes]
        dist, dur = _decode_into(w, len(pts))
        # Per-arc rounding (0.1 s) can tip a tie between two equally fast routes whose
        # lengths differ by a few metres; the times agree to the second.
        np.testing.assert_allclose(tables.distance_m[vt], dist, atol=1, rtol=3e-3)
        np.testing.assert_allclose(tables.duration_s[vt], dur, atol=1)
        assert (dist < 10_000_000).mean() > 0.5
