"""When can a customer next be delivered? Rest days, holidays and depot closures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from luckygas.domain import WEEKDAY_NAMES

#: How far ahead to look for an open day before giving up (a customer closed every day).
MAX_LOOKAHEAD_DAYS = 14


@dataclass(frozen=True, slots=True)
class DeliveryCalendar:
    """The distributor's own working days.

    Parameters
    ----------
    holidays
        National holidays (customers flagged ``closed_on_holidays`` are closed then).
    depot_closed_weekdays
        ISO weekdays (1 = Monday ... 7 = Sunday) with no deliveries at all. Default none.
    depot_closed_on_holidays
        Whether the depot itself stops on national holidays. Default False.
    """

    holidays: frozenset[dt.date] = frozenset()
    depot_closed_weekdays: frozenset[int] = frozenset()
    depot_closed_on_holidays: bool = False

    @classmethod
    def of(
        cls,
        holidays: Collection[dt.date] = (),
        depot_closed_weekdays: Collection[int] = (),
        depot_closed_on_holidays: bool = False,
    ) -> DeliveryCalendar:
        """Build from any collections."""
        bad = [d for d in depot_closed_weekdays if d not in range(1, 8)]
        if bad:
            raise ValueError(f"DeliveryCalendar: weekdays must be 1..7, got {bad}")
        return cls(
            frozenset(pd.Timestamp(h).date() for h in holidays),
            frozenset(int(d) for d in depot_closed_weekdays),
            depot_closed_on_holidays,
        )


def _rest_masks(rest_weekdays: pd.Series) -> np.ndarray:
    """Boolean ``(n, 8)`` array: ``[i, w]`` True if customer ``i`` rests on ISO weekday ``w``."""
    masks = np.zeros((len(rest_weekdays), 8), dtype=bool)
    for i, text in enumerate(rest_weekdays.fillna("").astype(str)):
        for ch in text:
            if ch.isdigit() and 1 <= int(ch) <= 7:
                masks[i, int(ch)] = True
    return masks


def closure_reason(
    day: dt.date, rest: Collection[int], closed_on_holidays: bool, calendar: DeliveryCalendar
) -> str | None:
    """Why nobody can deliver to this customer on ``day`` (``None`` if one can)."""
    weekday = day.isoweekday()
    if weekday in calendar.depot_closed_weekdays:
        return f"depot closed {WEEKDAY_NAMES[weekday - 1]}"
    if day in calendar.holidays and calendar.depot_closed_on_holidays:
        return f"holiday {day.isoformat()}"
    if weekday in rest:
        return f"closed {WEEKDAY_NAMES[weekday - 1]}"
    if closed_on_holidays and day in calendar.holidays:
        return f"closed holiday {day.isoformat()}"
    return None


def next_chances(customers: pd.DataFrame, day: object, calendar: DeliveryCalendar) -> pd.DataFrame:
    """Whether each customer can be delivered on ``day``, and the next chance after it.

    Parameters
    ----------
    customers
        ``customer_id``, ``rest_weekdays`` (ISO digits, e.g. ``"37"``) and
        ``closed_on_holidays``.
    day
        The planning day D.
    calendar
        Depot closures and holidays.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``open_today`` (bool), ``next_chance`` (the first
        open day after D, ``datetime64[D]``; NaT if none within two weeks) and
        ``skipped`` (text naming the closed days between D and that chance, e.g.
        ``"closed Wed"``).
    """
    d0 = pd.Timestamp(day).date()
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    rest = _rest_masks(frame["rest_weekdays"]) if "rest_weekdays" in frame else None
    if rest is None:
        rest = np.zeros((len(frame), 8), dtype=bool)
    holiday_closed = (
        frame["closed_on_holidays"].fillna(False).astype(bool).to_numpy()
        if "closed_on_holidays" in frame
        else np.zeros(len(frame), dtype=bool)
    )

    def open_on(d: dt.date) -> np.ndarray:
        w = d.isoweekday()
        if w in calendar.depot_closed_weekdays or (
            calendar.depot_closed_on_holidays and d in calendar.holidays
        ):
            return np.zeros(len(frame), dtype=bool)
        is_holiday = d in calendar.holidays
        return ~rest[:, w] & ~(holiday_closed & is_holiday)

    open_today = open_on(d0)
    chance = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[D]")
    skipped = [[] for _ in range(len(frame))]
    found = np.zeros(len(frame), dtype=bool)
    for k in range(1, MAX_LOOKAHEAD_DAYS + 1):
        d = d0 + dt.timedelta(days=k)
        ok = open_on(d)
        newly = ok & ~found
        chance[newly] = np.datetime64(d, "D")
        for i in np.flatnonzero(~ok & ~found):
            rest_days = frozenset(np.flatnonzero(rest[i]).tolist())
            reason = closure_reason(d, rest_days, bool(holiday_closed[i]), calendar)
            if reason:
                skipped[i].append(reason)
        found |= ok
        if found.all():
            break
    return pd.DataFrame(
        {
            "open_today": open_today,
            "next_chance": chance,
            "skipped": [", ".join(s) for s in skipped],
        },
        index=frame.index,
    )
