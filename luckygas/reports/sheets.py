"""Printable driver route sheets: one A4 HTML page per route, plus an index.

The sheets are plain HTML with print CSS (no JavaScript), rendered with Jinja2 with
autoescaping on, so whatever is in a customer's name, address or notes prints as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from luckygas.optimize.reasons import hhmm
from luckygas.outputs import write_text
from luckygas.reports.data import PlanData, load_plan_data, plan_data_from_result
from luckygas.reports.tables import (
    break_window,
    cylinder_totals,
    cylinders_text,
    fullest_trip_text,
    route_itinerary,
    route_labels,
    unassigned_table,
    vehicle_type_text,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from luckygas.optimize import PlanResult

_TEMPLATES = Path(__file__).with_name("sheet_templates")
INDEX_FILE = "index.html"
ALL_FILE = "all-routes.html"


@dataclass(frozen=True)
class SheetTotals:
    """What the driver delivers and brings back on one route over the whole day."""

    stops: int
    trips: int
    cylinders: str
    empties: str
    kg: int
    fullest_trip: str
    km: float


def _environment() -> jinja2.Environment:
    # autoescape=True (not select_autoescape): the templates end in .j2, which
    # select_autoescape would not recognise as HTML.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _sheet_context(data: PlanData) -> list[dict[str, Any]]:
    """One dict per route with the header, the itinerary and the day's totals."""
    labels = route_labels(data)
    stops_all = data.stops()
    sheets = []
    for i, r in enumerate(data.routes().to_dict("records"), 1):
        vid = int(r["vehicle_id"])
        raw = stops_all[stops_all["vehicle_id"] == vid]
        trips = 1 if pd.isna(r.get("trips", 1)) else int(r.get("trips", 1))
        first_trip = raw[raw["trip"] == 1] if "trip" in raw.columns else raw
        brk = break_window(r)
        sheets.append(
            {
                "label": labels[vid],
                "file": f"route-{i:02d}.html",
                "driver": r["driver_name"] or "",
                "driver_phone": r["driver_phone"] or "",
                "vehicle": r["vehicle_name"],
                "vehicle_type": vehicle_type_text(r["vehicle_type"]),
                "plate": r["vehicle_plate"] or "",
                "start": hhmm(r["start_s"]),
                "end": hhmm(r["end_s"]),
                "break_text": f"{hhmm(brk[0])}–{hhmm(brk[1])}" if brk else "",
                # What to load before leaving: the first trip's cylinders (later trips'
                # loads are on their reload rows).
                "first_load": cylinders_text(cylinder_totals(first_trip), "qty_"),
                "rows": route_itinerary(data, vid),
                "totals": SheetTotals(
                    stops=int(r["n_stops"]),
                    trips=trips,
                    cylinders=cylinders_text(cylinder_totals(raw), "qty_"),
                    empties=cylinders_text(cylinder_totals(raw, "empties_"), "empties_"),
                    kg=int(r["load_kg"]),
                    fullest_trip=fullest_trip_text(r),
                    km=round(float(r["distance_m"]) / 1000, 1),
                ),
            }
        )
    return sheets


def render_route_sheets(data: PlanData) -> dict[str, str]:
    """Render the sheets of a plan in memory.

    Parameters
    ----------
    data
        The plan (already redacted if it should be).

    Returns
    -------
    dict[str, str]
        File name -> HTML: :data:`INDEX_FILE`, :data:`ALL_FILE` (every route, one
        printed page each) and ``route-NN.html`` per route in route order.
    """
    env = _environment()
    sheets = _sheet_context(data)
    common = {
        "day": data.day.isoformat(),
        "plan_title": data.title,
        "draft_notice": data.draft_notice,
        "stale_notice": data.stale_notice,
        "redacted": data.redacted,
        "depot": data.depot.name if data.depot else "",
        "printed": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }
    route_tpl = env.get_template("route.html.j2")
    pages = {
        INDEX_FILE: env.get_template("index.html.j2").render(
            sheets=sheets,
            all_file=ALL_FILE,
            unassigned=unassigned_table(data).to_dict("records"),
            **common,
        ),
        ALL_FILE: route_tpl.render(sheets=sheets, **common),
    }
    for sheet in sheets:
        pages[sheet["file"]] = route_tpl.render(sheets=[sheet], **common)
    return pages


def write_route_sheets(
    session: Session | None,
    plan: int | PlanResult | PlanData,
    outdir: str | Path,
    *,
    day: dt.date | None = None,
    redact: bool = False,
) -> list[Path]:
    """Write printable route sheets for a plan.

    Parameters
    ----------
    session
        Session used to load a saved plan and to look up phones, customer codes and
        order numbers. May be ``None`` when ``plan`` is a :class:`PlanData`.
    plan
        A saved plan id, a :class:`~luckygas.optimize.PlanResult` (then ``day`` is
        required) or a :class:`~luckygas.reports.data.PlanData`.
    outdir
        Folder to write into (created if missing; existing sheets are overwritten).
    day
        Delivery date, needed only when ``plan`` is a bare ``PlanResult``.
    redact
        Redact personal data (see :meth:`~luckygas.reports.data.PlanData.redact`).

    Returns
    -------
    list[pathlib.Path]
        The index page, the all-routes page, then one page per route.

    Raises
    ------
    ValueError
        ``plan`` is a ``PlanResult`` and ``day`` is missing, or ``plan`` is an id
        and ``session`` is ``None``.
    """
    data = _as_plan_data(session, plan, day)
    if redact:
        data = data.redact()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, html in render_route_sheets(data).items():
        paths.append(write_text(html, out / name, (".html",)))
    return paths


def _as_plan_data(
    session: Session | None, plan: int | PlanResult | PlanData, day: dt.date | None
) -> PlanData:
    if isinstance(plan, PlanData):
        return plan
    if isinstance(plan, int):
        if session is None:
            raise ValueError("a session is needed to load plan by id.")
        from luckygas.queries import plan_header

        row = plan_header(session, plan)
        if row is None:
            raise ValueError(f"plan {plan} does not exist.")
        return load_plan_data(session, row["plan_date"], plan_id=plan, solve_if_missing=False)
    if day is None:
        raise ValueError("day is required when passing a PlanResult.")
    return plan_data_from_result(session, day, plan)
