"""The way profile: who may drive a way, which way, how fast."""

from __future__ import annotations

import pytest

from luckygas.domain import VehicleType
from luckygas.roads.profile import way_rule

M, C, T = VehicleType.MOTORCYCLE, VehicleType.CAR, VehicleType.LIGHT_TRUCK


def test_trucks_are_slower_than_cars_on_town_streets():
    rule = way_rule({"highway": "residential"})
    assert rule.forward[T] < rule.forward[C]
    assert rule.forward == rule.backward


def test_motorways_are_closed_to_motorcycles():
    rule = way_rule({"highway": "motorway"})
    assert rule.forward[M] == 0 and rule.forward[C] > 0
    assert rule.backward[C] == 0  # motorways are one-way by convention


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "path", "motorcycle": "yes"},
        {"highway": "footway", "moped": "designated"},
        {"highway": "service", "access": "no", "motorcycle": "yes"},
    ],
)
def test_motorcycle_only_lanes(tags):
    rule = way_rule(tags)
    assert rule.forward[M] > 0 and rule.forward[C] == 0 and rule.forward[T] == 0


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "path"},
        {"highway": "construction"},
        {"building": "yes"},
        {"highway": "residential", "access": "private"},
        {"highway": "pedestrian", "area": "yes", "motorcycle": "yes"},
    ],
)
def test_ways_nobody_drives(tags):
    assert way_rule(tags) is None


def test_oneway_directions_and_the_motorcycle_exception():
    fwd = way_rule({"highway": "tertiary", "oneway": "yes"})
    assert fwd.forward[C] > 0 and fwd.backward[C] == 0 and fwd.backward[M] == 0
    rev = way_rule({"highway": "tertiary", "oneway": "-1"})
    assert rev.forward[C] == 0 and rev.backward[C] > 0
    both = way_rule({"highway": "tertiary", "oneway": "yes", "oneway:motorcycle": "no"})
    assert both.backward[M] > 0 and both.backward[T] == 0
    ring = way_rule({"highway": "primary", "junction": "roundabout"})
    assert ring.backward[C] == 0


def test_access_tags_and_maxspeed():
    rule = way_rule({"highway": "primary", "hgv": "no", "maxspeed": "30"})
    assert rule.forward[T] == 0 and rule.forward[C] == 30 and rule.forward[M] == 30
    assert way_rule({"highway": "track"}).forward[C] == 0
    assert way_rule({"highway": "track", "motor_vehicle": "yes"}).forward[C] > 0
    assert way_rule({"highway": "trunk", "maxspeed": "signals"}).forward[C] == 70
