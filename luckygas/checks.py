"""Data-quality gates before planning a day: find what would make orders unplannable.

:func:`data_checks` is pure (a DataFrame in, a DataFrame of findings out), so it runs on
orders from the database, from an import or built by hand; :func:`day_checks` reads one
day from the database and calls it. The checks mirror the optimizer's own pre-checks
(``luckygas.optimize.reasons``) so the analyst can fix data *before* solving:

``missing_coordinates``
    The customer has no lat/lng, so the order cannot be placed on a route.
``impossible_window``
    A window whose end is not after its start, or no window overlaps any vehicle's shift.
``closed_today``
    The customer's rest weekday, or a national holiday for a customer closed on holidays.
``no_compatible_vehicle``
    The customer needs a motorcycle (narrow street) or a car, and none is available.
``demand_exceeds_vehicle``
    More cylinders of one size, or more kg, than the largest vehicle the customer's
    vehicle requirement allows carries (e.g. 4 × 20 kg for a motorcycle-only customer).
``far_from_road``
    With a road graph imported: the customer is further than the snap limit (500 m) from
    any road a vehicle that may serve it may drive, so the plan would leave it out
    (``NO_ROAD``) rather than guess (:func:`road_checks`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG, WEEKDAY_NAMES, VehicleRequirement, VehicleType

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from luckygas.optimize.problem import Order, Vehicle
    from luckygas.optimize.roadmatrix import RoadMatrix

#: Columns of the findings frame.
CHECK_COLUMNS = ["order_id", "customer_id", "customer_name", "check", "detail"]

#: Check names in the order they are reported.
CHECKS = (
    "missing_coordinates",
    "impossible_window",
    "closed_today",
    "no_compatible_vehicle",
    "demand_exceeds_vehicle",
    "far_from_road",
)


@dataclass(frozen=True, slots=True)
class FleetLimits:
    """What a set of vehicles can do at best: largest load per size, largest kg, shifts.

    Parameters
    ----------
    capacity
        Largest number of cylinders of each size class any single vehicle carries.
    max_kg
        Largest total kg any single vehicle carries.
    shifts
        ``(start_min, end_min)`` of every vehicle's shift.
    """

    capacity: dict[int, int]
    max_kg: float
    shifts: tuple[tuple[int, int], ...]

    @classmethod
    def by_requirement(cls, vehicles: Sequence[Vehicle] | pd.DataFrame) -> dict[str, FleetLimits]:
        """Limits of the vehicles each customer requirement allows.

        Returns
        -------
        dict
            ``{"either": all, "motorcycle": motorcycles, "car": cars and light trucks}``
            (the rule of ``luckygas.domain.VehicleRequirement``).
        """
        specs = _vehicle_specs(vehicles)
        groups = {
            VehicleRequirement.EITHER.value: specs,
            VehicleRequirement.MOTORCYCLE.value: [
                x for x in specs if x[0] == VehicleType.MOTORCYCLE.value
            ],
            VehicleRequirement.CAR.value: [
                x for x in specs if x[0] != VehicleType.MOTORCYCLE.value
            ],
        }
        out = {}
        for req, group in groups.items():
            caps = [c for _, c, _, _ in group]
            out[req] = cls(
                {kg: max((c[kg] for c in caps), default=0) for kg in SIZE_CLASSES_KG},
                max((k for _, _, k, _ in group), default=0.0),
                tuple(sh for _, _, _, sh in group),
            )
        return out


_Spec = tuple[str, dict[int, int], float, tuple[int, int]]


def _vehicle_specs(vehicles: Sequence[Vehicle] | pd.DataFrame) -> list[_Spec]:
    """``(type, capacity, max_kg, (shift_start_min, shift_end_min))`` per vehicle."""
    if isinstance(vehicles, pd.DataFrame):
        return [
            (
                str(r.get("vehicle_type", VehicleType.LIGHT_TRUCK.value)),
                {kg: int(_num(r.get(f"cap_{kg}kg"), 0)) for kg in SIZE_CLASSES_KG},
                float(r["max_kg"]),
                (int(_num(r.get("shift_start_min"), 480)), int(_num(r.get("shift_end_min"), 1080))),
            )
            for r in vehicles.to_dict("records")
        ]
    return [
        (
            str(v.type),
            dict(v.capacity),
            float(v.max_kg),
            (v.shift_start_s // 60, v.shift_end_s // 60),
        )
        for v in vehicles
    ]


def _num(value: Any, default: float) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return float(value)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _windows_of(row: dict[str, Any]) -> list[tuple[float, float]]:
    """The windows that apply to an order (minutes): its override, else its customer's."""
    a, b = row.get("window_start_min"), row.get("window_end_min")
    if not _missing(a) and not _missing(b):
        return [(float(a), float(b))]
    for col in ("windows_min", "windows"):  # queries give text in "windows"
        windows = row.get(col)
        if isinstance(windows, Iterable) and not isinstance(windows, str):
            return [(float(x), float(y)) for x, y in windows]
    return []


def _hm(minutes: float) -> str:
    m = int(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def data_checks(
    orders: pd.DataFrame,
    day: dt.date,
    *,
    vehicles: Sequence[Vehicle] | pd.DataFrame | None = None,
    holiday: str | None = None,
) -> pd.DataFrame:
    """Find the orders of ``day`` that cannot be planned as they stand.

    Parameters
    ----------
    orders
        One row per order. Used columns (missing optional ones skip their check):
        ``order_id`` (or ``id``), ``customer_id``, a name (``customer_name``, ``name`` or
        ``short_name``), ``lat``, ``lng``, ``qty_<size>kg``, ``window_start_min``/
        ``window_end_min`` (the order's own window), ``windows_min`` (the customer's
        windows as ``[(start_min, end_min), ...]``), ``rest_weekdays`` (ISO digits,
        ``"7"`` = Sunday), ``closed_on_holidays``, ``vehicle_requirement``
        (``motorcycle``/``car``/``either``, default either). The frame of
        :func:`luckygas.queries.orders_for_date` has all of them.
    day
        The delivery date (for rest days).
    vehicles
        The day's fleet (optimizer vehicles or a frame with ``cap_<size>kg``, ``max_kg``
        and optionally shifts); without it the window-vs-shift and capacity checks are
        skipped.
    holiday
        Name of the national holiday on ``day``, if it is one.

    Returns
    -------
    DataFrame
        Columns :data:`CHECK_COLUMNS`, one row per finding (an order can have several),
        empty when everything is plannable.
    """
    fleets = FleetLimits.by_requirement(vehicles) if vehicles is not None else None
    id_col = "order_id" if "order_id" in orders.columns else "id"
    name_col = next(
        (c for c in ("customer_name", "name", "short_name") if c in orders.columns), None
    )
    findings: list[dict[str, Any]] = []
    for row in orders.to_dict("records"):
        base = {
            "order_id": row.get(id_col),
            "customer_id": row.get("customer_id"),
            "customer_name": row.get(name_col) if name_col else "",
        }
        fleet = None
        if fleets is not None:
            requirement = str(row.get("vehicle_requirement") or VehicleRequirement.EITHER.value)
            fleet = fleets.get(requirement, fleets[VehicleRequirement.EITHER.value])
        for check, detail in _row_findings(row, day, fleet, holiday):
            findings.append({**base, "check": check, "detail": detail})
    out = pd.DataFrame(findings, columns=CHECK_COLUMNS)
    if len(out):
        out["_rank"] = out["check"].map({c: i for i, c in enumerate(CHECKS)})
        out = out.sort_values(["_rank", "order_id"], kind="stable").drop(columns="_rank")
    return out.reset_index(drop=True)


def _row_findings(
    row: dict[str, Any], day: dt.date, fleet: FleetLimits | None, holiday: str | None
) -> Iterable[tuple[str, str]]:
    if "lat" in row and (_missing(row.get("lat")) or _missing(row.get("lng"))):
        yield "missing_coordinates", "no lat/lng: geocode the address or enter coordinates"
    windows = _windows_of(row)
    bad = [(a, b) for a, b in windows if b <= a]
    for a, b in bad:
        yield "impossible_window", f"window {_hm(a)}–{_hm(b)} ends before it starts"
    good = [(a, b) for a, b in windows if b > a]
    if fleet is not None and good and fleet.shifts:
        reachable = any(a < e and s < b for a, b in good for s, e in fleet.shifts)
        if not reachable:
            text = ", ".join(f"{_hm(a)}–{_hm(b)}" for a, b in good)
            shifts = ", ".join(sorted({f"{_hm(s)}–{_hm(e)}" for s, e in fleet.shifts}))
            yield "impossible_window", f"window {text} is outside every shift ({shifts})"
    rest = str(row.get("rest_weekdays") or "")
    if str(day.isoweekday()) in rest:
        yield "closed_today", f"rest day ({WEEKDAY_NAMES[day.isoweekday() - 1]})"
    elif holiday and bool(row.get("closed_on_holidays")):
        yield "closed_today", f"closed on national holidays ({holiday})"
    if fleet is not None and not fleet.shifts:
        requirement = row.get("vehicle_requirement")
        yield "no_compatible_vehicle", f"no {requirement} vehicle in today's fleet"
    elif fleet is not None:
        for kg in SIZE_CLASSES_KG:
            need = int(_num(row.get(f"qty_{kg}kg"), 0))
            if need > fleet.capacity[kg]:
                yield (
                    "demand_exceeds_vehicle",
                    f"{need} × {kg} kg but the largest compatible vehicle carries "
                    f"{fleet.capacity[kg]}",
                )
        total = sum(kg * int(_num(row.get(f"qty_{kg}kg"), 0)) for kg in SIZE_CLASSES_KG)
        if total > fleet.max_kg:
            yield (
                "demand_exceeds_vehicle",
                f"{total} kg but the largest compatible vehicle carries {fleet.max_kg:g} kg",
            )


def day_checks(
    session: Session, day: dt.date, *, vehicle_ids: Collection[int] | None = None
) -> pd.DataFrame:
    """Run :func:`data_checks` on the open orders of ``day`` against its fleet and holidays.

    Parameters
    ----------
    session
        Open session (nothing is written).
    day
        Delivery date.
    vehicle_ids
        The vehicles available; ``None`` means the active fleet.

    Returns
    -------
    DataFrame
        As :func:`data_checks`.
    """
    from luckygas import models as m
    from luckygas.bridge.adapter import build_problem
    from luckygas.optimize.roadmatrix import RoadMatrix
    from luckygas.queries import orders_for_date

    orders = orders_for_date(session, day)
    # The optimizer's own vehicles carry the drivers' shifts, as the solver will see them.
    problem = build_problem(session, day, vehicle_ids=vehicle_ids)
    vehicles = problem.vehicles
    holiday = session.get(m.Holiday, day)
    if orders.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    found = data_checks(orders, day, vehicles=vehicles, holiday=holiday.name if holiday else None)
    if isinstance(problem.matrix, RoadMatrix):
        roads = road_checks(problem.orders, problem.vehicles, problem.matrix)
        found = pd.concat([found, roads], ignore_index=True) if len(roads) else found
    return found


def road_checks(
    orders: Sequence[Order], vehicles: Sequence[Vehicle], matrix: RoadMatrix
) -> pd.DataFrame:
    """Orders further than ``matrix.max_snap_m`` from every road their vehicles may drive.

    Parameters
    ----------
    orders, vehicles
        The day's orders and fleet (optimizer objects).
    matrix
        The road matrix on the imported graph.

    Returns
    -------
    DataFrame
        Columns :data:`CHECK_COLUMNS`, check ``far_from_road``.
    """
    import numpy as np

    from luckygas.optimize.prepare import type_compatible

    located = [o for o in orders if o.location is not None]
    lat = np.array([o.location.lat for o in located])  # type: ignore[union-attr]
    lng = np.array([o.location.lng for o in located])  # type: ignore[union-attr]
    types = {v.type for v in vehicles} or set(VehicleType)
    snaps = {t: matrix.snap(lat, lng, t) for t in types} if located else {}
    findings = []
    for i, o in enumerate(located):
        usable = {v.type for v in vehicles if type_compatible(o, v)} or types
        nearest = min(
            (snaps[t][i].distance_m for t in usable if snaps[t][i] is not None),  # type: ignore[union-attr]
            default=math.inf,
        )
        if nearest > matrix.max_snap_m:
            where = "no road" if math.isinf(nearest) else f"the nearest is {nearest:,.0f} m away"
            findings.append(
                {
                    "order_id": o.id,
                    "customer_id": o.customer_id,
                    "customer_name": o.customer_name,
                    "check": "far_from_road",
                    "detail": f"more than {matrix.max_snap_m:,.0f} m from any road its vehicles "
                    f"may drive ({where}): check the coordinates",
                }
            )
    return pd.DataFrame(findings, columns=CHECK_COLUMNS)
