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
from luckygas.optimize.reasons import hhmm

if TYPE_CHECKING:
    from luckygas.optimize.problem import Order

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

#: Statuses of a search the clock (or a solution count) stopped.
_STOPPED = ("ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED", "ROUTING_FAIL_TIMEOUT")


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
    start_objective: int | None = None
    #: The travel matrix's description: ``RoadMatrix(graph=…)`` on imported roads,
    #: ``HaversineMatrix(…)`` on the great-circle model.
    matrix: str = ""

    def outcome(self) -> str:
        """What the run did, in one phrase an analyst reads.

        One of: nothing to plan; no plan found; proven optimal; kept the starting plan
        (a warm start the search could not better); searched and improved, or searched
        without bettering its first plan, each with how the search stopped (the time
        limit, a solution count, or no better move). :attr:`status` keeps OR-Tools' own
        name for the record.
        """
        status = self.status
        if status in ("NOTHING_TO_PLAN", "NO_VEHICLES") or self.objective is None:
            return status_text(status)
        if status == "ROUTING_OPTIMAL":
            return "proven optimal"
        if status == "START_KEPT":
            return "kept the starting plan (no time left to improve it)"
        improved = self.start_objective is None or self.objective < self.start_objective
        if improved:
            return f"searched and improved; {self._stop()}"
        if self.seeded:
            return "kept the starting plan (the search found nothing better)"
        return f"searched; nothing better than its first plan; {self._stop()}"

    def _stop(self) -> str:
        """How an improving search ended."""
        if self.params.get("deterministic"):
            limit = int(self.params.get("solution_limit") or 0)
            if self.status in _STOPPED and self.solutions < limit:
                # The safety net fired: the plan depends on the machine's speed.
                return "stopped at the safety time limit (not reproducible)"
            return f"stopped after {self.solutions} solutions (deterministic; no time limit)"
        # Guided local search never ends on its own and OR-Tools then reports SUCCESS
        # when the clock stops it: the clock is what tells the two apart.
        if self.wall_s >= 0.9 * self.time_limit_s:
            return "stopped at the time limit"
        if self.status in _STOPPED:
            return "stopped at its solution limit"  # small days stop on a count
        if self.status == "ROUTING_SUCCESS":
            return "no better move found"
        return status_text(self.status)


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
    #: Road line of each trip, ``{(vehicle_id, trip): [(lat, lng), ...]}`` depot to depot,
    #: for plans computed on imported roads; empty on the great-circle model (maps then
    #: draw straight lines between stops).
    paths: dict[tuple[int, int], list[tuple[float, float]]] = dataclasses.field(
        default_factory=dict
    )

    def summary(self) -> str:
        """A few human-readable lines."""
        k = self.kpis
        lines = [
            f"{k['served']}/{k['orders']} orders served by "
            f"{k['vehicles_used']}/{k['vehicles_available']} "
            f"vehicles; {k['distance_km']:.1f} km, {k['driving_h']:.1f} h driving, "
            f"{k['working_h']:.1f} h working, {k['kg_delivered']} kg, cost {k['cost']:.0f} TWD "
            f"[{self.run.outcome()}, {self.run.wall_s:.1f} s]",
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
            "paths": [[v, t, [list(p) for p in line]] for (v, t), line in self.paths.items()],
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
            {(int(v), int(t)): [(float(a), float(b)) for a, b in line]
             for v, t, line in data.get("paths", [])},
        )  # fmt: skip


def unserved_cost(orders: Sequence[Order], params: Mapping[str, Any]) -> float:
    """What the unserved ``orders`` cost in TWD, at the solver's nominal drop penalties.

    A required order (normal, urgent or emergency) counts ``drop_penalty_normal``, an
    optional (forecast) one its own penalty or ``drop_penalty_optional``: the rule of
    :class:`luckygas.scenarios.compare.UnservedCost`, so the panel, the report and the
    scenario comparison add up the same amounts. (The solver weighs urgent orders far
    higher, lexicographically; these are figures to add to route cost when two plans
    serve different orders.)
    """
    required = float(params.get("drop_penalty_normal", 10_000.0))
    optional = float(params.get("drop_penalty_optional", 200.0))
    total = 0.0
    for o in orders:
        if not o.optional:
            total += required
        else:
            total += optional if o.penalty is None else float(o.penalty)
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
