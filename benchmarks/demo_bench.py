"""Demo database build benchmark.

Run ``python benchmarks/demo_bench.py [--repeat N] [--customers N] [--history-days N]``.
It builds the demo (``luckygas.demo.build_demo_database``) N times into fresh temporary
SQLite files and prints the median build time, rows written per second, and, as a
floor to compare with, the time plain ``sqlite3`` needs just to insert the same rows
(copied from the built database, same schema, one transaction). The ratio
``build / plain insert`` says how much the generation (customers, consumption
simulation, orders) and SQLAlchemy add on top of the unavoidable database work.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path


def build_once(path: Path, params) -> tuple[float, dict[str, int]]:
    """Build the demo into ``path``; returns (seconds, rows per table)."""
    from luckygas.db import make_engine
    from luckygas.demo import build_demo_database

    engine = make_engine(f"sqlite:///{path}")
    t0 = time.perf_counter()
    summary = build_demo_database(engine, params, progress=False)
    seconds = time.perf_counter() - t0
    engine.dispose()
    return seconds, summary.counts


def plain_insert_seconds(source: Path, target: Path) -> float:
    """Insert every demo row of ``source`` into an empty copy of its schema with ``sqlite3``."""
    src = sqlite3.connect(source)
    tables = [
        name
        for (name,) in src.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    schema = [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    data = {t: src.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    src.close()
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    dst.execute("PRAGMA foreign_keys=ON")
    for sql in schema:
        dst.execute(sql)
    # Parents before children, as the models declare them (sqlite_master's order changes
    # when a migration rebuilds a table).
    from luckygas.models import Base

    order = [t.name for t in Base.metadata.sorted_tables if t.name in data]
    order += [t for t in tables if t not in order]
    t0 = time.perf_counter()
    dst.execute("BEGIN")
    for t in order:
        rows = data[t]
        if rows:
            marks = ",".join("?" * len(rows[0]))
            dst.executemany(f'INSERT INTO "{t}" VALUES ({marks})', rows)
    dst.execute("COMMIT")
    seconds = time.perf_counter() - t0
    dst.close()
    return seconds


def main() -> None:
    """Run the benchmark and print the results."""
    from luckygas.demo import DemoParams

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--customers", type=int, default=1267)
    parser.add_argument("--history-days", type=int, default=731)
    args = parser.parse_args()
    params = DemoParams(n_customers=args.customers, history_days=args.history_days)

    with tempfile.TemporaryDirectory() as tmp:
        times, counts = [], {}
        for k in range(args.repeat):
            seconds, counts = build_once(Path(tmp) / f"demo{k}.sqlite", params)
            times.append(seconds)
        build = statistics.median(times)
        plain = statistics.median(
            plain_insert_seconds(Path(tmp) / "demo0.sqlite", Path(tmp) / f"plain{k}.sqlite")
            for k in range(args.repeat)
        )
    rows = sum(counts.values())
    print(f"demo build: {params.n_customers} customers, {params.history_days} days of history")
    print(f"  rows written        {rows:>10,}  ({counts.get('deliveries', 0):,} deliveries)")
    print(
        f"  build (median of {args.repeat}) {build:>8.2f} s   runs: "
        + ", ".join(f"{t:.2f}" for t in times)
    )
    print(f"  rows per second     {rows / build:>10,.0f}")
    print(
        f"  plain sqlite3 insert of the same rows {plain:.2f} s "
        f"(ratio build / plain = {build / plain:.1f})"
    )


if __name__ == "__main__":
    main()
