"""Maps of points: customers coloured by zone, and one day's orders styled by priority."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipyleaflet as L
import ipywidgets as W
import pandas as pd

from luckygas.maps.controls import (
    depot_latlng,
    legend_control,
    new_map,
    symbol_icon,
)
from luckygas.maps.popups import esc, order_popup_html, popup_table
from luckygas.maps.style import DEPOT_COLOUR, NO_ZONE_COLOUR, PRIORITY_COLOURS, ZONE_COLOURS
from luckygas.maps.view import fit_view

if TYPE_CHECKING:
    from luckygas.optimize.problem import Depot


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
    depot_pt = depot_latlng(depot)
    if depot_pt:
        pts.append(depot_pt)
    view = fit_view(pts, width_px=width_px, height_px=height_px)
    m = new_map(view, basemap, height_px)
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
                icon=symbol_icon("■", DEPOT_COLOUR, 20),
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
            "name": esc(r.get(name_col)),
            "code": esc(r.get("code")),
            "address": esc(r.get("address")),
            "zone": esc(r.get("zone_code")),
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
            child=W.HTML(popup_table(p["name"], rows)),
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
    depot_pt = depot_latlng(depot)
    if depot_pt:
        pts.append(depot_pt)
    view = fit_view(pts, width_px=width_px, height_px=height_px)
    m = new_map(view, basemap, height_px)
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
                popup=W.HTML(order_popup_html(r, name_col)),
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
                icon=symbol_icon("■", DEPOT_COLOUR, 20),
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
