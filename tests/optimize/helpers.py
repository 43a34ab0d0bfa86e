"""Tiny hand-checkable problems for the optimizer tests.

The "line" world: the depot and customers sit on a straight road, customer ``k`` is
``k`` km from the depot and every km takes exactly 60 s for every vehicle type
(a :class:`UserMatrix`), so expected times can be worked out by hand.
"""

from __future__ import annotations

import datetime as dt

from luckygas.domain import VehicleType
from luckygas.optimize import (
    Depot,
    Location,
    Order,
    PlanResult,
    RoutingProblem,
    ServiceTime,
    SolverParams,
    UserMatrix,
    Vehicle,
    check_plan,
    solve,
)

H = 3600
DATE = dt.date(2025, 5, 5)  # a Monday
DEPOT = Depot(0, "Taitung depot", Location(22.7553, 121.1504), 6 * H, 22 * H)
#: Fast, reproducible search for tests: stops on a solution count (no timing assertions).
FAST = SolverParams(time_limit_s=5.0).replace(deterministic=True, solution_limit=60)


def line_matrix(n: int = 12, sec_per_km: int = 60) -> UserMatrix:
    """Depot id 0 and customer ids 1..n at k km along a line."""
    ids = list(range(n + 1))
    dist = [[1000 * abs(i - j) for j in ids] for i in ids]
    dur = [[sec_per_km * abs(i - j) for j in ids] for i in ids]
    return UserMatrix.from_arrays(ids, dist, dur)


def order(
    oid: int, km: int | None = None, demand: dict[int, int] | None = None, **kw: object
) -> Order:
    """An order of customer ``km`` (defaults to ``oid``) with a fake location near Taitung."""
    km = oid if km is None else km
    kw.setdefault("location", Location(22.75 + km * 0.001, 121.15))
    return Order(id=oid, customer_id=km, customer_name=f"cust{km}", demand=demand or {20: 1}, **kw)  # type: ignore[arg-type]


def vehicle(vid: int, vtype: VehicleType = VehicleType.LIGHT_TRUCK, **kw: object) -> Vehicle:
    """A vehicle with roomy defaults (08:00-18:00, 20 of each size, 1,000 kg)."""
    caps = (
        {50: 0, 20: 20, 16: 20, 10: 20, 4: 20}
        if vtype == VehicleType.MOTORCYCLE
        else {50: 20, 20: 20, 16: 20, 10: 20, 4: 20}
    )
    kw.setdefault("capacity", caps)
    kw.setdefault("max_kg", 1000)
    return Vehicle(id=vid, name=f"v{vid}", type=vtype, **kw)  # type: ignore[arg-type]


def problem(
    orders: list[Order],
    vehicles: list[Vehicle],
    service: ServiceTime | None = None,
    matrix: object = "line",
) -> RoutingProblem:
    """A RoutingProblem on the line world (service defaults to a flat 600 s)."""
    m = line_matrix() if matrix == "line" else matrix
    return RoutingProblem(
        DATE, DEPOT, orders, vehicles, service or ServiceTime(base_s=600, per_cylinder_s={}), m
    )  # type: ignore[arg-type]


def solve_checked(p: RoutingProblem, params: SolverParams = FAST, **kw: object) -> PlanResult:
    """Solve and assert the independent checker finds no violation (and a status is told)."""
    res = solve(p, params, **kw)  # type: ignore[arg-type]
    violations = check_plan(p, res, locked=kw.get("locked"))  # type: ignore[arg-type]
    assert violations == [], violations
    assert res.run.status, "every run reports how the search ended"
    return res


def route_of(res: PlanResult, vid: int) -> list[int]:
    """Order ids served by vehicle ``vid``, in sequence."""
    s = res.stops[res.stops["vehicle_id"] == vid].sort_values("sequence")
    return [int(x) for x in s["order_id"]]


def reason(res: PlanResult, oid: int) -> str:
    """Reason code of an unassigned order ('' if served)."""
    u = res.unassigned[res.unassigned["order_id"] == oid]
    return "" if u.empty else str(u["reason_code"].iloc[0])
