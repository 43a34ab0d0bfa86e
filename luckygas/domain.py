"""The Lucky Gas business vocabulary: zones, cylinder types, the enumerations and time of day.

Everything here is plain data with no database or solver dependency, so every layer
(models, optimizer, importers, reports) speaks the same words. The figures come from
``docs/domain.md`` (the real customer workbook and database of the earlier system).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

# ---------------------------------------------------------------------------
# Cylinder sizes
# ---------------------------------------------------------------------------

#: Capacity classes in kg. Branded and flow-metered variants share the physical
#: cylinder of their class, so vehicles are loaded (and optimizer dimensions built)
#: per class, not per brand.
SIZE_CLASSES_KG: tuple[int, ...] = (50, 20, 16, 10, 4)

#: Column-friendly keys for the size classes, e.g. ``qty_20kg``.
SIZE_KEYS: tuple[str, ...] = tuple(f"{kg}kg" for kg in SIZE_CLASSES_KG)

# ---------------------------------------------------------------------------
# Bounds on input (CLI, importers, order entry, scenario changes)
# ---------------------------------------------------------------------------

#: Most cylinders of one size in one order or delivery. The largest real orders are a
#: few dozen; a bigger figure is a typo (a phone number in a quantity cell), and an
#: unbounded one overflows the database's integer column.
MAX_CYLINDERS_PER_SIZE = 999

#: The earliest date an input may carry: the company's records start long after it,
#: so an earlier date is a typo (1900, a two-digit year) or a spreadsheet's zero date.
EARLIEST_DATE = dt.date(2000, 1, 1)

#: How many years past today an input date may lie (orders are for the coming days;
#: scenarios and forecasts look a season ahead at most).
MAX_YEARS_AHEAD = 2


def latest_date(today: dt.date | None = None) -> dt.date:
    """The latest date an input may carry: :data:`MAX_YEARS_AHEAD` years after ``today``."""
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February into a common year
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def date_problem(day: dt.date, today: dt.date | None = None) -> str | None:
    """Why ``day`` is not a plausible input date, or ``None`` when it is.

    Parameters
    ----------
    day
        A date from any input (command line, file, order entry).
    today
        The reference day (default: the machine's today).

    Returns
    -------
    str or None
        E.g. ``"1900-01-01 is outside 2000-01-01..2028-12-03"``.
    """
    last = latest_date(today)
    if EARLIEST_DATE <= day <= last:
        return None
    return f"{day.isoformat()} is outside {EARLIEST_DATE.isoformat()}..{last.isoformat()}"


def quantity_problem(count: int) -> str | None:
    """Why ``count`` cylinders of one size is not a plausible quantity, or ``None``.

    Zero is allowed (a size not ordered); an order as a whole needs at least one.
    The reason reads after the quantity's name, e.g. ``"is over 999 cylinders (1000)"``.
    """
    if count < 0:
        return f"is negative ({count})"
    if count > MAX_CYLINDERS_PER_SIZE:
        return f"is over {MAX_CYLINDERS_PER_SIZE} cylinders ({count})"
    return None


@dataclass(frozen=True, slots=True)
class CylinderType:
    """One product line of cylinder as the customer workbook names it.

    Parameters
    ----------
    code
        Stable English code used in the database, e.g. ``"STANDARD_20KG"``.
    label
        The header used in the real workbook, e.g. ``"20KG"`` or ``"營20"``.
    kg
        Gas content in kg.
    size_kg
        The physical size class (one of :data:`SIZE_CLASSES_KG`).
    flow_metered
        True for flow-metered (串接, billed per kg) installations.
    """

    code: str
    label: str
    kg: float
    size_kg: int
    flow_metered: bool = False


#: All cylinder types found in the real workbook, in workbook column order.
CYLINDER_TYPES: tuple[CylinderType, ...] = (
    CylinderType("STANDARD_50KG", "50KG", 50, 50),
    CylinderType("COMMERCIAL_20KG", "營20", 20, 20),
    CylinderType("COMMERCIAL_16KG", "營16", 16, 16),
    CylinderType("STANDARD_20KG", "20KG", 20, 20),
    CylinderType("STANDARD_16KG", "16KG", 16, 16),
    CylinderType("STANDARD_10KG", "10KG", 10, 10),
    CylinderType("STANDARD_4KG", "4KG", 4, 4),
    CylinderType("LUCKY_16KG", "好運16", 16, 16),
    CylinderType("SAFETY_BUCKET_10KG", "瓶安桶10", 10, 10),
    CylinderType("LUCKY_PILL", "幸福丸", 4, 4),
    CylinderType("LUCKY_20KG", "好運20", 20, 20),
    CylinderType("FLOW_50KG", "流量50公斤", 50, 50, flow_metered=True),
    CylinderType("FLOW_20KG", "流量20公斤", 20, 20, flow_metered=True),
    CylinderType("FLOW_16KG", "流量16公斤", 16, 16, flow_metered=True),
    CylinderType("FLOW_LUCKY_20KG", "流量好運20公斤", 20, 20, flow_metered=True),
    CylinderType("FLOW_LUCKY_16KG", "流量好運16公斤", 16, 16, flow_metered=True),
)

CYLINDER_TYPES_BY_CODE: dict[str, CylinderType] = {c.code: c for c in CYLINDER_TYPES}


# ---------------------------------------------------------------------------
# Zones
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Zone:
    """A delivery zone (區域) with its real customer count and a bounding box.

    The boxes are approximations from general geography (domain.md section 7); the
    demo generator places synthetic customers inside them.
    """

    code: str
    name: str
    township: str
    customers: int
    lat_min: float
    lat_max: float
    lng_min: float
    lng_max: float
    is_line: bool = False

    @property
    def label(self) -> str:
        """The zone as the workbook spells it, e.g. ``"A-瑞光"``."""
        return f"{self.code}-{self.name}"

    @property
    def centre(self) -> tuple[float, float]:
        """Centre of the bounding box as ``(lat, lng)``."""
        return ((self.lat_min + self.lat_max) / 2, (self.lng_min + self.lng_max) / 2)


_CITY = (22.735, 22.805, 121.095, 121.170)

#: The 15 real zone codes in use (the 16th code in the data is blank: Lanyu, excluded).
ZONES: tuple[Zone, ...] = (
    Zone("A", "瑞光", "臺東市", 355, 22.748, 22.768, 121.135, 121.160),
    Zone("B", "四維", "臺東市", 281, 22.752, 22.775, 121.110, 121.140),
    Zone("C", "漢中", "臺東市", 225, 22.735, 22.755, 121.120, 121.150),
    Zone("D", "東方大鎮", "臺東市", 160, 22.770, 22.805, 121.095, 121.130),
    Zone("E", "力國", "卑南鄉", 78, 22.760, 22.810, 121.040, 121.100),
    Zone("M", "商校商圈", "臺東市", 21, 22.755, 22.765, 121.140, 121.155),
    Zone("K", "東大線", "臺東市", 9, 22.730, 22.745, 121.085, 121.110),
    Zone("Y", "富岡", "臺東市", 25, 22.780, 22.810, 121.170, 121.200),
    Zone("J", "知本線", "臺東市", 9, 22.680, 22.730, 121.000, 121.080, is_line=True),
    Zone("G", "都蘭線", "東河鄉", 26, 22.860, 22.990, 121.190, 121.310, is_line=True),
    Zone("F", "成功線", "成功鎮", 25, 23.050, 23.130, 121.330, 121.390, is_line=True),
    Zone("H", "鹿野線", "鹿野鄉", 25, 22.880, 22.960, 121.100, 121.170, is_line=True),
    Zone("I", "池上線", "關山鎮", 3, 23.020, 23.120, 121.150, 121.230, is_line=True),
    Zone("L", "大武線", "太麻里鄉", 24, 22.280, 22.640, 120.860, 121.010, is_line=True),
)

ZONES_BY_CODE: dict[str, Zone] = {z.code: z for z in ZONES}

#: Typos seen in the real workbook, mapped to the canonical zone code.
ZONE_ALIASES: dict[str, str] = {"F-成功縣": "F", "H-鹿野縣": "H"}

#: The whole mainland service area as (lat_min, lat_max, lng_min, lng_max).
SERVICE_AREA: tuple[float, float, float, float] = (22.28, 23.15, 120.85, 121.42)

#: Default depot: the earlier system's Taitung City centre point (old downtown).
DEFAULT_DEPOT_LATLNG: tuple[float, float] = (22.7553, 121.1504)

# ---------------------------------------------------------------------------
# Enumerations (stored by value in the database)
# ---------------------------------------------------------------------------


class VehicleType(enum.StrEnum):
    """Kinds of vehicle in the fleet."""

    MOTORCYCLE = "motorcycle"
    CAR = "car"
    LIGHT_TRUCK = "light_truck"


class VehicleRequirement(enum.StrEnum):
    """Which vehicles may serve a customer (workbook column ``1汽車/2機車/0全部``)."""

    CAR = "car"  # 1: any four-wheeled vehicle (car or light truck)
    MOTORCYCLE = "motorcycle"  # 2: narrow downtown streets, motorcycles only
    EITHER = "either"  # 0


class CustomerType(enum.StrEnum):
    COMMERCIAL = "commercial"
    SCHOOL = "school"
    RESIDENTIAL = "residential"


class PricingMethod(enum.StrEnum):
    CYLINDER = "cylinder"  # 桶裝
    FLOW = "flow"  # 流量, billed per kg


class PaymentMethod(enum.StrEnum):
    CASH = "cash"  # 現金
    MONTHLY = "monthly"  # 月結


class TimePreference(enum.StrEnum):
    """Workbook column ``時段早1午2晚3全天0``."""

    ALL_DAY = "all_day"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Priority(enum.StrEnum):
    """Order priority: emergency and urgent orders are dropped only when nothing else can be."""

    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class OrderSource(enum.StrEnum):
    PHONE = "phone"
    ALARM = "alarm"  # 發報 telemetry
    PATROL = "patrol"  # 排巡 scheduled round
    SUBSCRIPTION = "subscription"
    FORECAST = "forecast"  # proposed by the refill forecaster; optional unless overdue


class OrderStatus(enum.StrEnum):
    """The one canonical order lifecycle.

    ``pending -> planned -> dispatched -> delivered``; any open state may go to
    ``cancelled``, and ``dispatched`` may end ``failed`` (not home, refused).
    """

    PENDING = "pending"
    PLANNED = "planned"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: Allowed status transitions (the lifecycle as data, checked on every change).
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PLANNED, OrderStatus.CANCELLED}),
    OrderStatus.PLANNED: frozenset(
        {OrderStatus.PENDING, OrderStatus.DISPATCHED, OrderStatus.CANCELLED}
    ),
    OrderStatus.DISPATCHED: frozenset(
        {OrderStatus.DELIVERED, OrderStatus.FAILED, OrderStatus.CANCELLED}
    ),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.FAILED: frozenset({OrderStatus.PENDING}),
    OrderStatus.CANCELLED: frozenset(),
}


class DeliveryOutcome(enum.StrEnum):
    DELIVERED = "delivered"
    NOT_HOME = "not_home"
    REFUSED = "refused"
    FAILED = "failed"


class Role(enum.StrEnum):
    """User roles, from most to least powerful."""

    ADMIN = "admin"
    MANAGER = "manager"
    DISPATCHER = "dispatcher"
    DRIVER = "driver"
    VIEWER = "viewer"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class GeocodeSource(enum.StrEnum):
    SYNTHETIC = "synthetic"  # demo data, placed inside the zone box
    MANUAL = "manual"  # typed in or from a coordinate file
    SERVICE = "service"  # a geocoding service (geopy)
    NONE = "none"  # no coordinates yet


#: Workbook weekday numbering for rest days: 1 = Monday ... 7 = Sunday (ISO).
WEEKDAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------------------
# Time of day
# ---------------------------------------------------------------------------
# Two units, one per layer: the database, the workbook and the windows count minutes
# since midnight (whole minutes are what a customer asks for); the optimizer and its
# results count seconds since midnight (travel times are finer than a minute). Text is
# always 24-hour "HH:MM". Every conversion between the three lives here.

#: A delivery window ``(start_min, end_min)``: minutes since midnight, end exclusive.
Window = tuple[int, int]

MINUTES_PER_DAY = 24 * 60

#: First hour of each hourly availability slot of the workbook: ``8~9`` ... ``19~20``.
HOURLY_SLOTS: tuple[int, ...] = tuple(range(8, 20))

_HHMM = re.compile(r"^(?P<h>\d{1,2})(?::?(?P<m>\d{2}))(?::\d{2})?$")


def hhmm_from_minutes(minutes: int) -> str:
    """Format minutes since midnight as ``"HH:MM"``.

    Parameters
    ----------
    minutes
        Minutes since midnight (``1440`` formats as ``"24:00"``, the end of the day).

    Returns
    -------
    str
        ``"08:05"`` for ``485``.
    """
    minutes = int(minutes)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hhmm_from_seconds(seconds: float | None, missing: str = "–") -> str:
    """Format seconds since midnight (the optimizer's unit) as ``"HH:MM"``.

    Parameters
    ----------
    seconds
        Seconds since midnight; seconds within the minute are dropped, not rounded.
    missing
        Text for ``None`` or NaN (a stop without a time, e.g. an unserved order).

    Returns
    -------
    str
        ``"08:05"`` for ``29_100`` (or ``29_159``).
    """
    if seconds is None or math.isnan(seconds):
        return missing
    return hhmm_from_minutes(int(seconds) // 60)


def minutes_from_hhmm(text: str) -> int | None:
    """Parse a time of day into minutes since midnight.

    Parameters
    ----------
    text
        ``"08:30"``, ``"0830"``, ``"830"``, ``"8:30:00"`` or a bare hour ``"8"``
        (surrounding spaces ignored); ``"24:00"`` is accepted as the end of the day.

    Returns
    -------
    int | None
        Minutes since midnight, or ``None`` when the text is not a time of day.
    """
    text = text.strip()
    if text.isdigit() and len(text) <= 2:
        hours, minutes = int(text), 0
    else:
        match = _HHMM.match(text)
        if not match:
            return None
        hours, minutes = int(match["h"]), int(match["m"])
    total = hours * 60 + minutes
    if minutes >= 60 or total > MINUTES_PER_DAY:
        return None
    return total


def format_windows(windows: Iterable[Window], separator: str = "; ", dash: str = "-") -> str:
    """Format windows as text, e.g. ``"08:00-12:00; 14:00-18:00"``.

    Parameters
    ----------
    windows
        Windows in minutes since midnight.
    separator
        Between windows (the workbook and the import report use ``"; "``).
    dash
        Between a window's start and end.

    Returns
    -------
    str
        ``""`` for no windows.
    """
    return separator.join(
        f"{hhmm_from_minutes(start)}{dash}{hhmm_from_minutes(end)}" for start, end in windows
    )


def hours_to_windows(flags: Iterable[bool]) -> tuple[Window, ...]:
    """Merge the workbook's hourly availability flags into windows.

    Parameters
    ----------
    flags
        One flag per :data:`HOURLY_SLOTS` slot (12: ``8~9`` ... ``19~20``), truthy when the
        customer can be delivered to in that hour.

    Returns
    -------
    tuple[Window, ...]
        Consecutive hours merged: flags for 8~9 and 9~10 give ``((480, 600),)``.

    Raises
    ------
    ValueError
        When there is not exactly one flag per slot.
    """
    windows: list[Window] = []
    for hour, on in zip(HOURLY_SLOTS, flags, strict=True):
        if not on:
            continue
        if windows and windows[-1][1] == hour * 60:
            windows[-1] = (windows[-1][0], (hour + 1) * 60)
        else:
            windows.append((hour * 60, (hour + 1) * 60))
    return tuple(windows)


def windows_to_hours(windows: Iterable[Window]) -> list[bool]:
    """The hourly availability flags a set of windows covers.

    Parameters
    ----------
    windows
        Windows in minutes since midnight.

    Returns
    -------
    list[bool]
        One flag per :data:`HOURLY_SLOTS` slot; an hour counts only when wholly inside one
        window (the workbook cannot say "from 8:30").
    """
    windows = list(windows)
    return [any(s <= h * 60 and (h + 1) * 60 <= e for s, e in windows) for h in HOURLY_SLOTS]
