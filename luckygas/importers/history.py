"""Import delivery history in the per-transaction layout, fast (350,000 rows in seconds).

Columns (Chinese, as the earlier system's migration code maps the real export; or the
English names of ``luckygas template history``):

=================  ==================  =====================================================
Chinese            English             meaning
=================  ==================  =====================================================
日期               date                ROC ``YYYMMDD`` (``1131205`` = 2024-12-05) or ISO date
時間               time                time of day ``HH:MM`` (optional)
業務               driver              salesperson / driver name (optional)
客戶編號 (客戶)    customer_code       7-digit customer code
50公斤             qty_50kg            full cylinders delivered, per product column:
丙烷20, 20公斤,    qty_20kg            the brand columns add into their size class:
好運桶20                               丙烷20/好運桶20 -> 20 kg, 丙烷16/好運桶16 -> 16 kg,
丙烷16, 16公斤,    qty_16kg            瓶安桶10 -> 10 kg, 幸福丸4 -> 4 kg
好運桶16
10公斤, 瓶安桶10   qty_10kg
4公斤, 幸福丸4     qty_4kg
流量50公斤 ...     flow_kg             kg billed through flow meters (the five 流量 columns
流量好運16公斤                         are summed)
回收50公斤 ...     ret_50kg ...        empties returned per size: 回收50公斤, 回收20公斤,
回收4公斤          ret_4kg             回收16公斤, 回收10公斤, 回收4公斤
退氣               residual_kg         residual gas found in the returned cylinders (kg)
=================  ==================  =====================================================

The empties and residual-gas headers are **our definition**: whether and how the real
export records them is unverified (domain.md section 5). Quantity columns that are
absent count as 0; a file needs the date and customer columns.

Every row is validated with vectorised pandas operations, then inserted with one Core
``executemany``. Re-importing is idempotent: a row counts as already imported when the
database holds a delivery with the same customer, date, time, driver and figures (as
many times as the file has it).
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Connection, String, cast, insert, select
from sqlalchemy import Table as Table_
from sqlalchemy.orm import Session

from luckygas.audit import Action, authorize, record_event, session_user
from luckygas.domain import MAX_CYLINDERS_PER_SIZE, SIZE_CLASSES_KG, DeliveryOutcome
from luckygas.importers import layouts as L
from luckygas.importers.errors import ProblemLog
from luckygas.importers.parsing import (
    on_uniques,
    parse_clock_column,
    parse_number,
    parse_roc_date,
)
from luckygas.importers.readers import (
    ReadOptions,
    Table,
    read_table,
    rename_columns,
    require_columns,
)
from luckygas.importers.report import ImportReport
from luckygas.models import Customer, Delivery

# A declarative model's __table__ is a Table; SQLAlchemy types it as the wider FromClause.
_DELIVERIES = typing.cast(Table_, Delivery.__table__)

#: Delivered-quantity product columns -> size class (kg).
PRODUCT_SIZES: dict[str, int] = {
    "50公斤": 50,
    "丙烷20": 20,
    "丙烷16": 16,
    "20公斤": 20,
    "16公斤": 16,
    "10公斤": 10,
    "4公斤": 4,
    "好運桶16": 16,
    "瓶安桶10": 10,
    "幸福丸4": 4,
    "好運桶20": 20,
}
FLOW_COLUMNS: tuple[str, ...] = (
    "流量50公斤",
    "流量20公斤",
    "流量16公斤",
    "流量好運20公斤",
    "流量好運16公斤",
)
#: Empties returned: our headers (unverified in the real export).
RETURN_COLUMNS: dict[str, int] = {f"回收{kg}公斤": kg for kg in SIZE_CLASSES_KG}
RESIDUAL_COLUMN = "退氣"

#: Chinese headers -> English template names (quantities go through :data:`PRODUCT_SIZES`).
HEADER_ALIASES: dict[str, str] = {
    "日期": "date",
    "時間": "time",
    "業務": "driver",
    "客戶編號": "customer_code",
    "客戶": "customer_code",
    RESIDUAL_COLUMN: "residual_kg",
    **{zh: f"ret_{kg}kg" for zh, kg in RETURN_COLUMNS.items()},
}

HISTORY_TEMPLATE_COLUMNS: tuple[str, ...] = (
    "date",
    "time",
    "driver",
    "customer_code",
    *(f"qty_{kg}kg" for kg in SIZE_CLASSES_KG),
    *(f"ret_{kg}kg" for kg in SIZE_CLASSES_KG),
    "residual_kg",
    "flow_kg",
)

QTY = tuple(f"qty_{kg}kg" for kg in SIZE_CLASSES_KG)
RET = tuple(f"ret_{kg}kg" for kg in SIZE_CLASSES_KG)
#: Columns that identify a delivery for idempotent re-import.
KEY_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "delivered_on",
    "delivered_min",
    "driver_name",
    *QTY,
    *RET,
    "residual_kg",
    "flow_kg",
)

UnknownCustomers = Literal["error", "skip"]


def import_history(
    session: Session,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    unknown_customers: UnknownCustomers = "error",
    options: ReadOptions | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import delivery history (per-transaction layout) from CSV or Excel.

    Parameters
    ----------
    session
        Open session; the rows are inserted in its transaction (in a savepoint) with one
        bulk Core insert; the caller commits.
    path
        ``.csv`` (fastest) or ``.xlsx``.
    dry_run
        Validate and count only.
    unknown_customers
        ``"error"`` (default): a code not in the customer table is a problem.
        ``"skip"``: such rows are reported as ``skipped`` (the real history also covers
        some 12,000 residential and cash customers who are not in the customer workbook).
    options
        Sheet and size limit.
    strict
        Refuse the file for problems in informational columns too (time of day, empties
        returned), instead of importing it with warnings (:data:`.layouts.HISTORY_ROLES`).

    Returns
    -------
    ImportReport
        Per row ``added``, ``unchanged`` (already imported) or ``skipped``; ``problems``
        the cell warnings.

    Raises
    ------
    ImportFailed
        Every error in the file, and the warnings found with them; nothing is written.
    """
    if not dry_run:  # a dry run writes nothing, so any reader may check a file
        authorize(session, Action.IMPORT)
    table = read_table(path, options=options)
    log = table.log(L.lenient_columns(L.HISTORY_ROLES), strict=strict)
    frame = parse_history(table, log)
    codes = frame["customer_code"]
    ids = _customer_ids(session, codes)
    customer_id = codes.map(ids)
    unknown = customer_id.isna() & codes.ne("")
    if unknown.any() and unknown_customers == "error":
        positions = np.flatnonzero(unknown.to_numpy(dtype=bool))
        log.add_many(
            "unknown customer code (import customers first, or skip such rows with "
            "--skip-unknown-customers)",
            positions,
            file_headers(table).get("customer_code", "customer_code"),
            codes.to_numpy()[positions],
        )
    log.raise_if_any()
    frame["customer_id"] = customer_id.astype("Int64")
    known = frame[~unknown]
    already = _already_imported(session, known)
    action = pd.Series("added", index=frame.index, dtype=object)
    action[unknown] = "skipped"
    action[already[already].index] = "unchanged"
    report_rows = pd.DataFrame(
        {
            "row": table.row_numbers()[frame.index.to_numpy()],
            "key": codes + " " + frame["delivered_on"].dt.strftime("%Y-%m-%d"),
            "action": action,
            "changes": "",
            "warnings": np.where(unknown, "customer not in the customer table", ""),
        }
    )
    to_add = known[~already.reindex(known.index, fill_value=False)]
    if not dry_run and len(to_add):
        _insert(session, to_add, table.file)
    return ImportReport("history", table.file, dry_run, report_rows, problems=log.warnings)


def parse_history(table: Table, log: ProblemLog) -> pd.DataFrame:
    """Validate a history table into delivery columns (vectorised).

    Returns
    -------
    pandas.DataFrame
        ``customer_code``, ``delivered_on`` (datetime64), ``delivered_min`` (Int64),
        ``driver_name``, ``qty_*``, ``ret_*``, ``residual_kg``, ``flow_kg``; index = data row.

    Raises
    ------
    ImportFailed
        Every problem found.
    """
    aliases = dict(HEADER_ALIASES)
    if "customer_code" not in {HEADER_ALIASES.get(c, c) for c in table.frame.columns}:
        aliases["客戶"] = "customer_code"  # the customer workbook's name for the code
    raw = rename_columns(table.frame, aliases, log)
    require_columns(
        Table(raw, table.file, table.sheet, table.encoding),
        ("date", "customer_code"),
        log,
        hint="history needs 日期/date and 客戶編號/customer_code",
    )
    log.raise_if_any()
    n = len(raw)
    # Problems name a column as the file spells it (時間, 回收20公斤), not by our name for it.
    headers = file_headers(table)

    def shown(name: str) -> str:
        return headers.get(name, name)

    out = pd.DataFrame(index=raw.index)
    codes = on_uniques(raw["customer_code"], lambda u: u.str.replace(r"\.0$", "", regex=True))
    bad_code = ~on_uniques(codes, lambda u: u.str.fullmatch(r"\d{7}")).astype(bool)
    positions = np.flatnonzero(bad_code.to_numpy(dtype=bool))
    log.add_many(
        "expected a 7-digit customer code",
        positions,
        shown("customer_code"),
        codes.to_numpy()[positions],
    )
    out["customer_code"] = codes
    out["delivered_on"] = parse_roc_date(raw["date"], log, shown("date"))
    out["delivered_min"] = (
        parse_clock_column(raw["time"], log, shown("time"))
        if "time" in raw.columns
        else pd.array([pd.NA] * n, dtype="Int64")
    )
    out["driver_name"] = raw["driver"].str.slice(0, 50) if "driver" in raw.columns else ""

    def count(column: str) -> pd.Series:
        if column not in raw.columns:
            return pd.Series(0, index=raw.index, dtype="int64")
        values = parse_number(
            raw[column],
            log,
            shown(column),
            integer=True,
            maximum=MAX_CYLINDERS_PER_SIZE,
            what="cylinder count",
        )
        return values.fillna(0).astype("int64")

    def kg(column: str) -> pd.Series:
        if column not in raw.columns:
            return pd.Series(0.0, index=raw.index)
        return parse_number(raw[column], log, shown(column), what="number of kg").fillna(0.0)

    for size in SIZE_CLASSES_KG:
        total = count(f"qty_{size}kg")  # English header, if the file uses the template
        for product, product_size in PRODUCT_SIZES.items():
            if product_size == size:
                total = total + count(product)
        out[f"qty_{size}kg"] = total
    for size in SIZE_CLASSES_KG:
        out[f"ret_{size}kg"] = count(f"ret_{size}kg")
    out["residual_kg"] = kg("residual_kg")
    flow = kg("flow_kg")
    for column in FLOW_COLUMNS:
        flow = flow + kg(column)
    out["flow_kg"] = flow
    log.raise_if_any()
    return out


def file_headers(table: Table) -> dict[str, str]:
    """Our name of each column (``time``) -> its header in the file (``時間``)."""
    return {HEADER_ALIASES.get(c, c): c for c in table.frame.columns}


def _customer_ids(session: Session, codes: pd.Series) -> dict[str, int]:
    wanted = set(codes.unique()) - {""}
    rows = session.execute(select(Customer.code, Customer.id))
    return {code: cid for code, cid in rows if code in wanted}


def _key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalised key columns plus an occurrence number, so duplicates match one to one."""
    key = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype("int64"),
            "delivered_on": pd.to_datetime(frame["delivered_on"])
            .astype("datetime64[s]")
            .astype("int64"),
            "delivered_min": frame["delivered_min"].astype("Int64").fillna(-1).astype("int64"),
            "driver_name": frame["driver_name"].fillna("").astype(str),
            **{c: frame[c].astype("int64") for c in (*QTY, *RET)},
            "residual_kg": frame["residual_kg"].astype("float64").round(3),
            "flow_kg": frame["flow_kg"].astype("float64").round(3),
        },
        index=frame.index,
    )
    key["occurrence"] = key.groupby(list(KEY_COLUMNS), sort=False).cumcount()
    return key


def _already_imported(session: Session, frame: pd.DataFrame) -> pd.Series:
    """Mask (on ``frame.index``) of rows whose delivery is already in the database."""
    if frame.empty:
        return pd.Series(False, index=frame.index)
    first = frame["delivered_on"].min().date()
    last = frame["delivered_on"].max().date()
    table = _DELIVERIES
    # Dates come back as text (same ISO form on SQLite and PostgreSQL): no per-row parsing.
    selected = [
        cast(table.c[c], String).label(c) if c == "delivered_on" else table.c[c]
        for c in KEY_COLUMNS
    ]
    stmt = select(*selected).where(table.c.delivered_on.between(first, last))
    result = session.connection().execute(stmt)
    stored = pd.DataFrame.from_records([tuple(row) for row in result], columns=list(KEY_COLUMNS))
    if stored.empty:
        return pd.Series(False, index=frame.index)
    stored = stored[stored["customer_id"].isin(frame["customer_id"].unique())]
    stored["delivered_on"] = on_uniques(
        stored["delivered_on"], lambda u: pd.to_datetime(u.str.slice(0, 10), format="%Y-%m-%d")
    )
    stored["delivered_min"] = stored["delivered_min"].astype("Int64")
    stored["driver_name"] = stored["driver_name"].fillna("")
    mine = _key_frame(frame)
    theirs = _key_frame(stored)
    theirs["_found"] = True
    merged = mine.reset_index().merge(theirs, on=[*KEY_COLUMNS, "occurrence"], how="left")
    found = merged.set_index("index")["_found"].fillna(False).astype(bool)
    return found.reindex(frame.index, fill_value=False)


def _insert(session: Session, frame: pd.DataFrame, file: str) -> None:
    user = session_user(session)
    columns: dict[str, list[Any]] = {
        "customer_id": frame["customer_id"].astype("int64").tolist(),
        "delivered_on": _spread_dates(frame["delivered_on"]),
        "delivered_min": [
            None if m < 0 else m
            for m in frame["delivered_min"].astype("Int64").fillna(-1).astype("int64").tolist()
        ],
        "driver_name": frame["driver_name"].astype(str).tolist(),
        **{c: frame[c].astype("int64").tolist() for c in (*QTY, *RET)},
        "residual_kg": frame["residual_kg"].astype("float64").tolist(),
        "flow_kg": frame["flow_kg"].astype("float64").tolist(),
    }
    fixed = {
        "outcome": DeliveryOutcome.DELIVERED,
        "created_at": dt.datetime.now(dt.UTC),
        "created_by": user,
    }
    with session.begin_nested():
        bulk_insert(session.connection(), _DELIVERIES, columns, fixed)
        record_event(session, "import", "deliveries", {"file": file, "added": len(frame)})
        session.flush()


def _spread_dates(values: pd.Series) -> list[dt.date]:
    """Timestamps as dates, converting each distinct day once."""
    codes, uniques = pd.factorize(values)
    days = np.array([dt.date(u.year, u.month, u.day) for u in uniques], dtype=object)
    return days[codes].tolist()


def bulk_insert(
    connection: Connection,
    table: Table_,
    columns: dict[str, list[Any]],
    fixed: dict[str, Any] | None = None,
) -> int:
    """Insert many rows with one driver-level ``executemany``.

    SQLAlchemy's per-row parameter processing costs more than SQLite's own insert for
    hundreds of thousands of rows, so the statement is compiled once from a Core
    :func:`~sqlalchemy.insert` construct and the driver gets ready tuples. Each column's
    type conversion (e.g. dates to text on SQLite) is applied once per *distinct* value.

    Parameters
    ----------
    connection
        The connection of the session's transaction.
    table
        Target table.
    columns
        Column name -> one value per row (all the same length).
    fixed
        Column name -> one value for every row (e.g. who imported).

    Returns
    -------
    int
        Rows inserted.
    """
    fixed = fixed or {}
    names = [*columns, *fixed]
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    n = len(next(iter(columns.values()))) if columns else 0
    values: dict[str, list[Any]] = {}
    for name in names:
        # The dialect's own type (e.g. SQLite's DATETIME), whose processor formats values.
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if name in fixed:
            value = fixed[name]
            values[name] = [processor(value) if processor else value] * n
        elif processor is None:
            values[name] = columns[name]
        else:
            cache: dict[Any, Any] = {}
            values[name] = [
                cache[v] if v in cache else cache.setdefault(v, processor(v)) for v in columns[name]
            ]
    if compiled.positional:
        order = [compiled.binds[key].key for key in compiled.positiontup or ()]
        rows: list[Any] = list(zip(*(values[k] for k in order), strict=True))
    else:
        keys = list(values)
        rows = [dict(zip(keys, row, strict=True)) for row in zip(*values.values(), strict=True)]
    if rows:
        connection.exec_driver_sql(compiled.string, rows)
    return len(rows)
