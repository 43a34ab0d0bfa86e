"""From a :class:`RoutingProblem` to a solver-ready :class:`NumModel`.

Two jobs: (1) pre-filter orders that can never be served today and give each a reason
(they never reach the solver), and (2) convert everything else to integer node-indexed
data. Money is in integer cents (``COST_SCALE``) so per-km costs survive rounding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from luckygas.domain import SIZE_CLASSES_KG, VehicleRequirement, VehicleType
from luckygas.optimize import reasons as R
from luckygas.optimize.matrix import (
    UNREACHABLE_S,
    MatrixData,
    default_matrix,
    scaled_duration,
    scaled_matrix,
)
from luckygas.optimize.model import NumModel, NumVehicle
from luckygas.optimize.params import SolverParams
from luckygas.optimize.problem import DAY_S, Order, RoutingProblem, Vehicle

COST_SCALE = 100  # TWD -> cents
_PENALTY_CAP = 2**52  # keeps the objective well inside int64


@dataclass(frozen=True)
class Unassigned:
    """An order that is not in the plan, with a stable code and a sentence."""

    order: Order
    code: R.ReasonCode
    reason: str


@dataclass
class Prepared:
    """The numeric model plus everything needed to map results back to orders."""

    model: NumModel
    node_orders: list[Order | None]
    md: MatrixData
    md_index: list[int]  # model node -> matrix node
    md_of_order: dict[int, int]  # order id -> matrix node (located orders)
    unassigned: list[Unassigned] = field(default_factory=list)
    vehicle_ids: list[int] = field(default_factory=list)

    def node_of(self) -> dict[int, int]:
        """Order id -> model node for orders given to the solver."""
        return {o.id: i for i, o in enumerate(self.node_orders) if o is not None}

    def _to_nodes(
        self, routes: Mapping[int, Sequence[int | None]], strict: bool
    ) -> dict[int, list[int]]:
        node_of = self.node_of()
        vpos = {vid: v for v, vid in enumerate(self.vehicle_ids)}
        reload_vehicle = self.model.reload_vehicle or []
        out: dict[int, list[int]] = {}
        for vid, oids in routes.items():
            if vid not in vpos:
                raise ValueError(f"solve: unknown vehicle id {vid} in routes/locks.")
            v = vpos[vid]
            # ``None`` marks a return to the depot: it becomes the vehicle's next unused
            # reload node (a vehicle allowed fewer trips simply merges the extra ones).
            spare = [i for i, r in enumerate(reload_vehicle) if r == v]
            nodes = []
            for oid in oids:
                if oid is None:
                    if spare:
                        nodes.append(spare.pop(0))
                elif oid in node_of:
                    nodes.append(node_of[oid])
                elif strict and not any(u.order.id == oid for u in self.unassigned):
                    raise ValueError(f"solve: unknown order id {oid} in locks.")
            out[v] = nodes
        return out

    def routes_to_nodes(self, routes: Mapping[int, Sequence[int | None]]) -> list[list[int]]:
        """``{vehicle_id: [order_id or None]}`` -> node lists per vehicle index.

        ``None`` (a reload between two trips) becomes one of the vehicle's reload nodes.
        """
        by_v = self._to_nodes(routes, strict=False)
        return [by_v.get(v, []) for v in range(len(self.vehicle_ids))]

    def locks_to_nodes(self, locked: Mapping[int, Sequence[int | None]]) -> dict[int, list[int]]:
        """``{vehicle_id: [order_id or None]}`` -> ``{vehicle_index: [node]}``."""
        return self._to_nodes(locked, strict=True)


def type_compatible(order: Order, vehicle: Vehicle) -> bool:
    """Business rule: motorcycle-only customers by motorcycle; car-only and 50 kg never by one."""
    moto = vehicle.type == VehicleType.MOTORCYCLE
    if order.requirement == VehicleRequirement.MOTORCYCLE:
        return moto
    if order.requirement == VehicleRequirement.CAR or order.demand.get(50, 0) > 0:
        return not moto
    return True


def fits(order: Order, vehicle: Vehicle) -> bool:
    """True if the vehicle can carry the whole order when empty."""
    return order.kg <= vehicle.max_kg and all(
        n <= vehicle.capacity[kg] for kg, n in order.demand.items()
    )


def _incompatibility_detail(order: Order, vehicles: Sequence[Vehicle]) -> str:
    types = sorted({str(v.type) for v in vehicles}) or ["none"]
    if order.requirement == VehicleRequirement.MOTORCYCLE:
        return f"motorcycle-only customer but no motorcycle in today's fleet ({', '.join(types)})"
    if order.demand.get(50, 0) > 0:
        return f"50 kg cylinders need a car or truck, today's fleet has only {', '.join(types)}"
    return f"car-only customer but today's fleet has only {', '.join(types)}"


def _capacity_detail(order: Order, vehicles: Sequence[Vehicle]) -> str:
    for kg in SIZE_CLASSES_KG:
        need = order.demand[kg]
        best = max(v.capacity[kg] for v in vehicles)
        if need > best:
            return R.demand_exceeds(kg, need, best)
    return R.demand_exceeds(0, order.kg, max(v.max_kg for v in vehicles))


def _reachable(
    order: Order, vehicle: Vehicle, problem: RoutingProblem, md: MatrixData, m: int, service: int
) -> bool:
    """Direct trip depot -> order -> depot fits a window, the shift and the span limit."""
    go = scaled_duration(int(md.duration_s[vehicle.type][0, m]), vehicle.speed_factor)
    back = scaled_duration(int(md.duration_s[vehicle.type][m, 0]), vehicle.speed_factor)
    lo = max(vehicle.shift_start_s, problem.depot.open_s)
    hi = min(vehicle.shift_end_s, problem.depot.close_s)
    if vehicle.max_stops == 0:
        return False
    if vehicle.max_route_s is not None and go + service + back > vehicle.max_route_s:
        return False
    return any(
        max(lo + go, a) <= b and max(lo + go, a) + service + back <= hi for a, b in order.windows
    )


def _no_road(md: MatrixData, vtype: VehicleType, m: int) -> bool:
    """No route from the depot to node ``m`` or back for ``vtype`` (a road matrix's sentinel)."""
    times = md.duration_s[vtype]
    return bool(times[0, m] >= UNREACHABLE_S or times[m, 0] >= UNREACHABLE_S)


def _prefilter(
    problem: RoutingProblem, md: MatrixData, md_of_order: dict[int, int]
) -> tuple[list[tuple[Order, list[int]]], list[Unassigned]]:
    vehicles = problem.vehicles
    keep: list[tuple[Order, list[int]]] = []
    out: list[Unassigned] = []
    vpos = {v.id: i for i, v in enumerate(vehicles)}
    for o in problem.orders:
        if o.location is None:
            out.append(Unassigned(o, R.ReasonCode.NO_COORDINATES, R.no_coordinates()))
            continue
        if o.closed_reason is not None or not o.windows:
            out.append(
                Unassigned(
                    o,
                    R.ReasonCode.CLOSED_TODAY,
                    R.closed_today(o.closed_reason or "no delivery window today"),
                )
            )
            continue
        if o.pinned_vehicle_id is not None:
            pv = vehicles[vpos[o.pinned_vehicle_id]]
            if not type_compatible(o, pv):
                why = f"a {pv.type} may not serve it"
            elif not fits(o, pv):
                why = "the order does not fit in it"
            elif not _reachable(o, pv, problem, md, md_of_order[o.id], problem.service_time.of(o)):
                why = "its shift cannot reach the window"
            else:
                why = ""
            if why:
                out.append(
                    Unassigned(
                        o,
                        R.ReasonCode.PINNED_VEHICLE_UNAVAILABLE,
                        R.pinned_unavailable(pv.name, why),
                    )
                )
            else:
                keep.append((o, [vpos[pv.id]]))
            continue
        compat = [v for v in vehicles if type_compatible(o, v)]
        if not compat:
            out.append(
                Unassigned(
                    o,
                    R.ReasonCode.NO_COMPATIBLE_VEHICLE,
                    R.no_compatible_vehicle(_incompatibility_detail(o, vehicles)),
                )
            )
            continue
        big = [v for v in compat if fits(o, v)]
        if not big:
            out.append(
                Unassigned(o, R.ReasonCode.DEMAND_EXCEEDS_CAPACITY, _capacity_detail(o, compat))
            )
            continue
        m = md_of_order[o.id]
        if all(_no_road(md, v.type, m) for v in big):
            out.append(Unassigned(o, R.ReasonCode.NO_ROAD, R.no_road()))
            continue
        ok = [v for v in big if _reachable(o, v, problem, md, m, problem.service_time.of(o))]
        if not ok:
            drive = min(int(md.duration_s[v.type][0, m]) for v in big)
            out.append(
                Unassigned(
                    o, R.ReasonCode.WINDOW_UNREACHABLE, R.window_unreachable(o.windows, drive)
                )
            )
            continue
        keep.append((o, [vpos[v.id] for v in ok]))
    return keep, out


def _penalties(
    problem: RoutingProblem,
    params: SolverParams,
    orders: Sequence[Order],
    cost: Mapping[Hashable, list[list[int]]],
    fixed: list[int],
    md_nodes: list[int],
) -> list[int | None]:
    round_trip = max((c[0][m] + c[m][0] for c in cost.values() for m in md_nodes), default=0)
    # A normal order must always be worth more than opening a vehicle and driving to it.
    p_normal = max(
        int(params.cost.drop_penalty_normal * COST_SCALE),
        2 * (max(fixed, default=0) + round_trip) + 1,
    )
    p_optional = int(params.cost.drop_penalty_optional * COST_SCALE)
    n_low = sum(1 for o in orders if str(o.priority) == "normal")
    n_urgent = sum(1 for o in orders if str(o.priority) == "urgent")
    p_urgent = (
        min(p_normal * (n_low + 1), _PENALTY_CAP) if params.cost.urgent_factor else 10 * p_normal
    )
    p_emerg = (
        min(p_urgent * (n_urgent + 1), _PENALTY_CAP)
        if params.cost.urgent_factor
        else 100 * p_normal
    )
    out: list[int | None] = [None]
    for o in orders:
        if str(o.priority) == "emergency":
            out.append(p_emerg)
        elif str(o.priority) == "urgent":
            out.append(p_urgent)
        elif o.penalty is not None:
            out.append(o.penalty * COST_SCALE)
        elif o.optional:
            out.append(p_optional)
        else:
            out.append(p_normal)
    return out


def _num_vehicle(
    v: Vehicle, problem: RoutingProblem, params: SolverParams, caps: tuple[int, ...]
) -> NumVehicle:
    lo = max(v.shift_start_s, problem.depot.open_s)
    hi = min(v.shift_end_s, problem.depot.close_s)
    brk = None
    if v.has_break:
        assert v.break_start_earliest_s is not None and v.break_end_latest_s is not None
        brk = (
            v.break_start_earliest_s,
            v.break_end_latest_s - v.break_duration_s,
            v.break_duration_s,
        )
    return NumVehicle(
        time_key=(str(v.type), v.speed_factor),
        cost_key=v.cost_per_km,
        capacities=caps,
        fixed_cost=round(v.fixed_cost * params.cost.vehicle_fixed_cost_weight * COST_SCALE),
        start_range=(lo, max(lo, hi)),
        end_range=(lo, max(lo, hi)),
        max_span=v.max_route_s,
        break_=brk,
    )


def prepare(
    problem: RoutingProblem,
    params: SolverParams,
    locked: Mapping[int, Sequence[int | None]] | None = None,
    start: Mapping[int, Sequence[int | None]] | None = None,
) -> Prepared:
    """Pre-filter and convert ``problem``; see the module docstring.

    Parameters
    ----------
    problem, params
        The day and the search settings.
    locked
        ``{vehicle_id: [order_id or None]}`` locked route prefixes: those orders may only
        go on that vehicle, whatever the type rules say (they are already dispatched).
    start
        The plan a re-plan starts from (same shape). With
        ``params.cost.keep_vehicle_cost > 0`` each order that ends on another vehicle than
        it has here costs that much more (see :func:`_keep_costs`).
    """
    located = [o for o in problem.orders if o.location is not None]
    md = (problem.matrix or default_matrix()).build(problem.depot, located)
    md_of_order = {o.id: i + 1 for i, o in enumerate(located)}
    keep, unassigned = _prefilter(problem, md, md_of_order)
    # Locked (already dispatched) stops stay on their vehicle whatever the type rules say.
    vpos = {v.id: i for i, v in enumerate(problem.vehicles)}
    lock_vehicle = {
        oid: vpos[vid]
        for vid, oids in (locked or {}).items()
        if vid in vpos
        for oid in oids
        if oid is not None
    }
    orders = [o for o, _ in keep]
    allowed_v = [[lock_vehicle[o.id]] if o.id in lock_vehicle else a for o, a in keep]
    # Reload nodes: copies of the depot, (max_trips - 1) per vehicle, after the customers.
    # A vehicle never needs more reloads than it has compatible orders.
    n_allowed = [sum(1 for a in allowed_v if vi in a) for vi in range(len(problem.vehicles))]
    reload_of: list[int] = [
        vi
        for vi, v in enumerate(problem.vehicles)
        for _ in range(min(v.max_trips - 1, n_allowed[vi]))
    ]
    nodes = [0] + [md_of_order[o.id] for o in orders] + [0] * len(reload_of)
    svc = (
        [0]
        + [problem.service_time.of(o) for o in orders]
        + [problem.vehicles[vi].reload_s for vi in reload_of]
    )
    dim_names, demands, caps_of = _capacities(problem, orders, reload_of)
    vehicles, time_m, cost_m = _vehicles_and_matrices(problem, params, md, nodes, svc, caps_of)
    all_v = list(range(len(problem.vehicles)))
    allowed: list[list[int] | None] = (
        [None] + [None if a == all_v else a for a in allowed_v] + [[vi] for vi in reload_of]
    )
    n_cust = len(orders)
    penalties = _penalties(
        problem,
        params,
        orders,
        cost_m,
        [v.fixed_cost for v in vehicles],
        list(range(1, n_cust + 1)),
    )
    penalties += [0] * len(reload_of)
    if start and params.cost.keep_vehicle_cost > 0:
        home = _home_vehicles(problem, start)
        vehicles = _keep_costs(vehicles, cost_m, orders, home, params, len(reload_of))
    model = NumModel(
        n_nodes=len(nodes),
        time_matrices=time_m,
        cost_matrices=cost_m,
        dim_names=dim_names,
        demands=demands,
        service=svc,
        windows=[()] + [o.windows for o in orders] + [()] * len(reload_of),
        allowed=allowed,
        penalties=penalties,
        vehicles=vehicles,
        horizon=DAY_S,
        span_cost=round(params.cost.balance_weight * COST_SCALE / 3600),
        reload_vehicle=[None] * (n_cust + 1) + list(reload_of),
    )
    node_orders: list[Order | None] = [None, *orders] + [None] * len(reload_of)
    vehicle_ids = [v.id for v in problem.vehicles]
    return Prepared(model, node_orders, md, nodes, md_of_order, unassigned, vehicle_ids)


def _capacities(
    problem: RoutingProblem, orders: Sequence[Order], reload_of: Sequence[int]
) -> tuple[tuple[str, ...], tuple[list[int], ...], list[list[int]]]:
    """Dimension names, demand vectors and per-vehicle capacities.

    One dimension per cylinder size used today, one for kg, and one for stops when a
    vehicle has a stop limit. A reload node carries minus the vehicle's capacity, so the
    load restarts from zero after it.
    """
    used_sizes = [kg for kg in SIZE_CLASSES_KG if any(o.demand[kg] for o in orders)]
    dim_names = [f"load_{kg}kg" for kg in used_sizes] + ["load_kg"]
    caps_of = [[v.capacity[kg] for kg in used_sizes] + [v.max_kg] for v in problem.vehicles]
    demands = [
        [0] + [o.demand[kg] for o in orders] + [-caps_of[vi][d] for vi in reload_of]
        for d, kg in enumerate(used_sizes)
    ]
    demands.append([0] + [o.kg for o in orders] + [-caps_of[vi][-1] for vi in reload_of])
    if any(v.max_stops is not None for v in problem.vehicles):
        n = 1 + len(orders) + len(reload_of)
        dim_names.append("stops")
        demands.append([0] + [1] * len(orders) + [0] * len(reload_of))
        for v, caps in zip(problem.vehicles, caps_of, strict=True):
            caps.append(v.max_stops if v.max_stops is not None else n)
    return tuple(dim_names), tuple(demands), caps_of


def _vehicles_and_matrices(
    problem: RoutingProblem,
    params: SolverParams,
    md: MatrixData,
    nodes: list[int],
    svc: list[int],
    caps_of: list[list[int]],
) -> tuple[list[NumVehicle], dict[Hashable, list[list[int]]], dict[Hashable, list[list[int]]]]:
    """Solver vehicles and their time and cost matrices, one per distinct key.

    A time matrix holds the from-node's service plus the travel (OR-Tools' convention);
    a cost matrix integer cents per arc at the vehicle's cost per km.
    """
    time_m: dict[Hashable, list[list[int]]] = {}
    cost_m: dict[Hashable, list[list[int]]] = {}
    vehicles = []
    for vi, v in enumerate(problem.vehicles):
        nv = _num_vehicle(v, problem, params, tuple(caps_of[vi]))
        if nv.time_key not in time_m:
            d = scaled_matrix(md.duration_s[v.type], v.speed_factor)[np.ix_(nodes, nodes)]
            time_m[nv.time_key] = (d + np.asarray(svc, dtype=np.int64)[:, None]).tolist()
        if v.cost_per_km not in cost_m:
            dist = md.distance_m[np.ix_(nodes, nodes)]
            cost_m[v.cost_per_km] = (
                np.rint(v.cost_per_km * dist.astype(np.float64) * COST_SCALE / 1000)
                .astype(np.int64)
                .tolist()
            )
        vehicles.append(nv)
    return vehicles, time_m, cost_m


def _home_vehicles(
    problem: RoutingProblem, start: Mapping[int, Sequence[int | None]]
) -> dict[int, int]:
    """Order id -> index of the vehicle it has in ``start`` (a pin wins: it is the move)."""
    vpos = {v.id: i for i, v in enumerate(problem.vehicles)}
    home = {
        oid: vpos[vid]
        for vid, oids in start.items()
        if vid in vpos
        for oid in oids
        if oid is not None
    }
    for o in problem.orders:
        if o.pinned_vehicle_id is not None:
            home[o.id] = vpos[o.pinned_vehicle_id]
    return home


def _keep_costs(
    vehicles: list[NumVehicle],
    cost_m: dict[Hashable, list[list[int]]],
    orders: Sequence[Order],
    home: Mapping[int, int],
    params: SolverParams,
    n_reloads: int,
) -> list[NumVehicle]:
    """Per-vehicle cost matrices that charge ``keep_vehicle_cost`` for a changed vehicle.

    Every visited node has exactly one arc into it, so adding the charge to the arcs
    into an order's node, on every vehicle but its home one, costs each order that
    changes vehicle exactly once. OR-Tools and the Python passes both read these
    matrices, so they agree on the objective with no special case anywhere else.
    """
    charge = round(params.cost.keep_vehicle_cost * COST_SCALE)
    out = []
    for vi, nv in enumerate(vehicles):
        extra = np.zeros(1 + len(orders) + n_reloads, dtype=np.int64)
        for k, o in enumerate(orders, start=1):
            if o.id in home and home[o.id] != vi:
                extra[k] = charge
        key = ("keep", vi, nv.cost_key)
        cost_m[key] = (np.asarray(cost_m[nv.cost_key], dtype=np.int64) + extra[None, :]).tolist()
        out.append(dataclasses.replace(nv, cost_key=key))
    return out
