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

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import pandas as pd

from luckygas.maps import plan_map
from luckygas.optimize.result import status_text
from luckygas.widgets.planning_controls import PlanningControls
from luckygas.widgets.render import (
    figure_png,
    kpi_table_html,
    route_tables_html,
    unassigned_html,
)
from luckygas.widgets.settings import PanelSettings, apply_settings, routes_of

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

_TIMELINE_TAB = 2


class PlanningPanel(PlanningControls, W.VBox):
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
            self.status.value = (
                f"Optimizing… objective so far {best_cost:,.0f} TWD"
                " (route cost + penalties of unserved orders)"
            )

    def render_charts(self) -> None:
        """Draw the timeline and load charts of the current plan (if not drawn yet).

        Drawing takes about a second, so the panel does it only when the Timeline tab
        is opened.
        """
        from luckygas.charts import route_loads, route_timeline

        if self.result is None or self.problem is None or not self._charts_stale:
            return
        self.timeline.value = figure_png(route_timeline(self.result, self.problem))
        self.loads.value = figure_png(route_loads(self.result, self.problem))
        self._charts_stale = False

    def _refresh(self) -> None:
        assert self.problem is not None and self.result is not None
        result, problem = self.result, self.problem
        self.map_box.children = (
            plan_map(
                result,
                depot=problem.depot,
                customers=self.customers,
                basemap=self.basemap,
                focus="city",
            ),
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
            f" · {len(self.pins)} moved, {locks} stops locked"
            f" · [{html.escape(status_text(result.run.status))}]"
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
