"""HTML fragments of the day report, one function per section.

The report notebook displays these with ``IPython.display.HTML``. Every value that
comes from data goes through :func:`html.escape` (directly, or via
``DataFrame.to_html(escape=True)``), so a customer called ``<img src=x ...>`` shows as
text. Keep it that way: never build markup from data with an f-string without ``_e``.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from luckygas.reports.data import PlanData
from luckygas.reports.scenario import ScenarioComparison
from luckygas.reports.tables import (
    kpi_table,
    route_labels,
    route_table,
    run_table,
    stop_table,
    unassigned_table,
)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def table_html(df: pd.DataFrame, *, empty: str = "None.") -> str:
    """A plain, escaped HTML table without the index (``empty`` text if no rows)."""
    if df.empty:
        return f"<p><i>{_e(empty)}</i></p>"
    return df.to_html(index=False, escape=True, border=0, classes="lg-table", na_rep="")


def header_html(data: PlanData, *, scenario: str | None = None) -> str:
    """Title, plan identity, and notices (solved for the report, redacted)."""
    parts = [
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
            "<p class='lg-redacted'>Redacted: customer and driver names and phone "
            "numbers are masked.</p>"
        )
    return "\n".join(parts)


def _format_kpi(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def kpi_cards_html(data: PlanData) -> str:
    """The KPIs as a row of cards."""
    cards = "".join(
        f"<div class='lg-kpi'><div class='v'>{_e(_format_kpi(v))}</div>"
        f"<div class='l'>{_e(k)}</div></div>"
        for k, v in kpi_table(data).itertuples(index=False)
    )
    return f"<div class='lg-kpis'>{cards}</div>"


def routes_html(data: PlanData) -> str:
    """The route summary table."""
    return table_html(route_table(data), empty="No routes: nothing was planned.")


def stops_html(data: PlanData) -> str:
    """One heading and stop table per route."""
    out = []
    routes = data.result.routes.set_index("vehicle_id")
    for vid, label in route_labels(data).items():
        driver = routes.at[vid, "driver_name"] if vid in routes.index else ""
        head = f"{label}" + (f" — {driver}" if driver else "")
        out.append(
            f"<div class='lg-route'><h3>{_e(head)}</h3>{table_html(stop_table(data, vid))}</div>"
        )
    return "\n".join(out) or "<p><i>No stops.</i></p>"


def unassigned_html(data: PlanData) -> str:
    """Unserved orders with their reasons."""
    return table_html(unassigned_table(data), empty="Every order is planned.")


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
    """The route map of :func:`luckygas.maps.plan_map` with the depot and contacts."""
    from luckygas.maps import plan_map

    depot = (data.depot.lat, data.depot.lng) if data.depot else None
    customers = data.contacts.rename(columns={"customer_code": "code"})
    return plan_map(data.result, depot=depot, customers=customers)
