"""Multi-trip routes, the town view and its inset, and the legend order on the plan map."""

from __future__ import annotations

import re

import ipyleaflet as L
import pandas as pd
import pytest

from luckygas import maps
from luckygas.optimize import PlanResult

DEPOT = (22.7553, 121.1504)


def _groups(m: L.Map) -> list[L.LayerGroup]:
    return [x for x in m.layers if x.name.startswith("Route ")]


def _lines(group: L.LayerGroup) -> list[L.Polyline]:
    return [x for x in group.layers if isinstance(x, L.Polyline)]


def _widget_controls(m: L.Map) -> list[L.WidgetControl]:
    return [c for c in m.controls if isinstance(c, L.WidgetControl)]


def _inset(m: L.Map) -> L.Map | None:
    for c in _widget_controls(m):
        inner = [w for w in getattr(c.widget, "children", ()) if isinstance(w, L.Map)]
        if inner:
            return inner[0]
    return None


def _synthetic(points_by_route: list[list[tuple[float, float, int]]]) -> PlanResult:
    """A plan with one route per list of ``(lat, lng, trip)`` stops (no solver needed)."""
    routes = pd.DataFrame(
        {
            "vehicle_id": range(1, len(points_by_route) + 1),
            "vehicle_name": [f"V{i}" for i in range(1, len(points_by_route) + 1)],
            "driver_name": "",
        }
    )
    rows = [
        {
            "vehicle_id": vid,
            "sequence": seq,
            "trip": trip,
            "lat": lat,
            "lng": lng,
            "customer_id": 100 * vid + seq,
            "customer_name": f"C{vid}-{seq}",
        }
        for vid, pts in enumerate(points_by_route, start=1)
        for seq, (lat, lng, trip) in enumerate(pts, start=1)
    ]
    un = pd.DataFrame(columns=["order_id", "customer_name", "lat", "lng", "reason"])
    return PlanResult(routes, pd.DataFrame(rows), un, {}, None)


def _town(n: int, trip: int = 1) -> list[tuple[float, float, int]]:
    return [(22.75 + 0.001 * (i % 7), 121.14 + 0.001 * (i // 7), trip) for i in range(n)]


def test_each_trip_is_its_own_line_from_depot_to_depot():
    """A vehicle that reloads shows one line per trip, each leaving and returning to the depot."""
    stops = [*_town(3, trip=1), *_town(2, trip=2)]
    m = maps.plan_map(_synthetic([stops]), depot=DEPOT)
    lines = _lines(_groups(m)[0])
    assert [len(line.locations) for line in lines] == [5, 4]
    for line in lines:
        assert tuple(line.locations[0]) == DEPOT and tuple(line.locations[-1]) == DEPOT
    assert [tuple(p) for p in lines[1].locations[1:-1]] == [(a, b) for a, b, _ in stops[3:]]
    assert lines[0].dash_array is None and lines[1].dash_array  # trips can be told apart
    assert "2 trips" in _groups(m)[0].name


def test_popup_says_which_trip_and_which_stop_of_it():
    """The first stop after a reload reads 'trip 2, stop 1' although it is the route's 4th."""
    stops = [*_town(3, trip=1), *_town(2, trip=2)]
    m = maps.plan_map(_synthetic([stops]), depot=DEPOT)
    markers = [x for x in _groups(m)[0].layers if isinstance(x, L.Marker)]
    assert "trip 2, stop 1" in markers[3].popup.value
    assert "trip 1, stop 3" in markers[2].popup.value


def test_legend_lists_twelve_routes_in_numeric_order():
    """With 12 routes the legend reads 1, 2, ..., 10, 11, 12 (not 1, 10, 11, 2, ...)."""
    m = maps.plan_map(_synthetic([_town(2) for _ in range(12)]), depot=DEPOT)
    legend = _widget_controls(m)[0].widget.value
    positions = [legend.index(f">{i} · V{i}<") for i in range(1, 13)]
    assert positions == sorted(positions)


def test_layers_control_is_collapsed_so_it_cannot_cover_the_legend():
    """A dozen routes listed open would cover the map; the layers control starts collapsed."""
    m = maps.plan_map(_synthetic([_town(2) for _ in range(12)]), depot=DEPOT)
    (control,) = [c for c in m.controls if isinstance(c, L.LayersControl)]
    assert control.collapsed and control.position == "topright"
    assert {c.position for c in _widget_controls(m)} <= {"bottomleft", "bottomright"}


def test_city_focus_zooms_on_the_town_and_the_inset_shows_the_whole_day():
    """Rural stops 50 km out no longer shrink the town: focus='city' frames the town's stops."""
    rural = [(22.30, 121.00, 1), (23.20, 121.35, 1)]
    result = _synthetic([_town(30), rural])
    whole = maps.plan_map(result, depot=DEPOT)
    city = maps.plan_map(result, depot=DEPOT, focus="city")
    assert city.zoom >= whole.zoom + 3
    view = maps.MapView(tuple(city.center), int(city.zoom))
    for lat, lng, _ in _town(30):
        dx, dy = maps.pixel_offset(view, lat, lng)
        assert abs(dx) <= 450 and abs(dy) <= 280
    inset = _inset(city)
    assert inset is not None and inset.zoom < city.zoom
    assert "Whole day" in str(_widget_controls(city)[-1].widget.children[0].value)
    town_inset = _inset(whole)
    assert town_inset is not None and town_inset.zoom > whole.zoom


def test_no_inset_when_every_stop_is_in_town(tiny_result, tiny_problem):
    """A compact day gets no inset: the main view already shows everything close up."""
    assert _inset(maps.plan_map(tiny_result, depot=tiny_problem.depot)) is None


def test_densest_cluster_is_the_town_not_the_outliers():
    """The cluster holds the town's stops and none of the far ones."""
    town = [(a, b) for a, b, _ in _town(20)]
    cluster = maps.densest_cluster([*town, (22.30, 121.00), (23.20, 121.35)])
    assert sorted(cluster) == sorted(town)
    assert maps.densest_cluster([]) == []


def test_unknown_focus_is_refused(tiny_result):
    """A typo in focus= is a clear error rather than a silently different map."""
    with pytest.raises(ValueError, match="focus must be 'all' or 'city'"):
        maps.plan_map(tiny_result, focus="town")  # type: ignore[arg-type]


def test_real_plan_popups_carry_the_trip(tiny_result, tiny_problem):
    """Solver results have a trip per stop, and every stop popup names it."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    popups = [x.popup.value for g in _groups(m) for x in g.layers if isinstance(x, L.Marker)]
    assert popups and all(re.search(r"trip \d+, stop \d+", p) for p in popups)


def test_stop_popups_name_their_vehicle_and_trip():
    """A stop's popup says which route and vehicle (and driver) it is on, and which trip."""
    stops = [*_town(3, trip=1), *_town(2, trip=2)]
    m = maps.plan_map(_synthetic([stops]), depot=DEPOT)
    popups = [x.popup.value for x in _groups(m)[0].layers if isinstance(x, L.Marker)]
    assert all("Route 1 · V1" in p for p in popups)
    assert "trip 2, stop 1" in popups[3]


def _markers(group: L.LayerGroup) -> list[L.Marker]:
    return [x for x in group.layers if isinstance(x, L.Marker)]


def test_live_map_updates_routes_in_place():
    """A re-plan moves the markers the map has: no layer or marker is built anew.

    Every widget the browser has to create costs it time; a re-plan that changes a route
    must change the markers already on screen, and a click on one must then open the
    popup of the stop it now shows.
    """
    first = _synthetic([_town(3), _town(4)])
    second = _synthetic([_town(3), list(reversed(_town(4)))[:2]])
    live = maps.LivePlanMap(focus="all")
    m = live.show(first, DEPOT)
    before = _groups(m)
    kept = _markers(before[1])
    assert live.show(second, DEPOT) is m
    after = _groups(m)
    assert [g is b for g, b in zip(after, before, strict=True)] == [True, True]
    assert "(2 stops)" in after[1].name
    assert _markers(after[1]) == kept[:2]  # the same marker widgets, moved
    shown = second.stops[second.stops["vehicle_id"] == 2].sort_values("sequence")
    assert [tuple(x.location) for x in _markers(after[1])] == list(
        zip(shown["lat"], shown["lng"], strict=True)
    )
    _markers(after[1])[0]._handle_mouse_events(None, {"type": "click"}, [])
    assert shown.iloc[0]["customer_name"] in live._popup_html.value


def test_live_map_names_a_vehicle_without_a_route():
    """A vehicle that loses its route keeps an empty, labelled layer (no stale markers)."""
    live = maps.LivePlanMap(focus="all")
    m = live.show(_synthetic([_town(3), _town(4)]), DEPOT)
    live.show(_synthetic([_town(3)]), DEPOT)
    empty = [g for g in m.layers if str(g.name).startswith("No route")]
    assert [g.name for g in empty] == ["No route · V2"] and not empty[0].layers


def test_live_map_widget_count_is_flat_over_replans():
    """Alternating two plans twenty times leaves the kernel's widget count where it was."""
    from ipywidgets.widgets import widget as widget_module

    plans = [_synthetic([_town(5), _town(4, trip=2)]), _synthetic([_town(3)])]
    live = maps.LivePlanMap(focus="all")
    live.show(plans[0], DEPOT)
    live.show(plans[1], DEPOT)
    count = len(widget_module._instances)
    for i in range(20):
        live.show(plans[i % 2], DEPOT)
    assert len(widget_module._instances) == count


def test_live_map_keeps_its_popup_across_replans():
    """The shared popup stays on the map after a re-plan, so a click still shows a stop."""
    live = maps.LivePlanMap(focus="all")
    m = live.show(_synthetic([_town(3), _town(4)]), DEPOT)
    live.show(_synthetic([_town(2)]), DEPOT)
    assert sum(isinstance(x, L.Popup) for x in m.layers) == 1
    assert sum(bool(getattr(x, "base", False)) for x in m.layers) == 1
