"""A plain numeric routing model: the contract between data preparation and the solver.

Everything is already integer and node-indexed (node 0 = depot), so the same OR-Tools
builder serves Lucky Gas days (via :mod:`luckygas.optimize.prepare`) and the Solomon
benchmark (via ``benchmarks/vrptw.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

#: ``progress(elapsed_s, best)``: seconds since the solve started and the best objective
#: so far (None before the first plan, or when only the time is reported).
ProgressFn = Callable[[float, float | None], None]


@dataclass(frozen=True)
class NumVehicle:
    """One vehicle in solver units (seconds, cost units, integer capacities).

    ``break_`` is ``(earliest_start_s, latest_start_s, duration_s)`` or None.
    """

    time_key: Hashable
    cost_key: Hashable
    capacities: tuple[int, ...]
    fixed_cost: int = 0
    start_range: tuple[int, int] = (0, 86_400)
    end_range: tuple[int, int] = (0, 86_400)
    max_span: int | None = None
    break_: tuple[int, int, int] | None = None


@dataclass
class NumModel:
    """Node-indexed integer model.

    ``time_matrices[key][i][j]`` = service at ``i`` + travel ``i -> j`` (the OR-Tools
    convention: the transit of an arc carries the from-node's service time).
    ``penalties[i] is None`` makes node ``i`` mandatory.

    ``reload_vehicle[i]`` is the vehicle index owning reload node ``i`` (a copy of the
    depot where that vehicle refills; ``None`` for customers). Reload nodes carry
    ``-capacity`` on every capacity dimension, so the load restarts from zero there; they
    come last, after every customer node, and are optional at no cost.

    ``locked[v]`` is a node prefix that must open vehicle ``v``'s route in this order
    (stops already dispatched, or locked by the analyst); those visits are mandatory.
    """

    n_nodes: int
    time_matrices: dict[Hashable, list[list[int]]]
    cost_matrices: dict[Hashable, list[list[int]]]
    dim_names: tuple[str, ...]
    demands: tuple[list[int], ...]
    service: list[int]
    windows: list[tuple[tuple[int, int], ...]]
    allowed: list[list[int] | None]
    penalties: list[int | None]
    vehicles: list[NumVehicle]
    horizon: int = 86_400
    span_cost: int = 0
    meta: dict[str, object] = field(default_factory=dict)
    reload_vehicle: list[int | None] | None = None
    locked: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.n_nodes
        if len(self.dim_names) != len(self.demands):
            raise ValueError("NumModel: dim_names and demands differ in length.")
        for name, vec in zip(self.dim_names, self.demands, strict=True):
            if len(vec) != n:
                raise ValueError(
                    f"NumModel: demand vector {name} has {len(vec)} entries, expected {n}."
                )
        for label in ("service", "windows", "allowed", "penalties"):
            if len(getattr(self, label)) != n:
                raise ValueError(f"NumModel: {label} must have {n} entries.")
        if self.reload_vehicle is not None and len(self.reload_vehicle) != n:
            raise ValueError(f"NumModel: reload_vehicle must have {n} entries.")
        for v, nodes in self.locked.items():
            if not 0 <= v < len(self.vehicles) or any(not 0 < x < n for x in nodes):
                raise ValueError(f"NumModel: locked prefix of vehicle {v} is out of range.")
        for v in self.vehicles:
            if len(v.capacities) != len(self.dim_names):
                raise ValueError("NumModel: vehicle capacities must match dim_names.")
            if v.time_key not in self.time_matrices or v.cost_key not in self.cost_matrices:
                raise ValueError("NumModel: vehicle refers to an unknown matrix key.")

    def is_reload(self, node: int) -> bool:
        """True if ``node`` is a reload (depot copy) node."""
        return self.reload_vehicle is not None and self.reload_vehicle[node] is not None

    @property
    def n_customers(self) -> int:
        """Number of customer nodes (they are nodes ``1..n_customers``)."""
        if self.reload_vehicle is None:
            return self.n_nodes - 1
        return sum(1 for r in self.reload_vehicle[1:] if r is None)


@dataclass
class RawSolution:
    """What the solver found, still in node indices.

    ``routes[v]`` lists the visited nodes (no depot; reload nodes included, useless
    ones already removed), ``starts[v]`` their service start times;
    ``depart[v]``/``end[v]`` the depot departure/return; ``breaks[v]`` the break
    start or None.
    """

    routes: list[list[int]]
    starts: list[list[int]]
    depart: list[int]
    end: list[int]
    breaks: list[int | None]
    objective: int | None
    status: str
    solutions: int
    wall_s: float
    seeded: bool = False
    first_solution: str = ""
    #: Objective of the plan the search started from (a warm start, or its first
    #: solution): the run's outcome compares the final objective with it.
    start_objective: int | None = None

    @classmethod
    def empty(
        cls, model: NumModel, status: str, *, wall_s: float = 0.0, objective: int | None = None
    ) -> RawSolution:
        """No routes: every vehicle stays at the depot from its earliest start."""
        n = len(model.vehicles)
        at = [v.start_range[0] for v in model.vehicles]
        return cls(
            routes=[[] for _ in range(n)],
            starts=[[] for _ in range(n)],
            depart=list(at),
            end=list(at),
            breaks=[None] * n,
            objective=objective,
            status=status,
            solutions=0,
            wall_s=wall_s,
        )

    def served(self, model: NumModel) -> int:
        """Customer visits (reload nodes not counted)."""
        return sum(1 for r in self.routes for node in r if not model.is_reload(node))
