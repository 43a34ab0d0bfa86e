"""Applying a :class:`~luckygas.scenarios.changes.Scenario` to a day's problem.

The scenario is the data (what changes, validated when built); this module is what the
changes do to the fleet, the shifts and breaks, the orders and the depot.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from luckygas.optimize.matrix import HaversineMatrix
from luckygas.optimize.problem import DAY_S, Location, Order, RoutingProblem, ServiceTime, Vehicle
from luckygas.scenarios.changes import (
    DEFAULT_TEMPLATES,
    AddVehicles,
    scale_demand,
    widen_windows,
)

if TYPE_CHECKING:
    from luckygas.scenarios.changes import Scenario


def apply_scenario(sc: Scenario, problem: RoutingProblem) -> RoutingProblem:
    """``problem`` with ``sc``'s changes applied (a new problem; ``problem`` is untouched).

    Raises
    ------
    ValueError
        Naming the scenario and the change that cannot be applied (unknown vehicle
        id/name, too few vehicles of a type to remove, clashing extra order id, a
        moved depot with a user-supplied matrix, an invalid resulting shift/break).
    """
    try:
        vehicles = _fleet(sc, problem)
        vehicles = tuple(_vehicle_times(sc, v) for v in vehicles)
        orders = tuple(_order(sc, o) for o in problem.orders)
        orders = _unpin(orders, {v.id for v in vehicles}) + _extra(sc, problem)
        depot = problem.depot
        if sc.depot_location is not None:
            if problem.matrix is not None and not isinstance(problem.matrix, HaversineMatrix):
                raise ValueError(
                    "depot_location needs a straight-line matrix; the day uses "
                    f"{problem.matrix.describe()}, whose distances cannot follow a moved depot"
                )
            depot = dataclasses.replace(depot, location=Location(*sc.depot_location))
        service = problem.service_time
        if sc.service_time_factor != 1.0:
            f = sc.service_time_factor
            service = ServiceTime(
                base_s=round(service.base_s * f),
                per_cylinder_s={kg: round(s * f) for kg, s in service.per_cylinder_s.items()},
            )
        return dataclasses.replace(
            problem, depot=depot, orders=orders, vehicles=vehicles, service_time=service
        )
    except ValueError as exc:
        raise ValueError(f"Scenario {sc.name!r}: {exc}") from exc


def _fleet(sc: Scenario, problem: RoutingProblem) -> tuple[Vehicle, ...]:
    fleet = list(problem.vehicles)
    ids = {v.id for v in fleet}
    for vid in sc.remove_vehicle_ids:
        if vid not in ids:
            raise ValueError(f"remove_vehicle_ids: vehicle id {vid} is not in today's fleet")
    names = {v.name for v in fleet}
    for name in sc.remove_vehicle_names:
        if name not in names:
            raise ValueError(f"remove_vehicle_names: no vehicle named {name!r} in today's fleet")
    drop_names = set(sc.remove_vehicle_names)
    fleet = [v for v in fleet if v.id not in sc.remove_vehicle_ids and v.name not in drop_names]
    for vt, n in sc.remove_vehicle_types.items():
        of_type = [v for v in fleet if v.type == vt]
        if n > len(of_type):
            raise ValueError(
                f"remove_vehicle_types: cannot remove {n} {vt.value}(s), "
                f"the fleet has {len(of_type)}"
            )
        drop = {v.id for v in of_type[len(of_type) - n :]}
        fleet = [v for v in fleet if v.id not in drop]
    next_id = max((v.id for v in problem.vehicles), default=0) + 1
    adds = list(sc.add_vehicles)
    for vt, n in sc.vehicle_counts.items():
        of_type = [v for v in fleet if v.type == vt]
        if n < len(of_type):
            drop = {v.id for v in of_type[n:]}
            fleet = [v for v in fleet if v.id not in drop]
        elif n > len(of_type):
            adds.append(AddVehicles(vt, n - len(of_type)))
    for add in adds:
        template = add.template or next(
            (v for v in problem.vehicles if v.type == add.type), DEFAULT_TEMPLATES[add.type]
        )
        base = template.name or add.type.value
        for k in range(add.count):
            fleet.append(
                dataclasses.replace(
                    template, id=next_id, name=f"{base} +{k + 1}", driver_name="(extra)"
                )
            )
            next_id += 1
    return tuple(fleet)


def _vehicle_times(sc: Scenario, v: Vehicle) -> Vehicle:
    changes: dict[str, Any] = {}
    start = v.shift_start_s if sc.shift_start_min is None else sc.shift_start_min * 60
    if sc.shift_start_min is not None:
        changes["shift_start_s"] = start
    if sc.shift_end_min is not None:
        changes["shift_end_s"] = sc.shift_end_min * 60
    if sc.shift_length_min is not None:
        changes["shift_end_s"] = min(DAY_S, start + sc.shift_length_min * 60)
    if sc.speed_factor != 1.0:
        changes["speed_factor"] = v.speed_factor * sc.speed_factor
    if sc.break_duration_min == 0:
        changes.update(break_duration_s=0, break_start_earliest_s=None, break_end_latest_s=None)
    elif any(
        x is not None for x in (sc.break_earliest_min, sc.break_latest_min, sc.break_duration_min)
    ):
        earliest = (
            v.break_start_earliest_s
            if sc.break_earliest_min is None
            else sc.break_earliest_min * 60
        )
        latest = v.break_end_latest_s if sc.break_latest_min is None else sc.break_latest_min * 60
        duration = (
            v.break_duration_s if sc.break_duration_min is None else sc.break_duration_min * 60
        )
        if duration > 0 and (earliest is None or latest is None):
            raise ValueError(
                f"vehicle {v.id} ({v.name}) has no break window; give break_earliest_min "
                "and break_latest_min"
            )
        changes.update(
            break_duration_s=duration,
            break_start_earliest_s=earliest,
            break_end_latest_s=latest,
        )
    if not changes:
        return v
    try:
        return dataclasses.replace(v, **changes)
    except ValueError as exc:
        raise ValueError(f"shift/break change is invalid for {exc}") from exc


def _order(sc: Scenario, o: Order) -> Order:
    changes: dict[str, Any] = {}
    if sc.demand_multiplier != 1.0:
        changes["demand"] = scale_demand(o.demand, sc.demand_multiplier)
    if sc.window_widen_min:
        changes["windows"] = widen_windows(o.windows, sc.window_widen_min)
    if sc.service_time_factor != 1.0 and o.service_s is not None:
        changes["service_s"] = round(o.service_s * sc.service_time_factor)
    return dataclasses.replace(o, **changes) if changes else o


def _unpin(orders: tuple[Order, ...], vehicle_ids: set[int]) -> tuple[Order, ...]:
    return tuple(
        dataclasses.replace(o, pinned_vehicle_id=None)
        if o.pinned_vehicle_id is not None and o.pinned_vehicle_id not in vehicle_ids
        else o
        for o in orders
    )


def _extra(sc: Scenario, problem: RoutingProblem) -> tuple[Order, ...]:
    existing = {o.id for o in problem.orders}
    clash = sorted(o.id for o in sc.extra_orders if o.id in existing)
    if clash:
        raise ValueError(f"extra_orders: order id(s) {clash} already exist in the day")
    return tuple(_order(sc, o) for o in sc.extra_orders)
