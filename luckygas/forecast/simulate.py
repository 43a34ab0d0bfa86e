"""Synthetic delivery histories with known true consumption, for tests and benchmarks.

Each customer burns ``base * season(month) * noise`` kg a day (noise: gamma, mean 1)
from a full set; when the level drops below ``reserve_share`` of the set, the
distributor refills it ``lead`` days later (0 to ``max_lead_days``), recording the
residual gas found in the returned cylinders. Some customers change regime (their base
rate is multiplied by a factor from a given day) and a few visits fail (not home), so
the forecaster meets the same situations as on real history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from luckygas.domain import DeliveryOutcome


@dataclass(frozen=True, slots=True)
class SimulationParams:
    """Parameters of a synthetic history.

    Parameters
    ----------
    n_customers
        Number of customers. Default 60.
    start, days
        First day and length of the history. Defaults 2024-01-01 and 730 days.
    median_rate
        Median base rate, kg/day (real data: 4.3). Default 4.3.
    rate_sigma
        Log-normal spread of base rates between customers. Default 0.6.
    season
        True month-of-year factors (January first, mean about 1).
    daily_cv
        Day-to-day coefficient of variation of usage. Default 0.35.
    change_share
        Share of customers that change regime once. Default 0.2.
    change_factors
        Possible multipliers at a regime change. Default (0.5, 1.8).
    reserve_share
        A refill is triggered when the level falls below this share of the set.
        Default 0.2.
    max_lead_days
        Refills come 0..max_lead_days days after the trigger. Default 2.
    failed_share
        Share of visits that fail (not home; refilled the next day). Default 0.02.
    prior_noise
        Relative noise of the master-data ``avg_daily_kg`` against the true first rate.
        Default 0.3.
    seed
        Random seed. Default 0.
    """

    n_customers: int = 60
    start: str = "2024-01-01"
    days: int = 730
    median_rate: float = 4.3
    rate_sigma: float = 0.6
    season: tuple[float, ...] = (
        1.25, 1.2, 1.05, 0.95, 0.9, 0.85, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2,
    )  # fmt: skip
    daily_cv: float = 0.35
    change_share: float = 0.2
    change_factors: tuple[float, ...] = (0.5, 1.8)
    reserve_share: float = 0.2
    max_lead_days: int = 2
    failed_share: float = 0.02
    prior_noise: float = 0.3
    seed: int = 0


@dataclass(frozen=True)
class SyntheticHistory:
    """A simulated history: master data, delivery rows and the truth behind them.

    Attributes
    ----------
    customers
        ``customer_id``, ``code``, ``avg_daily_kg`` (noisy prior), ``capacity_kg``,
        ``qty_50kg`` ... ``qty_4kg`` (owned set), ``rest_weekdays``,
        ``closed_on_holidays``, ``postpone_days``, ``reserve_kg``, ``same_day``.
    deliveries
        Rows shaped like the ``deliveries`` table.
    truth
        Per customer: ``base_kg_day`` (first regime), ``change_day``, ``change_factor``.
    daily_rate
        True expected kg/day, shape ``(n_customers, days)``.
    """

    customers: pd.DataFrame
    deliveries: pd.DataFrame
    truth: pd.DataFrame
    daily_rate: np.ndarray
    start: np.datetime64

    def true_rate(self, customer_id: int, day: object) -> float:
        """The true expected kg/day of a customer on a day."""
        i = int((np.datetime64(pd.Timestamp(day).date(), "D") - self.start).astype(np.int64))
        return float(self.daily_rate[customer_id - 1, i])


_SETS = ((0, 2, 0, 0, 0), (0, 3, 0, 0, 0), (2, 0, 0, 0, 0), (0, 1, 1, 0, 0), (0, 4, 0, 0, 0))


def simulate_history(params: SimulationParams | None = None) -> SyntheticHistory:
    """Simulate a delivery history (deterministic for a given seed).

    Parameters
    ----------
    params
        Simulation settings (default :class:`SimulationParams`).

    Returns
    -------
    SyntheticHistory
    """
    p = params or SimulationParams()
    rng = np.random.default_rng(p.seed)
    n, t = p.n_customers, p.days
    start = np.datetime64(p.start, "D")
    days = np.arange(start, start + t, dtype="datetime64[D]")
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    base = p.median_rate * np.exp(rng.normal(0, p.rate_sigma, n))
    sets = np.array([_SETS[i] for i in rng.integers(0, len(_SETS), n)])
    capacity = sets @ np.array([50, 20, 16, 10, 4])
    # A set should last at least ~4 days: small sets for big burners are unrealistic.
    base = np.minimum(base, capacity / 4.0)
    changes = rng.random(n) < p.change_share
    change_idx = np.where(changes, rng.integers(t // 3, t - 60, n), t)
    change_factor = np.where(changes, rng.choice(p.change_factors, n), 1.0)
    regime = np.where(np.arange(t)[None, :] >= change_idx[:, None], change_factor[:, None], 1.0)
    daily_rate = base[:, None] * np.asarray(p.season)[month][None, :] * regime
    shape = 1 / p.daily_cv**2
    usage = daily_rate * rng.gamma(shape, 1 / shape, (n, t))

    level = capacity.astype(float) * rng.uniform(0.4, 1.0, n)
    due = np.full(n, -1)
    rows: list[tuple] = []
    for d in range(t):
        visit = due == d
        for c in np.flatnonzero(visit):
            if rng.random() < p.failed_share:
                rows.append((c + 1, days[d], DeliveryOutcome.NOT_HOME.value, *sets[c] * 0, 0.0))
                due[c] = d + 1
                continue
            rows.append((c + 1, days[d], DeliveryOutcome.DELIVERED.value, *sets[c],
                         round(float(max(level[c], 0.0)), 1)))  # fmt: skip
            level[c] = capacity[c]
            due[c] = -1
        level -= usage[:, d]
        trigger = (due < 0) & (level < p.reserve_share * capacity)
        due[trigger] = d + 1 + rng.integers(0, p.max_lead_days + 1, trigger.sum())
    qty = ["qty_50kg", "qty_20kg", "qty_16kg", "qty_10kg", "qty_4kg"]
    deliveries = pd.DataFrame(
        rows, columns=["customer_id", "delivered_on", "outcome", *qty, "residual_kg"]
    )
    deliveries["delivered_on"] = pd.to_datetime(deliveries["delivered_on"]).dt.date
    ids = np.arange(1, n + 1)
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "code": [f"{1400000 + i:07d}" for i in ids],
            "avg_daily_kg": base * np.exp(rng.normal(0, p.prior_noise, n)),
            "capacity_kg": capacity.astype(float),
            **{q: sets[:, i] for i, q in enumerate(qty)},
            "rest_weekdays": "",
            "closed_on_holidays": False,
            "postpone_days": rng.integers(1, 8, n),
            # The whole set is exchanged here (the trigger share is no separate bank), so
            # there is no reserve to count on after the working cylinders run out.
            "reserve_kg": np.zeros(n),
            "same_day": False,
        }
    )
    truth = pd.DataFrame(
        {
            "customer_id": ids,
            "base_kg_day": base,
            "change_day": np.where(changes, start + change_idx, np.datetime64("NaT")),
            "change_factor": change_factor,
        }
    ).set_index("customer_id")
    return SyntheticHistory(customers, deliveries, truth, daily_rate, start)
