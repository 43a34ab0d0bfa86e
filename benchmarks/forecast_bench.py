"""Refill forecasting: how long it takes on the full demo database, and how good it is.

Run with ``python benchmarks/forecast_bench.py [--db URL] [--cutoffs N]``. It reads the
database only (default: ``$LUCKYGAS_DATABASE_URL`` or ``data/luckygas.sqlite``; build
one with ``luckygas demo-data``) and prints

* the time to load the history, estimate every customer's consumption, and propose
  refills for the plan day (best of ``--repeat`` runs);
* the backtest table (forecast vs the earlier system's naive method) over ``--cutoffs``
  past planning days, and its pooled summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import pandas as pd
from sqlalchemy.orm import Session

from luckygas.bridge.planning import next_delivery_day
from luckygas.db import make_engine
from luckygas.forecast import (
    backtest,
    default_cutoffs,
    estimate_consumption,
    load_calendar,
    load_customers,
    load_deliveries,
    load_open_orders,
    naive_forecast,
    propose_refills,
)


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    """Print timings and the backtest table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL")
    parser.add_argument("--cutoffs", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    engine = make_engine(args.db)
    with Session(engine) as session:
        day = next_delivery_day(session) or dt.date.today() + dt.timedelta(days=1)
        t_load, deliveries = _best(lambda: load_deliveries(session, before=day), args.repeat)
        customers = load_customers(session)
        calendar = load_calendar(session)
        orders = load_open_orders(session, day)
    engine.dispose()

    t_est, model = _best(
        lambda: estimate_consumption(deliveries, day, customers=customers), args.repeat
    )
    t_prop, proposals = _best(
        lambda: propose_refills(
            deliveries, customers, day, open_orders=orders, calendar=calendar, model=model
        ),
        args.repeat,
    )
    t_all, _ = _best(
        lambda: propose_refills(deliveries, customers, day, open_orders=orders, calendar=calendar),
        args.repeat,
    )
    t_naive, _ = _best(lambda: naive_forecast(deliveries, customers, day), args.repeat)
    print(f"plan day {day}: {len(deliveries):,} delivery rows, {len(customers):,} customers")
    print(f"load history             {t_load:6.2f} s")
    print(f"estimate consumption     {t_est:6.2f} s  ({len(model.rates):,} customers)")
    print(f"propose (model given)    {t_prop:6.2f} s")
    print(f"estimate + propose       {t_all:6.2f} s  ({len(proposals)} proposals: "
          f"{int((~proposals['is_optional']).sum())} required, "
          f"{int(proposals['is_optional'].sum())} optional)")  # fmt: skip
    print(f"naive method, all        {t_naive:6.2f} s  (ratio forecast/naive "
          f"{t_all / t_naive:.1f}x)")  # fmt: skip

    cutoffs = default_cutoffs(deliveries, n=args.cutoffs)
    t_bt, result = _best(
        lambda: backtest(deliveries, customers, cutoffs, calendar=calendar, progress=False), 1
    )
    cols = ["customers", "mae_days", "bias_days", "mae_due_days", "needed", "prevented",
            "missed", "early_trips", "early_days", "optional"]  # fmt: skip
    with pd.option_context("display.width", 200):
        print(f"\nbacktest over {len(cutoffs)} cut-offs in {t_bt:.1f} s")
        table = result.table.assign(cutoff=result.table["cutoff"].dt.date)
        print(table.set_index(["cutoff", "method"])[cols].round(2).to_string())
        print("\npooled")
        print(result.summary.set_index("method")[cols].round(2).to_string())


if __name__ == "__main__":
    main()
