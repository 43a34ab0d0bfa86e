"""Getting real data in (and back out): customers, orders, delivery history, coordinates.

Every import validates the whole file first and reports *all* problems at once
(:class:`ImportFailed`, with file, row, column, value and reason), then writes in one
transaction: everything or nothing. Each returns an :class:`ImportReport` whose
``rows`` DataFrame says per input row whether it was added, updated or unchanged and
what changed; ``dry_run=True`` computes the same report and writes nothing.

Only columns the workbench relies on can refuse a file. A bad cell in a derived column
(a statistic the old system computed, such as 平均日使用) or an informational one (free
text, billing words) is a warning in ``ImportReport.problems``, naming what was done with
the cell, and the import goes on; ``strict=True`` (``--strict``) refuses it instead.
Which column is which is decided in one place, :mod:`.layouts` (:class:`.layouts.Role`).
"""

from __future__ import annotations

from luckygas.importers.customers import import_customers, parse_customers
from luckygas.importers.errors import ImportFailed, ImportProblem
from luckygas.importers.export import customers_frame, export_customers
from luckygas.importers.geocode import (
    ServiceOptions,
    geocode_from_file,
    geocode_with_service,
)
from luckygas.importers.history import import_history
from luckygas.importers.orders import import_orders
from luckygas.importers.readers import ReadOptions, read_table
from luckygas.importers.report import ImportReport
from luckygas.importers.templates import write_template

__all__ = [
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "ReadOptions",
    "ServiceOptions",
    "customers_frame",
    "export_customers",
    "geocode_from_file",
    "geocode_with_service",
    "import_customers",
    "import_history",
    "import_orders",
    "parse_customers",
    "read_table",
    "write_template",
]
