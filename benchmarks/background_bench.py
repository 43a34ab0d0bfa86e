"""The maps' main-roads background: time to compute it and bytes it adds to a report.

Run with ``python benchmarks/background_bench.py [--county-side N]``. Nothing is
downloaded; two road graphs are built at benchmark time:

* the synthetic county of ``roads_bench.py`` (a 170 × 170 grid over the whole service
  area, half its streets primary/secondary/tertiary: far denser in main roads than
  Taitung, the worst case for the budget);
* a real-sized town: Taitung City's downtown as ~6 × 5 km of residential streets every
  100 m, tertiary/secondary streets every 500 m, and two curving provincial highways
  (trunk) running 40 km out along the coast and up the valley, with OSM-like node spacing
  (every ~25 m on curves).

For each: a delivery day's points (the depot, ~160 stops in town, 70 across the county
or along the highways), the background's compute time (first and cached), its lines and
points, and the bytes its layer adds to the map's widget state, which the exported HTML
report embeds as is (``plan_map`` with and without ``roads=``, serialised the way the
report's widget state is).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEPOT = (22.7583, 121.1444)


def write_town(path: Path) -> None:
    """The real-sized town as OSM XML (see the module docstring)."""
    rng = np.random.default_rng(0)
    dlat, dlng = 100 / 111_195.0, 100 / 102_600.0  # 100 m in degrees here
    nid = 0
    nodes: list[str] = []
    where: list[tuple[float, float]] = []
    ways: list[tuple[list[int], str]] = []

    def node(lat: float, lng: float) -> int:
        nonlocal nid
        nid += 1
        nodes.append(f' <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lng:.7f}"/>')
        where.append((lat, lng))
        return nid

    rows, cols = 50, 60  # 5 km × 6 km of blocks
    lat0, lng0 = DEPOT[0] - rows / 2 * dlat, DEPOT[1] - cols / 2 * dlng
    grid = [
        [node(lat0 + i * dlat + rng.normal(0, dlat / 40), lng0 + j * dlng) for j in range(cols + 1)]
        for i in range(rows + 1)
    ]
    for i in range(rows + 1):  # east-west streets, one way per block as OSM has them
        cls = "secondary" if i % 10 == 0 else "tertiary" if i % 5 == 0 else "residential"
        for j in range(cols):
            ways.append(([grid[i][j], grid[i][j + 1]], cls))
    for j in range(cols + 1):
        cls = "secondary" if j % 10 == 0 else "tertiary" if j % 5 == 0 else "residential"
        for i in range(rows):
            ways.append(([grid[i][j], grid[i + 1][j]], cls))
    # Two provincial highways from the town's edge, 40 km out, curving, a node every ~25 m.
    for start, heading in ((grid[rows][cols // 2], 20.0), (grid[0][cols], 200.0)):
        refs = [start]
        lat, lng = where[start - 1]
        angle = np.radians(heading)
        for _ in range(1_600):
            angle += rng.normal(0, 0.02)
            lat += 25 * np.cos(angle) / 111_195.0
            lng += 25 * np.sin(angle) / 102_600.0
            refs.append(node(lat, lng))
        for k in range(0, len(refs) - 1, 40):  # one OSM way per kilometre
            ways.append((refs[k : k + 41], "trunk"))
    with path.open("w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n")
        f.write("\n".join(nodes) + "\n")
        for wid, (refs, cls) in enumerate(ways, start=1):
            f.write(f' <way id="{wid}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs))
            f.write(f'<tag k="highway" v="{cls}"/></way>\n')
        f.write("</osm>\n")


def day_points(far: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The depot, 160 stops in town (σ ≈ 1.3 km) and the ``far`` ones."""
    rng = np.random.default_rng(1)
    town = [(DEPOT[0] + rng.normal(0, 0.012), DEPOT[1] + rng.normal(0, 0.012)) for _ in range(160)]
    return [DEPOT, *town, *far]


def state_bytes(m: object) -> int:
    """Bytes of a map's widget state as the report embeds it."""
    from ipywidgets.embed import dependency_state

    return len(json.dumps(dependency_state([m], drop_defaults=True)))


def measure(name: str, graph: object, points: list[tuple[float, float]]) -> None:
    import pandas as pd

    from luckygas.maps import plan_map
    from luckygas.optimize import PlanResult
    from luckygas.roads import background as bg

    bg.clear_cache()
    t = time.perf_counter()
    roads = bg.road_background(graph, points)  # type: ignore[arg-type]
    first = time.perf_counter() - t
    t = time.perf_counter()
    bg.road_background(graph, points)  # type: ignore[arg-type]
    cached = time.perf_counter() - t
    stops = pd.DataFrame(
        [
            {"vehicle_id": 1, "sequence": k, "trip": 1, "lat": a, "lng": b, "customer_id": k,
             "customer_name": f"C{k}"}
            for k, (a, b) in enumerate(points[1:], start=1)
        ]
    )  # fmt: skip
    routes = pd.DataFrame({"vehicle_id": [1], "vehicle_name": ["V1"], "driver_name": [""]})
    un = pd.DataFrame(columns=["order_id", "customer_name", "lat", "lng", "reason"])
    result = PlanResult(routes, stops, un, {}, None)
    added = state_bytes(plan_map(result, depot=DEPOT, roads=roads)) - state_bytes(
        plan_map(result, depot=DEPOT)
    )
    print(
        f"{name}: {first:.2f} s ({cached * 1000:.1f} ms cached); {len(roads.roads):,} road + "
        f"{len(roads.streets):,} street lines, {roads.n_points:,} points, classes "
        f"{'/'.join(roads.classes)}, tolerance {roads.tolerance_m:g} m, town streets "
        f"{'yes' if roads.town else 'no'}; +{added / 1e3:,.0f} kB of widget state"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county-side", type=int, default=170, help="roads_bench --side (170)")
    args = parser.parse_args()

    from roads_bench import LAT0, LAT1, LNG0, LNG1, to_pbf, write_extract

    from luckygas.roads.osm import read_extract

    rng = np.random.default_rng(2)
    county_far = [
        (LAT0 + a * (LAT1 - LAT0), LNG0 + b * (LNG1 - LNG0)) for a, b in rng.random((70, 2))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_town(folder / "town.osm")
        town = read_extract(folder / "town.osm", (21.9, 120.7, 23.6, 121.6))
        print(f"real-sized town: {town.n_nodes:,} nodes, {town.n_arcs:,} arcs")
        # Rural stops lie along the highways, 6 km and more from the depot.
        out = np.flatnonzero(np.hypot(town.lat - DEPOT[0], town.lng - DEPOT[1]) > 0.055)
        pick = out[np.linspace(0, len(out) - 1, 70).astype(int)]
        far = [(float(town.lat[k]), float(town.lng[k])) for k in pick]
        measure("real-sized town, its day", town, day_points(far))
        measure("real-sized town, town stops only", town, day_points([]))
        write_extract(folder / "county.osm", args.county_side, 3)
        to_pbf(folder / "county.osm", folder / "county.osm.pbf")
        county = read_extract(
            folder / "county.osm.pbf", (LAT0 - 0.01, LNG0 - 0.01, LAT1 + 0.01, LNG1 + 0.01)
        )
        print(f"synthetic county: {county.n_nodes:,} nodes, {county.n_arcs:,} arcs")
        measure("synthetic county, a county-wide day", county, day_points(county_far))
        measure("synthetic county, town stops only", county, day_points([]))


if __name__ == "__main__":
    main()
