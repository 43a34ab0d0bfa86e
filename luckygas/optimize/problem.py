"""Input of one planning day: frozen, validated dataclasses.

Every class validates itself in ``__post_init__`` and raises ``ValueError`` naming the
field (and, for orders/vehicles, the offending id), so bad data is caught at the
boundary and never reaches the solver. Times are integer seconds since midnight of the
delivery day; quantities are integer cylinder counts keyed by size class in kg.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from luckygas.domain import SIZE_CLASSES_KG, Priority, VehicleRequirement, VehicleType

if TYPE_CHECKING:
    from luckygas.optimize.matrix import TravelMatrix

DAY_S = 24 * 3600


class FrozenCounts(dict[int, int]):
    """A read-only ``{size_kg: count}`` dict that pickles (``MappingProxyType`` does not).

    Problems travel to worker processes (scenario runs), so every field must pickle;
    callers still cannot change a count by accident.
    """

    __slots__ = ()

    def _readonly(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("counts are read-only; build a new Order/Vehicle instead.")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]
    __ior__ = _readonly  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict[int, int]]]:
        return (FrozenCounts, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


def _frozen_counts(name: str, owner: str, counts: Mapping[int, int]) -> Mapping[int, int]:
    """Validate a size->count mapping and return a read-only copy with every size class."""
    out = {kg: 0 for kg in SIZE_CLASSES_KG}
    for kg, n in counts.items():
        if kg not in out:
            raise ValueError(f"{owner}: {name} has unknown size class {kg!r} kg.")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"{owner}: {name}[{kg}] must be a non-negative int, got {n!r}.")
        out[kg] = n
    return FrozenCounts(out)


def _check_time(name: str, owner: str, value: int | None, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= DAY_S:
        raise ValueError(f"{owner}: {name} must be an int in [0, {DAY_S}] seconds, got {value!r}.")


@dataclass(frozen=True, slots=True)
class Location:
    """A WGS84 point in decimal degrees."""

    lat: float
    lng: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"Location: lat must be in [-90, 90], got {self.lat!r}.")
        if not -180.0 <= self.lng <= 180.0:
            raise ValueError(f"Location: lng must be in [-180, 180], got {self.lng!r}.")


@dataclass(frozen=True, slots=True)
class Depot:
    """The single depot every route starts and ends at."""

    id: int
    name: str
    location: Location
    open_s: int = 0
    close_s: int = DAY_S

    def __post_init__(self) -> None:
        owner = f"Depot {self.id}"
        _check_time("open_s", owner, self.open_s)
        _check_time("close_s", owner, self.close_s)
        if self.open_s >= self.close_s:
            raise ValueError(f"{owner}: open_s must be < close_s.")


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """Service time at a stop: a base plus a per-cylinder handling time by size class.

    Defaults are the earlier enhanced solver's figures (domain.md §2): 5 min base, then
    50 kg 5 min, 20/16 kg 3 min, 10 kg 2 min, 4 kg 1 min per cylinder.
    """

    base_s: int = 300
    per_cylinder_s: Mapping[int, int] = field(
        default_factory=lambda: {50: 300, 20: 180, 16: 180, 10: 120, 4: 60}
    )

    def __post_init__(self) -> None:
        if not isinstance(self.base_s, int) or self.base_s < 0:
            raise ValueError(
                f"ServiceTime: base_s must be a non-negative int, got {self.base_s!r}."
            )
        object.__setattr__(
            self,
            "per_cylinder_s",
            _frozen_counts("per_cylinder_s", "ServiceTime", self.per_cylinder_s),
        )

    def of(self, order: Order) -> int:
        """Service seconds of ``order``: its override if set, else base + per cylinder."""
        if order.service_s is not None:
            return order.service_s
        return self.base_s + sum(self.per_cylinder_s[kg] * n for kg, n in order.demand.items())


@dataclass(frozen=True, slots=True)
class Order:
    """One delivery to make today (or a forecast refill that may be skipped)."""

    id: int
    customer_id: int
    customer_name: str
    location: Location | None
    demand: Mapping[int, int]
    windows: tuple[tuple[int, int], ...] = ((8 * 3600, 20 * 3600),)
    priority: Priority = Priority.NORMAL
    optional: bool = False
    penalty: int | None = None
    requirement: VehicleRequirement = VehicleRequirement.EITHER
    service_s: int | None = None
    pinned_vehicle_id: int | None = None
    address: str = ""
    notes: str = ""
    empties: Mapping[int, int] = field(default_factory=dict)
    closed_reason: str | None = None

    def __post_init__(self) -> None:
        owner = f"Order {self.id}"
        object.__setattr__(self, "demand", _frozen_counts("demand", owner, self.demand))
        object.__setattr__(self, "empties", _frozen_counts("empties", owner, self.empties))
        if sum(self.demand.values()) == 0:
            raise ValueError(f"{owner}: demand must contain at least one cylinder.")
        windows = tuple(tuple(w) for w in self.windows)
        for a, b in windows:
            _check_time("windows start", owner, a)
            _check_time("windows end", owner, b)
            if a >= b:
                raise ValueError(f"{owner}: windows entry ({a}, {b}) must have start < end.")
        windows = tuple(sorted(windows))
        for (_, b1), (a2, _) in itertools.pairwise(windows):
            if a2 <= b1:
                raise ValueError(f"{owner}: windows overlap or touch; merge them first.")
        object.__setattr__(self, "windows", windows)
        object.__setattr__(self, "priority", Priority(self.priority))
        object.__setattr__(self, "requirement", VehicleRequirement(self.requirement))
        if self.penalty is not None and (not isinstance(self.penalty, int) or self.penalty < 0):
            raise ValueError(f"{owner}: penalty must be a non-negative int or None.")
        if self.service_s is not None and (
            not isinstance(self.service_s, int) or self.service_s < 0
        ):
            raise ValueError(f"{owner}: service_s must be a non-negative int or None.")

    @property
    def kg(self) -> int:
        """Total gas weight delivered, in kg."""
        return sum(kg * n for kg, n in self.demand.items())


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle with its driver's shift for the day.

    ``capacity``/``max_kg`` are per load. With ``max_trips > 1`` the vehicle may return to
    the depot to reload (``reload_s`` seconds each time) and go out again: every trip
    respects the capacity on its own, while shift, break, ``max_route_s`` and
    ``max_stops`` apply to the whole day.
    """

    id: int
    name: str
    type: VehicleType
    capacity: Mapping[int, int]
    max_kg: int
    fixed_cost: float = 0.0
    cost_per_km: float = 5.0
    speed_factor: float = 1.0
    shift_start_s: int = 8 * 3600
    shift_end_s: int = 18 * 3600
    break_start_earliest_s: int | None = None
    break_end_latest_s: int | None = None
    break_duration_s: int = 0
    max_route_s: int | None = None
    max_stops: int | None = None
    driver_name: str = ""
    max_trips: int = 1
    reload_s: int = 900

    def __post_init__(self) -> None:
        owner = f"Vehicle {self.id}"
        if (
            not isinstance(self.max_trips, int)
            or isinstance(self.max_trips, bool)
            or self.max_trips < 1
        ):
            raise ValueError(f"{owner}: max_trips must be an int >= 1, got {self.max_trips!r}.")
        if (
            not isinstance(self.reload_s, int)
            or isinstance(self.reload_s, bool)
            or self.reload_s < 0
        ):
            raise ValueError(
                f"{owner}: reload_s must be a non-negative int, got {self.reload_s!r}."
            )
        object.__setattr__(self, "type", VehicleType(self.type))
        object.__setattr__(self, "capacity", _frozen_counts("capacity", owner, self.capacity))
        if not isinstance(self.max_kg, int) or self.max_kg < 0:
            raise ValueError(f"{owner}: max_kg must be a non-negative int.")
        for name in ("fixed_cost", "cost_per_km"):
            if getattr(self, name) < 0:
                raise ValueError(f"{owner}: {name} must be >= 0.")
        if not self.speed_factor > 0:
            raise ValueError(f"{owner}: speed_factor must be > 0.")
        _check_time("shift_start_s", owner, self.shift_start_s)
        _check_time("shift_end_s", owner, self.shift_end_s)
        if self.shift_start_s >= self.shift_end_s:
            raise ValueError(f"{owner}: shift_start_s must be < shift_end_s.")
        if self.break_duration_s < 0:
            raise ValueError(f"{owner}: break_duration_s must be >= 0.")
        if self.break_duration_s > 0:
            _check_time("break_start_earliest_s", owner, self.break_start_earliest_s)
            _check_time("break_end_latest_s", owner, self.break_end_latest_s)
            assert self.break_start_earliest_s is not None and self.break_end_latest_s is not None
            if self.break_end_latest_s - self.break_start_earliest_s < self.break_duration_s:
                raise ValueError(f"{owner}: break window is shorter than break_duration_s.")
        if self.max_route_s is not None and self.max_route_s <= 0:
            raise ValueError(f"{owner}: max_route_s must be > 0 or None.")
        if self.max_stops is not None and self.max_stops < 0:
            raise ValueError(f"{owner}: max_stops must be >= 0 or None.")

    @property
    def has_break(self) -> bool:
        """True if the driver must take a break today."""
        return self.break_duration_s > 0


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """One delivery day: depot, orders, fleet, service-time model and travel matrix.

    ``matrix=None`` means the default :class:`~luckygas.optimize.matrix.HaversineMatrix`.
    """

    date: dt.date
    depot: Depot
    orders: tuple[Order, ...]
    vehicles: tuple[Vehicle, ...]
    service_time: ServiceTime = field(default_factory=ServiceTime)
    matrix: TravelMatrix | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "orders", tuple(self.orders))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        seen: set[int] = set()
        for o in self.orders:
            if o.id in seen:
                raise ValueError(f"RoutingProblem: orders has duplicate id {o.id}.")
            seen.add(o.id)
        vids = {v.id for v in self.vehicles}
        if len(vids) != len(self.vehicles):
            dup = [v.id for v in self.vehicles if [w.id for w in self.vehicles].count(v.id) > 1]
            raise ValueError(f"RoutingProblem: vehicles has duplicate id {dup[0]}.")
        for o in self.orders:
            if o.pinned_vehicle_id is not None and o.pinned_vehicle_id not in vids:
                raise ValueError(
                    f"RoutingProblem: order {o.id} pinned_vehicle_id {o.pinned_vehicle_id} "
                    "is not in vehicles."
                )

    @property
    def orders_by_id(self) -> dict[int, Order]:
        """Orders keyed by id."""
        return {o.id: o for o in self.orders}

    @property
    def vehicles_by_id(self) -> dict[int, Vehicle]:
        """Vehicles keyed by id."""
        return {v.id: v for v in self.vehicles}

    def fingerprint(self) -> str:
        """sha256 of a canonical JSON of the problem (matrix described by its repr)."""

        def enc(x: Any) -> Any:
            if dataclasses.is_dataclass(x) and not isinstance(x, type):
                return {f.name: enc(getattr(x, f.name)) for f in dataclasses.fields(x)}
            if isinstance(x, Mapping):
                return {str(k): enc(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
            if isinstance(x, list | tuple):
                return [enc(v) for v in x]
            if isinstance(x, dt.date):
                return x.isoformat()
            if x is None or isinstance(x, int | float | str | bool):
                return x
            return repr(x)

        payload = {
            f.name: enc(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name != "matrix"
        }
        payload["matrix"] = None if self.matrix is None else self.matrix.describe()
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()
