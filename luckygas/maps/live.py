"""One plan map that a panel keeps on screen and updates in place after every re-plan.

Building a new :func:`~luckygas.maps.plan_map` per re-plan costs seconds (every marker,
icon and popup is a widget the browser has to create) and, unless closed, leaves every
old widget registered in the kernel: thousands per re-plan on a real day. A
:class:`LivePlanMap` keeps its map, its controls, the view the analyst zoomed to and
every layer widget: a re-plan moves the markers it already has, re-colours and re-numbers
them, and bends the route lines. The browser then applies a few attribute changes per
marker instead of creating a marker view per stop (the part of a re-plan's 1-1.6 s
beyond the solve that the browser spent; see benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipyleaflet as L
import ipywidgets as W

from luckygas.maps.controls import (
    RoadsLayer,
    depot_latlng,
    legend_control,
    legend_html,
    new_map,
    roads_geojson,
    roads_layer,
)
from luckygas.maps.plan import (
    TRIP_DASH,
    Focus,
    IconPool,
    LatLng,
    RouteDraw,
    StopDraw,
    close_widgets,
    customer_extras,
    depot_layer,
    inset_control,
    inset_layers,
    plan_views,
    polyline,
    route_draws,
    unserved_draws,
    unserved_icon,
)
from luckygas.maps.style import DEPOT_COLOUR, UNSERVED_COLOUR

if TYPE_CHECKING:
    import pandas as pd

    from luckygas.optimize.problem import Depot
    from luckygas.optimize.result import PlanResult
    from luckygas.roads.background import RoadBackground

_LEGEND_TITLE = "Routes"
#: ``open(location, html)``: show ``html`` in the map's shared popup.
_Opener = Callable[[LatLng, str], None]


class _Markers:
    """A layer group of markers that are moved, re-iconed and re-titled, never rebuilt.

    The group's ``layers`` list only grows or shrinks at its end, so the browser keeps
    the views of the markers that stay (a list that changes in the middle makes it
    rebuild every view after the change). Markers a shorter list no longer shows are
    kept for the next longer one.
    """

    def __init__(self, open_popup: _Opener, name: str = "") -> None:
        self.group = L.LayerGroup(layers=(), name=name)
        self._open = open_popup
        self._markers: list[L.Marker] = []
        self._stops: list[StopDraw] = []
        self._lines: list[L.Polyline] = []
        self._n_lines = 0

    def draw(
        self,
        stops: Sequence[StopDraw],
        icon: Callable[[int], L.DivIcon],
        lines: Sequence[tuple[Sequence[LatLng], str, int]] = (),
    ) -> None:
        """Show ``stops`` (with ``icon(number)``) and ``lines`` (path, colour, trip index)."""
        self._stops = list(stops)
        for k, stop in enumerate(self._stops):
            if k == len(self._markers):
                self._markers.append(self._new_marker(k, stop, icon(stop.number)))
                continue
            marker = self._markers[k]
            with marker.hold_sync():  # one message per marker, whatever changed
                marker.location = stop.location
                marker.icon = icon(stop.number)
                marker.title = stop.title
        for k, (path, colour, trip) in enumerate(lines):
            if k == len(self._lines):
                self._lines.append(polyline(path, colour, trip, 4))
                continue
            line = self._lines[k]
            with line.hold_sync():
                line.locations = list(path)
                line.color = colour
                line.dash_array = TRIP_DASH if trip % 2 else None
        self._n_lines = len(lines)
        # Markers first: a route whose stop count changes then only re-creates its few
        # lines in the browser, never the markers before them.
        shown = (*self._markers[: len(self._stops)], *self._lines[: self._n_lines])
        if tuple(self.group.layers) != shown:
            self.group.layers = shown

    def _new_marker(self, k: int, stop: StopDraw, icon: L.DivIcon) -> L.Marker:
        marker = L.Marker(location=stop.location, icon=icon, draggable=False, title=stop.title)
        # Bound to the position, not the stop: the marker shows another stop after a
        # re-plan, and the click must open that one's popup.
        marker.on_click(lambda k=k, **_: self._clicked(k))
        return marker

    def _clicked(self, k: int) -> None:
        if k < len(self._stops):
            self._open(self._stops[k].location, self._stops[k].popup_html)

    @property
    def widgets(self) -> list[W.Widget]:
        """Every widget this group ever made (shown or kept for later)."""
        return [self.group, *self._markers, *self._lines]


class LivePlanMap:
    """A plan map whose routes, unserved orders and depot are updated in place.

    One layer group per vehicle that has had a route (named ``"Route n · …"``, or
    ``"No route · …"`` once its vehicle has none), one for the unserved orders and one
    for the depot stay on the map for its life; a re-plan changes what they show. The
    faint ``"Main roads"`` background (when the plan is on imported roads) is drawn once,
    under them, and stays the same layer object across re-plans.

    Parameters
    ----------
    customers
        Customer fields for the stop popups (as in :func:`~luckygas.maps.plan_map`).
    basemap
        Basemap (default OpenStreetMap).
    width_px, height_px, focus
        As in :func:`~luckygas.maps.plan_map`; used for the first view only.

    Attributes
    ----------
    map
        The map on screen (``None`` before the first :meth:`show`).
    """

    def __init__(
        self,
        *,
        customers: pd.DataFrame | None = None,
        basemap: Any = None,
        width_px: int = 900,
        height_px: int = 560,
        focus: Focus = "city",
    ) -> None:
        self.customers = customers
        self.basemap = basemap
        self.width_px, self.height_px, self.focus = width_px, height_px, focus
        self.map: L.Map | None = None
        self._extras = customer_extras(customers)
        self._routes: dict[int, _Markers] = {}  # by vehicle id, in order of first use
        self._route_keys: dict[int, str] = {}
        self._unserved: _Markers | None = None
        self._depot: L.LayerGroup | None = None
        self._depot_at: tuple[Any, ...] | None = None
        self._dropped: list[L.Layer] = []  # replaced layers still on the map
        self._control: L.LayersControl | None = None
        self._names: list[str] = []  # the layer names the layers control lists
        self._paths: list[tuple[list[LatLng], str]] = []
        self._legend: L.WidgetControl | None = None
        self._inset: L.Map | None = None
        self._inset_lines: list[L.Layer] = []
        self._framed = False  # whether the view was fitted to a plan with stops
        # One popup for the whole map, filled by the clicked marker: markers with popup
        # widgets of their own cannot leave the map cleanly (see plan_layers' on_click).
        self._popup_html = W.HTML()
        self._popup: L.Popup | None = None
        self._icons = IconPool()
        self._cross = unserved_icon()
        self._roads: RoadsLayer | None = None
        self._roads_drawn: RoadBackground | None = None

    def show(
        self,
        result: PlanResult,
        depot: Depot | tuple[float, float] | None,
        roads: RoadBackground | None = None,
    ) -> L.Map:
        """Show ``result``: build the map the first time, else update its layers.

        Parameters
        ----------
        result
            The plan to show.
        depot
            The day's depot.
        roads
            The main roads around the day (fetched by the caller, e.g.
            :func:`luckygas.bridge.planning.road_background`). Drawn the first time; later
            calls keep that layer as it is while it covers the new background (a re-plan
            sends nothing for it); a new graph version (a re-import) or a day reaching
            beyond the drawn area replaces its data in place.

        Returns
        -------
        ipyleaflet.Map
            The same map object on every call, unless the map so far showed no stop (its
            view was a guess): then a new map framed on this plan.
        """
        if self.map is None or not self._framed:
            self._build(result, depot)
        self._place_roads(roads)
        self._update(result, depot)
        self._framed = not result.stops.empty
        assert self.map is not None
        return self.map

    def _open_popup(self, location: tuple[float, float], html: str) -> None:
        """Show ``html`` (already escaped) in the map's popup at ``location``."""
        if self._popup is None:
            return
        self._popup_html.value = html
        self._popup.open_popup(location)

    def close(self) -> None:
        """Close the plan layers, the map and its controls (the basemap is left alone)."""
        widgets: list[W.Widget] = [w for r in self._routes.values() for w in r.widgets]
        if self._unserved is not None:
            widgets += self._unserved.widgets
        if self._depot is not None:
            widgets.append(self._depot)
        close_widgets(widgets, keep={*self._icons.ids, id(self._cross)})
        if self._popup is not None:  # its content widget is reused by the next map
            self._popup.close()
            self._popup = None
        close_widgets(self._inset_lines)
        if self._roads is not None:
            self._roads.close()
            self._roads, self._roads_drawn = None, None
        if self.map is not None:
            for control in self.map.controls:
                close_widgets([control])
            self.map.close()
        self.map, self._legend, self._inset, self._depot = None, None, None, None
        self._routes, self._route_keys, self._unserved = {}, {}, None
        self._inset_lines, self._paths, self._depot_at = [], [], None
        self._control, self._names = None, []

    def _build(self, result: PlanResult, depot: Depot | tuple[float, float] | None) -> None:
        """A new map framed on ``result``, with its controls and no plan layers yet."""
        # The roads background moves to the new map as it is (it does not depend on the plan).
        roads, drawn = self._roads, self._roads_drawn
        self._roads = None
        self.close()
        self._roads, self._roads_drawn = roads, drawn
        main, other = plan_views(
            result, depot, width_px=self.width_px, height_px=self.height_px, focus=self.focus
        )
        m = new_map(main, self.basemap, self.height_px)
        if self._roads is not None:
            m.add(self._roads)
        self._control = L.LayersControl(position="topright", collapsed=True)
        m.add(self._control)
        self._popup = L.Popup(
            location=m.center, child=self._popup_html, close_button=True, max_width=360
        )
        m.add(self._popup)
        self._popup.close_popup()  # added open; it opens on a marker's click
        self._legend = legend_control({}, title=_LEGEND_TITLE)
        m.add(self._legend)
        if other is not None:
            draws = route_draws(result, depot_latlng(depot), {})
            paths = [(p, d.colour) for d in draws for p in d.trips]
            control = inset_control(other[0], paths, depot_latlng(depot), other[1], self.basemap)
            m.add(control)
            self._inset = control.widget.children[1]
            self._inset_lines = [x for x in self._inset.layers if not _is_fixed(x)]
            self._paths = paths
        self._unserved = _Markers(self._open_popup)
        self.map = m

    def _update(self, result: PlanResult, depot: Depot | tuple[float, float] | None) -> None:
        """Make the map's layers show ``result``."""
        assert self.map is not None and self._unserved is not None
        depot_pt = depot_latlng(depot)
        draws = route_draws(result, depot_pt, self._extras)
        drawn = {d.vehicle_id for d in draws}
        for draw in draws:
            self._draw_route(draw)
        for vid, slot in self._routes.items():
            if vid not in drawn and self._route_keys.get(vid) != "":
                slot.draw([], self._icon_of(""))
                slot.group.name = (
                    "No route · " + slot.group.name.split(" · ", 1)[-1].split(" (", 1)[0]
                )
                self._route_keys[vid] = ""
        name, marks = unserved_draws(result.unassigned)
        self._unserved.draw(marks, lambda _n: self._cross)
        self._unserved.group.name = name
        self._place_depot(depot)
        wanted = (
            *[s.group for s in self._routes.values()],
            self._unserved.group,
            *([self._depot] if self._depot is not None else []),
        )
        # The basemap and the shared popup stay first; the plan's groups follow them.
        ours = {id(x) for x in (*wanted, *self._dropped)}
        base = tuple(x for x in self.map.layers if id(x) not in ours)
        self._dropped = []
        if tuple(self.map.layers) != (*base, *wanted):
            self.map.layers = (*base, *wanted)  # one update; prefix-stable (see _Markers)
        self._refresh_control([str(x.name) for x in wanted])
        legend = {d.who: d.colour for d in draws}
        if len(result.unassigned):
            legend[f"Not planned ({len(result.unassigned)})"] = UNSERVED_COLOUR
        if depot_pt:
            legend["Depot"] = DEPOT_COLOUR
        if self._legend is not None:
            self._legend.widget.value = legend_html(legend, title=_LEGEND_TITLE)
        self._update_inset([(p, d.colour) for d in draws for p in d.trips], depot_pt)

    def _refresh_control(self, names: list[str]) -> None:
        """A new layers control when a layer's name changed (a stop count, say).

        Leaflet's control reads the names when it is built or the map's layer list
        changes, not when a layer is renamed: the old one would list yesterday's counts.
        """
        if names == self._names or self.map is None or self._control is None:
            return
        self.map.remove(self._control)
        self._control.close()
        self._control = L.LayersControl(position="topright", collapsed=True)
        self.map.add(self._control)
        self._names = names

    def _draw_route(self, draw: RouteDraw) -> None:
        slot = self._routes.get(draw.vehicle_id)
        if slot is None:
            slot = self._routes[draw.vehicle_id] = _Markers(self._open_popup)
        if self._route_keys.get(draw.vehicle_id) == draw.key:
            return  # shows exactly this already
        lines = [(p, draw.colour, k) for k, p in enumerate(draw.trips)]
        slot.draw(draw.stops, self._icon_of(draw.colour), lines)
        slot.group.name = draw.name
        self._route_keys[draw.vehicle_id] = draw.key

    def _icon_of(self, colour: str) -> Callable[[int], L.DivIcon]:
        return lambda n: self._icons(n, colour)

    def _place_roads(self, roads: RoadBackground | None) -> None:
        """Draw the roads background once, under the plan; replace its data in place when
        the graph changed (a re-import) or the day reaches beyond what is drawn."""
        if roads is None or self.map is None:
            return
        if self._roads_drawn is not None and self._roads_drawn.covers(roads):
            return  # a re-plan sends nothing for the background
        if self._roads is not None:
            self._roads.data = roads_geojson(roads)
            self._roads_drawn = roads
            return
        layer = roads_layer(roads)
        if layer is None:
            return
        # Right after the basemap: Leaflet draws the later vector layers (routes) on top.
        tiles = tuple(x for x in self.map.layers if getattr(x, "base", False))
        rest = tuple(x for x in self.map.layers if not getattr(x, "base", False))
        self.map.layers = (*tiles, layer, *rest)
        self._roads, self._roads_drawn = layer, roads

    def _place_depot(self, depot: Depot | tuple[float, float] | None) -> None:
        at = (depot_latlng(depot), getattr(depot, "name", ""))
        if at == self._depot_at:
            return
        if self._depot is not None:
            self._dropped.append(self._depot)
            close_widgets([self._depot])
        self._depot = depot_layer(depot) if at[0] else None  # type: ignore[arg-type]
        self._depot_at = at

    def _update_inset(self, paths: list[tuple[list[LatLng], str]], depot_pt: LatLng | None) -> None:
        if self._inset is None or paths == self._paths:
            return
        lines = inset_layers(paths, depot_pt)
        drop = {id(x) for x in self._inset_lines}
        kept = (x for x in self._inset.layers if id(x) not in drop)
        self._inset.layers = (*kept, *lines)
        close_widgets(self._inset_lines)
        self._inset_lines, self._paths = lines, paths


def _is_fixed(layer: L.Layer) -> bool:
    """The inset's basemap and depot marker stay; its lines and dots are the plan's."""
    return bool(getattr(layer, "base", False)) or isinstance(layer, L.Marker)
