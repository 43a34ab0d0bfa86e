"""Plan a delivery day from the database: the one call notebooks, widgets and the CLI share."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.bridge.adapter import PLANNABLE_STATUSES, build_problem
from luckygas.db import release_if_read_only
from luckygas.domain import OrderStatus
from luckygas.optimize.model import ProgressFn
from luckygas.optimize.params import SolverParams
from luckygas.optimize.problem import RoutingProblem
from luckygas.optimize.result import PlanResult
from luckygas.roads.background import BackgroundParams, RoadBackground, main_roads


def next_delivery_day(session: Session, after: dt.date | None = None) -> dt.date | None:
    """The earliest date (on or after ``after``, if given) that has orders still to plan.

    Parameters
    ----------
    session
        Open session.
    after
        Only consider dates on or after this one.

    Returns
    -------
    datetime.date or None
        ``None`` when no open orders exist.
    """
    stmt = select(func.min(m.Order.delivery_date)).where(m.Order.status.in_(PLANNABLE_STATUSES))
    if after is not None:
        stmt = stmt.where(m.Order.delivery_date >= after)
    return session.scalar(stmt)


def plan_day(
    session: Session,
    day: dt.date,
    params: SolverParams | None = None,
    *,
    vehicle_ids: Collection[int] | None = None,
    include_optional: bool = True,
    progress: ProgressFn | bool | None = None,
) -> tuple[RoutingProblem, PlanResult]:
    """Solve ``day`` from the database (nothing is written; see :func:`save_plan`).

    Parameters
    ----------
    session
        Open session.
    day
        Delivery date.
    params
        Solver settings (default ``SolverParams()``: 10 s).
    vehicle_ids
        Vehicles available; ``None`` means the whole active fleet.
    include_optional
        Offer optional (forecast) orders to the solver.
    progress
        A ``progress(elapsed_s, best_cost)`` callback, or ``True`` for a progress bar
        (terminal or notebook).

    Returns
    -------
    tuple of (RoutingProblem, PlanResult)
    """
    from luckygas.optimize import solve

    params = params or SolverParams()
    problem = build_problem(
        session, day, vehicle_ids=vehicle_ids, include_optional=include_optional
    )
    # The solve needs no database: don't keep other analysts waiting for the lock.
    release_if_read_only(session)
    if progress is True:
        with solve_progress_bar(params.time_limit_s) as callback:
            result = solve(problem, params, progress=callback)
    else:
        result = solve(problem, params, progress=progress or None)
    return problem, result


def road_background(
    session: Session, problem: RoutingProblem, params: BackgroundParams | None = None
) -> RoadBackground | None:
    """The imported main roads around ``problem``'s depot and orders, for its maps.

    Parameters
    ----------
    session
        Any session (only reads the imported road graph).
    problem
        The day (every order counts, planned or not: the map shows them all).
    params
        What to keep (default :class:`~luckygas.roads.background.BackgroundParams`).

    Returns
    -------
    RoadBackground or None
        ``None`` when no road graph is imported: the maps then draw no background.
    """
    loc = problem.depot.location
    points = [(loc.lat, loc.lng)]
    points += [(o.location.lat, o.location.lng) for o in problem.orders if o.location is not None]
    return main_roads(session, points, params)


@contextmanager
def solve_progress_bar(
    time_limit_s: float, *, description: str = "optimizing"
) -> Iterator[ProgressFn]:
    """A tqdm bar over the time limit showing the best cost so far.

    Parameters
    ----------
    time_limit_s
        The solver's time limit (the bar's length).
    description
        Text before the bar.

    Yields
    ------
    callable
        A ``progress(elapsed_s, best_cost)`` callback for :func:`luckygas.optimize.solve`.
    """
    from tqdm.auto import tqdm

    bar = tqdm(
        total=round(time_limit_s, 1),
        desc=description,
        unit="s",
        # The solver reports every improvement (hundreds a second); redraw at most twice a
        # second so a log file or a notebook is not flooded.
        mininterval=0.5,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s{postfix}",
    )
    started = time.perf_counter()

    def advance_to(elapsed_s: float) -> None:
        target = min(round(elapsed_s, 1), bar.total)
        if target > bar.n:
            bar.update(target - bar.n)  # update() honours mininterval; refresh() would not

    def callback(elapsed_s: float, best_cost: float | None) -> None:
        if best_cost is not None:
            bar.set_postfix_str(f"objective {best_cost:,.0f} TWD", refresh=False)
        advance_to(elapsed_s)

    try:
        yield callback
    finally:
        advance_to(time.perf_counter() - started)
        bar.close()


def order_counts(session: Session, day: dt.date) -> dict[str, int]:
    """Orders of ``day`` by status (all statuses present, zeros included)."""
    rows = session.execute(
        select(m.Order.status, func.count())
        .where(m.Order.delivery_date == day)
        .group_by(m.Order.status)
    )
    counts = {s.value: 0 for s in OrderStatus}
    counts.update({str(status): n for status, n in rows})
    return counts
