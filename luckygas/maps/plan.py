"""The map of a planned day: one switchable layer per route, trips drawn depot to depot.

A day's few rural routes run 50 km out while most stops are in town, so a view that fits
everything shows the town as a blob. The map therefore carries an inset: with
``focus="all"`` the main view fits every stop and the inset zooms into the densest
cluster (the town); with ``focus="city"`` the main view is the town and the inset shows
the whole day. Both views are computed in Python (see :mod:`luckygas.maps.view`).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ipyleaflet as L
import ipywidgets as W
import pandas as pd
from ipywidgets.widgets.widget_string import HTMLStyle

from luckygas.maps.controls import (
    depot_latlng,
    depot_marker,
    has_point,
    legend_control,
    new_map,
    number_icon,
    roads_layer,
    symbol_icon,
)
from luckygas.maps.popups import stop_popup_html, unserved_popup_html
from luckygas.maps.style import DEPOT_COLOUR, UNSERVED_COLOUR, route_colours
from luckygas.maps.view import MapView, city_view, fit_view

if TYPE_CHECKING:
    from luckygas.optimize.problem import Depot
    from luckygas.optimize.result import PlanResult
    from luckygas.roads.background import RoadBackground

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


@dataclass(slots=True)
class PlanLayers:
    """The layers of one planned day, apart from any map.

    :func:`plan_map` puts them on a new map. (A panel that re-plans often keeps one map
    and changes its markers in place instead: :class:`luckygas.maps.live.LivePlanMap`.)

    Attributes
    ----------
    routes
        One ``LayerGroup`` per route, in route order, named by :func:`route_label`.
    unserved
        The ``"Unserved (n)"`` group, or ``None`` when every order is planned.
    depot
        The ``"Depot"`` group, or ``None`` without a depot.
    legend
        ``{label: colour}`` in route order, for :func:`~luckygas.maps.legend_control`.
    paths
        ``(path, colour)`` of every trip, for the inset map.
    """

    routes: list[L.LayerGroup]
    unserved: L.LayerGroup | None
    depot: L.LayerGroup | None
    legend: dict[str, str]
    paths: list[tuple[list[LatLng], str]]

    @property
    def layers(self) -> list[L.Layer]:
        """Every layer, in the order they go on the map."""
        return [*self.routes, *(g for g in (self.unserved, self.depot) if g is not None)]

    def close(self) -> None:
        """Close every widget of these layers (markers, icons, popups) in the kernel."""
        close_widgets(self.layers)


@dataclass(slots=True, frozen=True)
class StopDraw:
    """One stop marker: where, its number on the route, its hover title and popup HTML."""

    location: LatLng
    number: int
    title: str
    popup_html: str


@dataclass(slots=True, frozen=True)
class RouteDraw:
    """What one route looks like on a map, apart from any widget.

    Attributes
    ----------
    vehicle_id, vehicle_name
        The route's vehicle.
    colour
        The route's colour.
    name
        Layer name (:func:`route_label`).
    who
        Legend label: ``"3 · TRUCK-1 (driver)"``.
    trips
        One path per trip (see :func:`trip_paths`).
    stops
        The located stops in route order.
    key
        A digest of all the above: equal keys draw the same.
    """

    vehicle_id: int
    vehicle_name: str
    colour: str
    name: str
    who: str
    trips: list[list[LatLng]]
    stops: list[StopDraw]
    key: str


def route_draws(
    result: PlanResult,
    depot_pt: LatLng | None,
    extras: Mapping[int, Mapping[str, Any]],
) -> list[RouteDraw]:
    """How every route of ``result`` is drawn, in route order.

    Parameters
    ----------
    result
        The plan.
    depot_pt
        The depot's ``(lat, lng)``, or ``None`` to draw the stops only.
    extras
        Customer fields for the popups by customer id (:func:`customer_extras`).

    Returns
    -------
    list[RouteDraw]
    """
    stops, routes = result.stops, result.routes
    colours = route_colours(list(routes["vehicle_id"]))
    out = []
    for route_no, route in enumerate(routes.to_dict("records"), start=1):
        vid = int(route["vehicle_id"])
        rstops = stops[stops["vehicle_id"] == vid].sort_values("sequence")
        trips = _on_roads(result, vid, rstops, trip_paths(rstops, depot_pt))
        driver = route.get("driver_name") or ""
        who = f"{route_no} · {route['vehicle_name']}" + (f" ({driver})" if driver else "")
        name = route_label(route_no, route["vehicle_name"], len(rstops), len(trips))
        key = _digest("route", who, name, colours[vid], depot_pt, rstops)
        if "trip" in rstops.columns:  # position within the trip, for "trip 2, stop 5"
            rstops = rstops.assign(trip_stop=rstops.groupby("trip").cumcount() + 1)
        vehicle = f"Route {who}"
        marks = [
            StopDraw(
                (float(r["lat"]), float(r["lng"])),
                int(r["sequence"]),
                f"{int(r['sequence'])}. {r['customer_name']}",
                stop_popup_html(r, extras.get(int(r["customer_id"])), vehicle=vehicle),
            )
            for r in rstops.to_dict("records")
            if has_point(r["lat"], r["lng"])
        ]
        out.append(
            RouteDraw(vid, str(route["vehicle_name"]), colours[vid], name, who, trips, marks, key)
        )
    return out


def _on_roads(
    result: PlanResult, vid: int, rstops: pd.DataFrame, straight: list[list[LatLng]]
) -> list[list[LatLng]]:
    """The trips' road lines where the plan has them (imported roads), else ``straight``."""
    if not result.paths:
        return straight
    numbers = sorted(rstops["trip"].unique()) if "trip" in rstops.columns else [1]
    if len(numbers) != len(straight):  # a trip without located stops: keep it simple
        return straight
    return [
        list(result.paths.get((vid, int(n)), line))
        for n, line in zip(numbers, straight, strict=True)
    ]


def plan_layers(
    result: PlanResult,
    *,
    depot: Depot | tuple[float, float] | None = None,
    customers: pd.DataFrame | None = None,
    on_click: PopupOpener | None = None,
    icons: IconMaker = number_icon,
) -> PlanLayers:
    """The route, unserved and depot layers of one planned day (no map, no view).

    Parameters
    ----------
    result, depot, customers
        As in :func:`plan_map`.
    on_click
        Instead of a popup widget per marker, call ``on_click(location, html)`` when a
        marker is clicked (a map that shows one shared popup; see
        :class:`~luckygas.maps.live.LivePlanMap`). A popup widget whose marker leaves
        the map cannot be closed cleanly: the browser's widget manager throws "Widget
        is not attached" for every popup never opened (measured: one error per stop and
        re-plan), and left open it stays in the kernel.
    icons
        ``icons(n, colour)``: a numbered stop icon (an :class:`IconPool` shares them
        between re-plans, so a redrawn route creates its markers but not their icons).

    Returns
    -------
    PlanLayers
    """
    depot_pt = depot_latlng(depot)
    un = result.unassigned
    extras = customer_extras(customers)
    groups: list[L.LayerGroup] = []
    legend: dict[str, str] = {}
    paths: list[tuple[list[LatLng], str]] = []
    for draw in route_draws(result, depot_pt, extras):
        groups.append(_route_layer(draw, on_click, icons))
        paths += [(p, draw.colour) for p in draw.trips]
        legend[draw.who] = draw.colour
    unserved = None
    if len(un):
        unserved = _unserved_layer(un, on_click)
        legend[f"Not planned ({len(un)})"] = UNSERVED_COLOUR
    depot_group = None
    if depot_pt:
        depot_group = depot_layer(depot or depot_pt)
        legend["Depot"] = DEPOT_COLOUR
    return PlanLayers(groups, unserved, depot_group, legend, paths)


def depot_layer(depot: Depot | tuple[float, float]) -> L.LayerGroup:
    """The "Depot" group: the depot's marker."""
    return L.LayerGroup(layers=[depot_marker(depot)], name="Depot")


def _digest(*parts: Any) -> str:
    """A digest of what a layer shows (frames by their values, the rest by ``repr``)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        text = part.to_json(orient="split") if isinstance(part, pd.DataFrame) else repr(part)
        h.update(text.encode())
        h.update(b"\x00")
    return h.hexdigest()


def plan_views(
    result: PlanResult,
    depot: Depot | tuple[float, float] | None = None,
    *,
    width_px: int = 900,
    height_px: int = 560,
    focus: Focus = "all",
) -> tuple[MapView, tuple[MapView, str] | None]:
    """The main view of a plan map and, when worth it, the inset's view and title.

    Parameters
    ----------
    result, depot, width_px, height_px, focus
        As in :func:`plan_map`.

    Returns
    -------
    tuple
        The main :class:`MapView`, and ``(view, title)`` of the inset or ``None`` when
        the town and the whole day differ by less than :data:`INSET_MIN_ZOOM_GAP` levels.
    """
    if focus not in ("all", "city"):
        raise ValueError(f"plan_map: focus must be 'all' or 'city', got {focus!r}")
    depot_pt = depot_latlng(depot)
    stops, un = result.stops, result.unassigned
    stop_pts = list(zip(stops["lat"], stops["lng"], strict=True))
    every = [*stop_pts, *zip(un["lat"], un["lng"], strict=True), *([depot_pt] if depot_pt else [])]
    whole = fit_view(every, width_px=width_px, height_px=height_px)
    core = stop_pts or every  # the town is where the stops are
    town, share = city_view(core, width_px=width_px, height_px=height_px)
    main = town if focus == "city" else whole
    if town.zoom - whole.zoom < INSET_MIN_ZOOM_GAP:
        return main, None
    w, h = INSET_PX
    if focus == "city":
        return main, (fit_view(every, width_px=w, height_px=h, padding_px=10), "Whole day")
    return main, (city_view(core, width_px=w, height_px=h)[0], f"Town: {share:.0%} of stops")


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
    roads: RoadBackground | None = None,
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
    roads
        The imported main roads around the plan (:func:`luckygas.roads.background.main_roads`,
        fetched by the caller: maps read no database), drawn faint under everything as
        ``"Main roads"``, so the map shows the town's streets without tiles (a report
        opened offline). ``None`` (no road graph): no such layer.

    Returns
    -------
    ipyleaflet.Map
        Layers (see :func:`plan_layers`): ``"Main roads"`` first when given, one
        ``LayerGroup`` per route named like ``"Route 3 · TRUCK-1 (18 stops)"`` (a
        polyline per trip plus numbered markers), ``"Unserved (n)"`` and ``"Depot"``; a
        collapsed layers control (top right), a legend in route order (bottom left) and
        possibly the inset.
    """
    main, other = plan_views(result, depot, width_px=width_px, height_px=height_px, focus=focus)
    layers = plan_layers(result, depot=depot, customers=customers)
    m = new_map(main, basemap, height_px)
    background = roads_layer(roads)
    if background is not None:  # first: Leaflet draws later vector layers on top
        m.add(background)
    for layer in layers.layers:
        m.add(layer)
    # Collapsed: a dozen routes listed open would cover the legend and the map's corner.
    m.add(L.LayersControl(position="topright", collapsed=True))
    if layers.legend:
        m.add(legend_control(layers.legend, title="Routes"))
    if inset and other is not None:
        m.add(inset_control(other[0], layers.paths, depot_latlng(depot), other[1], basemap))
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


def customer_extras(customers: pd.DataFrame | None) -> dict[int, dict[str, Any]]:
    """Customer fields shown in stop popups (code, phone, zone) by customer id."""
    if customers is None or customers.empty:
        return {}
    key = "customer_id" if "customer_id" in customers.columns else "id"
    cols = [c for c in ("code", "phone", "zone_code") if c in customers.columns]
    return {int(r[key]): {c: r[c] for c in cols} for r in customers.to_dict("records")}


def polyline(path: Sequence[LatLng], colour: str, trip_index: int, weight: int) -> L.Polyline:
    """A trip's line: every second trip of a vehicle dashed, so consecutive trips differ."""
    return L.Polyline(
        locations=list(path),
        color=colour,
        weight=weight,
        opacity=0.8,
        fill=False,
        dash_array=TRIP_DASH if trip_index % 2 else None,
    )


def _route_layer(
    draw: RouteDraw, on_click: PopupOpener | None = None, icons: IconMaker = number_icon
) -> L.LayerGroup:
    popup = _popup_maker(on_click)
    layers: list[L.Layer] = [polyline(p, draw.colour, i, 4) for i, p in enumerate(draw.trips)]
    for stop in draw.stops:
        marker = L.Marker(
            location=stop.location,
            icon=icons(stop.number, draw.colour),
            draggable=False,
            title=stop.title,
        )
        popup(marker, stop.popup_html)
        layers.append(marker)
    return L.LayerGroup(layers=layers, name=draw.name)


#: ``opener(location, html)``: show ``html`` in a map's one shared popup at ``location``.
PopupOpener = Callable[[tuple[float, float], str], None]
#: ``icons(n, colour)``: the icon of stop number ``n`` of a route drawn in ``colour``.
IconMaker = Callable[[int, str], L.DivIcon]


class IconPool:
    """Numbered stop icons shared by the markers of every plan a live map shows.

    An icon is a widget the browser creates; a route redrawn after a re-plan keeps its
    colour and mostly its stop numbers, so its new markers take the icons the old ones
    had. The pool holds at most one icon per (number, colour) and closes them on
    :meth:`close`, not with the layers (see ``close_widgets(..., keep=)``).
    """

    def __init__(self) -> None:
        self._icons: dict[tuple[int, str], L.DivIcon] = {}

    def __call__(self, n: int, colour: str) -> L.DivIcon:
        """The icon of stop ``n`` in ``colour`` (made once)."""
        key = (int(n), colour)
        if key not in self._icons:
            self._icons[key] = number_icon(*key)
        return self._icons[key]

    @property
    def ids(self) -> set[int]:
        """``id()`` of every icon in the pool (what ``close_widgets`` must keep)."""
        return {id(icon) for icon in self._icons.values()}

    def close(self) -> None:
        """Close every icon of the pool."""
        close_widgets(self._icons.values())
        self._icons.clear()


def _popup_maker(on_click: PopupOpener | None = None) -> Callable[[L.Marker, str], None]:
    """Give a marker its popup: a widget, or a click that opens the map's shared popup.

    Popup widgets share one layout and one style (one maker per layer): each ``HTML``
    widget otherwise brings its own ``Layout`` and ``HTMLStyle`` widget, three widgets
    per stop for the browser to create instead of one. Sharing stays within one layer,
    so closing a layer never closes another layer's popup layout.
    """
    if on_click is not None:

        def bind(marker: L.Marker, value: str) -> None:
            where = tuple(marker.location)
            marker.on_click(lambda **_: on_click(where, value))

        return bind
    layout, style = W.Layout(), HTMLStyle()

    def attach(marker: L.Marker, value: str) -> None:
        marker.popup = W.HTML(value, layout=layout, style=style)

    return attach


def unserved_draws(un: pd.DataFrame) -> tuple[str, list[StopDraw]]:
    """The unserved layer's name (``"Unserved (n)"``) and its located orders' markers."""
    marks = [
        StopDraw(
            (float(r["lat"]), float(r["lng"])),
            0,
            f"Not planned: {r['customer_name']}",
            unserved_popup_html(r),
        )
        for r in un.to_dict("records")
        if has_point(r["lat"], r["lng"])
    ]
    missing = len(un) - len(marks)
    name = f"Unserved ({len(un)}" + (f", {missing} without coordinates)" if missing else ")")
    return name, marks


def unserved_icon() -> L.DivIcon:
    """The ✕ of an order the plan leaves out."""
    return symbol_icon("✕", UNSERVED_COLOUR)


def _unserved_layer(un: pd.DataFrame, on_click: PopupOpener | None = None) -> L.LayerGroup:
    popup = _popup_maker(on_click)
    name, marks = unserved_draws(un)
    layers: list[L.Layer] = []
    for stop in marks:
        marker = L.Marker(
            location=stop.location, icon=unserved_icon(), draggable=False, title=stop.title
        )
        popup(marker, stop.popup_html)
        layers.append(marker)
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


def inset_layers(
    paths: Sequence[tuple[Sequence[LatLng], str]], depot_pt: LatLng | None
) -> list[L.Layer]:
    """The inset's trip lines and stop dots (no markers: the inset is for orientation)."""
    layers: list[L.Layer] = [polyline(path, colour, 0, 2) for path, colour in paths]
    by_colour: dict[str, list[LatLng]] = {}
    for path, colour in paths:  # the stops as dots: one GeoJSON per colour keeps it light
        by_colour.setdefault(colour, []).extend(path[1:-1] if depot_pt else path)
    layers += [_dots(pts, colour) for colour, pts in by_colour.items()]
    return layers


def inset_control(
    view: MapView,
    paths: Sequence[tuple[Sequence[LatLng], str]],
    depot_pt: LatLng | None,
    title: str,
    basemap: Any,
) -> L.WidgetControl:
    """A small map of the trips' lines and stops with a title, for the bottom right.

    Its widget is a ``VBox`` of the title (``HTML``) and the inset ``Map``.
    """
    w, h = INSET_PX
    inset = new_map(view, basemap, h, width=f"{w}px", minimal=True)
    for layer in inset_layers(paths, depot_pt):
        inset.add(layer)
    if depot_pt:
        inset.add(depot_marker(depot_pt, popup=False))
    label = W.HTML(
        "<div style='font:bold 12px sans-serif;padding:2px 4px;background:white'>"
        f"{html.escape(title)}</div>"
    )
    box = W.VBox([label, inset], layout=W.Layout(border="1px solid #888"))
    return L.WidgetControl(widget=box, position="bottomright")


def close_widgets(widgets: Iterable[W.Widget], keep: Collection[int] = ()) -> None:
    """Close widgets and every widget they hold (layers, icons, popups, layouts, styles).

    ``Widget.close`` closes one model only: a ``LayerGroup``'s markers, their icons and
    popups (each popup with its layout and style) stay registered in the kernel until
    closed one by one. Basemaps are left open: a basemap widget may be shared by maps.
    """
    seen: set[int] = set(keep)  # ``id()`` of widgets shared elsewhere (pooled icons)
    stack = list(widgets)
    while stack:
        w = stack.pop()
        if id(w) in seen or getattr(w, "base", False):
            continue
        seen.add(id(w))
        for name in w.keys:
            value = getattr(w, name, None)
            items = value if isinstance(value, list | tuple) else (value,)
            stack += [x for x in items if isinstance(x, W.Widget)]
        w.close()
