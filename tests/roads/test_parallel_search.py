"""A large batch of searches is split over forked processes; the tables stay the same.

The town is small, so the tests lower the threshold and the chunk size to make the road
matrix split its searches; they then compare every table with one computed in one process
(one-way streets, the bridge, the lane, the island and a point off the roads included).
"""

from __future__ import annotations

import pytest

from luckygas.domain import VehicleType
from luckygas.optimize import parallel, roadmatrix
from luckygas.optimize.roadmatrix import RoadMatrix
from tests.roads.town import at

POINTS = ["W0", "Wa", "W1", "W2", "E0", "E1", "E2", "G0", "G1", "I0", (6, 0), (5, 15), (9, 0)]


@pytest.fixture
def one_process(town_graph):
    """The town's tables computed without any child process."""
    return RoadMatrix(town_graph).tables([at(p) for p in POINTS])


@pytest.fixture
def split(monkeypatch):
    """Make every batch split three ways; record each child started (None: not started)."""
    roadmatrix.clear_cache()
    monkeypatch.setattr(roadmatrix, "PARALLEL_MIN_WORK", 0)
    monkeypatch.setattr(roadmatrix, "_CHUNK", 2)
    monkeypatch.setattr(parallel, "cpus", lambda: 3)
    started: list[parallel.Forked | None] = []
    real = parallel.start_forked

    def recording(task):
        child = real(task)
        started.append(child)
        return child

    monkeypatch.setattr(parallel, "start_forked", recording)
    return started


def _assert_same(a, b):
    for t in VehicleType:
        assert a.snaps[t] == b.snaps[t]
        assert (a.distance_m[t] == b.distance_m[t]).all(), t
        assert (a.duration_s[t] == b.duration_s[t]).all(), t


def test_split_searches_give_the_tables_of_one_process(town_graph, one_process, split):
    tables = RoadMatrix(town_graph).tables([at(p) for p in POINTS])
    # Every vehicle type's searches in one batch: two children (three shares), and each
    # one really ran (a fork, not a fallback).
    assert len(split) == 2
    assert all(child is not None for child in split)
    _assert_same(tables, one_process)


def test_a_child_that_fails_costs_only_its_rows(town_graph, one_process, split, monkeypatch):
    """A child that cannot start or sends nothing back: its rows are computed here."""
    outcomes = iter([None, "broken"])

    class Broken:
        def result(self, timeout_s):
            return None

    def flaky(task):
        split.append(None)
        return Broken() if next(outcomes) == "broken" else None

    monkeypatch.setattr(parallel, "start_forked", flaky)
    tables = RoadMatrix(town_graph).tables([at(p) for p in POINTS])
    assert len(split) == 2
    _assert_same(tables, one_process)


def test_a_few_searches_stay_in_one_process(town_graph, monkeypatch):
    """Below the threshold (a re-plan's few new points) nothing is forked."""
    monkeypatch.setattr(parallel, "start_forked", lambda task: pytest.fail("forked a small batch"))
    RoadMatrix(town_graph).tables([at(p) for p in POINTS])
