"""``luckygas demo-data`` (build the demo database) and ``luckygas demo`` (the guided demo).

``luckygas demo`` is the product's front door: it makes sure a demo database exists,
then runs its stages in order (see :func:`run_demo`). Later stages (plan the next
delivery day, write the report) are added to :data:`DEMO_STAGES`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luckygas.cli._common import CommandError, add_command, show_progress
from luckygas.cli._guard import add_yes_option, guard_destructive
from luckygas.domain import format_windows


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``demo-data`` and ``demo``."""
    data = add_command(
        sub,
        "demo-data",
        "build the reproducible demo database (customers, fleet, 2 years of history, "
        "tomorrow's orders)",
        _demo_data,
    )
    _add_build_options(data)
    data.add_argument(
        "--force",
        action="store_true",
        help="replace an existing database: drops luckygas's tables (other tables are kept) "
        "after a backup; needs the admin role and the database name typed, or --yes",
    )
    add_yes_option(data)
    demo = add_command(
        sub,
        "demo",
        "the main job: demo database (built if missing), plan the next delivery day, "
        "write the report and route sheets",
        run_demo,
    )
    _add_build_options(demo)
    demo.add_argument("--no-progress", action="store_true", help="no progress bars")
    demo.add_argument(
        "--time-limit", type=float, default=10.0, help="seconds of search for the plan (10)"
    )
    demo.add_argument(
        "--output-dir", default="out", help="where the report and route sheets go (out/)"
    )


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=None, help="random seed (default 20261201)")
    parser.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="last day of the history; orders are for the next day (default 2026-11-30)",
    )
    parser.add_argument(
        "--customers", type=int, default=None, metavar="N", help="number of customers (1267)"
    )
    parser.add_argument(
        "--history-days", type=int, default=None, metavar="N", help="days of history (731)"
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _params(args: argparse.Namespace):
    from luckygas.demo import DemoParams

    kwargs: dict[str, Any] = {}
    if getattr(args, "seed", None) is not None:
        kwargs["seed"] = args.seed
    if getattr(args, "as_of", None) is not None:
        kwargs["as_of"] = args.as_of
    if getattr(args, "customers", None) is not None:
        kwargs["n_customers"] = args.customers
    if getattr(args, "history_days", None) is not None:
        kwargs["history_days"] = args.history_days
    try:
        return DemoParams(**kwargs)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


# ---------------------------------------------------------------------------
# demo-data
# ---------------------------------------------------------------------------


def _demo_data(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DatabaseError, OperationalError

    from luckygas.config import resolve_database_url

    url = resolve_database_url(args.database_url)
    params = _params(args)
    try:
        has_data = _has_data(url)
    except DatabaseError as exc:
        # A server that cannot be reached (OperationalError) fails as in every command;
        # a file that is not a database, with --force, goes to the guard below, which
        # refuses to replace what it cannot read, in its own words.
        if not args.force or isinstance(exc, OperationalError):
            raise
        has_data = True
    if has_data:
        if not args.force:
            raise CommandError(f"{_safe(url)} already holds data; add --force to replace it")
        guard_destructive(args, url, "replace the database with the demo (deletes its data)")
        _wipe(url)
    summary = _build(url, params, progress=show_progress(args), admin=getattr(args, "user", None))
    print(f"demo database written to {_safe(url)}")
    for line in summary.lines():
        print(f"  {line}")
    return 0


def _build(url: str, params, *, progress: bool, admin: str | None = None):
    """Build the demo at ``url``; ``admin`` (``--user``, else the environment's user) is
    registered as its admin, so whoever built it can write to it."""
    from luckygas.db import make_engine
    from luckygas.demo import DemoDatabaseError, build_demo_database

    _sqlite_parent(url)
    engine = make_engine(url)
    try:
        return build_demo_database(engine, params, progress=progress, admin=admin)
    except DemoDatabaseError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        engine.dispose()


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def _sqlite_parent(url: str) -> None:
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _has_data(url: str) -> bool:
    """True if the database holds data: rows beyond what an empty schema brings.

    A database made by ``luckygas db upgrade`` and nothing else (the README's order of
    steps) holds tables and reference data only, which is not data: the demo is built
    into it without ``--force`` (see :func:`luckygas.schema.tables_with_data`). A
    database that cannot be reached or read raises the driver's error, which the command
    line prints as the same one line for every command.
    """
    path = _sqlite_path(url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return False
    from luckygas.schema import tables_with_data

    return bool(tables_with_data(url))


def _wipe(url: str) -> None:
    """Drop luckygas's own tables; other tables in the file or schema are left alone.

    Also on SQLite the tables are dropped rather than the file deleted: colleagues may
    have it open, and deleting a database in WAL mode under them loses their writes.
    """
    from luckygas.backup import drop_own_tables
    from luckygas.db import make_engine

    engine = make_engine(url)
    try:
        drop_own_tables(engine)
    except Exception as exc:
        # The driver's first line names the cause (e.g. another table's foreign key).
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CommandError(f"cannot empty {_safe(url)}, nothing was changed: {reason}") from exc
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------


@dataclass
class DemoContext:
    """What the demo stages share: the arguments, the database and what earlier stages found."""

    args: argparse.Namespace
    url: str
    progress: bool
    engine: Any = None
    summary: Any = None
    results: dict[str, Any] = field(default_factory=dict)


def stage_ensure_database(ctx: DemoContext) -> None:
    """Stage 1: build the demo database when the configured one is missing or empty
    (an empty schema, e.g. after ``luckygas db upgrade``, is empty)."""
    has_data = _has_data(ctx.url)
    if has_data and _has_customers(ctx.url):
        print(f"using the database at {_safe(ctx.url)}")
        return
    if has_data:
        raise CommandError(
            f"{_safe(ctx.url)} holds data but no customers; "
            "run `luckygas demo-data --force` to replace it with the demo"
        )
    path = _sqlite_path(ctx.url)
    where = "no database" if path is not None and not path.exists() else "no data"
    print(f"{where} at {_safe(ctx.url)}: building the demo (a few seconds)")
    ctx.summary = _build(
        ctx.url, _params(ctx.args), progress=ctx.progress, admin=getattr(ctx.args, "user", None)
    )


def stage_describe(ctx: DemoContext) -> None:
    """Stage 2: print what is in the database (customers, fleet, history, next day's orders)."""
    from luckygas.db import make_engine

    engine = make_engine(ctx.url)
    try:
        with engine.connect() as conn:
            lines, next_day = describe_database(conn)
    finally:
        engine.dispose()
    ctx.results["next_delivery_date"] = next_day
    print("\n".join(lines))


def stage_plan(ctx: DemoContext) -> None:
    """Stage 3: optimize the next delivery day and save it as a draft plan."""
    from luckygas.bridge.persist import save_plan
    from luckygas.bridge.planning import plan_day
    from luckygas.db import make_engine, session_scope
    from luckygas.optimize import SolverParams

    day = ctx.results.get("next_delivery_date")
    if day is None:
        print("\nno open orders: nothing to plan")
        return
    engine = make_engine(ctx.url)
    try:
        with session_scope(engine, user=ctx.args.user) as session:
            params = SolverParams(time_limit_s=ctx.args.time_limit)
            print(f"\nplanning {day:%Y-%m-%d (%a)} ({params.time_limit_s:g} s of search)")
            problem, result = plan_day(session, day, params, progress=ctx.progress)
            plan = save_plan(session, problem, result, name="demo plan")
            print(result.summary())
            print(f"saved draft plan {plan.id} '{plan.name}'")
            ctx.results["plan_id"] = plan.id
    finally:
        engine.dispose()


def stage_report(ctx: DemoContext) -> None:
    """Stage 4: write the HTML report, the drivers' route sheets and the Excel workbook."""
    from luckygas.db import make_engine, session_scope
    from luckygas.reports import (
        load_plan_data,
        write_plan_workbook,
        write_report,
        write_route_sheets,
    )

    plan_id = ctx.results.get("plan_id")
    day = ctx.results.get("next_delivery_date")
    if plan_id is None or day is None:
        return
    outdir = Path(ctx.args.output_dir) / day.isoformat()
    report = write_report(
        day,
        database_url=ctx.url,
        plan_id=plan_id,
        output=outdir / f"report-{day.isoformat()}.html",
        progress=ctx.progress,
    )
    engine = make_engine(ctx.url)
    try:
        with session_scope(engine, user=ctx.args.user, write=False) as session:
            sheets = write_route_sheets(session, plan_id, outdir / "route-sheets")
            data = load_plan_data(session, day, plan_id=plan_id)
        workbook = write_plan_workbook(
            data, outdir / f"plan-{day.isoformat()}.xlsx", database_url=ctx.url
        )
    finally:
        engine.dispose()
    print("\nwritten:")
    print(f"  report        {report.resolve()}")
    print(f"  route sheets  {sheets[0].resolve()}  ({len(sheets) - 2} routes)")
    print(f"  workbook      {workbook.resolve()}")


#: The stages of ``luckygas demo`` in order.
DEMO_STAGES: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("database", stage_ensure_database),
    ("describe", stage_describe),
    ("plan", stage_plan),
    ("report", stage_report),
]


def run_demo(args: argparse.Namespace) -> int:
    """Run ``luckygas demo``: every stage of :data:`DEMO_STAGES` in order.

    Parameters
    ----------
    args
        Parsed command line (``database_url``, ``user``, ``seed``, ``as_of``,
        ``no_progress``).

    Returns
    -------
    int
        Exit code (0 on success); a failing stage raises :class:`CommandError`.
    """
    from luckygas.config import resolve_database_url

    ctx = DemoContext(
        args=args,
        url=resolve_database_url(args.database_url),
        progress=show_progress(args),
    )
    for _name, stage in DEMO_STAGES:
        stage(ctx)
    return 0


def _has_customers(url: str) -> bool:
    from luckygas.db import make_engine
    from luckygas.queries import has_customers

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return has_customers(conn)
    finally:
        engine.dispose()


def describe_database(conn) -> tuple[list[str], dt.date | None]:
    """A readable summary of a luckygas database.

    Parameters
    ----------
    conn
        Open connection (read only).

    Returns
    -------
    lines, next_delivery_date
        The text, and the earliest date with pending orders (``None`` if there are none).
    """
    from luckygas import queries
    from luckygas.domain import ZONES_BY_CODE
    from luckygas.textwidth import pad

    lines: list[str] = []
    n_customers, active = queries.customer_counts(conn)
    lines.append(f"Customers: {n_customers:,} ({active:,} active)")
    for code, count in queries.customers_by_zone(conn):
        zone = ZONES_BY_CODE.get(code or "")
        label = zone.label if zone else (code or "(none)")
        lines.append(f"  {pad(label, 12)} {count:>5}  {count / max(n_customers, 1):6.1%}")

    lines.append("Fleet:")
    for v in queries.fleet_overview(conn):
        start, end = v["shift_start_min"], v["shift_end_min"]
        shift = format_windows([(start, end)]) if start else ""
        driver = v["driver_name"] or "-"
        lines.append(
            f"  {v['plate']:<9} {pad(v['name'], 14)} {v['vehicle_type']!s:<12} "
            f"{v['max_kg']:>6,.0f} kg x {v['max_trips']:<2} trips  {driver} {shift}"
        )

    first, last, rows = queries.history_span(conn)
    lines.append(f"History: {rows:,} deliveries from {first} to {last}")

    next_day = queries.next_pending_day(conn)
    if next_day is None:
        lines.append("Open orders: none")
        return lines, None
    by_priority = queries.pending_orders_by_priority(conn, next_day)
    required = {p: c for p, opt, c in by_priority if not opt}
    optional = sum(c for _p, opt, c in by_priority if opt)
    total = sum(required.values())
    lines.append(f"Open orders for {next_day}: {total} required, {optional} optional (forecast)")
    for priority in ("emergency", "urgent", "normal"):
        lines.append(f"  {priority:<10} {required.get(priority, 0):>4}")
    return lines, next_day
