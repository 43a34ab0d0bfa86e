"""What the planning panel's controls say, and how that changes the day's problem."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from luckygas.maps import hhmm

if TYPE_CHECKING:
    from luckygas.optimize.params import SolverParams
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult


#: TWD a re-plan charges per order that changes vehicle when "Keep orders on their vehicle"
#: is ticked: about 30 km of light-truck driving at the demo fleet's 9 TWD/km, so an order
#: moves only for a clear saving, yet far below the 10,000 TWD of leaving an order out.
KEEP_VEHICLE_COST_TWD = 300.0


@dataclasses.dataclass(frozen=True, slots=True)
class PanelSettings:
    """What the panel's controls say, as one value (easy to log and to test).

    Parameters
    ----------
    day
        Delivery date.
    vehicle_ids
        Vehicles available that day.
    shift_start_min, shift_end_min
        Shift override for every selected vehicle; ``None`` keeps each driver's shift.
    time_limit_s
        Solver time limit.
    distance_weight
        Multiplier on every vehicle's cost per km.
    vehicles_weight
        Multiplier on vehicles' fixed cost (higher = fewer vehicles).
    balance_weight
        TWD per hour of the longest route (higher = more even routes).
    keep_vehicle
        Re-plans prefer to leave orders on the vehicle they had (see
        :data:`KEEP_VEHICLE_COST_TWD`), so a small change gives a small diff.
    """

    day: dt.date
    vehicle_ids: tuple[int, ...]
    shift_start_min: int | None = None
    shift_end_min: int | None = None
    time_limit_s: float = 2.0
    distance_weight: float = 1.0
    vehicles_weight: float = 1.0
    balance_weight: float = 0.0
    keep_vehicle: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.day, dt.date):
            raise ValueError("Choose a delivery date.")
        if not self.vehicle_ids:
            raise ValueError("Select at least one vehicle.")
        if (
            self.shift_start_min is not None
            and self.shift_end_min is not None
            and self.shift_start_min >= self.shift_end_min
        ):
            raise ValueError(
                f"Shift start {hhmm(self.shift_start_min * 60)} must be before "
                f"shift end {hhmm(self.shift_end_min * 60)}."
            )
        if not self.time_limit_s > 0:
            raise ValueError(f"Time limit must be > 0 s, got {self.time_limit_s}.")

    def solver_params(self) -> SolverParams:
        """The solver settings these controls stand for."""
        from luckygas.optimize.params import CostParams, SolverParams

        return SolverParams(
            time_limit_s=float(self.time_limit_s),
            cost=CostParams(
                vehicle_fixed_cost_weight=float(self.vehicles_weight),
                balance_weight=float(self.balance_weight),
                keep_vehicle_cost=KEEP_VEHICLE_COST_TWD if self.keep_vehicle else 0.0,
            ),
        )


def apply_settings(
    problem: RoutingProblem, settings: PanelSettings, pins: Mapping[int, int] | None = None
) -> RoutingProblem:
    """The problem with the panel's shift override, distance weight and pins applied.

    Parameters
    ----------
    problem
        As built from the database.
    settings
        Panel settings.
    pins
        ``{order_id: vehicle_id}`` moves made in the panel.

    Returns
    -------
    RoutingProblem
        A new problem (the input is not changed).

    Raises
    ------
    ValueError
        If a pin names an order or vehicle that is not in the problem.
    """
    vehicles = []
    for v in problem.vehicles:
        changes: dict[str, Any] = {"cost_per_km": v.cost_per_km * settings.distance_weight}
        if settings.shift_start_min is not None:
            changes["shift_start_s"] = settings.shift_start_min * 60
        if settings.shift_end_min is not None:
            changes["shift_end_s"] = settings.shift_end_min * 60
        vehicles.append(dataclasses.replace(v, **changes))
    pins = dict(pins or {})
    known_orders = problem.orders_by_id
    known_vehicles = {v.id for v in vehicles}
    for oid, vid in pins.items():
        if oid not in known_orders:
            raise ValueError(f"Order {oid} is not among this day's open orders.")
        if vid not in known_vehicles:
            raise ValueError(f"Vehicle {vid} is not in today's fleet (order {oid}).")
    orders = [
        dataclasses.replace(o, pinned_vehicle_id=pins[o.id]) if o.id in pins else o
        for o in problem.orders
    ]
    return dataclasses.replace(problem, orders=tuple(orders), vehicles=tuple(vehicles))


def routes_of(result: PlanResult) -> dict[int, list[int]]:
    """``{vehicle_id: [order_id, ...]}`` in visiting order, trips run together.

    A thin alias of ``result.vehicle_routes(trips=False)``, kept for callers of the
    public API; warm starts use :meth:`~luckygas.optimize.result.PlanResult.vehicle_routes`
    with the trips.
    """
    return {
        v: [int(o) for o in r if o is not None]
        for v, r in result.vehicle_routes(trips=False).items()
    }
