"""The map of a planned day: one switchable layer per route, trips drawn depot to depot.

A day's few rural routes run 50 km out while most stops are in town, so a view that fits
everything shows the town as a blob. The map therefore carries an inset: with
``focus="all"`` the main view fits every stop and the inset zooms into the densest
cluster (the town); with ``focus="city"`` the main view is the town and the inset shows
the whole day. Both views are computed in Python (see :mod:`luckygas.maps.view`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import ipyleaflet as L
import ipywidgets as W
import pandas as pd

from luckygas.maps.controls import (
    depot_latlng,
    depot_marker,
    has_point,
    legend_control,
    new_map,
    number_icon,
    symbol_icon,
)
from luckygas.maps.popups import stop_popup_html, unserved_popup_html
from luckygas.maps.style import DEPOT_COLOUR, UNSERVED_COLOUR, route_colours
from luckygas.maps.view import MapView, city_view, fit_view

if TYPE_CHECKING:
    from luckygas.optimize.problem import Depot
    from luckygas.optimize.result import PlanResult

LatLng = tuple[float, float]
Focus = Literal["all", "city"]

#: Size of the inset map in pixels.
INSET_PX: tuple[int, int] = (300, 240)
#: The inset is added only when the two views differ by at least this many zoom levels.
INSET_MIN_ZOOM_GAP = 2
#: Dash pattern of every second trip, so consecutive trips of one vehicle can be told apart.
TRIP_DASH = "8 6"


def route_label(route_no: int, vehicle_name: str, n_stops: int, n_trips: int = 1) -> str:
    """``"Route 3 · TRUCK-1 (18 stops, 2 trips)"``, HTML-escaped (Leaflet shows it as HTML)."""
    unit = "stop" if n_stops == 1 else "stops"
    trips = f", {n_trips} trips" if n_trips > 1 else ""
    return f"Route {route_no} · {html.escape(str(vehicle_name))} ({n_stops} {unit}{trips})"


def plan_map(
    result: PlanResult,
    *,
    depot: Depot | tuple[float, float] | None = None,
    customers: pd.DataFrame | None = None,
    basemap: Any = None,
    width_px: int = 900,
    height_px: int = 560,
    focus: Focus = "all",
    inset: bool = True,
) -> L.Map:
    """An interactive map of one planned day.

    Parameters
    ----------
    result
        The plan (its ``routes``, ``stops`` and ``unassigned`` frames; stops may carry a
        ``trip`` number when vehicles reload at the depot).
    depot
        The depot (an optimizer ``Depot`` or ``(lat, lng)``); each trip is drawn
        depot → stops → depot when given.
    customers
        Optional customer table with ``id`` (or ``customer_id``) and any of ``code``,
        ``phone``, ``zone_code``, shown in the stop popups.
    basemap
        An ipyleaflet basemap/TileLayer (default OpenStreetMap; tiles need the network).
    width_px, height_px
        The on-screen size the initial view is fitted to.
    focus
        ``"all"``: the view fits every stop, unserved order and the depot; ``"city"``:
        the view fits the densest cluster of stops (the town).
    inset
        Add a small second map (bottom right) with the other view, when the two differ
        by at least :data:`INSET_MIN_ZOOM_GAP` zoom levels.

    Returns
    -------
    ipyleaflet.Map
        Layers: one ``LayerGroup`` per route named like ``"Route 3 · TRUCK-1 (18 stops)"``
        (a polyline per trip plus numbered markers), ``"Unserved (n)"`` and ``"Depot"``;
        a collapsed layers control (top right), a legend in route order (bottom left)
        and possibly the inset.
    """
    if focus not in ("all", "city"):
        raise ValueError(f"plan_map: focus must be 'all' or 'city', got {focus!r}")
    depot_pt = depot_latlng(depot)
    stops, routes, un = result.stops, result.routes, result.unassigned
    extras = _customer_extras(customers)

    stop_pts = list(zip(stops["lat"], stops["lng"], strict=True))
    every = [*stop_pts, *zip(un["lat"], un["lng"], strict=True), *([depot_pt] if depot_pt else [])]
    whole = fit_view(every, width_px=width_px, height_px=height_px)
    core = stop_pts or every  # the town is where the stops are
    town, share = city_view(core, width_px=width_px, height_px=height_px)
    main = town if focus == "city" else whole
    m = new_map(main, basemap, height_px)

    colours = route_colours(list(routes["vehicle_id"]))
    legend: dict[str, str] = {}
    paths: list[tuple[list[LatLng], str]] = []
    for route_no, route in enumerate(routes.to_dict("records"), start=1):
        vid = int(route["vehicle_id"])
        rstops = stops[stops["vehicle_id"] == vid].sort_values("sequence")
        trips = trip_paths(rstops, depot_pt)
        group = _route_layer(rstops, trips, colours[vid], extras)
        group.name = route_label(route_no, route["vehicle_name"], len(rstops), len(trips))
        m.add(group)
        paths += [(p, colours[vid]) for p in trips]
        driver = route.get("driver_name") or ""
        legend[f"{route_no} · {route['vehicle_name']}" + (f" ({driver})" if driver else "")] = (
            colours[vid]
        )

    if len(un):
        m.add(_unserved_layer(un))
        legend[f"Not planned ({len(un)})"] = UNSERVED_COLOUR
    if depot_pt:
        m.add(L.LayerGroup(layers=[depot_marker(depot or depot_pt)], name="Depot"))
        legend["Depot"] = DEPOT_COLOUR
    # Collapsed: a dozen routes listed open would cover the legend and the map's corner.
    m.add(L.LayersControl(position="topright", collapsed=True))
    if legend:
        m.add(legend_control(legend, title="Routes"))
    if inset and town.zoom - whole.zoom >= INSET_MIN_ZOOM_GAP:
        w, h = INSET_PX
        if focus == "city":
            other, title = fit_view(every, width_px=w, height_px=h, padding_px=10), "Whole day"
        else:
            other = city_view(core, width_px=w, height_px=h)[0]
            title = f"Town: {share:.0%} of stops"
        m.add(_inset_control(other, paths, depot_pt, title, basemap))
    return m


def trip_paths(rstops: pd.DataFrame, depot_pt: LatLng | None) -> list[list[LatLng]]:
    """One path per trip of a route: depot → the trip's stops in order → depot.

    Parameters
    ----------
    rstops
        The route's stops sorted by ``sequence``; without a ``trip`` column the route
        is one trip.
    depot_pt
        The depot, or ``None`` to draw the stops only.

    Returns
    -------
    list[list[tuple[float, float]]]
        Paths with at least two points (stops without coordinates are skipped).
    """
    located = rstops[[has_point(a, b) for a, b in zip(rstops["lat"], rstops["lng"], strict=True)]]
    trip = located["trip"] if "trip" in located.columns else pd.Series(1, index=located.index)
    out = []
    for _, sub in located.groupby(trip, sort=True):
        path = [(float(a), float(b)) for a, b in zip(sub["lat"], sub["lng"], strict=True)]
        if depot_pt:
            path = [depot_pt, *path, depot_pt]
        if len(path) >= 2:
            out.append(path)
    return out


def _customer_extras(customers: pd.DataFrame | None) -> dict[int, dict[str, Any]]:
    if customers is None or customers.empty:
        return {}
    key = "customer_id" if "customer_id" in customers.columns else "id"
    cols = [c for c in ("code", "phone", "zone_code") if c in customers.columns]
    return {int(r[key]): {c: r[c] for c in cols} for r in customers.to_dict("records")}


def _polyline(path: Sequence[LatLng], colour: str, trip_index: int, weight: int) -> L.Polyline:
    return L.Polyline(
        locations=list(path),
        color=colour,
        weight=weight,
        opacity=0.8,
        fill=False,
        dash_array=TRIP_DASH if trip_index % 2 else None,
    )


def _route_layer(
    rstops: pd.DataFrame,
    trips: Sequence[Sequence[LatLng]],
    colour: str,
    extras: Mapping[int, Mapping[str, Any]],
) -> L.LayerGroup:
    layers: list[L.Layer] = [_polyline(p, colour, i, 4) for i, p in enumerate(trips)]
    if "trip" in rstops.columns:  # position within the trip, for "trip 2, stop 5"
        rstops = rstops.assign(trip_stop=rstops.groupby("trip").cumcount() + 1)
    records = [r for r in rstops.to_dict("records") if has_point(r["lat"], r["lng"])]
    for r in records:
        layers.append(
            L.Marker(
                location=(float(r["lat"]), float(r["lng"])),
                icon=number_icon(int(r["sequence"]), colour),
                draggable=False,
                title=f"{int(r['sequence'])}. {r['customer_name']}",
                popup=W.HTML(stop_popup_html(r, extras.get(int(r["customer_id"])))),
            )
        )
    return L.LayerGroup(layers=layers)


def _unserved_layer(un: pd.DataFrame) -> L.LayerGroup:
    layers: list[L.Layer] = []
    for r in un.to_dict("records"):
        if has_point(r["lat"], r["lng"]):
            layers.append(
                L.Marker(
                    location=(float(r["lat"]), float(r["lng"])),
                    icon=symbol_icon("✕", UNSERVED_COLOUR),
                    draggable=False,
                    title=f"Not planned: {r['customer_name']}",
                    popup=W.HTML(unserved_popup_html(r)),
                )
            )
    missing = len(un) - len(layers)
    name = f"Unserved ({len(un)}" + (f", {missing} without coordinates)" if missing else ")")
    return L.LayerGroup(layers=layers, name=name)


def _dots(pts: Sequence[LatLng], colour: str) -> L.GeoJSON:
    features = [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
        }
        for lat, lng in pts
    ]
    return L.GeoJSON(
        data={"type": "FeatureCollection", "features": features},
        point_style={
            "radius": 3,
            "color": "white",
            "weight": 1,
            "fillColor": colour,
            "fillOpacity": 1.0,
        },
    )


def _inset_control(
    view: MapView,
    paths: Sequence[tuple[Sequence[LatLng], str]],
    depot_pt: LatLng | None,
    title: str,
    basemap: Any,
) -> L.WidgetControl:
    """A small map of the trips' lines (no markers: it is for orientation) with a title."""
    w, h = INSET_PX
    inset = new_map(view, basemap, h, width=f"{w}px", minimal=True)
    for path, colour in paths:
        inset.add(_polyline(path, colour, 0, 2))
    by_colour: dict[str, list[LatLng]] = {}
    for path, colour in paths:  # the stops as dots: one GeoJSON per colour keeps it light
        by_colour.setdefault(colour, []).extend(path[1:-1] if depot_pt else path)
    for colour, pts in by_colour.items():
        inset.add(_dots(pts, colour))
    if depot_pt:
        inset.add(depot_marker(depot_pt, popup=False))
    label = W.HTML(
        "<div style='font:bold 12px sans-serif;padding:2px 4px;background:white'>"
        f"{html.escape(title)}</div>"
    )
    box = W.VBox([label, inset], layout=W.Layout(border="1px solid #888"))
    return L.WidgetControl(widget=box, position="bottomright")
