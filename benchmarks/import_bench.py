"""Import speed: the 1,267-customer workbook and a 350,000-row delivery history.

Both files are generated in the real layouts (:mod:`luckygas.importers.samples`) into a
temporary folder, then imported into a fresh SQLite workbench file. Prints seconds and
rows per second for each step, including a re-import (everything unchanged) and a dry run.

A second copy of the workbook carries glitches like the real file's (``平均日使用 = -0.1``
on row 589, text in ``月配送量``, ``#DIV/0!`` in ``退氣比例``, an unknown billing word...):
it is imported into a second fresh database with warnings, and refused with ``strict``.

Run: ``python benchmarks/import_bench.py [--customers 1267] [--history 350000]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.importers import ImportFailed, import_customers, import_history
from luckygas.importers.samples import sample_history, sample_workbook, write_workbook
from luckygas.models import Base, Customer, Delivery
from luckygas.reference import seed_reference_data

#: (data position, column, cell) of each glitch; position 587 is spreadsheet row 589.
GLITCHES: tuple[tuple[int, str, object], ...] = (
    (587, "平均日使用", -0.1),
    (120, "月配送量", "約160"),
    (300, "退氣比例", "#DIV/0!"),
    (900, "結帳方式", "支票"),
    (1000, "排巡", "?"),
    (1100, "是否需要當天去", "n/a"),
)


def _fresh_database(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed_reference_data(session, holiday_years=range(2021, 2026))
        session.commit()
    return engine


def _glitched_workbook(path: Path, n: int) -> int:
    """The sample workbook with :data:`GLITCHES` (those that fit in ``n`` rows)."""
    frame = sample_workbook(n)
    glitches = [g for g in GLITCHES if g[0] < n]
    for position, column, cell in glitches:
        frame.loc[position, column] = cell
    write_workbook(frame, str(path))
    return len(glitches)


def _bench_warnings(folder: Path, n: int) -> None:
    """Import the glitched workbook into a fresh database (warnings), then strictly (refused)."""
    path = folder / "customers_glitches.xlsx"
    expected = _glitched_workbook(path, n)
    engine = _fresh_database(folder / "warnings.sqlite")

    def run(**kwargs):
        with Session(engine) as session:
            session.info["user"] = "bench"
            report = import_customers(session, path, **kwargs)
            session.commit()
        return report

    def refused() -> int:
        try:
            run(strict=True, dry_run=True)
        except ImportFailed as exc:
            return len(exc.errors)
        raise AssertionError("strict import of a glitched workbook was not refused")

    errors = _timed("customers: strict dry run (refused)", n, refused)
    report = _timed("customers: import with warnings (new)", n, run)
    print(f"with glitches: {report.summary()}")
    print(f"cell warnings: {len(report.problems)} of {expected} glitches; strict errors: {errors}")


def _timed(label: str, rows: int, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<42} {rows:>8,} rows {seconds:7.2f} s {rows / seconds:>10,.0f} rows/s")
    return result


def main() -> None:
    """Generate the files, import them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1267)
    parser.add_argument("--history", type=int, default=350_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = _fresh_database(folder / "bench.sqlite")

        workbook = folder / "customers.xlsx"
        write_workbook(sample_workbook(args.customers), str(workbook))
        history = folder / "history.csv"
        codes = [str(1400001 + i) for i in range(args.customers)]
        sample_history(args.history, codes).to_csv(history, index=False)
        size_mb = history.stat().st_size / 2**20
        print(f"workbook {workbook.stat().st_size / 2**20:.2f} MB, history CSV {size_mb:.1f} MB")

        def run(fn, **kwargs):
            with Session(engine) as session:
                session.info["user"] = "bench"
                report = fn(session, **kwargs)
                session.commit()
            return report

        n = args.customers
        _timed("customers: import (xlsx, new)", n, lambda: run(import_customers, path=workbook))
        _timed("customers: re-import (unchanged)", n, lambda: run(import_customers, path=workbook))
        _bench_warnings(folder, n)
        h = args.history
        _timed(
            "history: dry run (validate + compare)",
            h,
            lambda: run(import_history, path=history, dry_run=True),
        )
        report = _timed("history: import (csv, new)", h, lambda: run(import_history, path=history))
        again = _timed(
            "history: re-import (unchanged)", h, lambda: run(import_history, path=history)
        )
        with Session(engine) as session:
            stored = session.scalar(select(func.count()).select_from(Delivery))
            customers = session.scalar(select(func.count()).select_from(Customer))
        print(f"stored: {customers:,} customers, {stored:,} deliveries")
        print(f"first import: {report.summary()}")
        print(f"re-import:    {again.summary()}")
        print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
