"""Reading history from the database and saving proposals as forecast orders."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.cli import main
from luckygas.forecast import (
    forecast_day,
    load_customers,
    load_deliveries,
    propose_refills,
    save_proposals,
)
from luckygas.orders import create_order

DAY = dt.date(2025, 12, 1)


def _session(engine) -> Session:
    session = Session(engine, expire_on_commit=False)
    session.info["user"] = "tester"
    return session


def _forecast_orders(engine) -> list[m.Order]:
    with _session(engine) as s:
        return list(s.scalars(select(m.Order).where(m.Order.source == "forecast")))


def test_loaders_return_history_and_owned_sets(seeded_engine, history):
    """Deliveries and customers come back as frames with the owned set and capacity."""
    with _session(seeded_engine) as s:
        deliveries = load_deliveries(s, before=DAY)
        customers = load_customers(s)
    assert len(customers) == 30
    assert (customers["capacity_kg"] > 0).all()
    first = history.customers.iloc[0]
    assert customers.iloc[0]["capacity_kg"] == first["capacity_kg"]
    assert deliveries["delivered_on"].max() < DAY


def test_save_writes_forecast_orders_in_one_go(seeded_engine):
    """Saved proposals become pending orders, source forecast, optional ones flagged."""
    with _session(seeded_engine) as s:
        proposals = forecast_day(s, DAY)
        result = save_proposals(s, proposals, DAY)
        s.commit()
    orders = _forecast_orders(seeded_engine)
    assert len(orders) == len(proposals) == len(result.created) > 0
    assert {o.status.value for o in orders} == {"pending"}
    assert sum(o.is_optional for o in orders) == int(proposals["is_optional"].sum())
    assert all(o.notes.startswith("forecast: ") for o in orders)
    assert all(0 < o.details["penalty_weight"] <= 1 for o in orders)


def test_rerun_after_saving_proposes_nothing_twice(seeded_engine):
    """Running the forecast again for the same day does not duplicate orders."""
    with _session(seeded_engine) as s:
        save_proposals(s, forecast_day(s, DAY), DAY)
        s.commit()
        assert forecast_day(s, DAY).empty


def test_dry_run_writes_nothing(seeded_engine):
    """A dry run reports what it would create and leaves the database untouched."""
    with _session(seeded_engine) as s:
        result = save_proposals(s, forecast_day(s, DAY), DAY, dry_run=True)
        s.commit()
    assert result.dry_run and not result.created and len(result.planned) > 0
    assert "would create" in str(result)
    assert _forecast_orders(seeded_engine) == []


def test_phone_order_taken_meanwhile_is_kept_and_the_proposal_skipped(seeded_engine):
    """A phone order booked after the forecast ran is never replaced or merged."""
    with _session(seeded_engine) as s:
        proposals = forecast_day(s, DAY)
        code = proposals.iloc[0]["code"]
        create_order(s, customer_code=code, delivery_date=DAY, quantities={20: 1})
        result = save_proposals(s, proposals, DAY)
        s.commit()
        phone = s.scalars(select(m.Order).where(m.Order.source == "phone")).all()
    assert len(phone) == 1 and phone[0].qty_20kg == 1
    assert list(result.skipped["code"]) == [code]
    assert len(result.created) == len(proposals) - 1


def test_invalid_row_rejects_the_whole_batch(seeded_engine):
    """One proposal for an unknown customer code: nothing at all is saved."""
    with _session(seeded_engine) as s:
        proposals = forecast_day(s, DAY)
        proposals.loc[proposals.index[-1], "code"] = "9999999"
        with pytest.raises(ValueError, match=r"9999999|customer"):
            save_proposals(s, proposals, DAY)
        s.rollback()
    assert _forecast_orders(seeded_engine) == []


def test_proposals_from_frames_match_the_database_path(seeded_engine):
    """The pure-pandas function and the database convenience agree."""
    with _session(seeded_engine) as s:
        via_db = forecast_day(s, DAY)
        frames = propose_refills(load_deliveries(s), load_customers(s), DAY)
    assert list(via_db["customer_id"]) == list(frames["customer_id"])


def test_cli_prints_and_saves(seeded_engine, capsys):
    """`luckygas forecast --date D --save` prints the counts and stores the orders."""
    url = seeded_engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "--user", "tester", "forecast", "--date", "2025-12-01",
                 "--save", "--dry-run"]) == 0  # fmt: skip
    assert _forecast_orders(seeded_engine) == []
    assert main(["--db", url, "forecast", "--date", "2025-12-01", "--save", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "Forecast for 2025-12-01:" in out and "required" in out
    with _session(seeded_engine) as s:
        n = s.scalar(select(func.count()).select_from(m.Order))
    assert n == len(_forecast_orders(seeded_engine)) > 0


def test_cli_on_empty_database_says_why(db_engine, capsys):
    """No history: the command fails with one clear line instead of a traceback."""
    url = db_engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "forecast", "--date", "2025-12-01"]) == 1
    assert "no delivery history" in capsys.readouterr().err
