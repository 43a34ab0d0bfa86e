"""Presentation tables shared by the HTML report, the route sheets and the workbook.

Each function turns :class:`~luckygas.reports.data.PlanData` into a small DataFrame with
human column names and formatted values (``"08:05"``, ``"2×20kg"``). Values stay plain
text: escaping is the job of whoever renders them to HTML.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG
from luckygas.optimize.reasons import hhmm
from luckygas.reports.data import PlanData

#: KPI keys of :attr:`PlanResult.kpis` and how the report labels them.
KPI_LABELS: dict[str, str] = {
    "orders": "Orders",
    "served": "Served",
    "unassigned": "Unserved",
    "vehicles_used": "Vehicles used",
    "vehicles_available": "Vehicles available",
    "distance_km": "Distance (km)",
    "driving_h": "Driving (h)",
    "working_h": "Working (h)",
    "kg_delivered": "Delivered (kg)",
    "on_time_pct": "On time (%)",
    "cost": "Cost (TWD)",
}


def cylinders_text(row: Mapping[str, Any], prefix: str) -> str:
    """``"2×50kg 1×20kg"`` from columns ``{prefix}50kg`` ...; ``""`` when all are zero."""
    parts = []
    for kg in SIZE_CLASSES_KG:
        n = int(row.get(f"{prefix}{kg}kg", 0) or 0)
        if n:
            parts.append(f"{n}×{kg}kg")
    return " ".join(parts)


def window_text(start_s: Any, end_s: Any) -> str:
    """``"08:00–12:00"``; ``""`` when the stop has no window."""
    if pd.isna(start_s) or pd.isna(end_s) or (int(start_s) == 0 and int(end_s) == 0):
        return ""
    return f"{hhmm(int(start_s))}–{hhmm(int(end_s))}"


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def kpi_table(data: PlanData) -> pd.DataFrame:
    """The KPIs as two columns, ``KPI`` and ``Value``, in a fixed order."""
    kpis = data.result.kpis
    rows = [(label, kpis[key]) for key, label in KPI_LABELS.items() if key in kpis]
    return pd.DataFrame(rows, columns=["KPI", "Value"])


def route_labels(data: PlanData) -> dict[int, str]:
    """``vehicle_id -> "R1 Truck A"`` in route order (the numbering every output uses)."""
    return {
        int(r.vehicle_id): f"R{i} {r.vehicle_name}"
        for i, r in enumerate(data.result.routes.itertuples(), 1)
    }


def route_table(data: PlanData) -> pd.DataFrame:
    """One row per route: vehicle, driver, times, stops, km, load and cost."""
    rows = []
    for i, r in enumerate(data.routes().to_dict("records"), 1):
        rows.append(
            {
                "Route": f"R{i}",
                "Vehicle": _text(r["vehicle_name"]),
                "Plate": _text(r["vehicle_plate"]),
                "Type": _text(r["vehicle_type"]),
                "Driver": _text(r["driver_name"]),
                "Start": hhmm(r["start_s"]),
                "End": hhmm(r["end_s"]),
                "Stops": int(r["n_stops"]),
                "km": round(float(r["distance_m"]) / 1000, 1),
                "Driving (h)": round(float(r["drive_s"]) / 3600, 2),
                "Load (kg)": int(r["load_kg"]),
                "Cylinders": cylinders_text(r, "load_"),
                "Utilisation (%)": round(100 * float(r.get("utilisation_kg", 0) or 0), 1),
                "Cost (TWD)": round(float(r["cost"]), 0),
            }
        )
    return pd.DataFrame(rows, columns=ROUTE_TABLE_COLUMNS)


ROUTE_TABLE_COLUMNS = [
    "Route", "Vehicle", "Plate", "Type", "Driver", "Start", "End", "Stops", "km", "Driving (h)",
    "Load (kg)", "Cylinders", "Utilisation (%)", "Cost (TWD)",
]  # fmt: skip

STOP_TABLE_COLUMNS = [
    "Seq", "Arrival", "Window", "Customer", "Code", "Address", "Phone", "Deliver",
    "Empties", "Notes",
]  # fmt: skip


def stop_table(data: PlanData, vehicle_id: int | None = None) -> pd.DataFrame:
    """The stops of one route (or of all routes, with a ``Route`` column first)."""
    stops = data.stops()
    labels = route_labels(data)
    if vehicle_id is not None:
        stops = stops[stops["vehicle_id"] == vehicle_id]
    order = {v: i for i, v in enumerate(labels)}
    stops = stops.assign(_r=stops["vehicle_id"].map(order)).sort_values(["_r", "sequence"])
    rows = []
    for s in stops.to_dict("records"):
        row = {
            "Route": labels.get(int(s["vehicle_id"]), str(s["vehicle_id"])),
            "Seq": int(s["sequence"]),
            "Arrival": hhmm(s["arrival_s"]),
            "Window": window_text(s["window_start_s"], s["window_end_s"]),
            "Customer": _text(s["customer_name"]),
            "Code": _text(s["customer_code"]),
            "Address": _text(s["address"]),
            "Phone": _text(s["phone"]),
            "Deliver": cylinders_text(s, "qty_"),
            "Empties": cylinders_text(s, "empties_"),
            "Notes": _text(s["notes"]),
        }
        rows.append(row)
    columns = STOP_TABLE_COLUMNS if vehicle_id is not None else ["Route", *STOP_TABLE_COLUMNS]
    return pd.DataFrame(rows, columns=["Route", *STOP_TABLE_COLUMNS])[columns]


def unassigned_table(data: PlanData) -> pd.DataFrame:
    """Unserved orders with the reason an analyst can act on."""
    un = data.result.unassigned.merge(data.contacts, on="customer_id", how="left")
    rows = [
        {
            "Order": data.order_numbers.get(int(u["order_id"]), str(u["order_id"])),
            "Customer": _text(u["customer_name"]),
            "Code": _text(u.get("customer_code")),
            "Priority": _text(u["priority"]),
            "Reason code": _text(u["reason_code"]),
            "Reason": _text(u["reason"]),
        }
        for u in un.to_dict("records")
    ]
    return pd.DataFrame(
        rows, columns=["Order", "Customer", "Code", "Priority", "Reason code", "Reason"]
    )


def run_table(data: PlanData) -> pd.DataFrame:
    """The run record (solver, seed, limits, fingerprint, wall time) as ``Field``/``Value``."""
    run = dataclasses.asdict(data.result.run)
    rows = [
        ("Plan", data.title),
        ("Source", {"saved": "saved plan", "solved": "solved for this report (not saved)",
                    "given": "supplied by caller"}[data.source]),
    ]  # fmt: skip
    for key, value in run.items():
        shown = json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict) else value
        if isinstance(shown, float):
            shown = round(shown, 3)
        rows.append((key, "" if shown is None else str(shown)))
    return pd.DataFrame(rows, columns=["Field", "Value"])
