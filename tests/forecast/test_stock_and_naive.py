"""Gas left now, run-out dates, and the earlier system's method re-implemented."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from luckygas.forecast import (
    SeasonalProfile,
    estimate_consumption,
    gas_left,
    level_path,
    naive_forecast,
    prepare_refills,
)
from tests.forecast.forecast_helpers import as_frame, refill_rows

DAYS = ["2025-01-01", "2025-01-11", "2025-01-21", "2025-01-31", "2025-02-10", "2025-02-20"]


def test_gas_left_and_runout_follow_the_rate():
    """40 kg burnt at 4 kg/day: 20 kg left after 5 days, empty on day 10."""
    model = estimate_consumption(
        as_frame(refill_rows(1, DAYS)), "2025-02-25", profile=SeasonalProfile.flat()
    )
    stock = gas_left(model)
    assert stock.at[1, "gas_left_kg"] == pytest.approx(20.0, rel=0.01)
    assert stock.at[1, "days_left"] == pytest.approx(5.0, abs=0.05)
    assert stock.at[1, "runout_date"] == np.datetime64("2025-03-02")
    assert stock.at[1, "runout_early"] <= stock.at[1, "runout_date"] <= stock.at[1, "runout_late"]


def test_share_left_is_of_the_exchanged_set_and_reserve_passes_through():
    """Half the delivered kg left reads 50 %; the reserve bank is shown, not counted."""
    model = estimate_consumption(
        as_frame(refill_rows(1, DAYS)), "2025-02-25", profile=SeasonalProfile.flat()
    )
    customers = pd.DataFrame({"customer_id": [1], "capacity_kg": [80.0], "reserve_kg": [40.0]})
    stock = gas_left(model, customers=customers)
    assert stock.at[1, "pct_left"] == pytest.approx(50, rel=0.02)
    assert stock.at[1, "reserve_kg"] == 40.0
    assert stock.at[1, "gas_left_kg"] == pytest.approx(20, rel=0.02)


def test_timing_noise_widens_short_cycles_more_than_long_ones():
    """A fixed two days of timing noise matters for a 5-day cycle, hardly for a 50-day one."""
    short = refill_rows(1, ["2025-01-01", "2025-01-06", "2025-01-11", "2025-01-16"], kg20=1)
    long_ = refill_rows(2, ["2024-10-13", "2024-12-02", "2025-01-21"], kg20=5)
    model = estimate_consumption(
        as_frame(short + long_), "2025-01-22", profile=SeasonalProfile.flat()
    )
    plain = gas_left(model, z=1.0)
    timed = gas_left(model, z=1.0, timing_sd_days=2.0)
    assert (timed["band_sd"] > plain["band_sd"]).all()
    growth = timed["band_sd"] / plain["band_sd"]
    assert growth.at[1] > 1.5 * growth.at[2]
    assert timed.at[1, "days_left_early"] < plain.at[1, "days_left_early"]


def test_winter_burns_faster_than_summer():
    """With a seasonal profile the same stock lasts fewer days in January than in July."""
    winter = SeasonalProfile((1.3, 1.2, 1, 1, 1, 0.7, 0.7, 0.7, 1, 1, 1, 1.3))
    rows = refill_rows(1, ["2025-01-01", "2025-01-11"])
    frame = as_frame(rows + refill_rows(2, ["2025-06-21", "2025-07-01"]))
    model = estimate_consumption(frame, "2025-07-02", profile=winter)
    stock = gas_left(model, as_of="2025-07-02")
    assert model.rates.at[1, "base_kg_day"] < model.rates.at[2, "base_kg_day"]
    assert stock.at[1, "days_left"] < 0  # January refill long gone


def test_level_path_is_a_sawtooth_restarting_at_each_refill():
    """The chart's gas level jumps back to the delivered kg on every refill day."""
    frame = as_frame(refill_rows(1, DAYS))
    model = estimate_consumption(frame, "2025-02-25", profile=SeasonalProfile.flat())
    path = level_path(prepare_refills(frame), model, 1, until="2025-02-25")
    level = path.set_index("day")["level_kg"]
    assert level[np.datetime64("2025-01-11")] == pytest.approx(40.0)
    assert level[np.datetime64("2025-01-10")] == pytest.approx(4.0, abs=0.2)
    assert path["day"].iloc[-1] == np.datetime64("2025-02-25")


def test_naive_method_matches_the_earlier_system_by_hand():
    """Weights 0.5->1.0 on later-delivery kg/day, reserve added, fixed factors, -3 days."""
    rows = refill_rows(1, ["2025-03-01", "2025-03-11"], kg20=2) + refill_rows(
        1, ["2025-03-21"], kg20=3
    )
    customers = pd.DataFrame({"customer_id": [1], "avg_daily_kg": [5.0], "reserve_kg": [10.0]})
    naive = naive_forecast(as_frame(rows), customers, "2025-03-25").loc[1]
    assert naive["usage_kg_day"] == pytest.approx((0.5 * 4 + 1.0 * 6) / 1.5)
    assert naive["inventory_kg"] == pytest.approx(60 - 4 * naive["usage_kg_day"] * 1.05 + 10)
    assert naive["depletion_date"] == np.datetime64("2025-04-03")
    assert naive["recommended_date"] == np.datetime64("2025-03-31")
    assert bool(naive["listed"])


def test_naive_without_history_uses_master_usage_and_same_day_safety():
    """Too few deliveries: v1 falls back to avg_daily_kg; same-day customers get 2 days."""
    rows = refill_rows(1, ["2025-03-01"])
    customers = pd.DataFrame(
        {"customer_id": [1], "avg_daily_kg": [4.0], "reserve_kg": [0.0], "same_day": [True]}
    )
    naive = naive_forecast(as_frame(rows), customers, dt.date(2025, 3, 2)).loc[1]
    assert naive["usage_kg_day"] == 4.0
    assert naive["recommended_date"] == naive["depletion_date"] - np.timedelta64(2, "D")
