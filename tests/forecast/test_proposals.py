"""Refill proposals for a planning day: required, optional, skipped, and why."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from luckygas.forecast import (
    PROPOSAL_COLUMNS,
    DeliveryCalendar,
    ProposalParams,
    SeasonalProfile,
    estimate_consumption,
    propose_refills,
)
from tests.forecast.forecast_helpers import as_frame, refill_rows

D = dt.date(2026, 12, 1)  # a Tuesday


def _history(last_days_ago: dict[int, int]) -> pd.DataFrame:
    """Each customer burns 40 kg in 10 days; their last refill was N days before D."""
    rows = []
    for cid, ago in last_days_ago.items():
        last = D - dt.timedelta(days=ago)
        days = [(last - dt.timedelta(days=10 * k)).isoformat() for k in range(8, -1, -1)]
        rows += refill_rows(cid, days)
    return as_frame(rows)


def _customers(ids, **overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "code": [f"{1400000 + i:07d}" for i in ids],
            "short_name": [f"Shop {i}" for i in ids],
            "rest_weekdays": "",
            "closed_on_holidays": False,
            "postpone_days": 3,
            "qty_20kg": 2,
        }
    )
    for col, values in overrides.items():
        frame[col] = values
    return frame


#: These tests are about the rules (required / optional / nothing), so they use a narrow
#: band without the timing term, which would make a 10-day customer with 3 days left
#: required (see ``test_timing_noise_makes_short_cycles_required_sooner``).
RULES = ProposalParams(z=0.5, timing_sd_days=0.0)


def _propose(history, customers, **kwargs):
    kwargs.setdefault("params", RULES)
    model = estimate_consumption(history, D, customers=customers, profile=SeasonalProfile.flat())
    return propose_refills(history, customers, D, model=model, **kwargs).set_index("customer_id")


def test_required_optional_and_nothing_by_run_out():
    """Out today -> urgent; out in 3 days -> optional; 9 days of gas -> no proposal."""
    hist = _history({1: 10, 2: 7, 3: 1})
    out = _propose(hist, _customers([1, 2, 3]))
    assert list(out.columns) == [c for c in PROPOSAL_COLUMNS if c != "customer_id"]
    assert out.at[1, "kind"] == "required" and out.at[1, "priority"] == "urgent"
    assert out.at[2, "kind"] == "optional" and bool(out.at[2, "is_optional"])
    assert 0 < out.at[2, "penalty_weight"] < 1
    assert 3 not in out.index
    assert out.at[1, "qty_20kg"] == 2


def test_closed_days_after_d_make_a_customer_required():
    """Closed Wed and Thu: 3 days of gas cannot wait for Friday, and the reason says so."""
    hist = _history({1: 7, 2: 7})
    out = _propose(hist, _customers([1, 2], rest_weekdays=["34", ""]))
    assert out.at[1, "kind"] == "required" and out.at[1, "priority"] == "normal"
    assert out.at[1, "next_chance"] == pd.Timestamp("2026-12-04")
    assert "(closed Wed, closed Thu)" in out.at[1, "reason"]
    assert "runs out 12-04" in out.at[1, "reason"]
    assert out.at[2, "kind"] == "optional"


def test_reason_says_next_chance_is_the_fallback_after_the_planning_day():
    """The reason says 'if not served on 12-01, next chance 12-02', not a bare later date."""
    out = _propose(_history({1: 9}), _customers([1]))
    reason = out.at[1, "reason"]
    assert "if not served on 12-01, next chance 12-02" in reason
    assert "next delivery chance" not in reason


def test_a_reserve_bank_makes_an_empty_working_set_optional_not_required():
    """Working cylinders out but 40 kg reserve left: due (optional, weight 1), not urgent."""
    hist = _history({1: 11, 2: 11})
    out = _propose(hist, _customers([1, 2], reserve_kg=[40.0, 0.0]))
    assert out.at[1, "kind"] == "optional" and out.at[1, "penalty_weight"] == 1.0
    assert "working cylinders out since about 11-30" in out.at[1, "reason"]
    assert "40 kg reserve lasts to about 12-10" in out.at[1, "reason"]
    assert out.at[2, "kind"] == "required" and out.at[2, "priority"] == "urgent"
    assert out.at[1, "dry_date"] == pd.Timestamp("2026-12-10")


def test_timing_noise_makes_short_cycles_required_sooner():
    """By default a 10-day customer with 3 days of gas left is required for D, not optional."""
    out = _propose(_history({1: 7}), _customers([1]), params=ProposalParams())
    assert out.at[1, "kind"] == "required"
    assert _propose(_history({1: 7}), _customers([1])).at[1, "kind"] == "optional"


def test_holiday_closure_counts_for_customers_closed_on_holidays():
    """A national holiday tomorrow delays the next chance only for 'Red' customers."""
    hist = _history({1: 7, 2: 7})
    calendar = DeliveryCalendar.of(holidays=[dt.date(2026, 12, 2), dt.date(2026, 12, 3)])
    out = _propose(hist, _customers([1, 2], closed_on_holidays=[True, False]), calendar=calendar)
    assert out.at[1, "kind"] == "required"
    assert "closed holiday 2026-12-02" in out.at[1, "reason"]
    assert out.at[2, "kind"] == "optional"


def test_customers_with_open_orders_or_closed_today_get_no_proposal():
    """A phone order already booked, or a rest day on D, means no forecast order."""
    hist = _history({1: 10, 2: 10, 3: 10})
    orders = pd.DataFrame(
        {"customer_id": [1, 3], "delivery_date": [D, D], "status": ["pending", "cancelled"]}
    )
    out = _propose(hist, _customers([1, 2, 3], rest_weekdays=["", "2", ""]), open_orders=orders)
    assert list(out.index) == [3]


def test_inactive_customers_are_never_proposed():
    """Terminated or inactive customers are left out even when their gas is gone."""
    hist = _history({1: 10, 2: 10})
    out = _propose(hist, _customers([1, 2], is_terminated=[True, False]))
    assert list(out.index) == [2]


def test_wider_band_turns_optional_into_required():
    """Planning to the early edge of a wider band proposes more required refills."""
    hist = _history({1: 8})
    narrow = _propose(hist, _customers([1]), params=ProposalParams(z=0.0))
    wide = _propose(hist, _customers([1]), params=ProposalParams(z=12.0))
    assert narrow.at[1, "kind"] == "optional"
    assert wide.at[1, "kind"] == "required"


def test_quantities_are_the_usual_exchange_not_the_first_full_fill():
    """The usual swap (2 x 20 kg) is proposed even though the owned set is larger."""
    hist = _history({1: 10})
    first = hist["delivered_on"].min()
    hist.loc[hist["delivered_on"] == first, "qty_20kg"] = 4  # first delivery filled the set
    out = _propose(hist, _customers([1], qty_20kg=[4]))
    assert out.at[1, "qty_20kg"] == 2


def test_owned_set_is_brought_when_there_is_no_usable_delivery():
    """Without a successful delivery on record the whole owned set is proposed."""
    hist = _history({1: 10})
    customers = _customers([1, 2], qty_20kg=[2, 3], avg_daily_kg=[4.0, 50.0])
    out = _propose(hist, customers)
    assert 2 not in out.index  # no history at all: no run-out date, no proposal
    from luckygas.forecast.proposals import _swap_quantities

    qty = _swap_quantities(hist, customers.set_index("customer_id"), pd.Index([1, 2]))
    assert qty["qty_20kg"].tolist() == [2, 3]


def test_bad_params_are_refused():
    """A negative band width is refused."""
    with pytest.raises(ValueError, match="z must be"):
        ProposalParams(z=-1)
