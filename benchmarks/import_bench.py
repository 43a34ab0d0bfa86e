"""Import speed: the 1,267-customer workbook and a 350,000-row delivery history.

Both files are generated in the real layouts (:mod:`luckygas.importers.samples`) into a
temporary folder, then imported into a fresh SQLite workbench file. Prints seconds and
rows per second for each step, including a re-import (everything unchanged) and a dry run.

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
from luckygas.importers import import_customers, import_history
from luckygas.importers.samples import sample_history, sample_workbook, write_workbook
from luckygas.models import Base, Customer, Delivery
from luckygas.reference import seed_reference_data


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
        engine = make_engine(f"sqlite:///{folder / 'bench.sqlite'}")
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            seed_reference_data(session, holiday_years=range(2021, 2026))
            session.commit()

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
