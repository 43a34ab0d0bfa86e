"""``luckygas plan``: solve a day from the database and save it as a draft plan."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from luckygas.cli._common import CommandError, add_command, date_arg, show_progress

if TYPE_CHECKING:
    from luckygas.optimize import SolverParams


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``plan`` and ``plans`` to the command line."""
    p = add_command(sub, "plan", "optimize a delivery day and save it as a draft plan", _plan)
    p.add_argument(
        "--date", type=date_arg, help="delivery date YYYY-MM-DD (default: next open day)"
    )
    p.add_argument(
        "--params",
        type=Path,
        metavar="FILE",
        help="solver parameters from a .toml or .json file (the flags below override it)",
    )
    p.add_argument("--time-limit", type=float, help="seconds of search (default 10)")
    p.add_argument(
        "--vehicles", help="comma-separated plates available (default: the whole active fleet)"
    )
    p.add_argument("--name", help="plan name (default 'draft HH:MM')")
    p.add_argument("--no-optional", action="store_true", help="leave optional forecast orders out")
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="same input gives the same plan: the search stops after a count of "
        "solutions, not the clock (--time-limit is then only a safety net)",
    )
    p.add_argument("--seed", type=int, help="random seed of the search (default 0)")
    p.add_argument("--no-save", action="store_true", help="print the plan without saving it")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add_command(sub, "plans", "list saved plans, or publish one", _plans)
    p.add_argument("--date", type=date_arg, help="only plans of this date")
    p.add_argument("--publish", type=int, metavar="PLAN_ID", help="publish a draft (manager/admin)")
    p.add_argument(
        "--confirm-stale",
        "--force",
        dest="confirm_stale",
        action="store_true",
        help="publish even though orders changed since the plan was computed",
    )


def _params(args: argparse.Namespace) -> SolverParams:
    """The file's parameters (or the defaults) with the flags given on top."""
    from luckygas.optimize import SolverParams

    try:
        base = SolverParams.from_file(args.params) if args.params else SolverParams()
        changes: dict[str, Any] = {}
        if args.time_limit is not None:
            changes["time_limit_s"] = args.time_limit
        if args.seed is not None:
            changes["seed"] = args.seed
        if args.deterministic:
            changes["deterministic"] = True
        return base.replace(**changes)
    except (OSError, ValueError) as exc:  # tomllib's and json's errors are ValueErrors
        raise CommandError(f"solver parameters: {exc}") from exc


def _plan(args: argparse.Namespace) -> int:
    from luckygas import queries
    from luckygas.audit import Action, authorize
    from luckygas.bridge.persist import save_plan
    from luckygas.bridge.planning import next_delivery_day, plan_day
    from luckygas.db import make_engine, session_scope

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user) as session:
            if not args.no_save:  # before minutes of solving, not after
                authorize(session, Action.SAVE_DRAFT)
            day = args.date or next_delivery_day(session)
            if day is None:
                raise CommandError("no open orders in the database: nothing to plan")
            vehicle_ids = None
            if args.vehicles:
                plates = [p.strip() for p in args.vehicles.split(",") if p.strip()]
                found = queries.vehicle_ids_by_plate(session, plates)
                if unknown := [p for p in plates if p not in found]:
                    raise CommandError(f"unknown vehicle plate(s): {', '.join(unknown)}")
                vehicle_ids = [found[p] for p in dict.fromkeys(plates)]
            params = _params(args)
            if not queries.has_plannable_orders(session, day):
                # An empty day would be saved as a 0/0 draft that `report` then shows.
                raise CommandError(f"no orders on {day}: nothing to plan")
            problem, result = plan_day(
                session,
                day,
                params,
                vehicle_ids=vehicle_ids,
                include_optional=not args.no_optional,
                progress=show_progress(args),
            )
            if not problem.orders:  # e.g. only optional orders, left out by --no-optional
                raise CommandError(f"no orders to plan on {day}: nothing saved")
            print(f"Plan for {day:%Y-%m-%d (%a)}: {len(problem.orders)} orders")
            print(result.summary())
            if len(result.unassigned):
                numbers = queries.order_numbers(session, result.unassigned["order_id"])
                print("\nNot served:")
                for u in result.unassigned.itertuples(index=False):
                    print(f"  {numbers.get(u.order_id, u.order_id)} {u.customer_name}: {u.reason}")
            if not args.no_save:
                plan = save_plan(session, problem, result, name=args.name)
                print(f"\nSaved draft plan {plan.id} '{plan.name}'.")
    finally:
        engine.dispose()
    return 0


def _plans(args: argparse.Namespace) -> int:
    from luckygas import queries
    from luckygas.db import make_engine, session_scope
    from luckygas.staleness import plans_changes

    engine = make_engine(args.database_url)
    try:
        # Listing only reads (a reader blocks no colleague); publishing writes.
        write = args.publish is not None
        with session_scope(engine, user=args.user, write=write) as session:
            if args.publish is not None:
                return _publish(session, args.publish, confirm_stale=args.confirm_stale)
            frame = queries.plans(session, args.date)
            if not len(frame):
                print("No plans.")
                return 0
            changes = plans_changes(session, [int(i) for i in frame["id"]])
            print(_plans_table(frame.assign(changed=frame["id"].map(changes))))
    finally:
        engine.dispose()
    return 0


def _publish(session: Any, plan_id: int, *, confirm_stale: bool) -> int:
    """Publish one plan; a stale one only with ``--confirm-stale``."""
    from luckygas.plans import StalePlanError, get_plan, publish_plan

    try:
        plan = get_plan(session, plan_id)
        publish_plan(session, plan, allow_stale=confirm_stale)
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    except StalePlanError as exc:
        raise CommandError(
            f"plan {plan_id} not published, it is out of date: "
            f"{exc.changes.describe()[:-1]}; re-plan the day, or publish it anyway with "
            "--confirm-stale (or --force)."
        ) from None
    print(f"Published plan {plan.id} '{plan.name}' for {plan.plan_date}.")
    return 0


def _plans_table(frame: Any) -> str:
    """Saved plans as a readable table: one line each, KPIs and staleness as columns."""
    kpis = frame["kpis"].map(lambda k: k or {})
    view = frame.assign(
        date=frame["plan_date"].dt.strftime("%Y-%m-%d"),
        served=kpis.map(lambda k: f"{k.get('served', 0)}/{k.get('orders', 0)}"),
        km=kpis.map(lambda k: f"{k.get('distance_km', 0):,.0f}"),
        cost=kpis.map(lambda k: f"{k.get('cost', 0):,.0f}"),
        created=frame["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
        published=frame["published_by"].fillna("").astype(str),
        **{"changed since": frame["changed"].map(lambda c: c.short())},
    )
    columns = ["id", "date", "name", "status", "routes", "served", "km", "cost", "created_by",
               "created", "published", "changed since"]  # fmt: skip
    return view[columns].to_string(index=False)
