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
#: OR-Tools first-solution strategies :class:`SolverParams` accepts (``"auto"``: our rule).
#: Kept here, not read from OR-Tools, so a problem can be built without importing it;
#: ``tests/optimize/test_inputs.py`` checks they are OR-Tools' own names.
FIRST_SOLUTION_STRATEGIES = (
    "auto",
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "PATH_MOST_CONSTRAINED_ARC",
    "SAVINGS",
    "PARALLEL_SAVINGS",
    "SWEEP",
    "CHRISTOFIDES",
    "ALL_UNPERFORMED",
    "BEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_COST_INSERTION",
    "GLOBAL_CHEAPEST_ARC",
    "LOCAL_CHEAPEST_ARC",
    "FIRST_UNBOUND_MIN_VALUE",
)
#: OR-Tools local-search metaheuristics :class:`SolverParams` accepts.
METAHEURISTICS = (
    "AUTOMATIC",
    "GREEDY_DESCENT",
    "GUIDED_LOCAL_SEARCH",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GENERIC_TABU_SEARCH",
)


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
class SolverParams:
    """How to search. Penalties and costs are in TWD (converted to integer cents inside).

    Parameters
    ----------
    time_limit_s
        Wall-clock limit of the search. It never shrinks with the fleet (domain.md §4.7).
    first_solution
        OR-Tools first-solution strategy name, or ``"auto"`` (measured on the Solomon set,
        see ``benchmarks/README_vrptw.md``).
    metaheuristic
        OR-Tools local-search metaheuristic name.
    deterministic
        If True the search stops after ``solution_limit`` solutions instead of the clock,
        so two runs give the same plan; ``time_limit_s`` is then only a safety net.
    drop_penalty_normal, drop_penalty_optional
        Cost of leaving a normal / forecast order unserved. The normal penalty is raised
        automatically above any vehicle's fixed cost plus round trip, so normal orders
        always dominate fleet cost.
    urgent_factor
        Urgent and emergency penalties are made lexicographically larger: an urgent
        order is worth more than all normal orders together, an emergency more than
        all urgent ones.
    vehicle_fixed_cost_weight
        Multiplier on ``Vehicle.fixed_cost`` (0 disables fleet minimisation).
    balance_weight
        TWD per hour of the longest route's duration (global span cost); 0 = off.
    pyvrp_seed_s
        If > 0, run PyVRP for this many seconds to build starting routes that OR-Tools
        then repairs and improves under every Lucky Gas constraint.
    small_day_orders
        Small-day rule. A day with at most this many plannable orders is solved by
        PyVRP (``small_day_pyvrp_iterations`` iterations, a few ms, reproducible) for
        starting routes, then OR-Tools greedy descent, which stops by itself at a local
        optimum instead of running GLS until the clock: a 10-stop day takes a few ms and
        is within 1 % of a 5 s GLS run (tests/optimize/test_speed_rules.py). Without
        PyVRP, GLS stops after ``20 × orders`` solutions. 0 disables the rule.
    small_day_pyvrp_iterations
        PyVRP iterations for the small-day rule.
    large_day_orders, large_day_pyvrp_share
        Large-day rule. On a day with at least ``large_day_orders`` plannable orders (and
        ``pyvrp_seed_s == 0``, not ``deterministic``), PyVRP builds the starting routes in
        ``large_day_pyvrp_share`` of the time limit and OR-Tools improves them in the
        rest under every rule. Since PyVRP sees the driver break on its own clock
        (``seeding._LunchClock``) its routes need almost no repair and keep improving
        with time, so it gets most of the limit: on the demo day at 10 s, median of 6
        seeds 20,286 TWD at 50 %, 20,249 at 80 %, 20,247 at 90 %
        (benchmarks/README_planning.md). The rule starts right above the small-day rule:
        on synthetic days of 40 and 70 orders at 10 s it cost 0-31 % less than
        OR-Tools' own start (3 of 6 days by 22-31 %: one vehicle fewer). 0 disables it.
    seed_workers
        PyVRP seeding on a large day (or with ``pyvrp_seed_s``) runs this many seeds at
        once, one per process, and keeps the best repaired plan (both cores of the
        machine; 1 = this process only). On a large day with two or more, OR-Tools
        then also searches twice at once, from the two best repaired plans, and the
        better result wins.
    keep_vehicle_cost
        Re-plans only (a solve given ``initial_routes``): TWD charged for each order
        that ends on another vehicle than it has in the plan the re-plan starts from,
        so a small change gives a small diff (0 = off).
    fallback_greedy
        If the time limit expires before OR-Tools found any first solution (a large day
        on a loaded machine), use a nearest-neighbour construction with reloads instead
        of dropping every order (``RunRecord.first_solution == "greedy-fallback"``).
    """

    time_limit_s: float = 10.0
    first_solution: str = "auto"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    deterministic: bool = False
    seed: int = 0
    solution_limit: int = 300
    drop_penalty_normal: float = 10_000.0
    drop_penalty_optional: float = 200.0
    urgent_factor: bool = True
    vehicle_fixed_cost_weight: float = 1.0
    balance_weight: float = 0.0
    pyvrp_seed_s: float = 0.0
    explain_dropped: bool = True
    small_day_orders: int = 25
    small_day_pyvrp_iterations: int = 100
    large_day_orders: int = 26
    large_day_pyvrp_share: float = 0.8
    fallback_greedy: bool = True
    seed_workers: int = 2
    keep_vehicle_cost: float = 0.0

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"SolverParams: expected time_limit_s > 0, got {self.time_limit_s!r}.")
        if self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            raise ValueError(
                f"SolverParams: unknown first_solution {self.first_solution!r}; expected one "
                f"of {', '.join(FIRST_SOLUTION_STRATEGIES)}."
            )
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(
                f"SolverParams: unknown metaheuristic {self.metaheuristic!r}; expected one "
                f"of {', '.join(METAHEURISTICS)}."
            )
        if self.solution_limit <= 0:
            raise ValueError("SolverParams: expected solution_limit > 0.")
        if not 0.0 <= self.large_day_pyvrp_share < 1.0 or self.large_day_orders < 0:
            raise ValueError(
                "SolverParams: expected 0 <= large_day_pyvrp_share < 1 and large_day_orders >= 0."
            )
        if self.seed_workers < 1:
            raise ValueError("SolverParams: expected seed_workers >= 1.")
        if self.small_day_orders < 0 or self.small_day_pyvrp_iterations < 0:
            raise ValueError(
                "SolverParams: expected small_day_orders and small_day_pyvrp_iterations >= 0."
            )
        for name in (
            "drop_penalty_normal",
            "drop_penalty_optional",
            "vehicle_fixed_cost_weight",
            "balance_weight",
            "pyvrp_seed_s",
            "keep_vehicle_cost",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"SolverParams: expected {name} >= 0.")
        if self.drop_penalty_optional > self.drop_penalty_normal:
            raise ValueError("SolverParams: drop_penalty_optional must be <= drop_penalty_normal.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the parameters."""
        return dataclasses.asdict(self)


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
