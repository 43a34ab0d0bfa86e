"""Consumption estimates: rates, seasonality, confidence and regime changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from luckygas.forecast import (
    NAIVE_MONTHLY_FACTORS,
    ConsumptionParams,
    consumption_changes,
    estimate_consumption,
    fit_seasonality,
    naive_forecast,
    prepare_refills,
    refill_intervals,
)
from luckygas.forecast.simulate import SimulationParams
from tests.forecast.forecast_helpers import as_frame, refill_rows

AS_OF = "2025-11-01"


def _true_rates(hist, ids, day):
    return np.array([hist.true_rate(int(c), day) for c in ids])


def test_rates_recover_the_true_consumption(history):
    """Estimated kg/day is within 15 % of the true rate for the typical customer."""
    model = estimate_consumption(history.deliveries, AS_OF, customers=history.customers)
    rates = model.rates
    truth = _true_rates(history, rates.index, "2025-10-31")
    rel = np.abs(rates["rate_kg_day"].to_numpy() / truth - 1)
    assert np.median(rel) < 0.15
    assert np.mean(rel < 0.3) > 0.85


def test_pooled_seasonality_is_closer_to_truth_than_fixed_factors(history):
    """The learned monthly profile beats the earlier system's fixed factors."""
    profile = fit_seasonality(refill_intervals(prepare_refills(history.deliveries)))
    true = np.asarray(SimulationParams().season)
    true = true / true.mean()
    learned_err = np.abs(np.asarray(profile.factors) - true).max()
    fixed_err = np.abs(np.asarray(NAIVE_MONTHLY_FACTORS) - true).max()
    assert learned_err < 0.08
    assert learned_err < fixed_err


def test_flat_history_gives_flat_season_and_exact_rate():
    """A customer burning 4 kg/day all year is estimated at 4 kg/day, no seasonality."""
    days = pd.date_range("2024-01-01", "2025-06-30", freq="10D").strftime("%Y-%m-%d")
    rows = refill_rows(1, list(days), kg20=2)  # 40 kg every 10 days
    model = estimate_consumption(as_frame(rows), "2025-07-05")
    assert model.rates.at[1, "rate_kg_day"] == pytest.approx(4.0, rel=0.02)
    assert max(abs(f - 1) for f in model.profile.factors) < 0.02
    assert model.rates.at[1, "confidence"] > 0.9


def test_erratic_customer_gets_lower_confidence():
    """Irregular intervals mean a wider band and a lower confidence."""
    regular = refill_rows(1, [f"2025-0{m}-{d:02d}" for m in (1, 2, 3, 4) for d in (1, 11, 21)])
    rng = np.random.default_rng(0)
    erratic = [
        {**r, "customer_id": 2, "residual_kg": float(rng.uniform(0, 25))}
        for r in refill_rows(2, [r["delivered_on"].isoformat() for r in regular])
    ]
    model = estimate_consumption(as_frame(regular + erratic), "2025-05-01")
    assert model.rates.at[2, "confidence"] < model.rates.at[1, "confidence"]
    assert model.rates.at[2, "rel_sd"] > 2 * model.rates.at[1, "rel_sd"]


def test_single_refill_falls_back_to_master_usage():
    """A customer delivered once is estimated from the master avg_daily_kg."""
    customers = pd.DataFrame({"customer_id": [1], "avg_daily_kg": [3.0]})
    model = estimate_consumption(as_frame(refill_rows(1, ["2025-03-01"])), "2025-03-10",
                                 customers=customers)  # fmt: skip
    assert model.rates.at[1, "base_kg_day"] == pytest.approx(3.0)
    assert model.rates.at[1, "source"] == "prior"


def test_regime_changes_are_found_with_their_date(regime_history):
    """Most customers whose burn jumped or dropped are listed, near the right date."""
    changes = consumption_changes(regime_history.deliveries, "2025-12-31")
    truth = regime_history.truth
    found = changes.index.intersection(truth.index)
    assert len(found) >= 0.8 * len(truth)
    lag = (changes.loc[found, "change_day"] - truth.loc[found, "change_day"]).dt.days
    assert lag.abs().median() <= 21
    direction = np.where(truth.loc[found, "change_factor"] > 1, "up", "down")
    assert (changes.loc[found, "direction"].to_numpy() == direction).mean() > 0.95


def test_steady_customers_rarely_flagged_as_changed(history):
    """Customers who never changed are seldom reported as changed (few false alarms)."""
    changes = consumption_changes(history.deliveries, "2025-12-31")
    steady = history.truth.index[history.truth["change_factor"] == 1.0]
    assert changes.index.isin(steady).sum() <= 0.05 * len(steady)


def test_tracks_a_regime_change_faster_than_the_naive_method(regime_history):
    """Six weeks after a change, our rate is closer to the truth than the naive usage."""
    errs_ours, errs_naive = [], []
    truth = regime_history.truth
    for cid, row in truth.iterrows():
        day = (row["change_day"] + pd.Timedelta(days=42)).date()
        if day > pd.Timestamp("2025-12-20").date():
            continue
        model = estimate_consumption(
            regime_history.deliveries, day, customers=regime_history.customers
        )
        naive = naive_forecast(regime_history.deliveries, regime_history.customers, day)
        true_rate = regime_history.true_rate(cid, day)
        errs_ours.append(abs(model.rates.at[cid, "rate_kg_day"] / true_rate - 1))
        errs_naive.append(abs(naive.at[cid, "usage_kg_day"] / true_rate - 1))
        if len(errs_ours) >= 15:
            break
    assert np.median(errs_ours) < np.median(errs_naive)


def test_params_are_validated():
    """Nonsense settings are refused up front."""
    with pytest.raises(ValueError, match="half_life_days"):
        ConsumptionParams(half_life_days=0)


def test_schools_get_their_own_seasonal_profile():
    """A group that closes in summer gets its own profile instead of the restaurants'."""
    from luckygas.forecast.simulate import simulate_history

    shops = simulate_history(SimulationParams(n_customers=40, change_share=0, seed=3))
    summer_off = (1, 1, 1, 1, 1, 1, 0.2, 0.2, 1, 1, 1, 1)
    schools = simulate_history(
        SimulationParams(n_customers=20, change_share=0, season=summer_off, seed=4)
    )
    offset = 100
    deliveries = pd.concat(
        [shops.deliveries, schools.deliveries.assign(customer_id=lambda f: f.customer_id + offset)]
    )
    customers = pd.concat(
        [
            shops.customers.assign(customer_type="commercial"),
            schools.customers.assign(
                customer_id=lambda f: f.customer_id + offset, customer_type="school"
            ),
        ]
    )
    model = estimate_consumption(deliveries, "2025-12-01", customers=customers)
    assert model.profile_for("school").factors[6] < 0.5
    assert model.profile.factors[6] > 0.7
    assert (model.rates.loc[model.rates.index > offset, "profile"] == "school").all()
