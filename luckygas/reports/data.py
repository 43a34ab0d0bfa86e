"""Everything a report, route sheet or workbook shows about one planned day.

:class:`PlanData` bundles the solver's :class:`~luckygas.optimize.PlanResult` with the
facts the result does not carry (customer phones and codes, driver phones, the depot,
which saved plan it is). The outputs in this package read only :class:`PlanData`, so
they work the same for a plan loaded from the database and for a result built in a
notebook or a test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from luckygas import queries
from luckygas.queries import CONTACT_COLUMNS, DRIVER_COLUMNS
from luckygas.reports.redact import mask_address, redact_frame, round_coordinate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from luckygas.optimize import PlanResult
    from luckygas.roads.background import RoadBackground
    from luckygas.staleness import DayChanges

PlanSource = Literal["saved", "solved", "given"]


@dataclass(frozen=True)
class DepotInfo:
    """Where routes start and end (for the map and the sheets' header)."""

    name: str
    lat: float
    lng: float
    address: str = ""


@dataclass(frozen=True)
class PlanData:
    """One planned day as the outputs see it.

    Attributes
    ----------
    day
        The delivery date.
    result
        The plan (routes, stops, unassigned, KPIs, run record).
    contacts
        One row per customer: :data:`CONTACT_COLUMNS` (may be empty).
    drivers
        One row per vehicle: :data:`DRIVER_COLUMNS` (may be empty).
    order_numbers
        ``order_id -> order number`` as printed on paper orders.
    depot
        The depot, if known.
    plan_id, plan_name, plan_status
        The saved plan this came from (``None``/``""`` when it was not saved).
    source
        ``"saved"`` (loaded), ``"solved"`` (no saved plan; solved for this report) or
        ``"given"`` (built by the caller).
    redacted
        Whether personal data is redacted (:meth:`redact`).
    changes
        How the day's orders changed since a saved plan was computed (``None`` when
        not checked: the plan was not saved, or was built by the caller).
    roads
        The imported main roads around the plan, drawn faint under the map's routes
        (``None`` without a road graph, or when built by the caller). Public map data:
        a redacted copy keeps them.

    ``drivers`` may lack ``capacity_kg`` (the vehicle's ``max_kg``); the outputs then
    show the fullest trip's share of capacity without the kg figure.
    """

    day: dt.date
    result: PlanResult
    contacts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONTACT_COLUMNS))
    drivers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DRIVER_COLUMNS))
    order_numbers: dict[int, str] = field(default_factory=dict)
    depot: DepotInfo | None = None
    plan_id: int | None = None
    plan_name: str = ""
    plan_status: str = ""
    source: PlanSource = "given"
    redacted: bool = False
    changes: DayChanges | None = None
    roads: RoadBackground | None = None

    @property
    def title(self) -> str:
        """``"2026-03-02 — plan 7 'morning' (draft)"``; the saved-plan part only if saved."""
        if self.plan_id is None:
            return f"{self.day.isoformat()}"
        status = f" ({self.plan_status})" if self.plan_status else ""
        return f"{self.day.isoformat()} — plan {self.plan_id} '{self.plan_name}'{status}"

    @property
    def is_published(self) -> bool:
        """Whether this is a saved plan a manager has published."""
        return self.plan_id is not None and self.plan_status == "published"

    @property
    def draft_notice(self) -> str:
        """The warning every output prints at the top when the plan is not published.

        ``""`` for a published plan and for a plan built by the caller (``"given"``
        with no saved plan id), which has no publication status to speak of.
        """
        if self.source == "solved":
            return "DRAFT — not published (solved for this output, not saved)"
        if self.plan_id is not None and not self.is_published:
            return "DRAFT — not published"
        return ""

    @property
    def stale_notice(self) -> str:
        """The warning every output prints at the top when orders changed since the plan.

        ``""`` when nothing changed, when freshness is unknown, or when not checked.
        Names are masked in a redacted copy (the order ids stay).
        """
        if self.changes is None or not self.changes.is_stale:
            return ""
        return f"OUT OF DATE — {self.changes.describe()} Re-plan the day before dispatching."

    def stops(self) -> pd.DataFrame:
        """The plan's stops joined with customer contacts and order numbers."""
        stops = self.result.stops.merge(self.contacts, on="customer_id", how="left")
        stops["order_number"] = stops["order_id"].map(self.order_numbers).astype(object)
        for col in ("customer_code", "phone", "zone_code", "order_number"):
            stops[col] = stops[col].astype(object).where(stops[col].notna(), "")
        return stops

    def routes(self) -> pd.DataFrame:
        """The plan's routes joined with vehicle plates and driver phones."""
        drivers = self.drivers
        if "capacity_kg" not in drivers.columns:
            drivers = drivers.assign(capacity_kg=float("nan"))
        routes = self.result.routes.merge(drivers, on="vehicle_id", how="left")
        for col in ("vehicle_plate", "driver_phone"):
            routes[col] = routes[col].astype(object).where(routes[col].notna(), "")
        return routes

    def redact(self) -> PlanData:
        """A copy fit to leave the company (see :mod:`luckygas.reports.redact`).

        Names and phones masked, addresses cut to the road, customer codes and notes
        removed, coordinates (the depot's too) rounded to ~100 m, trips' road lines
        dropped (they pass each stop within metres), changed orders labelled by id only.
        The main roads background stays: public map data, not the customers'.
        """
        if self.redacted:
            return self
        res = dataclasses.replace(
            self.result,
            routes=redact_frame(self.result.routes),
            stops=redact_frame(self.result.stops),
            unassigned=redact_frame(self.result.unassigned),
            # A road line passes a few metres from every stop: the map draws straight
            # lines between the rounded stops instead.
            paths={},
        )
        return dataclasses.replace(
            self,
            result=res,
            contacts=redact_frame(self.contacts),
            drivers=redact_frame(self.drivers),
            depot=_redact_depot(self.depot),
            redacted=True,
            changes=_redact_changes(self.changes),
        )


def customer_contacts(session: Session, customer_ids: Iterable[int]) -> pd.DataFrame:
    """Codes, phones and zones of the given customers (:data:`CONTACT_COLUMNS`)."""
    return queries.customer_contacts(session, customer_ids)


def order_numbers(session: Session, order_ids: Iterable[int]) -> dict[int, str]:
    """``order_id -> number`` for the given orders."""
    return queries.order_numbers(session, order_ids)


def vehicle_drivers(session: Session, plan_id: int | None) -> pd.DataFrame:
    """Plates, driver phones and kg capacity per vehicle of a saved plan (:data:`DRIVER_COLUMNS`).

    The capacity is the vehicle's current ``max_kg``; a plan does not store it.
    """
    return queries.plan_vehicle_drivers(session, plan_id)


def first_depot(session: Session) -> DepotInfo | None:
    """The depot (Lucky Gas has one); ``None`` in an empty database."""
    depot = queries.first_depot(session)
    if depot is None:
        return None
    return DepotInfo(depot["name"], depot["lat"], depot["lng"], depot["address"])


def latest_baseline_plan_id(session: Session, day: dt.date) -> int | None:
    """The plan of ``day`` the outputs report by default, or ``None`` if there is none.

    The latest *published* plan of the day; if none is published, the latest draft
    (the outputs then say "DRAFT — not published"). Scenario plans are what-ifs and
    are skipped even when newer.
    """
    return queries.baseline_plan_id(session, day)


def has_orders(session: Session, day: dt.date) -> bool:
    """Whether ``day`` has orders the planner would route (open, not cancelled)."""
    return queries.has_plannable_orders(session, day)


def nothing_to_report(day: dt.date) -> str:
    """The one-line error for a day with neither a saved plan nor orders."""
    return f"no orders and no plan for {day.isoformat()}"


def empty_plan(day: dt.date, plan_id: int) -> str:
    """The one-line error for a saved plan without a single order (nothing to report)."""
    return f"no orders on {day.isoformat()}: plan {plan_id} is empty, nothing to report"


def plan_data_from_result(
    session: Session | None,
    day: dt.date,
    result: PlanResult,
    *,
    plan_id: int | None = None,
    source: PlanSource = "given",
) -> PlanData:
    """Wrap a result, adding contacts, order numbers and the depot when a session is given.

    Parameters
    ----------
    session
        Database session for the lookups; ``None`` gives a :class:`PlanData` without
        phones, order numbers or depot.
    day
        The delivery date.
    result
        The plan.
    plan_id
        The saved plan it came from, if any (fills name, status and driver phones).
    source
        How the result was obtained (shown in the report).

    Returns
    -------
    PlanData
    """
    if session is None:
        return PlanData(day=day, result=result, source=source)
    from luckygas.staleness import plan_changes

    customer_ids = [*result.stops["customer_id"], *result.unassigned["customer_id"]]
    order_ids = [*result.stops["order_id"], *result.unassigned["order_id"]]
    plan = queries.plan_header(session, plan_id) if plan_id is not None else None
    depot = first_depot(session)
    return PlanData(
        day=day,
        result=result,
        contacts=customer_contacts(session, customer_ids),
        drivers=vehicle_drivers(session, plan_id),
        order_numbers=order_numbers(session, order_ids),
        depot=depot,
        plan_id=plan_id,
        plan_name=plan["name"] if plan else "",
        plan_status=plan["status"] if plan else "",
        source=source,
        changes=plan_changes(session, plan_id)
        if plan is not None and plan_id is not None
        else None,
        roads=plan_roads(session, result, depot),
    )


def plan_roads(
    session: Session, result: PlanResult, depot: DepotInfo | None
) -> RoadBackground | None:
    """The imported main roads around the plan's depot, stops and unserved orders.

    ``None`` when no road graph is imported (the map then has no background layer).
    """
    from luckygas.roads.background import main_roads

    points = [(depot.lat, depot.lng)] if depot is not None else []
    for frame in (result.stops, result.unassigned):
        points += zip(frame["lat"], frame["lng"], strict=True)
    return main_roads(session, points)


def load_plan_data(
    session: Session,
    day: dt.date,
    *,
    plan_id: int | None = None,
    solve_if_missing: bool = True,
    progress: bool = False,
) -> PlanData:
    """Load a saved plan of ``day`` (the latest one unless ``plan_id`` is given).

    Parameters
    ----------
    session
        Open session.
    day
        Delivery date.
    plan_id
        A specific saved plan; must belong to ``day``. Default: the latest saved plan
        of :func:`latest_baseline_plan_id` (published first, else the latest draft).
    solve_if_missing
        When ``day`` has no saved plan, solve one with :func:`luckygas.bridge.planning.plan_day`
        (not saved; :attr:`PlanData.source` is ``"solved"``). Otherwise raise.
    progress
        Show the solver's progress bar when solving.

    Returns
    -------
    PlanData

    Raises
    ------
    LookupError
        ``plan_id`` does not exist or is of another day, or there is no plan and
        ``solve_if_missing`` is false, or the day has neither a plan nor orders
        (message :func:`nothing_to_report`), or the plan holds no order
        (:func:`empty_plan`).
    """
    from luckygas.bridge.persist import load_plan

    if plan_id is not None:
        plan = queries.plan_header(session, plan_id)
        if plan is None:
            raise LookupError(f"plan {plan_id} does not exist.")
        if plan["plan_date"] != day:
            raise LookupError(f"plan {plan_id} is for {plan['plan_date']}, not {day}.")
    else:
        plan_id = latest_baseline_plan_id(session, day)
    if plan_id is not None:
        if not queries.plan_has_orders(session, plan_id):
            raise LookupError(empty_plan(day, plan_id))
        result = load_plan(session, plan_id)
        return plan_data_from_result(session, day, result, plan_id=plan_id, source="saved")
    if not has_orders(session, day):
        raise LookupError(nothing_to_report(day))
    if not solve_if_missing:
        raise LookupError(f"no saved plan for {day}; run `luckygas plan` first.")
    from luckygas.bridge.planning import plan_day

    _problem, result = plan_day(session, day, progress=progress or None)
    return plan_data_from_result(session, day, result, source="solved")


def _redact_depot(depot: DepotInfo | None) -> DepotInfo | None:
    """The depot rounded like every other point (its name is the company's, kept)."""
    if depot is None:
        return None
    return dataclasses.replace(
        depot,
        lat=round_coordinate(depot.lat),
        lng=round_coordinate(depot.lng),
        address=mask_address(depot.address),
    )


def _redact_changes(changes: DayChanges | None) -> DayChanges | None:
    """The same changes with customer names dropped from the labels (ids stay)."""
    if changes is None:
        return None
    return dataclasses.replace(changes, labels={i: f"#{i}" for i in changes.labels})
