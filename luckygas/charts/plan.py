"""Charts of one plan: the route timeline, the loads per route and trip, KPIs by zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from luckygas.charts.style import (
    SEGMENT_COLOURS,
    SIZE_COLOURS,
    axes_or_new,
    figure_of,
    hour_axis,
    with_cjk_fonts,
)
from luckygas.domain import SIZE_CLASSES_KG
from luckygas.maps import UNSERVED_COLOUR, route_colours

if TYPE_CHECKING:
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult


@with_cjk_fonts
def route_timeline(
    result: PlanResult, problem: RoutingProblem | None = None, *, ax: Axes | None = None
) -> Figure:
    """Gantt chart: one row per route with drive, service, wait, break and reload segments.

    A vehicle that goes back to the depot to reload between trips shows the drive back
    and a dark "reload at depot" segment. Each stop's time window is a thin bar under its
    route row; a stop that starts after its window closed is marked with a red ✕. With
    ``problem``, the driver's shift is drawn as brackets.

    Parameters
    ----------
    result
        The plan.
    problem
        The solved problem (optional; for the shifts).
    ax
        Axes to draw on; a new figure sized to the number of routes otherwise.

    Returns
    -------
    Figure
    """
    routes = result.routes
    stops = result.stops
    ax = axes_or_new(ax, (11, 1.0 + 0.7 * max(len(routes), 1)))
    colours = route_colours(list(routes["vehicle_id"]))
    vehicles = problem.vehicles_by_id if problem is not None else {}
    reloads = getattr(result, "reloads", None)
    labels = []
    for row, r in enumerate(routes.to_dict("records")):
        y = len(routes) - 1 - row  # first route on top
        vid = int(r["vehicle_id"])
        labels.append((y, f"{row + 1} · {r['vehicle_name']}"))
        rs = stops[stops["vehicle_id"] == vid].sort_values("sequence")
        drive = [(a - t, t) for a, t in zip(rs["arrival_s"], rs["travel_from_prev_s"], strict=True)]
        if len(rs):
            last = float(rs["departure_s"].iloc[-1])
            drive.append((last, max(float(r["end_s"]) - last, 0.0)))
        reload = _reload_segments(rs, reloads, vid)
        drive += [
            (prev_departure, arrival - prev_departure) for prev_departure, arrival, _ in reload
        ]
        ax.broken_barh(drive, (y - 0.25, 0.5), facecolors=SEGMENT_COLOURS["drive"], label="drive")
        if reload:
            ax.broken_barh(
                [(a, d - a) for _, a, d in reload],
                (y - 0.25, 0.5),
                facecolors=SEGMENT_COLOURS["reload"],
                label="reload",
            )
        waits = [(a, w) for a, w in zip(rs["arrival_s"], rs["wait_s"], strict=True) if w > 0]
        ax.broken_barh(waits, (y - 0.25, 0.5), facecolors=SEGMENT_COLOURS["wait"], label="wait")
        service = list(zip(rs["start_s"], rs["service_s"], strict=True))
        ax.broken_barh(
            service,
            (y - 0.25, 0.5),
            facecolors=colours[vid],
            edgecolors="white",
            linewidth=0.5,
            label="service",
        )
        if pd.notna(r["break_start_s"]) and r["break_s"]:
            brk = [(float(r["break_start_s"]), float(r["break_s"]))]
            ax.broken_barh(brk, (y - 0.25, 0.5), facecolors=SEGMENT_COLOURS["break"], hatch="//")
        windows = [
            (a, b - a) for a, b in zip(rs["window_start_s"], rs["window_end_s"], strict=True)
        ]
        ax.broken_barh(
            windows, (y - 0.42, 0.1), facecolors=colours[vid], alpha=0.15, label="window"
        )
        late = rs[rs["start_s"] > rs["window_end_s"]]
        if len(late):
            ax.plot(
                late["start_s"], [y + 0.35] * len(late), "x", color=UNSERVED_COLOUR, label="late"
            )
        vehicle = vehicles.get(vid)
        if vehicle is not None:
            ax.plot(
                [vehicle.shift_start_s, vehicle.shift_end_s],
                [y, y],
                "|",
                color="black",
                markersize=22,
                label="shift",
            )
    ax.set_yticks([y for y, _ in labels], [t for _, t in labels])
    ax.set_ylim(-0.7, max(len(routes), 1) - 0.3)
    hour_axis(ax)
    ax.set_title(f"Route timeline · {result.kpis.get('served', len(stops))} stops")
    handles = [Patch(color=SEGMENT_COLOURS[k], label=k) for k in ("drive", "wait")]
    handles += [
        Patch(facecolor=SEGMENT_COLOURS["break"], hatch="//", label="break"),
        Patch(color=SEGMENT_COLOURS["reload"], label="reload at depot"),
        Patch(color="#777777", label="service (route colour)"),
        Patch(color="#777777", alpha=0.25, label="window"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return figure_of(ax)


def _reload_segments(
    rstops: pd.DataFrame, reloads: pd.DataFrame | None, vehicle_id: int
) -> list[tuple[float, float, float]]:
    """``(departure of the trip's last stop, arrival at depot, departure from depot)`` per
    reload of one vehicle (the drive back to the depot is not in any stop's travel time)."""
    if reloads is None or reloads.empty or "trip" not in rstops.columns:
        return []
    out = []
    for rl in reloads[reloads["vehicle_id"] == vehicle_id].to_dict("records"):
        before = rstops[rstops["trip"] < int(rl["trip"])]
        last = float(before["departure_s"].max()) if len(before) else float(rl["arrival_s"])
        out.append((last, float(rl["arrival_s"]), float(rl["departure_s"])))
    return out


@with_cjk_fonts
def route_loads(
    result: PlanResult,
    problem: RoutingProblem | None = None,
    *,
    by: str = "kg",
    ax: Axes | None = None,
) -> Figure:
    """Load per route against capacity.

    Parameters
    ----------
    result
        The plan.
    problem
        The solved problem; gives each vehicle's capacities (without it, ``by="kg"``
        derives the kg limit from ``utilisation_kg`` and ``by="size"`` shows counts).
    by
        ``"kg"``: kg loaded stacked by size class with the vehicle's kg limit as a black
        tick. ``"size"``: per size class, cylinders loaded as a share of the vehicle's
        slots for that size.
    ax
        Axes to draw on.

    Returns
    -------
    Figure
    """
    if by not in ("kg", "size"):
        raise ValueError(f"route_loads: by must be 'kg' or 'size', got {by!r}")
    routes = result.routes
    ax = axes_or_new(ax, (9, 1.2 + 0.45 * max(len(routes), 1)))
    names = [f"{i} · {n}" for i, n in enumerate(routes["vehicle_name"], start=1)][::-1]
    rows = routes.iloc[::-1]
    y = np.arange(len(rows))
    vehicles = problem.vehicles_by_id if problem is not None else {}
    if by == "kg":
        left = np.zeros(len(rows))
        for kg in SIZE_CLASSES_KG:
            width = rows[f"load_{kg}kg"].to_numpy(dtype=float) * kg
            ax.barh(
                y,
                width,
                left=left,
                color=SIZE_COLOURS[kg],
                label=f"{kg} kg",
                edgecolor="white",
                linewidth=0.5,
            )
            left += width
        caps = [_max_kg(r, vehicles) for r in rows.to_dict("records")]
        ax.plot(caps, y, "|", color="black", markersize=18, markeredgewidth=2, label="max kg")
        ax.set_xlabel("kg loaded")
    else:
        h = 0.8 / len(SIZE_CLASSES_KG)
        for i, kg in enumerate(SIZE_CLASSES_KG):
            loaded = rows[f"load_{kg}kg"].to_numpy(dtype=float)
            cap = np.array(
                [
                    vehicles[int(v)].capacity[kg] if int(v) in vehicles else np.nan
                    for v in rows["vehicle_id"]
                ],
                dtype=float,
            )
            share = np.where(cap > 0, 100 * loaded / np.where(cap > 0, cap, 1), np.nan)
            value = share if vehicles else loaded
            ax.barh(
                y - 0.4 + (i + 0.5) * h,
                value,
                height=h,
                color=SIZE_COLOURS[kg],
                label=f"{kg} kg",
                edgecolor="grey",
                linewidth=0.3,
            )
        if vehicles:
            ax.axvline(100, color="black", linewidth=1)
            ax.set_xlabel("cylinders loaded, % of the vehicle's slots")
        else:
            ax.set_xlabel("cylinders loaded")
    ax.set_yticks(y, names)
    ax.set_title("Load per route")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return figure_of(ax)


def _max_kg(route: Mapping[str, Any], vehicles: Mapping[int, Any]) -> float:
    v = vehicles.get(int(route["vehicle_id"]))
    if v is not None:
        return float(v.max_kg)
    util = float(route.get("utilisation_kg") or 0)
    return float(route["load_kg"]) / util if util > 0 else float("nan")


def zone_kpis(result: PlanResult, customers: pd.DataFrame) -> pd.DataFrame:
    """Served and unserved orders, kg and on-time share per zone.

    Parameters
    ----------
    result
        The plan.
    customers
        Customer table with ``id`` (or ``customer_id``) and ``zone_code``.

    Returns
    -------
    DataFrame
        Indexed by zone code (``"-"`` for none): ``served``, ``unserved``, ``kg``,
        ``on_time_pct``.
    """
    key = "customer_id" if "customer_id" in customers.columns else "id"
    zone_of = dict(zip(customers[key].astype(int), customers["zone_code"].fillna("-"), strict=True))
    stops = result.stops.assign(zone=result.stops["customer_id"].map(zone_of).fillna("-"))
    kg = sum(stops[f"qty_{s}kg"] * s for s in SIZE_CLASSES_KG)
    on_time = (stops["start_s"] >= stops["window_start_s"]) & (
        stops["start_s"] <= stops["window_end_s"]
    )
    served = stops.assign(kg=kg, on_time=on_time).groupby("zone")
    un = result.unassigned["customer_id"].map(zone_of).fillna("-").value_counts()
    out = pd.DataFrame(
        {
            "served": served.size(),
            "kg": served["kg"].sum(),
            "on_time_pct": 100 * served["on_time"].mean(),
        }
    )
    out = out.join(un.rename("unserved"), how="outer").fillna({"served": 0, "kg": 0, "unserved": 0})
    out = out.astype({"served": int, "kg": int, "unserved": int})
    out.index.name = "zone"
    return out[["served", "unserved", "kg", "on_time_pct"]].sort_index()


@with_cjk_fonts
def kpis_by_zone(result: PlanResult, customers: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Bar chart of served and unserved orders per zone, annotated with kg delivered.

    Parameters
    ----------
    result
        The plan.
    customers
        Customer table with ``id`` (or ``customer_id``) and ``zone_code``.
    ax
        Axes to draw on.

    Returns
    -------
    Figure
    """
    table = zone_kpis(result, customers)
    ax = axes_or_new(ax, (9, 3.5))
    x = np.arange(len(table))
    ax.bar(x, table["served"], color="#1f77b4", label="served")
    ax.bar(x, table["unserved"], bottom=table["served"], color=UNSERVED_COLOUR, label="not planned")
    for xi, (total, kg) in enumerate(
        zip(table["served"] + table["unserved"], table["kg"], strict=True)
    ):
        ax.annotate(f"{kg} kg", (xi, total), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, list(table.index))
    ax.set_ylabel("orders")
    ax.margins(y=0.12)
    ax.set_title("Orders by zone")
    ax.legend(fontsize=8)
    return figure_of(ax)


# ---------------------------------------------------------------------------
# History charts (deliveries table joined to customers)
# ---------------------------------------------------------------------------
