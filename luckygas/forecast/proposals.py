"""Refill proposals for a planning day: who must be served, who may be.

For planning day D, each active customer's gas is compared with the *next chance to
deliver after D* (the next day both the depot and the customer are open). Two dates
matter (see :mod:`luckygas.forecast.stock`): the *run-out* of the working cylinders,
when a refill is due (a set with a reserve bank switches onto it and the alarm trips),
and the *dry* date, when the reserve is gone too (the same date without a reserve):

* **required** (priority normal; urgent if the customer is dry or goes dry during D):
  the early edge of the dry band falls before the next chance, so skipping D risks a
  dry customer;
* **optional** (``is_optional``; ``penalty_weight`` in (0, 1] grows as the slack
  shrinks, 1 once the working cylinders are out): the customer can wait for the next
  chance (on the reserve, if need be) but the working cylinders run out within their
  postpone days (可延後天數) of it, so serving them on D is welcome when it fits;
* nothing for everyone else, for customers closed on D, and for customers who already
  have an open order on or after D (a phone order, an alarm, or an earlier forecast).

Every proposal brings the customer's usual exchange (see ``_swap_quantities``; the owned
set when there is no history) and carries a reason in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG, OrderStatus, Priority
from luckygas.forecast.consumption import (
    ConsumptionModel,
    ConsumptionParams,
    estimate_consumption,
)
from luckygas.forecast.history import QTY_COLUMNS, to_day
from luckygas.forecast.stock import gas_left
from luckygas.forecast.workdays import DeliveryCalendar, next_chances

#: Order statuses that count as "already has an order".
OPEN_STATUSES: frozenset[str] = frozenset(
    s.value for s in (OrderStatus.PENDING, OrderStatus.PLANNED, OrderStatus.DISPATCHED)
)

#: Columns of the proposal table, in display order.
PROPOSAL_COLUMNS: tuple[str, ...] = (
    "customer_id", "code", "short_name", "kind", "priority", "is_optional", "penalty_weight",
    "gas_left_kg", "pct_left", "rate_kg_day", "confidence", "runout_date", "runout_early",
    "runout_late", "band_days", "reserve_kg", "dry_date", "next_chance", *QTY_COLUMNS,
    "reason",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProposalParams:
    """How proposals are decided.

    Parameters
    ----------
    z
        The run-out band is ``z`` standard deviations wide on each side (see
        ``timing_sd_days``), and decisions use its early edge, so a customer becomes
        required when the chance of going dry before the next chance exceeds about
        ``Phi(-z)``. Default 1.0, chosen with ``timing_sd_days`` on 12 demo cut-offs
        (2025-05 .. 2026-04) *before* the 6 the benchmark reports: there the forecast
        missed 29 dry-outs with 2,521 early trips, the naive method 38 with 2,758. On
        the 6 later cut-offs (May-Oct 2026) it misses 8 of 251 with 1,072 early trips,
        the naive method 22 with 674: the naive method proposes far fewer customers in
        summer (its fixed seasonal factors), so no one setting beats it in every
        season; z = 0.75 misses 14 with 760, z = 0.5 misses 25 with 513
        (``benchmarks/README.md``).
    timing_sd_days
        Timing noise (days) added in quadrature to the rate spread, relative to the
        customer's cycle (see :func:`luckygas.forecast.stock.gas_left`): it widens the
        band of short-cycle customers, where most dry-outs were missed. Default 2.0
        (chosen with ``z``, as above).
    required_margin_days
        A customer is required if the early dry date comes before the next chance plus
        this many days (0.5: running dry by midday of the next chance is too late).
    default_postpone_days
        Postpone days for customers without the figure. Default 3.
    optional_window_cap_days
        At most this many postpone days are used for optional orders, so customers
        with very long slack are not proposed weeks ahead. Default 7.
    consumption
        Settings of the consumption estimate.
    """

    z: float = 1.0
    timing_sd_days: float = 2.0
    required_margin_days: float = 0.5
    default_postpone_days: int = 3
    optional_window_cap_days: int = 7
    consumption: ConsumptionParams = field(default_factory=ConsumptionParams)

    def __post_init__(self) -> None:
        if self.z < 0:
            raise ValueError("ProposalParams: z must be >= 0.")
        if self.timing_sd_days < 0:
            raise ValueError("ProposalParams: timing_sd_days must be >= 0.")
        if self.optional_window_cap_days < 0 or self.default_postpone_days < 0:
            raise ValueError("ProposalParams: day counts must be >= 0.")


def assess_customers(
    deliveries: pd.DataFrame,
    customers: pd.DataFrame,
    day: object,
    *,
    open_orders: pd.DataFrame | None = None,
    calendar: DeliveryCalendar | None = None,
    params: ProposalParams | None = None,
    model: ConsumptionModel | None = None,
) -> pd.DataFrame:
    """Every active customer's situation on ``day`` and the decision for it.

    Parameters are as for :func:`propose_refills`.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, the stock columns of
        :func:`luckygas.forecast.stock.gas_left` plus ``open_today``,
        ``next_chance``, ``skipped``, ``window_days``, ``kind`` (``required``,
        ``optional``, ``none``, ``closed_today``, ``has_order``, ``no_estimate``),
        ``priority``, ``penalty_weight`` and ``reason``.
    """
    params = params or ProposalParams()
    calendar = calendar or DeliveryCalendar()
    d0 = to_day(day)
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    active = np.ones(len(frame), dtype=bool)
    if "is_active" in frame:
        active &= frame["is_active"].fillna(True).astype(bool).to_numpy()
    if "is_terminated" in frame:
        active &= ~frame["is_terminated"].fillna(False).astype(bool).to_numpy()
    frame = frame[active]
    if model is None:
        model = estimate_consumption(
            deliveries, d0, customers=frame.reset_index(), params=params.consumption
        )
    stock = gas_left(
        model, as_of=d0, customers=frame.reset_index(), z=params.z,
        timing_sd_days=params.timing_sd_days,
    )  # fmt: skip
    out = stock.reindex(frame.index)
    chances = next_chances(frame.reset_index(), d0.astype(dt.date), calendar)
    out = out.join(chances)
    postpone = (
        frame["postpone_days"].astype(float).fillna(params.default_postpone_days)
        if "postpone_days" in frame
        else pd.Series(float(params.default_postpone_days), index=frame.index)
    )
    out["window_days"] = np.minimum(postpone.to_numpy(), params.optional_window_cap_days)

    chance_days = (out["next_chance"].to_numpy().astype("datetime64[D]") - d0).astype(float)
    chance_days = np.where(np.isnan(chance_days), np.inf, chance_days)
    deadline = chance_days + params.required_margin_days
    # Days from the start of D until the early edge of the band: the working cylinders
    # run out (refill due) and the customer is dry (reserve gone too). Only the second
    # makes skipping D a risk; running onto the reserve is what the reserve is for.
    early_days = np.nan_to_num(out["days_left_early"].to_numpy(dtype=float), nan=np.inf)
    dry_early = np.nan_to_num(out["dry_days_left_early"].to_numpy(dtype=float), nan=np.inf)
    slack = early_days - deadline
    has_estimate = out["base_kg_day"].notna().to_numpy()
    has_order = _customers_with_orders(open_orders, d0, out.index)
    required = has_estimate & (dry_early < deadline)
    optional = has_estimate & ~required & (slack < out["window_days"].to_numpy())
    kind = np.select(
        [~has_estimate, has_order, ~out["open_today"].to_numpy(dtype=bool), required, optional],
        ["no_estimate", "has_order", "closed_today", "required", "optional"],
        default="none",
    )
    out["kind"] = kind
    urgent = out["dry_days_left"].to_numpy(dtype=float) < 1.0
    out["priority"] = np.select(
        [(kind == "required") & urgent, np.isin(kind, ["required", "optional"])],
        [Priority.URGENT.value, Priority.NORMAL.value],
        default="",
    )
    weight = 1.0 - np.clip(slack, 0, None) / (out["window_days"].to_numpy() + 1.0)
    out["penalty_weight"] = np.where(
        kind == "optional", np.round(np.clip(weight, 0.05, 1.0), 3), np.where(required, 1.0, 0.0)
    )
    out["reason"] = [_reason(row, d0) for row in out.itertuples()]
    return out


def _customers_with_orders(
    open_orders: pd.DataFrame | None, d0: np.datetime64, index: pd.Index
) -> np.ndarray:
    if open_orders is None or open_orders.empty:
        return np.zeros(len(index), dtype=bool)
    orders = open_orders
    if "status" in orders:
        orders = orders[orders["status"].astype(str).isin(OPEN_STATUSES)]
    dates = pd.to_datetime(orders["delivery_date"]).to_numpy().astype("datetime64[D]")
    ids = set(orders["customer_id"].to_numpy()[dates >= d0].tolist())
    return index.isin(list(ids))


def _md(day: object) -> str:
    """A date as ``MM-DD`` (the planning horizon is days, the year is never in doubt)."""
    return "?" if pd.isna(day) else str(np.datetime64(day, "D"))[5:]


def _gas_words(row: object, d0: np.datetime64) -> str:
    """Where the customer's gas stands, in words: run-out, reserve, dry date."""
    band = f"±{row.band_days:.0f} d" if np.isfinite(row.band_days) else "± ?"
    reserve = float(row.reserve_kg) if np.isfinite(row.reserve_kg) else 0.0
    if reserve <= 0:
        if row.days_left < 0:
            return f"ran out about {_md(row.runout_date)} ({band})"
        if row.days_left < 1:
            return f"runs out today {_md(d0)} ({band})"
        return f"runs out {_md(row.runout_date)} ({band})"
    dry = f"{reserve:.0f} kg reserve lasts to about {_md(row.dry_date)}"
    if not pd.isna(row.dry_early) and row.dry_early != row.dry_date:
        dry += f" (as early as {_md(row.dry_early)})"  # the edge the decision uses
    if row.days_left < 0:
        return f"working cylinders out since about {_md(row.runout_date)} ({band}), {dry}"
    return f"working cylinders run out {_md(row.runout_date)} ({band}), then {dry}"


def _reason(row: object, d0: np.datetime64) -> str:
    kind = row.kind
    if kind == "no_estimate":
        return "no delivery history and no usage figure"
    if kind == "has_order":
        return "already has an open order"
    gas = _gas_words(row, d0)
    # "Next chance" is the first open day *after* D: say so, so that a 12-02 next to a
    # 12-01 forecast reads as the fallback, not as the proposed day.
    chance = f"next chance {_md(row.next_chance)}"
    if row.skipped:
        chance += f" ({row.skipped})"
    if kind == "closed_today":
        return f"{gas}; closed on {_md(d0)}, {chance}"
    if kind == "required":
        return f"{gas}; if not served on {_md(d0)}, {chance}: too late"
    if kind == "optional" and row.days_left < 1:
        return f"{gas}; refill due, but the reserve can wait for the {chance}"
    if kind == "optional":
        return (
            f"{gas}; can wait for the {chance}, "
            f"due within the {row.window_days:.0f}-day postpone window"
        )
    return f"{gas}; {chance}"


def propose_refills(
    deliveries: pd.DataFrame,
    customers: pd.DataFrame,
    day: object,
    *,
    open_orders: pd.DataFrame | None = None,
    calendar: DeliveryCalendar | None = None,
    params: ProposalParams | None = None,
    model: ConsumptionModel | None = None,
) -> pd.DataFrame:
    """Refill orders to propose for planning day ``day``.

    Parameters
    ----------
    deliveries
        Delivery history (rows on or after ``day`` are ignored).
    customers
        Master data: ``customer_id``, ``code``; optional ``short_name``,
        ``rest_weekdays``, ``closed_on_holidays``, ``postpone_days``, ``avg_daily_kg``,
        ``capacity_kg``, ``reserve_kg``, ``is_active``, ``is_terminated`` and the
        owned set ``qty_50kg`` ... ``qty_4kg`` (brought when a customer has no
        successful delivery yet).
    day
        The planning day D.
    open_orders
        Existing orders (``customer_id``, ``delivery_date``, optional ``status``);
        customers with an open one on or after D get no proposal.
    calendar
        Holidays and depot closures (default: open every day, no holidays).
    params
        Decision settings (default :class:`ProposalParams`).
    model
        A consumption model already estimated for D (else estimated here).

    Returns
    -------
    DataFrame
        :data:`PROPOSAL_COLUMNS`, required orders first (urgent first), then optional
        ones by falling penalty weight.
    """
    assessed = assess_customers(
        deliveries, customers, day, open_orders=open_orders, calendar=calendar,
        params=params, model=model,
    )  # fmt: skip
    picked = assessed[assessed["kind"].isin(["required", "optional"])].copy()
    frame = customers.set_index("customer_id") if "customer_id" in customers else customers
    picked["is_optional"] = picked["kind"] == "optional"
    for col in ("code", "short_name"):
        picked[col] = frame[col].reindex(picked.index) if col in frame else ""
    qty = _swap_quantities(deliveries, frame, picked.index)
    for col in QTY_COLUMNS:
        picked[col] = qty[col].to_numpy()
    picked = picked.reset_index()
    order = np.lexsort(
        (
            picked["runout_early"].to_numpy().astype("datetime64[D]").astype(np.int64),
            -picked["penalty_weight"].to_numpy(),
            picked["priority"].ne(Priority.URGENT.value).to_numpy(),
            picked["is_optional"].to_numpy(),
        )
    )
    return picked.iloc[order][list(PROPOSAL_COLUMNS)].reset_index(drop=True)


def _swap_quantities(deliveries: pd.DataFrame, frame: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """Cylinders to bring: the customer's usual exchange, else the whole owned set.

    The usual exchange is the most frequent size mix among the last five successful
    deliveries (the latest wins ties). It is what drivers actually swap: customers with
    a reserve bank on a switch-over valve exchange only the working bank, and a first
    delivery that filled the whole set is outvoted once regular refills follow.
    """
    qty = pd.DataFrame(0, index=ids, columns=list(QTY_COLUMNS))
    for col in QTY_COLUMNS:
        if col in frame:
            qty[col] = frame[col].reindex(ids).fillna(0).astype(int)
    mine = deliveries[deliveries["customer_id"].isin(ids)]
    if "outcome" in mine:
        mine = mine[mine["outcome"].astype(str) == "delivered"]
    mine = mine[mine[list(QTY_COLUMNS)].sum(axis=1) > 0]
    if mine.empty:
        return qty
    recent = mine.sort_values(["customer_id", "delivered_on"]).groupby("customer_id").tail(5)
    mix = recent[list(QTY_COLUMNS)].astype(int).astype(str).agg("-".join, axis=1)
    recent = recent.assign(mix=mix, pos=np.arange(len(recent)))
    stats = recent.groupby(["customer_id", "mix"]).agg(n=("pos", "size"), last=("pos", "max"))
    best = stats.sort_values(["n", "last"]).groupby(level="customer_id").tail(1)
    usual = pd.DataFrame(
        [list(map(int, m.split("-"))) for m in best.index.get_level_values("mix")],
        index=best.index.get_level_values("customer_id"),
        columns=list(QTY_COLUMNS),
    )
    qty.loc[usual.index, list(QTY_COLUMNS)] = usual.to_numpy()
    return qty


def quantities_by_size(row: pd.Series) -> dict[int, int]:
    """``{size_kg: count}`` of a proposal row (only positive counts)."""
    return {
        kg: int(row[col])
        for kg, col in zip(SIZE_CLASSES_KG, QTY_COLUMNS, strict=True)
        if int(row[col]) > 0
    }
