"""Click-to-screen times of the planning panel in a real JupyterLab and Chromium.

Usage::

    python benchmarks/panel_bench.py [--db URL] [--time-limit 5] [--lock-stops 5]
                                     [--rounds 1] [--out DIR]

Starts JupyterLab on loopback (random port and token) over a throw-away directory holding
one generated notebook that shows ``PlanningPanel(engine, time_limit_s=LIMIT)`` for the
demo day, opens it in the system Chromium (headless, through Playwright) and clicks, in
each round: Optimize (the first round from nothing, later ones a warm re-plan), Lock &
re-plan (the first ``--lock-stops`` stops of the longest route), Move & re-plan (an order
from the middle of the longest route to the least loaded vehicle of the same type) and
Unlock all.

For each click it reports, measured by the browser's clock: the time from the click to
the status line's final text (the plan is on screen) and to the map's last change, and
the served orders and the total cost the status line shows before and after. The
database is a copy of ``--db`` (a SQLite demo database; without one a fresh demo
database is built), so the benchmark never writes to it. ``--out DIR`` keeps the figures
as JSON and a screenshot of the panel.

Prints the machine's load average with the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbformat

from tests.browser.lab import (
    NotebookPage,
    chromium_path,
    demo_database_copy,
    launch_chromium,
    start_lab,
)
from tests.browser.panels import Action, PlanningPanelUI, total_cost

NOTEBOOK = "panel_bench.ipynb"


@dataclass
class Row:
    """One click: what it took and what the status line showed before and after."""

    round: int
    action: str
    status_s: float
    map_s: float | None
    served_before: int | None
    served_after: int | None
    cost_before: float | None
    cost_after: float | None
    status: str


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def write_notebook(directory: Path, time_limit_s: float) -> Path:
    """The benchmark's notebook: the planning panel on the database of the environment."""
    code = (
        "from luckygas.db import make_engine\n"
        "from luckygas.widgets import PlanningPanel\n"
        "\n"
        "engine = make_engine()  # $LUCKYGAS_DATABASE_URL\n"
        f"panel = PlanningPanel(engine, user='bench', time_limit_s={float(time_limit_s)!r})\n"
        "panel"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = directory / NOTEBOOK
    nbformat.write(nb, path)
    return path


def _served(status: str) -> int | None:
    m = re.search(r"(\d[\d,]*)\s*/\s*\d[\d,]*\s+orders", status)
    return int(m.group(1).replace(",", "")) if m else None


def _row(n: int, name: str, before: str, action: Action) -> Row:
    return Row(
        round=n,
        action=name,
        status_s=round(action.seconds, 2),
        map_s=None if action.map_seconds is None else round(action.map_seconds, 2),
        served_before=_served(before),
        served_after=action.served,
        cost_before=total_cost(before),
        cost_after=total_cost(action.status),
        status=action.status,
    )


def run_round(ui: PlanningPanelUI, n: int, lock_stops: int, timeout_s: float) -> list[Row]:
    """One round of clicks: Optimize, Lock & re-plan, Move & re-plan, Unlock all.

    A move the solver refuses (the panel says why, and keeps the plan) is reported as
    such and the next plausible move is tried, up to three.
    """
    rows = []
    plan_status = ui.status()  # the last status line that showed a plan

    def click(name: str, pattern: str | re.Pattern[str]) -> Action:
        nonlocal plan_status
        action = ui.click(pattern, timeout_s=timeout_s, wait_map=True)
        rows.append(
            _row(n, name if action.served is not None else f"{name}: refused", plan_status, action)
        )
        if action.served is not None:
            plan_status = action.status
        print(f"  {name}: {action.seconds:.1f} s · {action.status[:120]}", flush=True)
        return action

    click("Optimize" if n == 1 else "Optimize (re-plan)", "Optimize")
    routes = ui.routes_by_vehicle()
    vehicle = max(routes, key=lambda v: len(routes[v]))
    ui.choose("Lock route", re.compile(rf"\b{re.escape(vehicle)}$"))
    ui.set_number("first stops", min(lock_stops, len(routes[vehicle])))
    click(f"Lock & re-plan ({lock_stops} stops)", "Lock")
    for order, _source, target in ui.move_candidates()[:3]:
        ui.pick_move(order, target)
        if click("Move & re-plan", "Move").served is not None:
            break
    if not ui.button(re.compile("Unlock all")).first.is_disabled():
        click("Unlock all", re.compile("Unlock all"))
    return rows


def _fmt(v: float | int | None, pattern: str = "{:,.0f}") -> str:
    return "–" if v is None else pattern.format(v)


def print_table(rows: list[Row]) -> None:
    """The figures as a Markdown table."""
    print(
        "\n| round | action | click → status (s) | click → map (s) "
        "| served before → after | total cost before → after (TWD) |"
    )
    print("|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.round} | {r.action} | {r.status_s:.2f} | {_fmt(r.map_s, '{:.2f}')} "
            f"| {_fmt(r.served_before)} → {_fmt(r.served_after)} "
            f"| {_fmt(r.cost_before)} → {_fmt(r.cost_after)} |"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns non-zero when it cannot run (no Chromium)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db",
        default=os.environ.get("LUCKYGAS_DATABASE_URL"),
        help="SQLite demo database to copy (default $LUCKYGAS_DATABASE_URL; else built fresh)",
    )
    ap.add_argument("--time-limit", type=float, default=5.0, help="solver seconds (default 5)")
    ap.add_argument("--lock-stops", type=int, default=5, help="stops to lock (default 5)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of clicks (default 1)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds to wait per click")
    ap.add_argument("--out", type=Path, help="directory for results.json and panel.png")
    args = ap.parse_args(argv)
    if chromium_path() is None:
        print("panel_bench: no chromium on PATH", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="luckygas-panel-bench-") as tmp:
        work = Path(tmp)
        db = demo_database_copy(work / "db", args.db)
        root = work / "root"
        root.mkdir()
        write_notebook(root, args.time_limit)
        server = start_lab(
            root, work / "lab", {"LUCKYGAS_DATABASE_URL": f"sqlite:///{db}"}, timeout_s=120
        )
        rows: list[Row] = []
        try:
            with sync_playwright() as pw:
                browser = launch_chromium(pw)
                nb = NotebookPage.open(browser, server, NOTEBOOK)
                print(f"panel shown in {nb.run_all(timeout_s=args.timeout):.1f} s", flush=True)
                ui = PlanningPanelUI(nb)
                ui.wait_ready()
                for n in range(1, args.rounds + 1):
                    print(f"round {n}:", flush=True)
                    rows += run_round(ui, n, args.lock_stops, args.timeout)
                if args.out:
                    args.out.mkdir(parents=True, exist_ok=True)
                    ui.root.screenshot(path=str(args.out / "panel.png"))
                errors = nb.errors()
                browser.close()
        finally:
            server.stop()
    print(f"\nPlanning panel, demo day, time limit {args.time_limit:g} s ({_load()})")
    print_table(rows)
    if errors:
        print(f"\n{len(errors)} browser error(s), first: {errors[0]}")
    if args.out:
        (args.out / "results.json").write_text(
            json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
