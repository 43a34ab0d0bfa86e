"""The plan and history charts draw what they say, on given or new axes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from luckygas import charts


def test_timeline_has_a_row_per_route_and_every_segment_kind(tiny_result, tiny_problem):
    """The Gantt chart has one labelled row per route with drive, service, window segments."""
    fig = charts.route_timeline(tiny_result, tiny_problem)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{i} · {n}" for i, n in enumerate(tiny_result.routes["vehicle_name"], 1)]
    labelled = {c.get_label() for c in ax.collections}
    assert {"drive", "service", "window"} <= labelled
    service = next(c for c in ax.collections if c.get_label() == "service")
    assert len(service.get_paths()) == len(
        tiny_result.stops[
            tiny_result.stops["vehicle_id"] == tiny_result.routes["vehicle_id"].iloc[0]
        ]
    )
    assert ax.xaxis.get_major_formatter()(8 * 3600, 0) == "08:00"


def test_timeline_draws_on_a_given_axes(tiny_result):
    """Passing ax= draws there and returns that axes' figure."""
    fig = Figure()
    ax = fig.add_subplot()
    assert charts.route_timeline(tiny_result, ax=ax) is fig
    assert ax.collections


def test_loads_by_kg_stack_the_sizes_against_capacity(tiny_result, tiny_problem):
    """Load bars add up to each route's kg and the capacity tick sits at the vehicle's max kg."""
    fig = charts.route_loads(tiny_result, tiny_problem)
    ax = fig.axes[0]
    widths = np.zeros(len(tiny_result.routes))
    for container in ax.containers:
        widths += np.array([p.get_width() for p in container.patches])
    expected = tiny_result.routes["load_kg"].to_numpy()[::-1]
    assert widths == pytest.approx(expected)
    ticks = next(line for line in ax.lines if line.get_label() == "max kg")
    assert list(ticks.get_xdata()) == [400.0] * len(tiny_result.routes)


def test_loads_by_size_are_shares_of_vehicle_slots(tiny_result, tiny_problem):
    """by='size' shows each size's cylinders as a percentage of the vehicle's slots."""
    fig = charts.route_loads(tiny_result, tiny_problem, by="size")
    ax = fig.axes[0]
    bars20 = ax.containers[1]  # sizes in SIZE_CLASSES_KG order: 50, 20, ...
    expected = 100 * tiny_result.routes["load_20kg"].to_numpy()[::-1] / 6
    assert [p.get_width() for p in bars20.patches] == pytest.approx(expected)
    with pytest.raises(ValueError, match="by must be"):
        charts.route_loads(tiny_result, by="litres")


def test_zone_kpis_count_served_and_unserved(tiny_result, tiny_customers):
    """Per zone, served plus unserved equals the orders of that zone."""
    table = charts.zone_kpis(tiny_result, tiny_customers)
    assert table["served"].sum() == len(tiny_result.stops)
    assert table["unserved"].sum() == len(tiny_result.unassigned)
    fig = charts.kpis_by_zone(tiny_result, tiny_customers)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(table.index)


@pytest.fixture
def history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six deliveries over two months in two zones, one failed, one outside its window."""
    deliveries = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 2, 1],
            "delivered_on": pd.to_datetime(
                ["2026-01-05", "2026-01-20", "2026-01-07", "2026-02-03", "2026-02-10", "2026-02-11"]
            ),
            "delivered_min": [600, 610, 900, 605, 1000, 700],
            "outcome": [
                "delivered",
                "delivered",
                "delivered",
                "delivered",
                "not_home",
                "delivered",
            ],
            "qty_50kg": [0, 0, 1, 0, 0, 0],
            "qty_20kg": [2, 1, 0, 1, 1, 2],
            "qty_16kg": 0,
            "qty_10kg": 0,
            "qty_4kg": [0, 0, 0, 0, 0, 5],
        }
    )
    customers = pd.DataFrame(
        {"id": [1, 2], "zone_code": ["A", "B"], "windows_min": [[(480, 720)], [(480, 720)]]}
    )
    return deliveries, customers


def test_monthly_volumes_sum_kg_of_successful_deliveries(history):
    """kg per month and zone count only delivered outcomes."""
    deliveries, customers = history
    table = charts.monthly_volumes(deliveries, customers)
    assert table.loc[pd.Period("2026-01", "M"), "A"] == 60
    assert table.loc[pd.Period("2026-01", "M"), "B"] == 50
    assert table.loc[pd.Period("2026-02", "M"), "B"] == 20  # the not-home visit is excluded
    fig = charts.volumes_by_zone_month(deliveries, customers)
    assert len(fig.axes[0].containers) == 2


def test_delivery_performance_on_time_and_outcomes(history):
    """On-time share counts deliveries inside the customer's window; outcomes add to 100 %."""
    deliveries, customers = history
    table = charts.delivery_performance(deliveries, customers)
    assert table.loc["A", "on_time_pct"] == 100.0
    assert table.loc["B", "on_time_pct"] == 50.0  # 15:00 is outside 08:00-12:00
    assert table.loc["B", "not_home_pct"] == pytest.approx(33.3)
    fig = charts.outcome_rates(deliveries, customers)
    assert any(line.get_label().startswith("on time") for line in fig.axes[0].lines)


def test_cylinder_mix_shares_add_to_100(history):
    """The mix chart's stacked shares reach 100 % in every period."""
    deliveries, _ = history
    fig = charts.cylinder_mix(deliveries, freq="M")
    tops = fig.axes[0].collections[-1].get_paths()[0].vertices[:, 1]
    assert tops.max() == pytest.approx(100)


def test_timeline_shows_reloads_at_the_depot(tiny_result, tiny_problem):
    """A vehicle that goes back to reload shows a distinct reload segment and the drive there."""
    vid = int(tiny_result.routes["vehicle_id"].iloc[0])
    stops = tiny_result.stops.copy()
    mine = stops.index[stops["vehicle_id"] == vid]
    assert len(mine) >= 2
    stops.loc[mine[len(mine) // 2 :], "trip"] = 2
    last = float(stops.loc[mine[len(mine) // 2 - 1], "departure_s"])
    reloads = pd.DataFrame(
        {"vehicle_id": [vid], "trip": [2], "arrival_s": [last + 300], "departure_s": [last + 1200]}
    )
    result = dataclasses.replace(tiny_result, stops=stops, reloads=reloads)
    ax = charts.route_timeline(result, tiny_problem).axes[0]
    (reload,) = [c for c in ax.collections if c.get_label() == "reload"]
    assert len(reload.get_paths()) == 1
    (x0, _), (x1, _) = reload.get_paths()[0].get_extents().get_points()
    assert (x0, x1) == pytest.approx((last + 300, last + 1200))
    drive = next(c for c in ax.collections if c.get_label() == "drive")
    starts = [p.get_extents().get_points()[0][0] for p in drive.get_paths()]
    assert any(s == pytest.approx(last) for s in starts)  # the drive back to the depot
    assert "reload at depot" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_scenario_deltas_one_panel_per_kpi_without_the_baseline():
    """The what-if chart has a panel per Δ KPI and a bar per scenario other than the baseline."""
    kpis = pd.DataFrame(
        {c: [0.0, 5.0, -2.0] for c in charts.DELTA_COLUMNS},
        index=pd.Index(["baseline", "a", "b"], name="scenario"),
    )
    fig = charts.scenario_deltas(kpis, "baseline")
    assert len(fig.axes) == len(charts.DELTA_COLUMNS)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="no column"):
        charts.scenario_deltas(kpis.drop(columns="Δ cost"), "baseline")


def _bar_colours(ax) -> list[str]:
    from matplotlib.colors import to_hex

    return [to_hex(p.get_facecolor()) for p in ax.patches]


def test_scenario_deltas_never_colour_fewer_served_orders_as_better():
    """'one_truck_fewer' cuts route cost by dropping orders: red, whatever it saves."""
    kpis = pd.DataFrame(
        {
            "Δ served": [0, -12, 0, 0, 3],
            "Δ cost_incl_unserved": [0.0, 118_000.0, -400.0, 250.0, 9_000.0],
            "Δ cost": [0.0, -2_000.0, -400.0, 250.0, 9_000.0],
            "Δ vehicles_used": [0, -1, 0, 0, 1],
        },
        index=pd.Index(
            ["baseline", "one_truck_fewer", "wider_windows", "demand_plus_30", "extra_truck"],
            name="scenario",
        ),
    )
    fig = charts.scenario_deltas(kpis, "baseline")
    green, red = charts.VERDICT_COLOURS["better"], charts.VERDICT_COLOURS["worse"]
    for ax in fig.axes:  # one verdict per scenario, the same in every panel
        assert _bar_colours(ax) == [red, green, red, green]
    assert [ax.get_title() for ax in fig.axes][:2] == ["Δ orders served", "Δ total cost (TWD)"]


def test_scenario_verdicts_put_served_orders_before_total_cost():
    """Fewer served is worse, more served is better; equal service compares total cost."""
    from luckygas.scenarios.compare import scenario_verdicts

    kpis = pd.DataFrame(
        {"Δ served": [0, -1, 2, 0, 0], "Δ cost_incl_unserved": [0.0, -5e4, 5e4, -1.0, 0.2]},
        index=["baseline", "fewer", "more", "cheaper", "noise"],
    )
    assert list(scenario_verdicts(kpis)) == ["same", "worse", "better", "better", "same"]
    with pytest.raises(ValueError, match="compare_kpis"):
        scenario_verdicts(kpis.drop(columns="Δ served"))


def test_a_chart_displays_as_a_picture_before_pyplot_is_set_up():
    """In a fresh IPython, a chart as a cell's value is a PNG, not '<Figure size ...>'."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        png = shell.display_formatter.formatters["image/png"]
        png.type_printers.pop(Figure, None)  # as in a kernel where pyplot never loaded
        kpis = pd.DataFrame({c: [0.0, 1.0] for c in charts.DELTA_COLUMNS}, index=["baseline", "a"])
        data, _ = shell.display_formatter.format(charts.scenario_deltas(kpis, "baseline"))
        assert data["image/png"][:4] == b"\x89PNG"
    finally:
        InteractiveShell.clear_instance()
