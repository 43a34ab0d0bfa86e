"""The planning panel: pick a day and a fleet, optimize, look, adjust, save.

:class:`PlanningPanel` is an ``ipywidgets.VBox``. Every button calls an ordinary method
(:meth:`~PlanningPanel.optimize`, :meth:`~PlanningPanel.move_order`,
:meth:`~PlanningPanel.lock_route`, :meth:`~PlanningPanel.save_draft`), so tests and
notebooks can drive the panel without a browser. The button handlers only catch errors
and show them in the status line, because an exception raised inside a widget callback
would otherwise vanish into the kernel log.

The solver's progress callback writes straight into the progress bar: widget state
changes are sent to the browser as they happen, even while the kernel is busy solving.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import pandas as pd

from luckygas.maps import hhmm, plan_map

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from luckygas.optimize.problem import RoutingProblem, SolverParams
    from luckygas.optimize.result import PlanResult

_KPI_LABELS: tuple[tuple[str, str], ...] = (
    ("served", "Orders served"),
    ("unassigned", "Not planned"),
    ("vehicles_used", "Vehicles used"),
    ("distance_km", "Distance (km)"),
    ("driving_h", "Driving (h)"),
    ("working_h", "Working (h)"),
    ("kg_delivered", "kg delivered"),
    ("on_time_pct", "On time (%)"),
    ("cost", "Cost (TWD)"),
)

_TIMELINE_TAB = 2


@dataclasses.dataclass(frozen=True, slots=True)
class PanelSettings:
    """What the panel's controls say, as one value (easy to log and to test).

    Parameters
    ----------
    day
        Delivery date.
    vehicle_ids
        Vehicles available that day.
    shift_start_min, shift_end_min
        Shift override for every selected vehicle; ``None`` keeps each driver's shift.
    time_limit_s
        Solver time limit.
    distance_weight
        Multiplier on every vehicle's cost per km.
    vehicles_weight
        Multiplier on vehicles' fixed cost (higher = fewer vehicles).
    balance_weight
        TWD per hour of the longest route (higher = more even routes).
    """

    day: dt.date
    vehicle_ids: tuple[int, ...]
    shift_start_min: int | None = None
    shift_end_min: int | None = None
    time_limit_s: float = 2.0
    distance_weight: float = 1.0
    vehicles_weight: float = 1.0
    balance_weight: float = 0.0

    def __post_init__(self) -> None:
        if not self.vehicle_ids:
            raise ValueError("Select at least one vehicle.")
        if (
            self.shift_start_min is not None
            and self.shift_end_min is not None
            and self.shift_start_min >= self.shift_end_min
        ):
            raise ValueError(
                f"Shift start {hhmm(self.shift_start_min * 60)} must be before "
                f"shift end {hhmm(self.shift_end_min * 60)}."
            )
        if not self.time_limit_s > 0:
            raise ValueError(f"Time limit must be > 0 s, got {self.time_limit_s}.")

    def solver_params(self) -> SolverParams:
        """The solver settings these controls stand for."""
        from luckygas.optimize.problem import SolverParams

        return SolverParams(
            time_limit_s=float(self.time_limit_s),
            vehicle_fixed_cost_weight=float(self.vehicles_weight),
            balance_weight=float(self.balance_weight),
        )


def apply_settings(
    problem: RoutingProblem, settings: PanelSettings, pins: Mapping[int, int] | None = None
) -> RoutingProblem:
    """The problem with the panel's shift override, distance weight and pins applied.

    Parameters
    ----------
    problem
        As built from the database.
    settings
        Panel settings.
    pins
        ``{order_id: vehicle_id}`` moves made in the panel.

    Returns
    -------
    RoutingProblem
        A new problem (the input is not changed).

    Raises
    ------
    ValueError
        If a pin names an order or vehicle that is not in the problem.
    """
    vehicles = []
    for v in problem.vehicles:
        changes: dict[str, Any] = {"cost_per_km": v.cost_per_km * settings.distance_weight}
        if settings.shift_start_min is not None:
            changes["shift_start_s"] = settings.shift_start_min * 60
        if settings.shift_end_min is not None:
            changes["shift_end_s"] = settings.shift_end_min * 60
        vehicles.append(dataclasses.replace(v, **changes))
    pins = dict(pins or {})
    known_orders = problem.orders_by_id
    known_vehicles = {v.id for v in vehicles}
    for oid, vid in pins.items():
        if oid not in known_orders:
            raise ValueError(f"Order {oid} is not among this day's open orders.")
        if vid not in known_vehicles:
            raise ValueError(f"Vehicle {vid} is not in today's fleet (order {oid}).")
    orders = [
        dataclasses.replace(o, pinned_vehicle_id=pins[o.id]) if o.id in pins else o
        for o in problem.orders
    ]
    return dataclasses.replace(problem, orders=tuple(orders), vehicles=tuple(vehicles))


def routes_of(result: PlanResult) -> dict[int, list[int]]:
    """``{vehicle_id: [order_id, ...]}`` in visiting order (a warm start for the solver)."""
    stops = result.stops.sort_values(["vehicle_id", "sequence"])
    return {int(v): [int(o) for o in g["order_id"]] for v, g in stops.groupby("vehicle_id")}


def kpi_table_html(result: PlanResult) -> str:
    """The plan's KPIs as a two-column HTML table."""
    k = result.kpis
    rows = "".join(
        f"<tr><th style='text-align:left'>{label}</th><td style='text-align:right'>"
        f"{html.escape(_fmt(k.get(key)))}</td></tr>"
        for key, label in _KPI_LABELS
    )
    return f"<table>{rows}</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "–" if value is None else str(value)


def route_tables_html(result: PlanResult) -> str:
    """One HTML table of stops per route (escaped), headed by the route's summary."""
    parts = []
    stops = result.stops
    for no, r in enumerate(result.routes.to_dict("records"), start=1):
        rs = stops[stops["vehicle_id"] == r["vehicle_id"]].sort_values("sequence")
        table = pd.DataFrame(
            {
                "#": rs["sequence"],
                "customer": rs["customer_name"],
                "address": rs["address"],
                "arrive": [hhmm(s) for s in rs["arrival_s"]],
                "window": [
                    f"{hhmm(a)}–{hhmm(b)}"
                    for a, b in zip(rs["window_start_s"], rs["window_end_s"], strict=True)
                ],
                "deliver": [_cylinders(s) for s in rs.to_dict("records")],
                "order": rs["order_id"],
            }
        )
        head = (
            f"Route {no} · {r['vehicle_name']} · {r['driver_name'] or 'no driver'} · "
            f"{len(rs)} stops · {hhmm(r['start_s'])}–{hhmm(r['end_s'])} · "
            f"{r['distance_m'] / 1000:.1f} km · {r['load_kg']:g} kg"
        )
        parts.append(f"<h4>{html.escape(head)}</h4>" + table.to_html(index=False, escape=True))
    return "".join(parts) or "<i>No routes.</i>"


def unassigned_html(result: PlanResult) -> str:
    """The orders left out, with their reasons (escaped)."""
    un = result.unassigned
    if un.empty:
        return "<i>Every order is planned.</i>"
    table = un[["order_id", "customer_name", "priority", "reason"]]
    return table.to_html(index=False, escape=True)


def _cylinders(row: Mapping[str, Any]) -> str:
    from luckygas.maps import cylinders_text

    return cylinders_text(row, "qty_")


def _figure_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


class PlanningPanel(W.VBox):
    """Plan a delivery day interactively from the database.

    Parameters
    ----------
    engine
        Database engine; each action opens its own short session.
    day
        Delivery date; default the next day with open orders.
    user
        Who saves drafts (default :func:`luckygas.config.current_user`).
    time_limit_s
        Initial solver time limit.
    basemap
        Basemap of the plan map (default OpenStreetMap).
    solve_fn
        The solver (default :func:`luckygas.optimize.solve`); injectable for tests.

    Attributes
    ----------
    problem, result
        The last solved problem and its plan (``None`` before the first run).
    pins
        ``{order_id: vehicle_id}`` moves made so far (kept across re-optimizations).
    locks
        ``{vehicle_id: [order_id, ...]}`` locked route prefixes.
    progress_log
        ``(elapsed_s, best_cost)`` of the last run, as reported by the solver.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        day: dt.date | None = None,
        user: str | None = None,
        time_limit_s: float = 2.0,
        basemap: Any = None,
        solve_fn: Callable[..., PlanResult] | None = None,
    ) -> None:
        from luckygas import queries
        from luckygas.db import session_scope
        from luckygas.planning import next_delivery_day

        self.engine = engine
        self.user = user
        self.basemap = basemap
        self._solve_fn = solve_fn
        self.problem: RoutingProblem | None = None
        self._base_problem: RoutingProblem | None = None
        self.result: PlanResult | None = None
        self.pins: dict[int, int] = {}
        self.locks: dict[int, list[int]] = {}
        self.progress_log: list[tuple[float, float | None]] = []
        self.saved_plan_id: int | None = None
        self._charts_stale = True

        with session_scope(engine, user=user) as s:
            day = day or next_delivery_day(s) or dt.date.today()
            vehicles = queries.vehicles(s)
            drivers = queries.drivers(s, active_only=True)
            self.customers = queries.customers(s, active_only=False)
        driver_of = {
            int(v): str(n)
            for v, n in zip(drivers["default_vehicle_id"], drivers["name"], strict=True)
            if pd.notna(v)
        }
        self._build_controls(day, vehicles, driver_of, time_limit_s)
        super().__init__(children=self._layout())

    # -- construction -------------------------------------------------------

    def _build_controls(
        self, day: dt.date, vehicles: pd.DataFrame, driver_of: Mapping[int, str], limit: float
    ) -> None:
        style = {"description_width": "initial"}
        self.date_picker = W.DatePicker(value=day, description="Delivery date", style=style)
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
        self.time_limit = W.FloatSlider(
            value=limit, min=1, max=120, step=1, description="Time limit (s)", style=style
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
        self.optimize_button = W.Button(description="Optimize", button_style="primary", icon="play")
        self.progress = W.FloatProgress(value=0, min=0, max=limit, description="Search")
        self.status = W.HTML("Choose the day and the fleet, then Optimize.")

        self.move_order_pick = W.Dropdown(description="Order", options=[], style=style)
        self.move_target = W.Dropdown(description="to", options=[], style=style)
        self.move_button = W.Button(description="Move & re-plan", icon="exchange")
        self.lock_vehicle = W.Dropdown(description="Lock route", options=[], style=style)
        self.lock_upto = W.BoundedIntText(
            value=1, min=0, max=1, description="first stops", style=style
        )
        self.lock_button = W.Button(description="Lock & re-plan", icon="lock")
        self.unlock_button = W.Button(description="Unlock all", icon="unlock")
        self.draft_name = W.Text(placeholder="draft name (optional)")
        self.save_button = W.Button(description="Save draft", icon="save", disabled=True)

        self.map_box = W.Box(layout=W.Layout(width="100%"))
        self.kpi_html = W.HTML()
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
        self.time_limit.observe(lambda ch: setattr(self.progress, "max", ch["new"]), "value")
        self.lock_vehicle.observe(lambda _: self._sync_lock_limit(), "value")

    def _layout(self) -> list[W.Widget]:
        fleet = W.VBox(
            list(self.vehicle_boxes.values()), layout=W.Layout(max_height="160px", overflow="auto")
        )
        settings = W.VBox(
            [
                W.HBox([self.date_picker, self.shift_start, self.shift_end]),
                W.HTML("<b>Vehicles and drivers</b>"),
                fleet,
                W.HBox([self.time_limit, self.distance_weight]),
                W.HBox([self.vehicles_weight, self.balance_weight]),
                W.HBox([self.optimize_button, self.progress]),
                self.status,
            ]
        )
        edits = W.VBox(
            [
                W.HBox([self.move_order_pick, self.move_target, self.move_button]),
                W.HBox([self.lock_vehicle, self.lock_upto, self.lock_button, self.unlock_button]),
                W.HBox([self.draft_name, self.save_button]),
            ]
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
        )

    # -- actions ------------------------------------------------------------

    def optimize(self) -> PlanResult:
        """Read the day from the database and solve it with the panel's settings.

        Pins (moves) and locks made earlier for the same day are kept; changing the
        date clears them.

        Returns
        -------
        PlanResult
        """
        from luckygas.db import session_scope
        from luckygas.optimize.adapter import build_problem

        settings = self.settings()
        if self.problem is not None and self.problem.date != settings.day:
            self.pins.clear()
            self.locks.clear()
        with session_scope(self.engine, user=self.user) as s:
            base = build_problem(s, settings.day, vehicle_ids=settings.vehicle_ids)
        self._base_problem = base
        return self._solve(settings, warm=self.result if self.pins or self.locks else None)

    def move_order(self, order_id: int, vehicle_id: int) -> PlanResult:
        """Move an order to another vehicle's route (pinning it there) and re-plan.

        Parameters
        ----------
        order_id
            The order to move (planned or not planned).
        vehicle_id
            Its new vehicle.

        Returns
        -------
        PlanResult
            The re-optimized plan, warm-started from the current routes.

        Raises
        ------
        RuntimeError
            Before the first optimization.
        ValueError
            For an unknown order or vehicle, or an order locked on another route.
        """
        self._require_plan()
        assert self.problem is not None
        order_id, vehicle_id = int(order_id), int(vehicle_id)
        if order_id not in self.problem.orders_by_id:
            raise ValueError(f"Order {order_id} is not among this day's open orders.")
        if vehicle_id not in self.problem.vehicles_by_id:
            raise ValueError(f"Vehicle {vehicle_id} is not in today's fleet.")
        for vid, oids in self.locks.items():
            if order_id in oids and vid != vehicle_id:
                raise ValueError(f"Order {order_id} is locked on vehicle {vid}: unlock it first.")
        assert self.result is not None
        warm = routes_of(self.result)
        for oids in warm.values():
            if order_id in oids:
                oids.remove(order_id)
        warm.setdefault(vehicle_id, []).append(order_id)
        pins = {**self.pins, order_id: vehicle_id}
        return self._solve(self.settings(), warm_routes=warm, pins=pins)

    def lock_route(self, vehicle_id: int, upto_sequence: int) -> PlanResult:
        """Lock the first ``upto_sequence`` stops of a route and re-optimize the rest.

        Parameters
        ----------
        vehicle_id
            The route's vehicle.
        upto_sequence
            Stops 1..n stay on this vehicle in this order; ``0`` removes the lock.

        Returns
        -------
        PlanResult
        """
        self._require_plan()
        assert self.result is not None
        vehicle_id, upto = int(vehicle_id), int(upto_sequence)
        current = routes_of(self.result)
        if vehicle_id not in current and upto > 0:
            raise ValueError(f"Vehicle {vehicle_id} has no route to lock.")
        route = current.get(vehicle_id, [])
        if upto > len(route):
            raise ValueError(
                f"Route of vehicle {vehicle_id} has {len(route)} stops; cannot lock {upto}."
            )
        locks = {k: list(v) for k, v in self.locks.items()}
        if upto == 0:
            locks.pop(vehicle_id, None)
        else:
            locks[vehicle_id] = route[:upto]
        return self._solve(self.settings(), warm_routes=current, locks=locks)

    def unlock_all(self) -> PlanResult:
        """Drop every lock and pin and re-optimize from the current routes."""
        self._require_plan()
        assert self.result is not None
        return self._solve(self.settings(), warm_routes=routes_of(self.result), pins={}, locks={})

    def save_draft(self, name: str | None = None) -> int:
        """Save the current plan as a draft; returns the plan id.

        Parameters
        ----------
        name
            Plan name; default ``"draft HH:MM"`` (made unique for the day).
        """
        from luckygas.db import session_scope
        from luckygas.optimize.persist import save_plan

        self._require_plan()
        assert self.problem is not None and self.result is not None
        with session_scope(self.engine, user=self.user) as s:
            plan = save_plan(s, self.problem, self.result, name=name or None)
            plan_id, plan_name = int(plan.id), plan.name
        self.saved_plan_id = plan_id
        self.status.value = f"Saved draft <b>{html.escape(plan_name)}</b> (plan {plan_id})."
        return plan_id

    # -- internals ----------------------------------------------------------

    def _require_plan(self) -> None:
        if self.result is None or self.problem is None:
            raise RuntimeError("Optimize first.")

    def _solve(
        self,
        settings: PanelSettings,
        *,
        warm: PlanResult | None = None,
        warm_routes: Mapping[int, Sequence[int]] | None = None,
        pins: Mapping[int, int] | None = None,
        locks: Mapping[int, Sequence[int]] | None = None,
    ) -> PlanResult:
        from luckygas.optimize import solve

        pins = self.pins if pins is None else pins
        locks = self.locks if locks is None else locks
        base = self._base_problem
        assert base is not None
        # Moves and locks made on vehicles or orders no longer in today's problem lapse.
        pins = {
            o: v for o, v in pins.items() if o in base.orders_by_id and v in base.vehicles_by_id
        }
        problem = apply_settings(base, settings, pins)
        known = problem.orders_by_id
        if warm is not None:
            warm_routes = routes_of(warm)
        if warm_routes is not None:  # orders cancelled since the last run drop out
            warm_routes = {
                v: [o for o in r if o in known]
                for v, r in warm_routes.items()
                if v in problem.vehicles_by_id
            }
        locks = {v: list(r) for v, r in locks.items() if v in problem.vehicles_by_id}
        self.progress_log = []
        self.progress.max = settings.time_limit_s
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.status.value = "Optimizing…"
        solve_fn = self._solve_fn or solve
        result = solve_fn(
            problem,
            settings.solver_params(),
            progress=self._on_progress,
            initial_routes=warm_routes or None,
            locked=locks or None,
        )
        self.problem, self.result = problem, result
        self.pins, self.locks = dict(pins), {v: list(r) for v, r in locks.items()}
        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        self._refresh()
        return result

    def _on_progress(self, elapsed_s: float, best_cost: float | None) -> None:
        self.progress_log.append((float(elapsed_s), best_cost))
        self.progress.value = min(float(elapsed_s), self.progress.max)
        if best_cost is not None:
            self.status.value = f"Optimizing… best cost so far {best_cost:,.0f} TWD"

    def render_charts(self) -> None:
        """Draw the timeline and load charts of the current plan (if not drawn yet).

        Drawing takes about a second, so the panel does it only when the Timeline tab
        is opened.
        """
        from luckygas.charts import route_loads, route_timeline

        if self.result is None or self.problem is None or not self._charts_stale:
            return
        self.timeline.value = _figure_png(route_timeline(self.result, self.problem))
        self.loads.value = _figure_png(route_loads(self.result, self.problem))
        self._charts_stale = False

    def _refresh(self) -> None:
        assert self.problem is not None and self.result is not None
        result, problem = self.result, self.problem
        self.map_box.children = (
            plan_map(result, depot=problem.depot, customers=self.customers, basemap=self.basemap),
        )
        self.kpi_html.value = kpi_table_html(result)
        self.routes_html.value = route_tables_html(result)
        self.unassigned_html.value = unassigned_html(result)
        self._charts_stale = True
        if self.tabs.selected_index == _TIMELINE_TAB:
            self.render_charts()
        self._refresh_edit_options()
        k = result.kpis
        locks = sum(len(v) for v in self.locks.values())
        self.status.value = (
            f"{k['served']}/{k['orders']} orders on {k['vehicles_used']} routes, "
            f"{k['distance_km']:.1f} km, cost {k['cost']:,.0f} TWD"
            f" · {len(self.pins)} moved, {locks} stops locked · [{html.escape(result.run.status)}]"
        )
        self.save_button.disabled = False

    def _refresh_edit_options(self) -> None:
        assert self.problem is not None and self.result is not None
        route_no = {int(v): i for i, v in enumerate(self.result.routes["vehicle_id"], start=1)}
        where = {
            int(o): f"route {route_no[int(v)]}"
            for o, v in zip(
                self.result.stops["order_id"], self.result.stops["vehicle_id"], strict=True
            )
        }
        self.move_order_pick.options = [
            (f"#{o.id} {o.customer_name} ({where.get(o.id, 'not planned')})", o.id)
            for o in self.problem.orders
        ]
        self.move_target.options = [(v.name, v.id) for v in self.problem.vehicles]
        self.lock_vehicle.options = [
            (f"{route_no[int(r['vehicle_id'])]} · {r['vehicle_name']}", int(r["vehicle_id"]))
            for r in self.result.routes.to_dict("records")
        ]
        self._sync_lock_limit()

    def _sync_lock_limit(self) -> None:
        if self.result is None or self.lock_vehicle.value is None:
            return
        n = int((self.result.stops["vehicle_id"] == self.lock_vehicle.value).sum())
        self.lock_upto.max = max(n, 1)
        self.lock_upto.value = min(self.lock_upto.value, n)

    def _guard(self, action: Callable[..., Any], *args: Any) -> None:
        try:
            action(*args)
        except Exception as exc:  # shown to the analyst instead of lost in the kernel log
            self.progress.bar_style = "danger"
            self.status.value = (
                f"<span style='color:#b00'>{html.escape(type(exc).__name__)}: "
                f"{html.escape(str(exc))}</span>"
            )
