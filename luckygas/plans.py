"""Publishing a plan: the day's one plan of record, and its orders marked planned.

A day has at most one published plan. Publishing another one supersedes it: the old plan
goes back to draft and its orders that the new plan does not serve return to ``pending``.
Served orders of the new plan become ``planned`` (the canonical lifecycle, see
:data:`luckygas.domain.ORDER_TRANSITIONS`). Only managers and admins may publish.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.audit import Action, authorize, session_user
from luckygas.domain import OrderStatus, PlanStatus
from luckygas.orders import set_status
from luckygas.staleness import StalePlanError, plan_changes


def get_plan(session: Session, plan_id: int) -> m.Plan:
    """The saved plan ``plan_id``.

    Parameters
    ----------
    session
        Open session.
    plan_id
        The plan's id.

    Returns
    -------
    Plan

    Raises
    ------
    LookupError
        If there is no such plan.
    """
    plan = session.get(m.Plan, plan_id)
    if plan is None:
        raise LookupError(f"no plan with id {plan_id}")
    return plan


def publish_plan(session: Session, plan: m.Plan, *, allow_stale: bool = False) -> m.Plan:
    """Publish a draft plan (manager or admin only); logged as a ``publish`` action.

    Parameters
    ----------
    session
        Open session; the changes are flushed, the caller commits.
    plan
        A draft plan.
    allow_stale
        Publish even if orders of the day were added, cancelled or edited since the plan
        was computed (:func:`luckygas.staleness.plan_changes`). By default such a plan is
        refused: a colleague's new order would silently be left without a route. A plan
        whose freshness is unknown (saved before plans recorded their orders) is
        published.

    Returns
    -------
    Plan
        The same plan, now published, with ``published_at`` / ``published_by`` set.

    Raises
    ------
    RoleError
        When the user is not a manager or admin.
    ValueError
        When the plan is already published.
    StalePlanError
        When orders changed since the plan and ``allow_stale`` is false (a
        ``ValueError`` whose message names the orders; ``.changes`` has them).
    """
    authorize(session, Action.PUBLISH)
    if PlanStatus(plan.status) is PlanStatus.PUBLISHED:
        raise ValueError(f"plan {plan.id} ({plan.plan_date} {plan.name!r}) is already published")
    if not allow_stale:
        changes = plan_changes(session, plan.id)
        if changes.is_stale:
            raise StalePlanError(plan.id, changes)
    served = set(_served_order_ids(session, plan.id))
    for old in session.scalars(
        select(m.Plan).where(
            m.Plan.plan_date == plan.plan_date,
            m.Plan.status == PlanStatus.PUBLISHED,
            m.Plan.id != plan.id,
        )
    ):
        old.status = PlanStatus.DRAFT
        for order in _orders(session, set(_served_order_ids(session, old.id)) - served):
            if order.status is OrderStatus.PLANNED:
                set_status(session, order, OrderStatus.PENDING)
    for order in _orders(session, served):
        if order.status is OrderStatus.PENDING:
            set_status(session, order, OrderStatus.PLANNED)
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = dt.datetime.now(dt.UTC)
    plan.published_by = session_user(session)
    session.flush()
    return plan


def _served_order_ids(session: Session, plan_id: int) -> list[int]:
    return list(
        session.scalars(
            select(m.PlanStop.order_id)
            .join(m.PlanRoute, m.PlanRoute.id == m.PlanStop.route_id)
            .where(m.PlanRoute.plan_id == plan_id)
        )
    )


def _orders(session: Session, ids: set[int]) -> list[m.Order]:
    if not ids:
        return []
    return list(session.scalars(select(m.Order).where(m.Order.id.in_(ids))))
