"""What the report's tables and sections say: trips, reloads, breaks, day totals, labels."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from luckygas.reports import sections
from luckygas.reports.tables import kpi_table, route_table, stop_table

NBSP = "\u00a0"


def test_route_table_reads_like_the_office_talks(plan_data):
    """Vehicle types in words, cost in whole TWD with separators, trips per route."""
    table = route_table(plan_data).set_index("Route")
    assert list(table["Type"]) == ["light truck", "motorcycle"]
    assert table.at["R1", "Cost (TWD)"] == "3,327"
    assert list(table["Trips"]) == [1, 2]


def test_route_table_cylinders_are_the_days_delivery(plan_data):
    """'Cylinders delivered' sums the route's stops over all trips; the fullest single trip
    is shown separately against capacity."""
    moto = route_table(plan_data).set_index("Route").loc["R2"]
    assert moto["Cylinders delivered"] == "2×20kg 4×10kg 2×4kg"  # route load_20kg is only 1
    assert moto["Delivered (kg)"] == 88
    assert moto["Fullest trip (of capacity)"] == f"60/60 kg (100{NBSP}%)"


def test_stop_table_has_trip_and_order_number(plan_data):
    """Each stop shows its trip and the order number printed on paper, not the database id."""
    stops = stop_table(plan_data)
    assert list(stops["Trip"]) == [1, 1, 1, 1, 2]
    assert list(stops["Order"]) == ["O-101", "O-102", "O-103", "O-104", "O-105"]


def test_report_stops_show_reload_and_break_rows_in_place(plan_data):
    """In the report's stop tables the reload and the break are rows between the right stops."""
    html = sections.stops_html(plan_data)
    truck = html.split("<h3>")[1]  # R1's heading and table
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in truck.split("<tr")[2:]]
    assert [(c[1], c[2]) for c in cells] == [("1", "08:15"), ("2", "09:00"), ("", "09:10"),
                                             ("3", "09:30")]  # fmt: skip
    assert "lg-break" in html and "Lunch break (09:10–09:25)" in html
    assert "lg-reload" in html and "reload (09:20–09:30)" in html
    assert "motorcycle, 2 stops in 2 trips" in html
    assert html.count("Lunch break") == 1  # the motorcycle's break slot is after it is back


def test_kpis_formatted_and_on_time_blank_when_nothing_served(plan_data):
    """Cost shows as '3,937'; on-time share of zero served stops is '—', not '100'."""
    values = dict(kpi_table(plan_data).itertuples(index=False))
    assert values["Route cost (TWD)"] == "3,937" and values["On time (%)"] == "100"
    kpis = {**plan_data.result.kpis, "served": 0, "on_time_pct": 100.0}
    empty = dataclasses.replace(plan_data, result=dataclasses.replace(plan_data.result, kpis=kpis))
    assert dict(kpi_table(empty).itertuples(index=False))["On time (%)"] == "—"


def test_kpis_show_the_cost_of_unserved_orders_beside_the_route_cost(plan_data):
    """Route cost alone falls when orders are dropped: the report shows the unserved
    orders' cost and the total right after it, served orders first."""
    labels = list(kpi_table(plan_data)["KPI"])
    values = dict(kpi_table(plan_data).itertuples(index=False))
    assert values["Cost of unserved orders (TWD)"] == "10,000"
    assert values["Total cost (TWD)"] == "13,937"
    assert labels.index("Served") < labels.index("Route cost (TWD)")
    assert labels.index("Route cost (TWD)") + 2 == labels.index("Total cost (TWD)")


@pytest.mark.parametrize(
    ("status", "source", "banner"),
    [("draft", "saved", True), ("published", "saved", False), ("", "solved", True)],
)
def test_report_header_flags_unpublished_plans(plan_data, status, source, banner):
    """The report's top says 'DRAFT — not published' unless the plan is published."""
    data = dataclasses.replace(plan_data, plan_status=status, source=source)
    if source == "solved":
        data = dataclasses.replace(data, plan_id=None)
    assert ("DRAFT — not published" in sections.header_html(data)) is banner


def test_default_plan_is_the_latest_published_else_latest_draft(db_session):
    """The report picks the day's published plan over a newer draft; with only drafts, the
    newest draft; never a scenario's plan."""
    from luckygas import models as m
    from luckygas.domain import PlanStatus
    from luckygas.reports.data import latest_baseline_plan_id

    day, t0 = dt.date(2026, 3, 2), dt.datetime(2026, 3, 1, 8, 0)
    # tester (the fixture's admin) may publish

    def plan(name: str, status: PlanStatus, minutes: int, scenario_id=None) -> int:
        row = m.Plan(plan_date=day, name=name, status=status, scenario_id=scenario_id,
                     created_at=t0 + dt.timedelta(minutes=minutes))  # fmt: skip
        db_session.add(row)
        db_session.flush()
        return row.id

    first = plan("first draft", PlanStatus.DRAFT, 0)
    second = plan("second draft", PlanStatus.DRAFT, 10)
    assert latest_baseline_plan_id(db_session, day) == second
    published = plan("published", PlanStatus.PUBLISHED, 5)
    plan("later draft", PlanStatus.DRAFT, 20)
    scenario = m.Scenario(name="what if", changes={})
    db_session.add(scenario)
    db_session.flush()
    plan("scenario plan", PlanStatus.PUBLISHED, 30, scenario.id)
    assert latest_baseline_plan_id(db_session, day) == published
    assert first != published


def test_run_table_names_the_outcome_and_the_distances_in_words(plan_data):
    """The run record says how the plan was found and on which distances, readably."""
    from luckygas.reports.tables import matrix_text, run_table

    run = dataclasses.replace(
        plan_data.result.run, matrix="HaversineMatrix(road_factor=1.3, speeds=[('car', (1, 2))])"
    )
    data = dataclasses.replace(plan_data, result=dataclasses.replace(plan_data.result, run=run))
    fields = dict(run_table(data).itertuples(index=False))
    assert fields["matrix"] == "straight lines × road factor 1.3"
    assert fields["outcome"] == run.outcome()
    roads = matrix_text("RoadMatrix(graph=ab12cd, max_snap_m=500)")
    assert roads == "imported roads (graph ab12cd)"
