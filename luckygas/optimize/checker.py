"""Independent plan checker: recomputes everything from the problem and its matrix.

It shares no code with the solver or the pre-filter (the compatibility rule is restated
here on purpose), so a modelling bug in one cannot hide itself in the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from luckygas.domain import SIZE_CLASSES_KG, VehicleRequirement, VehicleType
from luckygas.optimize.matrix import default_matrix
from luckygas.optimize.problem import Order, RoutingProblem, Vehicle
from luckygas.optimize.result import PlanResult

if TYPE_CHECKING:
    import pandas as pd

    from luckygas.optimize.matrix import MatrixData


@dataclass(frozen=True)
class Violation:
    """One broken rule: a short code, the vehicle/order concerned and a message."""

    code: str
    message: str
    vehicle_id: int | None = None
    order_id: int | None = None


def _travel(d: int, speed_factor: float) -> int:
    return d if speed_factor == 1.0 else round(d / speed_factor)


def check_plan(
    problem: RoutingProblem, result: PlanResult, locked: Mapping[int, Sequence[int]] | None = None
) -> list[Violation]:
    """Check ``result`` against every rule of ``problem``.

    Parameters
    ----------
    problem
        The day that was planned.
    result
        The plan to check.
    locked
        Optional ``{vehicle_id: [order_id]}`` locks that must open those routes.

    Returns
    -------
    list[Violation]
        Empty if the plan is valid.
    """
    out: list[Violation] = []
    orders = problem.orders_by_id
    vehicles = problem.vehicles_by_id
    stops, routes = result.stops, result.routes

    served = list(stops["order_id"]) if len(stops) else []
    unassigned = list(result.unassigned["order_id"]) if len(result.unassigned) else []
    for oid in set(served):
        if served.count(oid) > 1:
            out.append(Violation("DUPLICATE_VISIT", "order visited more than once", order_id=oid))
    for oid in set(served) & set(unassigned):
        out.append(
            Violation("SERVED_AND_UNASSIGNED", "order is both served and unassigned", order_id=oid)
        )
    for oid in orders.keys() - set(served) - set(unassigned):
        out.append(Violation("MISSING_ORDER", "order neither served nor unassigned", order_id=oid))
    for oid in (set(served) | set(unassigned)) - orders.keys():
        out.append(
            Violation("UNKNOWN_ORDER", "plan mentions an order not in the problem", order_id=oid)
        )
    if out:
        return out

    located = [o for o in problem.orders if o.location is not None]
    md = (problem.matrix or default_matrix()).build(problem.depot, located)
    node = {o.id: i + 1 for i, o in enumerate(located)}

    for route in routes.itertuples():
        v = vehicles.get(route.vehicle_id)
        if v is None:
            out.append(Violation("UNKNOWN_VEHICLE", "route of unknown vehicle", route.vehicle_id))
            continue
        rs = stops[stops["vehicle_id"] == v.id].sort_values("sequence")
        seq = [orders[int(x)] for x in rs["order_id"]]
        reloads = getattr(result, "reloads", None)
        rl = (
            reloads[reloads["vehicle_id"] == v.id].sort_values("trip")
            if reloads is not None and len(reloads)
            else None
        )
        out += _check_route(problem, v, route, rs, seq, md, node, rl)
        if locked and v.id in locked:
            # Reload markers (None) in a lock are trips; the checker compares the stops.
            want = [o for o in locked[v.id] if o is not None]
            if [o.id for o in seq[: len(want)]] != want:
                out.append(
                    Violation("LOCK_BROKEN", f"route does not start with locked {want}", v.id)
                )
    if locked:
        for vid, oids in locked.items():
            if any(o is not None for o in oids) and vid not in set(routes["vehicle_id"]):
                out.append(Violation("LOCK_BROKEN", "locked vehicle has no route", vid))
    return out


def _trips(v, rs, seq, rl, bad) -> list[int]:  # type: ignore[no-untyped-def]
    """Trip number of each stop (1 without a trip column); checks trip numbering."""
    trip_of = [int(t) for t in rs["trip"]] if "trip" in rs.columns else [1] * len(seq)
    if any(b < a for a, b in itertools.pairwise(trip_of)) or (trip_of and trip_of[0] != 1):
        bad("TRIP_ORDER", f"stop trips {trip_of} are not 1, 2, ... in sequence")
    n_trips = max(trip_of, default=1)
    if n_trips > v.max_trips:
        bad("MAX_TRIPS", f"{n_trips} trips > {v.max_trips}")
    want = list(range(2, n_trips + 1))
    have = [] if rl is None else [int(t) for t in rl["trip"]]
    if have != want:
        bad("RELOAD_MISSING", f"reloads before trips {have}, expected {want}")
    return trip_of


#: ``bad(code, message, order_id=None)``: record a violation of the route being checked.
_Bad = Callable[..., None]


def _check_route(problem, v, route, rs, seq, md, node, rl=None) -> list[Violation]:  # type: ignore[no-untyped-def]
    """Every rule of one route: loads and vehicle rules first, then the clock."""
    out: list[Violation] = []

    def bad(code: str, msg: str, oid: int | None = None) -> None:
        out.append(Violation(code, msg, v.id, oid))

    trip_of = _trips(v, rs, seq, rl, bad)
    if not out:
        _check_loads_and_rules(v, seq, trip_of, bad)
    if not out:
        brk = _check_shift_and_break(problem, v, route, bad)
        _check_clock(problem, v, route, rs, seq, md, node, rl, trip_of, brk, bad)
    return out


def _check_loads_and_rules(v: Vehicle, seq: list[Order], trip_of: list[int], bad: _Bad) -> None:
    """Capacity per trip (the vehicle is refilled at each reload), stops, type and pins."""
    for trip in sorted(set(trip_of)):
        load = [o for o, t in zip(seq, trip_of, strict=True) if t == trip]
        for kg in SIZE_CLASSES_KG:
            if sum(o.demand[kg] for o in load) > v.capacity[kg]:
                bad("CAPACITY_SIZE", f"trip {trip}: {kg} kg load exceeds capacity {v.capacity[kg]}")
        if sum(o.kg for o in load) > v.max_kg:
            bad("CAPACITY_KG", f"trip {trip}: load exceeds {v.max_kg} kg")
    if v.max_stops is not None and len(seq) > v.max_stops:
        bad("MAX_STOPS", f"{len(seq)} stops > {v.max_stops}")
    for o in seq:
        moto = v.type == VehicleType.MOTORCYCLE
        if (o.requirement == VehicleRequirement.MOTORCYCLE and not moto) or (
            moto and (o.requirement == VehicleRequirement.CAR or o.demand[50] > 0)
        ):
            bad("INCOMPATIBLE", f"{v.type} may not serve this order", o.id)
        if o.pinned_vehicle_id is not None and o.pinned_vehicle_id != v.id:
            bad("PIN_BROKEN", f"order pinned to vehicle {o.pinned_vehicle_id}", o.id)
        if o.location is None or o.closed_reason is not None or not o.windows:
            bad("NOT_SERVABLE", "order without coordinates or closed today was routed", o.id)


def _check_shift_and_break(
    problem: RoutingProblem, v: Vehicle, route: Any, bad: _Bad
) -> int | None:
    """The route inside the shift and its span limit, the break inside its window.

    Returns the break's start (None without one).
    """
    start, end = int(route.start_s), int(route.end_s)
    lo, hi = max(v.shift_start_s, problem.depot.open_s), min(v.shift_end_s, problem.depot.close_s)
    if start < lo or end > hi:
        bad("SHIFT", f"route {start}-{end} outside shift {lo}-{hi}")
    if v.max_route_s is not None and end - start > v.max_route_s:
        bad("MAX_DURATION", f"route lasts {end - start} s > {v.max_route_s} s")
    brk = (
        None
        if route.break_start_s is None or str(route.break_start_s) == "<NA>"
        else int(route.break_start_s)
    )
    if v.has_break:
        # has_break means both ends of the window are set.
        earliest, latest = v.break_start_earliest_s or 0, v.break_end_latest_s or 0
        if brk is None:
            bad("BREAK_MISSING", "driver break not scheduled")
        elif not (earliest <= brk and brk + v.break_duration_s <= latest):
            bad("BREAK_WINDOW", f"break at {brk} outside its window")
    return brk


def _check_clock(
    problem: RoutingProblem,
    v: Vehicle,
    route: Any,
    rs: pd.DataFrame,
    seq: list[Order],
    md: MatrixData,
    node: Mapping[int, int],
    rl: pd.DataFrame | None,
    trip_of: list[int],
    brk: int | None,
    bad: _Bad,
) -> None:
    """Walk the route: travel, reloads, windows and service times; the break in a gap.

    The break may sit in any gap (travel or waiting), never in a service.
    """
    start, end = int(route.start_s), int(route.end_s)
    t_free, prev = start, 0
    brk_fits = brk is None or brk + v.break_duration_s <= start or brk >= end

    def gap(until: int, travel: int) -> int:
        """Travel before ``until``, plus the break if it is taken in this gap."""
        nonlocal brk_fits
        if brk is not None and t_free <= brk and brk + v.break_duration_s <= until:
            brk_fits = True
            return travel + v.break_duration_s
        return travel

    reload_at = {} if rl is None else {int(r.trip): r for r in rl.itertuples()}
    cur_trip = 1
    for o, s, trip in zip(seq, rs.itertuples(), trip_of, strict=True):
        if trip != cur_trip:  # back to the depot, reload, and out again
            cur_trip = trip
            r = reload_at[trip]
            arrive, leave = int(r.arrival_s), int(r.departure_s)
            need = gap(arrive, _travel(int(md.duration_s[v.type][prev, 0]), v.speed_factor))
            if arrive < t_free + need:
                bad(
                    "TIME_TRAVEL",
                    f"reload before trip {trip} at {arrive}, earliest {t_free + need}",
                )
            if leave - arrive < v.reload_s:
                bad(
                    "RELOAD_TIME",
                    f"reload before trip {trip} lasts {leave - arrive} s < {v.reload_s} s",
                )
            if brk is not None and brk + v.break_duration_s <= leave and brk >= arrive:
                brk_fits = brk_fits or leave - arrive >= v.reload_s + v.break_duration_s
            t_free, prev = leave, 0
        m = node[o.id]
        begin = int(s.start_s)
        need = gap(begin, _travel(int(md.duration_s[v.type][prev, m]), v.speed_factor))
        if begin < t_free + need:
            bad(
                "TIME_TRAVEL", f"service starts at {begin}, earliest possible {t_free + need}", o.id
            )
        if not any(a <= begin <= b for a, b in o.windows):
            bad("WINDOW", f"service start {begin} outside windows {o.windows}", o.id)
        svc = problem.service_time.of(o)
        if int(s.service_s) != svc or int(s.departure_s) != begin + svc:
            bad("SERVICE_TIME", f"service {s.service_s} s, expected {svc} s", o.id)
        t_free, prev = begin + svc, m
    need = gap(end, _travel(int(md.duration_s[v.type][prev, 0]), v.speed_factor))
    if end < t_free + need:
        bad("TIME_TRAVEL", f"route ends at {end}, earliest possible {t_free + need}")
    if v.has_break and brk is not None and not brk_fits:
        bad("BREAK_OVERLAP", f"break at {brk} overlaps a service or has no room in its gap")
