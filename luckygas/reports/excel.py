"""The plan as an Excel workbook (summary, a sheet per route, unassigned) and as CSV.

Times are written as real Excel times (fraction of a day, shown ``hh:mm``) so the office
can sort and compute with them. Text is always written as text: xlsxwriter would
otherwise turn a customer name starting with ``=`` into a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG
from luckygas.outputs import XLSX_OPTIONS, atomic_output, check_output_path, write_csv
from luckygas.reports.data import PlanData
from luckygas.reports.tables import kpi_table, route_labels, route_table, unassigned_table

#: Columns of every route sheet and of the CSV (the CSV adds ``route`` first).
STOP_EXPORT_COLUMNS: list[str] = [
    "trip", "sequence", "order_id", "order_number", "customer_id", "customer_code", "customer_name",
    "address", "phone", "lat", "lng", "arrival", "start", "departure", "window_start",
    "window_end", *[f"qty_{kg}kg" for kg in SIZE_CLASSES_KG],
    *[f"empties_{kg}kg" for kg in SIZE_CLASSES_KG], "priority", "notes",
]  # fmt: skip
TIME_COLUMNS = {
    "arrival": "arrival_s",
    "start": "start_s",
    "departure": "departure_s",
    "window_start": "window_start_s",
    "window_end": "window_end_s",
}
SUMMARY_SHEET = "Summary"
UNASSIGNED_SHEET = "Unassigned"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET_NAME = 31


def stop_export_frame(data: PlanData) -> pd.DataFrame:
    """All stops in route order with :data:`STOP_EXPORT_COLUMNS` (+ ``route`` first).

    Times are ``HH:MM:SS`` strings, exact to the second, so the CSV reads back
    unambiguously.
    """
    stops = data.stops()
    labels = route_labels(data)
    rank = {vid: i for i, vid in enumerate(labels)}
    stops = stops.assign(_rank=stops["vehicle_id"].map(rank)).sort_values(["_rank", "sequence"])
    out = pd.DataFrame({"route": stops["vehicle_id"].map(labels)})
    for col in STOP_EXPORT_COLUMNS:
        if col == "trip" and col not in stops.columns:
            out[col] = 1  # a result from before multi-trip plans: one trip per route
        elif col in TIME_COLUMNS:
            out[col] = stops[TIME_COLUMNS[col]].map(_hms)
        else:
            out[col] = stops[col]
    return out.reset_index(drop=True)


def _hms(seconds: Any) -> str:
    if seconds is None or pd.isna(seconds):
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _excel_time(text: str) -> dt.time | None:
    if not text:
        return None
    h, m, s = (int(x) for x in text.split(":"))
    # 24:00:00 (end of day) does not fit datetime.time; show it as 23:59:59.
    return dt.time(23, 59, 59) if h >= 24 else dt.time(h, m, s)


def sheet_name(label: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 chars, no ``[]:*?/\\``) from a route label."""
    base = _BAD_SHEET_CHARS.sub("_", label).strip("'") or "Route"
    base = base[:_MAX_SHEET_NAME]
    name, n = base, 1
    while name.lower() in {t.lower() for t in taken}:
        n += 1
        suffix = f" ({n})"
        name = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name)
    return name


def write_stops_csv(
    data: PlanData, path: str | Path, *, redact: bool = False, database_url: str | None = None
) -> Path:
    """Write every stop of the plan to a UTF-8 CSV (with BOM, so Excel shows Chinese).

    Text that a spreadsheet would run as a formula gets a leading ``'``; the file is
    written atomically (see :func:`luckygas.outputs.write_csv`).

    Parameters
    ----------
    data
        The plan.
    path
        ``.csv`` file to write.
    redact
        Redact personal data (see :meth:`PlanData.redact`).
    database_url
        The database in use, refused as output (default: the configured one).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    luckygas.outputs.OutputPathError
        Not a ``.csv`` path, or the database file.
    """
    data = data.redact() if redact else data
    return write_csv(stop_export_frame(data), path, database_url=database_url)


def write_plan_workbook(
    data: PlanData, path: str | Path, *, redact: bool = False, database_url: str | None = None
) -> Path:
    """Write the plan as an ``.xlsx`` workbook.

    Sheets: ``Summary`` (KPIs and one row per route), one sheet per route named like
    ``"R1 Truck A"`` with its stops (:data:`STOP_EXPORT_COLUMNS`, times as Excel times),
    and ``Unassigned`` (orders not planned, with reasons).

    Parameters
    ----------
    data
        The plan.
    path
        ``.xlsx`` file to write (atomically: a temporary file renamed at the end).
    redact
        Redact personal data (see :meth:`PlanData.redact`).
    database_url
        The database in use, refused as output (default: the configured one).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    luckygas.outputs.OutputPathError
        Not a ``.xlsx`` path, or the database file.
    """
    path = check_output_path(path, (".xlsx",), database_url=database_url)
    data = data.redact() if redact else data
    with atomic_output(path) as tmp:
        _write_workbook(data, tmp)
    return path


def _write_workbook(data: PlanData, path: Path) -> None:
    import xlsxwriter

    stops = stop_export_frame(data)
    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    try:
        fmt = {
            "head": wb.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1}),
            "time": wb.add_format({"num_format": "hh:mm"}),
            "title": wb.add_format({"bold": True, "font_size": 14}),
        }
        taken = {SUMMARY_SHEET, UNASSIGNED_SHEET}
        ws = wb.add_worksheet(SUMMARY_SHEET)
        ws.write_string(0, 0, f"Lucky Gas plan {data.title}", fmt["title"])
        row = _write_frame(ws, kpi_table(data), 2, fmt)
        _write_frame(ws, route_table(data), row + 2, fmt)
        for label in route_labels(data).values():
            sub = stops[stops["route"] == label].drop(columns="route")
            _write_frame(wb.add_worksheet(sheet_name(label, taken)), sub, 0, fmt)
        _write_frame(wb.add_worksheet(UNASSIGNED_SHEET), unassigned_table(data), 0, fmt)
    finally:
        wb.close()


def _write_frame(ws: Any, df: pd.DataFrame, first_row: int, fmt: dict[str, Any]) -> int:
    """Write ``df`` with a header at ``first_row``; return the last row written."""
    for c, col in enumerate(df.columns):
        ws.write_string(first_row, c, str(col), fmt["head"])
        ws.set_column(c, c, max(8, min(40, len(str(col)) + 2)))
    for r, rec in enumerate(df.itertuples(index=False), first_row + 1):
        for c, (col, value) in enumerate(zip(df.columns, rec, strict=True)):
            _write_cell(ws, r, c, col, value, fmt)
    ws.freeze_panes(first_row + 1, 0)
    return first_row + len(df)


def _write_cell(ws: Any, r: int, c: int, col: str, value: Any, fmt: dict[str, Any]) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        ws.write_blank(r, c, None)
    elif col in TIME_COLUMNS:
        t = _excel_time(str(value))
        if t is None:
            ws.write_blank(r, c, None)
        else:
            ws.write_datetime(r, c, t, fmt["time"])
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(r, c, float(value))
    elif hasattr(value, "item"):  # numpy scalar
        ws.write_number(r, c, float(value.item()))
    else:
        ws.write_string(r, c, str(value))
