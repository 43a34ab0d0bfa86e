"""Database benchmark: the workbench's data layer against plain ``sqlite3`` and the old system.

Run ``python benchmarks/db_bench.py [--repeat N] [--keep PATH]``. It builds the demo database
(``luckygas.demo.build_demo_database``) in a temporary SQLite file, then times, as the median
of N runs:

* all customers into a DataFrame (``luckygas.queries.customers``),
* creating one order and committing it (``luckygas.orders.create_order``),
* a year of delivery history aggregated per customer (``queries.consumption_by_customer``),

each beside the same work written by hand with ``sqlite3`` (ratio = luckygas / sqlite3),
and against the earlier system's figures (1,000 customers read in ~50 ms, one order created
in ~20 ms; "x faster" = old / luckygas, customers scaled to the same count).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

OLD_CUSTOMERS_MS_PER_1000 = 50.0
OLD_ORDER_MS = 20.0


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


# --- the same work with plain sqlite3 ---------------------------------------------------------

_RAW_CUSTOMERS = """
SELECT c.id, c.code, c.short_name, c.address, c.zone_code, z.code || '-' || z.name AS zone,
       c.lat, c.lng, c.vehicle_requirement, c.rest_weekdays, c.closed_on_holidays,
       c.avg_daily_kg,
       (SELECT group_concat(printf('%02d:%02d-%02d:%02d', w.start_min / 60, w.start_min % 60,
                                   w.end_min / 60, w.end_min % 60), ',')
          FROM (SELECT * FROM customer_windows w WHERE w.customer_id = c.id
                ORDER BY w.start_min) w) AS windows,
       COALESCE(o.o50, 0), COALESCE(o.o20, 0), COALESCE(o.o16, 0), COALESCE(o.o10, 0),
       COALESCE(o.o4, 0)
FROM customers c
LEFT JOIN zones z ON z.code = c.zone_code
LEFT JOIN (SELECT cc.customer_id,
                  SUM(CASE WHEN t.size_kg = 50 THEN cc.quantity END) AS o50,
                  SUM(CASE WHEN t.size_kg = 20 THEN cc.quantity END) AS o20,
                  SUM(CASE WHEN t.size_kg = 16 THEN cc.quantity END) AS o16,
                  SUM(CASE WHEN t.size_kg = 10 THEN cc.quantity END) AS o10,
                  SUM(CASE WHEN t.size_kg = 4 THEN cc.quantity END) AS o4
           FROM customer_cylinders cc JOIN cylinder_types t ON t.code = cc.cylinder_type
           GROUP BY cc.customer_id) o ON o.customer_id = c.id
WHERE c.is_active = 1 AND c.is_terminated = 0
ORDER BY c.code
"""

_RAW_CONSUMPTION = """
SELECT c.id, c.code, c.short_name, c.zone_code, c.avg_daily_kg,
       COALESCE(a.deliveries, 0), COALESCE(a.kg, 0), COALESCE(a.residual, 0), a.first, a.last
FROM customers c
LEFT JOIN (SELECT customer_id,
                  SUM(outcome = 'delivered') AS deliveries,
                  SUM(CASE WHEN outcome = 'delivered' THEN qty_50kg * 50 + qty_20kg * 20
                           + qty_16kg * 16 + qty_10kg * 10 + qty_4kg * 4 ELSE 0 END) AS kg,
                  SUM(residual_kg) AS residual, MIN(delivered_on) AS first,
                  MAX(delivered_on) AS last
           FROM deliveries WHERE delivered_on BETWEEN ? AND ? GROUP BY customer_id) a
  ON a.customer_id = c.id
WHERE (c.is_active = 1 AND c.is_terminated = 0) OR a.customer_id IS NOT NULL
ORDER BY c.code
"""


def raw_customers(path: Path) -> pd.DataFrame:
    """Customers into a DataFrame with sqlite3 and hand-written SQL."""
    with sqlite3.connect(path) as conn:
        cur = conn.execute(_RAW_CUSTOMERS)
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def raw_consumption(path: Path, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Per-customer consumption with sqlite3 and hand-written SQL."""
    with sqlite3.connect(path) as conn:
        cur = conn.execute(_RAW_CONSUMPTION, (start.isoformat(), end.isoformat()))
        frame = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
    days = (end - start).days + 1
    frame["kg_per_day"] = (frame.iloc[:, 6] - frame.iloc[:, 7]) / days
    return frame


def raw_order(conn: sqlite3.Connection, code: str, day: dt.date) -> None:
    """Create one order the hand-written way: lock, check customer, next number, insert."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT id, is_active FROM customers WHERE code = ?", (code,)).fetchone()
        if row is None or not row[1]:
            raise ValueError(code)
        prefix = f"{day:%Y%m%d}"
        last = conn.execute(
            "SELECT max(number) FROM orders WHERE number BETWEEN ? AND ?",
            (f"{prefix}-0000", f"{prefix}-9999"),
        ).fetchone()[0]
        seq = 1 if last is None else int(last[-4:]) + 1
        conn.execute(
            "INSERT INTO orders (number, customer_id, delivery_date, qty_50kg, qty_20kg, "
            "qty_16kg, qty_10kg, qty_4kg, priority, source, status, is_optional, notes, "
            "details, created_at, created_by) VALUES (?, ?, ?, 0, 2, 0, 0, 0, 'normal', "
            "'phone', 'pending', 0, '', '{}', ?, 'bench')",
            (f"{prefix}-{seq:04d}", row[0], day.isoformat(), dt.datetime.now(dt.UTC).isoformat()),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def main() -> None:
    """Build the demo, run the timings, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="runs per measurement")
    parser.add_argument("--keep", type=Path, help="keep the demo database at this path")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from luckygas import queries
    from luckygas.db import make_engine, session_scope
    from luckygas.demo.build import build_demo_database
    from luckygas.models import Customer, Delivery
    from luckygas.orders import create_order

    tmp = tempfile.TemporaryDirectory()
    path = args.keep or Path(tmp.name) / "bench.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    t0 = time.perf_counter()
    summary = build_demo_database(engine, progress=False)
    build_s = time.perf_counter() - t0

    with session_scope(engine, user="bench") as s:
        n_customers = len(queries.customers(s))
        code = s.query(Customer.code).filter(Customer.is_active.is_(True)).first()[0]
        n_history = s.scalar(select(func.count()).select_from(Delivery))
    end = summary.history_end
    start = end - dt.timedelta(days=364)

    def lg_customers() -> None:
        with session_scope(engine, user="bench") as s:
            queries.customers(s)

    day = dt.date(2030, 1, 1)

    def lg_order() -> None:
        with session_scope(engine, user="bench") as s:
            create_order(s, customer_code=code, delivery_date=day, quantities={20: 2})

    def lg_consumption() -> None:
        with session_scope(engine, user="bench") as s:
            queries.consumption_by_customer(s, start, end)

    raw_conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    # The same pragmas as luckygas.db, so commits cost the same on both sides.
    raw_conn.execute("PRAGMA foreign_keys=ON")
    raw_conn.execute("PRAGMA journal_mode=WAL")
    raw_conn.execute("PRAGMA synchronous=NORMAL")
    raw_day = dt.date(2031, 1, 1)

    with session_scope(engine, user="bench") as s:
        year_rows = len(queries.delivery_history(s, start, end))

    rows = []
    lg = median_ms(lg_customers, args.repeat)
    raw = median_ms(lambda: raw_customers(path), args.repeat)
    old = OLD_CUSTOMERS_MS_PER_1000 * n_customers / 1000
    rows.append((f"{n_customers:,} customers -> DataFrame", lg, raw, old))
    lg = median_ms(lg_order, args.repeat)
    raw = median_ms(lambda: raw_order(raw_conn, code, raw_day), args.repeat)
    rows.append(("create one order (commit)", lg, raw, OLD_ORDER_MS))
    lg = median_ms(lg_consumption, max(5, args.repeat // 5))
    raw = median_ms(lambda: raw_consumption(path, start, end), max(5, args.repeat // 5))
    rows.append((f"1 year history ({year_rows:,} rows) per customer", lg, raw, None))
    raw_conn.close()

    print(
        f"demo database: {n_customers:,} active customers, {n_history:,} history rows, "
        f"built in {build_s:.1f} s ({path})"
    )
    print(f"median of {args.repeat} runs (history: {max(5, args.repeat // 5)})\n")
    header = (
        f"{'task':<44}{'luckygas ms':>12}{'sqlite3 ms':>12}{'ratio':>8}{'old ms':>9}{'vs old':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, lg, raw, old in rows:
        vs_old = f"{old / lg:>8.1f}x" if old else f"{'-':>9}"
        old_txt = f"{old:>9.0f}" if old else f"{'-':>9}"
        print(f"{name:<44}{lg:>12.2f}{raw:>12.2f}{lg / raw:>8.2f}{old_txt}{vs_old}")
    print(f"{'demo database build':<44}{build_s * 1000:>12.0f}{'-':>12}{'-':>8}{'-':>9}{'-':>9}")
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
