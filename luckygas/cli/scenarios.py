"""``luckygas scenarios``: create, list, run, compare and sweep what-if scenarios."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from luckygas.cli._common import CommandError, add_command, date_arg
from luckygas.domain import minutes_from_hhmm


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``scenarios`` and its sub-commands to the command line."""
    group = add_command(
        sub, "scenarios", "what-if scenarios: create, list, run, compare, sweep", _help
    )
    ssub = group.add_subparsers(dest="scenarios_command", metavar="ACTION")

    p = add_command(ssub, "create", "save a named set of changes to a day", _create)
    p.add_argument("name")
    p.add_argument("--description", default="")
    p.add_argument(
        "--remove-vehicle",
        action="append",
        default=[],
        metavar="PLATE",
        help="take this vehicle out of the fleet (repeatable)",
    )
    p.add_argument(
        "--remove-type",
        action="append",
        default=[],
        metavar="TYPE[:N]",
        help="remove N (default 1) vehicles of a type: motorcycle, car, light_truck",
    )
    p.add_argument(
        "--vehicle-count",
        action="append",
        default=[],
        metavar="TYPE:N",
        help="set the number of vehicles of a type",
    )
    p.add_argument(
        "--add-vehicle",
        action="append",
        default=[],
        metavar="TYPE[:N]",
        help="add N vehicles of a type, cloned from the first one in the fleet",
    )
    p.add_argument(
        "--demand",
        type=float,
        default=1.0,
        metavar="X",
        help="multiply every order's cylinders (rounded up per size)",
    )
    p.add_argument(
        "--widen-windows",
        type=int,
        default=0,
        metavar="MIN",
        help="widen every window by MIN minutes on both sides (negative narrows)",
    )
    p.add_argument("--shift-start", type=_hhmm, metavar="HH:MM")
    p.add_argument("--shift-end", type=_hhmm, metavar="HH:MM")
    p.add_argument("--shift-length", type=float, metavar="HOURS")
    p.add_argument(
        "--break",
        dest="break_",
        metavar="HH:MM-HH:MM/MIN",
        help="break window and minutes for every driver, e.g. 12:00-14:00/45",
    )
    p.add_argument("--no-break", action="store_true", help="no breaks")
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        metavar="X",
        help="vehicle speed factor (0.8 = 20%% slower: rain, traffic)",
    )
    p.add_argument(
        "--service-time", type=float, default=1.0, metavar="X", help="multiply every service time"
    )
    p.add_argument("--depot", metavar="LAT,LNG", help="a moved depot")
    p.add_argument(
        "--solver",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="solver setting override, e.g. time_limit_s=20 (repeatable)",
    )
    p.add_argument("--replace", action="store_true", help="overwrite a scenario of that name")

    add_command(ssub, "list", "list stored scenarios (and the built-in presets)", _list)

    p = add_command(ssub, "delete", "delete a stored scenario", _delete)
    p.add_argument("name")

    p = add_command(
        ssub, "run", "solve scenarios of a day in parallel and save them as drafts", _run
    )
    _run_options(p)
    p.add_argument("--no-save", action="store_true", help="do not save draft plans")

    p = add_command(ssub, "compare", "run scenarios and compare them with a baseline", _compare)
    _run_options(p)
    p.add_argument("--baseline", default="baseline", help="reference scenario (default baseline)")
    p.add_argument(
        "--moved-min",
        type=float,
        default=15.0,
        help="an order 'moved' if its time changed by more (default 15)",
    )
    p.add_argument("--orders", action="store_true", help="also print the order-level diffs")

    p = add_command(ssub, "sweep", "solve a day over a range of one setting", _sweep)
    p.add_argument("--date", type=date_arg, help="delivery date (default: next open day)")
    p.add_argument(
        "--setting",
        required=True,
        help="fleet_size, vehicle_count, shift_length_h, "
        "demand_multiplier, speed_factor, window_widen_min or time_limit_s",
    )
    p.add_argument("--values", required=True, type=_values, metavar="A..B[:STEP] | X,Y,...")
    p.add_argument("--vehicle-type", help="type added/removed by fleet_size (default: most common)")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.add_argument("--chart", metavar="FILE.png", help="also save the trade-off chart")
    _solver_options(p)


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="+", metavar="NAME", help="stored or built-in scenario names")
    p.add_argument("--date", type=date_arg, help="delivery date (default: next open day)")
    _solver_options(p)


def _solver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--time-limit", type=float, default=10.0, help="seconds per scenario (default 10)"
    )
    p.add_argument(
        "--workers", type=int, default=2, help="parallel processes (default 2; 1 = serial)"
    )
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="same input gives the same plan: the search stops after a count of "
        "solutions, not the clock (--time-limit is then only a safety net)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# ---------------------------------------------------------------------------
# Argument parsing helpers
# ---------------------------------------------------------------------------


def _hhmm(text: str) -> int:
    """An argparse type: a time of day (``minutes_from_hhmm``) as minutes since midnight."""
    minutes = minutes_from_hhmm(text)
    if minutes is None:
        raise argparse.ArgumentTypeError(f"not a time of day (HH:MM): {text!r}")
    return minutes


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _values(text: str) -> list[int | float]:
    """``4..10`` (inclusive), ``4..10:2`` or ``0.8,0.9,1.0``."""
    try:
        if ".." in text:
            rng, _, step = text.partition(":")
            a, b = (int(x) for x in rng.split(".."))
            span = range(a, b + 1, int(step or 1))
            if len(span) > MAX_SWEEP_VALUES:  # checked before the list is built
                raise argparse.ArgumentTypeError(
                    f"{len(span):,} values in {text!r}; a sweep takes at most {MAX_SWEEP_VALUES}"
                )
            values: list[int | float] = list(span)
        else:
            values = [_number(x) for x in text.split(",") if x.strip()]
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(
            f"not a value list (4..10, 4..10:2 or 1,2,3): {text!r}"
        ) from exc
    if not values:
        raise argparse.ArgumentTypeError(f"no values in {text!r}")
    if len(values) > MAX_SWEEP_VALUES:
        raise argparse.ArgumentTypeError(f"a sweep takes at most {MAX_SWEEP_VALUES} values")
    return values


#: Most values one sweep solves (each is a full solve).
MAX_SWEEP_VALUES = 50


def _type_count(option: str, text: str, default: int | None = 1) -> tuple[str, int]:
    vt, _, n = text.partition(":")
    if not n and default is None:
        raise CommandError(f"{option} {text!r}: expected TYPE:N")
    try:
        return vt, int(n) if n else int(default or 1)
    except ValueError:
        raise CommandError(f"{option} {text!r}: N must be an integer") from None


def _help(args: argparse.Namespace) -> int:
    raise CommandError(
        "choose an action: create, list, delete, run, compare or sweep (luckygas scenarios --help)"
    )


# ---------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------


def _create(args: argparse.Namespace) -> int:
    from luckygas import queries
    from luckygas.db import make_engine, session_scope
    from luckygas.scenarios import AddVehicles, Scenario
    from luckygas.scenarios.store import describe_changes, save_scenario

    kw: dict[str, Any] = {}
    kw["remove_vehicle_types"] = dict(_type_count("--remove-type", t) for t in args.remove_type)
    kw["vehicle_counts"] = dict(_type_count("--vehicle-count", t, None) for t in args.vehicle_count)
    kw["add_vehicles"] = tuple(
        AddVehicles(*_type_count("--add-vehicle", t)) for t in args.add_vehicle
    )
    kw.update(
        demand_multiplier=args.demand,
        window_widen_min=args.widen_windows,
        shift_start_min=args.shift_start,
        shift_end_min=args.shift_end,
        speed_factor=args.speed,
        service_time_factor=args.service_time,
    )
    if args.shift_length is not None:
        kw["shift_length_min"] = round(args.shift_length * 60)
    if args.no_break:
        kw["break_duration_min"] = 0
    elif args.break_:
        try:
            span, minutes = args.break_.split("/")
            a, b = span.split("-")
            kw.update(
                break_earliest_min=_hhmm(a),
                break_latest_min=_hhmm(b),
                break_duration_min=int(minutes),
            )
        except (ValueError, argparse.ArgumentTypeError):
            raise CommandError(f"--break {args.break_!r}: expected HH:MM-HH:MM/MIN") from None
    if args.depot:
        try:
            lat, lng = (float(x) for x in args.depot.split(","))
        except ValueError:
            raise CommandError(f"--depot {args.depot!r}: expected LAT,LNG") from None
        kw["depot_location"] = (lat, lng)
    solver: dict[str, Any] = {}
    for item in args.solver:
        key, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"--solver {item!r}: expected KEY=VALUE")
        solver[key.strip()] = _solver_value(value.strip())
    kw["solver"] = solver

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user) as session:
            if args.remove_vehicle:
                found = queries.vehicle_ids_by_plate(session, args.remove_vehicle)
                unknown = [p for p in args.remove_vehicle if p not in found]
                if unknown:
                    raise CommandError(f"unknown vehicle plate(s): {', '.join(unknown)}")
                kw["remove_vehicle_ids"] = tuple(found[p] for p in args.remove_vehicle)
            try:
                sc = Scenario(args.name, args.description, **kw)
                save_scenario(session, sc, replace=args.replace)
            except (ValueError, TypeError) as exc:
                raise CommandError(str(exc)) from None
            print(f"Saved scenario {sc.name!r}: {describe_changes(sc)}")
    finally:
        engine.dispose()
    return 0


def _solver_value(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return _number(text)
    except ValueError:
        return text


def _list(args: argparse.Namespace) -> int:
    from luckygas.db import make_engine, session_scope
    from luckygas.scenarios import PRESETS
    from luckygas.scenarios.store import describe_changes, list_scenarios

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user, write=False) as session:
            df = list_scenarios(session)
    finally:
        engine.dispose()
    if df.empty:
        print("No stored scenarios.")
    else:
        df["created_at"] = df["created_at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}")
        print(df.to_string(index=False))
    print("\nBuilt-in scenarios:")
    for name, sc in PRESETS.items():
        print(f"  {name}: {sc.description} {describe_changes(sc)}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from luckygas.db import make_engine, session_scope
    from luckygas.scenarios.store import delete_scenario

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user) as session:
            try:
                delete_scenario(session, args.name)
            except LookupError as exc:
                raise CommandError(str(exc)) from None
    finally:
        engine.dispose()
    print(f"Deleted scenario {args.name!r}.")
    return 0


def _params(args: argparse.Namespace) -> Any:
    from luckygas.optimize import SolverParams

    if args.time_limit <= 0:
        raise CommandError("--time-limit must be > 0")
    return SolverParams(time_limit_s=args.time_limit).replace(deterministic=args.deterministic)


def _day_problem(session: Any, day: dt.date | None) -> tuple[dt.date, Any]:
    from luckygas.bridge.adapter import build_problem
    from luckygas.bridge.planning import next_delivery_day

    day = day or next_delivery_day(session)
    if day is None:
        raise CommandError("no open orders in the database: nothing to plan")
    try:
        problem = build_problem(session, day)
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    if not problem.orders:
        raise CommandError(f"no open orders on {day}")
    return day, problem


def _solve_named(
    args: argparse.Namespace, session: Any, names: list[str]
) -> tuple[Any, list, dict]:
    from luckygas.scenarios import run_scenarios
    from luckygas.scenarios.store import resolve_scenarios

    day, problem = _day_problem(session, args.date)
    try:
        scenarios = resolve_scenarios(session, names, problem)
        print(
            f"{day}: {len(problem.orders)} orders, {len(problem.vehicles)} vehicles; "
            f"running {len(scenarios)} scenario(s) on {max(1, args.workers)} worker(s)"
        )
        results = run_scenarios(
            problem, scenarios, _params(args), max_workers=args.workers, progress=not args.quiet
        )
    except (LookupError, ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from None
    return problem, scenarios, results


def _run(args: argparse.Namespace) -> int:
    from luckygas.audit import Action, authorize
    from luckygas.bridge.persist import PlanSaveError
    from luckygas.db import make_engine, session_scope
    from luckygas.scenarios import compare_kpis
    from luckygas.scenarios.store import save_scenario_result

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user) as session:
            if not args.no_save:  # refuse before minutes of solving, not after
                authorize(session, Action.SAVE_DRAFT)
            problem, scenarios, results = _solve_named(args, session, args.names)
            print(_kpi_table(compare_kpis(results, baseline=None, problem=problem)).to_string())
            if args.no_save:
                return 0
            for sc in scenarios:
                try:
                    plan = save_scenario_result(session, sc.apply(problem), sc, results[sc.name])
                    print(f"Saved draft plan {plan.id} {plan.name!r}")
                except PlanSaveError as exc:
                    print(f"Not saved: {exc}")
    finally:
        engine.dispose()
    return 0


def _compare(args: argparse.Namespace) -> int:
    from luckygas.db import make_engine, session_scope
    from luckygas.scenarios import compare_kpis, diff_summary, order_diff

    names = list(dict.fromkeys([args.baseline, *args.names]))
    engine = make_engine(args.database_url)
    try:
        # Reads the day and the scenarios only; a reader holds no lock while solving.
        with session_scope(engine, user=args.user, write=False) as session:
            problem, _, results = _solve_named(args, session, names)
    finally:
        engine.dispose()
    table = compare_kpis(results, baseline=args.baseline, problem=problem)
    print(_kpi_table(table).T.to_string())
    base = results[args.baseline]
    for name, res in results.items():
        if name == args.baseline:
            continue
        print(f"\n{_tradeoff_sentence(name, args.baseline, table)}")
        diff = order_diff(base, res, moved_min=args.moved_min)
        counts = diff_summary(diff)
        shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "no order changed"
        print(f"{name} vs {args.baseline}, orders: {shown}")
        if args.orders and not diff.empty:
            cols = [
                "order_id",
                "customer_name",
                "change",
                "base_vehicle",
                "other_vehicle",
                "shift_min",
                "reason_code",
            ]
            print(diff[cols].to_string(index=False))
    return 0


#: Column headers for printed KPI tables.
_LABELS: dict[str, str] = {
    "served": "served",
    "unassigned": "unserved",
    "cost": "route cost (TWD)",
    "unserved_penalty": "unserved penalty (TWD)",
    "cost_incl_unserved": "cost incl. unserved (TWD)",
}


def _kpi_table(table: Any) -> Any:
    """``compare_kpis`` output with served/unserved and both costs first, readable names."""
    first = ["served", "unassigned", "cost", "unserved_penalty", "cost_incl_unserved"]
    cols = [c for c in first if c in table.columns]
    cols += [f"Δ {c}" for c in first if f"Δ {c}" in table.columns]
    cols += [c for c in table.columns if c not in cols]
    labels = _LABELS | {f"Δ {k}": f"Δ {v}" for k, v in _LABELS.items()}
    return table[cols].rename(columns=labels)


def _tradeoff_sentence(name: str, baseline: str, table: Any) -> str:
    """The cost difference in words, with the orders it serves or drops."""
    d_cost = float(table.at[name, "Δ cost"])
    d_unserved = int(table.at[name, "Δ unassigned"])
    d_total = float(table.at[name, "Δ cost_incl_unserved"])
    if abs(d_cost) < 0.5:
        text = f"{name} vs {baseline}: same route cost"
    else:
        cheaper = "cheaper" if d_cost < 0 else "dearer"
        text = f"{name} vs {baseline}: route cost {abs(d_cost):,.0f} TWD {cheaper}"
    if d_unserved > 0:
        text += f" but {d_unserved:,} more order{'s' if d_unserved != 1 else ''} unserved"
    elif d_unserved < 0:
        text += f" and {-d_unserved:,} more order{'s' if d_unserved != -1 else ''} served"
    else:
        text += ", same orders served"
    return f"{text}; cost incl. unserved {d_total:+,.0f} TWD"


def _sweep(args: argparse.Namespace) -> int:
    from luckygas.db import make_engine, session_scope
    from luckygas.outputs import check_output_path, write_csv
    from luckygas.scenarios import sweep

    # Refuse a bad output path now, not after minutes of solving.
    if args.csv:
        check_output_path(args.csv, (".csv",), database_url=args.database_url)
    if args.chart:
        check_output_path(args.chart, (".png", ".svg", ".pdf"), database_url=args.database_url)
    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user, write=False) as session:
            day, problem = _day_problem(session, args.date)
    finally:
        engine.dispose()
    print(f"{day}: sweeping {args.setting} over {args.values}")
    try:
        df = sweep(
            problem,
            args.setting,
            args.values,
            _params(args),
            vehicle_type=args.vehicle_type,
            max_workers=args.workers,
            progress=not args.quiet,
        )
    except (ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from None
    from luckygas.scenarios.compare import suggested_point, with_unserved_cost

    shown = with_unserved_cost(df).drop(columns=["setting", "scenario"])
    first = ["value", "served", "unassigned", "cost", "cost_incl_unserved"]
    shown = shown[first + [c for c in shown.columns if c not in first]]
    print(shown.rename(columns=_LABELS).to_string(index=False))
    best = suggested_point(df)
    print(
        f"Suggested {args.setting} = {best['value']}: serves {int(best['served']):,} orders, "
        f"{int(best['unassigned']):,} unserved, route cost {float(best['cost']):,.0f} TWD "
        "(fewest unserved orders first, then the cheapest)"
    )
    if args.csv:
        write_csv(df, args.csv, database_url=args.database_url, encoding="utf-8")
        print(f"Wrote {args.csv}")
    if args.chart:
        import matplotlib

        matplotlib.use("Agg")
        from luckygas.scenarios import tradeoff_chart

        ax = tradeoff_chart(df)
        ax.figure.savefig(args.chart, dpi=120, bbox_inches="tight")
        print(f"Wrote {args.chart}")
    return 0
