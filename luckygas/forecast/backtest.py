"""Backtest: plan on a past day with only the history known then, score against what followed.

**Target.** For a cut-off day T and a customer whose last refill before T was on day
``L`` (``K`` kg delivered) and whose next refill on or after T was on day ``N``
(residual ``r`` kg found in the returned cylinders), the gas actually burnt over
``[L, N)`` is ``K - r``, a measured quantity. The *actual run-out* is the time at which
the set would have been empty had the customer kept burning at that realised rate:
``L + K * (N - L) / (K - r)``. Because deliveries in history happen when the gas is
low, this is a short extrapolation past ``N`` (``r`` kg at the realised rate), and it is
defined the same way for every method. Intervals with nothing burnt are left out. The
*actual dry* time adds the customer's reserve bank ``R`` (備用量, not exchanged):
``L + (K + R) * (N - L) / (K - r)``; without a reserve it is the run-out. (A customer
who dipped into the reserve before ``N`` returns ``r = 0`` and burnt more than ``K``,
so for them the realised rate is a lower bound and the dry time a late estimate.)

**Scores, per cut-off and method.**

* ``mae_days`` / ``bias_days``: mean absolute / signed error of the predicted days
  until dry (from the start of T) against the actual dry time; ``mae_due_days``
  restricts this to customers actually going dry within ``due_within_days`` (the ones
  a planner acts on). Both methods are scored on the dry time because both decide on
  it (the naive method has always added the reserve).
* Decisions for day T, among customers open on T: a customer *needed* a delivery on T
  if the actual dry time comes before midday of their next delivery chance after T.
  ``prevented`` = needed and proposed (required) for T; ``missed`` = needed but not
  proposed, i.e. a dry customer the method would have let happen; ``early_trips`` =
  proposed but not needed; ``early_days`` = mean days until dry at those early trips.

The naive method proposes a customer for T when its recommended date (depletion - 3
days, clipped to T) is T. Its depletion date is the day *after* its day-by-day loop
empties the stock, so its point in time is taken as ``depletion - 0.5`` days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from luckygas.forecast.history import prepare_refills, to_day
from luckygas.forecast.naive import naive_forecast
from luckygas.forecast.proposals import ProposalParams, assess_customers
from luckygas.forecast.workdays import DeliveryCalendar

METHODS: tuple[str, ...] = ("forecast", "naive")


@dataclass(frozen=True)
class BacktestResult:
    """Backtest output.

    Attributes
    ----------
    table
        One row per cut-off and method (see the module docstring for the columns).
    summary
        One row per method, pooled over cut-offs.
    detail
        One row per cut-off and customer: actual and predicted days left, decisions.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    detail: pd.DataFrame


def default_cutoffs(
    deliveries: pd.DataFrame, n: int = 6, spacing_days: int = 29, tail_days: int = 60
) -> list[np.datetime64]:
    """``n`` cut-offs ``spacing_days`` apart, the last ``tail_days`` before the history ends.

    Odd spacings walk the weekday, so rest days are exercised.
    """
    last = to_day(pd.to_datetime(deliveries["delivered_on"]).max())
    first = to_day(pd.to_datetime(deliveries["delivered_on"]).min())
    out = [last - tail_days - k * spacing_days for k in range(n)]
    out = [d for d in out if d - first >= 120]
    if not out:
        raise ValueError("backtest: the history is too short (need 180+ days)")
    return sorted(out)


def actual_runouts(
    deliveries: pd.DataFrame, cutoff: object, customers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The actual run-out around ``cutoff`` for each customer (see the module docstring).

    Parameters
    ----------
    deliveries
        The delivery history.
    cutoff
        The planning day T.
    customers
        Optional master data with ``customer_id`` and ``reserve_kg`` (default: no reserve).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``last_day``, ``next_day``, ``used_kg``,
        ``actual_days_left`` and ``actual_days_to_dry`` (float days from the start of
        the cut-off day to the run-out of the working cylinders / to dry).
    """
    return _actual_from_refills(prepare_refills(deliveries), to_day(cutoff), _reserve(customers))


def _reserve(customers: pd.DataFrame | None) -> pd.Series:
    if customers is None or "reserve_kg" not in customers:
        return pd.Series(dtype=float)
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    return frame["reserve_kg"].astype(float).fillna(0.0)


def _actual_from_refills(
    refills: pd.DataFrame, t: np.datetime64, reserve: pd.Series | None = None
) -> pd.DataFrame:
    day = refills["day"].to_numpy().astype("datetime64[D]")
    before = refills[day < t].groupby("customer_id").tail(1).set_index("customer_id")
    after = refills[day >= t].groupby("customer_id").head(1).set_index("customer_id")
    both = before.add_suffix("_last").join(after.add_suffix("_next"), how="inner")
    last = both["day_last"].to_numpy().astype("datetime64[D]")
    nxt = both["day_next"].to_numpy().astype("datetime64[D]")
    span = (nxt - last).astype(float)
    used = both["delivered_kg_last"].to_numpy() - both["residual_kg_next"].to_numpy()
    ok = used > 0
    kg = both["delivered_kg_last"].to_numpy()[ok]
    spare = (reserve if reserve is not None else pd.Series(dtype=float)).reindex(both.index)
    spare = spare.fillna(0.0).to_numpy(dtype=float)[ok]
    elapsed = (t - last[ok]).astype(float)
    return pd.DataFrame(
        {
            "last_day": last[ok],
            "next_day": nxt[ok],
            "used_kg": used[ok],
            "actual_days_left": kg * span[ok] / used[ok] - elapsed,
            "actual_days_to_dry": (kg + spare) * span[ok] / used[ok] - elapsed,
        },
        index=both.index[ok],
    )


def backtest(
    deliveries: pd.DataFrame,
    customers: pd.DataFrame,
    cutoffs: Sequence[object] | None = None,
    *,
    calendar: DeliveryCalendar | None = None,
    params: ProposalParams | None = None,
    due_within_days: float = 14.0,
    progress: bool = True,
) -> BacktestResult:
    """Compare the forecaster with the earlier system's naive method on past days.

    Parameters
    ----------
    deliveries
        The full delivery history.
    customers
        Master data (as for :func:`luckygas.forecast.proposals.propose_refills`).
    cutoffs
        Planning days to replay (default :func:`default_cutoffs`).
    calendar
        Holidays and depot closures.
    params
        Forecaster settings.
    due_within_days
        Horizon of ``mae_due_days``. Default 14.
    progress
        Show a tqdm bar over cut-offs.

    Returns
    -------
    BacktestResult
    """
    params = params or ProposalParams()
    cutoffs = list(cutoffs) if cutoffs is not None else default_cutoffs(deliveries)
    refills = prepare_refills(deliveries)
    reserve = _reserve(customers)
    details = []
    for cutoff in tqdm(cutoffs, desc="backtest", disable=not progress):
        details.append(
            _one_cutoff(deliveries, refills, reserve, customers, to_day(cutoff), calendar, params)
        )
    detail = pd.concat(details, ignore_index=True)
    table = _score(detail, ["cutoff"], due_within_days)
    summary = _score(detail, [], due_within_days)
    return BacktestResult(table=table, summary=summary, detail=detail)


def _one_cutoff(
    deliveries: pd.DataFrame,
    refills: pd.DataFrame,
    reserve: pd.Series,
    customers: pd.DataFrame,
    t: np.datetime64,
    calendar: DeliveryCalendar | None,
    params: ProposalParams,
) -> pd.DataFrame:
    actual = _actual_from_refills(refills, t, reserve)
    ours = assess_customers(deliveries, customers, t, calendar=calendar, params=params)
    naive = naive_forecast(deliveries, customers, t)
    ids = actual.index.intersection(ours.index[ours["base_kg_day"].notna()])
    ids = ids.intersection(naive.index)
    ours, naive, actual = ours.loc[ids], naive.loc[ids], actual.loc[ids]
    chance = (ours["next_chance"].to_numpy().astype("datetime64[D]") - t).astype(float)
    depletion = naive["depletion_date"].to_numpy().astype("datetime64[D]")
    return pd.DataFrame(
        {
            "cutoff": pd.Timestamp(t),
            "customer_id": ids,
            "actual_days_left": actual["actual_days_left"].to_numpy(),
            "actual_days_to_dry": actual["actual_days_to_dry"].to_numpy(),
            "chance_days": chance,
            "open_today": ours["open_today"].to_numpy(dtype=bool),
            "forecast_days_left": ours["days_left"].to_numpy(dtype=float),
            "forecast_days_to_dry": ours["dry_days_left"].to_numpy(dtype=float),
            "forecast_kind": ours["kind"].to_numpy(),
            "naive_days_left": (depletion - t).astype(float) - 0.5,
            "naive_today": naive["recommended_date"].to_numpy().astype("datetime64[D]") == t,
        }
    )


def _score(detail: pd.DataFrame, by: list[str], due_within: float) -> pd.DataFrame:
    rows = []
    groups = detail.groupby(by) if by else [((), detail)]
    for key, g in groups:
        # Decisions and errors are on the dry time: running onto a reserve is no run-out.
        actual = g["actual_days_to_dry"].to_numpy()
        due = actual <= due_within
        open_today = g["open_today"].to_numpy()
        needed = open_today & (actual < g["chance_days"].to_numpy() + 0.5)
        proposals = {
            "forecast": g["forecast_kind"].to_numpy() == "required",
            "naive": g["naive_today"].to_numpy(),
        }
        for method in METHODS:
            predicted = "forecast_days_to_dry" if method == "forecast" else "naive_days_left"
            err = g[predicted].to_numpy() - actual
            proposed = proposals[method] & open_today
            early = proposed & ~needed
            row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
            row.update(
                method=method,
                customers=len(g),
                mae_days=float(np.mean(np.abs(err))),
                bias_days=float(np.mean(err)),
                mae_due_days=float(np.mean(np.abs(err[due]))) if due.any() else np.nan,
                needed=int(needed.sum()),
                prevented=int((needed & proposed).sum()),
                missed=int((needed & ~proposed).sum()),
                early_trips=int(early.sum()),
                early_days=float(actual[early].mean()) if early.any() else np.nan,
                optional=int((g["forecast_kind"].to_numpy() == "optional").sum())
                if method == "forecast"
                else 0,
            )
            rows.append(row)
    return pd.DataFrame(rows)
