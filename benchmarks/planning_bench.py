"""Planning benchmarks: a small day end to end, the demo day's quality, and scaling.

Usage::

    python benchmarks/planning_bench.py [--demo-db URL] [--skip-demo] [--sizes 100,200,...]
                                        [--long-s 120] [--repeat 30] [--seeds 0,1,2]
                                        [--skip-small]

(a) a 10-stop day from the database to a saved draft plan, median of ``--repeat`` runs
    (the earlier system took about 500 ms);
(b) the demo delivery day at 10 s against a ``--long-s`` run, for each of ``--seeds``: cost
    gap and served orders, and the median gap;
(c) synthetic Taitung days of 100-2,000 orders: time to the first solution, served
    orders and cost at a time limit scaled with the size.

Prints the machine's load average with the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.bridge.persist import save_plan
from luckygas.db import make_engine
from luckygas.domain import VehicleRequirement, VehicleType
from luckygas.optimize import SolverParams, check_plan, solve
from luckygas.optimize.synthetic import synthetic_day

DAY = dt.date(2026, 12, 1)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def _small_day_db(url: str) -> None:
    from luckygas.models import Base
    from luckygas.orders import create_order
    from luckygas.reference import seed_reference_data

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.info["user"] = "bench"
        seed_reference_data(s, holiday_years=range(2026, 2027))
        depot = m.Depot(code="TT", name="Taitung depot", lat=22.7553, lng=121.1504)
        s.add(depot)
        s.flush()
        s.add_all(
            [
                m.Vehicle(
                    plate="TRK-1",
                    name="Truck 1",
                    vehicle_type=VehicleType.LIGHT_TRUCK,
                    depot_id=depot.id,
                    cap_50kg=10,
                    cap_20kg=45,
                    cap_16kg=20,
                    cap_10kg=10,
                    cap_4kg=20,
                    max_kg=1100,
                    fixed_cost=1800,
                    cost_per_km=9,
                    max_trips=3,
                ),
                m.Vehicle(
                    plate="MC-1",
                    name="Moto 1",
                    vehicle_type=VehicleType.MOTORCYCLE,
                    depot_id=depot.id,
                    cap_20kg=3,
                    cap_16kg=3,
                    cap_10kg=4,
                    cap_4kg=8,
                    max_kg=60,
                    fixed_cost=600,
                    cost_per_km=2.5,
                    max_trips=8,
                    reload_minutes=10,
                ),
            ]
        )
        p = synthetic_day(10, 3)
        for o in p.orders:
            c = m.Customer(
                code=f"16{o.id:05d}",
                short_name=o.customer_name,
                address="臺東市",
                zone_code="A",
                lat=o.location.lat,
                lng=o.location.lng,
                vehicle_requirement=(
                    VehicleRequirement.MOTORCYCLE
                    if o.requirement == VehicleRequirement.MOTORCYCLE
                    else VehicleRequirement.EITHER
                ),
            )
            s.add(c)
            s.flush()
            create_order(
                s,
                customer_code=c.code,
                delivery_date=DAY,
                quantities={k: n for k, n in o.demand.items() if n},
            )
        s.commit()
    engine.dispose()


def bench_small_day(repeat: int) -> None:
    """(a) database -> solve -> saved draft, median of ``repeat`` runs."""
    from luckygas.bridge.planning import plan_day

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/small.sqlite"
        _small_day_db(url)
        engine = make_engine(url)
        times, served = [], 0
        for k in range(repeat + 1):
            t0 = time.perf_counter()
            with Session(engine) as s:
                s.info["user"] = "bench"
                problem, result = plan_day(s, DAY)
                save_plan(s, problem, result, name=f"bench {k}")
                s.commit()
            if k:  # the first run pays imports and the matrix cache
                times.append(time.perf_counter() - t0)
            served = result.kpis["served"]
            assert check_plan(problem, result) == []
        engine.dispose()
    med = statistics.median(times)
    print(
        f"(a) 10-stop day DB -> saved plan: median {med * 1000:.1f} ms over {repeat} runs "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); served {served}/10; "
        f"earlier system ~500 ms = {500 / (med * 1000):.0f}x slower [{_load()}]"
    )


def bench_demo_day(url: str, long_s: float, seeds: list[int]) -> None:
    """(b) the demo day at 2 s and 10 s against a long run, for each seed; median gaps."""
    from luckygas.bridge.adapter import build_problem
    from luckygas.bridge.planning import next_delivery_day

    engine = make_engine(url)
    with Session(engine) as s:
        day = next_delivery_day(s)
        problem = build_problem(s, day)
    engine.dispose()
    serviceable = [o for o in problem.orders if o.closed_reason is None]
    urgent = {o.id for o in serviceable if str(o.priority) != "normal"}
    gaps: list[float] = []
    served_gaps: list[int] = []
    for seed in seeds:
        rows = []
        for limit in (2.0, 10.0, long_s) if seed == seeds[0] else (10.0, long_s):
            t0 = time.perf_counter()
            res = solve(problem, SolverParams(time_limit_s=limit).replace(seed=seed))
            wall = time.perf_counter() - t0
            assert check_plan(problem, res) == []
            served = set(res.stops["order_id"])
            rows.append((limit, res))
            print(
                f"(b) demo day {day} seed {seed} at {limit:>5.0f} s (wall {wall:5.1f} s): served "
                f"{len(served)}/{len(serviceable)} serviceable "
                f"({100 * len(served) / len(serviceable):.1f} %), urgent/emergency missing "
                f"{len(urgent - served)}, objective {res.kpis['objective']:,.0f}, "
                f"cost {res.kpis['cost']:,.0f} TWD, {res.kpis['trips']} trips, "
                f"start '{res.run.first_solution}' [{_load()}]",
                flush=True,
            )
        ref = rows[-1][1]
        for limit, res in rows[:-1]:
            gap = 100 * (res.kpis["objective"] / ref.kpis["objective"] - 1)
            print(
                f"    seed {seed}: gap of the {limit:.0f} s plan to the {long_s:.0f} s plan: "
                f"{gap:+.2f} % (objective incl. drop penalties), served "
                f"{res.kpis['served'] - ref.kpis['served']:+d}"
            )
            if limit == 10.0:
                gaps.append(gap)
                served_gaps.append(res.kpis["served"] - ref.kpis["served"])
    print(
        f"    median over seeds {seeds}: 10 s vs {long_s:.0f} s objective gap "
        f"{statistics.median(gaps):+.2f} %, served {statistics.median(served_gaps):+.0f}"
    )


def bench_scaling(sizes: list[int]) -> None:
    """(c) synthetic days: time to first solution, served, cost at a size-scaled limit."""
    for n in sizes:
        problem = synthetic_day(n, seed=n)
        limit = max(10.0, n / 20)
        first: list[float] = []
        t0 = time.perf_counter()

        def progress(
            elapsed: float, cost: float | None, first: list[float] = first, t0: float = t0
        ) -> None:
            # Wall time since solve() was called (the callback's own clock starts after
            # preparation and seeding).
            if cost is not None and not first:
                first.append(time.perf_counter() - t0)

        res = solve(problem, SolverParams(time_limit_s=limit), progress=progress)
        wall = time.perf_counter() - t0
        ok = check_plan(problem, res) == []
        print(
            f"(c) {n:>5} orders, {len(problem.vehicles):>3} vehicles, limit {limit:>5.0f} s: "
            f"first solution {first[0] if first else float('nan'):6.2f} s "
            f"('{res.run.first_solution}'), served {res.kpis['served']}/{n} "
            f"({100 * res.kpis['served'] / max(n, 1):.1f} %), cost {res.kpis['cost']:,.0f} TWD, "
            f"wall {wall:.1f} s, checker {'ok' if ok else 'FAILED'} [{_load()}]",
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks selected on the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--demo-db",
        default=os.environ.get("LUCKYGAS_DATABASE_URL"),
        help="database URL of a built demo (luckygas demo-data)",
    )
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--long-s", type=float, default=120.0)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--skip-small", action="store_true")
    ap.add_argument("--sizes", default="100,200,500,1000,2000")
    ap.add_argument("--seeds", default="0,1,2", help="seeds of the demo-day runs")
    args = ap.parse_args(argv)
    print(f"cpus {os.cpu_count()}, {_load()}")
    if not args.skip_small:
        bench_small_day(args.repeat)
    if not args.skip_demo and args.demo_db:
        bench_demo_day(args.demo_db, args.long_s, [int(x) for x in args.seeds.split(",")])
    if args.sizes:
        bench_scaling([int(x) for x in args.sizes.split(",") if x])


if __name__ == "__main__":
    main()
