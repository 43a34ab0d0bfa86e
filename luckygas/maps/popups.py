"""Popup HTML of stops, unserved orders and orders (every data value escaped).

Leaflet inserts popup HTML with ``innerHTML``, so everything that comes from data
(customer names, addresses, notes) goes through :func:`html.escape` here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG
from luckygas.maps.style import hhmm


def esc(value: Any) -> str:
    """``value`` as escaped HTML text; empty for ``None``/NaN."""
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


def popup_table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A small popup table; ``title`` and row values must already be escaped."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px'>{k}</th><td>{v}</td></tr>"
        for k, v in rows
        if v
    )
    return f"<b>{title}</b><table style='font-size:12px'>{body}</table>"


def trip_text(stop: Mapping[str, Any]) -> str:
    """``"trip 2, stop 5"`` from a stop's ``trip`` and ``trip_stop``; empty without them."""
    trip, n = stop.get("trip"), stop.get("trip_stop")
    if pd.isna(trip) or pd.isna(n):
        return ""
    return f"trip {int(trip)}, stop {int(n)}"


def stop_popup_html(
    stop: Mapping[str, Any], extra: Mapping[str, Any] | None = None, *, vehicle: str = ""
) -> str:
    """Popup HTML of one planned stop (every data value escaped).

    Parameters
    ----------
    stop
        A row of ``PlanResult.stops``; with ``trip`` and ``trip_stop`` (its position in
        the trip) the popup says which trip from the depot it is on.
    extra
        Optional customer fields (``code``, ``phone``, ``zone_code``) joined on customer_id.
    vehicle
        The route it is on, e.g. ``"Route 3 · TRUCK-1 (Wang)"`` (plain text; escaped here).
    """
    extra = extra or {}
    name = esc(stop.get("customer_name"))
    code = esc(extra.get("code"))
    title = f"{int(stop['sequence'])}. {name}" + (f" ({code})" if code else "")
    prio = str(stop.get("priority") or "normal")
    rows = [
        ("Vehicle", esc(vehicle)),
        ("Trip", trip_text(stop)),
        ("Address", esc(stop.get("address"))),
        ("Phone", esc(extra.get("phone"))),
        ("Zone", esc(extra.get("zone_code"))),
        ("Arrival", hhmm(stop.get("arrival_s"))),
        ("Service", f"{hhmm(stop.get('start_s'))}–{hhmm(stop.get('departure_s'))}"),
        ("Window", f"{hhmm(stop.get('window_start_s'))}–{hhmm(stop.get('window_end_s'))}"),
        ("Deliver", esc(cylinders_text(stop, "qty_"))),
        ("Empties", esc(cylinders_text(stop, "empties_"))),
        ("Priority", esc(prio) if prio != "normal" else ""),
        ("Notes", esc(stop.get("notes"))),
    ]
    return popup_table(title, rows)


def unserved_popup_html(row: Mapping[str, Any]) -> str:
    """Popup HTML of one unassigned order with its reason (escaped)."""
    title = f"Not planned: {esc(row.get('customer_name'))}"
    rows = [
        ("Order", esc(row.get("order_id"))),
        ("Priority", esc(row.get("priority"))),
        ("Reason", esc(row.get("reason"))),
        ("Code", esc(row.get("reason_code"))),
    ]
    return popup_table(title, rows)


def order_popup_html(r: Mapping[str, Any], name_col: str) -> str:
    """Popup HTML of one order of the day (escaped)."""
    ident = r.get("number", r.get("order_id", r.get("id")))
    window = ""
    start, end = r.get("window_start_min"), r.get("window_end_min")
    if not (pd.isna(start) or pd.isna(end)):
        window = f"{hhmm(start * 60)}–{hhmm(end * 60)}"
    rows = [
        ("Order", esc(ident)),
        ("Address", esc(r.get("address"))),
        ("Cylinders", esc(cylinders_text(r, "qty_"))),
        ("Window", window),
        ("Priority", esc(r.get("priority"))),
        ("Notes", esc(r.get("notes"))),
    ]
    return popup_table(esc(r.get(name_col)), rows)
