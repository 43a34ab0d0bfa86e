"""A business-wide monthly seasonal profile of gas consumption, pooled over customers.

Per-customer history is thin (a few dozen refills a year, each spanning a week or
two), so one month-of-year profile is estimated from *all* customers' intervals and
each customer keeps only its own base rate. The model is

    used_kg(interval) = base[customer] * sum over the interval's days of s[month(day)]

and is fitted by alternating (EM-style) multiplicative updates, which keep every factor
positive and handle intervals that straddle month ends exactly (each interval's days
are split over the months they fall in). Factors are normalised to a day-weighted mean
of 1, so a base rate is "kg/day in an average month".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The earlier system's fixed factors (v1 ``GasPredictionService.get_seasonal_factor``).
NAIVE_MONTHLY_FACTORS: tuple[float, ...] = (
    1.2, 1.15, 1.05, 0.95, 0.85, 0.8, 0.8, 0.8, 0.85, 0.95, 1.05, 1.15,
)  # fmt: skip

_DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True, slots=True)
class SeasonalProfile:
    """Twelve multiplicative month-of-year factors (January first), mean 1 over a year.

    Parameters
    ----------
    factors
        The factors, January to December.
    exposure_kg
        Expected kg behind each month's factor (0 for months with no data, whose factor
        is then 1).
    """

    factors: tuple[float, ...]
    exposure_kg: tuple[float, ...] = (0.0,) * 12

    def __post_init__(self) -> None:
        if len(self.factors) != 12 or min(self.factors) <= 0:
            raise ValueError("SeasonalProfile: expected 12 positive factors.")

    @classmethod
    def flat(cls) -> SeasonalProfile:
        """No seasonality: every month 1.0."""
        return cls((1.0,) * 12)

    def daily(self, start: np.datetime64, stop: np.datetime64) -> np.ndarray:
        """The factor for each day in ``[start, stop)``."""
        days = np.arange(start, stop, dtype="datetime64[D]")
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        return np.asarray(self.factors)[month]

    def as_series(self) -> pd.Series:
        """The factors indexed by month number 1..12."""
        return pd.Series(self.factors, index=pd.RangeIndex(1, 13, name="month"), name="factor")


class DayAxis:
    """Cumulative per-month day counts over a date range, for O(1) interval sums.

    ``months(a, b)`` gives, for arrays of interval bounds, how many days of each
    month-of-year lie in ``[a, b)``; ``exposure(a, b, profile)`` the sum of the seasonal
    factors over those days.
    """

    def __init__(self, start: np.datetime64, stop: np.datetime64) -> None:
        self.start = np.datetime64(start, "D")
        days = np.arange(self.start, np.datetime64(stop, "D") + 1, dtype="datetime64[D]")
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        onehot = np.zeros((len(days) + 1, 12))
        onehot[np.arange(1, len(days) + 1), month] = 1.0
        self._cum = np.cumsum(onehot, axis=0)  # row i: day counts of days[:i]

    def _index(self, day: np.ndarray) -> np.ndarray:
        return (np.asarray(day, dtype="datetime64[D]") - self.start).astype(np.int64)

    def months(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Days of each month-of-year in ``[a, b)`` (shape ``(n, 12)``)."""
        return self._cum[self._index(b)] - self._cum[self._index(a)]

    def exposure(self, a: np.ndarray, b: np.ndarray, profile: SeasonalProfile) -> np.ndarray:
        """Sum of seasonal factors over the days in ``[a, b)``."""
        return self.months(a, b) @ np.asarray(profile.factors)


def _normalise(s: np.ndarray) -> np.ndarray:
    return s / (np.dot(s, _DAYS_IN_MONTH) / _DAYS_IN_MONTH.sum())


def fit_seasonality(
    intervals: pd.DataFrame,
    *,
    iterations: int = 50,
    tolerance: float = 1e-4,
    prior_kg: float = 200.0,
    since: object | None = None,
) -> SeasonalProfile:
    """Estimate the pooled monthly profile from refill intervals.

    Parameters
    ----------
    intervals
        Output of :func:`luckygas.forecast.history.refill_intervals` (all customers).
    iterations
        Most EM iterations.
    tolerance
        Stop when no factor moves by more than this in an iteration.
    prior_kg
        Shrinkage: each month behaves as if it also had this many kg of evidence for a
        factor of 1, so months with little data stay near 1.
    since
        Use only intervals ending on or after this date (default: all).

    Returns
    -------
    SeasonalProfile
    """
    iv = intervals[intervals["days"] > 0]
    if since is not None:
        iv = iv[iv["end"].to_numpy() >= np.datetime64(pd.Timestamp(since).date(), "D")]
    if iv.empty:
        return SeasonalProfile.flat()
    start = iv["start"].to_numpy().astype("datetime64[D]")
    end = iv["end"].to_numpy().astype("datetime64[D]")
    axis = DayAxis(start.min(), end.max())
    # (12, n), contiguous. Products are elementwise-and-sum rather than BLAS calls:
    # a 12-row matrix-vector product gains nothing from BLAS threads, which only fight
    # for the cores a busy notebook server has.
    month_days = np.ascontiguousarray(axis.months(start, end).T)
    used = iv["used_kg"].to_numpy(dtype=float)
    codes, cust = np.unique(iv["customer_id"].to_numpy(), return_inverse=True)
    used_per_customer = np.bincount(cust, weights=used, minlength=len(codes))
    s = np.ones(12)
    den = np.zeros(12)
    for _ in range(iterations):
        expo = (month_days * s[:, None]).sum(axis=0)
        base = used_per_customer / np.maximum(
            np.bincount(cust, weights=expo, minlength=len(codes)), 1e-9
        )
        # E-step: split each interval's kg over its months in proportion to the expected
        # burn; M-step: each month's factor = kg attributed / kg expected at factor 1.
        num = s * (month_days * (used / np.maximum(expo, 1e-9))).sum(axis=1)
        den = (month_days * base[cust]).sum(axis=1)
        new = _normalise((num + prior_kg) / (den + prior_kg))
        converged = np.abs(new - s).max() < tolerance
        s = new
        if converged:
            break
    exposure = tuple(float(x) for x in den)
    return SeasonalProfile(tuple(float(x) for x in s), exposure)
