"""Re-planning on the demo day: what lock, move and fleet changes do to a plan, and tight days.

Usage::

    python benchmarks/replan_bench.py --db sqlite:///data/luckygas.sqlite [--limit 5]
        [--tight-limits 2,5,10,60] [--seed 0] [--seeds 0,1,2] [--only fresh|tight]

Measures, through :func:`luckygas.optimize.solve` (the call the planning panel makes):

* **fresh**: the day planned from scratch at ``--limit`` seconds;
* **lock**: the first 5 stops of the longest route locked, re-planned from the plan;
* **move**: the last order of the first truck route moved to another truck;
* **unchanged**: a re-plan with nothing changed (keep-the-plan weight on);
* **truck out**: one light truck taken out, re-planned from the plan with the
  keep-the-plan weight on: the share of orders that kept their vehicle;
* **tight day**: that smaller fleet planned from scratch at each ``--tight-limits``.

Each row: orders served, route cost, cost of unserved orders, the objective, the first
objective the progress callback reported, the share of orders that kept their vehicle and
the wall time against the limit. Wall times are those of this machine under its current
load; print ``uptime`` beside them (each row of a ``--seeds`` run ends with the load
average when it finished).

``--only fresh`` plans the full day from scratch at ``--limit`` only, ``--only tight``
the tight day at ``--tight-limits`` only: short A/B runs of the served count and cost,
for every seed of ``--seeds``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from luckygas.bridge.adapter import build_problem
from luckygas.bridge.planning import next_delivery_day
from luckygas.db import make_engine, session_scope
from luckygas.domain import VehicleType
from luckygas.optimize import PlanResult, RoutingProblem, SolverParams, check_plan, solve

KEEP_TWD = 300.0


def _row(label: str, res: PlanResult, wall: float, limit: float, first: float | None) -> str:
    k = res.kpis
    kept = "" if k.get("kept_vehicle_pct") is None else f"{k['kept_vehicle_pct']:.1f}"
    first_s = "" if first is None else f"{first:,.0f}"
    return (
        f"| {label} | {k['served']}/{k['orders']} | {k['cost']:,.0f} | {k['unserved_cost']:,.0f} "
        f"| {k['objective']:,.0f} | {first_s} | {kept} | {wall:.2f} / {limit:g} |"
    )


def _timed(
    p: RoutingProblem, params: SolverParams, **kw: object
) -> tuple[PlanResult, float, float | None]:
    reports: list[float] = []
    t0 = time.perf_counter()
    res = solve(
        p, params, progress=lambda _e, b: reports.append(b) if b is not None else None, **kw
    )  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    assert check_plan(p, res, locked=kw.get("locked")) == []  # type: ignore[arg-type]
    return res, wall, reports[0] if reports else None


def _pin(p: RoutingProblem, order_id: int, vehicle_id: int) -> RoutingProblem:
    return dataclasses.replace(
        p,
        orders=tuple(
            dataclasses.replace(o, pinned_vehicle_id=vehicle_id) if o.id == order_id else o
            for o in p.orders
        ),
    )


def main(argv: list[str] | None = None) -> int:
    """Run the re-planning benchmark and print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL of a demo database")
    ap.add_argument("--limit", type=float, default=5.0, help="time limit of each re-plan (s)")
    ap.add_argument("--tight-limits", default="2,5,10,60", help="limits for the tight day (s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default=None, help="comma-separated seeds (overrides --seed)")
    ap.add_argument(
        "--only", choices=("fresh", "tight"), default=None,
        help="only the fresh plan at --limit, or only the tight day at --tight-limits",
    )  # fmt: skip
    args = ap.parse_args(argv)

    with session_scope(make_engine(args.db)) as s:
        day = next_delivery_day(s)
        if day is None:
            raise SystemExit("no open orders in this database")
        p = build_problem(s, day)
    trucks = [v.id for v in p.vehicles if v.type == VehicleType.LIGHT_TRUCK]
    print(f"demo day {day}: {len(p.orders)} orders, {len(p.vehicles)} vehicles\n")
    if args.only is not None:
        seeds = [int(x) for x in (args.seeds or str(args.seed)).split(",")]
        # The truck the full benchmark takes out is the first light truck with a route;
        # on the demo day every light truck has one, so it is the first light truck.
        _short_runs(p, trucks[0], args, seeds)
        return 0
    params = SolverParams(time_limit_s=args.limit).replace(seed=args.seed)
    keep = params.replace(keep_vehicle_cost=KEEP_TWD)
    print(
        "| run | served | route cost | unserved cost | objective | first report "
        "| kept vehicle % | wall / limit (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")

    fresh, wall, first = _timed(p, params)
    print(_row("fresh", fresh, wall, args.limit, first))
    routes = fresh.vehicle_routes()

    longest = max(routes, key=lambda v: len(routes[v]))
    lock = {longest: routes[longest][:5]}
    res, wall, first = _timed(p, params, initial_routes=routes, locked=lock)
    print(_row("lock 5 stops", res, wall, args.limit, first))

    trucks = [v for v in trucks if v in routes]
    source, target = trucks[0], trucks[1]
    oid = [o for o in routes[source] if o is not None][-1]
    warm = {v: [o for o in r if o != oid] for v, r in routes.items()}
    res, wall, first = _timed(_pin(p, oid, target), keep, initial_routes=warm)
    print(_row(f"move #{oid}", res, wall, args.limit, first))

    res, wall, first = _timed(p, keep, initial_routes=routes)
    print(_row("unchanged", res, wall, args.limit, first))

    out = trucks[0]
    smaller = dataclasses.replace(p, vehicles=tuple(v for v in p.vehicles if v.id != out))
    warm = {v: r for v, r in routes.items() if v != out}
    res, wall, first = _timed(smaller, keep, initial_routes=warm)
    print(_row("truck out (re-plan)", res, wall, args.limit, first))

    for limit in (float(x) for x in args.tight_limits.split(",")):
        tight = params.replace(time_limit_s=limit)
        res, wall, first = _timed(smaller, tight)
        print(_row(f"truck out, fresh {limit:g} s", res, wall, limit, first))
    return 0


def _short_runs(p: RoutingProblem, out: int, args: argparse.Namespace, seeds: list[int]) -> None:
    """``--only``: fresh plans of the full or the tight day, one row per limit and seed."""
    if args.only == "fresh":
        day, limits, label = p, [args.limit], "fresh"
    else:
        day = dataclasses.replace(p, vehicles=tuple(v for v in p.vehicles if v.id != out))
        limits = [float(x) for x in args.tight_limits.split(",")]
        label = "truck out, fresh"
    print(
        "| run | seed | served | route cost | unserved cost | objective | first report "
        "| kept vehicle % | wall / limit (s) | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for limit in limits:
        for seed in seeds:
            params = SolverParams(time_limit_s=limit).replace(seed=seed)
            res, wall, first = _timed(day, params)
            row = _row(f"{label} {limit:g} s", res, wall, limit, first)
            head, rest = row.split(" | ", 1)
            load = os.getloadavg()[0]
            print(f"{head} | {seed} | {rest} {load:.2f} |", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
