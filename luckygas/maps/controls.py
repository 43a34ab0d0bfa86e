"""Map furniture: the base map, the roads background, marker icons, the depot marker
and the legend.

Leaflet inserts legend labels with ``innerHTML``, so labels are escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipyleaflet as L
import ipywidgets as W
import pandas as pd
from traitlets import Bool, Unicode

from luckygas.maps.style import DEPOT_COLOUR
from luckygas.maps.view import MapView

if TYPE_CHECKING:
    from luckygas.optimize.problem import Depot
    from luckygas.roads.background import RoadBackground

#: Name of the roads background in the layers control.
ROADS_LAYER_NAME = "Main roads"
#: The map pane of the roads background: above the tiles (200), below the routes'
#: overlay pane (400), so it stays underneath even when switched off and on again (Leaflet
#: re-adds a layer's lines after the others within one pane). Mouse events pass through.
ROADS_PANE = "lg-roads"
MAP_PANES: dict[str, dict[str, Any]] = {ROADS_PANE: {"zIndex": 350, "pointerEvents": "none"}}
#: Grey, thin and see-through: a hint of the streets under the routes, never a route.
ROAD_STYLE: dict[str, Any] = {"color": "#7a7a7a", "weight": 2, "opacity": 0.45}
STREET_STYLE: dict[str, Any] = {"color": "#7a7a7a", "weight": 1, "opacity": 0.35}


class PlainDivIcon(L.DivIcon):
    """A ``DivIcon`` without Leaflet's default white square behind the HTML.

    Leaflet draws every ``DivIcon`` with the CSS class ``leaflet-div-icon`` (white
    background, grey border) unless ``className`` is given; ipyleaflet 0.20 does not
    expose it, so this adds it as one more synced option (jupyter-leaflet passes every
    option to ``L.divIcon``, camel-casing the name), which also works in exported HTML.
    """

    class_name = Unicode("lg-icon").tag(sync=True, o=True)


class RoadsLayer(L.GeoJSON):
    """A ``GeoJSON`` layer whose lines take no mouse events.

    Leaflet makes every vector path interactive by default: it catches clicks meant for
    the map and, in jupyter-leaflet, sends a message to the kernel on every mouse-over.
    ``interactive`` is one more synced option (jupyter-leaflet passes each option to
    ``L.geoJson``, which hands them to every line it creates), as in
    :class:`PlainDivIcon`; it works in exported HTML too.
    """

    interactive = Bool(False).tag(sync=True, o=True)
    # An option too (``Layer.pane`` is set on the group only after its lines exist): every
    # line is drawn in the map's roads pane (:data:`MAP_PANES`, which :func:`new_map` adds).
    pane = Unicode(ROADS_PANE).tag(sync=True, o=True)


def roads_geojson(background: RoadBackground) -> dict[str, Any]:
    """The background as one GeoJSON ``FeatureCollection``: a ``MultiLineString`` of main
    roads and one of town streets, each with its style (``[lng, lat]``, as GeoJSON wants)."""
    features = []
    for kind, lines, style in (
        ("roads", background.roads, ROAD_STYLE),
        ("streets", background.streets, STREET_STYLE),
    ):
        if lines:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"kind": kind, "style": dict(style)},
                    "geometry": {
                        "type": "MultiLineString",
                        "coordinates": [[[lng, lat] for lat, lng in line] for line in lines],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def roads_layer(background: RoadBackground | None) -> RoadsLayer | None:
    """The faint ``"Main roads"`` layer, or ``None`` without a background (great circles).

    The style travels in each feature's properties (jupyter-leaflet reads it there), not in
    the ``style`` trait: setting that makes ipyleaflet deep-copy the whole data.
    """
    if background is None or background.is_empty:
        return None
    return RoadsLayer(data=roads_geojson(background), name=ROADS_LAYER_NAME)


def number_icon(n: int, colour: str) -> L.DivIcon:
    """A round icon with a stop number in the route's colour."""
    # A DivIcon renders in the live notebook and in the static HTML export alike; its
    # html holds only our own number and colour, never data.
    style = (
        f"background:{colour};color:white;border:2px solid white;border-radius:50%;"
        "width:22px;height:22px;line-height:18px;text-align:center;font:bold 11px sans-serif;"
        "box-shadow:0 0 3px rgba(0,0,0,.6);box-sizing:border-box"
    )
    return PlainDivIcon(
        html=f"<div style='{style}'>{int(n)}</div>", icon_size=[22, 22], icon_anchor=[11, 11]
    )


def symbol_icon(symbol: str, colour: str, size: int = 22) -> L.DivIcon:
    """An icon of one symbol (``"✕"``, ``"■"``) in ``colour`` with a white halo."""
    style = (
        f"color:{colour};font:bold {size - 4}px sans-serif;text-align:center;"
        f"width:{size}px;height:{size}px;line-height:{size}px;text-shadow:0 0 3px white"
    )
    return PlainDivIcon(
        html=f"<div style='{style}'>{symbol}</div>",
        icon_size=[size, size],
        icon_anchor=[size // 2, size // 2],
    )


def legend_html(entries: Mapping[str, str], *, title: str) -> str:
    """The legend's HTML: one coloured square and escaped label per entry, in order."""
    rows = "".join(
        f"<div style='white-space:nowrap'><span style='display:inline-block;width:11px;"
        f"height:11px;margin-right:5px;background:{colour};border:1px solid #fff'></span>"
        f"{html.escape(label)}</div>"
        for label, colour in entries.items()
    )
    return (
        f"<div style='font:12px/1.35 sans-serif;background:rgba(255,255,255,.85);"
        f"padding:4px 6px;border-radius:4px'><b>{html.escape(title)}</b>{rows}</div>"
    )


def legend_control(
    entries: Mapping[str, str], *, title: str, position: str = "bottomleft"
) -> L.WidgetControl:
    """A compact legend: one coloured square and label per entry, in the given order.

    Labels are escaped here. ipyleaflet's ``LegendControl`` inserts labels unescaped,
    spends ~40 px per entry (too tall for a dozen routes) and keeps its entries in a
    dict that the browser may re-sort, so the legend is a small HTML widget instead
    (its ``widget.value`` can be set to a new :func:`legend_html`).
    """
    widget = W.HTML(legend_html(entries, title=title))
    return L.WidgetControl(widget=widget, position=position)


def depot_latlng(depot: Any) -> tuple[float, float] | None:
    """``(lat, lng)`` of an optimizer ``Depot``, a ``Location`` or a pair; ``None`` for None."""
    if depot is None:
        return None
    loc = getattr(depot, "location", depot)
    if hasattr(loc, "lat"):
        return float(loc.lat), float(loc.lng)
    lat, lng = loc
    return float(lat), float(lng)


def depot_marker(depot: Depot | tuple[float, float] | Any, *, popup: bool = True) -> L.Marker:
    """The depot as a black square (its name in the popup, escaped)."""
    name = str(getattr(depot, "name", "Depot"))
    return L.Marker(
        location=depot_latlng(depot),
        icon=symbol_icon("■", DEPOT_COLOUR, 20),
        draggable=False,
        title=name,
        name="Depot",
        popup=W.HTML(f"<b>Depot</b><br>{html.escape(name)}") if popup else None,
    )


def new_map(
    view: MapView, basemap: Any, height_px: int, *, width: str = "100%", minimal: bool = False
) -> L.Map:
    """A map at ``view``; ``minimal`` drops the zoom, scale and attribution controls.

    Every map has the roads background's pane (:data:`MAP_PANES`).
    """
    kwargs: dict[str, Any] = {
        "center": view.center,
        "zoom": view.zoom,
        "scroll_wheel_zoom": True,
        "layout": W.Layout(height=f"{height_px}px", width=width),
        "panes": MAP_PANES,  # created with the map: a roads layer may come later (live map)
    }
    if basemap is not None:
        kwargs["basemap"] = basemap
    if minimal:
        kwargs.update(zoom_control=False, attribution_control=False)
    m = L.Map(**kwargs)
    if not minimal:
        m.add(L.ScaleControl(position="bottomleft", imperial=False))
    return m


def has_point(lat: Any, lng: Any) -> bool:
    """Whether ``lat``/``lng`` are both present (not None/NaN)."""
    return lat is not None and lng is not None and not (pd.isna(lat) or pd.isna(lng))
