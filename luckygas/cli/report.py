"""``luckygas report``: the day's shareable HTML report, and optionally sheets and Excel."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from luckygas.cli._common import CommandError, add_command, date_arg


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to the command line."""
    p = add_command(
        sub,
        "report",
        "write a day's plan as one HTML report (opens offline), plus route sheets / Excel",
        _report,
    )
    p.add_argument("--date", type=date_arg, required=True, help="delivery date YYYY-MM-DD")
    p.add_argument(
        "--plan",
        type=int,
        metavar="PLAN_ID",
        help="saved plan (default: the latest published, else the latest draft)",
    )
    p.add_argument("--scenario", help="name of a saved scenario to compare with the plan")
    p.add_argument(
        "--output", type=Path, help="HTML file (default out/report-<date>[-<scenario>].html)"
    )
    p.add_argument(
        "--redact",
        action="store_true",
        help="for sharing: mask names and phones, cut addresses to the road, drop customer "
        "codes and notes, round locations to ~100 m",
    )
    p.add_argument("--sheets", type=Path, metavar="DIR", help="also write driver route sheets here")
    p.add_argument(
        "--excel", type=Path, metavar="FILE.xlsx", help="also write the plan workbook (+ .csv)"
    )
    p.add_argument("--no-html", action="store_true", help="skip the HTML report")
    p.add_argument(
        "--quiet", action="store_true", help="no progress bars (they show only on a terminal)"
    )


def _report(args: argparse.Namespace) -> int:
    from luckygas.reports import ReportError, write_report

    _check_outputs(args)
    written: list[Path] = []
    if args.sheets or args.excel:
        written += _sheets_and_excel(args)
    if not args.no_html:
        try:
            written.append(
                write_report(
                    args.date,
                    database_url=args.database_url,
                    plan_id=args.plan,
                    scenario=args.scenario,
                    output=args.output,
                    redact=args.redact,
                    progress=False if args.quiet else None,
                )
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
    for path in written:
        print(path)
    return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse a wrong suffix or the database as an output before any work is done."""
    from luckygas.outputs import check_output_path

    if args.excel:
        check_output_path(args.excel, (".xlsx",), database_url=args.database_url)
        check_output_path(args.excel.with_suffix(".csv"), (".csv",), database_url=args.database_url)
    if args.output and not args.no_html:
        check_output_path(args.output, (".html",), database_url=args.database_url)
    if args.sheets and args.sheets.exists() and not args.sheets.is_dir():
        raise CommandError(f"{args.sheets} is a file; --sheets takes a folder")


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal (never in logs or pipes), and never with --quiet."""
    return not args.quiet and sys.stderr.isatty()


def _sheets_and_excel(args: argparse.Namespace) -> list[Path]:
    from luckygas.db import make_engine, session_scope
    from luckygas.reports import (
        load_plan_data,
        write_plan_workbook,
        write_route_sheets,
        write_stops_csv,
    )

    engine = make_engine(args.database_url)
    out: list[Path] = []
    try:
        with session_scope(engine, user=args.user, write=False) as session:
            try:
                data = load_plan_data(
                    session, args.date, plan_id=args.plan, progress=_progress(args)
                )
            except LookupError as exc:
                raise CommandError(str(exc)) from exc
        if data.source == "solved":
            print(f"note: no saved plan for {args.date}; solved one for these outputs (not saved)")
        elif data.draft_notice:
            print(f"note: plan {data.plan_id} is a draft, not published; the outputs say so")
        if args.sheets:
            out += write_route_sheets(None, data, args.sheets, redact=args.redact)[:1]
        if args.excel:
            db = args.database_url
            out.append(write_plan_workbook(data, args.excel, redact=args.redact, database_url=db))
            csv = args.excel.with_suffix(".csv")
            out.append(write_stops_csv(data, csv, redact=args.redact, database_url=db))
    finally:
        engine.dispose()
    return out
