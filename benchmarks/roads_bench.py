"""Real roads on a county-sized synthetic network: import, memory, matrix times.

Run with ``python benchmarks/roads_bench.py [--side N] [--shape K]``. Nothing is
downloaded: the script writes a synthetic OpenStreetMap extract at benchmark time, shaped
like a real one (a ``side × side`` grid of intersections around Taitung, each street
segment drawn with ``shape`` intermediate nodes as OSM ways are, a mix of road classes and
one-way streets), converts it to PBF with pyosmium, and measures

* the import: reading the PBF into a road graph, compressing it, storing it in a fresh
  SQLite database (all of ``luckygas roads import`` but the customer query), and the peak
  memory of the process;
* the first use of the graph in a process (chain contraction and snapping indices, per
  vehicle type; a planning session pays it once);
* :class:`~luckygas.optimize.roadmatrix.RoadMatrix` for 250 and 1,000 random locations
  (all three vehicle types) on the warm graph, and the cached re-use of the same set;
  for the 250 locations also where the time goes (snapping, each type's shortest paths)
  and the same set with 5 new or 10 cancelled locations (a re-plan's matrix).

Every timed line ends with the machine's 1-minute load average (the machine is shared).

The defaults (170 × 170 intersections, 3 shape nodes per segment) give ≈ 201,000 nodes.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from luckygas.optimize.matrix import HaversineMatrix
from luckygas.optimize.roadgraph import RoadGraph
from luckygas.optimize.roadmatrix import RoadMatrix

# The grid spans the demo's service area (luckygas.domain.SERVICE_AREA: 22.28-23.15 N,
# 120.85-121.42 E) whatever --side is, so the demo day can be planned on it.
LAT0, LNG0, LAT1, LNG1 = 22.28, 120.85, 23.15, 121.42
CLASSES = ("primary", "secondary", "tertiary", "residential", "residential", "unclassified")


def write_extract(path: Path, side: int, shape: int) -> int:
    """Write the synthetic grid as OSM XML; returns the number of nodes."""
    rng = np.random.default_rng(0)
    step_lat, step_lng = (LAT1 - LAT0) / (side - 1), (LNG1 - LNG0) / (side - 1)
    with path.open("w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n")
        node_id = 0

        def node(lat: float, lng: float) -> int:
            nonlocal node_id
            node_id += 1
            f.write(f' <node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lng:.7f}"/>\n')
            return node_id

        corner = [
            [node(LAT0 + i * step_lat, LNG0 + j * step_lng) for j in range(side)]
            for i in range(side)
        ]
        ways: list[tuple[list[int], str, bool]] = []
        for i in range(side):
            for j in range(side):
                for di, dj in ((0, 1), (1, 0)):
                    if i + di >= side or j + dj >= side:
                        continue
                    a, b = (i, j), (i + di, j + dj)
                    jitter = rng.normal(0, step_lng / 20, size=(shape, 2))
                    frac = [k / (shape + 1) for k in range(1, shape + 1)]
                    mids = [
                        node(
                            LAT0 + (a[0] + (b[0] - a[0]) * x) * step_lat + jitter[k, 0],
                            LNG0 + (a[1] + (b[1] - a[1]) * x) * step_lng + jitter[k, 1],
                        )
                        for k, x in enumerate(frac)
                    ]
                    refs = [corner[a[0]][a[1]], *mids, corner[b[0]][b[1]]]
                    ways.append((refs, CLASSES[(i * 7 + j * 3) % len(CLASSES)], rng.random() < 0.1))
        for wid, (refs, highway, oneway) in enumerate(ways, start=1):
            f.write(f' <way id="{wid}" version="1">')
            f.write("".join(f'<nd ref="{r}"/>' for r in refs))
            f.write(f'<tag k="highway" v="{highway}"/>')
            if oneway:
                f.write('<tag k="oneway" v="yes"/>')
            f.write("</way>\n")
        f.write("</osm>\n")
    return node_id


def to_pbf(xml: Path, pbf: Path) -> None:
    """Convert with pyosmium (what a user downloads is PBF)."""
    import osmium

    writer = osmium.SimpleWriter(str(pbf))
    try:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    finally:
        writer.close()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return f"[load {os.getloadavg()[0]:.2f}]"


def profile_matrix(rm: RoadMatrix, pts: list[tuple[float, float]]) -> str:
    """Where a warm matrix's time goes: snapping (per snap index) and shortest paths per type."""
    from luckygas.domain import VehicleType
    from luckygas.optimize import roadmatrix

    xy = np.array(pts)
    parts, snapped = [], {}
    t = time.perf_counter()
    for vt in VehicleType:
        index = rm._index(vt)
        if id(index) not in snapped:
            snapped[id(index)] = index.snap(xy[:, 0], xy[:, 1])
    parts.append(f"snap {time.perf_counter() - t:.2f} s ({len(snapped)} indices)")
    jobs = []
    t = time.perf_counter()
    for vt in VehicleType:
        jobs += rm._shortest(snapped[id(rm._index(vt))], vt)[2]
    parts.append(f"search graphs {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    for job, rows in zip(jobs, roadmatrix._searches_many(jobs), strict=True):
        job.place(rows)
    parts.append(f"searches (every type, {roadmatrix._parts(1_000, 10**9)} processes) "
                 f"{time.perf_counter() - t:.2f} s")  # fmt: skip
    return ", ".join(parts)


def without_core(graph: RoadGraph, rm: RoadMatrix, pts: list[tuple[float, float]]) -> str:
    """The matrix with cores that contract nothing (every junction searched), and with
    the real ones, back to back in this process: the ratio of one run."""
    from luckygas.domain import VehicleType
    from luckygas.optimize import roadmatrix
    from luckygas.optimize.roadcore import CoreParams, build_core

    flat = {}
    for vt in VehicleType:
        ch = rm._chains(vt)
        flat[vt] = build_core(ch.n_junctions, ch.src, ch.dst, ch.w, CoreParams(max_levels=0))
    times = []
    for matrix in (RoadMatrix(graph, cores=flat), rm):
        roadmatrix._CORES.clear()
        roadmatrix._CACHE.clear()
        roadmatrix._POINTS.clear()
        for vt in VehicleType:
            matrix._core(vt)
        t = time.perf_counter()
        matrix.tables(pts)
        times.append(time.perf_counter() - t)
    return f"{times[0]:.2f} s, {times[1]:.2f} s (x{times[0] / times[1]:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=170, help="intersections per side (170)")
    parser.add_argument("--shape", type=int, default=3, help="shape nodes per segment (3)")
    parser.add_argument(
        "--demo", action="store_true", help="also build the demo database and plan its day on it"
    )
    parser.add_argument("--time-limit", type=float, default=10.0, help="solver seconds (10)")
    args = parser.parse_args()

    from sqlalchemy.orm import Session

    from luckygas import models as m
    from luckygas.db import make_engine
    from luckygas.domain import VehicleType
    from luckygas.optimize import parallel, roadmatrix
    from luckygas.optimize.roadcore import cores_from_bytes, cores_to_bytes
    from luckygas.roads.osm import read_extract

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        n_written = write_extract(folder / "county.osm", args.side, args.shape)
        to_pbf(folder / "county.osm", folder / "county.osm.pbf")
        print(f"synthetic extract: {n_written:,} nodes, PBF "
              f"{(folder / 'county.osm.pbf').stat().st_size / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - t:.1f} s)")  # fmt: skip
        rss0 = _rss_mb()
        bbox = (LAT0 - 0.01, LNG0 - 0.01, LAT1 + 0.01, LNG1 + 0.01)
        t = time.perf_counter()
        graph = read_extract(folder / "county.osm.pbf", bbox)
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        cores = roadmatrix.build_cores(graph)
        t_cores = time.perf_counter() - t
        t = time.perf_counter()
        blob = graph.to_bytes()
        search = cores_to_bytes({vt.value: c for vt, c in cores.items()})
        engine = make_engine(f"sqlite:///{folder / 'roads.sqlite'}")
        m.Base.metadata.create_all(engine)
        with Session(engine) as s:
            row = m.RoadGraphRow(
                version=graph.version, source_file="county.osm.pbf", south=bbox[0],
                west=bbox[1], north=bbox[2], east=bbox[3], n_nodes=graph.n_nodes,
                n_arcs=graph.n_arcs, data=blob, search_data=search,
            )  # fmt: skip
            s.add(row)
            s.commit()
        t_store = time.perf_counter() - t
        t = time.perf_counter()
        RoadGraph.from_bytes(blob)
        stored = cores_from_bytes(search)
        t_load = time.perf_counter() - t
        engine.dispose()
        core = cores[VehicleType.LIGHT_TRUCK]
        print(f"graph: {graph.n_nodes:,} nodes, {graph.n_arcs:,} arcs; stored blob "
              f"{len(blob) / 1e6:.1f} MB + search cores {len(search) / 1e6:.1f} MB "
              f"(truck: {core.n_core:,} of {core.n:,} junctions in the core, "
              f"{len(core.src):,} arcs)")  # fmt: skip
        print(f"import: read {t_read:.1f} s, cores {t_cores:.1f} s (3 vehicle types, "
              f"{parallel.cpus()} cores), compress + store {t_store:.1f} s; "
              f"load back (graph + cores) {t_load * 1000:.0f} ms; peak RSS {_rss_mb():.0f} MB "
              f"(+{_rss_mb() - rss0:.0f} MB during the import) {_load()}")  # fmt: skip

        rng = np.random.default_rng(1)

        def points(k: int) -> list[tuple[float, float]]:
            return [
                (LAT0 + a * (LAT1 - LAT0), LNG0 + b * (LNG1 - LNG0)) for a, b in rng.random((k, 2))
            ]

        # A planning process: the graph and its stored cores, nothing else in memory.
        rm = RoadMatrix(graph, cores={vt: stored[vt.value] for vt in VehicleType})
        roadmatrix.clear_cache()
        t = time.perf_counter()
        for vt in VehicleType:  # what the first matrix on a freshly loaded graph also pays
            rm._chains(vt)
            rm._core(vt)
        t_chains = time.perf_counter() - t
        t = time.perf_counter()
        for vt in VehicleType:
            rm.snap(np.array([LAT0]), np.array([LNG0]), vt)
        t_index = time.perf_counter() - t
        print(f"first use of a graph in a process (3 vehicle types): contraction {t_chains:.1f} s "
              f"(junctions: {rm._chains(VehicleType.LIGHT_TRUCK).n_junctions:,}), "
              f"snap index {t_index:.1f} s {_load()}")  # fmt: skip
        for k in (250, 1000):
            pts = points(k)
            t = time.perf_counter()
            tables = rm.tables(pts)
            t_first = time.perf_counter() - t
            t = time.perf_counter()
            rm.tables(pts)
            t_cached = time.perf_counter() - t
            reach = (tables.distance_m[VehicleType.LIGHT_TRUCK] < roadmatrix.UNREACHABLE_M).mean()
            print(f"{k:>5} locations: matrix (3 vehicle types, graph warm) {t_first:.2f} s, "
                  f"same set again (cached) {t_cached * 1000:.2f} ms; {reach:.1%} of truck "
                  f"pairs reachable; peak RSS {_rss_mb():.0f} MB {_load()}")  # fmt: skip
            if k == 250:
                print(f"  of which (measured again): {profile_matrix(rm, pts)} {_load()}")
                print(f"  the same set searched on every junction (no core), then on the core "
                      f"again: {without_core(graph, rm, pts)} {_load()}")  # fmt: skip
                # A re-plan after a few new or cancelled orders: the cached set is reused.
                extra = [(LAT0 + a * (LAT1 - LAT0), LNG0 + b * (LNG1 - LNG0))
                         for a, b in np.random.default_rng(2).random((5, 2))]  # fmt: skip
                for label, again in (("5 new", pts + extra), ("10 cancelled", pts[10:])):
                    t = time.perf_counter()
                    rm.tables(again)
                    print(f"  the same set with {label}: {time.perf_counter() - t:.2f} s "
                          f"{_load()}")  # fmt: skip

        if args.demo:
            plan_demo_day(graph, folder, args.time_limit)


def plan_demo_day(graph: RoadGraph, folder: Path, time_limit: float) -> None:
    """Build the demo database and plan its delivery day on great circles and on the graph."""
    from luckygas.bridge.adapter import build_problem
    from luckygas.bridge.planning import next_delivery_day
    from luckygas.db import make_engine, session_scope
    from luckygas.demo.build import build_demo_database
    from luckygas.optimize import SolverParams, check_plan, solve
    from luckygas.optimize.problem import RoutingProblem

    engine = make_engine(f"sqlite:///{folder / 'demo.sqlite'}")
    build_demo_database(engine, progress=False)
    with session_scope(engine, write=False) as session:
        day = next_delivery_day(session)
        assert day is not None
        base = build_problem(session, day, roads=False)
    engine.dispose()
    located = [o for o in base.orders if o.location is not None]
    params = SolverParams(time_limit_s=time_limit)
    for label, matrix in (("great circle", None), ("synthetic roads", RoadMatrix(graph))):
        problem = RoutingProblem(base.date, base.depot, base.orders, base.vehicles,
                                 base.service_time, matrix)  # fmt: skip
        t = time.perf_counter()
        (problem.matrix or HaversineMatrix()).build(problem.depot, located)
        t_matrix = time.perf_counter() - t
        t = time.perf_counter()
        result = solve(problem, params)
        wall = time.perf_counter() - t
        k = result.kpis
        # The solve's own clock stops before the trips' road lines are joined.
        print(f"demo day {day} on {label}: matrix {t_matrix:.2f} s for {len(located)} orders; "
              f"solve {wall:.2f} s (of which road lines {wall - result.run.wall_s:.2f} s, "
              f"{sum(len(x) for x in result.paths.values())} points); "
              f"served {k['served']}/{k['orders']}, {k['distance_km']:.0f} km, cost "
              f"{k['cost']:,.0f} TWD; checker: {len(check_plan(problem, result))} "
              f"violations {_load()}")  # fmt: skip


if __name__ == "__main__":
    main()
