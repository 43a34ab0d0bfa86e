"""Import customers from the real 76-column workbook or the English template.

The work is in two modules: :mod:`.customers_parse` reads either layout and encodes every
field into canonical records (the column-by-column rules are described there), and
:mod:`.customers_write` compares the records with the database and writes them all or
nothing. This module is the entry point and keeps the public names in one place.
"""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from luckygas.audit import Action, authorize
from luckygas.domain import Window as Window
from luckygas.domain import format_windows as format_windows
from luckygas.domain import hours_to_windows as hours_to_windows
from luckygas.domain import windows_to_hours as windows_to_hours
from luckygas.importers import layouts as L
from luckygas.importers.customers_parse import CHILD_FIELDS as CHILD_FIELDS
from luckygas.importers.customers_parse import SCALAR_FIELDS as SCALAR_FIELDS
from luckygas.importers.customers_parse import TEMPLATE_REQUIRED as TEMPLATE_REQUIRED
from luckygas.importers.customers_parse import WORKBOOK_FIELDS as WORKBOOK_FIELDS
from luckygas.importers.customers_parse import ParsedCustomers as ParsedCustomers
from luckygas.importers.customers_parse import Record as Record
from luckygas.importers.customers_parse import detect_layout as detect_layout
from luckygas.importers.customers_parse import format_cylinder_list as format_cylinder_list
from luckygas.importers.customers_parse import parse_customers as parse_customers
from luckygas.importers.customers_parse import parse_cylinder_list as parse_cylinder_list
from luckygas.importers.customers_parse import parse_installed_set as parse_installed_set
from luckygas.importers.customers_parse import parse_rest_days as parse_rest_days
from luckygas.importers.customers_parse import parse_windows as parse_windows
from luckygas.importers.customers_parse import resolve_zone as resolve_zone
from luckygas.importers.customers_parse import rest_days_text as rest_days_text
from luckygas.importers.customers_parse import township_of as township_of
from luckygas.importers.customers_write import (
    compare_records,
    load_existing,
    report_rows,
    write_customers,
)
from luckygas.importers.customers_write import record_of as record_of
from luckygas.importers.readers import ReadOptions, read_table
from luckygas.importers.report import ImportReport


def import_customers(
    session: Session,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    options: ReadOptions | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import (add or update) customers from the workbook or the English template.

    Parameters
    ----------
    session
        Open session; the writes join its transaction (the caller commits, e.g. through
        :func:`luckygas.db.session_scope`). They run in a savepoint, so a database error
        leaves nothing behind. ``session.info["user"]`` is recorded as the author.
    path
        ``.xlsx`` (sheet ``客戶資料`` or ``customers``) or ``.csv`` file.
    dry_run
        Validate and compare only; write nothing.
    options
        Sheet and size limit (:class:`~luckygas.importers.readers.ReadOptions`).
    strict
        Refuse the file for problems in derived or informational columns too (e.g. a
        negative 平均日使用), instead of importing it with warnings.

    Returns
    -------
    ImportReport
        Per row: added / updated / unchanged, the changed fields, and warnings such as
        ``no coordinates``; in ``problems`` the cell warnings (row, column, value, what
        was done).

    Raises
    ------
    ImportFailed
        With every error in the file (row, column, value, reason) and the warnings found
        with them; nothing is written.
    """
    if not dry_run:  # a dry run writes nothing, so any reader may check a file
        authorize(session, Action.IMPORT)
    table = read_table(path, default_sheets=(L.WORKBOOK_SHEET, "customers"), options=options)
    parsed = parse_customers(table, strict=strict)
    existing = load_existing(session)
    actions, changes = compare_records(parsed, existing)
    rows = report_rows(parsed, actions, changes, existing)
    if not dry_run and any(a != "unchanged" for a in actions):
        write_customers(session, parsed, actions, existing, table.file)
    return ImportReport("customers", table.file, dry_run, rows, parsed.notes, parsed.problems)
