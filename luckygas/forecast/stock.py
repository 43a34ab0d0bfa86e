"""Gas left now and the run-out date, from the last refill and the consumption model.

After a refill the exchanged (working) cylinders are full, holding the kg just
delivered. From then on they drain at ``base_kg_day * seasonal factor(day)``; the
*run-out* date is the day that drain reaches the delivered kg. That is when a set with a
reserve bank on a switch-over valve (備用量, ``reserve_kg``) switches onto the reserve,
the alarm trips and a refill is *due*; the customer is not dry yet. The *dry* date adds
the reserve: the day the working kg plus the reserve are gone. For sets without a
reserve the two dates are the same. The band comes from the model's relative spread,
widened by a timing term: the early edge assumes the customer burns ``exp(z * sd)``
times faster, the late edge that much slower, where ``sd = sqrt(rel_sd**2 +
(timing_sd_days / cycle_days)**2)`` and ``cycle_days`` is how long the full set (working
plus reserve) lasts at the base rate. The spread of interval rates alone says a 6-day
customer is known to within a day; but the day on which the gas actually goes is also
shaken by things a rate does not see (the daily noise in the days since the last
refill, the hour of a delivery, a closed day), which are a roughly fixed number of days
whatever the cycle, so they matter most for short cycles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from luckygas.forecast.consumption import ConsumptionModel
from luckygas.forecast.history import to_day

#: Run-outs further than this many days ahead are reported as "not within horizon" (NaT).
DEFAULT_HORIZON_DAYS = 366


def _seasonal_cumsum(
    profile_factors: np.ndarray, start: np.datetime64, stop: np.datetime64
) -> np.ndarray:
    days = np.arange(start, stop, dtype="datetime64[D]")
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    return np.concatenate([[0.0], np.cumsum(profile_factors[month])])


def _offset(cum: np.ndarray, i0: np.ndarray, seasonal_days: np.ndarray) -> np.ndarray:
    """Fractional days after index ``i0`` until the cumulative factor grows by the target."""
    target = cum[i0] + seasonal_days
    j = np.searchsorted(cum, target, side="left")
    out = np.full(len(i0), np.inf)
    inside = (j > 0) & (j < len(cum)) & np.isfinite(target)
    jj = j[inside]
    step = cum[jj] - cum[jj - 1]
    out[inside] = jj - 1 + (target[inside] - cum[jj - 1]) / step - i0[inside]
    return out


def gas_left(
    model: ConsumptionModel,
    *,
    as_of: object | None = None,
    customers: pd.DataFrame | None = None,
    z: float = 1.0,
    timing_sd_days: float = 0.0,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> pd.DataFrame:
    """Estimated gas left on ``as_of`` and the run-out date with its band.

    Parameters
    ----------
    model
        From :func:`luckygas.forecast.consumption.estimate_consumption`.
    as_of
        The day to report for (default ``model.as_of``), at the start of that day.
    customers
        Optional master data keyed by ``customer_id``; its ``capacity_kg`` (the owned
        set) is passed through for display and its ``reserve_kg`` (a reserve bank on a
        switch-over valve, not exchanged) gives the dry date.
    z
        Width of the band in relative standard deviations. Default 1.
    timing_sd_days
        Standard deviation, in days, of the timing noise added (in quadrature, relative
        to the cycle) to the rate spread. Default 0 (the rate spread alone).
    horizon_days
        Run-outs beyond ``as_of + horizon_days`` are NaT.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``gas_left_kg`` (in the exchanged set, not counting
        a reserve bank), ``pct_left`` (of the kg last delivered), ``capacity_kg``,
        ``reserve_kg``,
        ``days_left``, ``days_left_early``, ``days_left_late`` (float days from the
        start of ``as_of`` to the run-out and its band edges; negative if already out),
        ``runout_date``, ``runout_early``, ``runout_late`` (``datetime64[D]``),
        ``band_days`` (half-width of the band, days), ``dry_days_left``,
        ``dry_days_left_early``, ``dry_date`` and ``dry_early`` (the same with the reserve
        counted; equal to the run-out without a reserve), ``band_sd`` (the relative
        spread the band uses) plus the model columns.
    """
    day = to_day(as_of) if as_of is not None else model.as_of
    rates = model.rates[model.rates["base_kg_day"].gt(0)].copy()
    if rates.empty:
        return rates
    last = rates["last_day"].to_numpy().astype("datetime64[D]")
    start = min(last.min(), day)
    stop = day + horizon_days + 1
    i0 = (last - start).astype(np.int64)
    i_now = int((day - start).astype(np.int64))
    base = rates["base_kg_day"].to_numpy(dtype=float)
    kg = rates["last_kg"].to_numpy(dtype=float)
    group = rates["profile"].to_numpy() if "profile" in rates else np.full(len(rates), "")
    frame = None
    if customers is not None:
        frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    for col in ("capacity_kg", "reserve_kg"):
        values = frame[col] if frame is not None and col in frame else pd.Series(dtype=float)
        rates[col] = values.reindex(rates.index).astype(float).fillna(0.0)
    dry_kg = kg + rates["reserve_kg"].to_numpy(dtype=float)
    band_sd = np.hypot(rates["rel_sd"].to_numpy(dtype=float), timing_sd_days * base / dry_kg)
    rates["band_sd"] = band_sd
    spread = np.exp(z * band_sd)
    used = np.zeros(len(rates))
    names = ("days_left", "early", "late", "dry", "dry_early")
    offsets = {name: np.zeros(len(rates)) for name in names}
    for key in np.unique(group):
        mine = group == key
        factors = np.asarray(model.profile_for(str(key)).factors)
        cum = _seasonal_cumsum(factors, start, stop)
        used[mine] = base[mine] * (cum[i_now] - cum[i0[mine]])
        offsets["days_left"][mine] = _offset(cum, i0[mine], kg[mine] / base[mine])
        offsets["early"][mine] = _offset(cum, i0[mine], kg[mine] / (base[mine] * spread[mine]))
        offsets["late"][mine] = _offset(cum, i0[mine], kg[mine] * spread[mine] / base[mine])
        offsets["dry"][mine] = _offset(cum, i0[mine], dry_kg[mine] / base[mine])
        offsets["dry_early"][mine] = _offset(
            cum, i0[mine], dry_kg[mine] / (base[mine] * spread[mine])
        )
    rates["gas_left_kg"] = np.maximum(kg - used, 0.0)
    since = (day - last).astype(np.int64)
    rates["days_left"] = offsets["days_left"] - since
    rates["days_left_early"] = offsets["early"] - since
    rates["days_left_late"] = offsets["late"] - since
    rates["dry_days_left"] = offsets["dry"] - since
    rates["dry_days_left_early"] = offsets["dry_early"] - since
    for name, col in (("days_left", "runout_date"), ("early", "runout_early"),
                      ("late", "runout_late"), ("dry", "dry_date"),
                      ("dry_early", "dry_early")):  # fmt: skip
        off = offsets[name]
        finite = np.isfinite(off)
        dates = np.full(len(off), np.datetime64("NaT"), dtype="datetime64[D]")
        dates[finite] = last[finite] + np.floor(off[finite]).astype(np.int64)
        rates[col] = dates
    rates["band_days"] = (offsets["late"] - offsets["early"]) / 2
    # The share of the exchanged (working) set still left: what an alarm would watch.
    rates["pct_left"] = 100 * rates["gas_left_kg"] / rates["last_kg"]
    return rates


def level_path(
    refills: pd.DataFrame,
    model: ConsumptionModel,
    customer_id: int,
    *,
    until: object | None = None,
) -> pd.DataFrame:
    """The modelled daily gas level of one customer (the sawtooth for a chart).

    Parameters
    ----------
    refills
        Output of :func:`luckygas.forecast.history.prepare_refills`.
    model
        The consumption model; its base rate and profile drive the drain.
    customer_id
        Whose path.
    until
        Last day (default: the run-out date, at most a year after the last refill).

    Returns
    -------
    DataFrame
        ``day`` and ``level_kg`` (start of day), restarting at each refill's kg.
    """
    mine = refills[refills["customer_id"] == customer_id]
    if mine.empty or customer_id not in model.rates.index:
        return pd.DataFrame({"day": pd.Series(dtype="datetime64[s]"), "level_kg": []})
    base = float(model.rates.at[customer_id, "base_kg_day"])
    days = mine["day"].to_numpy().astype("datetime64[D]")
    kgs = mine["delivered_kg"].to_numpy(dtype=float)
    last_kg = kgs[-1]
    end = to_day(until) if until is not None else days[-1] + int(min(366, 3 * last_kg / base))
    axis = np.arange(days[0], end + 1, dtype="datetime64[D]")
    factors = np.asarray(model.profile.factors)[axis.astype("datetime64[M]").astype(np.int64) % 12]
    level = np.empty(len(axis))
    seg = np.searchsorted(days, axis, side="right") - 1  # latest refill on or before day
    drained = np.concatenate([[0.0], np.cumsum(base * factors)])
    seg_start = (days[seg] - days[0]).astype(np.int64)
    pos = np.arange(len(axis))
    level = kgs[seg] - (drained[pos] - drained[seg_start])
    return pd.DataFrame({"day": axis, "level_kg": np.maximum(level, 0.0)})
