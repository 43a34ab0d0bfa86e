"""Customer files read into canonical records: the workbook's and template's columns, encoded.

The workbook (sheet ``客戶資料``) is read column by column as described in
``docs/domain.md`` section 5:

* ``客戶`` -> ``code`` (7 digits, unique; customers are matched by it on re-import);
  ``電子發票抬頭``/``客戶簡稱``/``地址`` -> invoice title, short name, address; the township
  (臺東市, 卑南鄉, ...; ``台`` read as ``臺``) is read from the address.
* ``區域`` ``A-瑞光`` -> zone ``A``; the workbook's typos ``F-成功縣`` and ``H-鹿野縣`` via
  :data:`luckygas.domain.ZONE_ALIASES`; a blank zone is allowed (flagged), an unknown one
  is an error.
* The 16 cylinder columns (``50KG`` ... ``流量好運16公斤``) -> :class:`CustomerCylinder` rows;
  ``系統上鋼瓶數量`` (``20*5+16*1``) is kept and cross-checked against them (a mismatch
  is a warning, not an error: the column is hand-maintained).
* ``計價方式``/``結帳方式`` via :data:`.layouts.PRICING_WORDS`/:data:`.layouts.PAYMENT_WORDS`.
* ``V``/``X`` flags; the 12 hourly flags ``8~9`` ... ``19~20`` merged into
  :class:`CustomerWindow` rows (``8~9`` and ``9~10`` -> 08:00-10:00); ``時段早1午2晚3全天0``
  -> time preference; ``公休日`` (``Red``, ``7``, ``2.3``, ``6.7``) -> ``rest_weekdays``
  (``"23"``) and ``closed_on_holidays``.
* Consumption figures -> the Customer number columns; ``1汽車/2機車/0全部`` -> vehicle
  requirement; ``類型`` ``學校`` -> school.
* Everything else (equipment flags, usage points, switch model, spare set, ...) is kept
  in ``Customer.equipment`` so :mod:`.export` writes the same 76 columns back.

A bad cell in a column the workbench relies on (code, address, zone, cylinders, hours,
rest days, vehicle rule, type...) refuses the file; in a derived or informational column
(:data:`.layouts.WORKBOOK_ROLES`) it is a warning in ``ParsedCustomers.problems`` and the
cell is read as blank (or a word as its default), unless ``strict``.

The workbook has no coordinates: new customers get ``lat``/``lng`` NULL and
``geocode_source = none`` and are flagged ``no coordinates`` (see :mod:`.geocode`).
Re-importing never clears coordinates, because neither layout's missing columns are
touched.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from luckygas.domain import (
    CYLINDER_TYPES,
    CYLINDER_TYPES_BY_CODE,
    SERVICE_AREA,
    WEEKDAY_NAMES,
    ZONE_ALIASES,
    ZONES,
    ZONES_BY_CODE,
    CustomerType,
    GeocodeSource,
    PaymentMethod,
    PricingMethod,
    TimePreference,
    VehicleRequirement,
    Window,
    hours_to_windows,
)
from luckygas.importers import layouts as L
from luckygas.importers.errors import ImportProblem, ProblemLog
from luckygas.importers.parsing import parse_flag, parse_number, parse_window
from luckygas.importers.readers import Table, require_columns

#: Customer columns an import may set (``windows`` and ``cylinders`` are child rows).
SCALAR_FIELDS: tuple[str, ...] = (
    "short_name",
    "invoice_title",
    "address",
    "township",
    "zone_code",
    "phone",
    "tax_id",
    "customer_type",
    "pricing_method",
    "payment_method",
    "vehicle_requirement",
    "time_preference",
    "rest_weekdays",
    "closed_on_holidays",
    "avg_daily_kg",
    "monthly_delivery_kg",
    "return_ratio",
    "max_cycle_days",
    "postpone_days",
    "reserve_kg",
    "connection_kg",
    "is_active",
    "is_terminated",
    "is_subscription",
    "has_alarm",
    "on_patrol",
    "same_day",
    "equipment",
    "notes",
    "lat",
    "lng",
    "geocode_source",
)
CHILD_FIELDS: tuple[str, ...] = ("windows", "cylinders")

#: Fields the real workbook supplies (it has no phone, tax ID, notes or coordinates).
WORKBOOK_FIELDS: frozenset[str] = frozenset(SCALAR_FIELDS + CHILD_FIELDS) - {
    "phone",
    "tax_id",
    "notes",
    "lat",
    "lng",
    "geocode_source",
}

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ParsedCustomers:
    """A validated customer file, ready to compare with the database.

    Attributes
    ----------
    records
        One canonical record per row (``code`` plus the supplied fields).
    fields
        The fields this file supplies; others are left as they are in the database.
    rows
        Spreadsheet row number of each record.
    warnings
        Per record, things worth a look that do not stop the import.
    notes
        File-level remarks.
    problems
        Warnings about cells of derived or informational columns, each saying what was
        done with the cell (see :class:`luckygas.importers.layouts.Role`).
    """

    records: list[Record]
    fields: frozenset[str]
    rows: list[int]
    warnings: list[list[str]]
    notes: tuple[str, ...]
    problems: tuple[ImportProblem, ...] = ()


#: Columns without which an English-template file cannot be imported.
TEMPLATE_REQUIRED: tuple[str, ...] = tuple(c.name for c in L.CUSTOMER_TEMPLATE if c.required)


def detect_layout(columns: Iterable[Any]) -> str | None:
    """Which customer layout a file's headers are in.

    Parameters
    ----------
    columns
        The file's headers.

    Returns
    -------
    str or None
        ``"workbook"`` (the real Chinese workbook), ``"template"`` (English headers) or
        ``None`` when the file has headers of neither. The layout with more of its headers
        present wins, so a template file lacking ``code`` is still read as a template and
        told that ``code`` is missing, not that ``客戶`` is.
    """
    have = {str(c).strip() for c in columns}
    workbook = len(have & set(L.WORKBOOK_COLUMNS))
    template = len(have & {c.name for c in L.CUSTOMER_TEMPLATE})
    if workbook == 0 and template == 0:
        return None
    return "workbook" if workbook >= template else "template"


#: Each layout's column roles: which columns' problems are warnings.
_LAYOUT_ROLES: dict[str, dict[str, L.ColumnRole]] = {
    "workbook": L.WORKBOOK_ROLES,
    "template": L.CUSTOMER_TEMPLATE_ROLES,
}


def parse_customers(table: Table, *, strict: bool = False) -> ParsedCustomers:
    """Validate a customer table (either layout) into canonical records.

    Parameters
    ----------
    table
        The file as read by :func:`.readers.read_table`.
    strict
        Refuse the file for problems in derived or informational columns too, instead of
        importing it with warnings.

    Returns
    -------
    ParsedCustomers
        The records, with the warnings in ``problems``.

    Raises
    ------
    ImportFailed
        With every problem found (errors and warnings).
    """
    layout = detect_layout(table.frame.columns)
    roles = _LAYOUT_ROLES.get(layout or "", {})
    log = table.log(L.lenient_columns(roles), strict=strict)
    if layout == "workbook":
        parsed = _parse_workbook(table, log)
    elif layout == "template":
        parsed = _parse_template(table, log)
    else:
        # Neither layout's headers: one file-level problem beats a list of "missing" columns
        # in a layout the user may never have meant.
        headers = ", ".join(str(c) for c in list(table.frame.columns)[:8]) or "none"
        log.add(
            "no customer columns recognised; expected the customer workbook "
            f"(headers {', '.join(L.WORKBOOK_REQUIRED)}, ...) or the English template "
            f"(headers {', '.join(TEMPLATE_REQUIRED)}, ...; see `luckygas template customers`); "
            f"the file has: {headers}"
        )
        parsed = None
    log.raise_if_any()
    assert parsed is not None
    return replace(parsed, problems=log.warnings)


# ---------------------------------------------------------------------------
# The real workbook
# ---------------------------------------------------------------------------


def _parse_workbook(table: Table, log: ProblemLog) -> ParsedCustomers | None:
    frame = table.frame
    # Only missing columns stop here: cell problems found while reading (formula errors)
    # are listed together with the rest.
    if require_columns(
        table, L.WORKBOOK_REQUIRED, log, hint=f"the customer workbook ({L.WORKBOOK_SHEET}) needs it"
    ):
        return None
    n = len(frame)
    # The header-less column is dropped by the reader when it is empty (as in our own
    # exports): it is not "missing", it holds nothing.
    missing = [c for c in L.WORKBOOK_COLUMNS if c not in frame.columns and c != L.UNNAMED_COLUMN]
    notes = (f"columns not in the file, read as blank: {', '.join(missing)}",) if missing else ()

    def col(name: str) -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series([""] * n, dtype=object)

    codes = _codes(col("客戶"), "客戶", log)
    short = col("客戶簡稱")
    title = col("電子發票抬頭")
    names = short.where(short != "", title)
    _require_text(names, "客戶簡稱", "short name is missing (and 電子發票抬頭 is blank)", log)
    address = col("地址")
    _require_text(address, "地址", "address is missing", log)

    cylinders = {
        c.code: parse_number(col(c.label), log, c.label, integer=True, what="cylinder count")
        for c in CYLINDER_TYPES
    }
    hours = np.column_stack(
        [
            parse_number(col(h), log, h, integer=True, what="1 (available) or blank")
            .fillna(0)
            .to_numpy()
            for h in L.HOUR_COLUMNS
        ]
    )
    over = np.argwhere(hours > 1)
    for i, j in over:
        log.add(
            "expected 1 (available) or blank",
            index=i,
            column=L.HOUR_COLUMNS[j],
            value=col(L.HOUR_COLUMNS[j]).iloc[i],
        )
    flags = {f: parse_flag(col(h), log, h) for h, f in L.FLAG_FIELDS.items()}
    eq_flags = {k: parse_flag(col(h), log, h) for h, k in L.EQUIPMENT_FLAG_KEYS.items()}
    metrics = {
        f: parse_number(col(h), log, h, integer=integer, minimum=minimum, what="number")
        for h, (f, integer, minimum) in L.METRIC_FIELDS.items()
    }
    extra = {k: parse_number(col(h), log, h, minimum=None) for h, k in L.EXTRA_NUMBER_KEYS.items()}
    pricing = _vocab(col("計價方式"), "計價方式", L.PRICING_WORDS, PricingMethod.CYLINDER, log)
    payment = _vocab(col("結帳方式"), "結帳方式", L.PAYMENT_WORDS, PaymentMethod.CASH, log)
    vehicle = _vocab(
        col(L.VEHICLE_COLUMN), L.VEHICLE_COLUMN, L.VEHICLE_WORDS, VehicleRequirement.CAR, log
    )
    time_pref = _vocab(
        col(L.TIME_CODE_COLUMN), L.TIME_CODE_COLUMN, L.TIME_WORDS, TimePreference.ALL_DAY, log
    )
    zones = _mapped(col(L.ZONE_COLUMN), L.ZONE_COLUMN, resolve_zone, log)
    rest = _mapped(col(L.REST_DAYS_COLUMN), L.REST_DAYS_COLUMN, parse_rest_days, log)
    types = col(L.TYPE_COLUMN)

    # Plain lists for the per-row loop: pandas scalar access costs microseconds per cell.
    cells = {c: frame[c].tolist() for c in frame.columns}
    code_list, name_list, title_list, address_list, type_list = (
        s.tolist() for s in (codes, names, title, address, types)
    )
    cylinders_l = {k: v.tolist() for k, v in cylinders.items()}
    flags_l = {k: v.tolist() for k, v in flags.items()}
    metrics_l = {k: v.tolist() for k, v in metrics.items()}
    eq_flags_l = {k: v.tolist() for k, v in eq_flags.items()}
    extra_l = {k: v.tolist() for k, v in extra.items()}
    records: list[Record] = []
    warnings: list[list[str]] = []
    for i in range(n):
        warn: list[str] = []
        cyl = tuple(sorted((code, int(q[i])) for code, q in cylinders_l.items() if q[i] > 0))
        equipment = _workbook_equipment(cells, i, eq_flags_l, extra_l, type_list[i])
        set_text = equipment.get("installed_set", "")
        if set_text:
            warn.extend(_check_installed_set(set_text, cyl))
        zone = zones[i]
        if zone is None:
            warn.append("no zone")
        township = township_of(address_list[i])
        if not township:
            warn.append("township not found in address")
        days, holidays = rest[i] or ("", False)
        terminated = bool(flags_l["is_terminated"][i])
        record: Record = {
            "code": code_list[i],
            "short_name": name_list[i],
            "invoice_title": title_list[i],
            "address": address_list[i],
            "township": township,
            "zone_code": zone,
            "customer_type": L.CUSTOMER_TYPE_WORDS.get(type_list[i], CustomerType.COMMERCIAL),
            "pricing_method": pricing[i],
            "payment_method": payment[i],
            "vehicle_requirement": vehicle[i],
            "time_preference": time_pref[i],
            "rest_weekdays": days,
            "closed_on_holidays": holidays,
            "is_active": not terminated,
            "is_terminated": terminated,
            "equipment": equipment,
            "windows": hours_to_windows(hours[i] > 0),
            "cylinders": cyl,
        }
        for field_name, values in flags_l.items():
            record[field_name] = bool(values[i])
        for field_name, values in metrics_l.items():
            record[field_name] = _metric_value(field_name, values[i])
        records.append(record)
        warnings.append(warn)
    _check_duplicates(codes, "客戶", log)
    rows = table.row_numbers().tolist()
    return ParsedCustomers(records, WORKBOOK_FIELDS, rows, warnings, notes)


def _metric_value(field_name: str, value: float) -> Any:
    if field_name in ("max_cycle_days", "postpone_days"):
        return None if np.isnan(value) else round(value)
    return 0.0 if np.isnan(value) else float(value)


def _workbook_equipment(
    cells: dict[str, list[str]],
    i: int,
    eq_flags: dict[str, list[bool]],
    extra: dict[str, list[float]],
    type_label: str,
) -> dict[str, Any]:
    """The workbook columns without a Customer column, kept for the round trip."""
    eq: dict[str, Any] = {}
    for header, key in L.EQUIPMENT_TEXT_KEYS.items():
        if header in cells and cells[header][i]:
            eq[key] = cells[header][i]
    for key, values in eq_flags.items():
        if values[i]:
            eq[key] = True
    for key, numbers in extra.items():
        if not np.isnan(numbers[i]):
            eq[key] = float(numbers[i])
    for header, key in L.EQUIPMENT_MARK_KEYS.items():
        if header in cells and cells[header][i]:
            text = cells[header][i]
            eq[key] = True if text == "1" else text
    points = [cells[h][i] if h in cells else "" for h in L.USAGE_POINT_COLUMNS]
    if any(points):
        while not points[-1]:
            points.pop()
        eq["usage_points"] = points
    if type_label and type_label not in L.CUSTOMER_TYPE_WORDS:
        eq["type_label"] = type_label  # e.g. 市場: no type of its own, kept for export
    return eq


# ---------------------------------------------------------------------------
# The English template
# ---------------------------------------------------------------------------


def _parse_template(table: Table, log: ProblemLog) -> ParsedCustomers | None:
    frame = table.frame
    if require_columns(
        table,
        TEMPLATE_REQUIRED,
        log,
        hint="the English template needs it (see `luckygas template customers`)",
    ):
        return None
    n = len(frame)
    have = set(frame.columns)
    codes = _codes(frame["code"], "code", log)
    _require_text(frame["short_name"], "short_name", "short name is missing", log)
    _require_text(frame["address"], "address", "address is missing", log)
    per_field: dict[str, list[Any]] = {
        "short_name": list(frame["short_name"]),
        "address": list(frame["address"]),
        "township": [township_of(a) for a in frame["address"]],
        "zone_code": _mapped(frame["zone"], "zone", resolve_zone, log),
    }
    for name in ("invoice_title", "phone", "tax_id", "notes"):
        if name in have:
            per_field[name] = list(frame[name])
    vocabularies: dict[str, tuple[dict[str, Any], Any]] = {
        "customer_type": (L.CUSTOMER_TYPE_WORDS, CustomerType.COMMERCIAL),
        "pricing_method": (L.PRICING_WORDS, PricingMethod.CYLINDER),
        "payment_method": (L.PAYMENT_WORDS, PaymentMethod.CASH),
        "vehicle_requirement": (L.VEHICLE_WORDS, VehicleRequirement.CAR),
        "time_preference": (L.TIME_WORDS, TimePreference.ALL_DAY),
    }
    for name, (words, default) in vocabularies.items():
        if name in have:
            per_field[name] = _vocab(frame[name], name, words, default, log)
    for name in ("avg_daily_kg", "monthly_delivery_kg"):
        if name in have:
            values = parse_number(frame[name], log, name, what="number of kg")
            per_field[name] = [0.0 if np.isnan(v) else float(v) for v in values]
    if "windows" in have:
        per_field["windows"] = _mapped(frame["windows"], "windows", parse_windows, log)
        per_field["windows"] = [w or () for w in per_field["windows"]]
    if "rest_days" in have:
        rest = _mapped(frame["rest_days"], "rest_days", parse_rest_days, log)
        per_field["rest_weekdays"] = [(r or ("", False))[0] for r in rest]
        per_field["closed_on_holidays"] = [(r or ("", False))[1] for r in rest]
    if "cylinders" in have:
        cyl = _mapped(frame["cylinders"], "cylinders", parse_cylinder_list, log)
        per_field["cylinders"] = [c or () for c in cyl]
    if "lat" in have and "lng" in have:
        _template_coordinates(frame, log, per_field)
    _check_duplicates(codes, "code", log)
    fields = frozenset(per_field)
    records = [{"code": codes.iloc[i], **{f: v[i] for f, v in per_field.items()}} for i in range(n)]
    warnings = [[] if r["zone_code"] else ["no zone"] for r in records]
    for r, w in zip(records, warnings, strict=True):
        if not r["township"]:
            w.append("township not found in address")
    return ParsedCustomers(records, fields, table.row_numbers().tolist(), warnings, ())


def _template_coordinates(frame: pd.DataFrame, log: ProblemLog, out: dict[str, list[Any]]) -> None:
    lat = parse_number(frame["lat"], log, "lat", minimum=None, what="latitude")
    lng = parse_number(frame["lng"], log, "lng", minimum=None, what="longitude")
    lat_min, lat_max, lng_min, lng_max = SERVICE_AREA
    lats: list[float | None] = []
    lngs: list[float | None] = []
    sources: list[GeocodeSource] = []
    for i, (a, b) in enumerate(zip(lat, lng, strict=True)):
        if np.isnan(a) and np.isnan(b):
            lats.append(None)
            lngs.append(None)
            sources.append(GeocodeSource.NONE)
            continue
        if np.isnan(a) != np.isnan(b):
            log.add(
                "give both lat and lng, or neither",
                index=i,
                column="lat",
                value=frame["lat"].iloc[i],
            )
        elif not (lat_min <= a <= lat_max and lng_min <= b <= lng_max):
            log.add(
                f"outside the service area (lat {lat_min}-{lat_max}, lng {lng_min}-{lng_max}); "
                "are lat and lng swapped?",
                index=i,
                column="lat",
                value=f"{a}, {b}",
            )
        lats.append(None if np.isnan(a) else float(a))
        lngs.append(None if np.isnan(b) else float(b))
        sources.append(GeocodeSource.MANUAL)
    out["lat"], out["lng"], out["geocode_source"] = lats, lngs, sources


# ---------------------------------------------------------------------------
# Value parsers (public: the exporters and tests use them)
# ---------------------------------------------------------------------------

_ZONE_LABELS: dict[str, str] = {z.label: z.code for z in ZONES}


def resolve_zone(text: str) -> str | None:
    """``"A-瑞光"``, ``"A"`` or a known typo (``"F-成功縣"``) -> zone code; blank -> None.

    Raises
    ------
    ValueError
        For a zone that is not one of :data:`luckygas.domain.ZONES`.
    """
    text = text.replace("－", "-").replace(" ", "")
    if not text:
        return None
    if text in ZONE_ALIASES:
        return ZONE_ALIASES[text]
    if text in _ZONE_LABELS:
        return _ZONE_LABELS[text]
    if text.upper() in ZONES_BY_CODE:
        return text.upper()
    known = ", ".join(z.label for z in ZONES)
    raise ValueError(f"unknown zone; expected one of {known}")


_CN_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_EN_DAYS = {name.lower(): i + 1 for i, name in enumerate(WEEKDAY_NAMES)}
_HOLIDAY_WORDS = frozenset({"red", "紅", "紅字", "國定假日", "holiday", "holidays"})


def parse_rest_days(text: str) -> tuple[str, bool] | None:
    """Rest days in any form the workbook uses -> (ISO weekday digits, closed on holidays).

    ``"7"`` -> ``("7", False)``; ``"2.3"`` -> ``("23", False)``; ``"Red"`` ->
    ``("", True)``; ``"6.7 Red"`` -> ``("67", True)``; ``"週日"``/``"Sun"`` -> ``("7", False)``.
    Blank -> None.

    Raises
    ------
    ValueError
        For anything else.
    """
    if not text:
        return None
    days: set[int] = set()
    holidays = False
    for token in re.split(r"[\s.,、/;+&和，]+", text.strip()):
        word = token.lower().removeprefix("週").removeprefix("星期").removeprefix("禮拜")
        if not word:
            continue
        if word in _HOLIDAY_WORDS:
            holidays = True
        elif word.isdigit() and all(c in "1234567" for c in word):
            days.update(int(c) for c in word)
        elif word in _CN_DAYS:
            days.add(_CN_DAYS[word])
        elif word[:3] in _EN_DAYS:
            days.add(_EN_DAYS[word[:3]])
        else:
            raise ValueError(
                "rest days not understood; expected weekday numbers 1 (Mon) to 7 (Sun) "
                "like 7 or 2.3, and/or Red for national holidays"
            )
    return "".join(str(d) for d in sorted(days)), holidays


def rest_days_text(weekdays: str, holidays: bool) -> str:
    """The workbook spelling of rest days: ``"23"`` -> ``"2.3"``, holidays -> ``"Red"``."""
    parts = list(weekdays)
    if holidays:
        parts.append("Red")
    return ".".join(parts)


def township_of(address: str) -> str:
    """The Taitung township named in an address (``台`` read as ``臺``), or ``""``."""
    text = address.replace("台", "臺")
    best = ""
    best_at = len(text) + 1
    for name in L.TOWNSHIPS:
        at = text.find(name)
        if 0 <= at < best_at:
            best, best_at = name, at
    return best


def parse_windows(text: str) -> tuple[Window, ...] | None:
    """``"08:00-12:00; 14:00-18:00"`` -> windows; blank -> None.

    Raises
    ------
    ValueError
        For a badly written window, one that ends before it starts, or overlaps.
    """
    if not text:
        return None
    windows: list[Window] = []
    for part in re.split(r"[;；,，]", text):
        if not part.strip():
            continue
        parsed = parse_window(part)
        if isinstance(parsed, str):
            raise ValueError(parsed)
        assert parsed is not None
        windows.append(parsed)
    windows.sort()
    for (_, end), (start, _) in itertools.pairwise(windows):
        if start < end:
            raise ValueError("windows overlap")
    return tuple(windows)


_LABEL_TO_CODE = {c.label: c.code for c in CYLINDER_TYPES}


def parse_cylinder_list(text: str) -> tuple[tuple[str, int], ...] | None:
    """``"STANDARD_20KG=2; FLOW_50KG=3"`` (codes or workbook labels) -> sorted pairs.

    Raises
    ------
    ValueError
        For an unknown type or a count that is not a positive whole number.
    """
    if not text:
        return None
    out: dict[str, int] = {}
    for part in re.split(r"[;；,，]", text):
        if not part.strip():
            continue
        m = re.fullmatch(r"\s*([^=:*×]+?)\s*[=:*×]\s*(\d+)\s*", part)
        if not m:
            raise ValueError("expected TYPE=count pairs like STANDARD_20KG=2; FLOW_50KG=3")
        name, count = m[1], int(m[2])
        code = name.upper() if name.upper() in CYLINDER_TYPES_BY_CODE else _LABEL_TO_CODE.get(name)
        if code is None:
            known = ", ".join(CYLINDER_TYPES_BY_CODE)
            raise ValueError(f"unknown cylinder type {name!r}; expected one of {known}")
        if count > 0:
            out[code] = out.get(code, 0) + count
    return tuple(sorted(out.items()))


def format_cylinder_list(cylinders: Iterable[tuple[str, int]]) -> str:
    """Cylinder pairs as ``"STANDARD_20KG=2; FLOW_50KG=3"``."""
    return "; ".join(f"{code}={qty}" for code, qty in cylinders)


_SET_TERM = re.compile(r"(\d+)\s*[*xX×]\s*(\d+)")


def parse_installed_set(text: str) -> dict[int, int] | None:
    """``"20*5+16*1"`` -> ``{20: 5, 16: 1}`` (size kg -> count); None if not in that form."""
    terms = [t.strip() for t in re.split(r"[+＋]", text) if t.strip()]
    out: dict[int, int] = {}
    for term in terms:
        m = _SET_TERM.fullmatch(term)
        if not m:
            return None
        size, count = int(m[1]), int(m[2])
        out[size] = out.get(size, 0) + count
    return out or None


def _check_installed_set(text: str, cylinders: tuple[tuple[str, int], ...]) -> list[str]:
    parsed = parse_installed_set(text)
    if parsed is None:
        return [f"{L.INSTALLED_SET_COLUMN} {text!r} is not in the form 20*5+16*1"]
    owned: dict[int, int] = {}
    for code, qty in cylinders:
        size = CYLINDER_TYPES_BY_CODE[code].size_kg
        owned[size] = owned.get(size, 0) + qty
    if parsed != owned:
        have = "+".join(f"{s}*{q}" for s, q in sorted(owned.items(), reverse=True)) or "none"
        return [f"{L.INSTALLED_SET_COLUMN} {text} does not match the cylinder columns ({have})"]
    return []


# ---------------------------------------------------------------------------
# Column helpers
# ---------------------------------------------------------------------------


def _codes(series: pd.Series, column: str, log: ProblemLog) -> pd.Series:
    codes = series.str.replace(r"\.0$", "", regex=True)
    bad = ~codes.str.fullmatch(r"\d{7}")
    for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
        reason = "customer code is missing" if not codes.iloc[i] else "expected a 7-digit code"
        log.add(reason, index=i, column=column, value=series.iloc[i])
    return codes


def _check_duplicates(codes: pd.Series, column: str, log: ProblemLog) -> None:
    valid = codes[codes != ""]
    dup = valid[valid.duplicated(keep="first")]
    first = valid.drop_duplicates(keep="first")
    first_row = pd.Series(first.index, index=first.to_numpy())
    for i, code in dup.items():
        log.add(
            f"duplicate customer code; first on row {log.row_of(int(first_row[code]))}",
            index=int(i),
            column=column,
            value=code,
        )


def _require_text(series: pd.Series, column: str, reason: str, log: ProblemLog) -> None:
    for i in np.flatnonzero((series == "").to_numpy(dtype=bool)):
        log.add(reason, index=i, column=column)


def _vocab(
    series: pd.Series, column: str, words: dict[str, Any], default: Any, log: ProblemLog
) -> list[Any]:
    """Map words through a vocabulary (case-insensitive); blank -> default; unknown logged."""
    lookup = {k.lower(): v for k, v in words.items()}
    accepted = ", ".join(words)
    out: list[Any] = []
    for i, text in enumerate(series):
        if not text:
            out.append(default)
            continue
        key = text.lower().removesuffix(".0")
        if key in lookup:
            out.append(lookup[key])
        else:
            log.add(
                f"not understood; expected one of {accepted}",
                index=i,
                column=column,
                value=text,
                action=f"stored as the default, {default.value}",
            )
            out.append(default)
    return out


def _mapped(
    series: pd.Series, column: str, parse: Callable[[str], Any], log: ProblemLog
) -> list[Any]:
    """Apply a parser that raises ValueError on bad text, caching per distinct value."""
    cache: dict[str, Any] = {}
    out: list[Any] = []
    for i, text in enumerate(series):
        if text not in cache:
            try:
                cache[text] = parse(text)
            except ValueError as exc:
                cache[text] = exc
        value = cache[text]
        if isinstance(value, ValueError):
            log.add(str(value), index=i, column=column, value=text)
            out.append(None)
        else:
            out.append(value)
    return out
