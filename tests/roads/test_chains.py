"""Chain contraction changes no route: contracted and full-graph matrices agree."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from luckygas.domain import VehicleType
from luckygas.optimize.roadchains import Structure, structure
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


# The first version of ``structure``, a walk per chain in Python: the reference the
# vectorised one must reproduce exactly (stored cores depend on its numbering).
def _walked(n: int, src: np.ndarray, dst: np.ndarray) -> Structure:
    """The chains found by walking every arc in a Python loop (the first version)."""
    m = len(src)
    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    lo, hi = np.minimum(src, dst).astype(np.int64), np.maximum(src, dst).astype(np.int64)
    pairs = np.unique(lo * n + hi)
    neighbours = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    # A shape node: two neighbours and traffic through it (in from one, out to the other,
    # one or both ways); anything else (a dead end, a junction, a U-turn-only node) stays.
    interior = (neighbours == 2) & (indeg == outdeg) & (indeg > 0)
    out_order = np.argsort(src, kind="stable")
    out_ptr = np.searchsorted(src[out_order], np.arange(n + 1))
    # Plain lists: the walk is a Python loop, and list indexing is much faster than numpy's.
    src_l, dst_l = src.tolist(), dst.tolist()
    out_l, ptr_l = out_order.tolist(), out_ptr.tolist()
    chain_of = [-1] * m
    step = [0] * m
    starts: list[int] = []
    ends: list[int] = []
    is_interior = interior.tolist()

    def walk(first: int) -> None:
        cid, start, k, arc = len(starts), src_l[first], 0, first
        while True:
            chain_of[arc], step[arc] = cid, k
            k += 1
            x = dst_l[arc]
            if not is_interior[x] or x == start:
                break
            came = src_l[arc]
            nxt = next((j for j in out_l[ptr_l[x] : ptr_l[x + 1]] if dst_l[j] != came), -1)
            if nxt < 0 or chain_of[nxt] >= 0:
                break
            arc = nxt
        starts.append(start)
        ends.append(dst_l[arc])

    for a in range(m):
        if not is_interior[src_l[a]]:
            walk(a)
    # Rings of shape nodes only (a loop road with no junction): one node becomes a junction.
    for a in range(m):
        if chain_of[a] < 0:
            is_interior[src_l[a]] = False
            walk(a)
    junctions = ~np.array(is_interior, dtype=bool)
    junction_index = np.full(n, -1, dtype=np.int64)
    junction_index[junctions] = np.arange(int(junctions.sum()))
    return Structure(
        chain_of=np.array(chain_of, dtype=np.int64),
        step=np.array(step, dtype=np.int64),
        start=np.array(starts, dtype=np.int64),
        end=np.array(ends, dtype=np.int64),
        junction_index=junction_index,
        n_junctions=int(junctions.sum()),
    )


@pytest.mark.parametrize("seed", range(5))
def test_the_vectorised_chains_are_the_walked_ones(seed):
    """Chains, steps, ends and junction numbers equal the walk's, on grids with shape
    nodes, one-way streets, a ring road of shape nodes only and a motorcycle street,
    and on a random sparse graph with dead ends, U-turn nodes and several rings."""
    g = grid_graph(6, 1 + seed % 3, seed)
    cases = [(g.n_nodes, g.src.astype(np.int64), g.dst.astype(np.int64))]
    rng = np.random.default_rng(seed)
    n = 300
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(330, 2)) if a != b}
    for ring in range(4):  # rings of shape nodes only, both ways or one way
        nodes = list(range(n + 10 * ring, n + 10 * ring + 6))
        for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True):
            pairs.add((a, b))
            if ring % 2:
                pairs.add((b, a))
    arcs = np.array(sorted(pairs, key=lambda _: rng.random()))
    cases.append((n + 40, arcs[:, 0], arcs[:, 1]))
    for size, src, dst in cases:
        got, want = structure(size, src, dst), _walked(size, src, dst)
        for field in ("chain_of", "step", "start", "end", "junction_index"):
            np.testing.assert_array_equal(getattr(got, field), getattr(want, field), field)
        assert got.n_junctions == want.n_junctions
