"""The planning panel: pick a day and a fleet, optimize, look, adjust, save.

:class:`PlanningPanel` is an ``ipywidgets.VBox``. Every button calls an ordinary method
(:meth:`~PlanningPanel.optimize`, :meth:`~PlanningPanel.move_order`,
:meth:`~PlanningPanel.lock_route`, :meth:`~PlanningPanel.unlock_all`,
:meth:`~PlanningPanel.save_draft`), so tests and notebooks can drive the panel without a
browser. The button handlers only catch errors and show them as one sentence in the
status line, because an exception raised inside a widget callback would otherwise vanish
into the kernel log.

Every re-plan reads the day from the database again (a colleague may have added or
cancelled orders since) and starts from the plan on screen, trips included. The panel
updates in place: one map whose plan layers are swapped (:class:`~luckygas.maps.LivePlanMap`),
HTML outputs whose values are set, pickers that keep the analyst's selection. While a run
is going every button is disabled.

The solver's progress callback writes straight into the progress bar: widget state
changes are sent to the browser as they happen, even while the kernel is busy solving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import pandas as pd

from luckygas.maps import LivePlanMap
from luckygas.widgets.planning_controls import PlanningControls
from luckygas.widgets.render import (
    figure_png,
    kpi_table_html,
    plan_summary,
    route_tables_html,
    unassigned_html,
)
from luckygas.widgets.settings import PanelSettings, apply_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult
    from luckygas.roads.background import RoadBackground
    from luckygas.staleness import DayChanges

_TIMELINE_TAB = 2
_log = logging.getLogger(__name__)

#: ``{vehicle_id: [order_id or None, ...]}``; ``None`` is a return to the depot to reload.
Routes = dict[int, list[int | None]]


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
        ``{vehicle_id: [order_id or None, ...]}`` locked route prefixes (``None``: a
        return to the depot between two locked trips).
    progress_log
        ``(elapsed_s, best_cost)`` of the last run, as reported by the solver.
    orders_added, orders_removed
        Order ids the last re-plan found added to / gone from the day since the plan
        that was on screen (empty after a first plan).
    changes
        What changed in the database since the plan on screen was computed (an order a
        colleague created during the solve, say), as of the last check; ``None`` before
        the first plan. Checked after every run, before saving, and by
        :meth:`check_for_changes`.
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
        from luckygas.bridge.planning import next_delivery_day
        from luckygas.db import read_session

        self.engine = engine
        self.user = user
        self.basemap = basemap
        self._solve_fn = solve_fn
        self.problem: RoutingProblem | None = None
        self.result: PlanResult | None = None
        self.pins: dict[int, int] = {}
        self.locks: dict[int, list[int | None]] = {}
        self.progress_log: list[tuple[float, float | None]] = []
        self.saved_plan_id: int | None = None
        self.orders_added: list[int] = []
        self.orders_removed: list[int] = []
        self.changes: DayChanges | None = None
        self._charts_stale = True
        self._busy_depth = 0
        self._roads: RoadBackground | None = None  # the map's background (imported roads)

        # Reads only: a panel left open must not keep colleagues waiting for a lock.
        with read_session(engine, user=user) as s:
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
        self._live_map = LivePlanMap(customers=self.customers, basemap=basemap, focus="city")
        super().__init__(children=self._layout())

    # -- actions ------------------------------------------------------------

    def optimize(self) -> PlanResult:
        """Read the day from the database and solve it with the panel's settings.

        On the day on screen the search starts from the plan on screen, and pins (moves)
        and locks made earlier are kept; changing the date clears them.

        Returns
        -------
        PlanResult
        """
        with self._busy():
            settings = self.settings()
            same_day = self.problem is not None and self.problem.date == settings.day
            if not same_day:
                self.pins.clear()
                self.locks.clear()
            warm = self._routes_on_screen() if same_day else None
            return self._solve(settings, warm=warm, done="Optimized.")

    def move_order(self, order_id: int | None, vehicle_id: int | None) -> PlanResult:
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
            The re-optimized plan, started from the plan on screen without the order
            (the pin puts it on its new vehicle).

        Raises
        ------
        RuntimeError
            Before the first optimization.
        ValueError
            With nothing picked, for an unknown order or vehicle, an order locked on
            another route, or when the solver refuses the move (the plan on screen
            is then left as it was).
        """
        with self._busy():
            if order_id is None or vehicle_id is None:
                raise ValueError("Pick an order and the vehicle to move it to.")
            self._require_plan()
            assert self.problem is not None
            order_id, vehicle_id = int(order_id), int(vehicle_id)
            if order_id not in self.problem.orders_by_id:
                raise ValueError(f"Order {order_id} is not among this day's open orders.")
            if vehicle_id not in self.problem.vehicles_by_id:
                raise ValueError(f"Vehicle {vehicle_id} is not in today's fleet.")
            for vid, oids in self.locks.items():
                if order_id in oids and vid != vehicle_id:
                    name = self.problem.vehicles_by_id[vid].name
                    raise ValueError(
                        f"Order {order_id} is locked on {name}: unlock it before moving it."
                    )
            # The order leaves its route; its pin makes the solver put it on the new one.
            warm = {v: [o for o in r if o != order_id] for v, r in self._routes_on_screen().items()}
            pins = {**self.pins, order_id: vehicle_id}
            order = self.problem.orders_by_id[order_id]
            vehicle = self.problem.vehicles_by_id[vehicle_id]
            done = f"Moved order #{order_id} {order.customer_name} to {vehicle.name}."
            return self._solve(self.settings(), warm=warm, pins=pins, done=done)

    def lock_route(self, vehicle_id: int | None, upto_sequence: int) -> PlanResult:
        """Lock the first ``upto_sequence`` stops of a route and re-optimize the rest.

        Parameters
        ----------
        vehicle_id
            The route's vehicle.
        upto_sequence
            Stops 1..n stay on this vehicle in this order (with the returns to the
            depot between them); ``0`` removes the lock.

        Returns
        -------
        PlanResult
        """
        with self._busy():
            if vehicle_id is None:
                raise ValueError("Pick the route to lock.")
            self._require_plan()
            vehicle_id, upto = int(vehicle_id), int(upto_sequence)
            current = self._routes_on_screen()
            if vehicle_id not in current and upto > 0:
                raise ValueError(f"Vehicle {vehicle_id} has no route to lock.")
            route = current.get(vehicle_id, [])
            n_stops = sum(o is not None for o in route)
            if upto > n_stops:
                raise ValueError(
                    f"The route of vehicle {vehicle_id} has {n_stops} stops; cannot lock {upto}."
                )
            locks = {k: list(v) for k, v in self.locks.items()}
            assert self.problem is not None
            vehicle = self.problem.vehicles_by_id.get(vehicle_id)
            name = vehicle.name if vehicle is not None else f"vehicle {vehicle_id}"
            if upto == 0:
                locks.pop(vehicle_id, None)
                done = f"Unlocked the route of {name}."
            else:
                locks[vehicle_id] = locked_prefix(route, upto)
                done = f"Locked the first {upto} stop{'' if upto == 1 else 's'} of {name}."
            return self._solve(self.settings(), warm=current, locks=locks, done=done)

    def unlock_all(self) -> PlanResult:
        """Drop every lock and undo every move (pin), then re-optimize from the plan on screen.

        The status line says how many stops were unlocked and how many moves undone.
        """
        with self._busy():
            self._require_plan()
            n_locked = sum(o is not None for r in self.locks.values() for o in r)
            n_moved = len(self.pins)
            done = (
                f"Unlocked {n_locked} stop{'' if n_locked == 1 else 's'} and undid "
                f"{n_moved} move{'' if n_moved == 1 else 's'}."
            )
            return self._solve(
                self.settings(), warm=self._routes_on_screen(), pins={}, locks={}, done=done
            )

    def save_draft(self, name: str | None = None) -> int:
        """Save the current plan as a draft; returns the plan id.

        Parameters
        ----------
        name
            Plan name; default ``"draft HH:MM"`` (made unique for the day).

        Raises
        ------
        RuntimeError
            Before the first optimization.
        ValueError
            For a plan without routes (nothing to send to the drivers).
        """
        from luckygas.bridge.persist import save_plan
        from luckygas.db import session_scope

        with self._busy():
            self._require_plan()
            assert self.problem is not None and self.result is not None
            if self.result.routes.empty:
                raise ValueError("The plan has no routes: there is nothing to save.")
            with session_scope(self.engine, user=self.user) as s:
                plan = save_plan(s, self.problem, self.result, name=name or None)
                plan_id, plan_name = int(plan.id), plan.name
            self.saved_plan_id = plan_id
            self.changes = self._day_changes()
            self.status.value = (
                f"Saved draft <b>{html.escape(plan_name)}</b> (plan {plan_id}) for "
                f"{self.problem.date.isoformat()}.{self._stale_html()}"
            )
            return plan_id

    def check_for_changes(self) -> DayChanges:
        """Compare the plan on screen with the day's orders in the database now.

        Orders a colleague added, cancelled or edited since the plan was computed are
        named in the status line; re-planning (any button) takes them in.

        Returns
        -------
        luckygas.staleness.DayChanges
        """
        with self._busy():
            self._require_plan()
            self.changes = self._day_changes()
            self.status.value = self._status_html("Checked the day's orders.")
            return self.changes

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

    # -- internals ----------------------------------------------------------

    def _require_plan(self) -> None:
        if self.result is None or self.problem is None:
            raise RuntimeError("Optimize first.")

    def _routes_on_screen(self) -> Routes:
        assert self.result is not None
        return {v: list(r) for v, r in self.result.vehicle_routes(trips=True).items()}

    def _read_day(self, settings: PanelSettings) -> RoutingProblem:
        """The day as the database has it now (orders may have come or gone since), and
        the main roads around it for the map (cached per graph version and area)."""
        from luckygas.bridge.adapter import build_problem
        from luckygas.bridge.planning import road_background
        from luckygas.db import read_session

        with read_session(self.engine, user=self.user) as s:
            problem = build_problem(s, settings.day, vehicle_ids=settings.vehicle_ids)
            self._roads = road_background(s, problem)
            return problem

    def _solve(
        self,
        settings: PanelSettings,
        *,
        warm: Mapping[int, Sequence[int | None]] | None = None,
        pins: Mapping[int, int] | None = None,
        locks: Mapping[int, Sequence[int | None]] | None = None,
        done: str = "",
    ) -> PlanResult:
        from luckygas.optimize import solve

        base = self._read_day(settings)
        pins = self.pins if pins is None else pins
        locks = self.locks if locks is None else locks
        # Moves and locks of vehicles or orders no longer in the day lapse.
        pins = {
            o: v for o, v in pins.items() if o in base.orders_by_id and v in base.vehicles_by_id
        }
        problem = apply_settings(base, settings, pins)
        warm_routes = _known_routes(warm or {}, problem)
        lock_routes = _known_routes(locks, problem)
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
            locked=lock_routes or None,
        )
        # Only a finished solve replaces the plan on screen (a refused move leaves it).
        before = self.problem
        self.problem, self.result = problem, result
        self.pins, self.locks = dict(pins), {v: list(r) for v, r in lock_routes.items()}
        self.orders_added, self.orders_removed = _order_changes(before, problem)
        # The day was read before the solve: an order created during it is caught here.
        self.changes = self._day_changes()
        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        self._refresh(done)
        return result

    def _on_progress(self, elapsed_s: float, best_cost: float | None) -> None:
        self.progress_log.append((float(elapsed_s), best_cost))
        self.progress.value = min(float(elapsed_s), self.progress.max)
        if best_cost is not None:
            self.status.value = (
                f"Optimizing… objective so far {best_cost:,.0f} TWD"
                " (route cost + cost of unserved orders)"
            )

    def _refresh(self, done: str = "") -> None:
        assert self.problem is not None and self.result is not None
        result, problem = self.result, self.problem
        the_map = self._live_map.show(result, problem.depot, roads=self._roads)
        if self.map_box.children != (the_map,):
            self.map_box.children = (the_map,)
        # Setting a value the widget already has sends nothing to the browser.
        self.kpi_html.value = kpi_table_html(result)
        self.routes_html.value = route_tables_html(result)
        self.unassigned_html.value = unassigned_html(result)
        self._charts_stale = True
        if self.tabs.selected_index == _TIMELINE_TAB:
            self.render_charts()
        self._refresh_edit_options()
        self.status.value = self._status_html(done)

    def _status_html(self, done: str) -> str:
        """The status line after a run: what was done, the plan, what changed, the edits."""
        assert self.problem is not None and self.result is not None
        parts = [f"{self.problem.date.isoformat()}: {plan_summary(self.result)}"]
        kept = self.result.kpis.get("kept_vehicle_pct")
        if kept is not None:
            parts.append(f"{float(kept):.0f} % of orders kept their vehicle")
        if self.orders_added or self.orders_removed:
            parts.append(
                f"{len(self.orders_added)} order(s) added and {len(self.orders_removed)} "
                "removed since the plan on screen"
            )
        locked = sum(o is not None for r in self.locks.values() for o in r)
        parts.append(f"{len(self.pins)} moved, {locked} stops locked")
        parts.append(f"[{self.result.run.outcome()}]")
        line = html.escape(" · ".join(parts)) + self._stale_html()
        return f"<b>{html.escape(done)}</b> {line}" if done else line

    def _day_changes(self) -> DayChanges:
        from luckygas.db import read_session
        from luckygas.optimize.digest import order_digests
        from luckygas.staleness import day_changes

        assert self.problem is not None
        with read_session(self.engine, user=self.user) as s:
            return day_changes(s, self.problem.date, order_digests(self.problem))

    def _stale_html(self) -> str:
        """A red sentence naming what changed since the plan, or nothing."""
        if self.changes is None or not self.changes.is_stale:
            return ""
        return (
            "<br><span style='color:#b00'><b>Out of date:</b> "
            f"{html.escape(self.changes.describe())} Re-plan to take them in.</span>"
        )

    def _refresh_edit_options(self) -> None:
        assert self.problem is not None and self.result is not None
        route_no = {int(v): i for i, v in enumerate(self.result.routes["vehicle_id"], start=1)}
        where = {
            int(o): f"route {route_no[int(v)]}"
            for o, v in zip(
                self.result.stops["order_id"], self.result.stops["vehicle_id"], strict=True
            )
        }
        _set_options(
            self.move_order_pick,
            [
                (f"#{o.id} {o.customer_name} ({where.get(o.id, 'not planned')})", o.id)
                for o in self.problem.orders
            ],
        )
        _set_options(self.move_target, [(v.name, v.id) for v in self.problem.vehicles])
        _set_options(
            self.lock_vehicle,
            [
                (f"{route_no[int(r['vehicle_id'])]} · {r['vehicle_name']}", int(r["vehicle_id"]))
                for r in self.result.routes.to_dict("records")
            ],
        )
        self._sync_lock_limit()
        self._sync_buttons()

    def _sync_lock_limit(self) -> None:
        if self.result is None or self.lock_vehicle.value is None:
            return
        n = int((self.result.stops["vehicle_id"] == self.lock_vehicle.value).sum())
        self.lock_upto.max = max(n, 1)
        self.lock_upto.value = min(self.lock_upto.value, n)

    def _sync_buttons(self) -> None:
        """Enable what can be done now; nothing while a run is going."""
        if self._busy_depth:
            for button in self.buttons:
                button.disabled = True
            return
        planned = self.result is not None and self.problem is not None
        self.optimize_button.disabled = False
        self.move_button.disabled = not (
            planned
            and self.move_order_pick.value is not None
            and self.move_target.value is not None
        )
        self.lock_button.disabled = not (planned and self.lock_vehicle.value is not None)
        self.unlock_button.disabled = not (planned and (self.pins or self.locks))
        self.save_button.disabled = not (
            planned and self.result is not None and not self.result.routes.empty
        )
        self.check_button.disabled = not planned

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        """Disable every button for the duration of an action (nested actions count once)."""
        self._busy_depth += 1
        if self._busy_depth == 1:
            self._sync_buttons()
        try:
            yield
        finally:
            self._busy_depth -= 1
            if self._busy_depth == 0:
                self._sync_buttons()

    def _guard(self, action: Callable[..., Any], *args: Any) -> None:
        with self._busy():
            try:
                action(*args)
            except Exception as exc:  # shown to the analyst instead of lost in the kernel log
                _log.debug("panel action failed", exc_info=True)
                self.progress.bar_style = "danger"
                self.status.value = (
                    f"<span style='color:#b00'>{html.escape(error_sentence(exc))}</span>"
                )


def error_sentence(exc: BaseException) -> str:
    """The exception's message as one sentence an analyst reads (no class name).

    Parameters
    ----------
    exc
        Any exception.

    Returns
    -------
    str
        The message on one line, capitalised and ending with a full stop; for an
        exception without a message, a sentence saying where the details are.
    """
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError) and len(text) >= 2 and text[0] == text[-1] == "'":
        text = f"{text[1:-1]} was not found"  # str(KeyError) quotes the key
    if not text:
        return "Something went wrong without a message; the details are in the kernel log."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def locked_prefix(route: Sequence[int | None], n_stops: int) -> list[int | None]:
    """The first ``n_stops`` orders of a route with the returns to the depot between them.

    Parameters
    ----------
    route
        ``[order_id or None, ...]`` as :meth:`PlanResult.vehicle_routes` gives it.
    n_stops
        How many stops to lock.

    Returns
    -------
    list
        Never starts or ends with ``None``.
    """
    out: list[int | None] = []
    seen = 0
    for oid in route:
        if seen == n_stops:
            break
        if oid is None:
            if out and out[-1] is not None:
                out.append(None)
            continue
        out.append(oid)
        seen += 1
    return out


def _known_routes(routes: Mapping[int, Sequence[int | None]], problem: RoutingProblem) -> Routes:
    """Routes cut down to the problem's vehicles and orders; depot returns tidied up.

    Orders cancelled since the plan on screen drop out; a return to the depot left with
    no stop on one side of it goes too.
    """
    out: Routes = {}
    for vid, route in routes.items():
        if vid not in problem.vehicles_by_id:
            continue
        kept: list[int | None] = []
        for oid in route:
            if oid is None:
                if kept and kept[-1] is not None:
                    kept.append(None)
            elif oid in problem.orders_by_id:
                kept.append(oid)
        while kept and kept[-1] is None:
            kept.pop()
        if kept:
            out[int(vid)] = kept
    return out


def _order_changes(
    before: RoutingProblem | None, after: RoutingProblem
) -> tuple[list[int], list[int]]:
    """Order ids added to and gone from the day between two problems of the same date."""
    if before is None or before.date != after.date:
        return [], []
    old, new = set(before.orders_by_id), set(after.orders_by_id)
    return sorted(new - old), sorted(old - new)


def _set_options(picker: W.Dropdown, options: list[tuple[str, int]]) -> None:
    """New options, keeping the analyst's pick when it is still there, else the first.

    A dropdown jumps to its first option when its options change, so a second Move
    would silently move another order.
    """
    previous = picker.value
    picker.options = options
    values = [v for _, v in options]
    if values:
        picker.value = previous if previous in values else values[0]
    picker.disabled = not values
