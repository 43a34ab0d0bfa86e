"""Save a solved day as a draft plan, and load a saved plan back.

A save is all-or-nothing: it runs inside a SAVEPOINT, so a failure (say, an order
deleted by a colleague a moment ago) leaves neither a half-written plan nor a broken
outer transaction. Publishing lives in :mod:`luckygas.plans`, because it needs a role.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luckygas import models as m
from luckygas.audit import Action, authorize
from luckygas.domain import PlanStatus
from luckygas.optimize.digest import order_digests
from luckygas.optimize.problem import RoutingProblem
from luckygas.optimize.result import PlanResult


class _Rec(dict[str, Any]):
    """A row as a dict with attribute access (so ``r.start_s`` reads like a tuple field)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


#: ``Plan.run`` keys holding the plan's input digests (``{"order_id": digest}``) and
#: whether optional orders were part of that input.
RUN_DIGESTS_KEY = "order_digests"
RUN_OPTIONAL_KEY = "optional_orders"


class PlanSaveError(RuntimeError):
    """A plan could not be saved; nothing was written."""


def save_plan(
    session: Session,
    problem: RoutingProblem,
    result: PlanResult,
    *,
    name: str | None = None,
    scenario_id: int | None = None,
) -> m.Plan:
    """Write ``result`` as a draft plan with its routes, stops and unassigned orders.

    Parameters
    ----------
    session
        Open session; the caller commits (the plan is flushed, so it has an id).
    problem
        The problem that was solved (its date names the plan's day).
    result
        The solver's result.
    name
        Plan name, unique per day; default ``"draft HH:MM"``, suffixed ``(2)``, ``(3)``...
        when taken.
    scenario_id
        The scenario this plan answers, if any.

    Returns
    -------
    Plan
        The new draft.

    Raises
    ------
    PlanSaveError
        If the plan refers to orders or vehicles that no longer exist; nothing is written.
    luckygas.audit.RoleError
        If the session's user may not save drafts (dispatcher, manager or admin may).
    """
    authorize(session, Action.SAVE_DRAFT)
    _check_references(session, result)
    with session.begin_nested():
        plan = m.Plan(
            plan_date=problem.date,
            name=_free_name(session, problem.date, name),
            status=PlanStatus.DRAFT,
            scenario_id=scenario_id,
            parameters=result.run.params,
            solver_version=result.run.solver,
            kpis=_json_safe(result.kpis),
            run=_json_safe(
                {
                    "fingerprint": result.run.fingerprint,
                    "seed": result.run.seed,
                    "time_limit_s": result.run.time_limit_s,
                    "wall_s": result.run.wall_s,
                    "status": result.run.status,
                    "outcome": result.run.outcome(),
                    "matrix": result.run.matrix,
                    "objective": result.run.objective,
                    "solutions": result.run.solutions,
                    **_inputs(problem, scenario_id),
                }
            ),
            snapshot=_json_safe(result.to_dict()),
        )
        plan.created_by = session.info.get("user", plan.created_by)
        drivers = _drivers_by_vehicle(session)
        # Plain records: DataFrame.itertuples is slow enough to matter on small days.
        stops_by_vehicle: dict[int, list[Any]] = {}
        for rec in result.stops.to_dict("records"):
            stops_by_vehicle.setdefault(int(rec["vehicle_id"]), []).append(_Rec(rec))
        for route_no, r in enumerate(map(_Rec, result.routes.to_dict("records")), start=1):
            route = m.PlanRoute(
                route_no=route_no,
                vehicle_id=int(r.vehicle_id),
                driver_id=drivers.get(int(r.vehicle_id)),
                start_s=int(r.start_s),
                end_s=int(r.end_s),
                distance_m=int(r.distance_m),
                drive_s=int(r.drive_s),
                service_s=int(r.service_s),
                wait_s=int(r.wait_s),
                break_start_s=_opt_int(r.break_start_s),
                break_s=int(r.break_s),
                load_kg=float(r.load_kg),
                cost=float(r.cost),
                trips=int(getattr(r, "trips", 1)),
            )
            for s in stops_by_vehicle.get(int(r.vehicle_id), []):
                route.stops.append(
                    m.PlanStop(
                        order_id=int(s.order_id),
                        sequence=int(s.sequence),
                        arrival_s=int(s.arrival_s),
                        start_s=int(s.start_s),
                        departure_s=int(s.departure_s),
                        wait_s=int(s.wait_s),
                        service_s=int(s.service_s),
                        window_start_s=_opt_int(s.window_start_s),
                        window_end_s=_opt_int(s.window_end_s),
                        distance_from_prev_m=int(s.distance_from_prev_m),
                        travel_from_prev_s=int(s.travel_from_prev_s),
                        trip=int(getattr(s, "trip", 1)),
                    )
                )
            plan.routes.append(route)
        for u in map(_Rec, result.unassigned.to_dict("records")):
            plan.unassigned.append(
                m.PlanUnassigned(
                    order_id=int(u.order_id), reason_code=str(u.reason_code), reason=str(u.reason)
                )
            )
        session.add(plan)
        session.flush()
    return plan


def load_plan(session: Session, plan_id: int) -> PlanResult:
    """Load a saved plan back exactly as it was solved.

    Parameters
    ----------
    session
        Open session.
    plan_id
        The plan's id.

    Returns
    -------
    PlanResult

    Raises
    ------
    LookupError
        If there is no such plan.
    """
    plan = session.get(m.Plan, plan_id)
    if plan is None:
        raise LookupError(f"No plan with id {plan_id}.")
    return PlanResult.from_dict(plan.snapshot)


def latest_plan(session: Session, day: dt.date, *, published_only: bool = False) -> m.Plan | None:
    """The most recently created plan of ``day`` (published ones only if asked)."""
    stmt = (
        select(m.Plan)
        .where(m.Plan.plan_date == day)
        .options(selectinload(m.Plan.routes))
        .order_by(m.Plan.created_at.desc(), m.Plan.id.desc())
    )
    if published_only:
        stmt = stmt.where(m.Plan.status == PlanStatus.PUBLISHED)
    return session.scalars(stmt.limit(1)).first()


def _inputs(problem: RoutingProblem, scenario_id: int | None) -> dict[str, Any]:
    """What the plan was computed from, order by order (read by :mod:`luckygas.staleness`).

    A what-if scenario's orders are changed on purpose (more demand, wider windows), so
    comparing them with the database would report every order as edited: they get none.
    """
    if scenario_id is not None:
        return {}
    return {
        RUN_DIGESTS_KEY: {str(k): v for k, v in order_digests(problem).items()},
        # A plan made without optional orders (``--no-optional``) must not turn stale
        # when a forecast refill is added; one made with them must.
        RUN_OPTIONAL_KEY: any(o.optional for o in problem.orders),
    }


def _check_references(session: Session, result: PlanResult) -> None:
    order_ids = {int(x) for x in result.stops["order_id"]} | {
        int(x) for x in result.unassigned["order_id"]
    }
    vehicle_ids = {int(x) for x in result.routes["vehicle_id"]}
    have_orders = (
        set(session.scalars(select(m.Order.id).where(m.Order.id.in_(order_ids))))
        if order_ids
        else set()
    )
    have_vehicles = (
        set(session.scalars(select(m.Vehicle.id).where(m.Vehicle.id.in_(vehicle_ids))))
        if vehicle_ids
        else set()
    )
    problems = []
    if missing := sorted(order_ids - have_orders):
        problems.append(f"orders {missing} no longer exist")
    if missing := sorted(vehicle_ids - have_vehicles):
        problems.append(f"vehicles {missing} no longer exist")
    if problems:
        raise PlanSaveError("Plan not saved: " + "; ".join(problems) + ". Re-plan the day.")


def _free_name(session: Session, day: dt.date, name: str | None) -> str:
    base = name or f"draft {dt.datetime.now().strftime('%H:%M')}"
    taken = set(session.scalars(select(m.Plan.name).where(m.Plan.plan_date == day)))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base} ({n})"
    return candidate


def _drivers_by_vehicle(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(m.Driver.default_vehicle_id, m.Driver.id).where(
            m.Driver.is_active, m.Driver.default_vehicle_id.is_not(None)
        )
    )
    return {vid: did for vid, did in rows}


def _opt_int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _json_safe(value: Any) -> Any:
    """Numpy scalars and NaN become plain JSON (PostgreSQL's JSON rejects NaN)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
