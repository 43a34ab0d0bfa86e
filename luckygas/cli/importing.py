"""``luckygas import|template|geocode|export-customers``: getting real data in and out.

Examples::

    luckygas import customers "2025-05 commercial client list.xlsx" --dry-run
    luckygas import customers "2025-05 commercial client list.xlsx" --strict
    luckygas import history deliveries.csv --skip-unknown-customers
    luckygas template customers customers.xlsx
    luckygas geocode --from-file coords.csv
    luckygas geocode --service nominatim --user-agent "luckygas (ops@example.com)"
    luckygas export-customers customers.xlsx
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from luckygas.cli._common import CommandError, add_command

#: Changed rows printed after an import (all of them are in the report DataFrame).
SHOW_ROWS = 30


def register(sub: argparse._SubParsersAction) -> None:
    """Add the import, template, geocode and export-customers commands."""
    p = add_command(sub, "import", "import customers, orders or delivery history", _import)
    p.add_argument("kind", choices=("customers", "orders", "history"))
    p.add_argument("file", type=Path, help="CSV or Excel file")
    p.add_argument("--dry-run", action="store_true", help="validate and compare; write nothing")
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse the file for problems in derived or informational columns too "
        "(e.g. 平均日使用, 月配送量, billing words), instead of importing it with warnings",
    )
    p.add_argument("--sheet", help="worksheet to read (customers: default 客戶資料)")
    p.add_argument("--max-mb", type=float, help="refuse larger files (default 40)")
    p.add_argument(
        "--skip-unknown-customers",
        action="store_true",
        help="history: skip rows of customers not in the customer table instead of failing",
    )
    p.add_argument("--show", type=int, default=SHOW_ROWS, help="changed rows to print")

    p = add_command(sub, "template", "write a blank English-header import template", _template)
    p.add_argument("kind", choices=("customers", "orders", "history"))
    p.add_argument("file", type=Path, nargs="?", help=".csv or .xlsx (default: print CSV)")

    p = add_command(sub, "geocode", "fill missing customer coordinates", _geocode)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-file", type=Path, help="CSV/Excel with code, lat, lng")
    source.add_argument("--service", choices=("nominatim",), help="geocoding service (internet)")
    p.add_argument("--user-agent", help="identifies you to the service (its policy requires it)")
    p.add_argument("--cache", type=Path, help="JSON cache of answers (default data/)")
    p.add_argument("--limit", type=int, help="look up at most this many customers")
    p.add_argument("--dry-run", action="store_true", help="--from-file only: write nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = add_command(
        sub, "export-customers", "write customers to Excel in the workbook layout", _export
    )
    p.add_argument("file", type=Path, help=".xlsx (or .csv with --layout template)")
    p.add_argument("--layout", choices=("workbook", "template"), default="workbook")


def _session(args: argparse.Namespace):
    from luckygas.db import make_engine, session_scope

    return session_scope(make_engine(args.database_url), user=args.user)


def _print_report(report, show: int) -> None:
    print(report.summary())
    for note in report.notes:
        print(f"note: {note}")
    _print_cell_warnings(report, show)
    changed = report.changed
    if len(changed) and show > 0:
        print(changed.head(show).to_string(index=False, max_colwidth=80))
        if len(changed) > show:
            print(f"... and {len(changed) - show:,} more changed rows")
    warned = report.warnings
    if len(warned):
        counts = warned["warnings"].str.split("; ").explode().value_counts()
        for text, n in counts.head(10).items():
            print(f"warning: {n:,} row(s): {text}")


def _print_cell_warnings(report, show: int) -> None:
    """The cells imported with a warning, as the same table errors are printed in."""
    table = report.problem_frame()
    if not len(table) or show <= 0:
        return  # the summary line still counts them
    print(table.head(show).to_string(index=False, max_colwidth=100))
    if len(table) > show:
        print(f"... and {len(table) - show:,} more cell warnings (report.problems in Python)")


def _fail(exc) -> CommandError:
    """File-level problems as one line each; a table only for row/column problems."""
    lines = exc.lines()
    table = exc.display_frame()
    if not len(table) and len(lines) == 1:
        # Not found, unreadable, no such sheet: one clear line says it all.
        return CommandError(f"{lines[0]}; nothing was imported")
    for line in lines:
        print(line, file=sys.stderr)
    if len(table):
        print(table.to_string(index=False, max_colwidth=100), file=sys.stderr)
    n, warned = len(exc.errors), len(exc.warnings)
    text = f"{n} problem{'s' if n != 1 else ''} found"
    if warned:
        text += f" (and {warned} warning{'s' if warned != 1 else ''})"
    return CommandError(f"{text}; nothing was imported")


def _options(args: argparse.Namespace):
    from luckygas.importers.readers import ReadOptions

    if args.max_mb is not None:
        return ReadOptions(sheet=args.sheet, max_bytes=int(args.max_mb * 2**20))
    return ReadOptions(sheet=args.sheet)


def _import(args: argparse.Namespace) -> int:
    from luckygas.importers import ImportFailed, import_customers, import_history, import_orders

    options, dry_run, strict = _options(args), args.dry_run, args.strict
    try:
        with _session(args) as session:
            if args.kind == "customers":
                report = import_customers(
                    session, args.file, dry_run=dry_run, options=options, strict=strict
                )
            elif args.kind == "orders":
                report = import_orders(
                    session, args.file, dry_run=dry_run, options=options, strict=strict
                )
            else:
                report = import_history(
                    session,
                    args.file,
                    dry_run=dry_run,
                    options=options,
                    strict=strict,
                    unknown_customers="skip" if args.skip_unknown_customers else "error",
                )
    except ImportFailed as exc:
        raise _fail(exc) from None
    _print_report(report, args.show)
    return 0


def _template(args: argparse.Namespace) -> int:
    from luckygas.importers import write_template

    text = write_template(args.kind, args.file)
    if args.file is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {args.file}")
    return 0


def _geocode(args: argparse.Namespace) -> int:
    from luckygas.importers import ImportFailed, ServiceOptions
    from luckygas.importers.geocode import (
        DEFAULT_CACHE_PATH,
        DEFAULT_USER_AGENT,
        geocode_from_file,
        geocode_with_service,
    )

    try:
        with _session(args) as session:
            if args.from_file is not None:
                report = geocode_from_file(session, args.from_file, dry_run=args.dry_run)
            else:
                options = ServiceOptions(
                    user_agent=args.user_agent or DEFAULT_USER_AGENT,
                    cache_path=args.cache or DEFAULT_CACHE_PATH,
                    limit=args.limit,
                    progress=not args.no_progress,
                )
                report = geocode_with_service(session, options=options)
    except ImportFailed as exc:
        raise _fail(exc) from None
    _print_report(report, SHOW_ROWS)
    return 0


def _export(args: argparse.Namespace) -> int:
    from luckygas.importers import export_customers

    with _session(args) as session:
        try:
            n = export_customers(session, args.file, layout=args.layout)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    print(f"wrote {n:,} customers to {args.file}")
    return 0
