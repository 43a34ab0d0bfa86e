"""Backtest: the target definition and the comparison with the naive method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from luckygas.forecast import ProposalParams, actual_runouts, backtest, default_cutoffs
from tests.forecast.forecast_helpers import as_frame, refill_rows


def test_actual_runout_extrapolates_the_measured_burn():
    """40 kg delivered, 8 kg back 10 days later: 3.2 kg/day, empty 12.5 days after."""
    rows = refill_rows(1, ["2025-03-01"]) + refill_rows(1, ["2025-03-11"], residual=8.0)
    actual = actual_runouts(as_frame(rows), "2025-03-05")
    assert actual.at[1, "actual_days_left"] == pytest.approx(12.5 - 4)
    assert actual.at[1, "used_kg"] == 32.0


@pytest.fixture(scope="module")
def result(history):
    """A backtest on the shared synthetic history at four cut-offs."""
    cutoffs = default_cutoffs(history.deliveries, n=4)
    return backtest(history.deliveries, history.customers, cutoffs, progress=False)


def test_backtest_table_has_both_methods_per_cutoff(result):
    """One row per cut-off and method, and counts that add up."""
    assert len(result.table) == 8
    assert set(result.table["method"]) == {"forecast", "naive"}
    t = result.table
    assert (t["prevented"] + t["missed"] == t["needed"]).all()


def test_forecast_beats_naive_on_error_and_missed_dry_outs(result):
    """Our dry-date error is smaller and we miss fewer dry-outs, at a bounded price in trips."""
    s = result.summary.set_index("method")
    assert s.at["forecast", "mae_days"] < s.at["naive", "mae_days"]
    assert s.at["forecast", "mae_due_days"] < s.at["naive", "mae_due_days"]
    assert s.at["forecast", "missed"] < s.at["naive", "missed"]
    assert s.at["forecast", "prevented"] >= 0.9 * s.at["forecast", "needed"]
    # In this small world the defaults buy their safety with more early trips than the
    # naive method (89 vs 42 when written); they must not run away.
    assert s.at["forecast", "early_trips"] <= 2.5 * s.at["naive", "early_trips"]


def test_narrow_band_trades_missed_dry_outs_for_early_trips(history, result):
    """Without the timing term and with a narrower band: fewer early trips, more misses."""
    cutoffs = default_cutoffs(history.deliveries, n=4)
    narrow = ProposalParams(z=0.5, timing_sd_days=0.0)
    s = backtest(
        history.deliveries, history.customers, cutoffs, params=narrow, progress=False
    ).summary.set_index("method")
    wide = result.summary.set_index("method")
    assert s.at["forecast", "early_trips"] < wide.at["forecast", "early_trips"]
    assert s.at["forecast", "missed"] > wide.at["forecast", "missed"]


def test_reserve_bank_counts_towards_the_actual_dry_date():
    """A 20 kg reserve at the measured 3.2 kg/day keeps the customer going 6.25 days longer."""
    rows = refill_rows(1, ["2025-03-01"]) + refill_rows(1, ["2025-03-11"], residual=8.0)
    customers = pd.DataFrame({"customer_id": [1], "reserve_kg": [20.0]})
    actual = actual_runouts(as_frame(rows), "2025-03-05", customers)
    assert actual.at[1, "actual_days_left"] == pytest.approx(8.5)
    assert actual.at[1, "actual_days_to_dry"] == pytest.approx(8.5 + 6.25)


def test_detail_rows_cover_customers_with_a_known_outcome(result, history):
    """Every scored customer has an actual run-out and both predictions."""
    d = result.detail
    assert d[["actual_days_left", "forecast_days_left", "naive_days_left"]].notna().all().all()
    assert d["customer_id"].isin(history.customers["customer_id"]).all()
    assert np.isfinite(d["actual_days_left"]).all()


def test_too_short_history_is_refused():
    """A history under six months cannot be backtested, and says so."""
    with pytest.raises(ValueError, match="too short"):
        default_cutoffs(as_frame(refill_rows(1, ["2025-01-01", "2025-02-01"])))
