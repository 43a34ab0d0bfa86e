"""KPI comparison and order diff match hand computation; the trade-off chart draws."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from luckygas.optimize.result import (
    ROUTE_COLUMNS,
    STOP_COLUMNS,
    UNASSIGNED_COLUMNS,
    PlanResult,
    RunRecord,
)
from luckygas.scenarios import (
    Scenario,
    compare_kpis,
    diff_summary,
    order_diff,
    run_scenarios,
    tradeoff_chart,
)
from tests.scenarios.conftest import FAST

matplotlib.use("Agg")

KPIS = dict(
    vehicles_available=3,
    vehicles_used=2,
    orders=6,
    served=6,
    unassigned=0,
    distance_km=40.0,
    driving_h=1.5,
    working_h=5.0,
    kg_delivered=200,
    on_time_pct=100.0,
    cost=1500.0,
    objective=1500.0,
)


def _result(
    stops: list[tuple[int, int, int, int]], dropped: list[tuple[int, str]] = (), **kpis
) -> PlanResult:
    """stops: (order_id, vehicle_id, sequence, start_s); dropped: (order_id, reason_code)."""
    routes = pd.DataFrame(
        [
            {c: 0 for c in ROUTE_COLUMNS} | {"vehicle_id": v, "vehicle_name": f"V{v}"}
            for v in sorted({s[1] for s in stops})
        ],
        columns=ROUTE_COLUMNS,
    )
    st = pd.DataFrame(
        [
            {c: 0 for c in STOP_COLUMNS}
            | {
                "order_id": o,
                "vehicle_id": v,
                "sequence": q,
                "start_s": t,
                "customer_name": f"C{o}",
            }
            for o, v, q, t in stops
        ],
        columns=STOP_COLUMNS,
    )
    un = pd.DataFrame(
        [
            {c: None for c in UNASSIGNED_COLUMNS}
            | {"order_id": o, "reason_code": code, "reason": f"why {o}", "customer_name": f"C{o}"}
            for o, code in dropped
        ],
        columns=UNASSIGNED_COLUMNS,
    )
    run = RunRecord("test", {}, 0, 1.0, "fp", 0.0, "OK", 0, 1)
    return PlanResult(routes, st, un, KPIS | kpis, run)


BASE = _result(
    [
        (1, 10, 1, 9 * 3600),
        (2, 10, 2, 10 * 3600),
        (3, 20, 1, 9 * 3600),
        (4, 20, 2, 11 * 3600),
        (5, 20, 3, 12 * 3600),
    ],
    [(6, "FLEET_FULL")],
)
OTHER = _result(
    [
        (1, 10, 1, 9 * 3600 + 600),  # 10 min later: under the 15 min threshold
        (2, 20, 1, 10 * 3600),  # moved to vehicle 20
        (3, 20, 3, 9 * 3600 + 1200),  # 20 min later and later in the route
        (4, 20, 2, 11 * 3600),  # now 2nd of vehicle 20 as before
        (6, 10, 2, 14 * 3600),  # newly served
        (7, 10, 3, 15 * 3600),
    ],  # added by the scenario
    [(5, "NO_COMPATIBLE_VEHICLE")],
    vehicles_available=2,
    served=5,
    unassigned=1,
    distance_km=35.5,
    cost=1320.25,
)


def test_compare_kpis_hand_computed():
    """KPIs per scenario and the Δ columns equal scenario minus baseline."""
    df = compare_kpis({"baseline": BASE, "other": OTHER})
    assert list(df.index) == ["baseline", "other"]
    assert df.loc["other", "cost"] == 1320.25
    assert df.loc["other", "Δ cost"] == pytest.approx(-179.75)
    assert df.loc["other", "Δ distance_km"] == pytest.approx(-4.5)
    assert df.loc["other", "Δ vehicles_available"] == -1
    assert df.loc["other", "Δ unassigned"] == 1
    assert (df.loc["baseline", [c for c in df.columns if c.startswith("Δ")]] == 0).all()
    assert "Δ cost" not in compare_kpis({"baseline": BASE}, baseline=None).columns


def test_cost_incl_unserved_charges_dropped_orders():
    """A plan 4,000 TWD cheaper that drops 2 required orders costs 16,000 more in total."""
    base = _result([(1, 10, 1, 9 * 3600), (2, 10, 2, 10 * 3600)], cost=10_000.0)
    fewer = _result([], [(1, "FLEET_FULL"), (2, "FLEET_FULL")], cost=6_000.0)
    df = compare_kpis({"baseline": base, "fewer": fewer})
    assert df.loc["fewer", "Δ cost"] == -4_000
    assert df.loc["fewer", "unserved_penalty"] == 20_000
    assert df.loc["fewer", "cost_incl_unserved"] == 26_000
    assert df.loc["fewer", "Δ cost_incl_unserved"] == 16_000
    cols = list(df.columns)
    assert cols.index("unassigned") + 1 == cols.index("cost")  # unserved sits next to cost


def test_unserved_optional_orders_cost_their_own_penalty():
    """With the problem given, a skipped forecast order costs its small penalty, not 10,000."""
    from types import SimpleNamespace

    from luckygas.scenarios.compare import UnservedCost, unserved_penalty

    plan = _result([], [(1, "FLEET_FULL"), (2, "FLEET_FULL"), (3, "FLEET_FULL")])
    orders = [
        SimpleNamespace(id=1, optional=False, penalty=None),
        SimpleNamespace(id=2, optional=True, penalty=None),
        SimpleNamespace(id=3, optional=True, penalty=150),
    ]
    problem = SimpleNamespace(orders=orders)
    assert unserved_penalty(plan, problem) == 10_000 + 200 + 150
    assert unserved_penalty(plan) == 30_000  # without the problem: all count as required
    assert unserved_penalty(plan, problem, UnservedCost(required_twd=5_000)) == 5_350
    with pytest.raises(ValueError, match="must be >= 0"):
        UnservedCost(required_twd=-1)


def test_sweep_suggestion_never_prefers_dropping_orders():
    """Two trucks are cheaper but drop 5 orders: the suggestion is the cheapest full service."""
    from luckygas.scenarios.compare import suggested_point, with_unserved_cost

    sweep = pd.DataFrame(
        {
            "setting": "fleet_size",
            "value": [2, 3, 4],
            "served": [25, 30, 30],
            "unassigned": [5, 0, 0],
            "cost": [9_000.0, 12_000.0, 13_500.0],
        }
    )
    assert suggested_point(sweep)["value"] == 3
    priced = with_unserved_cost(sweep)
    assert list(priced["cost_incl_unserved"]) == [59_000.0, 12_000.0, 13_500.0]


def test_changes_read_as_a_sentence():
    """Built-in and stored scenarios describe their changes in words, not Python dicts."""
    from luckygas.scenarios import PRESETS
    from luckygas.scenarios.store import describe_changes

    assert describe_changes(PRESETS["one_truck_fewer"]) == "Remove 1 light truck."
    assert describe_changes(PRESETS["baseline"]) == "No change."
    assert describe_changes(PRESETS["later_start"]) == "Shift start 09:00."
    two = Scenario("x", demand_multiplier=1.3, window_widen_min=30)
    assert (
        describe_changes(two) == "Every order × 1.3; time windows widened by 30 min on each side."
    )


def test_compare_kpis_needs_its_baseline():
    """A missing baseline is named in the error, with the available scenarios."""
    with pytest.raises(ValueError, match=r"'baseline' is not among the results \(x\)"):
        compare_kpis({"x": BASE})


def test_order_diff_hand_computed():
    """Each order gets the right change category, times and reason."""
    diff = order_diff(BASE, OTHER).set_index("order_id")
    assert diff["change"].to_dict() == {
        5: "became_unserved",
        6: "became_served",
        2: "vehicle_changed",
        3: "time_moved",
        7: "added",
    }
    assert (
        diff.loc[5, "reason_code"] == "NO_COMPATIBLE_VEHICLE"
        and diff.loc[5, "base_vehicle"] == "V20"
    )
    assert diff.loc[6, "reason_code"] == "FLEET_FULL"  # why it was unserved before
    assert (diff.loc[2, "base_vehicle"], diff.loc[2, "other_vehicle"]) == ("V10", "V20")
    assert diff.loc[3, "shift_min"] == 20.0 and diff.loc[3, "resequenced"]
    assert pd.isna(diff.loc[7, "base_sequence"]) and diff.loc[7, "other_sequence"] == 3
    full = order_diff(BASE, OTHER, only_changes=False).set_index("order_id")
    assert full.loc[1, "change"] == "unchanged" and full.loc[1, "shift_min"] == 10.0
    assert full.loc[4, "change"] == "unchanged"
    assert (
        order_diff(BASE, OTHER, moved_min=5, only_changes=False)
        .set_index("order_id")
        .loc[1, "change"]
        == "time_moved"
    )
    counts = diff_summary(diff.reset_index())
    assert counts["became_unserved"] == 1 and counts["unchanged"] == 0 and counts.sum() == 5


def test_removing_the_only_motorcycle_strands_the_motorcycle_order(day):
    """Solved for real: without the motorcycle, the motorcycle-only order is unserved, and why."""
    res = run_scenarios(
        day,
        [Scenario("baseline"), Scenario("no_moto", remove_vehicle_ids=(3,))],
        FAST,
        max_workers=1,
        progress=False,
    )
    diff = order_diff(res["baseline"], res["no_moto"]).set_index("order_id")
    assert diff.loc[103, "change"] == "became_unserved"
    assert diff.loc[103, "reason_code"] == "NO_COMPATIBLE_VEHICLE"
    assert "motorcycle" in diff.loc[103, "reason"]
    assert (diff["change"] == "became_unserved").sum() == 1


def test_tradeoff_chart_marks_the_suggested_point():
    """The chart plots cost per value and circles the fewest-unserved, cheapest value."""
    df = pd.DataFrame(
        {
            "setting": "fleet_size",
            "value": [2, 3, 4],
            "cost": [800.0, 1000.0, 1300.0],
            "distance_km": [30.0, 40.0, 45.0],
            "unassigned": [3, 0, 0],
        }
    )
    ax = tradeoff_chart(df)
    assert list(ax.lines[0].get_ydata()) == [800.0, 1000.0, 1300.0]
    assert any("suggested: 3" in t.get_text() for t in ax.texts)
    with pytest.raises(ValueError, match="no rows"):
        tradeoff_chart(df.iloc[:0])
