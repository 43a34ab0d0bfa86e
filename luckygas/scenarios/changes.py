"""What-if scenarios: a named, validated set of changes applied purely to a day's problem.

A :class:`Scenario` never mutates anything: :meth:`Scenario.apply` returns a new
:class:`~luckygas.optimize.problem.RoutingProblem` built with :func:`dataclasses.replace`,
so the baseline problem can be reused for every scenario of the day.

Rules worth knowing (they are what an analyst would otherwise do by hand):

* **Demand multiplier** scales every size class of every order separately and rounds
  *up* (``ceil(q × m)``, exact decimal arithmetic so ``10 × 1.1`` is 11, not 12). With
  ``m >= 1`` a count never drops below the original; a size the order did not ask for
  stays 0; with ``m < 1`` an order keeps at least one cylinder of each size it had.
  Empties to collect are unchanged.
* **Window widening** moves every window's start earlier and end later by the same
  minutes, clipped to the day ``[00:00, 24:00]``; windows that then touch are merged.
  Narrowing (negative minutes) never makes a window shorter than
  :data:`MIN_WINDOW_MIN` minutes: it stops, centred, at that length.
* **Removing a vehicle** that an order is pinned to unpins the order (someone else must
  serve it while the vehicle is in the workshop).
* **Adding vehicles** clones a template: the one given, else the first vehicle of that
  type in the problem, else :data:`DEFAULT_TEMPLATES`. New ids continue after the
  largest id in the problem.
* Shift, break, speed and service-time changes apply to every vehicle / stop.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from luckygas.domain import Priority, VehicleRequirement, VehicleType
from luckygas.optimize.params import GROUP_OF, SolverParams
from luckygas.optimize.problem import (
    DAY_S,
    Location,
    Order,
    RoutingProblem,
    Vehicle,
)

#: Narrowing stops at this window length (minutes).
MIN_WINDOW_MIN = 15

#: Vehicles cloned by ``add_vehicles`` when the day's fleet has none of the type
#: (domain.md §2: no real capacities are known; these are the documented defaults).
DEFAULT_TEMPLATES: dict[VehicleType, Vehicle] = {
    VehicleType.MOTORCYCLE: Vehicle(
        id=0,
        name="motorcycle",
        type=VehicleType.MOTORCYCLE,
        capacity={20: 6, 16: 6, 10: 8, 4: 12},
        max_kg=120,
        fixed_cost=300.0,
        cost_per_km=2.0,
    ),
    VehicleType.CAR: Vehicle(
        id=0,
        name="car",
        type=VehicleType.CAR,
        capacity={50: 4, 20: 20, 16: 20, 10: 30, 4: 40},
        max_kg=500,
        fixed_cost=600.0,
        cost_per_km=5.0,
    ),
    VehicleType.LIGHT_TRUCK: Vehicle(
        id=0,
        name="light truck",
        type=VehicleType.LIGHT_TRUCK,
        capacity={50: 20, 20: 50, 16: 60, 10: 100, 4: 200},
        max_kg=1000,
        fixed_cost=900.0,
        cost_per_km=8.0,
    ),
}

_SOLVER_FIELDS = frozenset({"time_limit_s", *GROUP_OF})


#: Most vehicles of one type a scenario may add, remove or set (the real fleet is a dozen).
MAX_VEHICLES_PER_TYPE = 100

#: Largest demand multiplier (see :meth:`Scenario.__post_init__`).
MAX_DEMAND_MULTIPLIER = 10.0


def _check_min(name: str, value: int | None, lo: int = 0, hi: int = DAY_S // 60) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ValueError(f"Scenario: {name} must be an int in [{lo}, {hi}] minutes, got {value!r}.")


def _check_factor(name: str, value: float, most: float = 100) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < most:
        raise ValueError(f"Scenario: {name} must be a number in (0, {most:g}), got {value!r}.")


def _type_counts(name: str, value: Mapping[Any, int]) -> dict[VehicleType, int]:
    out: dict[VehicleType, int] = {}
    for k, n in dict(value).items():
        try:
            vt = VehicleType(k)
        except ValueError:
            allowed = ", ".join(t.value for t in VehicleType)
            raise ValueError(
                f"Scenario: {name} has unknown vehicle type {k!r} ({allowed})."
            ) from None
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_VEHICLES_PER_TYPE:
            raise ValueError(
                f"Scenario: {name}[{vt.value}] must be an int in [0, {MAX_VEHICLES_PER_TYPE}], "
                f"got {n!r}."
            )
        out[vt] = n
    return out


@dataclass(frozen=True)
class AddVehicles:
    """``count`` new vehicles of ``type``, cloned from ``template`` (see module docs)."""

    type: VehicleType
    count: int = 1
    template: Vehicle | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", VehicleType(self.type))
        n = self.count
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_VEHICLES_PER_TYPE:
            raise ValueError(
                f"AddVehicles: count must be an int in [1, {MAX_VEHICLES_PER_TYPE}], got {n!r}."
            )
        if self.template is not None and self.template.type != self.type:
            raise ValueError(
                f"AddVehicles: template is a {self.template.type}, expected a {self.type}."
            )


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to one day's problem.

    Parameters
    ----------
    name, description
        Identity (the name is unique in the database).
    remove_vehicle_ids, remove_vehicle_names
        Vehicles taken out of today's fleet, by id or by exact name (plate).
    remove_vehicle_types
        ``{type: n}``: remove the last ``n`` vehicles of that type (in fleet order).
    vehicle_counts
        ``{type: n}``: set the number of vehicles of that type exactly, removing from
        the end or adding clones (used by fleet-size sweeps).
    add_vehicles
        New vehicles (:class:`AddVehicles`).
    demand_multiplier
        Every order's cylinders × this, rounded up per size class.
    extra_orders
        Orders added to the day (ids must not clash with existing orders).
    window_widen_min
        Minutes added on both sides of every window (negative narrows).
    shift_start_min, shift_end_min, shift_length_min
        Shift overrides for every vehicle, minutes since midnight; ``shift_length_min``
        sets the end to start + length (clipped to 24:00).
    break_earliest_min, break_latest_min, break_duration_min
        Break override for every vehicle; ``break_duration_min=0`` removes breaks.
    speed_factor
        Multiplies every vehicle's speed factor (0.8 = 20 % slower: rain, traffic).
    service_time_factor
        Multiplies every service time (base, per cylinder and per-order overrides).
    depot_location
        ``(lat, lng)`` of a moved depot (straight-line matrices only).
    solver
        ``SolverParams`` fields to override, e.g. ``{"time_limit_s": 5}``.
    """

    name: str
    description: str = ""
    remove_vehicle_ids: tuple[int, ...] = ()
    remove_vehicle_names: tuple[str, ...] = ()
    remove_vehicle_types: Mapping[VehicleType, int] = field(default_factory=dict)
    vehicle_counts: Mapping[VehicleType, int] = field(default_factory=dict)
    add_vehicles: tuple[AddVehicles, ...] = ()
    demand_multiplier: float = 1.0
    extra_orders: tuple[Order, ...] = ()
    window_widen_min: int = 0
    shift_start_min: int | None = None
    shift_end_min: int | None = None
    shift_length_min: int | None = None
    break_earliest_min: int | None = None
    break_latest_min: int | None = None
    break_duration_min: int | None = None
    speed_factor: float = 1.0
    service_time_factor: float = 1.0
    depot_location: tuple[float, float] | None = None
    solver: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 100:
            raise ValueError(f"Scenario: name must be 1-100 characters, got {self.name!r}.")
        if len(self.description) > 500:
            raise ValueError(f"Scenario {self.name!r}: description is longer than 500 characters.")
        object.__setattr__(
            self, "remove_vehicle_ids", tuple(int(i) for i in self.remove_vehicle_ids)
        )
        object.__setattr__(
            self, "remove_vehicle_names", tuple(str(n) for n in self.remove_vehicle_names)
        )
        object.__setattr__(
            self,
            "remove_vehicle_types",
            _type_counts("remove_vehicle_types", self.remove_vehicle_types),
        )
        object.__setattr__(
            self, "vehicle_counts", _type_counts("vehicle_counts", self.vehicle_counts)
        )
        clash = set(self.remove_vehicle_types) & set(self.vehicle_counts)
        if clash:
            raise ValueError(
                f"Scenario {self.name!r}: vehicle type(s) {sorted(clash)} are in both "
                "remove_vehicle_types and vehicle_counts; use one."
            )
        object.__setattr__(self, "add_vehicles", tuple(self.add_vehicles))
        for a in self.add_vehicles:
            if not isinstance(a, AddVehicles):
                raise ValueError(
                    f"Scenario {self.name!r}: add_vehicles entries must be AddVehicles."
                )
        # Demand is bounded tighter: orders hold at most MAX_CYLINDERS_PER_SIZE per size, and
        # ten times a day's demand is already far past any what-if the dispatchers ask.
        _check_factor("demand_multiplier", self.demand_multiplier, MAX_DEMAND_MULTIPLIER)
        _check_factor("speed_factor", self.speed_factor)
        _check_factor("service_time_factor", self.service_time_factor)
        object.__setattr__(self, "extra_orders", tuple(self.extra_orders))
        ids = [o.id for o in self.extra_orders]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Scenario {self.name!r}: extra_orders has duplicate ids.")
        if not isinstance(self.window_widen_min, int) or abs(self.window_widen_min) > 24 * 60:
            raise ValueError(
                "Scenario: window_widen_min must be an int in [-1440, 1440], "
                f"got {self.window_widen_min!r}."
            )
        for name in ("shift_start_min", "shift_end_min", "break_earliest_min", "break_latest_min"):
            _check_min(name, getattr(self, name))
        _check_min("shift_length_min", self.shift_length_min, lo=1)
        _check_min("break_duration_min", self.break_duration_min)
        if self.shift_length_min is not None and self.shift_end_min is not None:
            raise ValueError(
                f"Scenario {self.name!r}: give shift_end_min or shift_length_min, not both."
            )
        if (
            self.shift_start_min is not None
            and self.shift_end_min is not None
            and self.shift_start_min >= self.shift_end_min
        ):
            raise ValueError(f"Scenario {self.name!r}: shift_start_min must be < shift_end_min.")
        if self.depot_location is not None:
            lat, lng = self.depot_location
            Location(float(lat), float(lng))  # validates the range
            object.__setattr__(self, "depot_location", (float(lat), float(lng)))
        solver = dict(self.solver)
        unknown = sorted(set(solver) - _SOLVER_FIELDS)
        if unknown:
            raise ValueError(
                f"Scenario {self.name!r}: solver has unknown setting(s) {unknown}; "
                f"known: {sorted(_SOLVER_FIELDS)}."
            )
        SolverParams().replace(**solver)  # each value checked now, not at the first run
        object.__setattr__(self, "solver", solver)

    # ------------------------------------------------------------------ params

    def params(self, base: SolverParams | None = None) -> SolverParams:
        """``base`` (default ``SolverParams()``) with this scenario's solver overrides."""
        base = base or SolverParams()
        return base.replace(**self.solver) if self.solver else base

    @property
    def is_baseline(self) -> bool:
        """True if the scenario changes nothing but (possibly) its name."""
        return self.to_changes() == {}

    def apply(self, problem: RoutingProblem) -> RoutingProblem:
        """Return a new problem with the changes applied; ``problem`` is untouched.

        See :func:`luckygas.scenarios.apply.apply_scenario`.
        """
        from luckygas.scenarios.apply import apply_scenario

        return apply_scenario(self, problem)

    # ------------------------------------------------------------------ JSON

    def to_changes(self) -> dict[str, Any]:
        """JSON-safe dict of the fields that differ from "no change" (the DB ``changes``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in ("name", "description"):
                continue
            value = getattr(self, f.name)
            default = (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            )
            if value == default:
                continue
            if f.name in ("remove_vehicle_types", "vehicle_counts"):
                value = {k.value: n for k, n in value.items()}
            elif f.name == "add_vehicles":
                value = [_add_to_json(a) for a in value]
            elif f.name == "extra_orders":
                value = [order_to_json(o) for o in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_changes(cls, name: str, changes: Mapping[str, Any], description: str = "") -> Scenario:
        """Inverse of :meth:`to_changes` (raises ``ValueError`` naming unknown keys)."""
        known = {f.name for f in dataclasses.fields(cls)} - {"name", "description"}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"Scenario {name!r}: unknown change(s) {unknown}.")
        kw: dict[str, Any] = dict(changes)
        for key in ("remove_vehicle_ids", "remove_vehicle_names"):
            if key in kw:
                kw[key] = tuple(kw[key])
        if "add_vehicles" in kw:
            kw["add_vehicles"] = tuple(_add_from_json(d) for d in kw["add_vehicles"])
        if "extra_orders" in kw:
            kw["extra_orders"] = tuple(order_from_json(d) for d in kw["extra_orders"])
        if kw.get("depot_location") is not None:
            kw["depot_location"] = tuple(kw["depot_location"])
        return cls(name=name, description=description, **kw)

    def describe(self) -> str:
        """One line listing the changes, e.g. ``"demand ×1.3; windows ±30 min"``."""
        parts = []
        c = self.to_changes()
        labels = {
            "remove_vehicle_ids": "remove vehicles",
            "remove_vehicle_names": "remove",
            "remove_vehicle_types": "remove by type",
            "vehicle_counts": "fleet",
            "demand_multiplier": "demand ×",
            "window_widen_min": "windows ± min",
            "speed_factor": "speed ×",
            "service_time_factor": "service time ×",
        }
        for key, value in c.items():
            if key == "add_vehicles":
                parts.append("add " + ", ".join(f"{a['count']} {a['type']}" for a in value))
            elif key == "extra_orders":
                parts.append(f"+{len(value)} orders")
            else:
                parts.append(f"{labels.get(key, key)} {value}")
        return "; ".join(parts) or "no change"


# ---------------------------------------------------------------------------
# Pure helpers (public so tests and notebooks can check the rounding rules)
# ---------------------------------------------------------------------------


def scale_demand(demand: Mapping[int, int], multiplier: float) -> dict[int, int]:
    """Cylinders per size × ``multiplier``, rounded up per size (see module docs)."""
    m = Fraction(str(multiplier))  # exact: 10 × 1.1 is 11, not 11.000000000000002 -> 12
    return {kg: (max(1, math.ceil(n * m)) if n > 0 else 0) for kg, n in demand.items()}


def widen_windows(windows: Sequence[tuple[int, int]], minutes: int) -> tuple[tuple[int, int], ...]:
    """Every window ± ``minutes`` clipped to the day; touching windows merged (module docs)."""
    delta = minutes * 60
    floor_s = MIN_WINDOW_MIN * 60
    out: list[tuple[int, int]] = []
    for a, b in sorted(windows):
        a2, b2 = max(0, a - delta), min(DAY_S, b + delta)
        if b2 - a2 < min(floor_s, b - a):  # narrowed too far: stop at the floor, centred
            if b - a <= floor_s:
                a2, b2 = a, b
            else:
                a2 = (a + b) // 2 - floor_s // 2
                b2 = a2 + floor_s
        if out and a2 <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b2))
        else:
            out.append((a2, b2))
    return tuple(out)


def order_to_json(o: Order) -> dict[str, Any]:
    """An order as a JSON-safe dict (for extra orders in the ``changes`` column)."""
    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "customer_name": o.customer_name,
        "location": None if o.location is None else [o.location.lat, o.location.lng],
        "demand": {str(kg): n for kg, n in o.demand.items() if n},
        "windows": [list(w) for w in o.windows],
        "priority": str(o.priority),
        "optional": o.optional,
        "penalty": o.penalty,
        "requirement": str(o.requirement),
        "service_s": o.service_s,
        "address": o.address,
        "notes": o.notes,
        "empties": {str(kg): n for kg, n in o.empties.items() if n},
    }


def order_from_json(d: Mapping[str, Any]) -> Order:
    """Inverse of :func:`order_to_json`."""
    loc = d.get("location")
    return Order(
        id=int(d["id"]),
        customer_id=int(d["customer_id"]),
        customer_name=str(d["customer_name"]),
        location=None if loc is None else Location(float(loc[0]), float(loc[1])),
        demand={int(k): int(v) for k, v in d["demand"].items()},
        windows=tuple((int(a), int(b)) for a, b in d.get("windows", ())),
        priority=Priority(d.get("priority", "normal")),
        optional=bool(d.get("optional", False)),
        penalty=d.get("penalty"),
        requirement=VehicleRequirement(d.get("requirement", "either")),
        service_s=d.get("service_s"),
        address=d.get("address", ""),
        notes=d.get("notes", ""),
        empties={int(k): int(v) for k, v in d.get("empties", {}).items()},
    )


_VEHICLE_JSON_FIELDS = (
    "name",
    "capacity",
    "max_kg",
    "fixed_cost",
    "cost_per_km",
    "speed_factor",
    "shift_start_s",
    "shift_end_s",
    "break_start_earliest_s",
    "break_end_latest_s",
    "break_duration_s",
    "max_route_s",
    "max_stops",
)


def _add_to_json(a: AddVehicles) -> dict[str, Any]:
    out: dict[str, Any] = {"type": a.type.value, "count": a.count}
    if a.template is not None:
        t = {f: getattr(a.template, f) for f in _VEHICLE_JSON_FIELDS}
        t["capacity"] = {str(kg): n for kg, n in a.template.capacity.items()}
        out["template"] = t
    return out


def _add_from_json(d: Mapping[str, Any]) -> AddVehicles:
    vt = VehicleType(d["type"])
    template = None
    if d.get("template"):
        t = dict(d["template"])
        t["capacity"] = {int(k): int(v) for k, v in t["capacity"].items()}
        template = Vehicle(id=0, type=vt, **t)
    return AddVehicles(vt, int(d.get("count", 1)), template)


# ---------------------------------------------------------------------------
# Presets: the what-ifs an analyst asks every week
# ---------------------------------------------------------------------------

PRESETS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("baseline", "Today's fleet and orders as they are."),
        Scenario(
            "one_truck_fewer",
            "One four-wheeled vehicle in the workshop.",
            remove_vehicle_types={VehicleType.LIGHT_TRUCK: 1},
        ),
        Scenario("demand_plus_30", "A cold snap: every order 30 % larger.", demand_multiplier=1.3),
        Scenario(
            "wider_windows", "Customers accept ±30 min around their window.", window_widen_min=30
        ),
        Scenario("rain", "Rain or traffic: vehicles 20 % slower.", speed_factor=0.8),
        Scenario("later_start", "Shifts start at 09:00 instead of 08:00.", shift_start_min=9 * 60),
        Scenario(
            "extra_motorcycle",
            "One more motorcycle for downtown.",
            add_vehicles=(AddVehicles(VehicleType.MOTORCYCLE, 1),),
        ),
    )
}


def preset(name: str, problem: RoutingProblem | None = None) -> Scenario:
    """A built-in scenario by name.

    ``one_truck_fewer`` removes one light truck; when ``problem`` is given and has no
    light truck, it removes the last four-wheeled vehicle of the most common type instead.

    Raises
    ------
    KeyError
        If ``name`` is not a preset (the message lists the presets).
    """
    if name not in PRESETS:
        raise KeyError(f"No built-in scenario {name!r}; presets: {', '.join(PRESETS)}.")
    sc = PRESETS[name]
    if name == "one_truck_fewer" and problem is not None:
        types = [v.type for v in problem.vehicles if v.type != VehicleType.MOTORCYCLE]
        if types and VehicleType.LIGHT_TRUCK not in types:
            common = max(set(types), key=types.count)
            sc = dataclasses.replace(sc, remove_vehicle_types={common: 1})
    return sc
