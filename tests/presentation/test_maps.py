"""The map builders: layers, markers, colours, popups and the computed view."""

from __future__ import annotations

import ipyleaflet as L
import pandas as pd
import pytest

from luckygas import maps
from luckygas.optimize import PlanResult

from .conftest import XSS_NAME


def _route_groups(m: L.Map) -> list[L.LayerGroup]:
    return [layer for layer in m.layers if layer.name.startswith("Route ")]


def _legend_html(m: L.Map) -> str:
    (control,) = [c for c in m.controls if isinstance(c, L.WidgetControl)]
    return control.widget.value


def _markers(group: L.LayerGroup) -> list[L.Marker]:
    return [x for x in group.layers if isinstance(x, L.Marker)]


def test_one_layer_per_route_named_with_vehicle_and_stop_count(tiny_result, tiny_problem):
    """Each route is its own switchable layer, named so the analyst knows which truck it is."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    groups = _route_groups(m)
    assert len(groups) == len(tiny_result.routes) >= 1
    for no, (group, route) in enumerate(
        zip(groups, tiny_result.routes.itertuples(), strict=True), 1
    ):
        assert group.name == f"Route {no} · {route.vehicle_name} ({route.n_stops} stops)"
    assert any(isinstance(c, L.LayersControl) for c in m.controls)


def test_marker_count_and_numbers_match_the_stops(tiny_result, tiny_problem):
    """Every stop has one marker, numbered with its position in the route."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    markers = [mk for g in _route_groups(m) for mk in _markers(g)]
    assert len(markers) == len(tiny_result.stops)
    for group, vid in zip(_route_groups(m), tiny_result.routes["vehicle_id"], strict=True):
        seqs = tiny_result.stops.loc[tiny_result.stops["vehicle_id"] == vid, "sequence"]
        numbers = [int(mk.icon.html.split(">")[1].split("<")[0]) for mk in _markers(group)]
        assert numbers == sorted(seqs.tolist())


def test_polyline_runs_depot_stops_depot(tiny_result, tiny_problem):
    """The route line starts and ends at the depot and passes the stops in visiting order."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    depot = (tiny_problem.depot.location.lat, tiny_problem.depot.location.lng)
    group = _route_groups(m)[0]
    line = next(x for x in group.layers if isinstance(x, L.Polyline))
    vid = tiny_result.routes["vehicle_id"].iloc[0]
    stops = tiny_result.stops[tiny_result.stops["vehicle_id"] == vid].sort_values("sequence")
    expected = [depot, *zip(stops["lat"], stops["lng"], strict=True), depot]
    flat = [x for p in line.locations for x in p]
    assert flat == pytest.approx([x for p in expected for x in p])


def test_stop_icons_have_no_default_white_box(tiny_result, tiny_problem):
    """Numbered icons set their own CSS class, so Leaflet draws no white square behind them."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    icon = _markers(_route_groups(m)[0])[0].icon
    assert icon.class_name == "lg-icon" and "class_name" in icon.options


def test_route_colours_are_distinct_and_stable_per_vehicle():
    """Routes never share a colour, and a vehicle keeps its colour from one plan to the next."""
    colours = maps.route_colours([1, 2, 3, 17, 33])
    assert len(set(colours.values())) == 5
    assert maps.route_colours([3])[3] == colours[3]
    assert maps.UNSERVED_COLOUR not in colours.values()


def test_polyline_and_markers_share_the_route_colour(tiny_result, tiny_problem):
    """A route's line and its numbered markers are drawn in the same colour, different per route."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    seen = []
    for group in _route_groups(m):
        line = next(x for x in group.layers if isinstance(x, L.Polyline))
        assert all(line.color in mk.icon.html for mk in _markers(group))
        seen.append(line.color)
    assert len(set(seen)) == len(seen)


def test_unserved_layer_lists_reasons(tiny_result, tiny_problem):
    """Orders left out are on their own layer with the reason in the popup."""
    assert len(tiny_result.unassigned) >= 1  # the order without coordinates
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    layer = next(x for x in m.layers if x.name.startswith("Unserved"))
    n_located = int(tiny_result.unassigned["lat"].notna().sum())
    assert len(layer.layers) == n_located
    assert "without coordinates" in layer.name
    html = maps.unserved_popup_html(tiny_result.unassigned.iloc[0].to_dict())
    assert "geocode" in html  # the NO_COORDINATES reason text


def test_script_customer_name_is_escaped_in_popup(tiny_result, tiny_problem):
    """A customer called <script>alert(1)</script> shows as text, never as markup."""
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot)
    popups = [mk.popup.value for g in _route_groups(m) for mk in _markers(g)]
    popups += [mk.popup.value for x in m.layers if x.name.startswith("Unserved") for mk in x.layers]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in popups)
    assert not any(XSS_NAME in p for p in popups)
    assert not any("<i>x</i>" in p for p in popups)


def test_popup_shows_arrival_window_cylinders_and_empties(tiny_result, tiny_customers):
    """The stop popup has the facts a driver needs: arrival, window, cylinders, empties, phone."""
    stop = tiny_result.stops.iloc[0].to_dict()
    extra = tiny_customers.set_index("id").loc[stop["customer_id"]].to_dict()
    html = maps.stop_popup_html(stop, extra)
    assert maps.hhmm(stop["arrival_s"]) in html
    assert f"{maps.hhmm(stop['window_start_s'])}–{maps.hhmm(stop['window_end_s'])}" in html
    assert f"{stop['qty_20kg']}×20kg" in html
    assert "Empties" in html and "089-123456" in html


def test_view_contains_every_point(tiny_result, tiny_problem):
    """The computed centre and zoom put every stop and the depot inside the map's pixels."""
    width, height = 700, 450
    m = maps.plan_map(tiny_result, depot=tiny_problem.depot, width_px=width, height_px=height)
    view = maps.MapView(tuple(m.center), int(m.zoom))
    pts = [*zip(tiny_result.stops["lat"], tiny_result.stops["lng"], strict=True)]
    pts.append((tiny_problem.depot.location.lat, tiny_problem.depot.location.lng))
    for lat, lng in pts:
        dx, dy = maps.pixel_offset(view, lat, lng)
        assert abs(dx) <= width / 2 and abs(dy) <= height / 2
    # ...and the next zoom level would not fit them (the view is as close as possible).
    closer = maps.MapView(view.center, view.zoom + 1)
    offsets = [maps.pixel_offset(closer, a, b) for a, b in pts]
    assert any(abs(dx) > width / 2 - 30 or abs(dy) > height / 2 - 30 for dx, dy in offsets)


def test_view_values_are_plain_python_numbers():
    """Centre and zoom are plain floats/ints, so the widget repr stays stable under nbval."""
    view = maps.fit_view([(22.7, 121.1), (22.8, 121.2)])
    assert type(view.center[0]) is float and type(view.zoom) is int
    assert maps.fit_view([(22.7, 121.1)], max_zoom=15).zoom == 15
    assert maps.fit_view([]).zoom == 12


def test_legend_entries_are_escaped_and_coloured(tiny_result, tiny_problem):
    """The legend names every route with its colour, escaped because Leaflet inserts it as HTML."""
    routes = tiny_result.routes.copy()
    routes.loc[0, "vehicle_name"] = "<b>T</b>"
    result = PlanResult(
        routes, tiny_result.stops, tiny_result.unassigned, tiny_result.kpis, tiny_result.run
    )
    m = maps.plan_map(result, depot=tiny_problem.depot)
    legend = _legend_html(m)
    assert "&lt;b&gt;T&lt;/b&gt;" in legend and "<b>T</b>" not in legend
    for colour in maps.route_colours(list(routes["vehicle_id"])).values():
        assert f"background:{colour}" in legend
    assert "&lt;b&gt;T&lt;/b&gt;" in _route_groups(m)[0].name


def test_empty_plan_still_makes_a_map():
    """A day with nothing planned gives a map (no crash), centred on the default depot."""
    from luckygas.optimize.result import ROUTE_COLUMNS, STOP_COLUMNS, UNASSIGNED_COLUMNS

    empty = PlanResult(
        pd.DataFrame(columns=ROUTE_COLUMNS),
        pd.DataFrame(columns=STOP_COLUMNS),
        pd.DataFrame(columns=UNASSIGNED_COLUMNS),
        {},
        None,
    )
    m = maps.plan_map(empty)
    assert _route_groups(m) == []


def test_customers_map_one_layer_per_zone_with_legend():
    """Customers are grouped into one layer per zone; ones without coordinates are counted."""
    df = pd.DataFrame(
        {
            "name": ["a", "b", "c", XSS_NAME],
            "code": ["1", "2", "3", "4"],
            "zone_code": ["A", "A", "B", None],
            "lat": [22.75, 22.76, 22.77, None],
            "lng": [121.14, 121.15, 121.13, None],
            "address": ["", "", "", ""],
        }
    )
    m = maps.customers_map(df)
    zones = [x for x in m.layers if isinstance(x, L.GeoJSON)]
    assert [len(z.data["features"]) for z in zones] == [2, 1]
    assert zones[0].point_style["fillColor"] != zones[1].point_style["fillColor"]
    assert "1 without coordinates" in _legend_html(m)


def test_orders_map_styles_by_priority():
    """Emergency and urgent orders get their own, larger, warmer markers."""
    df = pd.DataFrame(
        {
            "order_id": [1, 2, 3],
            "name": ["a", "b", XSS_NAME],
            "priority": ["normal", "urgent", "emergency"],
            "lat": [22.75, 22.76, 22.77],
            "lng": [121.14, 121.15, 121.13],
            "qty_20kg": [1, 2, 1],
        }
    )
    m = maps.orders_map(df)
    layers = {x.name: x for x in m.layers if isinstance(x, L.LayerGroup)}
    assert set(layers) == {"Normal (1)", "Urgent (1)", "Emergency (1)"}
    radii = [layers[n].layers[0].radius for n in ("Normal (1)", "Urgent (1)", "Emergency (1)")]
    assert radii == sorted(radii) and len(set(radii)) == 3
    assert "&lt;script&gt;" in layers["Emergency (1)"].layers[0].popup.value
