"""The analyst's live loop in the planning panel: re-plan again and again, in place.

What an analyst relies on: the kernel does not fill up with dead widgets, the map is the
same map with new routes, the pickers keep what was picked, buttons cannot be clicked
twice while a run is going, errors read as one sentence, the cost is honest, and a
re-plan sees the orders a colleague added since.
"""

from __future__ import annotations

import dataclasses
import re

import ipyleaflet as L
import pytest
from ipywidgets.widgets import widget as widget_module
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.optimize import PlanResult, solve
from luckygas.widgets import PlanningPanel, kpi_table_html
from luckygas.widgets.planning import error_sentence, locked_prefix
from luckygas.widgets.render import plan_summary

from .conftest import DAY, MANAGER


def _quick_solve(problem, params, **kwargs):
    """The real solver, stopped after a fixed number of solutions (fast and repeatable)."""
    params = params.replace(deterministic=True, solution_limit=40)
    return solve(problem, params, **kwargs)


class Recorder:
    """A solve_fn that records what the panel passed and how its buttons looked."""

    def __init__(self, panel_ref: list[PlanningPanel], fail: Exception | None = None):
        self.panel_ref = panel_ref
        self.fail = fail
        self.calls: list[dict] = []

    def __call__(self, problem, params, **kwargs):
        panel = self.panel_ref[0]
        self.calls.append(
            {
                "problem": problem,
                "params": params,
                "buttons": {b.description: b.disabled for b in panel.buttons},
                **kwargs,
            }
        )
        if self.fail is not None:
            raise self.fail
        return _quick_solve(problem, params, progress=kwargs.get("progress"))


def _panel(small_db, solve_fn=None) -> PlanningPanel:
    return PlanningPanel(small_db, user=MANAGER, time_limit_s=1, solve_fn=solve_fn or _quick_solve)


def _recording_panel(small_db, fail: Exception | None = None) -> tuple[PlanningPanel, Recorder]:
    ref: list[PlanningPanel] = []
    rec = Recorder(ref, fail)
    panel = _panel(small_db, rec)
    ref.append(panel)
    return panel, rec


def _route_groups(the_map: L.Map) -> list[L.LayerGroup]:
    return [x for x in the_map.layers if str(x.name).startswith("Route ")]


# -- the map and the widget count ----------------------------------------------------


def test_widget_count_stays_flat_over_twenty_replans(small_db):
    """Twenty re-plans that change the routes leave as many widgets in the kernel as two."""
    results: list[PlanResult] = []
    calls: list[int] = []

    def alternating(problem, params, **kwargs):
        # Two different real plans (both vehicles / the truck alone), solved once each.
        calls.append(1)
        if len(results) < 2:
            fleet = problem.vehicles if not results else problem.vehicles[:1]
            results.append(_quick_solve(dataclasses.replace(problem, vehicles=fleet), params))
        return results[(len(calls) - 1) % 2] if len(calls) > 2 else results[-1]

    panel = _panel(small_db, alternating)
    panel.optimize()
    panel.optimize()
    before = len(widget_module._instances)
    the_map = panel.map_box.children[0]
    for _ in range(20):
        panel.optimize()
    assert len(widget_module._instances) - before <= 5
    assert panel.map_box.children == (the_map,)  # the same map, never a new one
    assert {len(_route_groups(the_map))} <= {1, 2}


def test_a_replan_swaps_the_route_layers_of_the_same_map(panel_with_plan):
    """After a move the map on screen is the same object; its route layers show the new plan."""
    panel = panel_with_plan
    the_map = panel.map_box.children[0]
    stops = panel.result.stops
    order_id = int(stops["order_id"].iloc[0])
    target = next(v.id for v in panel.problem.vehicles if v.id != int(stops["vehicle_id"].iloc[0]))
    result = panel.move_order(order_id, target)
    assert panel.map_box.children == (the_map,)
    groups = _route_groups(the_map)
    assert len(groups) == len(result.routes)
    markers = sum(isinstance(x, L.Marker) for g in groups for x in g.layers)
    assert markers == len(result.stops)


@pytest.fixture
def panel_with_plan(small_db) -> PlanningPanel:
    """A panel on the small database with a first plan on screen."""
    panel = _panel(small_db)
    panel.optimize()
    return panel


# -- pickers and buttons ----------------------------------------------------------------


def test_pickers_are_disabled_until_there_is_something_to_pick(small_db):
    """Before the first plan the order, vehicle and route pickers are empty and disabled."""
    panel = _panel(small_db)
    for picker in (panel.move_order_pick, panel.move_target, panel.lock_vehicle):
        assert picker.disabled and picker.value is None
    assert panel.move_button.disabled and panel.lock_button.disabled
    assert panel.unlock_button.disabled and panel.save_button.disabled
    panel.optimize()
    for picker in (panel.move_order_pick, panel.move_target, panel.lock_vehicle):
        assert not picker.disabled and picker.value is not None
    assert not panel.move_button.disabled and not panel.lock_button.disabled
    assert panel.unlock_button.disabled  # nothing locked or moved yet


def test_the_order_picker_keeps_the_analysts_pick_across_replans(panel_with_plan):
    """A second Move moves the order the analyst picked, not the first in the list."""
    panel = panel_with_plan
    orders = [v for _, v in panel.move_order_pick.options]
    picked = orders[-1]
    panel.move_order_pick.value = picked
    vehicles = [v for _, v in panel.move_target.options]
    panel.move_target.value = vehicles[-1]
    panel.move_button.click()
    assert panel.pins == {picked: vehicles[-1]}
    assert panel.move_order_pick.value == picked  # still there for the next click
    assert panel.move_target.value == vehicles[-1]
    lock_pick = panel.lock_vehicle.value
    panel.optimize()
    assert panel.move_order_pick.value == picked and panel.lock_vehicle.value == lock_pick


def test_every_button_is_disabled_while_a_run_is_going(small_db):
    """The solver is called with every button disabled; afterwards they are back."""
    panel, rec = _recording_panel(small_db)
    panel.optimize_button.click()
    panel.lock_button.click()
    assert len(rec.calls) == 2
    for call in rec.calls:
        assert all(call["buttons"].values()), call["buttons"]
    assert not panel.optimize_button.disabled and not panel.save_button.disabled
    assert not panel.unlock_button.disabled  # a lock is on


def test_buttons_come_back_after_an_error_shown_as_one_sentence(small_db):
    """A refused re-plan leaves the plan as it was and says why, without an exception name."""
    panel, rec = _recording_panel(small_db)
    panel.optimize()
    before = panel.result
    rec.fail = ValueError("order 3 cannot go on MOTO-1: it needs <50 kg> cylinders")
    panel.move_button.click()
    assert panel.result is before and panel.pins == {}
    status = panel.status.value
    assert "Order 3 cannot go on MOTO-1: it needs &lt;50 kg&gt; cylinders." in status
    assert "ValueError" not in status
    assert not panel.optimize_button.disabled and not panel.move_button.disabled
    assert all(rec.calls[-1]["buttons"].values())


def test_move_with_nothing_picked_says_so_in_a_sentence(small_db):
    """Move with no order picked reads as an instruction, not a TypeError."""
    panel = _panel(small_db)
    panel._guard(panel.move_order, None, None)
    assert "Pick an order and the vehicle to move it to." in panel.status.value
    assert "TypeError" not in panel.status.value and "NoneType" not in panel.status.value


def test_error_sentences_carry_the_message_without_the_class_name():
    """Messages are kept, on one line, capitalised and ending with a full stop."""
    assert error_sentence(TypeError("int() argument\n must be a string")) == (
        "Int() argument must be a string."
    )
    assert error_sentence(KeyError("TRK-9")) == "TRK-9 was not found."
    assert "kernel log" in error_sentence(RuntimeError())


def test_unlock_all_undoes_moves_and_says_what_it_did(panel_with_plan):
    """The button says it undoes moves too, and the status counts what was undone."""
    panel = panel_with_plan
    assert "undo moves" in panel.unlock_button.description
    vid = int(panel.result.routes.sort_values("n_stops")["vehicle_id"].iloc[-1])
    panel.lock_route(vid, 2)
    order_id = int(panel.result.unassigned["order_id"].iloc[0])  # the one without a place
    panel.pins[order_id] = vid  # as if moved (the solver may not be able to place it)
    panel.unlock_all()
    assert "Unlocked 2 stops and undid 1 move." in panel.status.value
    assert panel.locks == {} and panel.pins == {}
    assert panel.unlock_button.disabled


def test_save_draft_is_disabled_for_a_plan_without_routes(small_db):
    """A plan with no route cannot be saved: the button is off and the method refuses."""

    def no_vehicles(problem, params, **kwargs):
        return solve(dataclasses.replace(problem, vehicles=()), params)

    panel = _panel(small_db, no_vehicles)
    panel.optimize()
    assert panel.result.routes.empty
    assert panel.save_button.disabled
    with pytest.raises(ValueError, match="no routes"):
        panel.save_draft()


# -- what the re-plan starts from ---------------------------------------------------------


def test_replans_start_from_the_plan_on_screen_with_its_trips(small_db):
    """Optimize, Move and Lock warm-start from ``vehicle_routes()``: trips kept as ``None``."""
    panel, rec = _recording_panel(small_db)
    panel.optimize()
    assert rec.calls[0]["initial_routes"] is None  # a first plan starts from scratch
    on_screen = panel.result.vehicle_routes()
    panel.optimize()
    assert rec.calls[1]["initial_routes"] == on_screen
    vid = next(iter(on_screen))
    panel.lock_route(vid, 1)
    assert rec.calls[2]["locked"] == {vid: on_screen[vid][:1]}


def test_a_lock_spans_the_returns_to_the_depot_between_its_stops():
    """Locking 3 stops of a two-trip route keeps the reload between stops 2 and 3."""
    route = [11, 12, None, 13, 14, None, 15]
    assert locked_prefix(route, 3) == [11, 12, None, 13]
    assert locked_prefix(route, 2) == [11, 12]  # no trailing reload
    assert locked_prefix(route, 5) == route


def test_replans_read_the_orders_added_since(small_db):
    """An order a colleague adds after the plan shows up in the next re-plan, and is counted."""
    panel = _panel(small_db)
    panel.optimize()
    with Session(small_db) as s:
        s.info["user"] = MANAGER
        new = m.Order(number="20261201-999", customer_id=1, delivery_date=DAY, qty_20kg=1)
        s.add(new)
        s.commit()
        new_id = new.id
    vid = int(panel.result.routes["vehicle_id"].iloc[0])
    panel.lock_route(vid, 1)
    assert new_id in panel.problem.orders_by_id
    assert panel.orders_added == [new_id] and panel.orders_removed == []
    assert "1 order(s) added and 0 removed since the plan on screen" in panel.status.value


def test_keep_orders_on_their_vehicle_reaches_the_solver(small_db):
    """The "keep the plan" box is on by default and sets the solver's keep-vehicle weight."""
    panel, rec = _recording_panel(small_db)
    assert panel.keep_plan.value
    panel.optimize()
    assert rec.calls[-1]["params"].cost.keep_vehicle_cost > 0
    panel.keep_plan.value = False
    panel.optimize()
    assert rec.calls[-1]["params"].cost.keep_vehicle_cost == 0


# -- what the analyst reads -----------------------------------------------------------------


def _with_kpis(result: PlanResult, **kpis) -> PlanResult:
    return dataclasses.replace(result, kpis={**result.kpis, **kpis})


def test_kpi_table_shows_served_orders_first_then_route_unserved_and_total_cost(tiny_result):
    """Cost is shown honestly: the unserved orders' cost and the total sit under the route cost."""
    r = _with_kpis(tiny_result, cost=20206.4, unserved_cost=20000.0, total_cost=40206.4)
    html = kpi_table_html(r)
    labels = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    values = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert labels[:5] == [
        "Orders served",
        "Not planned",
        "Route cost (TWD)",
        "Cost of unserved orders (TWD)",
        "Total cost (TWD)",
    ]
    assert values[2:5] == ["20,206", "20,000", "40,206"]


def test_kpis_the_optimizer_does_not_give_show_as_a_dash(tiny_result):
    """Missing cost keys render as '–' rather than failing."""
    kpis = {k: v for k, v in tiny_result.kpis.items() if k not in ("unserved_cost", "total_cost")}
    html = kpi_table_html(dataclasses.replace(tiny_result, kpis=kpis))
    assert html.count(">–<") >= 2


def test_status_line_puts_served_orders_first_then_the_three_costs(tiny_result):
    """'230/232 orders served on 11 routes · route cost … + unserved … = … TWD'."""
    r = _with_kpis(
        tiny_result,
        served=230,
        orders=232,
        vehicles_used=11,
        cost=20206.0,
        unserved_cost=20000.0,
        total_cost=40206.0,
    )
    assert plan_summary(r).startswith(
        "230/232 orders served on 11 routes · route cost 20,206 TWD + unserved 20,000 TWD"
        " = 40,206 TWD"
    )


def test_status_reports_the_share_of_orders_that_kept_their_vehicle(panel_with_plan):
    """After a re-plan the status says how many orders stayed on their vehicle."""
    panel = panel_with_plan
    panel.result = _with_kpis(panel.result, kept_vehicle_pct=91.6)
    panel._refresh("Optimized.")
    assert "92 % of orders kept their vehicle" in panel.status.value


def test_dates_read_in_iso_format(panel_with_plan):
    """Beside the browser-locale date picker, and in the status line, the date is ISO."""
    assert "2026-12-01" in panel_with_plan.date_label.value
    assert "2026-12-01" in panel_with_plan.status.value


def test_shift_pickers_say_what_blank_means(small_db):
    """Blank shift pickers keep each driver's own shift, and the panel says so."""
    panel = _panel(small_db)
    assert "blank = each driver's own shift" in panel.shift_hint.value


def test_the_panel_says_when_orders_changed_since_its_plan(small_db):
    """An order created after the plan was computed is named; a re-plan takes it in."""
    panel = _panel(small_db)
    panel.optimize()
    assert panel.changes is not None and not panel.changes.is_stale
    assert "Out of date" not in panel.status.value
    with Session(small_db) as s:
        s.info["user"] = MANAGER
        new = m.Order(number="20261201-998", customer_id=1, delivery_date=DAY, qty_20kg=1)
        s.add(new)
        s.commit()
        new_id = new.id
    changes = panel.check_for_changes()
    assert list(changes.added) == [new_id]
    assert "Out of date" in panel.status.value and f"#{new_id} Shop 1" in panel.status.value
    panel.save_draft("with a stale plan")
    assert "Out of date" in panel.status.value  # saved, and still told
    panel.optimize()
    assert new_id in panel.problem.orders_by_id
    assert not panel.changes.is_stale and "Out of date" not in panel.status.value


def test_panel_opens_and_replans_while_a_colleague_writes(small_db, tmp_path, monkeypatch):
    """A colleague's open write transaction does not stall the panel: opening it, reading
    the day for a re-plan and checking for changes only read (deferred transactions)."""
    import sqlite3

    from luckygas import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.5)
    small_db.dispose()  # new connections get the short busy timeout
    colleague = sqlite3.connect(small_db.url.database, isolation_level=None)
    colleague.execute("BEGIN IMMEDIATE")  # holds the write lock until rollback
    try:
        panel = _panel(small_db)
        panel.optimize()
        assert panel.result is not None and panel.result.kpis["served"] > 0
        panel.check_for_changes()
        assert "database is locked" not in panel.status.value
    finally:
        colleague.execute("ROLLBACK")
        colleague.close()
