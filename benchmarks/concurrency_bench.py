"""Concurrency benchmark: many people creating and listing orders at once, on each backend.

Run ``python benchmarks/concurrency_bench.py [--clients 50] [--writers 30] [--each 10]
[--repeat 3] [--pg URL]``. For SQLite (a temporary file) and, with ``--pg`` (or
``$LUCKYGAS_TEST_PG_URL``), for PostgreSQL (a private schema, dropped afterwards), it
forks ``--clients`` processes, each with its own connection, releases them together, and
lets ``--writers`` of them create ``--each`` orders (one transaction each, the order
numbers of one day: the most contended write there is) while the others list the day's
orders ``--each`` times in read sessions. Per run it prints:

* orders/s: orders created / wall time from the release to the last client's end
  (process start-up excluded: it is the operating system's cost, not the database's);
* reads/s the same way;
* the worst wait: the longest single transaction, writer and reader, and the writers'
  median and 95th percentile;
* errors and lost orders (both must be 0), and the load average before and after.

The figures depend on everything else the machine runs; quote them with the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import queue
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

# Imported at the top, in the parent: the forked clients then start with everything
# loaded (importing pandas and SQLAlchemy in each of 50 children was most of their start-up).
from luckygas import queries
from luckygas.db import make_engine, read_session, session_scope
from luckygas.orders import create_order

#: The day the orders are for (tomorrow: order dates are bounded to two years ahead).
DAY = dt.date.today() + dt.timedelta(days=1)
CUSTOMER = "1000001"


def client(url: str, worker: int, kind: str, each: int, start: Any, out: Any) -> None:
    """One forked client: ``each`` order creations (writer) or listings (reader), timed."""
    engine = make_engine(url)
    times: list[float] = []
    errors: list[str] = []
    start.wait()
    started = time.time()
    for i in range(each):
        t0 = time.perf_counter()
        try:
            if kind == "writer":
                with session_scope(engine, user=f"writer{worker}") as s:
                    create_order(
                        s,
                        customer_code=CUSTOMER,
                        delivery_date=DAY,
                        quantities={20: 1},
                        notes=f"{worker}-{i}",
                    )
            else:
                with read_session(engine, user="bench") as s:
                    queries.orders_for_date(s, DAY)
        except Exception as exc:  # counted and printed: the run must show 0
            errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        times.append(time.perf_counter() - t0)
    ended = time.time()
    engine.dispose()
    out.put({"kind": kind, "times": times, "errors": errors, "started": started, "ended": ended})


def prepare(url: str, writers: int) -> None:
    """Schema, reference data, the users (``bench`` and one dispatcher per writer) and
    one customer."""
    from sqlalchemy import insert

    from luckygas.domain import Role
    from luckygas.models import Customer, User
    from luckygas.schema import create_database

    engine = make_engine(url)
    create_database(engine, holiday_years=range(DAY.year, DAY.year + 1))
    names = ["bench", *(f"writer{w}" for w in range(writers))]
    with engine.begin() as conn:  # set-up past the role checks: the roles are not measured
        conn.execute(
            insert(User.__table__),
            [
                {"username": n, "role": Role.DISPATCHER, "is_active": True, "full_name": "",
                 "created_by": "bench"}
                for n in names
            ],
        )  # fmt: skip
    with session_scope(engine, user="bench") as s:
        s.add(Customer(code=CUSTOMER, short_name="Bench", zone_code="A"))
    engine.dispose()  # nothing open when the clients are forked


def count_orders(url: str) -> int:
    """Orders of the benchmark day in the database."""
    from sqlalchemy import func, select

    from luckygas.models import Order

    engine = make_engine(url)
    with read_session(engine) as s:
        n = s.scalar(select(func.count()).where(Order.delivery_date == DAY))
    engine.dispose()
    return int(n or 0)


def run(url: str, clients: int, writers: int, each: int) -> dict[str, Any]:
    """One mixed load on a prepared, empty database; returns the figures."""
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    start = ctx.Barrier(clients, timeout=600)
    out = ctx.Queue()
    kinds = ["writer"] * writers + ["reader"] * (clients - writers)
    t0 = time.time()
    procs = [
        ctx.Process(target=client, args=(url, w, k, each, start, out)) for w, k in enumerate(kinds)
    ]
    for p in procs:
        p.start()
    results = []
    while len(results) < clients:
        try:
            results.append(out.get(timeout=1.0))
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise SystemExit("a client died; see its traceback above") from None
    for p in procs:
        p.join()
    first = min(r["started"] for r in results)
    wall = max(r["ended"] for r in results) - first
    w_times = [t for r in results if r["kind"] == "writer" for t in r["times"]]
    r_times = [t for r in results if r["kind"] == "reader" for t in r["times"]]
    created = count_orders(url)
    return {
        "startup_s": first - t0,
        "wall_s": wall,
        "orders_per_s": created / wall,
        "reads_per_s": len(r_times) / wall,
        "write_p50_s": statistics.median(w_times) if w_times else 0.0,
        "write_worst_s": max(w_times, default=0.0),
        "write_p95_s": statistics.quantiles(w_times, n=20)[-1] if len(w_times) > 1 else 0.0,
        "read_worst_s": max(r_times, default=0.0),
        "errors": [e for r in results for e in r["errors"]],
        "lost": writers * each - created,
    }


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A URL of a new SQLite file, deleted afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{os.path.join(folder, 'bench.sqlite')}"


@contextmanager
def pg_database(base: str) -> Iterator[str]:
    """A URL of a new private schema on the PostgreSQL server at ``base``, dropped afterwards."""
    from sqlalchemy import text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    quoted = admin.dialect.identifier_preparer.quote_identifier(schema)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {quoted}"))  # a generated name, quoted
    admin.dispose()
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {quoted} CASCADE"))
        admin.dispose()


def main() -> None:
    """Parse the options, run the loads, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="processes at once (50)")
    parser.add_argument("--writers", type=int, default=30, help="of which create orders (30)")
    parser.add_argument("--each", type=int, default=10, help="transactions per client (10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per backend (3)")
    parser.add_argument(
        "--pg",
        default=os.environ.get("LUCKYGAS_TEST_PG_URL", ""),
        metavar="URL",
        help="also PostgreSQL, in a private schema on this server (default: $LUCKYGAS_TEST_PG_URL)",
    )
    args = parser.parse_args()
    if not 0 < args.writers <= args.clients:
        raise SystemExit("--writers must be between 1 and --clients")

    backends: list[tuple[str, Any]] = [("sqlite", sqlite_database)]
    if args.pg:
        backends.append(("postgresql", lambda: pg_database(args.pg)))
    load = os.getloadavg()
    print(
        f"{args.clients} clients ({args.writers} writers x {args.each} orders, "
        f"{args.clients - args.writers} readers x {args.each} listings); "
        f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n"
    )
    header = (
        f"{'backend':<11}{'run':>4}{'start-up s':>11}{'load s':>8}{'orders/s':>10}"
        f"{'reads/s':>9}{'write p50':>10}{'write p95':>10}{'write max':>10}{'read max':>9}"
        f"{'errors':>7}{'lost':>5}"
    )
    print(header)
    print("-" * len(header))
    for name, database in backends:
        for k in range(args.repeat):
            with database() as url:
                prepare(url, args.writers)
                r = run(url, args.clients, args.writers, args.each)
            print(
                f"{name:<11}{k + 1:>4}{r['startup_s']:>11.2f}{r['wall_s']:>8.2f}"
                f"{r['orders_per_s']:>10.1f}{r['reads_per_s']:>9.1f}{r['write_p50_s']:>10.3f}"
                f"{r['write_p95_s']:>10.3f}"
                f"{r['write_worst_s']:>10.3f}{r['read_worst_s']:>9.3f}{len(r['errors']):>7}"
                f"{r['lost']:>5}"
            )
            for error in r["errors"][:5]:
                print(f"    {error}")
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
