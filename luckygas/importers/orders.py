"""Import orders for a day (or several) from CSV or Excel.

Columns (English template, ``luckygas template orders``; the Chinese headers in
:data:`.layouts.ORDER_ALIASES` are accepted too):

``customer_code`` (required), ``date`` (required; ``2025-06-02`` or ROC ``1140602``),
``qty_50kg`` ... ``qty_4kg`` (at least one column; blank = 0), ``window``
(``09:00-11:00``, or two columns ``window_start``/``window_end``), ``priority``
(normal/urgent/emergency), ``notes``.

Re-importing is idempotent: an order is matched by customer and date. If the customer
already has an open order that day with the same content it is ``unchanged``; a
*pending* one with different content is ``updated`` in place; a planned or dispatched
one is a problem (change it in the plan instead). A file may hold only one order per
customer and day. New orders are created through :func:`luckygas.orders.create_orders`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.audit import Action, authorize
from luckygas.domain import MAX_CYLINDERS_PER_SIZE, SIZE_CLASSES_KG, OrderStatus, Priority
from luckygas.importers import layouts as L
from luckygas.importers.errors import ImportFailed, ProblemLog
from luckygas.importers.parsing import date_of, parse_number, parse_roc_date, parse_window
from luckygas.importers.readers import ReadOptions, Table, read_table, rename_columns
from luckygas.importers.report import ImportReport, empty_rows
from luckygas.models import Customer, Order

QTY_COLUMNS: tuple[str, ...] = tuple(f"qty_{kg}kg" for kg in SIZE_CLASSES_KG)
MAX_NOTES = 500


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One validated order line."""

    index: int
    row: int
    customer_code: str
    delivery_date: dt.date
    quantities: dict[int, int]
    window: tuple[int, int] | None
    priority: Priority
    notes: str


def import_orders(
    session: Session,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    options: ReadOptions | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import orders from a CSV or Excel file.

    Parameters
    ----------
    session
        Open session; writes join its transaction (in a savepoint), the caller commits.
    path
        ``.csv`` or ``.xlsx`` (first sheet, or ``options.sheet``).
    dry_run
        Validate and compare only.
    options
        Sheet and size limit.
    strict
        Refuse the file for problems in informational columns too (over-long notes),
        instead of importing it with warnings (:data:`.layouts.ORDER_ROLES`).

    Returns
    -------
    ImportReport
        ``key`` is ``customer_code date``; ``changes`` lists changed fields of updated
        orders; ``problems`` the cell warnings.

    Raises
    ------
    ImportFailed
        Every error in the file, and the warnings found with them; nothing is written.
    """
    if not dry_run:  # a dry run writes nothing, so any reader may check a file
        authorize(session, Action.IMPORT)
    table = read_table(path, options=options)
    log = table.log(L.lenient_columns(L.ORDER_ROLES), strict=strict)
    rows = parse_orders(table, log, session)
    existing = _existing_orders(session, rows)
    actions: list[str] = []
    changes: list[str] = []
    for row in rows:
        order = existing.get((row.customer_code, row.delivery_date))
        if order is None:
            actions.append("added")
            changes.append("")
            continue
        diff = _diff(order, row)
        if not diff:
            actions.append("unchanged")
            changes.append("")
        elif order.status != OrderStatus.PENDING:
            log.add(
                f"order {order.number} for this customer and day is already "
                f"{OrderStatus(order.status).value}; change it in the plan",
                index=row.index,
                column="customer_code",
                value=row.customer_code,
            )
            actions.append("updated")
            changes.append("")
        else:
            actions.append("updated")
            changes.append("; ".join(f"{f}: {a} -> {b}" for f, a, b in diff))
    log.raise_if_any()
    report_rows = (
        pd.DataFrame(
            {
                "row": [r.row for r in rows],
                "key": [f"{r.customer_code} {r.delivery_date}" for r in rows],
                "action": actions,
                "changes": changes,
                "warnings": [""] * len(rows),
            }
        )
        if rows
        else empty_rows()
    )
    if not dry_run and any(a != "unchanged" for a in actions):
        _write(session, rows, actions, existing, log)
    return ImportReport("orders", table.file, dry_run, report_rows, problems=log.warnings)


def parse_orders(table: Table, log: ProblemLog, session: Session) -> list[OrderRow]:
    """Validate an order table; customers are checked against the database.

    Raises
    ------
    ImportFailed
        Every problem found (the ones already in ``log`` included).
    """
    table_in = table
    frame = rename_columns(table.frame, L.ORDER_ALIASES, log)
    table = Table(frame, table.file, table.sheet, table.encoding, table.problems)
    chinese = any(c in L.ORDER_ALIASES for c in table_in.frame.columns)
    for name in ("customer_code", "date"):
        if name not in frame.columns:
            # Name the column in the layout the file is in: a Chinese-header file is told
            # 日期 is missing, not 'date'.
            aliases = [k for k, v in L.ORDER_ALIASES.items() if v == name]
            shown = "/".join(aliases) if chinese else name
            log.add(
                f"missing column {shown!r} (accepted headers: {name}, {', '.join(aliases)})",
                column=aliases[0] if chinese else name,
            )
    if not any(c in frame.columns for c in QTY_COLUMNS):
        log.add(
            f"missing quantity columns; give at least one of {', '.join(QTY_COLUMNS)}",
            column="qty_20kg",
        )
    log.raise_if_any()
    n = len(frame)
    codes = frame["customer_code"].str.replace(r"\.0$", "", regex=True)
    dates = parse_roc_date(frame["date"], log, "date")
    raw = {
        c: parse_number(
            frame[c], log, c, integer=True, maximum=MAX_CYLINDERS_PER_SIZE, what="cylinder count"
        )
        for c in QTY_COLUMNS
        if c in frame.columns
    }
    qty = {c: v.fillna(0) for c, v in raw.items()}
    total = sum(qty.values(), pd.Series(np.zeros(n), index=frame.index))
    # A row whose only quantity is bad already has its problem; do not add "nothing ordered".
    any_bad = pd.concat([v.isna() & frame[c].ne("") for c, v in raw.items()], axis=1).any(axis=1)
    nothing = total.eq(0) & ~any_bad
    for i in np.flatnonzero(nothing.to_numpy(dtype=bool)):
        log.add("no cylinders ordered; give at least one quantity", index=i, column="quantities")
    windows = _windows(frame, log)
    priority = _priorities(frame, log)
    notes = frame["notes"] if "notes" in frame.columns else pd.Series([""] * n)
    for i in np.flatnonzero(notes.str.len().gt(MAX_NOTES).to_numpy(dtype=bool)):
        log.add(
            f"notes longer than {MAX_NOTES} characters",
            index=i,
            column="notes",
            value=notes.iloc[i],
            action=f"cut to {MAX_NOTES} characters",
        )
    # Notes are for the driver, not for planning: too long is a warning, the rest is cut.
    notes = notes.str.slice(0, MAX_NOTES)
    _check_customers(session, codes, log)
    _check_duplicates(codes, dates, log)
    log.raise_if_any()
    return [
        OrderRow(
            index=i,
            row=log.row_of(i),
            customer_code=codes.iloc[i],
            delivery_date=date_of(dates.iloc[i]),
            quantities={
                kg: int(qty[c].iloc[i])
                for kg, c in zip(SIZE_CLASSES_KG, QTY_COLUMNS, strict=True)
                if c in qty
            },
            window=windows[i],
            priority=priority[i],
            notes=notes.iloc[i],
        )
        for i in range(n)
    ]


def _windows(frame: pd.DataFrame, log: ProblemLog) -> list[tuple[int, int] | None]:
    n = len(frame)
    if "window" in frame.columns:
        texts, column = list(frame["window"]), "window"
    elif "window_start" in frame.columns and "window_end" in frame.columns:
        texts = [
            f"{a}-{b}" if a or b else ""
            for a, b in zip(frame["window_start"], frame["window_end"], strict=True)
        ]
        column = "window_end"
    else:
        return [None] * n
    out: list[tuple[int, int] | None] = []
    for i, text in enumerate(texts):
        parsed = parse_window(text)
        if isinstance(parsed, str):
            log.add(parsed, index=i, column=column, value=text)
            out.append(None)
        else:
            out.append(parsed)
    return out


def _priorities(frame: pd.DataFrame, log: ProblemLog) -> list[Priority]:
    if "priority" not in frame.columns:
        return [Priority.NORMAL] * len(frame)
    out: list[Priority] = []
    accepted = ", ".join(L.PRIORITY_WORDS)
    for i, text in enumerate(frame["priority"]):
        value = L.PRIORITY_WORDS.get(text.lower()) if text else Priority.NORMAL
        if value is None:
            log.add(
                f"unknown priority; expected one of {accepted}",
                index=i,
                column="priority",
                value=text,
            )
            value = Priority.NORMAL
        out.append(value)
    return out


def _check_customers(session: Session, codes: pd.Series, log: ProblemLog) -> None:
    wanted = sorted(set(codes) - {""})
    found = {c.code: c for c in session.scalars(select(Customer).where(Customer.code.in_(wanted)))}
    for i, code in enumerate(codes):
        if not code:
            log.add("customer code is missing", index=i, column="customer_code")
        elif code not in found:
            log.add(
                "unknown customer code (import customers first)",
                index=i,
                column="customer_code",
                value=code,
            )
        elif not found[code].is_active or found[code].is_terminated:
            log.add(
                "customer is not active (terminated)", index=i, column="customer_code", value=code
            )


def _check_duplicates(codes: pd.Series, dates: pd.Series, log: ProblemLog) -> None:
    key = pd.DataFrame({"c": codes, "d": dates})
    dup = key.duplicated(keep="first") & dates.notna() & codes.ne("")
    if not dup.any():
        return
    first = key[~key.duplicated(keep="first")].reset_index().set_index(["c", "d"])["index"]
    for i in np.flatnonzero(dup.to_numpy(dtype=bool)):
        first_row = log.row_of(int(first.loc[(codes.iloc[i], dates.iloc[i])]))
        log.add(
            f"second order for this customer and date (first on row {first_row}); "
            "put all cylinders on one line",
            index=i,
            column="customer_code",
            value=codes.iloc[i],
        )


def _existing_orders(
    session: Session, rows: Sequence[OrderRow]
) -> dict[tuple[str, dt.date], Order]:
    if not rows:
        return {}
    days = sorted({r.delivery_date for r in rows})
    stmt = (
        select(Order, Customer.code)
        .join(Customer, Order.customer_id == Customer.id)
        .where(Order.delivery_date.in_(days), Order.status != OrderStatus.CANCELLED)
        .order_by(Order.number)
    )
    out: dict[tuple[str, dt.date], Order] = {}
    for order, code in session.execute(stmt):
        out.setdefault((code, order.delivery_date), order)
    return out


def _order_values(row: OrderRow) -> dict[str, Any]:
    values: dict[str, Any] = {f"qty_{kg}kg": row.quantities.get(kg, 0) for kg in SIZE_CLASSES_KG}
    values["window_start_min"] = row.window[0] if row.window else None
    values["window_end_min"] = row.window[1] if row.window else None
    values["priority"] = row.priority
    values["notes"] = row.notes
    return values


def _diff(order: Order, row: OrderRow) -> list[tuple[str, Any, Any]]:
    return [
        (name, getattr(order, name), value)
        for name, value in _order_values(row).items()
        if getattr(order, name) != value
    ]


def _write(
    session: Session,
    rows: list[OrderRow],
    actions: list[str],
    existing: dict[tuple[str, dt.date], Order],
    log: ProblemLog,
) -> None:
    # Imported lazily: luckygas.orders is a sibling module that may import this package.
    from luckygas.orders import OrderInput, OrderValidationError, create_orders

    new = [r for r, a in zip(rows, actions, strict=True) if a == "added"]
    with session.begin_nested():
        for row, action in zip(rows, actions, strict=True):
            if action == "updated":
                order = existing[(row.customer_code, row.delivery_date)]
                for name, value in _order_values(row).items():
                    setattr(order, name, value)
        try:
            create_orders(
                session,
                [
                    OrderInput(
                        customer_code=r.customer_code,
                        delivery_date=r.delivery_date,
                        quantities=r.quantities,
                        window=r.window,
                        priority=r.priority,
                        notes=r.notes,
                        details={"imported_from": log.file, "row": r.row},
                    )
                    for r in new
                ],
            )
        except OrderValidationError as exc:
            bad = new[exc.row] if exc.row is not None else None
            log.add(exc.reason, index=None if bad is None else bad.index, column=exc.field)
            raise ImportFailed(log.problems) from exc
        session.flush()
