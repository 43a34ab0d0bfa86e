"""Report speed: papermill run + HTML export of the day report, route sheets, Excel and CSV.

Builds the demo database in a temporary folder, plans and saves the demo delivery day,
then times each output on that plan. Prints seconds per step and the file sizes.

Run: ``python benchmarks/report_bench.py [--time-limit 10] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy.orm import Session

from luckygas.bridge.persist import save_plan
from luckygas.bridge.planning import plan_day
from luckygas.db import make_engine
from luckygas.demo.build import build_demo_database
from luckygas.optimize.params import SolverParams
from luckygas.reports import write_plan_workbook, write_route_sheets, write_stops_csv
from luckygas.reports.data import load_plan_data
from luckygas.reports.report import ReportParams, execute_report_notebook, export_html


def _best(label: str, repeat: int, fn: Callable[[], Any]) -> Any:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"{label:<36} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s")
    return result


def main() -> None:
    """Build, plan, and time every output."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0, help="solver seconds")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        out = Path(tmp)
        url = f"sqlite:///{out / 'demo.sqlite'}"
        engine = make_engine(url)
        summary = build_demo_database(engine, progress=False)
        day = summary.delivery_date
        with Session(engine, expire_on_commit=False) as s:
            s.info["user"] = "bench"
            problem, result = plan_day(s, day, SolverParams(time_limit_s=args.time_limit))
            plan_id = save_plan(s, problem, result, name="bench").id
            s.commit()
        print(f"demo day {day}: {result.kpis['served']}/{result.kpis['orders']} orders on "
              f"{len(result.routes)} routes")  # fmt: skip

        params = ReportParams(date=day.isoformat(), database_url=url, plan_id=plan_id)
        executed = out / "executed.ipynb"
        _best("papermill (run report notebook)", args.repeat,
              lambda: execute_report_notebook(params, executed, progress=False))  # fmt: skip
        nb = nbformat.read(executed, as_version=4)

        def export() -> Path:
            return export_html(nbformat.from_dict(nb), out / "r.html", title="bench")

        html = _best("nbconvert export (one HTML)", args.repeat, export)
        print(f"{'report size':<36} {html.stat().st_size / 1e6:6.2f} MB")

        with Session(engine) as s:
            data = _best("load plan data", args.repeat, lambda: load_plan_data(s, day))
        paths = _best("route sheets (all routes)", args.repeat,
                      lambda: write_route_sheets(None, data, out / "sheets"))  # fmt: skip
        size = sum(p.stat().st_size for p in paths)
        print(f"{'route sheets':<36} {len(paths) - 2} routes, {size / 1e3:6.0f} KB")
        xlsx = _best("Excel workbook", args.repeat,
                     lambda: write_plan_workbook(data, out / "plan.xlsx"))  # fmt: skip
        _best("CSV of stops", args.repeat, lambda: write_stops_csv(data, out / "plan.csv"))
        print(f"{'workbook size':<36} {xlsx.stat().st_size / 1e3:6.0f} KB")
        engine.dispose()


if __name__ == "__main__":
    main()
