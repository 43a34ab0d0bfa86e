"""From the solver's node routes to the plan's DataFrames and KPIs (:class:`PlanResult`).

Each route is walked once, stop by stop, with the same clock the driver will live by:
travel from the previous stop (at the vehicle's speed), the break where the solver put
it (on the way or while waiting), waiting for the window, service. Reload nodes become
rows of ``reloads`` and start a new trip with a full vehicle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG
from luckygas.optimize.matrix import scaled_duration
from luckygas.optimize.result import (
    RELOAD_COLUMNS,
    ROUTE_COLUMNS,
    STOP_COLUMNS,
    UNASSIGNED_COLUMNS,
    PlanResult,
    RunRecord,
    kept_vehicle_pct,
    unserved_cost,
)

if TYPE_CHECKING:
    from luckygas.optimize.model import RawSolution
    from luckygas.optimize.prepare import Prepared, Unassigned
    from luckygas.optimize.problem import Order, RoutingProblem, Vehicle

_SIZES = SIZE_CLASSES_KG


def build_result(
    problem: RoutingProblem,
    prep: Prepared,
    raw: RawSolution,
    unassigned: list[Unassigned],
    run: RunRecord,
    start_routes: Mapping[int, Sequence[int | None]] | None = None,
) -> PlanResult:
    """Turn the solver's raw routes into the DataFrames and KPIs.

    Parameters
    ----------
    problem, prep
        The day and its numeric model.
    raw
        The solver's routes (node indices) and times.
    unassigned
        Orders left out, with their reasons.
    run
        How the plan was produced.
    start_routes
        The plan a re-plan started from (``{vehicle_id: [order_id or None]}``); it
        gives the ``kept_vehicle_pct`` KPI.

    Returns
    -------
    PlanResult
    """
    walks = [_walk(problem, prep, raw, v) for v, nodes in enumerate(raw.routes) if nodes]
    routes = pd.DataFrame([w.route for w in walks], columns=ROUTE_COLUMNS)
    routes["break_start_s"] = routes["break_start_s"].astype("Int64")
    stops = pd.DataFrame([row for w in walks for row in w.stops], columns=STOP_COLUMNS)
    reload_rows = [row for w in walks for row in w.reloads]
    reloads = pd.DataFrame(reload_rows, columns=RELOAD_COLUMNS).astype("int64")
    un = pd.DataFrame([_unassigned_row(u) for u in unassigned], columns=UNASSIGNED_COLUMNS)
    kpis = _kpis(problem, raw, routes, stops, len(un), run)
    kpis["unserved_cost"] = unserved_cost([u.order for u in unassigned], run.params)
    kpis["total_cost"] = round(kpis["cost"] + kpis["unserved_cost"], 2)
    kpis["kept_vehicle_pct"] = (
        None if start_routes is None else kept_vehicle_pct(stops, start_routes)
    )
    return PlanResult(routes, stops, un, kpis, run, reloads)


@dataclass
class _Walk:
    """One route walked stop by stop: its row, its stop rows and its reload rows."""

    route: dict[str, Any] = field(default_factory=dict)
    stops: list[dict[str, Any]] = field(default_factory=list)
    reloads: list[dict[str, Any]] = field(default_factory=list)


def _trip_loads(prep: Prepared, nodes: list[int]) -> list[dict[int, int]]:
    """Cylinders per size of each trip (the route split at its reload nodes)."""
    trips: list[dict[int, int]] = [dict.fromkeys(_SIZES, 0)]
    for node in nodes:
        o = prep.node_orders[node]
        if o is None:
            trips.append(dict.fromkeys(_SIZES, 0))
            continue
        for kg in _SIZES:
            trips[-1][kg] += o.demand[kg]
    return trips


def _walk(problem: RoutingProblem, prep: Prepared, raw: RawSolution, v: int) -> _Walk:
    """Arrival, wait, service and load of every stop of vehicle ``v``'s route."""
    veh = problem.vehicles[v]
    md = prep.md
    nodes, brk, dep = raw.routes[v], raw.breaks[v], raw.depart[v]
    trip_loads = _trip_loads(prep, nodes)
    walk = _Walk()
    prev_m, t_free, trip = 0, dep, 1
    remaining = dict(trip_loads[0])
    dist_tot = drive_tot = svc_tot = wait_tot = 0
    for node, start in zip(nodes, raw.starts[v], strict=True):
        m = prep.md_index[node]
        travel = scaled_duration(int(md.duration_s[veh.type][prev_m, m]), veh.speed_factor)
        dist = int(md.distance_m[prev_m, m])
        arrival = t_free + travel
        if brk is not None and t_free <= brk < arrival:
            arrival += veh.break_duration_s  # break taken on the way
        svc = prep.model.service[node]
        wait = max(0, start - arrival)
        if brk is not None and arrival <= brk < start:
            wait = max(0, wait - veh.break_duration_s)  # break taken while waiting
        dist_tot, drive_tot, wait_tot = dist_tot + dist, drive_tot + travel, wait_tot + wait
        prev_m, t_free = m, start + svc
        o = prep.node_orders[node]
        if o is None:  # a reload at the depot: the next trip starts full
            trip += 1
            remaining = dict(trip_loads[trip - 1])
            walk.reloads.append(
                {"vehicle_id": veh.id, "trip": trip, "arrival_s": arrival, "departure_s": t_free}
            )
            continue
        svc_tot += svc
        for kg in _SIZES:
            remaining[kg] -= o.demand[kg]
        timing = {"arrival_s": arrival, "wait_s": wait, "start_s": start, "service_s": svc}
        leg = {"distance_from_prev_m": dist, "travel_from_prev_s": travel}
        walk.stops.append(_stop_row(veh, o, len(walk.stops) + 1, timing, leg, remaining, trip))
    back = scaled_duration(int(md.duration_s[veh.type][prev_m, 0]), veh.speed_factor)
    totals = {
        "distance_m": dist_tot + int(md.distance_m[prev_m, 0]),
        "drive_s": drive_tot + back,
        "service_s": svc_tot,
        "wait_s": wait_tot,
    }
    walk.route = _route_row(veh, prep, raw, v, len(walk.stops), totals, trip_loads)
    return walk


def _window_used(windows: tuple[tuple[int, int], ...], t: int) -> tuple[int, int]:
    for a, b in windows:
        if a <= t <= b:
            return a, b
    return windows[0] if windows else (0, 0)


def _stop_row(
    veh: Vehicle,
    o: Order,
    seq: int,
    timing: Mapping[str, int],
    leg: Mapping[str, int],
    remaining: Mapping[int, int],
    trip: int,
) -> dict[str, Any]:
    ws, we = _window_used(o.windows, timing["start_s"])
    loc = o.location
    return {
        "vehicle_id": veh.id,
        "sequence": seq,
        "order_id": o.id,
        "customer_id": o.customer_id,
        "customer_name": o.customer_name,
        "address": o.address,
        "lat": loc.lat if loc else float("nan"),
        "lng": loc.lng if loc else float("nan"),
        **timing,
        "departure_s": timing["start_s"] + timing["service_s"],
        "window_start_s": ws,
        "window_end_s": we,
        **leg,
        **{f"qty_{kg}kg": o.demand[kg] for kg in _SIZES},
        **{f"empties_{kg}kg": o.empties[kg] for kg in _SIZES},
        **{f"load_after_{kg}kg": remaining[kg] for kg in _SIZES},
        "priority": str(o.priority),
        "notes": o.notes,
        "trip": trip,
    }


def _route_row(
    veh: Vehicle,
    prep: Prepared,
    raw: RawSolution,
    v: int,
    n_stops: int,
    totals: Mapping[str, int],
    trip_loads: list[dict[int, int]],
) -> dict[str, Any]:
    trip_kg = [sum(kg * n for kg, n in t.items()) for t in trip_loads]
    brk = raw.breaks[v]
    return {
        "vehicle_id": veh.id,
        "vehicle_name": veh.name,
        "vehicle_type": str(veh.type),
        "driver_name": veh.driver_name,
        "start_s": raw.depart[v],
        "end_s": raw.end[v],
        "n_stops": n_stops,
        **totals,
        "break_start_s": brk,
        "break_s": veh.break_duration_s if brk is not None else 0,
        "load_kg": sum(trip_kg),
        **{f"load_{kg}kg": max(t[kg] for t in trip_loads) for kg in _SIZES},
        "utilisation_kg": round(max(trip_kg) / (veh.max_kg or 1), 4),
        "cost": round(veh.fixed_cost + veh.cost_per_km * totals["distance_m"] / 1000, 2),
        "trips": len(trip_loads),
        "max_trip_kg": max(trip_kg),
    }


def _unassigned_row(u: Unassigned) -> dict[str, Any]:
    loc = u.order.location
    return {
        "order_id": u.order.id,
        "customer_id": u.order.customer_id,
        "customer_name": u.order.customer_name,
        "lat": loc.lat if loc else float("nan"),
        "lng": loc.lng if loc else float("nan"),
        "priority": str(u.order.priority),
        "reason_code": str(u.code),
        "reason": u.reason,
    }


def _kpis(
    problem: RoutingProblem,
    raw: RawSolution,
    routes: pd.DataFrame,
    stops: pd.DataFrame,
    n_unassigned: int,
    run: RunRecord,
) -> dict[str, Any]:
    from luckygas.optimize.prepare import COST_SCALE

    served = len(stops)
    start, lo, hi = stops["start_s"], stops["window_start_s"], stops["window_end_s"]
    on_time = int(((lo <= start) & (start <= hi)).sum()) if served else 0
    return {
        "vehicles_used": len(routes),
        "vehicles_available": len(problem.vehicles),
        "orders": len(problem.orders),
        "served": served,
        "unassigned": n_unassigned,
        "distance_km": round(float(routes["distance_m"].sum()) / 1000, 3),
        "driving_h": round(float(routes["drive_s"].sum()) / 3600, 3),
        "working_h": round(float((routes["end_s"] - routes["start_s"]).sum()) / 3600, 3),
        "kg_delivered": int(routes["load_kg"].sum()),
        "on_time_pct": round(100.0 * on_time / served, 2) if served else 100.0,
        "cost": round(float(routes["cost"].sum()), 2),
        "objective": None if raw.objective is None else raw.objective / COST_SCALE,
        "trips": int(routes["trips"].sum()),
    }
