"""Export customers back to Excel: the real 76-column workbook layout, or the template.

The workbook export writes exactly the headers the importer reads (column 70 has an
empty header, as in the real file), so export -> import reports every row unchanged.
Numbers are written as numbers (rest days ``2.3`` as the number 2.3, as in the real
file); flags as ``V``; hourly availability as ``1``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from luckygas.domain import (
    CYLINDER_TYPES,
    ZONES_BY_CODE,
    CustomerType,
    format_windows,
    windows_to_hours,
)
from luckygas.importers import layouts as L
from luckygas.importers.customers import format_cylinder_list, rest_days_text
from luckygas.models import Customer
from luckygas.outputs import OutputPathError, check_output_path, write_csv, write_xlsx

Layout = Literal["workbook", "template"]

_TYPE_LABEL = {CustomerType.SCHOOL: "學校", CustomerType.RESIDENTIAL: "住家"}


def export_customers(
    session: Session,
    path: str | os.PathLike[str],
    *,
    layout: Layout = "workbook",
    codes: Iterable[str] | None = None,
) -> int:
    """Write customers to ``path`` in the workbook or template layout.

    Parameters
    ----------
    session
        Open session (read only).
    path
        ``.xlsx`` (either layout) or ``.csv`` (template layout, UTF-8 with BOM so Excel
        shows the Chinese text). Text is written as text (a name starting with ``=`` is
        no formula; in CSV it gets a leading ``'``), under a temporary name renamed
        at the end (see :mod:`luckygas.outputs`).
    layout
        ``"workbook"``: sheet ``客戶資料``, the real 76 columns. ``"template"``: the English
        template columns.
    codes
        Only these customers (default: all), ordered by code.

    Returns
    -------
    int
        Number of customers written.

    Raises
    ------
    luckygas.outputs.OutputPathError
        (a ``ValueError``) ``path`` has the wrong suffix or is the session's database.
    """
    path = Path(path)
    # Checked before reading: the session's own SQLite file is never an output.
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    database_url = engine.url.render_as_string(hide_password=False)
    suffixes = (".xlsx",) if layout == "workbook" else (".xlsx", ".csv")
    if layout == "workbook" and path.suffix.lower() == ".csv":
        raise OutputPathError(
            "the workbook layout is written as .xlsx; use --layout template for CSV"
        )
    check_output_path(path, suffixes, database_url=database_url)
    frame = customers_frame(session, layout=layout, codes=codes)
    if path.suffix.lower() == ".csv":
        write_csv(frame, path, database_url=database_url)
    else:
        sheet = L.WORKBOOK_SHEET if layout == "workbook" else "customers"
        write_xlsx({sheet: frame}, path, database_url=database_url)
    return len(frame)


def customers_frame(
    session: Session, *, layout: Layout = "workbook", codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Customers as a DataFrame in the chosen layout (headers exactly as written)."""
    stmt = (
        select(Customer)
        .options(selectinload(Customer.windows), selectinload(Customer.cylinders))
        .order_by(Customer.code)
    )
    if codes is not None:
        stmt = stmt.where(Customer.code.in_(list(codes)))
    customers = list(session.scalars(stmt))
    if layout == "workbook":
        rows = [workbook_row(c) for c in customers]
        # The real file's 70th column has no header; pandas reads it back as "Unnamed: 69".
        headers = ["" if h == L.UNNAMED_COLUMN else h for h in L.WORKBOOK_COLUMNS]
        frame = pd.DataFrame(rows, columns=list(L.WORKBOOK_COLUMNS), dtype=object)
        frame.columns = headers
        return frame
    columns = [c.name for c in L.CUSTOMER_TEMPLATE]
    return pd.DataFrame([template_row(c) for c in customers], columns=columns, dtype=object)


def _number(value: float | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _rest_days_cell(weekdays: str, holidays: bool) -> Any:
    text = rest_days_text(weekdays, holidays)
    # The real file holds single days and pairs as numbers (7, 2.3, 6.7).
    if re.fullmatch(r"\d(\.\d)?", text):
        return _number(float(text))
    return text or None


def workbook_row(c: Customer) -> dict[str, Any]:
    """One customer as a row of the 76-column workbook."""
    eq = dict(c.equipment or {})
    row: dict[str, Any] = dict.fromkeys(L.WORKBOOK_COLUMNS)
    row["客戶"] = int(c.code) if not c.code.startswith("0") else c.code
    row["電子發票抬頭"] = c.invoice_title or None
    row["客戶簡稱"] = c.short_name
    row["地址"] = c.address or None
    owned = {cc.cylinder_type: cc.quantity for cc in c.cylinders if not cc.is_spare}
    for ct in CYLINDER_TYPES:
        row[ct.label] = owned.get(ct.code)
    row["計價方式"] = L.PRICING_LABEL[c.pricing_method]
    row["結帳方式"] = L.PAYMENT_LABEL[c.payment_method]
    for header, field in L.FLAG_FIELDS.items():
        row[header] = "V" if getattr(c, field) else None
    for header, key in L.EQUIPMENT_FLAG_KEYS.items():
        row[header] = "V" if eq.get(key) else None
    for header, key in L.EQUIPMENT_TEXT_KEYS.items():
        row[header] = eq.get(key)
    hours = windows_to_hours((w.start_min, w.end_min) for w in c.windows)
    for header, on in zip(L.HOUR_COLUMNS, hours, strict=True):
        row[header] = 1 if on else None
    row[L.TIME_CODE_COLUMN] = L.TIME_CODE[c.time_preference]
    row[L.REST_DAYS_COLUMN] = _rest_days_cell(c.rest_weekdays, c.closed_on_holidays)
    for header, (field, _, _) in L.METRIC_FIELDS.items():
        row[header] = _number(getattr(c, field))
    for header, key in L.EXTRA_NUMBER_KEYS.items():
        row[header] = _number(eq.get(key))
    row[L.ZONE_COLUMN] = ZONES_BY_CODE[c.zone_code].label if c.zone_code else None
    row[L.VEHICLE_COLUMN] = L.VEHICLE_CODE[c.vehicle_requirement]
    points = list(eq.get("usage_points", []))
    for header, text in zip(L.USAGE_POINT_COLUMNS, points + [""] * 5, strict=False):
        row[header] = text or None
    for header, key in L.EQUIPMENT_MARK_KEYS.items():
        value = eq.get(key)
        # False (no such equipment) is a blank cell, as in the real file; never a 0.
        row[header] = 1 if value is True else (value or None)
    row[L.TYPE_COLUMN] = eq.get("type_label") or _TYPE_LABEL.get(c.customer_type)
    return row


def template_row(c: Customer) -> dict[str, Any]:
    """One customer as a row of the English template."""
    return {
        "code": c.code,
        "short_name": c.short_name,
        "invoice_title": c.invoice_title,
        "address": c.address,
        "phone": c.phone,
        "tax_id": c.tax_id,
        "zone": c.zone_code or "",
        "customer_type": c.customer_type.value,
        "pricing_method": c.pricing_method.value,
        "payment_method": c.payment_method.value,
        "vehicle_requirement": c.vehicle_requirement.value,
        "time_preference": c.time_preference.value,
        "windows": format_windows((w.start_min, w.end_min) for w in c.windows),
        "rest_days": rest_days_text(c.rest_weekdays, c.closed_on_holidays),
        "cylinders": format_cylinder_list(
            sorted((cc.cylinder_type, cc.quantity) for cc in c.cylinders if not cc.is_spare)
        ),
        "avg_daily_kg": c.avg_daily_kg,
        "monthly_delivery_kg": c.monthly_delivery_kg,
        "lat": c.lat,
        "lng": c.lng,
        "notes": c.notes,
    }
