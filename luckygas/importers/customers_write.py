"""Customer records compared with the database, reported, and written all or nothing.

The records come from :mod:`.customers_parse`; :func:`compare_records` says per record
whether it adds, updates or leaves a customer unchanged, :func:`report_rows` turns that
into the import report, and :func:`write_customers` applies it in one savepoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luckygas.audit import record_event, session_user
from luckygas.domain import format_windows
from luckygas.importers.customers_parse import (
    SCALAR_FIELDS,
    ParsedCustomers,
    Record,
    format_cylinder_list,
)
from luckygas.importers.report import empty_rows
from luckygas.models import Customer, CustomerCylinder, CustomerWindow


def load_existing(session: Session) -> dict[str, Customer]:
    """Every customer in the database by code, windows and cylinders loaded in one go."""
    stmt = select(Customer).options(
        selectinload(Customer.windows), selectinload(Customer.cylinders)
    )
    return {c.code: c for c in session.scalars(stmt)}


def record_of(customer: Customer, fields: Iterable[str]) -> Record:
    """A database customer as a canonical record (for comparison and export)."""
    out: Record = {"code": customer.code}
    for name in fields:
        if name == "windows":
            out[name] = tuple((w.start_min, w.end_min) for w in customer.windows)
        elif name == "cylinders":
            out[name] = tuple(
                sorted((c.cylinder_type, c.quantity) for c in customer.cylinders if not c.is_spare)
            )
        else:
            out[name] = getattr(customer, name)
    return out


def compare_records(
    parsed: ParsedCustomers, existing: dict[str, Customer]
) -> tuple[list[str], list[list[tuple[str, Any, Any]]]]:
    """What importing each record would do.

    Parameters
    ----------
    parsed
        The file's records (:func:`.customers_parse.parse_customers`).
    existing
        The database's customers by code (:func:`load_existing`).

    Returns
    -------
    tuple[list[str], list[list[tuple[str, Any, Any]]]]
        Per record, ``"added"``, ``"updated"`` or ``"unchanged"``, and the changed fields
        as ``(field, old, new)``.
    """
    actions: list[str] = []
    changes: list[list[tuple[str, Any, Any]]] = []
    for record in parsed.records:
        customer = existing.get(record["code"])
        if customer is None:
            actions.append("added")
            changes.append([])
            continue
        old = record_of(customer, parsed.fields)
        if "geocode_source" in record and (old["lat"], old["lng"]) == (
            record["lat"],
            record["lng"],
        ):
            # Same point as stored: keep how it was found (e.g. synthetic) rather than "manual".
            record["geocode_source"] = old["geocode_source"]
        diff = [
            (f, old[f], record[f]) for f in sorted(parsed.fields) if not _same(old[f], record[f])
        ]
        actions.append("updated" if diff else "unchanged")
        changes.append(diff)
    return actions, changes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        # Equipment: a blank cell is an absent key when read back, so a stored False or ""
        # (e.g. the demo's flow_meter: False) is the same as no entry, not a change.
        return _kept(a) == _kept(b)
    return a == b


def _kept(values: dict[str, Any]) -> dict[str, Any]:
    """A mapping without its blank entries (None, "", False), as a file would carry it."""
    return {k: v for k, v in values.items() if v is not None and v != "" and v is not False}


def _describe(name: str, value: Any) -> str:
    if name == "windows":
        return format_windows(value) or "(none)"
    if name == "cylinders":
        return format_cylinder_list(value) or "(none)"
    if value is None or value == "":
        return "(blank)"
    if hasattr(value, "value"):
        return str(value.value)
    return repr(value) if isinstance(value, str) else str(value)


def report_rows(
    parsed: ParsedCustomers,
    actions: list[str],
    changes: list[list[tuple[str, Any, Any]]],
    existing: dict[str, Customer],
) -> pd.DataFrame:
    """The import report's rows: per record its row, code, action, changes and warnings.

    Parameters
    ----------
    parsed, actions, changes
        The records and what :func:`compare_records` found for them.
    existing
        The database's customers by code.

    Returns
    -------
    pandas.DataFrame
        One row per record (:func:`.report.empty_rows` when there are none).
    """
    if not parsed.records:
        return empty_rows()
    change_text = [
        "; ".join(f"{f}: {_describe(f, a)} -> {_describe(f, b)}" for f, a, b in diff)
        for diff in changes
    ]
    warn_text: list[str] = []
    for record, warn in zip(parsed.records, parsed.warnings, strict=True):
        lat = (
            record["lat"] if "lat" in record else getattr(existing.get(record["code"]), "lat", None)
        )
        items = list(warn)
        if lat is None:
            items.insert(0, "no coordinates")
        warn_text.append("; ".join(items))
    return pd.DataFrame(
        {
            "row": parsed.rows,
            "key": [r["code"] for r in parsed.records],
            "action": actions,
            "changes": change_text,
            "warnings": warn_text,
        }
    )


def write_customers(
    session: Session,
    parsed: ParsedCustomers,
    actions: list[str],
    existing: dict[str, Customer],
    file: str,
) -> None:
    """Add and update the customers, all in one savepoint, with one audit entry.

    Parameters
    ----------
    session
        The caller's session; a database error rolls the savepoint back, leaving nothing.
    parsed, actions
        The records and what :func:`compare_records` decided for each.
    existing
        The database's customers by code (updated in place).
    file
        The imported file's name, for the audit entry.
    """
    user = session_user(session)
    scalars = [f for f in SCALAR_FIELDS if f in parsed.fields]
    with session.begin_nested():
        replaced: list[tuple[Customer, Record]] = []
        for record, action in zip(parsed.records, actions, strict=True):
            if action == "added":
                customer = Customer(code=record["code"], created_by=user)
                for name in scalars:
                    setattr(customer, name, record[name])
                customer.windows = [
                    CustomerWindow(start_min=s, end_min=e) for s, e in record.get("windows", ())
                ]
                customer.cylinders = [
                    CustomerCylinder(cylinder_type=t, quantity=q)
                    for t, q in record.get("cylinders", ())
                ]
                session.add(customer)
            elif action == "updated":
                customer = existing[record["code"]]
                for name in scalars:
                    if not _same(getattr(customer, name), record[name]):
                        setattr(customer, name, record[name])
                customer.updated_by = user
                replaced.append((customer, record))
        # Child rows are replaced in two steps: delete, flush, insert. In one flush the unit
        # of work may insert before deleting and trip the (customer, type) unique constraint.
        for customer, record in replaced:
            if (
                "windows" in parsed.fields
                and record_of(customer, ["windows"])["windows"] != record["windows"]
            ):
                customer.windows.clear()
            if (
                "cylinders" in parsed.fields
                and record_of(customer, ["cylinders"])["cylinders"] != record["cylinders"]
            ):
                customer.cylinders = [c for c in customer.cylinders if c.is_spare]
        session.flush()
        for customer, record in replaced:
            if "windows" in parsed.fields and not customer.windows:
                customer.windows = [
                    CustomerWindow(start_min=s, end_min=e) for s, e in record["windows"]
                ]
            if "cylinders" in parsed.fields and not any(not c.is_spare for c in customer.cylinders):
                customer.cylinders.extend(
                    CustomerCylinder(cylinder_type=t, quantity=q) for t, q in record["cylinders"]
                )
        counts = {a: actions.count(a) for a in ("added", "updated", "unchanged")}
        record_event(session, "import", "customers", {"file": file, **counts})
        session.flush()
