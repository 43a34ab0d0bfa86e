"""The plan as data: DataFrames for routes, stops and unassigned orders, KPIs, run record.

Extraction only; nothing here imports the solver, so a stored plan can be loaded and
inspected without OR-Tools (:meth:`PlanResult.from_dict`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG
from luckygas.optimize.matrix import scaled_duration
from luckygas.optimize.reasons import hhmm

if TYPE_CHECKING:
    from luckygas.optimize.model import RawSolution
    from luckygas.optimize.prepare import Prepared, Unassigned
    from luckygas.optimize.problem import Order, RoutingProblem

_SIZES = SIZE_CLASSES_KG
ROUTE_COLUMNS = [
    "vehicle_id",
    "vehicle_name",
    "vehicle_type",
    "driver_name",
    "start_s",
    "end_s",
    "n_stops",
    "distance_m",
    "drive_s",
    "service_s",
    "wait_s",
    "break_start_s",
    "break_s",
    "load_kg",
    *[f"load_{kg}kg" for kg in _SIZES],
    "utilisation_kg",
    "cost",
    "trips",
    "max_trip_kg",
]
STOP_COLUMNS = [
    "vehicle_id",
    "sequence",
    "order_id",
    "customer_id",
    "customer_name",
    "address",
    "lat",
    "lng",
    "arrival_s",
    "wait_s",
    "start_s",
    "departure_s",
    "service_s",
    "window_start_s",
    "window_end_s",
    "distance_from_prev_m",
    "travel_from_prev_s",
    *[f"qty_{kg}kg" for kg in _SIZES],
    *[f"empties_{kg}kg" for kg in _SIZES],
    *[f"load_after_{kg}kg" for kg in _SIZES],
    "priority",
    "notes",
    "trip",
]
RELOAD_COLUMNS = ["vehicle_id", "trip", "arrival_s", "departure_s"]
UNASSIGNED_COLUMNS = [
    "order_id",
    "customer_id",
    "customer_name",
    "lat",
    "lng",
    "priority",
    "reason_code",
    "reason",
]


#: OR-Tools search statuses in words an analyst reads (the raw name stays in the run record).
STATUS_TEXT: dict[str, str] = {
    "ROUTING_SUCCESS": "search finished",
    "ROUTING_OPTIMAL": "proven optimal",
    "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": "stopped at the time limit",
    "ROUTING_FAIL": "no plan found",
    "ROUTING_FAIL_TIMEOUT": "no plan found in the time limit",
    "ROUTING_INFEASIBLE": "no plan satisfies the constraints",
    "START_KEPT": "starting plan kept (no time left to improve it)",
    "NOTHING_TO_PLAN": "nothing to plan",
    "NO_VEHICLES": "no vehicles available",
}


def status_text(status: str) -> str:
    """The solver status in plain words (unknown statuses are returned as they are)."""
    return STATUS_TEXT.get(status, status.replace("_", " ").lower())


@dataclass
class RunRecord:
    """How a plan was produced (enough to reproduce or audit it)."""

    solver: str
    params: dict[str, Any]
    seed: int
    time_limit_s: float
    fingerprint: str
    wall_s: float
    status: str
    objective: int | None
    solutions: int
    seeded: bool = False
    first_solution: str = ""


@dataclass
class PlanResult:
    """One planned day. Empty frames (with columns) when nothing was planned.

    ``reloads`` has one row per return to the depot to reload between trips
    (``trip`` is the trip that starts after it); stops carry their ``trip`` (1, 2, ...)
    and routes their number of ``trips``. Route ``load_<size>kg`` and ``max_trip_kg``
    are the largest single-trip loads, ``load_kg`` the day's total.
    """

    routes: pd.DataFrame
    stops: pd.DataFrame
    unassigned: pd.DataFrame
    kpis: dict[str, Any]
    run: RunRecord
    reloads: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=RELOAD_COLUMNS).astype("int64")
    )

    def summary(self) -> str:
        """A few human-readable lines."""
        k = self.kpis
        lines = [
            f"{k['served']}/{k['orders']} orders served by "
            f"{k['vehicles_used']}/{k['vehicles_available']} "
            f"vehicles; {k['distance_km']:.1f} km, {k['driving_h']:.1f} h driving, "
            f"{k['working_h']:.1f} h working, {k['kg_delivered']} kg, cost {k['cost']:.0f} TWD "
            f"[{status_text(self.run.status)}, {self.run.wall_s:.1f} s]",
        ]
        for r in self.routes.itertuples():
            trips = int(getattr(r, "trips", 1) or 1)
            extra = f" in {trips} trips" if trips > 1 else ""
            lines.append(
                f"  {r.vehicle_name}: {r.n_stops} stops{extra} {hhmm(r.start_s)}-{hhmm(r.end_s)} "
                f"{r.distance_m / 1000:.1f} km {r.load_kg} kg"
            )
        if len(self.unassigned):
            codes = self.unassigned["reason_code"].value_counts().to_dict()
            lines.append("  unassigned: " + ", ".join(f"{c} {n}" for c, n in codes.items()))
        return "\n".join(lines)

    __str__ = summary

    def vehicle_routes(self, *, trips: bool = True) -> dict[int, list[int | None]]:
        """``{vehicle_id: [order_id, ...]}`` in visiting order: the plan as a warm start.

        Parameters
        ----------
        trips
            Put ``None`` between two trips (a return to the depot to reload), so a
            re-plan that starts from these routes starts from the same trips. With
            ``False`` only the order ids are listed.

        Returns
        -------
        dict
            One entry per vehicle with a route.
        """
        stops = self.stops.sort_values(["vehicle_id", "sequence"])
        out: dict[int, list[int | None]] = {}
        for vid, group in stops.groupby("vehicle_id", sort=True):
            route: list[int | None] = []
            last_trip = None
            for oid, trip in zip(group["order_id"], group["trip"], strict=True):
                if trips and last_trip is not None and int(trip) != last_trip:
                    route.extend([None] * (int(trip) - last_trip))
                route.append(int(oid))
                last_trip = int(trip)
            out[int(vid)] = route
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (frames as columns + rows + dtypes)."""

        def frame(df: pd.DataFrame) -> dict[str, Any]:
            rows = json.loads(df.to_json(orient="values", date_format="iso"))
            return {
                "columns": list(df.columns),
                "dtypes": {c: str(t) for c, t in df.dtypes.items()},
                "rows": rows,
            }

        return {
            "routes": frame(self.routes),
            "stops": frame(self.stops),
            "unassigned": frame(self.unassigned),
            "reloads": frame(self.reloads),
            "kpis": json.loads(json.dumps(self.kpis)),
            "run": dataclasses.asdict(self.run),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanResult:
        """Inverse of :meth:`to_dict`."""

        def frame(d: dict[str, Any]) -> pd.DataFrame:
            df = pd.DataFrame(d["rows"], columns=d["columns"])
            for c, t in d["dtypes"].items():
                df[c] = df[c].astype("float64" if t == "float64" else t)
            return df

        routes, stops = frame(data["routes"]), frame(data["stops"])
        # Plans saved before multi-trip support: one trip per route, no reloads.
        if "trips" not in routes.columns:
            routes["trips"] = 1
            routes["max_trip_kg"] = routes["load_kg"]
        if "trip" not in stops.columns:
            stops["trip"] = 1
        reloads = (
            frame(data["reloads"])
            if "reloads" in data
            else pd.DataFrame(columns=RELOAD_COLUMNS).astype("int64")
        )
        return cls(
            routes,
            stops,
            frame(data["unassigned"]),
            dict(data["kpis"]),
            RunRecord(**data["run"]),
            reloads,
        )


def unserved_cost(orders: Sequence[Order], params: Mapping[str, Any]) -> float:
    """What the unserved ``orders`` cost in TWD, at the nominal drop penalties.

    A normal order counts ``drop_penalty_normal``, a forecast (optional) one
    ``drop_penalty_optional``, an order with its own penalty that penalty, an urgent one
    10 and an emergency 100 normal orders. The solver weighs urgent orders far higher
    (lexicographically, see ``SolverParams.urgent_factor``); these are the figures an
    analyst can add to route cost to compare two plans that serve different orders.
    """
    normal = float(params.get("drop_penalty_normal", 10_000.0))
    optional = float(params.get("drop_penalty_optional", 200.0))
    factor = {"urgent": 10.0, "emergency": 100.0}
    total = 0.0
    for o in orders:
        if str(o.priority) in factor:
            total += factor[str(o.priority)] * normal
        elif o.penalty is not None:
            total += float(o.penalty)
        else:
            total += optional if o.optional else normal
    return round(total, 2)


def kept_vehicle_pct(stops: pd.DataFrame, start: Mapping[int, Sequence[int | None]]) -> float:
    """Share (%) of the orders planned in ``start`` that are on the same vehicle now.

    Orders of ``start`` that are not served now count as not kept; 100.0 when ``start``
    planned nothing.
    """
    before = {oid: vid for vid, oids in start.items() for oid in oids if oid is not None}
    if not before:
        return 100.0
    now = dict(zip(stops["order_id"].astype(int), stops["vehicle_id"].astype(int), strict=True))
    kept = sum(1 for oid, vid in before.items() if now.get(oid) == vid)
    return round(100.0 * kept / len(before), 1)


def _window_used(windows: tuple[tuple[int, int], ...], t: int) -> tuple[int, int]:
    for a, b in windows:
        if a <= t <= b:
            return a, b
    return windows[0] if windows else (0, 0)


def build_result(
    problem: RoutingProblem,
    prep: Prepared,
    raw: RawSolution,
    unassigned: list[Unassigned],
    run: RunRecord,
    start_routes: Mapping[int, Sequence[int | None]] | None = None,
) -> PlanResult:
    """Turn the solver's raw routes into the DataFrames and KPIs.

    ``start_routes`` is the plan a re-plan started from (``{vehicle_id: [order_id or None]}``);
    it gives the ``kept_vehicle_pct`` KPI.
    """
    from luckygas.optimize.prepare import COST_SCALE

    md = prep.md
    route_rows, stop_rows, reload_rows = [], [], []
    on_time = 0
    for v_idx, nodes in enumerate(raw.routes):
        if not nodes:
            continue
        veh = problem.vehicles[v_idx]
        # Split the route into trips at its reload nodes.
        trips: list[list[int]] = [[]]
        for node in nodes:
            if prep.node_orders[node] is None:
                trips.append([])
            else:
                trips[-1].append(node)
        trip_loads = [
            {kg: sum(prep.node_orders[n].demand[kg] for n in t) for kg in _SIZES}  # type: ignore[union-attr]
            for t in trips
        ]
        trip_kg = [sum(prep.node_orders[n].kg for n in t) for t in trips]  # type: ignore[union-attr]
        load = {kg: max(tl[kg] for tl in trip_loads) for kg in _SIZES}
        load_kg = sum(trip_kg)
        brk = raw.breaks[v_idx]
        dep = raw.depart[v_idx]
        prev_m, t_free = 0, dep
        dist_tot = drive_tot = svc_tot = wait_tot = 0
        trip = 1
        remaining = dict(trip_loads[0])
        seq = 0
        for node, start in zip(nodes, raw.starts[v_idx], strict=True):
            o = prep.node_orders[node]
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
            dist_tot += dist
            drive_tot += travel
            wait_tot += wait
            prev_m, t_free = m, start + svc
            if o is None:  # a reload at the depot: the next trip starts full
                trip += 1
                remaining = dict(trip_loads[trip - 1])
                reload_rows.append(
                    {
                        "vehicle_id": veh.id,
                        "trip": trip,
                        "arrival_s": arrival,
                        "departure_s": start + svc,
                    }
                )
                continue
            seq += 1
            svc_tot += svc
            for kg in _SIZES:
                remaining[kg] -= o.demand[kg]
            ws, we = _window_used(o.windows, start)
            on_time += int(ws <= start <= we)
            loc = o.location
            stop_rows.append(
                {
                    "vehicle_id": veh.id,
                    "sequence": seq,
                    "order_id": o.id,
                    "customer_id": o.customer_id,
                    "customer_name": o.customer_name,
                    "address": o.address,
                    "lat": loc.lat if loc else float("nan"),
                    "lng": loc.lng if loc else float("nan"),
                    "arrival_s": arrival,
                    "wait_s": wait,
                    "start_s": start,
                    "departure_s": start + svc,
                    "service_s": svc,
                    "window_start_s": ws,
                    "window_end_s": we,
                    "distance_from_prev_m": dist,
                    "travel_from_prev_s": travel,
                    **{f"qty_{kg}kg": o.demand[kg] for kg in _SIZES},
                    **{f"empties_{kg}kg": o.empties[kg] for kg in _SIZES},
                    **{f"load_after_{kg}kg": remaining[kg] for kg in _SIZES},
                    "priority": str(o.priority),
                    "notes": o.notes,
                    "trip": trip,
                }
            )
        back = scaled_duration(int(md.duration_s[veh.type][prev_m, 0]), veh.speed_factor)
        dist_tot += int(md.distance_m[prev_m, 0])
        drive_tot += back
        cost = veh.fixed_cost + veh.cost_per_km * dist_tot / 1000
        cap_kg = veh.max_kg or 1
        route_rows.append(
            {
                "vehicle_id": veh.id,
                "vehicle_name": veh.name,
                "vehicle_type": str(veh.type),
                "driver_name": veh.driver_name,
                "start_s": dep,
                "end_s": raw.end[v_idx],
                "n_stops": seq,
                "distance_m": dist_tot,
                "drive_s": drive_tot,
                "service_s": svc_tot,
                "wait_s": wait_tot,
                "break_start_s": brk,
                "break_s": veh.break_duration_s if brk is not None else 0,
                "load_kg": load_kg,
                **{f"load_{kg}kg": load[kg] for kg in _SIZES},
                "utilisation_kg": round(max(trip_kg) / cap_kg, 4),
                "cost": round(cost, 2),
                "trips": trip,
                "max_trip_kg": max(trip_kg),
            }
        )
    routes = pd.DataFrame(route_rows, columns=ROUTE_COLUMNS)
    routes["break_start_s"] = routes["break_start_s"].astype("Int64")
    stops = pd.DataFrame(stop_rows, columns=STOP_COLUMNS)
    un_rows = [
        {
            "order_id": u.order.id,
            "customer_id": u.order.customer_id,
            "customer_name": u.order.customer_name,
            "lat": u.order.location.lat if u.order.location else float("nan"),
            "lng": u.order.location.lng if u.order.location else float("nan"),
            "priority": str(u.order.priority),
            "reason_code": str(u.code),
            "reason": u.reason,
        }
        for u in unassigned
    ]
    un = pd.DataFrame(un_rows, columns=UNASSIGNED_COLUMNS)
    served = len(stops)
    kpis = {
        "vehicles_used": len(routes),
        "vehicles_available": len(problem.vehicles),
        "orders": len(problem.orders),
        "served": served,
        "unassigned": len(un),
        "distance_km": round(float(routes["distance_m"].sum()) / 1000, 3),
        "driving_h": round(float(routes["drive_s"].sum()) / 3600, 3),
        "working_h": round(float((routes["end_s"] - routes["start_s"]).sum()) / 3600, 3),
        "kg_delivered": int(routes["load_kg"].sum()),
        "on_time_pct": round(100.0 * on_time / served, 2) if served else 100.0,
        "cost": round(float(routes["cost"].sum()), 2),
        "objective": None if raw.objective is None else raw.objective / COST_SCALE,
    }
    kpis["trips"] = int(routes["trips"].sum())
    kpis["unserved_cost"] = unserved_cost([u.order for u in unassigned], run.params)
    kpis["total_cost"] = round(kpis["cost"] + kpis["unserved_cost"], 2)
    kpis["kept_vehicle_pct"] = (
        None if start_routes is None else kept_vehicle_pct(stops, start_routes)
    )
    reloads = pd.DataFrame(reload_rows, columns=RELOAD_COLUMNS).astype("int64")
    return PlanResult(routes, stops, un, kpis, run, reloads)
