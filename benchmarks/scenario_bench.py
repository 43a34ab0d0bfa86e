"""Time to run N scenarios of one day serially vs in parallel (ratio measured in one run).

Usage::

    # the demo day (``luckygas demo-data`` builds data/luckygas.sqlite first)
    python benchmarks/scenario_bench.py --db sqlite:///data/luckygas.sqlite
    # no database: a synthetic Taitung day (180 orders, 8 vehicles)
    python benchmarks/scenario_bench.py --synthetic

Both modes run the same scenarios with the same time limit, first one by one in this
process, then on the default 2-worker spawn process pool (pool start-up included, as the
analyst pays it), and print wall times and the speed-up. With a time-limited search each
solve takes ~``--time-limit`` seconds, so the ideal speed-up is the worker count.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import multiprocessing
import os
import time

import numpy as np

from luckygas.domain import ZONES, VehicleRequirement, VehicleType
from luckygas.optimize.params import SolverParams
from luckygas.optimize.problem import Depot, Location, Order, RoutingProblem, Vehicle
from luckygas.scenarios import PRESETS, run_scenarios

NAMES = ["baseline", "one_truck_fewer", "demand_plus_30", "wider_windows", "rain", "later_start"]


def synthetic_day(n_orders: int = 180, seed: int = 7) -> RoutingProblem:
    """A Taitung-like day: orders spread over the zones, 5 trucks, 1 car, 2 motorcycles."""
    rng = np.random.default_rng(seed)
    weights = np.array([z.customers for z in ZONES], dtype=float)
    zones = rng.choice(len(ZONES), size=n_orders, p=weights / weights.sum())
    orders = []
    for i, zi in enumerate(zones):
        z = ZONES[zi]
        moto = z.code in ("A", "M") and rng.random() < 0.4
        size = int(rng.choice([20, 16, 10, 4, 50] if not moto else [20, 16, 10, 4]))
        start = int(rng.choice([8, 8, 8, 10, 13]))
        orders.append(
            Order(
                id=i + 1,
                customer_id=i + 1,
                customer_name=f"c{i + 1}",
                location=Location(
                    float(rng.uniform(z.lat_min, z.lat_max)),
                    float(rng.uniform(z.lng_min, z.lng_max)),
                ),
                demand={size: int(rng.integers(1, 3))},
                windows=((start * 3600, min(start + 6, 20) * 3600),),
                requirement=VehicleRequirement.MOTORCYCLE if moto else VehicleRequirement.EITHER,
            )
        )
    truck = {50: 8, 20: 30, 16: 30, 10: 30, 4: 40}
    vehicles = [
        Vehicle(
            k + 1,
            f"Truck {k + 1}",
            VehicleType.LIGHT_TRUCK,
            truck,
            max_kg=1000,
            fixed_cost=900.0,
            cost_per_km=8.0,
        )
        for k in range(5)
    ]
    vehicles.append(
        Vehicle(
            6,
            "Car 1",
            VehicleType.CAR,
            {50: 2, 20: 10, 16: 10, 10: 10, 4: 20},
            max_kg=400,
            fixed_cost=600.0,
            cost_per_km=5.0,
        )
    )
    vehicles += [
        Vehicle(
            7 + k,
            f"Moto {k + 1}",
            VehicleType.MOTORCYCLE,
            {20: 4, 16: 4, 10: 6, 4: 10},
            max_kg=120,
            fixed_cost=300.0,
            cost_per_km=2.0,
        )
        for k in range(2)
    ]
    depot = Depot(1, "Lucky Gas", Location(22.7553, 121.1504), 7 * 3600, 20 * 3600)
    return RoutingProblem(dt.date(2026, 12, 1), depot, tuple(orders), tuple(vehicles))


def demo_day(url: str | None, day: dt.date | None) -> RoutingProblem:
    """The demo database's next open day (or ``day``)."""
    from luckygas.bridge.adapter import build_problem
    from luckygas.bridge.planning import next_delivery_day
    from luckygas.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        day = day or next_delivery_day(session)
        if day is None:
            raise SystemExit("No open orders in that database; run `luckygas demo-data` first.")
        return build_problem(session, day)


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database URL (default $LUCKYGAS_DATABASE_URL)")
    ap.add_argument("--date", type=dt.date.fromisoformat)
    ap.add_argument("--synthetic", action="store_true", help="no database: a synthetic day")
    ap.add_argument("--n", type=int, default=4, help=f"scenarios (max {len(NAMES)}, default 4)")
    ap.add_argument("--time-limit", type=float, default=2.0, help="seconds per scenario")
    args = ap.parse_args()

    problem = synthetic_day() if args.synthetic else demo_day(args.db, args.date)
    scenarios = [PRESETS[n] for n in NAMES[: args.n]]
    params = SolverParams(time_limit_s=args.time_limit)
    print(
        f"day {problem.date}: {len(problem.orders)} orders, {len(problem.vehicles)} vehicles; "
        f"{len(scenarios)} scenarios × {args.time_limit:g} s; {os.cpu_count()} CPUs"
    )

    t0 = time.perf_counter()
    serial = run_scenarios(problem, scenarios, params, max_workers=1, progress=False)
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    parallel = run_scenarios(problem, scenarios, params, progress=False)
    t_cold = time.perf_counter() - t0
    # A pool kept open (a notebook re-running what-ifs) pays the worker start-up once.
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        run_scenarios(problem, scenarios[:2], params, executor=pool, progress=False)
        t0 = time.perf_counter()
        run_scenarios(problem, scenarios, params, executor=pool, progress=False)
        t_warm = time.perf_counter() - t0

    for name in serial:
        s, p = serial[name].kpis, parallel[name].kpis
        print(
            f"  {name:16s} serial {s['served']:3d} served {s['cost']:8.0f} TWD | "
            f"parallel {p['served']:3d} served {p['cost']:8.0f} TWD"
        )
    print(f"serial              {t_serial:6.1f} s")
    print(
        f"parallel, new pool  {t_cold:6.1f} s  speed-up {t_serial / t_cold:4.2f}x "
        "(run_scenarios default: 2 spawned workers, start-up included)"
    )
    print(
        f"parallel, warm pool {t_warm:6.1f} s  speed-up {t_serial / t_warm:4.2f}x "
        "(executor reused across calls)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
