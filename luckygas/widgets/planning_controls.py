"""The planning panel's controls: building them, laying them out, reading them.

A mixin of :class:`luckygas.widgets.planning.PlanningPanel`, kept apart so the panel's
module holds only its actions. The buttons call the panel's action methods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as W
import pandas as pd

from luckygas.widgets.settings import PanelSettings

_TIMELINE_TAB = 2


class PlanningControls:
    """Widgets of the planning panel (see :class:`~luckygas.widgets.planning.PlanningPanel`)."""

    # Provided by the panel.
    optimize: Any
    move_order: Any
    lock_route: Any
    unlock_all: Any
    save_draft: Any
    check_for_changes: Any
    render_charts: Any
    _guard: Any
    _sync_lock_limit: Any
    _sync_buttons: Any

    # -- construction -------------------------------------------------------

    def _build_controls(
        self, day: dt.date, vehicles: pd.DataFrame, driver_of: Mapping[int, str], limit: float
    ) -> None:
        style = {"description_width": "initial"}
        self.date_picker = W.DatePicker(value=day, description="Delivery date", style=style)
        # The picker shows the date in the browser's locale (12/01/2026 in a US browser):
        # the ISO date beside it is the one every report and sheet uses.
        self.date_label = W.HTML(_iso_label(day))
        self.vehicle_boxes: dict[int, W.Checkbox] = {}
        for v in vehicles.sort_values("id").to_dict("records"):
            label = (
                f"{v['name']} · {v['vehicle_type']} · {driver_of.get(int(v['id']), 'no driver')}"
            )
            self.vehicle_boxes[int(v["id"])] = W.Checkbox(
                value=True, description=label, indent=False, layout=W.Layout(width="auto")
            )
        self.shift_start = W.TimePicker(description="Shift start", style=style)
        self.shift_end = W.TimePicker(description="Shift end", style=style)
        self.shift_hint = W.HTML("<span style='color:#555'>blank = each driver's own shift</span>")
        self.time_limit = W.FloatSlider(
            value=limit,
            min=1,
            max=120,
            step=1,
            description="Time limit (s)",
            readout_format=".0f",
            style=style,
        )
        self.distance_weight = W.FloatSlider(
            value=1.0, min=0.0, max=3.0, step=0.1, description="Distance cost ×", style=style
        )
        self.vehicles_weight = W.FloatSlider(
            value=1.0, min=0.0, max=5.0, step=0.1, description="Fewer vehicles ×", style=style
        )
        self.balance_weight = W.FloatSlider(
            value=0.0,
            min=0.0,
            max=500.0,
            step=10.0,
            description="Balance (TWD/h of longest)",
            style=style,
        )
        self.keep_plan = W.Checkbox(
            value=True,
            description="Keep orders on their vehicle when re-planning",
            indent=False,
            layout=W.Layout(width="auto"),
        )
        self.optimize_button = W.Button(description="Optimize", button_style="primary", icon="play")
        self.progress = W.FloatProgress(value=0, min=0, max=limit, description="Search")
        self.status = W.HTML("Choose the day and the fleet, then Optimize.")

        wide = W.Layout(width="auto", min_width="260px")
        self.move_order_pick = W.Dropdown(
            description="Order", options=[], style=style, disabled=True, layout=wide
        )
        self.move_target = W.Dropdown(description="to", options=[], style=style, disabled=True)
        self.move_button = W.Button(
            description="Move & re-plan",
            icon="exchange",
            disabled=True,
            layout=W.Layout(width="auto", min_width="140px"),
        )
        self.lock_vehicle = W.Dropdown(
            description="Lock route", options=[], style=style, disabled=True
        )
        self.lock_upto = W.BoundedIntText(
            value=1,
            min=0,
            max=1,
            description="first stops",
            style=style,
            layout=W.Layout(width="140px"),
        )
        self.lock_button = W.Button(
            description="Lock & re-plan",
            icon="lock",
            disabled=True,
            layout=W.Layout(width="auto", min_width="140px"),
        )
        self.unlock_button = W.Button(
            description="Unlock all & undo moves",
            icon="unlock",
            disabled=True,
            layout=W.Layout(width="auto"),
        )
        self.draft_name = W.Text(placeholder="draft name (optional)")
        self.save_button = W.Button(description="Save draft", icon="save", disabled=True)
        self.check_button = W.Button(
            description="Check for changes",
            icon="refresh",
            disabled=True,
            tooltip="Compare the plan with the day's orders in the database now",
            layout=W.Layout(width="auto"),
        )

        self.map_box = W.Box(layout=W.Layout(width="100%"))
        self.kpi_html = W.HTML(layout=W.Layout(min_width="300px", margin="0 24px 0 0"))
        self.routes_html = W.HTML()
        self.unassigned_html = W.HTML()
        self.timeline = W.Image(format="png")
        self.loads = W.Image(format="png")

        self.optimize_button.on_click(lambda _: self._guard(self.optimize))
        self.move_button.on_click(
            lambda _: self._guard(
                self.move_order, self.move_order_pick.value, self.move_target.value
            )
        )
        self.lock_button.on_click(
            lambda _: self._guard(self.lock_route, self.lock_vehicle.value, self.lock_upto.value)
        )
        self.unlock_button.on_click(lambda _: self._guard(self.unlock_all))
        self.save_button.on_click(lambda _: self._guard(self.save_draft, self.draft_name.value))
        self.check_button.on_click(lambda _: self._guard(self.check_for_changes))
        self.time_limit.observe(lambda ch: setattr(self.progress, "max", ch["new"]), "value")
        self.lock_vehicle.observe(lambda _: self._sync_lock_limit(), "value")
        for picker in (self.move_order_pick, self.move_target, self.lock_vehicle):
            picker.observe(lambda _: self._sync_buttons(), "value")
        self.date_picker.observe(
            lambda ch: setattr(self.date_label, "value", _iso_label(ch["new"])), "value"
        )

    def _layout(self) -> list[W.Widget]:
        # Every vehicle visible at once, three to a row: a scrolling box of eleven showed
        # five with no scrollbar in sight.
        fleet = W.GridBox(
            list(self.vehicle_boxes.values()),
            layout=W.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))", width="100%"),
        )
        settings = W.VBox(
            [
                W.HBox(
                    [self.date_picker, self.date_label],
                    layout=W.Layout(align_items="center"),
                ),
                W.HBox(
                    [self.shift_start, self.shift_end, self.shift_hint],
                    layout=W.Layout(align_items="center"),
                ),
                W.HTML("<b>Vehicles and drivers</b>"),
                fleet,
                W.HBox([self.time_limit, self.distance_weight]),
                W.HBox([self.vehicles_weight, self.balance_weight]),
                self.keep_plan,
                W.HBox([self.optimize_button, self.progress]),
                self.status,
            ]
        )
        edits = W.VBox(
            [
                W.HBox([self.move_order_pick, self.move_target, self.move_button]),
                W.HBox([self.lock_vehicle, self.lock_upto, self.lock_button]),
                W.HBox([self.unlock_button]),
                W.HBox([self.draft_name, self.save_button, self.check_button]),
            ],
            layout=W.Layout(flex="1 1 auto"),
        )
        self.tabs = W.Tab(
            children=[
                self.map_box,
                self.routes_html,
                W.VBox([self.timeline, self.loads]),
                self.unassigned_html,
            ]
        )
        for i, title in enumerate(("Map", "Routes", "Timeline", "Not planned")):
            self.tabs.set_title(i, title)
        self.tabs.observe(
            lambda ch: self.render_charts() if ch["new"] == _TIMELINE_TAB else None,
            "selected_index",
        )
        return [settings, W.HBox([self.kpi_html, edits]), self.tabs]

    @property
    def buttons(self) -> tuple[W.Button, ...]:
        """Every button of the panel (all disabled while a run is going)."""
        return (
            self.optimize_button,
            self.move_button,
            self.lock_button,
            self.unlock_button,
            self.save_button,
            self.check_button,
        )

    # -- reading the controls -----------------------------------------------

    def settings(self) -> PanelSettings:
        """The current control values as :class:`PanelSettings` (validated)."""

        def minutes(t: dt.time | None) -> int | None:
            return None if t is None else t.hour * 60 + t.minute

        return PanelSettings(
            day=self.date_picker.value,
            vehicle_ids=tuple(v for v, box in self.vehicle_boxes.items() if box.value),
            shift_start_min=minutes(self.shift_start.value),
            shift_end_min=minutes(self.shift_end.value),
            time_limit_s=float(self.time_limit.value),
            distance_weight=float(self.distance_weight.value),
            vehicles_weight=float(self.vehicles_weight.value),
            balance_weight=float(self.balance_weight.value),
            keep_vehicle=bool(self.keep_plan.value),
        )


def _iso_label(day: dt.date | None) -> str:
    """``"2026-12-01 (Tue)"``: the date as reports and sheets write it."""
    if day is None:
        return "<span style='color:#b00'>no date chosen</span>"
    return f"<b>{day.isoformat()}</b> ({day:%a})"
