"""HTML and PNG renderings of a plan for the panels (every data value escaped)."""

from __future__ import annotations

import html
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from luckygas.maps import cylinders_text, hhmm

if TYPE_CHECKING:
    from luckygas.optimize.result import PlanResult

_KPI_LABELS: tuple[tuple[str, str], ...] = (
    ("served", "Orders served"),
    ("unassigned", "Not planned"),
    ("vehicles_used", "Vehicles used"),
    ("distance_km", "Distance (km)"),
    ("driving_h", "Driving (h)"),
    ("working_h", "Working (h)"),
    ("kg_delivered", "kg delivered"),
    ("on_time_pct", "On time (%)"),
    ("cost", "Cost (TWD)"),
)


def kpi_table_html(result: PlanResult) -> str:
    """The plan's KPIs as a two-column HTML table."""
    k = result.kpis
    rows = "".join(
        f"<tr><th style='text-align:left'>{label}</th><td style='text-align:right'>"
        f"{html.escape(_fmt(k.get(key)))}</td></tr>"
        for key, label in _KPI_LABELS
    )
    return f"<table>{rows}</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "–" if value is None else str(value)


def route_tables_html(result: PlanResult) -> str:
    """One HTML table of stops per route (escaped), headed by the route's summary."""
    parts = []
    stops = result.stops
    for no, r in enumerate(result.routes.to_dict("records"), start=1):
        rs = stops[stops["vehicle_id"] == r["vehicle_id"]].sort_values("sequence")
        table = pd.DataFrame(
            {
                "#": rs["sequence"],
                "customer": rs["customer_name"],
                "address": rs["address"],
                "arrive": [hhmm(s) for s in rs["arrival_s"]],
                "window": [
                    f"{hhmm(a)}–{hhmm(b)}"
                    for a, b in zip(rs["window_start_s"], rs["window_end_s"], strict=True)
                ],
                "deliver": [_cylinders(s) for s in rs.to_dict("records")],
                "order": rs["order_id"],
            }
        )
        head = (
            f"Route {no} · {r['vehicle_name']} · {r['driver_name'] or 'no driver'} · "
            f"{len(rs)} stops · {hhmm(r['start_s'])}–{hhmm(r['end_s'])} · "
            f"{r['distance_m'] / 1000:.1f} km · {r['load_kg']:g} kg"
        )
        parts.append(f"<h4>{html.escape(head)}</h4>" + table.to_html(index=False, escape=True))
    return "".join(parts) or "<i>No routes.</i>"


def unassigned_html(result: PlanResult) -> str:
    """The orders left out, with their reasons (escaped)."""
    un = result.unassigned
    if un.empty:
        return "<i>Every order is planned.</i>"
    table = un[["order_id", "customer_name", "priority", "reason"]]
    return table.to_html(index=False, escape=True)


def _cylinders(row: Mapping[str, Any]) -> str:
    return cylinders_text(row, "qty_")


def figure_png(fig: Any) -> bytes:
    """The figure as PNG bytes (for an ``ipywidgets.Image``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()
