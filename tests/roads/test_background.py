"""The faint main-roads background of plan maps (issue 12): what it keeps, how it is shaped.

A small OpenStreetMap file written at test time (:func:`write_roads`): a primary road of
two ways (a straight stretch with a collinear node, then a bend), a tertiary road, a
residential street in town and one far out, a footway scooters may ride and a plain
footway, and a primary road 80 km away.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ipyleaflet as L
import numpy as np
import pandas as pd
import pytest

from luckygas import maps
from luckygas.maps.controls import roads_geojson
from luckygas.optimize import PlanResult
from luckygas.optimize.geometry import simplify_many
from luckygas.roads import background as bg
from luckygas.roads.osm import read_extract
from tests.roads.town import osm_document

DEPOT = (22.7553, 121.1504)
#: Node name -> (lat, lng). ``P0`` is 0.5 mm off a 5-decimal value: rounding must show.
NODES: dict[str, tuple[float, float]] = {
    "P0": (22.7500004, 121.1400004), "P1": (22.75, 121.145), "P2": (22.75, 121.15),
    "P3": (22.755, 121.155), "P4": (22.76, 121.155),
    "T0": (22.76, 121.155), "T1": (22.765, 121.16),
    "R0": (22.752, 121.148), "R1": (22.756, 121.148),
    "Q0": (22.85, 121.30), "Q1": (22.86, 121.30),
    "M0": (22.754, 121.152), "M1": (22.757, 121.152),
    "F0": (22.753, 121.151), "F1": (22.755, 121.151),
    "Z0": (23.45, 121.35), "Z1": (23.46, 121.35),
}  # fmt: skip
WAYS: list[tuple[list[str], dict[str, str]]] = [
    (["P0", "P1", "P2"], {"highway": "primary"}),
    (["P2", "P3", "P4"], {"highway": "primary_link"}),  # links are drawn with their class
    (["P4", "T1"], {"highway": "tertiary"}),
    (["R0", "R1"], {"highway": "residential"}),
    (["Q0", "Q1"], {"highway": "residential"}),  # a street 20 km from town
    (["M0", "M1"], {"highway": "footway", "motorcycle": "yes"}),  # drivable, not drawn
    (["F0", "F1"], {"highway": "footway"}),  # not even in the graph
    (["Z0", "Z1"], {"highway": "primary"}),  # beyond the plan's area and its margin
]
#: The day: the depot and stops around it, one out at the far street.
POINTS = [DEPOT, (22.751, 121.146), (22.757, 121.150), (22.754, 121.153), (22.855, 121.30)]
PRIMARY = [(22.75, 121.14), (22.75, 121.15), (22.755, 121.155), (22.76, 121.155)]
#: The primary road and the tertiary road going on from its end: one line.
MAIN = [*PRIMARY, (22.765, 121.16)]


def write_roads(folder: Path, ways: list[tuple[list[str], dict[str, str]]] = WAYS) -> Path:
    """The test roads as ``.osm`` XML (``T0`` is ``P4``'s twin: it reuses its id)."""
    ids = {n: i for i, n in enumerate(NODES, start=1)}
    ids["T0"] = ids["P4"]
    coords = {n: c for n, c in NODES.items() if n != "T0"}
    path = folder / "roads.osm"
    path.write_text(osm_document(coords, ids, ways), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fresh_backgrounds():
    bg.clear_cache()
    yield
    bg.clear_cache()


@pytest.fixture
def graph(tmp_path):
    return read_extract(write_roads(tmp_path), (22.0, 121.0, 24.0, 122.0))


def _same_line(line, expected) -> bool:
    return list(line) in (list(expected), list(reversed(expected)))


def test_the_primary_road_is_one_simplified_line_with_its_coordinates(graph):
    """Its two ways merge into one line; the collinear node goes, the bend stays, and the
    coordinates are the nodes' rounded to 5 decimals."""
    background = bg.road_background(graph, POINTS)
    # The tertiary road goes on where the primary ends (no junction there): one line.
    assert background.classes == bg.MAIN_CLASSES
    assert len(background.roads) == 1
    assert _same_line(background.roads[0], MAIN)


def test_footways_far_roads_and_far_streets_are_left_out(graph):
    """The scooters' footway is in the graph (they may ride it) but not on the background;
    the primary road 80 km away is outside the plan's area; the only street drawn is the
    one in town."""
    from luckygas.optimize.roadgraph import ROAD_CLASSES

    assert ROAD_CLASSES.index("motorcycle_lane") in set(graph.road_class.tolist())
    background = bg.road_background(graph, POINTS)
    every = {p for line in (*background.roads, *background.streets) for p in line}
    assert not every & {NODES[n] for n in ("M0", "M1", "F0", "F1", "Z0", "Z1", "Q0", "Q1")}
    assert [sorted(x) for x in background.streets] == [sorted([NODES["R0"], NODES["R1"]])]
    south, west, north, east = background.town
    assert south <= DEPOT[0] <= north and west <= DEPOT[1] <= east and north < 22.85
    no_streets = bg.road_background(graph, POINTS, bg.BackgroundParams(town_streets=False))
    assert no_streets.streets == () and no_streets.town is None


def test_the_point_budget_coarsens_then_drops_streets_then_lesser_roads(graph):
    """Over budget: the tolerance grows first, then the streets and the tertiary road
    go; the primary road always stays."""
    params = bg.BackgroundParams(max_points=4)
    background = bg.road_background(graph, POINTS, params)
    assert background.tolerance_m == params.max_tolerance_m
    assert background.streets == () and "tertiary" not in background.classes
    assert "primary" in background.classes
    assert [sorted(x) for x in background.roads] == [sorted(PRIMARY)]


def test_cached_per_graph_version_and_area(graph, tmp_path):
    """The same graph and area give the same object; a small move of the points stays in
    the snapped area; another graph version is computed anew."""
    first = bg.road_background(graph, POINTS)
    assert bg.road_background(graph, [*POINTS, (22.7531, 121.1501)]) is first
    unlocated = [(None, None), (float("nan"), 121.15), (pd.NA, pd.NA)]  # skipped
    assert bg.road_background(graph, [*POINTS, *unlocated]) is first
    assert first.version == graph.version
    other = read_extract(write_roads(tmp_path, WAYS[:3]), (22.0, 121.0, 24.0, 122.0))
    second = bg.road_background(other, POINTS)
    assert second is not first and second.version == other.version and not second.streets


def simplify(points, tolerance_m):
    """The first, one-line-at-a-time Douglas-Peucker: the reference of the vectorised one."""
    if len(points) < 3:
        return [(float(a), float(b)) for a, b in points]
    xy = np.asarray(points, dtype=float)
    # Local metres: enough for a county (the error of the flat approximation is tiny).
    scale = np.array([111_320.0, 111_320.0 * np.cos(np.radians(xy[:, 0].mean()))])
    pts = xy * scale
    keep = np.zeros(len(pts), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = pts[j] - pts[i]
        rel = pts[i + 1 : j] - pts[i]
        norm = float(np.hypot(*seg))
        if norm == 0.0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        k = int(np.argmax(dist))
        if dist[k] > tolerance_m:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return [(float(a), float(b)) for a, b in xy[keep]]


def test_simplify_many_agrees_with_the_one_line_simplify():
    """The vectorised Douglas-Peucker keeps what the optimizer's one-line version keeps."""
    rng = np.random.default_rng(3)
    lines = [
        np.cumsum(rng.normal(0, 20, size=(int(n), 2)), axis=0) for n in rng.integers(2, 40, 30)
    ]
    offsets = np.cumsum([0, *(len(x) for x in lines)])
    keep = simplify_many(np.concatenate(lines), offsets, 15.0)
    for line, i, j in zip(lines, offsets[:-1], offsets[1:], strict=True):
        # simplify() takes (lat, lng) degrees: metres scaled down to degrees near the equator.
        deg = [(float(y) / 111_320.0, float(x) / 111_320.0) for x, y in line]
        kept = [deg[k] for k in np.flatnonzero(keep[i:j])]
        assert kept == simplify(deg, 15.0)


def test_a_days_trip_lines_simplified_together_equal_each_alone():
    """The plan's trip lines (Taitung latitudes, each in its own local metres) go through
    one vectorised pass and come out as the one-line simplify() leaves each of them."""
    from luckygas.optimize.geometry import simplify_lines

    rng = np.random.default_rng(5)
    lines = {
        (v, 1): [
            (22.75 + v * 0.01 + a, 121.15 + b)
            for a, b in np.cumsum(rng.normal(0, 2e-4, size=(int(n), 2)), axis=0)
        ]
        for v, n in enumerate(rng.integers(2, 60, 25))
    }
    together = simplify_lines(lines, 5.0)
    assert together == {k: simplify(x, 5.0) for k, x in lines.items()}
    assert sum(map(len, together.values())) < sum(map(len, lines.values()))


def test_main_roads_from_the_database(db_session, tmp_path):
    """No graph imported: ``None`` (the maps draw nothing). After an import: the roads."""
    from luckygas.roads import import_extract
    from luckygas.roads.background import main_roads
    from tests.factories import add_depot

    add_depot(db_session, lat=DEPOT[0], lng=DEPOT[1])
    assert main_roads(db_session, POINTS) is None
    import_extract(db_session, write_roads(tmp_path), bbox=(22.0, 121.0, 24.0, 122.0))
    background = main_roads(db_session, POINTS)
    assert background is not None and any(_same_line(x, MAIN) for x in background.roads)
    assert main_roads(db_session, [(float("nan"), float("nan"))]) is None


# -- on the maps ---------------------------------------------------------------


def _plan(stops: list[tuple[float, float]]) -> PlanResult:
    routes = pd.DataFrame({"vehicle_id": [1], "vehicle_name": ["V1"], "driver_name": [""]})
    rows = [
        {"vehicle_id": 1, "sequence": k, "trip": 1, "lat": lat, "lng": lng,
         "customer_id": k, "order_id": k, "customer_name": f"C{k}"}
        for k, (lat, lng) in enumerate(stops, start=1)
    ]  # fmt: skip
    un = pd.DataFrame(columns=["order_id", "customer_id", "customer_name", "lat", "lng", "reason"])
    return PlanResult(routes, pd.DataFrame(rows), un, {}, None)


def _roads_layers(m: L.Map) -> list[L.Layer]:
    return [x for x in m.layers if x.name == "Main roads"]


def test_the_plan_map_draws_the_roads_first_faint_and_inert(graph):
    """Right after the basemap, named "Main roads" (the layers control lists it), grey and
    thin, non-interactive; the primary road's coordinates as GeoJSON [lng, lat]."""
    background = bg.road_background(graph, POINTS)
    m = maps.plan_map(_plan(POINTS[1:4]), depot=DEPOT, roads=background)
    assert [bool(x.base) for x in m.layers[:1]] == [True] and m.layers[1].name == "Main roads"
    layer = m.layers[1]
    assert layer.interactive is False and "interactive" in layer.options
    # In its own pane between the tiles and the routes: underneath even after a toggle.
    assert layer.pane == "lg-roads" and "pane" in layer.options
    assert 200 < m.panes["lg-roads"]["zIndex"] < 400
    roads, streets = layer.data["features"]
    assert roads["properties"]["style"]["color"] == "#7a7a7a"
    assert roads["properties"]["style"]["opacity"] < 0.5
    assert any(_same_line([(b, a) for a, b in x], MAIN) for x in roads["geometry"]["coordinates"])
    assert streets["properties"]["style"]["weight"] < roads["properties"]["style"]["weight"]
    assert any(isinstance(c, L.LayersControl) for c in m.controls)
    # No road graph (the demo's great circles): no such layer, nothing fails.
    assert _roads_layers(maps.plan_map(_plan(POINTS[1:4]), depot=DEPOT)) == []


def test_the_live_map_draws_the_roads_once(graph):
    """Across re-plans the same layer object stays, under the routes, and the kernel's
    widget count stays flat; a re-import (new version) changes its data in place."""
    from ipywidgets.widgets import widget as widget_module

    background = bg.road_background(graph, POINTS)
    plans = [_plan(POINTS[1:4]), _plan(POINTS[1:3])]
    live = maps.LivePlanMap(focus="all")
    m = live.show(plans[0], DEPOT, roads=background)
    layer = _roads_layers(m)
    assert len(layer) == 1 and m.layers.index(layer[0]) == 1
    live.show(plans[1], DEPOT, roads=background)
    count = len(widget_module._instances)
    for i in range(6):
        live.show(plans[i % 2], DEPOT, roads=bg.road_background(graph, POINTS))
    assert len(widget_module._instances) == count
    assert _roads_layers(m) == layer and m.layers.index(layer[0]) == 1
    moved = bg.RoadBackground("v2", (PRIMARY[:2],), (), ("primary",), 5.0, (0, 0, 1, 1), None)
    live.show(plans[0], DEPOT, roads=moved)
    assert _roads_layers(m) == layer
    assert layer[0].data["features"][0]["geometry"]["coordinates"] == [
        [[121.14, 22.75], [121.15, 22.75]]
    ]
    live.close()


def test_the_live_map_redraws_the_roads_for_a_day_beyond_them(graph):
    """Switching to a day whose orders lie outside the drawn area replaces the layer's
    data in place; a day inside it (or the first day again) sends nothing."""
    near = bg.road_background(graph, POINTS[:4])
    far = bg.road_background(graph, [*POINTS[:4], (23.455, 121.351)])  # by road Z
    assert far.covers(near) and not near.covers(far)
    assert sorted(NODES[n] for n in ("Z0", "Z1")) in [sorted(x) for x in far.roads]
    live = maps.LivePlanMap(focus="all")
    m = live.show(_plan(POINTS[1:4]), DEPOT, roads=near)
    layer = _roads_layers(m)
    drawn = layer[0].data
    live.show(_plan([*POINTS[1:3], (23.455, 121.351)]), DEPOT, roads=far)
    assert _roads_layers(m) == layer
    assert layer[0].data != drawn
    assert layer[0].data == roads_geojson(far)
    wider = layer[0].data
    live.show(_plan(POINTS[1:4]), DEPOT, roads=near)
    assert layer[0].data is wider
    live.close()


def test_plan_data_carries_the_roads_to_the_report_map(db_session, tmp_path):
    """The report's data fetches the background once (a session is at hand there) and the
    report's map draws it; without a graph neither has it."""
    from luckygas.reports import sections
    from luckygas.reports.data import plan_data_from_result
    from luckygas.roads import import_extract
    from tests.factories import add_depot

    add_depot(db_session, lat=DEPOT[0], lng=DEPOT[1])
    plan = _plan(POINTS[1:4])
    day = dt.date(2026, 12, 1)
    without = plan_data_from_result(db_session, day, plan)
    assert without.roads is None and _roads_layers(sections.plan_map_for(without)) == []
    import_extract(db_session, write_roads(tmp_path), bbox=(22.0, 121.0, 24.0, 122.0))
    data = plan_data_from_result(db_session, day, plan)
    assert data.roads is not None and data.redact().roads is data.roads
    assert len(_roads_layers(sections.plan_map_for(data))) == 1
