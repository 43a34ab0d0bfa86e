"""Presentation tables shared by the HTML report, the route sheets and the workbook.

Each function turns :class:`~luckygas.reports.data.PlanData` into a small DataFrame with
human column names and formatted values (``"08:05"``, ``"2×20kg"``). Values stay plain
text: escaping is the job of whoever renders them to HTML.
"""

from __future__ import annotations

import dataclasses
import json
import re
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
    "trips": "Trips",
    "distance_km": "Distance (km)",
    "driving_h": "Driving (h)",
    "working_h": "Working (h)",
    "kg_delivered": "Delivered (kg)",
    "on_time_pct": "On time (%)",
    # Route cost alone falls when orders are dropped: the unserved orders' cost and the
    # total stand beside it (the optimizer's kpis ``unserved_cost`` and ``total_cost``).
    "cost": "Route cost (TWD)",
    "unserved_cost": "Cost of unserved orders (TWD)",
    "total_cost": "Total cost (TWD)",
}
#: How vehicle types (:class:`~luckygas.domain.VehicleType` values) are printed.
VEHICLE_TYPE_LABELS: dict[str, str] = {
    "light_truck": "light truck",
    "car": "car",
    "motorcycle": "motorcycle",
}
#: Shown instead of a number that does not exist (on-time share of zero stops).
NO_VALUE = "—"


def cylinders_text(row: Mapping[str, Any], prefix: str) -> str:
    """``"2×50kg 1×20kg"`` from columns ``{prefix}50kg`` ...; ``""`` when all are zero."""
    parts = []
    for kg in SIZE_CLASSES_KG:
        n = int(row.get(f"{prefix}{kg}kg", 0) or 0)
        if n:
            parts.append(f"{n}×{kg}kg")
    return " ".join(parts)


def cylinder_totals(stops: pd.DataFrame, prefix: str = "qty_") -> dict[str, int]:
    """Sum of ``{prefix}<size>kg`` over ``stops`` (the day's cylinders, not one trip's)."""
    return {f"{prefix}{kg}kg": int(stops[f"{prefix}{kg}kg"].sum()) for kg in SIZE_CLASSES_KG}


def window_text(start_s: Any, end_s: Any) -> str:
    """``"08:00–12:00"``; ``""`` when the stop has no window."""
    if pd.isna(start_s) or pd.isna(end_s) or (int(start_s) == 0 and int(end_s) == 0):
        return ""
    return f"{hhmm(int(start_s))}–{hhmm(int(end_s))}"


def vehicle_type_text(value: Any) -> str:
    """``"light truck"`` for ``"light_truck"``; unknown types lose their underscores."""
    text = _text(value)
    return VEHICLE_TYPE_LABELS.get(text, text.replace("_", " "))


def money_text(value: Any) -> str:
    """``"3,327"`` (whole TWD, thousands separated); ``""`` when missing."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):,.0f}"


def kpi_text(key: str, value: Any, kpis: Mapping[str, Any]) -> str:
    """One KPI as the report prints it: cost in whole TWD, ``"—"`` for on-time of nothing."""
    if key == "on_time_pct" and not kpis.get("served"):
        return NO_VALUE
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return NO_VALUE
    if key in ("cost", "unserved_cost", "total_cost"):
        return money_text(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _int(value: Any, default: int = 0) -> int:
    return default if value is None or pd.isna(value) else int(value)


def kpi_table(data: PlanData) -> pd.DataFrame:
    """The KPIs as two columns, ``KPI`` and ``Value`` (formatted text), in a fixed order."""
    kpis = data.result.kpis
    rows = [
        (label, kpi_text(key, kpis[key], kpis)) for key, label in KPI_LABELS.items() if key in kpis
    ]
    return pd.DataFrame(rows, columns=["KPI", "Value"])


def route_labels(data: PlanData) -> dict[int, str]:
    """``vehicle_id -> "R1 Truck A"`` in route order (the numbering every output uses)."""
    return {
        int(r.vehicle_id): f"R{i} {r.vehicle_name}"
        for i, r in enumerate(data.result.routes.itertuples(), 1)
    }


def fullest_trip_text(route: Mapping[str, Any]) -> str:
    """``"58/60 kg (97 %)"``: the heaviest single trip against the vehicle's capacity.

    The capacity in kg is shown only when known (``capacity_kg``); the percentage is the
    optimizer's ``utilisation_kg``, which is per trip, not per day.
    """
    peak = route.get("max_trip_kg")
    if peak is None or pd.isna(peak):
        peak = route.get("load_kg")
    cap = route.get("capacity_kg")
    pct = float(route.get("utilisation_kg") or 0) * 100
    known = cap is not None and not pd.isna(cap)
    kg = f"{int(peak):,}/{float(cap):,.0f} kg" if known else f"{int(peak):,} kg"
    return f"{kg} ({pct:.0f}\u00a0%)"  # no-break space: "97 %" never splits


ROUTE_TABLE_COLUMNS = [
    "Route", "Vehicle", "Plate", "Type", "Driver", "Start", "End", "Stops", "Trips", "km",
    "Driving (h)", "Delivered (kg)", "Cylinders delivered", "Fullest trip (of capacity)",
    "Cost (TWD)",
]  # fmt: skip


def route_table(data: PlanData) -> pd.DataFrame:
    """One row per route: vehicle, driver, times, stops, trips, km, the day's delivery, cost.

    ``Delivered (kg)`` and ``Cylinders delivered`` are the day's totals over every trip;
    ``Fullest trip`` is the heaviest single trip against the vehicle's capacity.
    """
    stops = data.result.stops
    rows = []
    for i, r in enumerate(data.routes().to_dict("records"), 1):
        own = stops[stops["vehicle_id"] == r["vehicle_id"]]
        rows.append(
            {
                "Route": f"R{i}",
                "Vehicle": _text(r["vehicle_name"]),
                "Plate": _text(r["vehicle_plate"]),
                "Type": vehicle_type_text(r["vehicle_type"]),
                "Driver": _text(r["driver_name"]),
                "Start": hhmm(r["start_s"]),
                "End": hhmm(r["end_s"]),
                "Stops": int(r["n_stops"]),
                "Trips": _int(r.get("trips"), 1),
                "km": round(float(r["distance_m"]) / 1000, 1),
                "Driving (h)": round(float(r["drive_s"]) / 3600, 1),
                "Delivered (kg)": int(r["load_kg"]),
                "Cylinders delivered": cylinders_text(cylinder_totals(own), "qty_"),
                "Fullest trip (of capacity)": fullest_trip_text(r),
                "Cost (TWD)": money_text(r["cost"]),
            }
        )
    return pd.DataFrame(rows, columns=ROUTE_TABLE_COLUMNS)


STOP_TABLE_COLUMNS = [
    "Trip", "Seq", "Arrival", "Window", "Order", "Customer", "Code", "Address", "Phone",
    "Deliver", "Empties", "Notes",
]  # fmt: skip


def _sorted_stops(data: PlanData, vehicle_id: int | None) -> pd.DataFrame:
    stops = data.stops()
    if vehicle_id is not None:
        stops = stops[stops["vehicle_id"] == vehicle_id]
    order = {v: i for i, v in enumerate(route_labels(data))}
    return stops.assign(_r=stops["vehicle_id"].map(order)).sort_values(["_r", "sequence"])


def _stop_row(s: Mapping[str, Any], labels: Mapping[int, str]) -> dict[str, Any]:
    return {
        "Route": labels.get(int(s["vehicle_id"]), str(s["vehicle_id"])),
        "Trip": _int(s.get("trip"), 1),
        "Seq": int(s["sequence"]),
        "Arrival": hhmm(s["arrival_s"]),
        "Window": window_text(s["window_start_s"], s["window_end_s"]),
        "Order": _text(s["order_number"]) or str(s["order_id"]),
        "Customer": _text(s["customer_name"]),
        "Code": _text(s["customer_code"]),
        "Address": _text(s["address"]),
        "Phone": _text(s["phone"]),
        "Deliver": cylinders_text(s, "qty_"),
        "Empties": cylinders_text(s, "empties_"),
        "Notes": _text(s["notes"]),
    }


def stop_table(data: PlanData, vehicle_id: int | None = None) -> pd.DataFrame:
    """The stops of one route (or of all routes, with a ``Route`` column first)."""
    labels = route_labels(data)
    rows = [_stop_row(s, labels) for s in _sorted_stops(data, vehicle_id).to_dict("records")]
    columns = STOP_TABLE_COLUMNS if vehicle_id is not None else ["Route", *STOP_TABLE_COLUMNS]
    return pd.DataFrame(rows, columns=["Route", *STOP_TABLE_COLUMNS])[columns]


#: ``Kind`` of an itinerary row.
STOP, RELOAD, BREAK = "stop", "reload", "break"


def reload_text(arrival_s: int, departure_s: int, trip: int, load: str) -> str:
    """``"↺ Back to depot, reload (11:05–11:20) 回場補貨 · trip 2: 3×20kg"``."""
    what = f" · trip {trip}: {load}" if load else f" · trip {trip}"
    return f"↺ Back to depot, reload ({hhmm(arrival_s)}–{hhmm(departure_s)}) 回場補貨{what}"


def break_text(start_s: int, duration_s: int) -> str:
    """``"Lunch break (12:00–13:00) 午休"``."""
    return f"Lunch break ({hhmm(start_s)}–{hhmm(start_s + duration_s)}) 午休"


def break_window(route: Mapping[str, Any]) -> tuple[int, int] | None:
    """``(start_s, end_s)`` of the route's break, or ``None``.

    ``None`` also when the break would start after the route is back at the depot (a
    short route still gets a break slot from the solver; it is no part of the day).
    """
    brk, dur = route.get("break_start_s"), _int(route.get("break_s"))
    if brk is None or pd.isna(brk) or dur <= 0 or int(brk) >= int(route["end_s"]):
        return None
    return int(brk), int(brk) + dur


def route_itinerary(data: PlanData, vehicle_id: int) -> list[dict[str, Any]]:
    """The driver's day on one route, in time order: stops, depot reloads and the break.

    Parameters
    ----------
    data
        The plan.
    vehicle_id
        The route's vehicle.

    Returns
    -------
    list of dict
        Stop rows are :func:`stop_table` rows plus ``Kind="stop"``. Reload and break
        rows have ``Kind`` ``"reload"``/``"break"``, ``Arrival`` (when it starts),
        ``Trip`` (the trip that follows a reload) and the sentence in ``Event``.
    """
    labels = route_labels(data)
    stops = _sorted_stops(data, vehicle_id)
    timed: list[tuple[int, int, dict[str, Any]]] = []
    for s in stops.to_dict("records"):
        timed.append((int(s["arrival_s"]), 2, {**_stop_row(s, labels), "Kind": STOP, "Event": ""}))
    reloads = data.result.reloads
    trip_of = stops["trip"] if "trip" in stops.columns else pd.Series(1, index=stops.index)
    for rl in reloads[reloads["vehicle_id"] == vehicle_id].to_dict("records"):
        trip = int(rl["trip"])
        load = cylinders_text(cylinder_totals(stops[trip_of == trip]), "qty_")
        event = reload_text(int(rl["arrival_s"]), int(rl["departure_s"]), trip, load)
        timed.append((int(rl["arrival_s"]), 0, _event_row(RELOAD, rl["arrival_s"], trip, event)))
    route = data.result.routes[data.result.routes["vehicle_id"] == vehicle_id]
    if len(route) and (brk := break_window(route.iloc[0])) is not None:
        row = _event_row(BREAK, brk[0], None, break_text(brk[0], brk[1] - brk[0]))
        timed.append((brk[0], 1, row))
    # A stable sort by (time, kind): a break that starts as a reload ends follows it.
    return [row for _t, _k, row in sorted(timed, key=lambda x: (x[0], x[1]))]


def _event_row(kind: str, start_s: Any, trip: int | None, event: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(["Route", *STOP_TABLE_COLUMNS], "")
    row.update({"Kind": kind, "Arrival": hhmm(int(start_s)), "Event": event})
    if trip is not None:
        row["Trip"] = trip
    return row


def unassigned_table(data: PlanData) -> pd.DataFrame:
    """Unserved orders with the reason an analyst can act on."""
    un = data.result.unassigned.merge(data.contacts, on="customer_id", how="left")
    rows = [
        {
            "Order": data.order_numbers.get(int(u["order_id"])) or str(u["order_id"]),
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


def matrix_text(description: str) -> str:
    """The travel matrix a plan used, in words (its full description is the fingerprint's).

    ``"imported roads (graph 3f2a…)"``, ``"straight lines × road factor 1.3"``, or the
    given matrix's name; ``""`` for plans saved before the record named it.
    """
    if description.startswith("RoadMatrix"):
        graph = re.search(r"graph=([^,)]+)", description)
        return "imported roads" + (f" (graph {graph.group(1)})" if graph else "")
    if description.startswith("HaversineMatrix"):
        factor = re.search(r"road_factor=([0-9.]+)", description)
        return "straight lines" + (f" × road factor {factor.group(1)}" if factor else "")
    given = re.match(r"UserMatrix\(([^,]*),", description)
    return f"given matrix {given.group(1)}" if given else description


def run_table(data: PlanData) -> pd.DataFrame:
    """The run record (solver, seed, limits, fingerprint, wall time) as ``Field``/``Value``."""
    run = dataclasses.asdict(data.result.run)
    rows = [
        ("Plan", data.title),
        ("Source", {"saved": "saved plan", "solved": "solved for this report (not saved)",
                    "given": "supplied by caller"}[data.source]),
    ]  # fmt: skip
    rows.append(("outcome", data.result.run.outcome()))
    for key, value in run.items():
        if key == "matrix":
            value = matrix_text(str(value))
        shown = json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict) else value
        if isinstance(shown, float):
            shown = round(shown, 3)
        rows.append((key, "" if shown is None else str(shown)))
    return pd.DataFrame(rows, columns=["Field", "Value"])
