"""Reload trips, route start times and picklable problems; every solve passes check_plan."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from luckygas.optimize import PlanResult, check_plan
from luckygas.optimize.result import RELOAD_COLUMNS
from tests.optimize.helpers import H, order, problem, route_of, solve_checked, vehicle

TWO = {50: 0, 20: 2, 16: 0, 10: 0, 4: 0}


def test_reloads_let_a_small_vehicle_serve_everything() -> None:
    """A vehicle carrying 2 cylinders serves 5 one-cylinder orders in 3 trips (2 reloads)."""
    p = problem(
        [order(i) for i in range(1, 6)], [vehicle(1, capacity=TWO, max_trips=3, reload_s=900)]
    )
    res = solve_checked(p)
    assert res.kpis["served"] == 5
    assert int(res.routes["trips"].iloc[0]) == 3
    assert res.stops.groupby("trip")["qty_20kg"].sum().max() <= 2
    assert list(res.reloads["trip"]) == [2, 3]
    assert ((res.reloads["departure_s"] - res.reloads["arrival_s"]) >= 900).all()
    # load_after resets at a reload: the last stop of each trip leaves the vehicle empty.
    last = res.stops.sort_values("sequence").groupby("trip").tail(1)
    assert (last["load_after_20kg"] == 0).all()
    assert int(res.routes["load_20kg"].iloc[0]) == 2  # the largest single-trip load


def test_reload_time_is_counted_in_the_schedule() -> None:
    """The first stop of trip 2 starts no earlier than reload departure plus the drive out."""
    p = problem(
        [order(i) for i in range(1, 5)], [vehicle(1, capacity=TWO, max_trips=2, reload_s=1200)]
    )
    res = solve_checked(p)
    reload = res.reloads.iloc[0]
    first2 = res.stops[res.stops["trip"] == 2].sort_values("sequence").iloc[0]
    assert int(reload["departure_s"]) - int(reload["arrival_s"]) >= 1200
    assert int(first2["arrival_s"]) == int(reload["departure_s"]) + int(
        first2["travel_from_prev_s"]
    )


def test_without_trips_capacity_limits_the_day() -> None:
    """With max_trips=1 the same vehicle serves only 2 of the 5 orders."""
    p = problem([order(i) for i in range(1, 6)], [vehicle(1, capacity=TWO)])
    res = solve_checked(p)
    assert res.kpis["served"] == 2 and len(res.reloads) == 0


def test_checker_rejects_an_overloaded_trip() -> None:
    """Merging the trips of a valid plan into one makes check_plan report the capacity breach."""
    p = problem([order(i) for i in range(1, 6)], [vehicle(1, capacity=TWO, max_trips=3)])
    res = solve_checked(p)
    bad = dataclasses.replace(res, stops=res.stops.assign(trip=1), reloads=res.reloads.iloc[0:0])
    codes = {v.code for v in check_plan(p, bad)}
    assert "CAPACITY_SIZE" in codes


def test_checker_rejects_a_short_reload() -> None:
    """A reload shorter than reload_s is a violation."""
    p = problem(
        [order(i) for i in range(1, 6)], [vehicle(1, capacity=TWO, max_trips=3, reload_s=900)]
    )
    res = solve_checked(p)
    short = res.reloads.copy()
    short.loc[short.index[0], "departure_s"] = short["arrival_s"].iloc[0] + 60
    assert "RELOAD_TIME" in {v.code for v in check_plan(p, dataclasses.replace(res, reloads=short))}


def test_max_trips_is_validated() -> None:
    """max_trips 0 and a negative reload time are rejected with the field named."""
    with pytest.raises(ValueError, match="max_trips"):
        vehicle(1, max_trips=0)
    with pytest.raises(ValueError, match="reload_s"):
        vehicle(1, reload_s=-1)


def test_route_with_a_wide_window_starts_at_shift_start() -> None:
    """A one-stop day with window 08:00-20:00 leaves at the 08:00 shift start, not late."""
    res = solve_checked(problem([order(3, windows=((8 * H, 20 * H),))], [vehicle(1)]))
    assert int(res.routes["start_s"].iloc[0]) == 8 * H
    assert int(res.stops["wait_s"].iloc[0]) == 0


def test_route_leaves_just_in_time_for_a_late_first_window() -> None:
    """A first customer open from 10:00 (3 min away) means leaving at 09:57, with no waiting."""
    res = solve_checked(problem([order(3, windows=((10 * H, 12 * H),))], [vehicle(1)]))
    assert int(res.routes["start_s"].iloc[0]) == 10 * H - 180
    assert int(res.stops["start_s"].iloc[0]) == 10 * H and int(res.stops["wait_s"].iloc[0]) == 0


def test_problems_and_results_pickle() -> None:
    """A problem and its result survive pickling (scenario workers), and counts stay read-only."""
    p = problem([order(i) for i in range(1, 4)], [vehicle(1, capacity=TWO, max_trips=2)])
    q = pickle.loads(pickle.dumps(p))
    assert q.orders == p.orders and q.vehicles == p.vehicles and q.fingerprint() == p.fingerprint()
    with pytest.raises(TypeError):
        q.orders[0].demand[20] = 5  # type: ignore[index]
    res = solve_checked(q)
    again = pickle.loads(pickle.dumps(res))
    assert check_plan(p, again) == []


def test_result_dict_round_trip_and_old_dicts() -> None:
    """to_dict/from_dict keep reloads; a dict saved before trips existed loads as one trip."""
    p = problem([order(i) for i in range(1, 6)], [vehicle(1, capacity=TWO, max_trips=3)])
    res = solve_checked(p)
    back = PlanResult.from_dict(res.to_dict())
    assert back.reloads.equals(res.reloads) and check_plan(p, back) == []
    old = res.to_dict()
    del old["reloads"]
    for key, col in (("stops", "trip"), ("routes", "trips"), ("routes", "max_trip_kg")):
        i = old[key]["columns"].index(col)
        old[key]["columns"].pop(i)
        old[key]["dtypes"].pop(col)
        old[key]["rows"] = [r[:i] + r[i + 1 :] for r in old[key]["rows"]]
    legacy = PlanResult.from_dict(old)
    assert list(legacy.reloads.columns) == RELOAD_COLUMNS and (legacy.stops["trip"] == 1).all()


def test_reload_nodes_only_on_their_vehicle() -> None:
    """Two vehicles with trips never share reloads: each route's trips respect its own capacity."""
    vs = [vehicle(1, capacity=TWO, max_trips=2), vehicle(2, capacity={**TWO, 20: 3}, max_trips=2)]
    res = solve_checked(problem([order(i) for i in range(1, 11)], vs))
    assert res.kpis["served"] == 10
    for vid, cap in ((1, 2), (2, 3)):
        trips = res.stops[res.stops["vehicle_id"] == vid].groupby("trip")["qty_20kg"].sum()
        assert trips.max() <= cap
    assert sorted(route_of(res, 1) + route_of(res, 2)) == list(range(1, 11))
