"""Fixtures of the road tests: the town file and its graph."""

from __future__ import annotations

import pytest

from luckygas.optimize import roadmatrix
from luckygas.roads.osm import read_extract
from tests.roads.town import write_town

AREA = (22.70, 121.10, 22.80, 121.20)


@pytest.fixture(autouse=True)
def _fresh_road_caches():
    """Each test computes its own matrices (the cache is tested explicitly)."""
    roadmatrix.clear_cache()
    yield
    roadmatrix.clear_cache()


@pytest.fixture
def town_file(tmp_path):
    """The town of :mod:`tests.roads.town` as OSM XML."""
    return write_town(tmp_path)


@pytest.fixture
def town_graph(town_file):
    """The town's road graph."""
    return read_extract(town_file, AREA)
