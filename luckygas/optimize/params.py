"""How to search: the solver's parameters, in three small checked groups.

Like PyVRP's ``*Params`` classes, each group is a frozen dataclass that checks itself
when it is built, so a typo or an impossible value fails where it is written, not deep
in a solve. :class:`SolverParams` holds the time limit (the one setting an analyst
changes every day) and the three groups; :meth:`SolverParams.replace` and
:meth:`SolverParams.from_dict` also take the flat names (``seed=3``,
``balance_weight=100``), which is how scenarios, the panel and parameter files name them.
The figures behind the defaults are in ``benchmarks/README_planning.md`` and
``benchmarks/README_vrptw.md``.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: OR-Tools first-solution strategies accepted (``"auto"``: our rule, see the solver).
#: Kept here, not read from OR-Tools, so parameters can be built without importing it;
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
#: OR-Tools local-search metaheuristics accepted.
METAHEURISTICS = (
    "AUTOMATIC",
    "GREEDY_DESCENT",
    "GUIDED_LOCAL_SEARCH",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GENERIC_TABU_SEARCH",
)


def _non_negative(owner: str, obj: object, names: tuple[str, ...]) -> None:
    for name in names:
        if getattr(obj, name) < 0:
            raise ValueError(f"{owner}: expected {name} >= 0, got {getattr(obj, name)!r}.")


@dataclass(frozen=True, slots=True)
class SearchParams:
    """How OR-Tools searches.

    Parameters
    ----------
    first_solution
        OR-Tools first-solution strategy name, or ``"auto"`` (chosen by the size of the
        day; see :func:`luckygas.optimize.solver.auto_first_solution`).
    metaheuristic
        OR-Tools local-search metaheuristic name.
    deterministic
        Stop after ``solution_limit`` solutions instead of the clock, so two runs give
        the same plan; the time limit is then only a safety net.
    seed
        Random seed (PyVRP's seeding).
    solution_limit
        Solutions before a deterministic search stops.
    fallback_greedy
        If the time limit expires before OR-Tools found any first solution (a large day
        on a loaded machine), use a nearest-neighbour construction with reloads instead
        of dropping every order (``RunRecord.first_solution == "greedy-fallback"``).
    explain_dropped
        Give every order the search left out a reason (counterfactual insertions).
    """

    first_solution: str = "auto"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    deterministic: bool = False
    seed: int = 0
    solution_limit: int = 300
    fallback_greedy: bool = True
    explain_dropped: bool = True

    def __post_init__(self) -> None:
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


@dataclass(frozen=True, slots=True)
class CostParams:
    """What a plan costs, in TWD (integer cents inside the solver).

    Parameters
    ----------
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
    keep_vehicle_cost
        Re-plans only (a solve given ``initial_routes``): TWD charged for each order
        that ends on another vehicle than it has in the plan the re-plan starts from,
        so a small change gives a small diff (0 = off).
    """

    drop_penalty_normal: float = 10_000.0
    drop_penalty_optional: float = 200.0
    urgent_factor: bool = True
    vehicle_fixed_cost_weight: float = 1.0
    balance_weight: float = 0.0
    keep_vehicle_cost: float = 0.0

    def __post_init__(self) -> None:
        _non_negative(
            "SolverParams",
            self,
            (
                "drop_penalty_normal",
                "drop_penalty_optional",
                "vehicle_fixed_cost_weight",
                "balance_weight",
                "keep_vehicle_cost",
            ),
        )
        if self.drop_penalty_optional > self.drop_penalty_normal:
            raise ValueError("SolverParams: drop_penalty_optional must be <= drop_penalty_normal.")


@dataclass(frozen=True, slots=True)
class SeedingParams:
    """When PyVRP builds the starting routes OR-Tools then improves.

    Parameters
    ----------
    pyvrp_seed_s
        If > 0, run PyVRP for this many seconds (extra to the time limit) to build
        starting routes on any day.
    small_day_orders, small_day_pyvrp_iterations
        Small-day rule: a day with at most ``small_day_orders`` plannable orders starts
        from PyVRP's routes after ``small_day_pyvrp_iterations`` iterations (a few ms,
        reproducible), then OR-Tools' greedy descent stops by itself at a local
        optimum. 0 orders disables the rule.
    large_day_orders, large_day_pyvrp_share
        Large-day rule: on a day with at least ``large_day_orders`` plannable orders
        (not deterministic), PyVRP builds the starting routes in
        ``large_day_pyvrp_share`` of the time limit and OR-Tools improves them in the
        rest under every rule. 0 orders disables the rule.
    seed_workers
        PyVRP seeds run at once, one per process; on a large day with two or more,
        OR-Tools also searches twice at once, from the two best repaired plans.
    """

    pyvrp_seed_s: float = 0.0
    small_day_orders: int = 25
    small_day_pyvrp_iterations: int = 100
    large_day_orders: int = 26
    large_day_pyvrp_share: float = 0.8
    seed_workers: int = 2

    def __post_init__(self) -> None:
        if not 0.0 <= self.large_day_pyvrp_share < 1.0 or self.large_day_orders < 0:
            raise ValueError(
                "SolverParams: expected 0 <= large_day_pyvrp_share < 1 and large_day_orders >= 0."
            )
        if self.seed_workers < 1:
            raise ValueError("SolverParams: expected seed_workers >= 1.")
        _non_negative(
            "SolverParams", self, ("pyvrp_seed_s", "small_day_orders", "small_day_pyvrp_iterations")
        )


_GROUPS: dict[str, type] = {"search": SearchParams, "cost": CostParams, "seeding": SeedingParams}
#: Flat parameter name -> the group that holds it.
GROUP_OF: dict[str, str] = {
    f.name: group for group, cls in _GROUPS.items() for f in dataclasses.fields(cls)
}


@dataclass(frozen=True, slots=True)
class SolverParams:
    """How to plan a day: the time limit and the search, cost and seeding groups.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit of the whole solve. It never shrinks with the fleet.
    search, cost, seeding
        See :class:`SearchParams`, :class:`CostParams` and :class:`SeedingParams`.

    Examples
    --------
    >>> p = SolverParams(time_limit_s=5).replace(seed=3, balance_weight=100.0)
    >>> (p.time_limit_s, p.search.seed, p.cost.balance_weight)
    (5, 3, 100.0)
    """

    time_limit_s: float = 10.0
    search: SearchParams = field(default_factory=SearchParams)
    cost: CostParams = field(default_factory=CostParams)
    seeding: SeedingParams = field(default_factory=SeedingParams)

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"SolverParams: expected time_limit_s > 0, got {self.time_limit_s!r}.")

    def replace(self, **changes: Any) -> SolverParams:
        """A copy with ``changes`` applied; flat names go to their group.

        Raises
        ------
        ValueError
            For an unknown name (the known ones are listed) or a value a group refuses.
        """
        unknown = sorted(set(changes) - set(GROUP_OF) - {"time_limit_s", *_GROUPS})
        if unknown:
            raise ValueError(
                f"SolverParams: unknown setting(s) {unknown}; known: "
                f"{sorted(['time_limit_s', *GROUP_OF])}."
            )
        top = {k: v for k, v in changes.items() if k == "time_limit_s" or k in _GROUPS}
        for group in _GROUPS:
            mine = {k: v for k, v in changes.items() if GROUP_OF.get(k) == group}
            if mine:
                top[group] = dataclasses.replace(top.get(group, getattr(self, group)), **mine)
        return dataclasses.replace(self, **top)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe flat dict (``{"time_limit_s": 10.0, "seed": 0, ...}``).

        Flat, so the run record stored with every plan reads the same as before the
        parameters were grouped; :meth:`from_dict` reads it back.
        """
        out: dict[str, Any] = {"time_limit_s": self.time_limit_s}
        for group in _GROUPS:
            out.update(dataclasses.asdict(getattr(self, group)))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SolverParams:
        """Parameters from a flat dict, a grouped one (``{"search": {...}}``) or a mix."""
        flat: dict[str, Any] = {}
        for key, value in data.items():
            if key in _GROUPS and isinstance(value, Mapping):
                flat.update(value)
            else:
                flat[key] = value
        return cls().replace(**flat)

    @classmethod
    def from_file(cls, path: str | Path) -> SolverParams:
        """Parameters from a ``.toml`` or ``.json`` file (flat or grouped, as :meth:`from_dict`).

        Examples
        --------
        A TOML file::

            time_limit_s = 30

            [search]
            seed = 7

            [cost]
            balance_weight = 100.0
        """
        path = Path(path)
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            raise ValueError(f"{path}: expected a .toml or .json file of solver parameters.")
        return cls.from_dict(data)
