"""Plans that know when they are stale: which orders of the day changed since a plan.

A saved plan keeps a digest of every order it was computed from
(:func:`luckygas.optimize.digest.order_digests`, stored by ``save_plan``). Here the day's
problem is built again from the database (:func:`luckygas.bridge.adapter.build_problem`,
the same bridge planning uses) and its digests are compared with the plan's:

- **added**: plannable now, not in the plan's input (created while or after it was computed);
- **cancelled**: in the plan's input, gone now because it was cancelled, moved to another
  day or deleted (an order that moved on to ``dispatched``/``delivered``/``failed`` is the
  plan being carried out, not a change);
- **edited**: in both, but a field that matters to a plan differs (quantities, windows,
  priority, customer location or rest days...).

The panel compares the plan on screen with :func:`day_changes`; ``luckygas plans``,
:func:`luckygas.plans.publish_plan` and the report compare a saved plan with
:func:`plan_changes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from luckygas import queries
from luckygas.bridge.adapter import build_problem
from luckygas.bridge.persist import RUN_DIGESTS_KEY, RUN_OPTIONAL_KEY
from luckygas.domain import OrderStatus
from luckygas.optimize.digest import order_digests

#: Orders named in :meth:`DayChanges.describe` per kind before "and N more".
NAMED_PER_KIND = 5

#: Statuses an order leaves the plannable set for without the plan going stale.
_CARRIED_OUT = frozenset({OrderStatus.DISPATCHED, OrderStatus.DELIVERED, OrderStatus.FAILED})

NO_DIGESTS = "saved before plans recorded their orders"
SCENARIO_PLAN = "a what-if scenario plan is not compared with the day's orders"


@dataclass(frozen=True)
class DayChanges:
    """How the day's orders differ from what a plan was computed from.

    Attributes
    ----------
    added, cancelled, edited
        Order ids, sorted (see the module docstring for what each means).
    labels
        ``order_id -> "#233 龍鳳豆花"`` for every changed order.
    unknown
        Why freshness cannot be told (e.g. a plan saved before digests were stored);
        ``""`` when it can.
    """

    added: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()
    edited: tuple[int, ...] = ()
    labels: Mapping[int, str] = field(default_factory=dict)
    unknown: str = ""

    @property
    def is_known(self) -> bool:
        """Whether the plan's input is known, so freshness can be told."""
        return not self.unknown

    @property
    def is_stale(self) -> bool:
        """Whether any order was added, cancelled or edited since the plan."""
        return bool(self.added or self.cancelled or self.edited)

    @property
    def order_ids(self) -> tuple[int, ...]:
        """Every changed order id (added, cancelled, edited)."""
        return (*self.added, *self.cancelled, *self.edited)

    def describe(self) -> str:
        """One sentence for people.

        Returns
        -------
        str
            E.g. ``"2 orders added since this plan (#233 龍鳳豆花, #234 新園), 1
            cancelled (#12 海濱)."``, ``"No order changed since this plan."`` or
            ``"Freshness unknown: saved before plans recorded their orders."``.
        """
        if not self.is_known:
            return f"Freshness unknown: {self.unknown}."
        if not self.is_stale:
            return "No order changed since this plan."
        parts: list[str] = []
        for ids, verb in self._kinds():
            if not ids:
                continue
            # Only the first kind carries the noun: "2 orders added since this plan (...),
            # 1 cancelled (...)".
            head = f"{len(ids)} {verb}" if parts else f"{_orders(len(ids))} {verb} since this plan"
            parts.append(f"{head} ({self._names(ids)})")
        return ", ".join(parts) + "."

    def short(self) -> str:
        """A table cell: ``"2 added, 1 cancelled"``, ``"none"`` or ``"unknown"``."""
        if not self.is_known:
            return "unknown"
        if not self.is_stale:
            return "none"
        return ", ".join(f"{len(ids)} {verb}" for ids, verb in self._kinds() if ids)

    def _kinds(self) -> list[tuple[tuple[int, ...], str]]:
        return [(self.added, "added"), (self.cancelled, "cancelled"), (self.edited, "edited")]

    def _names(self, ids: tuple[int, ...]) -> str:
        named = [self.labels.get(i, f"#{i}") for i in ids[:NAMED_PER_KIND]]
        more = len(ids) - len(named)
        return ", ".join(named) + (f" and {more} more" if more else "")


class StalePlanError(ValueError):
    """A plan is out of date and was not published without an explicit confirmation."""

    def __init__(self, plan_id: int, changes: DayChanges) -> None:
        self.plan_id = plan_id
        self.changes = changes
        super().__init__(
            f"plan {plan_id} is out of date: {changes.describe()[:-1]}; re-plan the day, or "
            "publish it anyway with publish_plan(..., allow_stale=True)."
        )


def day_changes(
    session: Session,
    day: dt.date,
    digests: Mapping[int, str],
    *,
    include_optional: bool = True,
) -> DayChanges:
    """Compare the digests of a plan's input with the orders of ``day`` in the database now.

    Parameters
    ----------
    session
        Open session (nothing is written).
    day
        The plan's delivery date.
    digests
        ``order_id -> digest`` of the problem the plan was computed from
        (:func:`luckygas.optimize.digest.order_digests`).
    include_optional
        Whether the plan's input offered optional (forecast) orders; when it did not,
        a new optional order does not make the plan stale.

    Returns
    -------
    DayChanges
    """
    now = _current_digests(session, day, include_optional)
    return _compare(session, day, digests, now)


def plan_changes(session: Session, plan_id: int) -> DayChanges:
    """What changed among the orders of a saved plan's day since the plan was computed.

    Parameters
    ----------
    session
        Open session (nothing is written).
    plan_id
        The saved plan.

    Returns
    -------
    DayChanges
        ``unknown`` is set (and nothing is stale) for a plan saved before digests were
        stored, and for a what-if scenario plan.

    Raises
    ------
    LookupError
        If there is no such plan.
    """
    return plans_changes(session, [plan_id])[plan_id]


def plans_changes(session: Session, plan_ids: Collection[int]) -> dict[int, DayChanges]:
    """:func:`plan_changes` of several plans, building each day's problem only once.

    Parameters
    ----------
    session
        Open session (nothing is written).
    plan_ids
        Saved plans.

    Returns
    -------
    dict[int, DayChanges]
        One entry per plan id.

    Raises
    ------
    LookupError
        If a plan does not exist.
    """
    inputs = queries.plan_inputs(session, plan_ids)
    if missing := sorted(set(plan_ids) - set(inputs)):
        raise LookupError(f"No plan with id {missing[0]}.")
    cache: dict[tuple[dt.date, bool], Mapping[int, str]] = {}
    out: dict[int, DayChanges] = {}
    for plan_id, (day, scenario_id, run) in inputs.items():
        digests = run.get(RUN_DIGESTS_KEY)
        if scenario_id is not None:
            out[plan_id] = DayChanges(unknown=SCENARIO_PLAN)
        elif not isinstance(digests, Mapping):
            out[plan_id] = DayChanges(unknown=NO_DIGESTS)
        else:
            optional = bool(run.get(RUN_OPTIONAL_KEY, True))
            key = (day, optional)
            if key not in cache:
                cache[key] = _current_digests(session, day, optional)
            out[plan_id] = _compare(session, day, _int_keys(digests), cache[key])
    return out


# ---------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------


def _compare(
    session: Session, day: dt.date, digests: Mapping[int, str], now: Mapping[int, str]
) -> DayChanges:
    added = sorted(now.keys() - digests.keys())
    edited = sorted(i for i in now.keys() & digests.keys() if now[i] != digests[i])
    gone = sorted(digests.keys() - now.keys())
    info = _order_info(session, [*added, *edited, *gone])
    cancelled = [i for i in gone if _is_removed(info.get(i), day)]
    return DayChanges(
        added=tuple(added),
        cancelled=tuple(cancelled),
        edited=tuple(edited),
        labels={i: _label(i, info.get(i)) for i in (*added, *cancelled, *edited)},
    )


def _current_digests(session: Session, day: dt.date, include_optional: bool) -> dict[int, str]:
    """Digests of the day's plannable orders as the database holds them now."""
    # Every vehicle of the planning depot, active or not: orders pinned to a vehicle
    # taken out of service must still build (pins are not compared anyway).
    fleet = queries.vehicles(session, active_only=False)
    depot_fleet = fleet[fleet["depot_id"] == fleet["depot_id"].min()]["id"] if len(fleet) else []
    problem = build_problem(
        session,
        day,
        vehicle_ids=[int(v) for v in depot_fleet],
        include_optional=include_optional,
    )
    return order_digests(problem)


def _order_info(session: Session, ids: list[int]) -> dict[int, dict[str, object]]:
    if not ids:
        return {}
    frame = queries.order_summaries(session, ids)
    return {
        int(r["order_id"]): {**r, "delivery_date": r["delivery_date"].date()}
        for r in frame.to_dict("records")
    }


def _is_removed(info: Mapping[str, object] | None, day: dt.date) -> bool:
    """Whether an order that left the day's problem was cancelled, moved or deleted."""
    if info is None:
        return True  # deleted
    if info["delivery_date"] != day:
        return True  # moved to another day
    return OrderStatus(str(info["status"])) not in _CARRIED_OUT


def _label(order_id: int, info: Mapping[str, object] | None) -> str:
    name = f" {info['customer_name']}" if info and info.get("customer_name") else ""
    return f"#{order_id}{name}"


def _int_keys(digests: Mapping[object, object]) -> dict[int, str]:
    # JSON object keys come back as strings.
    return {int(str(k)): str(v) for k, v in digests.items()}


def _orders(n: int) -> str:
    return f"{n} order{'s' if n != 1 else ''}"
