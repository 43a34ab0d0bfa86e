"""HTML fragments of the day report, one function per section.

The report notebook displays these with ``IPython.display.HTML``. Every value that
comes from data goes through :func:`html.escape` (directly, or via
``DataFrame.to_html(escape=True)``), so a customer called ``<img src=x ...>`` shows as
text. Keep it that way: never build markup from data with an f-string without ``_e``.
"""

from __future__ import annotations

import html
import numbers
from typing import Any

import pandas as pd

from luckygas.reports.data import PlanData
from luckygas.reports.scenario import ScenarioComparison
from luckygas.reports.tables import (
    STOP,
    STOP_TABLE_COLUMNS,
    kpi_table,
    route_itinerary,
    route_labels,
    route_table,
    run_table,
    unassigned_table,
    vehicle_type_text,
)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _thousands(value: Any) -> str:
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real) and not pd.isna(value):
        return f"{float(value):,.1f}"
    return "" if pd.isna(value) else str(value)


def table_html(df: pd.DataFrame, *, empty: str = "None.", css_class: str = "") -> str:
    """A plain, escaped HTML table without the index (``empty`` text if no rows).

    Numeric columns get thousands separators (``1,766``; floats with one decimal).
    """
    if df.empty:
        return f"<p><i>{_e(empty)}</i></p>"
    numeric = {c: _thousands for c in df.columns if pd.api.types.is_numeric_dtype(df[c].dtype)}
    classes = "lg-table" + (f" {css_class}" if css_class else "")
    return df.to_html(
        index=False, escape=True, border=0, classes=classes, na_rep="", formatters=numeric
    )


def header_html(data: PlanData, *, scenario: str | None = None) -> str:
    """Title, plan identity, and notices (draft, out of date, solved for the report, redacted)."""
    parts = []
    if data.draft_notice:
        parts.append(f"<div class='lg-draft'>{_e(data.draft_notice)}</div>")
    if data.stale_notice:
        parts.append(f"<div class='lg-draft lg-stale'>{_e(data.stale_notice)}</div>")
    parts += [
        f"<h1>幸福氣 Lucky Gas — deliveries {_e(data.day.isoformat())}</h1>",
        f"<p>{_e(data.title)}"
        + (f" · scenario comparison: <b>{_e(scenario)}</b>" if scenario else "")
        + "</p>",
    ]
    if data.source == "solved":
        parts.append(
            "<div class='lg-notice'>No plan was saved for this day, so it was solved for "
            "this report with the default solver settings and not saved.</div>"
        )
    if data.redacted:
        parts.append(
            "<p class='lg-redacted'>Redacted: names and phone numbers are masked, "
            "addresses cut to the road, customer codes and notes removed, and locations "
            "rounded to about 100 m.</p>"
        )
    return "\n".join(parts)


def kpi_cards_html(data: PlanData) -> str:
    """The KPIs as a row of cards (values formatted by :func:`~.tables.kpi_text`)."""
    cards = "".join(
        f"<div class='lg-kpi'><div class='v'>{_e(v)}</div><div class='l'>{_e(k)}</div></div>"
        for k, v in kpi_table(data).itertuples(index=False)
    )
    return f"<div class='lg-kpis'>{cards}</div>"


def routes_html(data: PlanData) -> str:
    """The route summary table."""
    return table_html(
        route_table(data), empty="No routes: nothing was planned.", css_class="lg-routes"
    )


def itinerary_html(rows: list[dict[str, Any]], columns: list[str] = STOP_TABLE_COLUMNS) -> str:
    """A route's stops with its depot reloads and break as full-width rows between them."""
    if not rows:
        return "<p><i>No stops.</i></p>"
    lead = columns.index("Arrival") + 1
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for row in rows:
        if row["Kind"] == STOP:
            cells = "".join(f"<td>{_e(row[c])}</td>" for c in columns)
            body.append(f"<tr>{cells}</tr>")
            continue
        cells = "".join(f"<td>{_e(row[c])}</td>" for c in columns[:lead])
        body.append(
            f"<tr class='lg-{_e(row['Kind'])}'>{cells}"
            f"<td colspan='{len(columns) - lead}'>{_e(row['Event'])}</td></tr>"
        )
    return (
        f"<table class='lg-table lg-stops'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def stops_html(data: PlanData) -> str:
    """One heading and itinerary (stops, reloads, break) per route."""
    out = []
    routes = data.result.routes.set_index("vehicle_id")
    for vid, label in route_labels(data).items():
        r = routes.loc[vid] if vid in routes.index else None
        head = label
        if r is not None:
            driver = r.get("driver_name") or ""
            trips = 1 if pd.isna(r.get("trips", 1)) else int(r.get("trips", 1))
            what = f"{int(r['n_stops'])} stops" + (f" in {trips} trips" if trips > 1 else "")
            head += (f" — {driver}" if driver else "") + (
                f" ({vehicle_type_text(r['vehicle_type'])}, {what})"
            )
        out.append(
            f"<div class='lg-route' id='route-{_e(label.split()[0])}'><h3>{_e(head)}</h3>"
            f"{itinerary_html(route_itinerary(data, vid))}</div>"
        )
    return "\n".join(out) or "<p><i>No stops.</i></p>"


def unassigned_html(data: PlanData) -> str:
    """Unserved orders with their reasons."""
    return table_html(
        unassigned_table(data), empty="Every order is planned.", css_class="lg-unserved"
    )


def run_html(data: PlanData) -> str:
    """The run record (how the plan was produced)."""
    return table_html(run_table(data))


def scenario_html(comparison: ScenarioComparison) -> str:
    """The scenario section: what changed, the KPI comparison and the changed orders."""
    how = (
        "its saved plan of the day"
        if comparison.source == "saved"
        else "solved for this report (not saved)"
    )
    desc = f" — {_e(comparison.description)}" if comparison.description else ""
    return (
        f"<h2>Scenario: {_e(comparison.name)}</h2>"
        f"<p>{desc.removeprefix(' — ')}</p>"
        f"<p>Compared with the plan above; scenario result: {_e(how)}.</p>"
        f"{table_html(comparison.kpis)}"
        f"<h3>Orders that changed ({len(comparison.changes)})</h3>"
        f"{table_html(comparison.changes, empty='No order changed.')}"
    )


def plan_map_for(data: PlanData) -> Any:
    """The route map of :func:`luckygas.maps.plan_map` with the depot and contacts.

    It opens on the town, where most stops are, with the whole day (rural lines up to
    60 km out) in an inset; the layer list and zoom still reach everything. On imported
    roads the main roads are drawn faint underneath (:attr:`PlanData.roads`), so the
    file shows the town's streets offline, without tiles.
    """
    from luckygas.maps import plan_map

    depot = (data.depot.lat, data.depot.lng) if data.depot else None
    customers = data.contacts.rename(columns={"customer_code": "code"})
    return plan_map(data.result, depot=depot, customers=customers, focus="city", roads=data.roads)
