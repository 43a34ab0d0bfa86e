"""HTML and PNG renderings of a plan for the panels (every data value escaped)."""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from luckygas.maps import cylinders_text, hhmm

if TYPE_CHECKING:
    from luckygas.optimize.result import PlanResult

#: KPI rows of the panel, served orders first, then what the plan costs: the route cost
#: alone falls when orders are dropped, so the cost of the unserved orders and the total
#: sit right under it.
_KPI_LABELS: tuple[tuple[str, str], ...] = (
    ("served", "Orders served"),
    ("unassigned", "Not planned"),
    ("cost", "Route cost (TWD)"),
    ("unserved_cost", "Cost of unserved orders (TWD)"),
    ("total_cost", "Total cost (TWD)"),
    ("vehicles_used", "Vehicles used"),
    ("distance_km", "Distance (km)"),
    ("driving_h", "Driving (h)"),
    ("working_h", "Working (h)"),
    ("kg_delivered", "kg delivered"),
    ("on_time_pct", "On time (%)"),
    ("kept_vehicle_pct", "Kept their vehicle (%)"),
)
_TWD_KEYS = frozenset({"cost", "unserved_cost", "total_cost"})


def kpi_table_html(result: PlanResult) -> str:
    """The plan's KPIs as a two-column HTML table; ``–`` for a KPI the plan lacks."""
    k = result.kpis
    rows = []
    for key, label in _KPI_LABELS:
        value = twd(k.get(key)) if key in _TWD_KEYS else _fmt(k.get(key))
        weight = "font-weight:bold;" if key in ("served", "total_cost") else ""
        rows.append(
            f"<tr><th style='text-align:left;white-space:nowrap;padding-right:12px'>{label}</th>"
            f"<td style='text-align:right;white-space:nowrap;{weight}'>{html.escape(value)}</td>"
            "</tr>"
        )
    return f"<table>{''.join(rows)}</table>"


def twd(value: Any) -> str:
    """``"20,206"`` (whole TWD), or ``"–"`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.0f}"


def plan_summary(result: PlanResult) -> str:
    """One line on the plan, served orders first, then its cost (plain text, not HTML).

    ``"230/232 orders served on 11 routes · route cost 20,206 TWD + unserved 20,000 TWD
    = 40,206 TWD · 675.9 km"``; without the unserved cost among the KPIs, the route cost
    only.
    """
    k = result.kpis
    parts = [
        f"{k.get('served', 0)}/{k.get('orders', 0)} orders served"
        f" on {k.get('vehicles_used', 0)} route{'' if k.get('vehicles_used') == 1 else 's'}"
    ]
    cost = f"route cost {twd(k.get('cost'))} TWD"
    if k.get("unserved_cost") is not None and k.get("total_cost") is not None:
        cost += f" + unserved {twd(k['unserved_cost'])} TWD = {twd(k['total_cost'])} TWD"
    parts.append(cost)
    if k.get("distance_km") is not None:
        parts.append(f"{float(k['distance_km']):,.1f} km")
    return " · ".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:,.1f}"
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
