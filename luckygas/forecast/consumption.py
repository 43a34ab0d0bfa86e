"""Each customer's consumption rate (kg/day) with seasonality, recency and a confidence.

For every interval between two refills the gas used is known (see
:mod:`luckygas.forecast.history`); dividing by the interval's *seasonal exposure* (the
sum of the pooled monthly factors over its days) gives a deseasonalised rate. A
customer's base rate is the exposure-weighted mean of those rates with exponential
recency weights, starting at the customer's last detected change of regime, and
shrunk a little towards a prior (the master-data ``avg_daily_kg``) so customers with
one or two refills do not get wild estimates.

The confidence comes from how much the customer's recent interval rates scatter around
the base (a log-scale spread) and how many intervals carry the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from luckygas.forecast.history import prepare_refills, refill_intervals, to_day
from luckygas.forecast.seasonality import DayAxis, SeasonalProfile, fit_seasonality


@dataclass(frozen=True, slots=True)
class ConsumptionParams:
    """How rates are estimated.

    Parameters
    ----------
    half_life_days
        Recency weighting: an interval that ended this many days ago counts half as much
        as one ending today. Default 60.
    prior_days
        Weight of the prior rate, in days of exposure. Default 7.
    change_min_intervals
        Fewest intervals on each side of a change point. Default 3.
    change_window
        Look for a change only in this many most recent intervals. Default 100.
    change_threshold
        Welch t statistic on log rates above which a change is declared. Default 4.
    change_min_ratio
        Ignore changes smaller than this factor (either way). Default 1.25.
    min_rel_sd
        Floor of the relative spread (even perfectly regular customers vary). Default 0.05.
    default_rel_sd
        Relative spread assumed when fewer than ``min_intervals_for_spread`` intervals.
        Default 0.5.
    min_intervals_for_spread
        Default 3.
    seasonal
        Fit the pooled seasonal profile (else flat). Default True.
    group_column
        Customer column whose groups get their own seasonal profile when they have at
        least ``min_group_customers`` customers with history (schools close in the
        summer and winter breaks, restaurants do not). Default ``"customer_type"``;
        ``None`` pools everyone.
    min_group_customers
        Default 15.
    """

    half_life_days: float = 60.0
    prior_days: float = 7.0
    change_min_intervals: int = 3
    change_window: int = 100
    change_threshold: float = 4.0
    change_min_ratio: float = 1.25
    min_rel_sd: float = 0.05
    default_rel_sd: float = 0.5
    min_intervals_for_spread: int = 3
    seasonal: bool = True
    group_column: str | None = "customer_type"
    min_group_customers: int = 15

    def __post_init__(self) -> None:
        if self.half_life_days <= 0:
            raise ValueError("ConsumptionParams: half_life_days must be > 0.")
        if self.prior_days < 0:
            raise ValueError("ConsumptionParams: prior_days must be >= 0.")
        if self.change_min_intervals < 2:
            raise ValueError("ConsumptionParams: change_min_intervals must be >= 2.")


@dataclass(frozen=True)
class ConsumptionModel:
    """Per-customer rates plus the seasonal profile they were estimated with.

    Attributes
    ----------
    as_of
        History strictly before this day was used.
    profile
        The pooled seasonal profile.
    profiles
        Profiles of customer groups that have their own (see
        :attr:`ConsumptionParams.group_column`); the rest use ``profile``.
    rates
        One row per customer (index ``customer_id``): ``base_kg_day`` (average month),
        ``rate_kg_day`` (this month), ``rel_sd``, ``confidence`` (0..1), ``n_intervals``
        (in the current regime), ``n_eff``, ``last_day``, ``last_kg``, ``change_day``
        (start of the current regime, NaT if none), ``change_t``,
        ``rate_before_change`` (kg/day, average month), ``source`` (``history``, or
        ``prior`` when no interval was usable) and ``profile`` (the group whose
        profile applies; ``""`` for the pooled one).
    """

    as_of: np.datetime64
    profile: SeasonalProfile
    rates: pd.DataFrame
    profiles: dict[str, SeasonalProfile] = field(default_factory=dict)

    def profile_for(self, group: str) -> SeasonalProfile:
        """The profile of a group key from ``rates["profile"]`` (pooled if none)."""
        return self.profiles.get(group, self.profile)


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> float:
    total = w.sum()
    if total <= 0:
        return math.nan
    mean = np.dot(w, x) / total
    return float(np.sqrt(np.dot(w, (x - mean) ** 2) / total))


def _change_point(log_rate: np.ndarray, params: ConsumptionParams) -> tuple[int, float]:
    """Best single split of ``log_rate`` and its Welch t statistic (0 if none).

    Scans every split leaving ``change_min_intervals`` on each side and keeps the one
    with the largest |t|: a one-change binary segmentation, the likelihood-ratio cousin
    of CUSUM, but it also tells *where* the regime started.
    """
    n = len(log_rate)
    m = params.change_min_intervals
    if n < 2 * m:
        return 0, 0.0
    k = np.arange(m, n - m + 1)
    c1 = np.cumsum(log_rate)
    c2 = np.cumsum(log_rate**2)
    n1, n2 = k.astype(float), (n - k).astype(float)
    mean1 = c1[k - 1] / n1
    mean2 = (c1[-1] - c1[k - 1]) / n2
    var1 = np.maximum(c2[k - 1] / n1 - mean1**2, 0) * n1 / np.maximum(n1 - 1, 1)
    var2 = np.maximum((c2[-1] - c2[k - 1]) / n2 - mean2**2, 0) * n2 / np.maximum(n2 - 1, 1)
    # A floor on the variance keeps a couple of identical intervals from giving t = inf.
    se = np.sqrt(np.maximum(var1, 0.01**2) / n1 + np.maximum(var2, 0.01**2) / n2)
    t = (mean2 - mean1) / se
    best = int(np.argmax(np.abs(t)))
    return int(k[best]), float(t[best])


def _customer_rate(
    iv_used: np.ndarray,
    iv_expo: np.ndarray,
    iv_end_age: np.ndarray,
    prior: float,
    params: ConsumptionParams,
) -> tuple[float, float, int, float, int, float, float]:
    """Rate estimate for one customer's intervals (sorted by time).

    Returns base, rel_sd, n (regime), n_eff, change index (0 = none), t, rate before
    the change (NaN if none).
    """
    change_at, t_stat, before = 0, 0.0, math.nan
    valid = (iv_expo > 0) & (iv_used > 0)
    if valid.sum() >= 2 * params.change_min_intervals:
        pos = np.flatnonzero(valid)
        window = pos[-params.change_window :]
        logs = np.log(iv_used[window] / iv_expo[window])
        k, t = _change_point(logs, params)
        if k:
            ratio = float(np.exp(logs[k:].mean() - logs[:k].mean()))
            big = max(ratio, 1 / ratio) >= params.change_min_ratio
            if abs(t) >= params.change_threshold and big:
                change_at, t_stat = int(window[k]), t
                pre = window[:k]
                before = float(iv_used[pre].sum() / iv_expo[pre].sum())
    used, expo, age = iv_used[change_at:], iv_expo[change_at:], iv_end_age[change_at:]
    decay = np.power(0.5, age / params.half_life_days)
    num = np.dot(decay, used)
    den = np.dot(decay, expo)
    prior_w = params.prior_days if prior > 0 else 0.0
    if den + prior_w <= 0:
        return math.nan, math.nan, 0, 0.0, change_at, t_stat, before
    base = (num + prior_w * prior) / (den + prior_w)
    ok = (expo > 0) & (used > 0)
    n_regime = int(ok.sum())
    w = decay[ok]
    n_eff = float(w.sum() ** 2 / np.dot(w, w)) if n_regime else 0.0
    if n_regime >= params.min_intervals_for_spread and base > 0:
        sd = _weighted_sd(np.log(used[ok] / expo[ok] / base), w)
        sd = max(sd, params.min_rel_sd)
        rel_sd = sd * math.sqrt(1 + 1 / n_eff)
    else:
        rel_sd = params.default_rel_sd
    return float(base), float(rel_sd), n_regime, n_eff, change_at, t_stat, before


def estimate_consumption(
    deliveries: pd.DataFrame,
    as_of: object,
    *,
    customers: pd.DataFrame | None = None,
    params: ConsumptionParams | None = None,
    profile: SeasonalProfile | None = None,
) -> ConsumptionModel:
    """Estimate every customer's consumption from the history known on ``as_of``.

    Parameters
    ----------
    deliveries
        Delivery rows (see :func:`luckygas.forecast.history.prepare_refills`); rows on or
        after ``as_of`` are ignored.
    as_of
        The day the estimate is for (typically the planning date).
    customers
        Optional master data indexed or keyed by ``customer_id`` with ``avg_daily_kg``,
        used as a weak prior and as the rate of customers with a single refill.
    params
        Estimation settings (default :class:`ConsumptionParams`).
    profile
        Seasonal profile to use; default: fitted from the same history (pooled).

    Returns
    -------
    ConsumptionModel
    """
    params = params or ConsumptionParams()
    day = to_day(as_of)
    refills = prepare_refills(deliveries, before=day)
    intervals = refill_intervals(refills)
    groups = _groups(customers, refills, params)
    profiles: dict[str, SeasonalProfile] = {}
    if profile is None and not params.seasonal:
        profile = SeasonalProfile.flat()
    elif profile is None:
        members = groups.reindex(intervals["customer_id"]).to_numpy()
        for key in sorted(set(groups.unique()) - {""}):
            profiles[key] = fit_seasonality(intervals[members == key])
        # The pooled profile is the main group's: the small groups have their own.
        profile = fit_seasonality(intervals[members == ""])
    groups = groups.where(groups.isin(list(profiles)), "")
    priors = _priors(customers)
    rates = _rates(refills, intervals, day, profile, profiles, groups, priors, params)
    return ConsumptionModel(as_of=day, profile=profile, rates=rates, profiles=profiles)


def _groups(
    customers: pd.DataFrame | None, refills: pd.DataFrame, params: ConsumptionParams
) -> pd.Series:
    """Profile group of every customer with history (``""``: pooled)."""
    ids = pd.Index(refills["customer_id"].unique(), name="customer_id")
    col = params.group_column
    if customers is None or col is None or col not in customers.columns:
        return pd.Series("", index=ids)
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    groups = frame[col].astype(str).reindex(ids).fillna("")
    counts = groups.value_counts()
    # The biggest group *is* the pool; small groups are too thin for their own profile.
    big = counts[(counts >= params.min_group_customers) & (counts < counts.max())].index
    return groups.where(groups.isin(big), "")


def _priors(customers: pd.DataFrame | None) -> pd.Series:
    if customers is None or "avg_daily_kg" not in customers.columns:
        return pd.Series(dtype=float)
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    return frame["avg_daily_kg"].astype(float).fillna(0.0)


def _rates(
    refills: pd.DataFrame,
    intervals: pd.DataFrame,
    day: np.datetime64,
    profile: SeasonalProfile,
    profiles: dict[str, SeasonalProfile],
    groups: pd.Series,
    priors: pd.Series,
    params: ConsumptionParams,
) -> pd.DataFrame:
    columns = [
        "base_kg_day", "rate_kg_day", "rel_sd", "confidence", "n_intervals", "n_eff",
        "last_day", "last_kg", "change_day", "change_t", "rate_before_change", "source",
        "profile",
    ]  # fmt: skip
    if refills.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="customer_id"))
    last = refills.groupby("customer_id", sort=True).tail(1).set_index("customer_id")
    cids = last.index.to_numpy()
    if len(intervals):
        start = intervals["start"].to_numpy().astype("datetime64[D]")
        end = intervals["end"].to_numpy().astype("datetime64[D]")
        axis = DayAxis(start.min(), max(end.max(), day))
        iv_group = groups.reindex(intervals["customer_id"]).fillna("").to_numpy()
        expo = axis.exposure(start, end, profile)
        for key, prof in profiles.items():
            mine = iv_group == key
            expo[mine] = axis.exposure(start[mine], end[mine], prof)
        age = (day - end).astype(np.int64).astype(float)
        used = intervals["used_kg"].to_numpy(dtype=float)
        iv_cid = intervals["customer_id"].to_numpy()
    else:
        expo = age = used = np.zeros(0)
        iv_cid = np.zeros(0, dtype=np.int64)
    bounds = np.searchsorted(iv_cid, cids, side="left"), np.searchsorted(iv_cid, cids, "right")
    pop_prior = float(np.nanmedian(used / np.maximum(expo, 1e-9))) if len(used) else 0.0
    rows = []
    for i, cid in enumerate(cids):
        lo, hi = bounds[0][i], bounds[1][i]
        prior = float(priors.get(cid, 0.0)) if len(priors) else 0.0
        if hi - lo == 0 and prior <= 0:
            prior = pop_prior
        base, rel_sd, n, n_eff, chg, t, before = _customer_rate(
            used[lo:hi], expo[lo:hi], age[lo:hi], prior, params
        )
        change_day = (
            np.datetime64(intervals["start"].iat[lo + chg], "D") if chg else np.datetime64("NaT")
        )
        rows.append((base, rel_sd, n, n_eff, change_day, t, before, "history" if n else "prior"))
    out = pd.DataFrame(
        rows,
        index=pd.Index(cids, name="customer_id"),
        columns=["base_kg_day", "rel_sd", "n_intervals", "n_eff", "change_day", "change_t",
                 "rate_before_change", "source"],
    )  # fmt: skip
    month = int(day.astype("datetime64[M]").astype(np.int64) % 12)
    out["profile"] = groups.reindex(out.index).fillna("").to_numpy()
    factor = out["profile"].map(lambda g: profiles.get(g, profile).factors[month])
    out["rate_kg_day"] = out["base_kg_day"] * factor.astype(float)
    out["confidence"] = (1.0 - out["rel_sd"]).clip(0.0, 1.0)
    out["last_day"] = last["day"].to_numpy().astype("datetime64[D]")
    out["last_kg"] = last["delivered_kg"].to_numpy()
    return out[columns]


def consumption_changes(
    deliveries: pd.DataFrame,
    as_of: object,
    *,
    params: ConsumptionParams | None = None,
    profile: SeasonalProfile | None = None,
) -> pd.DataFrame:
    """Customers whose consumption changed regime, strongest change first.

    A change is the best single split of the customer's recent deseasonalised log
    interval rates whose Welch t statistic passes ``params.change_threshold`` and whose
    rate ratio is at least ``params.change_min_ratio`` either way.

    Parameters
    ----------
    deliveries
        Delivery rows (history before ``as_of`` is used).
    as_of
        Cut-off day.
    params, profile
        As for :func:`estimate_consumption`.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``change_day`` (first refill of the new regime),
        ``rate_before``, ``rate_after`` (kg/day, average month), ``ratio``, ``t``,
        ``direction`` (``up``/``down``).
    """
    params = params or ConsumptionParams()
    model = estimate_consumption(deliveries, as_of, params=params, profile=profile)
    changed = model.rates[model.rates["change_day"].notna()].copy()
    out = pd.DataFrame(
        {
            "change_day": changed["change_day"],
            "rate_before": changed["rate_before_change"],
            "rate_after": changed["base_kg_day"],
            "ratio": changed["base_kg_day"] / changed["rate_before_change"],
            "t": changed["change_t"],
        }
    )
    out["direction"] = np.where(out["ratio"] > 1, "up", "down")
    order = np.argsort(-np.abs(np.log(out["ratio"].to_numpy(dtype=float))))
    return out.iloc[order]
