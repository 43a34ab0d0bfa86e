"""A location set that is mostly one computed before reuses it: only the new points are
searched (from and to), and the tables are the ones a computation from scratch gives."""

from __future__ import annotations

import pytest

from luckygas.domain import VehicleType
from luckygas.optimize import roadmatrix
from luckygas.optimize.roadmatrix import RoadMatrix
from tests.roads.town import at

# One-way streets, the bridge, the lane, two points on one segment, a point beside a road,
# the island and a point far from every road (unreachable both).
BASE = ["W0", "Wa", "W1", "W2", "E0", "E1", "E2", "G0", "G1", "I0", (6, 0), (5, 15)]
NEW = [(9, 0), (1, -0.3)]


@pytest.fixture
def sources(monkeypatch):
    """Counts the Dijkstra sources the road matrix searches from."""
    counted: list[int] = []
    real = roadmatrix.dijkstra

    def counting(graph, *args, indices, **kwargs):
        counted.append(len(indices))
        return real(graph, *args, indices=indices, **kwargs)

    monkeypatch.setattr(roadmatrix, "dijkstra", counting)
    return counted


def _from_scratch(graph, points):
    roadmatrix.clear_cache()
    return RoadMatrix(graph).tables(points)


def _assert_same(a, b):
    for t in VehicleType:
        assert a.snaps[t] == b.snaps[t]
        assert (a.distance_m[t] == b.distance_m[t]).all()
        assert (a.duration_s[t] == b.duration_s[t]).all()


def test_added_points_are_searched_alone(town_graph, sources):
    """Two new points: per vehicle type two searches from them and two towards them."""
    rm = RoadMatrix(town_graph)
    rm.tables([at(p) for p in BASE])
    sources.clear()
    points = [at(p) for p in [*BASE, *NEW]]
    reused = rm.tables(points)
    # Unreachable points are never searched; the two new ones are on the roads.
    assert sum(sources) == 2 * len(NEW) * len(VehicleType)
    _assert_same(reused, _from_scratch(town_graph, points))


def test_a_subset_in_another_order_searches_nothing(town_graph, sources):
    """Cancelled orders, another order and a repeated point: all read from the tables."""
    rm = RoadMatrix(town_graph)
    rm.tables([at(p) for p in BASE])
    sources.clear()
    points = [at(p) for p in [*BASE[:0:-1], "E1"] if p != "G0"]
    reused = rm.tables(points)
    assert sources == []
    _assert_same(reused, _from_scratch(town_graph, points))


def test_a_mostly_new_set_is_computed_from_scratch(town_graph, sources):
    """Reuse pays only while new points are fewer than half: two searches each."""
    rm = RoadMatrix(town_graph)
    rm.tables([at(p) for p in BASE[:2]])
    sources.clear()
    rm.tables([at(p) for p in [*BASE[:2], "E0", "E2"]])
    reachable = 4  # every point of these is on the roads
    assert sum(sources) == reachable * len(VehicleType)
