"""The earlier system's refill predictor, re-implemented faithfully for comparison.

This follows ``GasPredictionService`` of the v1 system (``cheez95/LuckyGas:
src/main/python/services/prediction_service.py``, summarised in our own words; see
``docs/domain.md`` section 2), vectorised over customers:

* **usage**: over completed deliveries of the last 90 days, each interval's rate is the
  kg delivered at the *later* delivery divided by the days between the two (residual
  gas is ignored); the rates are averaged with weights rising linearly from 0.5 (oldest)
  to 1.0 (newest). With fewer than two deliveries in the window, or no usable interval,
  the customer's master ``avg_daily_kg`` is used;
* **inventory**: ``max(0, last delivered kg - days since * usage * factor(today)) +
  reserve_kg`` (0 if the customer was never delivered);
* **depletion**: starting today, subtract ``usage * factor(day)`` day by day until the
  inventory is gone, with the fixed monthly factors (Jan 1.2, Feb/Dec 1.15, Mar/Nov
  1.05, Apr/Oct 0.95, May/Sep 0.85, Jun-Aug 0.8); zero usage gives today + 30 days;
* **recommended date**: depletion - 3 days (- 2 for same-day customers), never before
  today; a customer is listed when depletion is within 14 days;
* **confidence**: from the coefficient of variation of delivery intervals over 180 days
  (0.95 / 0.85 / 0.75 / 0.60 / 0.40 for CV below 0.1 / 0.2 / 0.3 / 0.5 / above),
  times ``min(1, deliveries / 10)``; 0.3 with fewer than 3 deliveries.

Two deliberate deviations, both invisible in practice: "today" is the planning date
passed in (v1 used the wall clock), and several deliveries to one customer on one day
are merged into one (v1 skipped the zero-day interval between them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from luckygas.forecast.history import prepare_refills, to_day
from luckygas.forecast.seasonality import NAIVE_MONTHLY_FACTORS, SeasonalProfile

USAGE_WINDOW_DAYS = 90
CONFIDENCE_WINDOW_DAYS = 180
LISTING_HORIZON_DAYS = 14
SAFETY_DAYS = 3
SAFETY_DAYS_SAME_DAY = 2

_NAIVE_PROFILE = SeasonalProfile(NAIVE_MONTHLY_FACTORS)


def _weighted_interval_rates(refills: pd.DataFrame) -> pd.Series:
    """v1 usage: later-delivery kg / days, linearly weighted 0.5 -> 1.0 per customer."""
    cid = refills["customer_id"].to_numpy()
    day = refills["day"].to_numpy().astype("datetime64[D]")
    kg = refills["delivered_kg"].to_numpy()
    pair = np.flatnonzero(cid[:-1] == cid[1:])
    frame = pd.DataFrame(
        {
            "customer_id": cid[pair],
            "rate": kg[pair + 1] / (day[pair + 1] - day[pair]).astype(np.int64),
        }
    )
    group = frame.groupby("customer_id", sort=True)
    pos = group.cumcount().to_numpy()
    count = group["rate"].transform("size").to_numpy()
    weight = np.where(count > 1, 0.5 + 0.5 * pos / np.maximum(count - 1, 1), 1.0)
    frame["w"] = weight
    frame["wr"] = weight * frame["rate"]
    sums = frame.groupby("customer_id", sort=True)[["w", "wr"]].sum()
    return sums["wr"] / sums["w"]


def _confidence(refills: pd.DataFrame) -> pd.Series:
    cid = refills["customer_id"].to_numpy()
    day = refills["day"].to_numpy().astype("datetime64[D]")
    pair = np.flatnonzero(cid[:-1] == cid[1:])
    gaps = pd.DataFrame(
        {"customer_id": cid[pair], "gap": (day[pair + 1] - day[pair]).astype(np.int64)}
    )
    stats = gaps.groupby("customer_id")["gap"].agg(["mean", lambda g: float(np.std(g))])
    stats.columns = ["mean", "std"]
    cv = stats["std"] / stats["mean"]
    score = pd.Series(
        np.select([cv < 0.1, cv < 0.2, cv < 0.3, cv < 0.5], [0.95, 0.85, 0.75, 0.60], default=0.40),
        index=stats.index,
    )
    n = refills.groupby("customer_id").size()
    score = score.reindex(n.index).fillna(0.3) * np.minimum(1.0, n / 10.0)
    return score.where(n >= 3, 0.3)


def naive_forecast(
    deliveries: pd.DataFrame, customers: pd.DataFrame, as_of: object
) -> pd.DataFrame:
    """The v1 prediction for every customer, as of a planning day.

    Parameters
    ----------
    deliveries
        Delivery rows; only those strictly before ``as_of`` are used.
    customers
        Master data with ``customer_id``, ``avg_daily_kg``, ``reserve_kg`` and
        (optional) ``same_day``.
    as_of
        The planning day ("today" for v1).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``usage_kg_day``, ``inventory_kg``,
        ``depletion_date``, ``recommended_date``, ``listed`` (depletion within 14
        days), ``confidence``.
    """
    day = to_day(as_of)
    refills = prepare_refills(deliveries, before=day)
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    ids = frame.index
    recent = refills[refills["day"].to_numpy() >= day - USAGE_WINDOW_DAYS]
    enough = recent.groupby("customer_id").size()
    enough = enough[enough >= 2].index
    usage = _weighted_interval_rates(recent[recent["customer_id"].isin(enough)])
    usage = usage.reindex(ids).fillna(frame["avg_daily_kg"].astype(float)).fillna(0.0)

    last = refills.groupby("customer_id").tail(1).set_index("customer_id").reindex(ids)
    days_since = (day - last["day"].to_numpy().astype("datetime64[D]")).astype(float)
    today_factor = NAIVE_MONTHLY_FACTORS[int(day.astype("datetime64[M]").astype(np.int64) % 12)]
    remaining = (
        np.maximum(
            0.0, last["delivered_kg"].to_numpy() - days_since * usage.to_numpy() * today_factor
        )
        + frame["reserve_kg"].astype(float).fillna(0.0).to_numpy()
    )
    never = last["delivered_kg"].isna().to_numpy()
    remaining = np.where(never, 0.0, remaining)

    horizon = int(np.nanmax(remaining / np.maximum(usage.to_numpy(), 1e-9), initial=0) * 1.3)
    horizon = min(horizon + 2, 3660)
    cum = np.concatenate([[0.0], np.cumsum(_NAIVE_PROFILE.daily(day, day + horizon))])
    u = usage.to_numpy()
    n_days = np.searchsorted(cum, np.where(u > 0, remaining / np.where(u > 0, u, 1), 0), "left")
    n_days = np.where(u > 0, n_days, 30)
    depletion = day + n_days.astype("timedelta64[D]")
    same_day = frame["same_day"].astype(bool).to_numpy() if "same_day" in frame else False
    safety = np.where(same_day, SAFETY_DAYS_SAME_DAY, SAFETY_DAYS).astype("timedelta64[D]")
    recommended = np.maximum(depletion - safety, day)
    conf = _confidence(refills[refills["day"].to_numpy() >= day - CONFIDENCE_WINDOW_DAYS])
    conf = conf.reindex(ids).fillna(0.3).where(u > 0, 0.0)
    return pd.DataFrame(
        {
            "usage_kg_day": u,
            "inventory_kg": remaining,
            "depletion_date": depletion,
            "recommended_date": recommended,
            "listed": depletion <= day + LISTING_HORIZON_DAYS,
            "confidence": conf.to_numpy(),
        },
        index=ids,
    )
