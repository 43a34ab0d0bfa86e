"""The planning panel: its callbacks drive real solves on a small database."""

from __future__ import annotations

import datetime as dt

import ipyleaflet as L
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.optimize import solve
from luckygas.widgets import PanelSettings, PlanningPanel, routes_of

from .conftest import DAY, MANAGER


def _quick_solve(problem, params, **kwargs):
    """The real solver, stopped after a fixed number of solutions (fast and repeatable)."""
    params = params.replace(deterministic=True, solution_limit=40)
    return solve(problem, params, **kwargs)


@pytest.fixture
def panel(small_db) -> PlanningPanel:
    """A panel on the small database, solving with the real (deterministic) solver."""
    return PlanningPanel(small_db, user=MANAGER, time_limit_s=1, solve_fn=_quick_solve)


def test_panel_starts_on_the_next_day_with_orders_and_lists_the_fleet(panel):
    """The date defaults to the day with open orders; each vehicle shows with its driver."""
    assert panel.date_picker.value == DAY
    labels = [box.description for box in panel.vehicle_boxes.values()]
    assert any("TRUCK-1" in t and "Wang" in t for t in labels)
    assert any("MOTO-1" in t and "Lee" in t for t in labels)
    assert panel.save_button.disabled


def test_optimize_runs_a_real_solve_and_updates_every_output(panel):
    """Optimize solves the day and refreshes map, KPIs, route tables, timeline and progress."""
    result = panel.optimize()
    assert result.kpis["orders"] == 12
    assert result.kpis["served"] >= 10
    assert panel.progress_log and panel.progress_log[-1][1] is not None
    assert panel.progress.value == panel.progress.max
    (the_map,) = panel.map_box.children
    assert isinstance(the_map, L.Map)
    assert sum(ly.name.startswith("Route ") for ly in the_map.layers) == len(result.routes)
    assert "Orders served" in panel.kpi_html.value and "Total cost (TWD)" in panel.kpi_html.value
    assert "TRUCK-1" in panel.routes_html.value or "MOTO-1" in panel.routes_html.value
    assert "&lt;script&gt;" in panel.routes_html.value + panel.unassigned_html.value
    assert panel.timeline.value == b""  # charts are drawn when their tab opens
    panel.tabs.selected_index = 2
    assert panel.timeline.value[:4] == b"\x89PNG" and panel.loads.value[:4] == b"\x89PNG"
    assert "No Coordinates" in panel.unassigned_html.value
    assert not panel.save_button.disabled


def test_button_click_optimizes_too(panel):
    """Clicking Optimize (as the browser would) runs the same method."""
    panel.optimize_button.click()
    assert panel.result is not None and "orders served on" in panel.status.value


def test_unchecking_vehicles_limits_the_fleet(panel):
    """Only the checked vehicles are planned with."""
    moto = next(v for v, b in panel.vehicle_boxes.items() if "MOTO" in b.description)
    panel.vehicle_boxes[moto].value = False
    result = panel.optimize()
    assert moto not in set(result.routes["vehicle_id"])
    assert result.kpis["vehicles_available"] == 1


def test_shift_override_and_weights_reach_the_solver(panel):
    """The shift pickers and sliders change the problem and solver parameters."""
    panel.shift_start.value = dt.time(9, 0)
    panel.shift_end.value = dt.time(15, 0)
    panel.balance_weight.value = 100
    panel.optimize()
    assert {v.shift_start_s for v in panel.problem.vehicles} == {9 * 3600}
    assert panel.result.run.params["balance_weight"] == 100
    assert panel.result.stops["departure_s"].max() <= 15 * 3600


def test_bad_shift_is_reported_not_raised(panel):
    """A shift ending before it starts shows an error in the status line."""
    panel.shift_start.value = dt.time(15, 0)
    panel.shift_end.value = dt.time(9, 0)
    panel.optimize_button.click()
    assert "before" in panel.status.value and panel.result is None


def test_move_order_pins_it_to_the_target_route(panel):
    """Moving an order to another vehicle re-plans with the order on that vehicle."""
    result = panel.optimize()
    stops = result.stops
    order_id = int(stops["order_id"].iloc[0])
    source = int(stops["vehicle_id"].iloc[0])
    target = next(v.id for v in panel.problem.vehicles if v.id != source)
    new = panel.move_order(order_id, target)
    assert panel.pins == {order_id: target}
    assert routes_of(new).get(target, []).count(order_id) == 1
    assert order_id not in routes_of(new).get(source, [])
    assert "1 moved" in panel.status.value


def test_move_unknown_order_is_a_clear_error(panel):
    """Moving an order that is not on this day names it."""
    panel.optimize()
    with pytest.raises(ValueError, match="Order 9999"):
        panel.move_order(9999, next(iter(panel.vehicle_boxes)))


def test_lock_route_keeps_the_prefix_and_reoptimizes(panel):
    """Locking the first stops of a route keeps them, in order, at the start of that route."""
    result = panel.optimize()
    vid = int(result.routes.sort_values("n_stops")["vehicle_id"].iloc[-1])
    route = routes_of(result)[vid]
    assert len(route) >= 2
    new = panel.lock_route(vid, 2)
    assert routes_of(new)[vid][:2] == route[:2]
    assert panel.locks == {vid: route[:2]}
    panel.unlock_all()
    assert panel.locks == {} and panel.pins == {}


def test_lock_more_stops_than_the_route_has_is_refused(panel):
    """Locking beyond the route's length is an error, not a silent no-op."""
    result = panel.optimize()
    vid = int(result.routes["vehicle_id"].iloc[0])
    with pytest.raises(ValueError, match="cannot lock"):
        panel.lock_route(vid, 99)


def test_actions_before_optimize_are_refused(panel):
    """Moving, locking and saving need a plan first."""
    with pytest.raises(RuntimeError, match="Optimize first"):
        panel.save_draft()


def test_save_draft_writes_a_plan(panel, small_db):
    """Save draft stores the plan with its routes and stops."""
    result = panel.optimize()
    plan_id = panel.save_draft("morning run")
    with Session(small_db) as s:
        plan = s.get(m.Plan, plan_id)
        assert plan.name == "morning run" and plan.status.value == "draft"
        n_stops = s.scalar(
            select(func.count())
            .select_from(m.PlanStop)
            .join(m.PlanRoute)
            .where(m.PlanRoute.plan_id == plan_id)
        )
    assert n_stops == len(result.stops)
    assert "morning run" in panel.status.value


def test_settings_reject_an_empty_fleet():
    """With no vehicle selected the panel says so instead of solving nothing."""
    with pytest.raises(ValueError, match="at least one vehicle"):
        PanelSettings(day=DAY, vehicle_ids=())
