"""RoadMatrix on the test town: hand-computed metres and seconds, one-way streets, the
bridge detour, the motorcycle-only lane, the island, snapping, the cache, leg geometry."""

from __future__ import annotations

import time

import numpy as np
import pytest

from luckygas.domain import VehicleType
from luckygas.optimize.matrix import UNREACHABLE_M, UNREACHABLE_S, haversine_m
from luckygas.optimize.roadgraph import RoadGraph
from luckygas.optimize.roadmatrix import RoadMatrix
from tests.roads.town import O_LAT, at

M, C, T = VehicleType.MOTORCYCLE, VehicleType.CAR, VehicleType.LIGHT_TRUCK
NS = 111.19493  # metres per 0.001° of latitude (R = 6,371 km)
EW = float(haversine_m(O_LAT, 0.0, O_LAT, 0.001))  # metres per 0.001° of longitude here


def kmh(v: float) -> float:
    return v / 3.6


def tables(graph, *names):
    return RoadMatrix(graph).tables([at(n) for n in names])


def test_the_graph_keeps_the_drivable_network(town_graph):
    """11 road nodes (the footway's end is not one); arcs per direction as tagged."""
    assert town_graph.n_nodes == 11
    # 9 two-way segments (banks 3 + 2, bridge, lane, G1-G0, island) give 2 arcs each; the
    # one-way Wa-G1 gives 2 (the reverse arc for motorcycles only), oneway=-1 W0-G0 gives 1.
    assert town_graph.n_arcs == 2 * 9 + 2 + 1
    back = (town_graph.src == 7) & (town_graph.dst == 1)  # G1 -> Wa
    assert town_graph.speed_kmh[M][back] > 0 and town_graph.speed_kmh[T][back] == 0
    again = RoadGraph.from_bytes(town_graph.to_bytes())
    assert again.version == town_graph.version
    np.testing.assert_array_equal(again.speed_kmh[T], town_graph.speed_kmh[T])


def test_the_bridge_detour_is_far_longer_than_the_straight_line(town_graph):
    """Across the river by truck: up the west bank, over the bridge, down the east bank."""
    t = tables(town_graph, "W0", "E0")
    road_m = 2 * 10 * NS + 4 * EW
    assert t.distance_m[T][0, 1] == pytest.approx(road_m, abs=1)
    assert t.duration_s[T][0, 1] == pytest.approx(road_m / kmh(18), abs=1)
    assert t.duration_s[C][0, 1] == pytest.approx(road_m / kmh(25), abs=1)
    assert t.distance_m[T][0, 1] > 6 * 4 * EW  # straight line: 410 m
    assert t.distance_m[T][1, 0] == t.distance_m[T][0, 1]


def test_motorcycles_take_their_own_lane(town_graph):
    """The path across the river at lat 5 is open to motorcycles only (15 km/h)."""
    t = tables(town_graph, "W0", "E0")
    assert t.distance_m[M][0, 1] == pytest.approx(10 * NS + 4 * EW, abs=1)
    expected_s = 10 * NS / kmh(25) + 4 * EW / kmh(15)
    assert t.duration_s[M][0, 1] == pytest.approx(expected_s, abs=1)
    assert t.distance_m[T][0, 1] > t.distance_m[M][0, 1] + 1000


def test_one_way_streets_make_the_matrix_asymmetric(town_graph):
    """Wa -> G1 is one-way for cars and trucks (motorcycles excepted); oneway=-1 on W0-G0."""
    t = tables(town_graph, "Wa", "G1", "W0", "G0")
    assert t.distance_m[T][0, 1] == pytest.approx(3 * EW, abs=1)
    back = 2 * NS + 3 * EW + 2 * NS  # G1 -> G0 -> W0 -> Wa
    assert t.distance_m[T][1, 0] == pytest.approx(back, abs=1)
    assert t.distance_m[M][1, 0] == pytest.approx(3 * EW, abs=1)  # oneway:motorcycle=no
    # oneway=-1 on the way [W0, G0]: G0 -> W0 is allowed, W0 -> G0 is the long way round.
    assert t.distance_m[C][3, 2] == pytest.approx(3 * EW, abs=1)
    assert t.distance_m[C][2, 3] == pytest.approx(2 * NS + 3 * EW + 2 * NS, abs=1)


def test_a_location_is_snapped_to_the_nearest_road(town_graph):
    """30 m west of the west bank road, between W0 and Wa: snapped onto it."""
    rm = RoadMatrix(town_graph)
    point = at((1, -0.3))
    (snap,) = rm.snap(np.array([point[0]]), np.array([point[1]]), T)
    assert snap.distance_m == pytest.approx(0.3 * EW, abs=0.5)
    assert snap.lat == pytest.approx(at((1, 0))[0], abs=1e-6)
    t = rm.tables([point, at("Wa")])
    assert t.distance_m[T][0, 1] == pytest.approx(NS, abs=1)  # along the road, 1/1000°


def test_two_locations_on_one_segment(town_graph):
    """Both in the middle of W1-W2: the direct stretch between them, both ways."""
    t = RoadMatrix(town_graph).tables([at((6, 0)), at((9, 0))])
    assert t.distance_m[T][0, 1] == pytest.approx(3 * NS, abs=1)
    assert t.distance_m[T][1, 0] == pytest.approx(3 * NS, abs=1)


def test_the_island_and_a_point_far_from_roads_are_unreachable(town_graph):
    """No route, no crash: the sentinel both ways, for every vehicle type."""
    t = tables(town_graph, "W0", "I0")
    far = RoadMatrix(town_graph).tables([at("W0"), at((5, 15))])  # 1.1 km from any road
    for tab in (t, far):
        for vt in VehicleType:
            assert tab.distance_m[vt][0, 1] == UNREACHABLE_M
            assert tab.duration_s[vt][1, 0] == UNREACHABLE_S
    assert far.snaps[T][1].distance_m > 1000
    assert t.duration_s[T][1, 1] == 0


def test_matrix_data_and_the_cache(town_graph):
    """build() gives the truck's metres and each type's seconds; a second call is cached."""
    from luckygas.optimize.problem import Depot, Location, Order

    depot = Depot(0, "d", Location(*at("W0")), 0, 86_400)
    orders = [
        Order(id=i, customer_id=i, customer_name="x", location=Location(*at(n)), demand={20: 1})
        for i, n in enumerate(["E0", "G1"], start=1)
    ]
    rm = RoadMatrix(town_graph)
    md = rm.build(depot, orders)
    assert md.distance_m[0, 1] == pytest.approx(2 * 10 * NS + 4 * EW, abs=1)
    assert md.duration_s[M][0, 1] < md.duration_s[T][0, 1]
    started = time.perf_counter()
    again = rm.build(depot, orders)
    assert time.perf_counter() - started < 0.05
    assert again.distance_m is md.distance_m
    assert rm.describe().startswith(f"RoadMatrix(graph={town_graph.version}, max_snap_m=500.0")


def test_build_adds_parking_time_in_downtown_as_the_great_circle_model_does(town_graph):
    """The town lies in downtown zone A: a truck arrival costs 180 s more, a motorcycle's 0."""
    from luckygas.optimize.problem import Depot, Location, Order

    depot = Depot(0, "d", Location(*at("W0")), 0, 86_400)
    order = Order(id=1, customer_id=1, customer_name="x", location=Location(*at("E0")),
                  demand={20: 1})  # fmt: skip
    bare = RoadMatrix(town_graph, parking_s={t: 0 for t in VehicleType}).build(depot, [order])
    md = RoadMatrix(town_graph).build(depot, [order])
    assert md.duration_s[T][0, 1] == bare.duration_s[T][0, 1] + 180
    assert md.duration_s[T][1, 0] == bare.duration_s[T][1, 0]  # into the depot: no parking
    assert md.duration_s[M][0, 1] == bare.duration_s[M][0, 1]


def test_leg_geometry_follows_the_roads(town_graph):
    """W0 to E0 by truck: up the west bank, over the bridge, down the east bank."""
    line = RoadMatrix(town_graph).leg_geometry(at("W0"), at("E0"), T)
    assert line[0] == pytest.approx(at("W0"))
    assert line[-1] == pytest.approx(at("E0"))
    assert at("W2") in [tuple(round(x, 7) for x in p) for p in line]
    moto = RoadMatrix(town_graph).leg_geometry(at("W0"), at("E0"), M)
    assert at("W2") not in [tuple(round(x, 7) for x in p) for p in moto]
    assert RoadMatrix(town_graph).leg_geometry(at("W0"), at("I0"), T) == []


def test_a_new_graph_version_evicts_the_old_graphs_indices(town_graph):
    """After a re-import the old graph's indices and contractions are dropped."""
    from luckygas.optimize import roadmatrix as rmod

    RoadMatrix(town_graph).tables([at("W0"), at("E0")])
    assert {k[0] for k in rmod._CHAINS} == {town_graph.version}
    other = RoadGraph.from_bytes(town_graph.to_bytes())
    object.__setattr__(other, "version", "another")
    RoadMatrix(other).tables([at("W0"), at("E0")])
    assert {k[0] for k in (*rmod._INDEX, *rmod._BASE, *rmod._CHAINS)} == {"another"}
