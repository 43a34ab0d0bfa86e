"""ipyleaflet maps of a plan, of the customers by zone and of one day's orders.

Every builder returns an :class:`ipyleaflet.Map` and never displays it, so notebooks show
it as the cell's last expression and tests inspect its layers without a browser.

Two facts about the runtime shape this module:

* ``Map.fit_bounds`` does nothing when a notebook runs headless (papermill, nbval,
  nbconvert): it waits for the browser to report its size. :func:`fit_view` therefore
  computes the centre and zoom in Python with Web-Mercator maths for an assumed pixel
  size, and every map is created with that view.
* Leaflet inserts layer names (layers control), legend entries and popup HTML with
  ``innerHTML``. Everything that comes from data (customer names, addresses, notes,
  vehicle names) is passed through :func:`html.escape` before it reaches a widget.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipyleaflet as L
import ipywidgets as W
import pandas as pd
from traitlets import Unicode

from luckygas.domain import SIZE_CLASSES_KG, ZONES

if TYPE_CHECKING:
    from luckygas.optimize.problem import Depot
    from luckygas.optimize.result import PlanResult

#: Qualitative route colours (Tableau 10 and Dark 2 without reds, which mean "unserved").
ROUTE_PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#1b9e77",
    "#7570b3",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#393b79",
    "#637939",
    "#7f7f7f",
)
UNSERVED_COLOUR = "#d62728"
DEPOT_COLOUR = "#222222"
PRIORITY_COLOURS: dict[str, str] = {
    "normal": "#1f77b4",
    "urgent": "#ff7f0e",
    "emergency": "#d62728",
}
#: One colour per zone code (stable: zone order in :data:`luckygas.domain.ZONES`).
ZONE_COLOURS: dict[str, str] = {
    z.code: ROUTE_PALETTE[i % len(ROUTE_PALETTE)] for i, z in enumerate(ZONES)
}
NO_ZONE_COLOUR = "#999999"

_TILE_PX = 256
_MAX_MERCATOR_LAT = 85.05112878


def hhmm(seconds: float | int | None) -> str:
    """``"08:05"`` from seconds since midnight; ``"–"`` for a missing value."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


# ---------------------------------------------------------------------------
# View: centre and zoom from the points, computed in Python
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapView:
    """Where a map looks: centre ``(lat, lng)`` and integer zoom, as plain floats/ints."""

    center: tuple[float, float]
    zoom: int


def _mercator(lat: float, lng: float) -> tuple[float, float]:
    """World coordinates in [0, 1] x [0, 1] (x east, y south) of a WGS84 point."""
    lat = max(-_MAX_MERCATOR_LAT, min(_MAX_MERCATOR_LAT, lat))
    x = (lng + 180.0) / 360.0
    s = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
    return x, y


def _inverse_mercator(x: float, y: float) -> tuple[float, float]:
    lng = x * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return lat, lng


def pixel_offset(view: MapView, lat: float, lng: float) -> tuple[float, float]:
    """Pixel offset ``(dx, dy)`` of a point from the centre of ``view`` (y grows downwards)."""
    scale = _TILE_PX * 2**view.zoom
    cx, cy = _mercator(*view.center)
    x, y = _mercator(lat, lng)
    return (x - cx) * scale, (y - cy) * scale


def fit_view(
    points: Iterable[tuple[float, float]],
    *,
    width_px: int = 900,
    height_px: int = 560,
    padding_px: int = 30,
    max_zoom: int = 16,
    min_zoom: int = 2,
    default: tuple[float, float] | None = None,
) -> MapView:
    """The centre and the largest zoom at which every point fits in a map of the given size.

    Parameters
    ----------
    points
        ``(lat, lng)`` pairs; NaN pairs are skipped.
    width_px, height_px
        Size of the map on screen that the view must fit (the notebook's map height is
        known; the width is the typical JupyterLab output width).
    padding_px
        Margin kept free on every side so markers are not cut at the edge.
    max_zoom, min_zoom
        Zoom bounds; a single point gets ``max_zoom``.
    default
        Centre to use when there is no point (else the Lucky Gas depot).

    Returns
    -------
    MapView
        With plain ``float`` centre and ``int`` zoom (numpy scalars would leak
        ``np.float64(...)`` into the widget repr).
    """
    pts = [
        (float(a), float(b))
        for a, b in points
        if a is not None and b is not None and not (math.isnan(a) or math.isnan(b))
    ]
    if not pts:
        from luckygas.domain import DEFAULT_DEPOT_LATLNG

        lat, lng = default or DEFAULT_DEPOT_LATLNG
        return MapView((float(lat), float(lng)), 12)
    xy = [_mercator(a, b) for a, b in pts]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    lat, lng = _inverse_mercator((x0 + x1) / 2, (y0 + y1) / 2)
    usable_w = max(width_px - 2 * padding_px, 1)
    usable_h = max(height_px - 2 * padding_px, 1)
    zoom = max_zoom
    for z in range(max_zoom, min_zoom - 1, -1):
        scale = _TILE_PX * 2**z
        if (x1 - x0) * scale <= usable_w and (y1 - y0) * scale <= usable_h:
            zoom = z
            break
    else:
        zoom = min_zoom
    return MapView((float(lat), float(lng)), int(zoom))


# ---------------------------------------------------------------------------
# Colours
# ---------------------------------------------------------------------------


def route_colours(vehicle_ids: Sequence[int]) -> dict[int, str]:
    """A distinct colour per vehicle, stable for a vehicle across plans where possible.

    Each vehicle prefers ``ROUTE_PALETTE[id % len]`` (so TRUCK-1 keeps its colour from
    day to day); on a clash it takes the next free colour. Colours repeat only when
    there are more routes than palette entries.
    """
    n = len(ROUTE_PALETTE)
    taken: set[int] = set()
    out: dict[int, str] = {}
    for vid in vehicle_ids:
        i = int(vid) % n
        for step in range(n):
            if (i + step) % n not in taken:
                i = (i + step) % n
                break
        taken.add(i)
        if len(taken) == n:
            taken.clear()
        out[int(vid)] = ROUTE_PALETTE[i]
    return out


# ---------------------------------------------------------------------------
# HTML pieces (escaped)
# ---------------------------------------------------------------------------


def _esc(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


def cylinders_text(row: Mapping[str, Any], prefix: str) -> str:
    """``"2×20kg, 1×16kg"`` from ``<prefix><size>kg`` columns; ``"–"`` if none."""
    parts = []
    for kg in SIZE_CLASSES_KG:
        n = row.get(f"{prefix}{kg}kg", 0)
        if n is not None and not (isinstance(n, float) and math.isnan(n)) and int(n) > 0:
            parts.append(f"{int(n)}×{kg}kg")
    return ", ".join(parts) or "–"


def _table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A small popup table; ``title`` and row values must already be escaped."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px'>{k}</th><td>{v}</td></tr>"
        for k, v in rows
        if v
    )
    return f"<b>{title}</b><table style='font-size:12px'>{body}</table>"


def stop_popup_html(stop: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> str:
    """Popup HTML of one planned stop (every data value escaped).

    Parameters
    ----------
    stop
        A row of ``PlanResult.stops``.
    extra
        Optional customer fields (``code``, ``phone``, ``zone_code``) joined on customer_id.
    """
    extra = extra or {}
    name = _esc(stop.get("customer_name"))
    code = _esc(extra.get("code"))
    title = f"{int(stop['sequence'])}. {name}" + (f" ({code})" if code else "")
    prio = str(stop.get("priority") or "normal")
    rows = [
        ("Address", _esc(stop.get("address"))),
        ("Phone", _esc(extra.get("phone"))),
        ("Zone", _esc(extra.get("zone_code"))),
        ("Arrival", hhmm(stop.get("arrival_s"))),
        ("Service", f"{hhmm(stop.get('start_s'))}–{hhmm(stop.get('departure_s'))}"),
        ("Window", f"{hhmm(stop.get('window_start_s'))}–{hhmm(stop.get('window_end_s'))}"),
        ("Deliver", _esc(cylinders_text(stop, "qty_"))),
        ("Empties", _esc(cylinders_text(stop, "empties_"))),
        ("Priority", _esc(prio) if prio != "normal" else ""),
        ("Notes", _esc(stop.get("notes"))),
    ]
    return _table(title, rows)


def unserved_popup_html(row: Mapping[str, Any]) -> str:
    """Popup HTML of one unassigned order with its reason (escaped)."""
    title = f"Not planned: {_esc(row.get('customer_name'))}"
    rows = [
        ("Order", _esc(row.get("order_id"))),
        ("Priority", _esc(row.get("priority"))),
        ("Reason", _esc(row.get("reason"))),
        ("Code", _esc(row.get("reason_code"))),
    ]
    return _table(title, rows)


class PlainDivIcon(L.DivIcon):
    """A ``DivIcon`` without Leaflet's default white square behind the HTML.

    Leaflet draws every ``DivIcon`` with the CSS class ``leaflet-div-icon`` (white
    background, grey border) unless ``className`` is given; ipyleaflet 0.20 does not
    expose it, so this adds it as one more synced option (jupyter-leaflet passes every
    option to ``L.divIcon``, camel-casing the name), which also works in exported HTML.
    """

    class_name = Unicode("lg-icon").tag(sync=True, o=True)


def _number_icon(n: int, colour: str) -> L.DivIcon:
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


def _symbol_icon(symbol: str, colour: str, size: int = 22) -> L.DivIcon:
    style = (
        f"color:{colour};font:bold {size - 4}px sans-serif;text-align:center;"
        f"width:{size}px;height:{size}px;line-height:{size}px;text-shadow:0 0 3px white"
    )
    return PlainDivIcon(
        html=f"<div style='{style}'>{symbol}</div>",
        icon_size=[size, size],
        icon_anchor=[size // 2, size // 2],
    )


def legend_control(
    entries: Mapping[str, str], *, title: str, position: str = "bottomleft"
) -> L.WidgetControl:
    """A compact legend: one coloured square and label per entry (labels escaped here).

    ipyleaflet's ``LegendControl`` inserts labels unescaped and spends ~40 px per entry,
    too tall for a fleet of a dozen routes, so the legend is a small HTML widget instead.
    """
    rows = "".join(
        f"<div style='white-space:nowrap'><span style='display:inline-block;width:11px;"
        f"height:11px;margin-right:5px;background:{colour};border:1px solid #fff'></span>"
        f"{html.escape(label)}</div>"
        for label, colour in entries.items()
    )
    widget = W.HTML(
        f"<div style='font:12px/1.35 sans-serif;background:rgba(255,255,255,.85);"
        f"padding:4px 6px;border-radius:4px'><b>{html.escape(title)}</b>{rows}</div>"
    )
    return L.WidgetControl(widget=widget, position=position)


def _depot_latlng(depot: Any) -> tuple[float, float] | None:
    if depot is None:
        return None
    loc = getattr(depot, "location", depot)
    if hasattr(loc, "lat"):
        return float(loc.lat), float(loc.lng)
    lat, lng = loc
    return float(lat), float(lng)


def _new_map(view: MapView, basemap: Any, height_px: int) -> L.Map:
    kwargs: dict[str, Any] = {
        "center": view.center,
        "zoom": view.zoom,
        "scroll_wheel_zoom": True,
        "layout": W.Layout(height=f"{height_px}px"),
    }
    if basemap is not None:
        kwargs["basemap"] = basemap
    m = L.Map(**kwargs)
    m.add(L.ScaleControl(position="bottomleft", imperial=False))
    return m


def _has_point(lat: Any, lng: Any) -> bool:
    return lat is not None and lng is not None and not (pd.isna(lat) or pd.isna(lng))


# ---------------------------------------------------------------------------
# The plan map
# ---------------------------------------------------------------------------


def route_label(route_no: int, vehicle_name: str, n_stops: int) -> str:
    """``"Route 3 · TRUCK-1 (18 stops)"``, HTML-escaped (Leaflet shows it as HTML)."""
    unit = "stop" if n_stops == 1 else "stops"
    return f"Route {route_no} · {html.escape(str(vehicle_name))} ({n_stops} {unit})"


def plan_map(
    result: PlanResult,
    *,
    depot: Depot | tuple[float, float] | None = None,
    customers: pd.DataFrame | None = None,
    basemap: Any = None,
    width_px: int = 900,
    height_px: int = 560,
) -> L.Map:
    """An interactive map of one planned day.

    Parameters
    ----------
    result
        The plan (its ``routes``, ``stops`` and ``unassigned`` frames).
    depot
        The depot (an optimizer ``Depot`` or ``(lat, lng)``); routes are drawn
        depot → stops → depot when given.
    customers
        Optional customer table with ``id`` (or ``customer_id``) and any of ``code``,
        ``phone``, ``zone_code``, shown in the stop popups.
    basemap
        An ipyleaflet basemap/TileLayer (default OpenStreetMap; tiles need the network).
    width_px, height_px
        The on-screen size the initial view is fitted to.

    Returns
    -------
    ipyleaflet.Map
        Layers: one ``LayerGroup`` per route named like ``"Route 3 · TRUCK-1 (18 stops)"``
        (polyline plus numbered markers), ``"Unserved (n)"`` and ``"Depot"``; a layers
        control and a legend.
    """
    depot_pt = _depot_latlng(depot)
    stops = result.stops
    routes = result.routes
    un = result.unassigned
    extras = _customer_extras(customers)

    pts: list[tuple[float, float]] = [
        (float(a), float(b)) for a, b in zip(stops["lat"], stops["lng"], strict=True)
    ]
    pts += [(float(a), float(b)) for a, b in zip(un["lat"], un["lng"], strict=True)]
    if depot_pt:
        pts.append(depot_pt)
    view = fit_view(pts, width_px=width_px, height_px=height_px)
    m = _new_map(view, basemap, height_px)

    colours = route_colours(list(routes["vehicle_id"]))
    legend: dict[str, str] = {}
    for route_no, route in enumerate(routes.to_dict("records"), start=1):
        vid = int(route["vehicle_id"])
        colour = colours[vid]
        rstops = stops[stops["vehicle_id"] == vid].sort_values("sequence")
        group = _route_layer(rstops, colour, depot_pt, extras)
        group.name = route_label(route_no, route["vehicle_name"], len(rstops))
        m.add(group)
        driver = route.get("driver_name") or ""
        key = f"{route_no} · {route['vehicle_name']}" + (f" ({driver})" if driver else "")
        legend[key] = colour

    if len(un):
        m.add(_unserved_layer(un))
        legend[f"Not planned ({len(un)})"] = UNSERVED_COLOUR
    if depot_pt:
        name = html.escape(str(getattr(depot, "name", "Depot")))
        marker = L.Marker(
            location=depot_pt,
            icon=_symbol_icon("■", DEPOT_COLOUR, 20),
            draggable=False,
            title=str(getattr(depot, "name", "Depot")),
            popup=W.HTML(f"<b>Depot</b><br>{name}"),
        )
        m.add(L.LayerGroup(layers=[marker], name="Depot"))
        legend["Depot"] = DEPOT_COLOUR
    m.add(L.LayersControl(position="topright", collapsed=False))
    if legend:
        m.add(legend_control(legend, title="Routes"))
    return m


def _customer_extras(customers: pd.DataFrame | None) -> dict[int, dict[str, Any]]:
    if customers is None or customers.empty:
        return {}
    key = "customer_id" if "customer_id" in customers.columns else "id"
    cols = [c for c in ("code", "phone", "zone_code") if c in customers.columns]
    return {int(r[key]): {c: r[c] for c in cols} for r in customers.to_dict("records")}


def _route_layer(
    rstops: pd.DataFrame,
    colour: str,
    depot_pt: tuple[float, float] | None,
    extras: Mapping[int, Mapping[str, Any]],
) -> L.LayerGroup:
    records = [r for r in rstops.to_dict("records") if _has_point(r["lat"], r["lng"])]
    path = [(float(r["lat"]), float(r["lng"])) for r in records]
    if depot_pt:
        path = [depot_pt, *path, depot_pt]
    layers: list[L.Layer] = []
    if len(path) >= 2:
        layers.append(L.Polyline(locations=path, color=colour, weight=4, opacity=0.8, fill=False))
    for r in records:
        layers.append(
            L.Marker(
                location=(float(r["lat"]), float(r["lng"])),
                icon=_number_icon(int(r["sequence"]), colour),
                draggable=False,
                title=f"{int(r['sequence'])}. {r['customer_name']}",
                popup=W.HTML(stop_popup_html(r, extras.get(int(r["customer_id"])))),
            )
        )
    return L.LayerGroup(layers=layers)


def _unserved_layer(un: pd.DataFrame) -> L.LayerGroup:
    layers: list[L.Layer] = []
    located = 0
    for r in un.to_dict("records"):
        if not _has_point(r["lat"], r["lng"]):
            continue
        located += 1
        layers.append(
            L.Marker(
                location=(float(r["lat"]), float(r["lng"])),
                icon=_symbol_icon("✕", UNSERVED_COLOUR),
                draggable=False,
                title=f"Not planned: {r['customer_name']}",
                popup=W.HTML(unserved_popup_html(r)),
            )
        )
    missing = len(un) - located
    name = f"Unserved ({len(un)}" + (f", {missing} without coordinates)" if missing else ")")
    return L.LayerGroup(layers=layers, name=name)


# ---------------------------------------------------------------------------
# Customers by zone, orders of a day
# ---------------------------------------------------------------------------


def _name_column(df: pd.DataFrame) -> str:
    for c in ("short_name", "customer_name", "name"):
        if c in df.columns:
            return c
    raise ValueError(
        f"expected a customer name column (short_name/customer_name/name), got {list(df.columns)}"
    )


def customers_map(
    customers: pd.DataFrame,
    *,
    depot: Depot | tuple[float, float] | None = None,
    basemap: Any = None,
    width_px: int = 900,
    height_px: int = 560,
) -> L.Map:
    """Customers as dots coloured by zone, one switchable layer per zone, with a legend.

    Parameters
    ----------
    customers
        Columns ``lat``, ``lng``, ``zone_code`` and a name column (``short_name``,
        ``customer_name`` or ``name``); ``code`` and ``address`` are used if present.
        Rows without coordinates are counted in the legend title, not drawn.
    depot, basemap, width_px, height_px
        As in :func:`plan_map`.

    Returns
    -------
    ipyleaflet.Map
        One GeoJSON layer per zone (a single widget per zone keeps a 1,300-customer map
        light); clicking a dot in a live notebook opens a popup with the customer.
    """
    for col in ("lat", "lng", "zone_code"):
        if col not in customers.columns:
            raise ValueError(f"customers_map: missing column {col!r}")
    name_col = _name_column(customers)
    located = customers[customers["lat"].notna() & customers["lng"].notna()]
    pts = list(zip(located["lat"].astype(float), located["lng"].astype(float), strict=True))
    depot_pt = _depot_latlng(depot)
    if depot_pt:
        pts.append(depot_pt)
    view = fit_view(pts, width_px=width_px, height_px=height_px)
    m = _new_map(view, basemap, height_px)
    legend: dict[str, str] = {}
    zones = located["zone_code"].fillna("").astype(str)
    for code in sorted(set(zones)):
        sub = located[zones == code]
        colour = ZONE_COLOURS.get(code, NO_ZONE_COLOUR)
        label = _zone_label(code)
        layer = _points_geojson(sub, name_col, colour, m)
        layer.name = html.escape(f"{label} ({len(sub)})")
        m.add(layer)
        legend[label] = colour
    if depot_pt:
        m.add(
            L.Marker(
                location=depot_pt,
                icon=_symbol_icon("■", DEPOT_COLOUR, 20),
                draggable=False,
                title="Depot",
                name="Depot",
            )
        )
    m.add(L.LayersControl(position="topright", collapsed=True))
    missing = len(customers) - len(located)
    title = "Zones" + (f" ({missing} without coordinates)" if missing else "")
    m.add(legend_control(legend, title=title))
    return m


def _zone_label(code: str) -> str:
    if not code:
        return "No zone"
    from luckygas.domain import ZONES_BY_CODE

    zone = ZONES_BY_CODE.get(code)
    return zone.label if zone else str(code)


def _points_geojson(df: pd.DataFrame, name_col: str, colour: str, m: L.Map) -> L.GeoJSON:
    features = []
    for r in df.to_dict("records"):
        props = {
            "name": _esc(r.get(name_col)),
            "code": _esc(r.get("code")),
            "address": _esc(r.get("address")),
            "zone": _esc(r.get("zone_code")),
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(r["lng"]), float(r["lat"])]},
                "properties": props,
            }
        )
    layer = L.GeoJSON(
        data={"type": "FeatureCollection", "features": features},
        point_style={
            "radius": 5,
            "color": "white",
            "weight": 1,
            "fillColor": colour,
            "fillOpacity": 0.9,
        },
        hover_style={"radius": 8},
    )

    def on_click(feature: dict[str, Any], **_: Any) -> None:
        p = feature["properties"]  # already escaped when the feature was built
        lng, lat = feature["geometry"]["coordinates"]
        rows = [("Code", p["code"]), ("Zone", p["zone"]), ("Address", p["address"])]
        popup = L.Popup(
            location=(lat, lng),
            child=W.HTML(_table(p["name"], rows)),
            close_button=True,
            auto_close=True,
        )
        m.add(popup)

    layer.on_click(on_click)
    return layer


def orders_map(
    orders: pd.DataFrame,
    *,
    depot: Depot | tuple[float, float] | None = None,
    basemap: Any = None,
    width_px: int = 900,
    height_px: int = 560,
) -> L.Map:
    """One day's orders as circles styled by priority, with popups and a legend.

    Parameters
    ----------
    orders
        Columns ``lat``, ``lng``, a name column and optionally ``priority``,
        ``order_id``/``number``, ``address``, ``qty_<size>kg``, ``window_start_min``/
        ``window_end_min``, ``notes``. Orders without coordinates are counted in the
        layer name, not drawn.
    depot, basemap, width_px, height_px
        As in :func:`plan_map`.

    Returns
    -------
    ipyleaflet.Map
        One layer per priority (``"Emergency (2)"`` …); emergency and urgent orders are
        larger and drawn on top.
    """
    for col in ("lat", "lng"):
        if col not in orders.columns:
            raise ValueError(f"orders_map: missing column {col!r}")
    name_col = _name_column(orders)
    has = orders["lat"].notna() & orders["lng"].notna()
    pts = list(
        zip(orders.loc[has, "lat"].astype(float), orders.loc[has, "lng"].astype(float), strict=True)
    )
    depot_pt = _depot_latlng(depot)
    if depot_pt:
        pts.append(depot_pt)
    view = fit_view(pts, width_px=width_px, height_px=height_px)
    m = _new_map(view, basemap, height_px)
    prio = (
        orders["priority"].astype(str)
        if "priority" in orders.columns
        else pd.Series("normal", index=orders.index)
    )
    legend: dict[str, str] = {}
    for level, radius in (("normal", 6), ("urgent", 9), ("emergency", 11)):
        sel = orders[(prio == level) & has]
        total = int((prio == level).sum())
        if total == 0:
            continue
        colour = PRIORITY_COLOURS[level]
        markers = [
            L.CircleMarker(
                location=(float(r["lat"]), float(r["lng"])),
                radius=radius,
                color="white",
                weight=1,
                fill_color=colour,
                fill_opacity=0.9,
                popup=W.HTML(_order_popup_html(r, name_col)),
            )
            for r in sel.to_dict("records")
        ]
        missing = total - len(sel)
        name = f"{level.capitalize()} ({total}" + (
            f", {missing} without coordinates)" if missing else ")"
        )
        m.add(L.LayerGroup(layers=markers, name=name))
        legend[level.capitalize()] = colour
    if depot_pt:
        m.add(
            L.Marker(
                location=depot_pt,
                icon=_symbol_icon("■", DEPOT_COLOUR, 20),
                draggable=False,
                title="Depot",
                name="Depot",
            )
        )
        legend["Depot"] = DEPOT_COLOUR
    m.add(L.LayersControl(position="topright", collapsed=False))
    if legend:
        m.add(legend_control(legend, title="Orders"))
    return m


def _order_popup_html(r: Mapping[str, Any], name_col: str) -> str:
    ident = r.get("number", r.get("order_id", r.get("id")))
    window = ""
    if _has_point(r.get("window_start_min"), r.get("window_end_min")):
        window = f"{hhmm(r['window_start_min'] * 60)}–{hhmm(r['window_end_min'] * 60)}"
    rows = [
        ("Order", _esc(ident)),
        ("Address", _esc(r.get("address"))),
        ("Cylinders", _esc(cylinders_text(r, "qty_"))),
        ("Window", window),
        ("Priority", _esc(r.get("priority"))),
        ("Notes", _esc(r.get("notes"))),
    ]
    return _table(_esc(r.get(name_col)), rows)
