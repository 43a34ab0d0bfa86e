"""Run several scenarios of one day at once, on any :class:`concurrent.futures.Executor`.

The default is a spawn-safe :class:`~concurrent.futures.ProcessPoolExecutor` with two
workers; pass the executor of :func:`luckygas.scenarios.cluster.dask_executor` (the
optional ``luckygas[cluster]`` extra) to run on a Dask cluster instead. Scenarios are
applied in the calling process (cheap); each scenario's problem and solver settings are
pickled to a worker as they are.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from luckygas.domain import VehicleType
from luckygas.scenarios.changes import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from luckygas.optimize.params import SolverParams
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

#: Workers of the default process pool (the workbench's 2-core laptops).
DEFAULT_WORKERS = 2


def solve_job(problem: RoutingProblem, params: SolverParams) -> PlanResult:
    """Worker entry point: solve one scenario's problem (top level, so spawn-safe).

    The optimizer's problem objects pickle as they are, so they are submitted directly.
    """
    from luckygas.optimize.pipeline import solve

    return solve(problem, params)


# ---------------------------------------------------------------------------
# Running scenarios
# ---------------------------------------------------------------------------


def run_scenarios(
    problem: RoutingProblem,
    scenarios: Sequence[Scenario],
    params: SolverParams | None = None,
    *,
    executor: cf.Executor | None = None,
    max_workers: int = DEFAULT_WORKERS,
    progress: bool = True,
) -> dict[str, PlanResult]:
    """Solve every scenario of ``problem`` in parallel.

    Parameters
    ----------
    problem
        The day's baseline problem (not modified).
    scenarios
        Scenarios with unique names; each is applied to ``problem``.
    params
        Base solver settings; each scenario's ``solver`` overrides are applied on top.
        Use ``deterministic=True`` for results that do not depend on the executor.
    executor
        Any executor (e.g. ``dask.distributed.Client.get_executor()``). ``None`` makes a
        spawn-context process pool with ``max_workers`` workers, shut down afterwards.
    max_workers
        Size of the default pool; ``1`` solves serially in this process (no pool).
    progress
        Show a tqdm bar as scenarios finish.

    Returns
    -------
    dict[str, PlanResult]
        Results keyed by scenario name, in the order of ``scenarios``.

    Raises
    ------
    ValueError
        If names repeat or a scenario cannot be applied to the day (before any solve).
    RuntimeError
        If a solve fails in a worker (names the scenario; the cause is chained).
    """
    from luckygas.optimize.params import SolverParams

    params = params or SolverParams()
    counts = Counter(s.name for s in scenarios)
    dup = sorted(n for n, c in counts.items() if c > 1)
    if dup:
        raise ValueError(f"run_scenarios: scenario name(s) {dup} appear more than once.")
    jobs = {s.name: (s.apply(problem), s.params(params)) for s in scenarios}
    if not jobs:
        return {}
    if executor is None and max_workers <= 1:
        results = _run_serial(jobs, progress)
    else:
        owned = executor is None
        if executor is None:
            executor = cf.ProcessPoolExecutor(
                max_workers=min(max_workers, len(jobs)),
                mp_context=multiprocessing.get_context("spawn"),
            )
        try:
            results = _run_on(executor, jobs, progress)
        finally:
            if owned:
                executor.shutdown(wait=True, cancel_futures=True)
    _warn_unsolved(results, jobs)
    return results


def _warn_unsolved(
    results: Mapping[str, PlanResult], jobs: Mapping[str, tuple[RoutingProblem, SolverParams]]
) -> None:
    """A search that found no solution in time returns an empty plan: say so loudly."""
    for name, res in results.items():
        searched = res.run.status not in ("NOTHING_TO_PLAN", "NO_VEHICLES")
        if searched and res.run.solutions == 0:
            limit = jobs[name][1].time_limit_s
            warnings.warn(
                f"Scenario {name!r}: the solver found no plan within {limit:g} s, so every "
                "order it searched shows as unserved; raise the time limit.",
                RuntimeWarning,
                stacklevel=3,
            )


def _bar(total: int, progress: bool, desc: str = "scenarios") -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="scenario", disable=not progress)


def _run_serial(
    jobs: Mapping[str, tuple[RoutingProblem, SolverParams]], progress: bool
) -> dict[str, PlanResult]:
    from luckygas.optimize.pipeline import solve

    out: dict[str, PlanResult] = {}
    with _bar(len(jobs), progress) as bar:
        for name, (prob, prm) in jobs.items():
            try:
                out[name] = solve(prob, prm)
            except Exception as exc:
                raise RuntimeError(f"Scenario {name!r} failed: {exc}") from exc
            bar.set_postfix_str(name)
            bar.update()
    return out


def _run_on(
    executor: cf.Executor, jobs: Mapping[str, tuple[RoutingProblem, SolverParams]], progress: bool
) -> dict[str, PlanResult]:
    futures = {executor.submit(solve_job, prob, prm): name for name, (prob, prm) in jobs.items()}
    done: dict[str, PlanResult] = {}
    with _bar(len(futures), progress) as bar:
        for fut in cf.as_completed(futures):
            name = futures[fut]
            try:
                done[name] = fut.result()
            except Exception as exc:
                for other in futures:
                    other.cancel()
                raise RuntimeError(f"Scenario {name!r} failed: {exc}") from exc
            bar.set_postfix_str(name)
            bar.update()
    return {name: done[name] for name in jobs}


# ---------------------------------------------------------------------------
# Sweeps
# ---------------------------------------------------------------------------

SWEEP_COLUMNS = [
    "setting",
    "value",
    "scenario",
    "vehicles_available",
    "vehicles_used",
    "served",
    "unassigned",
    "distance_km",
    "working_h",
    "cost",
    "on_time_pct",
    "objective",
]


def _most_common_type(problem: RoutingProblem) -> VehicleType:
    types = [v.type for v in problem.vehicles]
    if not types:
        raise ValueError("sweep: the day has no vehicles; pass vehicle_type explicitly.")
    counts = Counter(types)
    # Ties go to the bigger vehicle: fleet what-ifs are usually about trucks.
    order = [VehicleType.LIGHT_TRUCK, VehicleType.CAR, VehicleType.MOTORCYCLE]
    return max(counts, key=lambda t: (counts[t], -order.index(t)))


def _fleet_size(
    problem: RoutingProblem, value: Any, vehicle_type: VehicleType | None
) -> dict[str, Any]:
    vt = vehicle_type or _most_common_type(problem)
    others = sum(1 for v in problem.vehicles if v.type != vt)
    n = int(value)
    if n < others:
        raise ValueError(
            f"sweep fleet_size={n}: the fleet has {others} vehicles that are not "
            f"{vt.value}s; the smallest fleet size is {others}."
        )
    return {"vehicle_counts": {vt: n - others}}


_SETTINGS: dict[str, Callable[[RoutingProblem, Any, VehicleType | None], dict[str, Any]]] = {
    "fleet_size": _fleet_size,
    "vehicle_count": lambda p, v, t: {"vehicle_counts": {t or _most_common_type(p): int(v)}},
    "shift_length_h": lambda p, v, t: {"shift_length_min": round(float(v) * 60)},
    "demand_multiplier": lambda p, v, t: {"demand_multiplier": float(v)},
    "speed_factor": lambda p, v, t: {"speed_factor": float(v)},
    "window_widen_min": lambda p, v, t: {"window_widen_min": int(v)},
    "time_limit_s": lambda p, v, t: {"solver": {"time_limit_s": float(v)}},
}

#: Settings :func:`sweep` understands.
SWEEP_SETTINGS: tuple[str, ...] = tuple(_SETTINGS)


def sweep_scenario(
    problem: RoutingProblem, setting: str, value: Any, vehicle_type: VehicleType | str | None = None
) -> Scenario:
    """The scenario of one sweep point, named ``"<setting>=<value>"``.

    ``fleet_size`` is the total number of vehicles, reached by removing or cloning
    vehicles of ``vehicle_type`` (default: the day's most common type); the other types
    stay as they are. ``vehicle_count`` sets the count of that type alone.
    """
    if setting not in _SETTINGS:
        raise ValueError(f"sweep: unknown setting {setting!r}; known: {', '.join(SWEEP_SETTINGS)}.")
    vt = None if vehicle_type is None else VehicleType(vehicle_type)
    changes = _SETTINGS[setting](problem, value, vt)
    return Scenario(name=f"{setting}={value}", description=f"sweep {setting}", **changes)


def sweep(
    problem: RoutingProblem,
    setting: str,
    values: Sequence[Any],
    params: SolverParams | None = None,
    executor: cf.Executor | None = None,
    *,
    vehicle_type: VehicleType | str | None = None,
    max_workers: int = DEFAULT_WORKERS,
    progress: bool = True,
) -> pd.DataFrame:
    """Solve the day once per value of one setting.

    Parameters
    ----------
    problem, params, executor, max_workers, progress
        As in :func:`run_scenarios`.
    setting
        One of :data:`SWEEP_SETTINGS`.
    values
        The values to try (e.g. ``range(4, 11)`` for ``fleet_size``).
    vehicle_type
        Type added/removed by ``fleet_size`` and ``vehicle_count``.

    Returns
    -------
    pandas.DataFrame
        One row per value with :data:`SWEEP_COLUMNS` (cost, km, vehicles, unserved, ...).
    """
    import pandas as pd

    scenarios = [sweep_scenario(problem, setting, v, vehicle_type) for v in values]
    results = run_scenarios(
        problem, scenarios, params, executor=executor, max_workers=max_workers, progress=progress
    )
    rows = []
    for value, sc in zip(values, scenarios, strict=True):
        k = results[sc.name].kpis
        rows.append(
            {
                "setting": setting,
                "value": value,
                "scenario": sc.name,
                **{c: k.get(c) for c in SWEEP_COLUMNS[3:]},
            }
        )
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)
