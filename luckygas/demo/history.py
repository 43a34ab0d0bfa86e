"""Delivery history generated from a consumption process.

Each customer burns gas every day at ``base rate x seasonal factor x regime x noise``
(less on days the shop is closed, much less in school holidays). Gas sits in the
installed set: a working bank that is exchanged at each delivery and, for sets of two
or more cylinders of a size, a reserve bank on an automatic switch-over valve. When
the stock falls below the reserve plus a customer-specific margin (the alarm trips,
the owner phones, or a patrol round notices), a delivery is due on the next open day
(rest days and, for "Red" customers, national holidays are closed). The delivery
exchanges the working bank; the gas still in it comes back as residual (退氣).
Deliveries sometimes fail (not home, refused) and are retried the next open day.

The simulation runs day by day, vectorised over customers with numpy, so two years
for 1,267 customers take well under a second. Because the history *is* the outcome of
a known process (seasonal, noisy, with customers that change), a forecast backtest on
it measures something real (issue 7).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from luckygas.demo.customers import CustomerSet
from luckygas.demo.params import SEASONAL_FACTOR, DemoParams
from luckygas.domain import ZONES

#: Outcome codes used in the arrays (mapped to :class:`DeliveryOutcome` on insert).
DELIVERED, NOT_HOME, REFUSED = 0, 1, 2
#: What raised the need for a delivery (mapped to :class:`OrderSource`).
SRC_PHONE, SRC_ALARM, SRC_PATROL, SRC_SUBSCRIPTION = 0, 1, 2, 3
#: Usage on a day the shop is closed (cooking stops, a water heater may still run).
CLOSED_DAY_USAGE = 0.15
#: Patrol rounds exchange the working bank when less than this share of it is left.
PATROL_MARGIN = 0.2
#: Day-to-day noise: gamma with this shape (coefficient of variation 1/sqrt(shape)).
NOISE_SHAPE = 6.0
#: Patrol day of each zone (ISO weekday), spreading the rounds over Monday-Saturday.
PATROL_WEEKDAY: dict[str, int] = {z.code: i % 6 + 1 for i, z in enumerate(ZONES)}


@dataclass(frozen=True, slots=True)
class Calendar:
    """The simulated days: ``dates[0]`` is the first burn-in day, ``dates[-1]`` the delivery day."""

    dates: list[dt.date]
    weekday: np.ndarray  # ISO weekday per day
    holiday: np.ndarray  # bool per day
    first_recorded: int  # index of the first history day
    as_of: int  # index of the last history day

    @property
    def n_days(self) -> int:
        """Number of simulated days (burn-in, history and the delivery day)."""
        return len(self.dates)


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """When each customer buys: from ``start`` (inclusive) to ``end`` (exclusive), day indices."""

    start: np.ndarray
    end: np.ndarray
    regime_day: np.ndarray  # -1 when the customer's usage never changes
    regime_factor: np.ndarray


@dataclass(frozen=True, slots=True)
class History:
    """The simulated deliveries (one entry per attempt) and the state at the end of ``as_of``.

    Delivery arrays are aligned: ``customer[k]`` was visited on ``day[k]`` (a calendar
    index) with ``outcome[k]``; ``qty``/``ret`` are (rows, 5) per size class.
    """

    calendar: Calendar
    lifecycle: Lifecycle
    customer: np.ndarray
    day: np.ndarray
    outcome: np.ndarray
    qty: np.ndarray
    ret: np.ndarray
    residual_kg: np.ndarray
    flow_kg: np.ndarray
    usage: np.ndarray  # (n, n_days) kg/day actually burnt (the process, for checks)
    open_days: np.ndarray  # (n, n_days) bool
    theta: np.ndarray
    stock: np.ndarray  # kg in the set at the end of as_of
    pending: np.ndarray  # a delivery is due and not yet made
    due: np.ndarray  # day index it is due (valid where pending)
    source: np.ndarray  # SRC_* that raised it
    runouts: int  # customer-days with an empty set in the recorded history


def make_calendar(params: DemoParams, holidays: set[dt.date]) -> Calendar:
    """Days from the burn-in start to the delivery day (``as_of + 1``)."""
    start = params.history_start - dt.timedelta(days=params.burn_in_days)
    n = params.burn_in_days + params.history_days + 1
    dates = [start + dt.timedelta(days=k) for k in range(n)]
    return Calendar(
        dates=dates,
        weekday=np.array([d.isoweekday() for d in dates]),
        holiday=np.array([d in holidays for d in dates]),
        first_recorded=params.burn_in_days,
        as_of=n - 2,
    )


def seasonal_curve(dates: list[dt.date]) -> np.ndarray:
    """The monthly seasonal factor, interpolated daily between mid-month anchors."""
    anchors = np.array([15.2 + 30.44 * (m - 1) for m in range(0, 14)])
    values = np.array([SEASONAL_FACTOR[(m - 1) % 12 + 1] for m in range(0, 14)])
    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=float)
    return np.interp(doy, anchors, values)


def open_matrix(customers: CustomerSet, calendar: Calendar) -> np.ndarray:
    """``open[i, d]``: customer ``i`` accepts deliveries on day ``d``."""
    open_days = np.ones((customers.n, calendar.n_days), dtype=bool)
    for wd in range(1, 8):
        closed = np.array([str(wd) in r for r in customers.rest_weekdays])
        open_days[np.ix_(closed, calendar.weekday == wd)] = False
    open_days[np.ix_(customers.closed_on_holidays, calendar.holiday)] = False
    return open_days


def draw_lifecycle(
    rng: np.random.Generator,
    customers: CustomerSet,
    calendar: Calendar,
    params: DemoParams,
    open_days: np.ndarray,
) -> Lifecycle:
    """New customers start mid-history (on a day they are open), terminated ones stop,
    some change regime."""
    n, t = customers.n, calendar.n_days
    first, last = calendar.first_recorded, calendar.as_of
    start = np.zeros(n, dtype=np.int64)
    new = (rng.random(n) < params.new_customer_share) & ~customers.terminated
    start[new] = rng.integers(first, max(first + 1, last - 45), new.sum())
    for i in np.flatnonzero(new):  # the first fill happens on a day the shop is open
        while not open_days[i, start[i]]:
            start[i] += 1
    end = np.full(n, t, dtype=np.int64)
    quit_from = max(first + 1, last - 400)
    end[customers.terminated] = rng.integers(quit_from, last - 5, customers.terminated.sum())
    regime_day = np.full(n, -1, dtype=np.int64)
    changes = rng.random(n) < params.regime_change_share
    regime_day[changes] = rng.integers(first, last - 20, changes.sum())
    # A second stove (+40 %) or a closed lunch service (-30 %).
    factor = np.where(rng.random(n) < 0.5, 1.4, 0.7)
    return Lifecycle(start=start, end=end, regime_day=regime_day, regime_factor=factor)


def usage_matrix(
    rng: np.random.Generator,
    customers: CustomerSet,
    calendar: Calendar,
    lifecycle: Lifecycle,
    open_days: np.ndarray,
) -> np.ndarray:
    """kg burnt by each customer on each day (0 outside their lifecycle)."""
    n, t = customers.n, calendar.n_days
    days = np.arange(t)
    season = seasonal_curve(calendar.dates)
    u = customers.base_usage[:, None] * season[None, :]
    u = u * rng.gamma(NOISE_SHAPE, 1.0 / NOISE_SHAPE, size=(n, t))
    changed = lifecycle.regime_day[:, None] >= 0
    after = days[None, :] >= lifecycle.regime_day[:, None]
    u = np.where(changed & after, u * lifecycle.regime_factor[:, None], u)
    u = np.where(open_days, u, u * CLOSED_DAY_USAGE)
    school = customers.customer_type == "school"
    if school.any():
        u[school] *= _school_factor(calendar)[None, :]
    alive = (days[None, :] >= lifecycle.start[:, None]) & (days[None, :] < lifecycle.end[:, None])
    return np.where(alive, u, 0.0)


def _school_factor(calendar: Calendar) -> np.ndarray:
    """School kitchens cook on school days only: weekends and the long breaks are near zero."""
    f = np.where(calendar.weekday >= 6, 0.1, 1.0)
    for k, d in enumerate(calendar.dates):
        summer = d.month in (7, 8)
        winter = (d.month == 1 and d.day >= 20) or (d.month == 2 and d.day <= 15)
        if summer or winter:
            f[k] = min(f[k], 0.15)
    return f


def simulate(
    rng: np.random.Generator,
    customers: CustomerSet,
    params: DemoParams,
    holidays: set[dt.date],
    *,
    progress: bool = False,
) -> History:
    """Run the consumption-and-refill process from the burn-in start to ``as_of``.

    Parameters
    ----------
    rng
        Random generator (the caller seeds it).
    customers
        The customers and their installed sets.
    params
        Demo parameters (dates, failure rates, ...).
    holidays
        National holidays (closed for "Red" customers).
    progress
        Show a tqdm bar over the simulated days.

    Returns
    -------
    History
        Every recorded delivery attempt and the state at the end of ``as_of``.
    """
    from tqdm.auto import tqdm

    calendar = make_calendar(params, holidays)
    open_days = open_matrix(customers, calendar)
    lifecycle = draw_lifecycle(rng, customers, calendar, params, open_days)
    usage = usage_matrix(rng, customers, calendar, lifecycle, open_days)

    n = customers.n
    capacity = customers.capacity_kg
    swap_kg = customers.swap_kg
    reserve = customers.reserve_kg
    sizes = customers.swap
    full_set = customers.size_counts
    theta = _trigger_margin(rng, customers)
    threshold = reserve + theta * swap_kg
    patrol_threshold = reserve + PATROL_MARGIN * swap_kg
    patrol_day = np.array([PATROL_WEEKDAY[z] for z in customers.zone])
    flow = customers.pricing == "flow"
    # Lone-cylinder sets have no reserve: their owners phone as soon as it runs low.
    no_reserve = reserve <= 0

    stock = reserve + swap_kg * rng.uniform(theta, 1.0)
    stock = np.minimum(stock, capacity)
    pending = np.zeros(n, dtype=bool)
    due = np.zeros(n, dtype=np.int64)
    source = np.zeros(n, dtype=np.int64)
    since_reading = np.zeros(n)
    runouts = 0

    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("customer", "day", "outcome", "qty", "ret", "residual", "flow")
    }

    def record(idx, day, outcome, qty, ret, residual, flow_kg) -> None:
        if day < calendar.first_recorded or len(idx) == 0:
            return
        parts["customer"].append(idx)
        parts["day"].append(np.full(len(idx), day))
        parts["outcome"].append(outcome)
        parts["qty"].append(qty)
        parts["ret"].append(ret)
        parts["residual"].append(residual)
        parts["flow"].append(flow_kg)

    fail_p = params.not_home_rate + params.refused_rate
    for d in tqdm(range(calendar.as_of + 1), desc="history", unit="day", disable=not progress):
        alive = (lifecycle.start <= d) & (d < lifecycle.end)
        # A new customer's first delivery fills the whole installed set.
        joining = np.flatnonzero(lifecycle.start == d) if d > 0 else np.zeros(0, np.int64)
        if len(joining):
            stock[joining] = capacity[joining]
            since_reading[joining] = 0.0
            zeros = np.zeros(len(joining))
            record(
                joining,
                d,
                np.zeros(len(joining), dtype=np.int64),
                full_set[joining],
                np.zeros_like(full_set[joining]),
                zeros,
                zeros,
            )

        # Deliveries due today at customers who are open.
        visit = np.flatnonzero(pending & (due <= d) & open_days[:, d] & alive)
        if len(visit):
            r = rng.random(len(visit))
            outcome = np.where(
                r < params.not_home_rate, NOT_HOME, np.where(r < fail_p, REFUSED, DELIVERED)
            )
            ok = visit[outcome == DELIVERED]
            failed = visit[outcome != DELIVERED]
            residual = np.clip(stock[ok] - reserve[ok], 0.0, swap_kg[ok])
            qty = np.zeros((len(visit), sizes.shape[1]), dtype=np.int64)
            qty[outcome == DELIVERED] = sizes[ok]
            res = np.zeros(len(visit))
            res[outcome == DELIVERED] = residual
            fl = np.zeros(len(visit))
            fl[outcome == DELIVERED] = np.where(flow[ok], since_reading[ok], 0.0)
            record(visit, d, outcome, qty, qty.copy(), res, fl)
            stock[ok] = stock[ok] - residual + swap_kg[ok]
            since_reading[ok] = 0.0
            pending[ok] = False
            due[failed] = d + 1  # try again on the next open day

        # Today's consumption.
        burnt = np.minimum(usage[:, d], stock)
        since_reading += burnt
        stock -= burnt
        dry = alive & (stock <= 1e-9) & (usage[:, d] > 0)
        if d >= calendar.first_recorded:
            runouts += int(dry.sum())

        # Evening: who needs gas? Alarms and phone calls, then the zone's patrol round.
        low = alive & ~pending & (stock < threshold)
        patrol = (
            alive
            & ~pending
            & ~low
            & customers.patrol
            & (patrol_day == calendar.weekday[d])
            & (stock < patrol_threshold)
        )
        new_need = low | patrol
        if new_need.any():
            idx = np.flatnonzero(new_need)
            lag = rng.choice([1, 1, 1, 1, 2, 2, 3], size=len(idx)) if len(idx) else idx
            # Customers who would run dry while waiting ask for the next day.
            hurry = (
                no_reserve[idx]
                | customers.same_day[idx]
                | (stock[idx] - reserve[idx] * 0.5 < usage[idx, d] * lag)
            )
            lag = np.where(hurry, 1, lag)
            pending[idx] = True
            due[idx] = d + lag
            src = np.where(
                patrol[idx],
                SRC_PATROL,
                np.where(
                    customers.alarm[idx],
                    SRC_ALARM,
                    np.where(customers.subscription[idx], SRC_SUBSCRIPTION, SRC_PHONE),
                ),
            )
            source[idx] = src

    def cat(key: str, width: int | None = None) -> np.ndarray:
        if parts[key]:
            return np.concatenate(parts[key])
        shape = (0, width) if width else (0,)
        return np.zeros(shape)

    return History(
        calendar=calendar,
        lifecycle=lifecycle,
        customer=cat("customer").astype(np.int64),
        day=cat("day").astype(np.int64),
        outcome=cat("outcome").astype(np.int64),
        qty=cat("qty", 5).astype(np.int64),
        ret=cat("ret", 5).astype(np.int64),
        residual_kg=np.round(cat("residual"), 1),
        flow_kg=np.round(cat("flow"), 1),
        usage=usage,
        open_days=open_days,
        theta=theta,
        stock=stock,
        pending=pending,
        due=due,
        source=source,
        runouts=runouts,
    )


def _trigger_margin(rng: np.random.Generator, customers: CustomerSet) -> np.ndarray:
    """Share of the working bank still full when a refill is asked for.

    An alarm on a switch-over valve trips when the working bank is empty (margin 0, so
    the returned cylinders hold almost nothing); owners without alarms call earlier; a
    lone cylinder is reported while it still has some gas. This reproduces the real
    residual-gas ratios (median about 7 %, p90 about 28 %).
    """
    n = customers.n
    has_reserve = customers.reserve_kg > 0
    theta = rng.uniform(0.0, 0.3, n)
    alarm_zero = customers.alarm & has_reserve & (rng.random(n) < 0.7)
    theta = np.where(customers.alarm & has_reserve, rng.uniform(0.0, 0.15, n), theta)
    theta = np.where(alarm_zero, 0.0, theta)
    return np.where(has_reserve, theta, rng.uniform(0.1, 0.35, n))
