"""``luckygas forecast``: propose refill orders for a day from each customer's consumption."""

from __future__ import annotations

import argparse
import datetime as dt

from luckygas.cli._common import CommandError, add_command, date_arg


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``forecast`` to the command line."""
    p = add_command(
        sub, "forecast", "propose refill orders for a delivery day from consumption", _forecast
    )
    p.add_argument(
        "--date",
        type=date_arg,
        help="delivery date YYYY-MM-DD (default: next day with open orders)",
    )
    p.add_argument("--save", action="store_true", help="store the proposals as forecast orders")
    p.add_argument(
        "--dry-run", action="store_true", help="with --save: check and report, write nothing"
    )
    p.add_argument("--top", type=int, default=15, help="rows of the table to print (default 15)")
    p.add_argument(
        "--z", type=float, default=None, help="width of the run-out band in sd (default 1.0)"
    )


def _forecast(args: argparse.Namespace) -> int:
    import pandas as pd

    from luckygas import queries
    from luckygas.db import make_engine, session_scope
    from luckygas.forecast import (
        ProposalParams,
        forecast_day,
        forecast_outcome,
        save_proposals,
    )

    if args.top < 0:
        raise CommandError("--top must be >= 0")
    if args.dry_run and not args.save:
        print("(--dry-run without --save: nothing is written anyway)")
    params = ProposalParams() if args.z is None else ProposalParams(z=args.z)
    engine = make_engine(args.database_url)
    try:
        # Without --save the forecast only reads, and a reader holds no lock.
        with session_scope(engine, user=args.user, write=bool(args.save)) as session:
            day = args.date or _default_day(session)
            if not queries.has_deliveries(session):
                raise CommandError("no delivery history in the database: nothing to forecast")
            _print_outcome(forecast_outcome(session, day), day, pd)
            proposals = forecast_day(session, day, params=params)
            _print_table(proposals, day, args.top, pd)
            if args.save:
                result = save_proposals(session, proposals, day, dry_run=args.dry_run)
                print(result)
                if result.created:
                    print(f"orders {result.created[0]} .. {result.created[-1]}")
    finally:
        engine.dispose()
    return 0


def _default_day(session) -> dt.date:
    from luckygas.bridge.planning import next_delivery_day

    return next_delivery_day(session) or dt.date.today() + dt.timedelta(days=1)


def _print_outcome(outcome, day: dt.date, pd) -> None:
    """Forecast orders already saved for ``day`` and whether the latest plan serves them."""
    if outcome.empty:
        return
    counts = outcome["planned"].value_counts()
    print(
        f"Forecast orders already in the database for {day}: {len(outcome)} ("
        + ", ".join(f"{n} {label}" for label, n in counts.items())
        + ")"
    )
    skipped = outcome[outcome["planned"] == "not served"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 90):
        if len(skipped):
            print(skipped[["number", "short_name", "is_optional", "reason"]].to_string(index=False))
    print()


def _print_table(proposals, day: dt.date, top: int, pd) -> None:
    required = proposals[~proposals["is_optional"]]
    urgent = int((required["priority"] == "urgent").sum())
    print(
        f"Forecast for {day}: {len(required)} required ({urgent} urgent), "
        f"{int(proposals['is_optional'].sum())} optional"
    )
    if proposals.empty or top == 0:
        return
    view = proposals.head(top).assign(
        left_kg=lambda f: f["gas_left_kg"].round(0).astype(int),
        kg_day=lambda f: f["rate_kg_day"].round(1),
        weight=lambda f: f["penalty_weight"].round(2),
        working_out=lambda f: pd.to_datetime(f["runout_date"]).dt.strftime("%m-%d"),
        dry=lambda f: pd.to_datetime(f["dry_date"]).dt.strftime("%m-%d"),
    )
    cols = ["code", "short_name", "kind", "priority", "weight", "left_kg", "kg_day",
            "working_out", "dry", "qty_50kg", "qty_20kg", "qty_16kg", "qty_10kg", "qty_4kg",
            "reason"]  # fmt: skip
    with pd.option_context("display.width", 200, "display.max_colwidth", 90):
        print(view[cols].to_string(index=False))
