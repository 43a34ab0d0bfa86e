"""Charts of the delivery history: volumes by zone and month, cylinder mix, outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from luckygas.charts.style import (
    OUTCOME_COLOURS,
    SIZE_COLOURS,
    axes_or_new,
    figure_of,
    with_cjk_fonts,
)
from luckygas.domain import SIZE_CLASSES_KG

if TYPE_CHECKING:
    pass


def _with_zone(deliveries: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    df = deliveries.copy()
    df["delivered_on"] = pd.to_datetime(df["delivered_on"])
    if "zone_code" not in df.columns:
        if customers is None:
            raise ValueError("deliveries have no zone_code column: pass customers=")
        key = "customer_id" if "customer_id" in customers.columns else "id"
        df["zone_code"] = df["customer_id"].map(
            dict(zip(customers[key], customers["zone_code"], strict=True))
        )
    df["zone_code"] = df["zone_code"].fillna("-")
    df["kg"] = sum(df[f"qty_{s}kg"] * s for s in SIZE_CLASSES_KG)
    return df


def monthly_volumes(
    deliveries: pd.DataFrame, customers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """kg delivered per month (rows) and zone (columns), successful deliveries only."""
    df = _with_zone(deliveries, customers)
    if "outcome" in df.columns:
        df = df[df["outcome"].astype(str) == "delivered"]
    month = df["delivered_on"].dt.to_period("M")
    table = df.pivot_table(
        index=month, columns="zone_code", values="kg", aggfunc="sum", fill_value=0
    )
    table.index.name = "month"
    return table


@with_cjk_fonts
def volumes_by_zone_month(
    deliveries: pd.DataFrame, customers: pd.DataFrame | None = None, *, ax: Axes | None = None
) -> Figure:
    """Stacked bars of kg delivered per month, one colour per zone."""
    from luckygas.maps import ZONE_COLOURS

    table = monthly_volumes(deliveries, customers)
    ax = axes_or_new(ax, (11, 4))
    bottom = np.zeros(len(table))
    x = np.arange(len(table))
    for zone in table.columns:
        values = table[zone].to_numpy(dtype=float)
        ax.bar(
            x,
            values / 1000,
            bottom=bottom / 1000,
            label=zone,
            color=ZONE_COLOURS.get(zone, "#999999"),
        )
        bottom += values
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step], [str(p) for p in table.index[::step]], rotation=45, ha="right")
    ax.set_ylabel("tonnes delivered")
    ax.set_title("Volume by zone and month")
    ax.legend(ncols=2, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure_of(ax)


@with_cjk_fonts
def cylinder_mix(deliveries: pd.DataFrame, *, freq: str = "Q", ax: Axes | None = None) -> Figure:
    """Share of cylinders delivered per size class over time (stacked area, in %).

    Parameters
    ----------
    deliveries
        Delivery rows with ``delivered_on`` and ``qty_<size>kg``.
    freq
        Period of each point: ``"M"`` month, ``"Q"`` quarter, ``"Y"`` year.
    ax
        Axes to draw on.
    """
    df = deliveries.copy()
    period = pd.to_datetime(df["delivered_on"]).dt.to_period(freq)
    counts = df.groupby(period)[[f"qty_{s}kg" for s in SIZE_CLASSES_KG]].sum()
    share = 100 * counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
    ax = axes_or_new(ax, (9, 3.5))
    x = np.arange(len(share))
    ax.stackplot(
        x,
        share.T.to_numpy(),
        labels=[f"{s} kg" for s in SIZE_CLASSES_KG],
        colors=[SIZE_COLOURS[s] for s in SIZE_CLASSES_KG],
    )
    step = max(1, len(share) // 12)
    ax.set_xticks(x[::step], [str(p) for p in share.index[::step]], rotation=45, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of cylinders")
    ax.set_title("Cylinder mix")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure_of(ax)


def delivery_performance(
    deliveries: pd.DataFrame, customers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per zone: deliveries, outcome shares and the share delivered inside a window.

    Parameters
    ----------
    deliveries
        Rows like :func:`luckygas.queries.delivery_history` (``customer_id``,
        ``delivered_on``, ``delivered_min``, ``outcome``, quantities, ``zone_code``).
    customers
        Like :func:`luckygas.queries.customers`: gives ``zone_code`` when the deliveries
        lack it, and the windows (``windows_min``). A delivery is on time when
        ``delivered_min`` falls inside one of its customer's windows; customers without
        windows count as always open. Without windows ``on_time_pct`` is NaN.

    Returns
    -------
    DataFrame
        Indexed by zone: ``deliveries``, ``<outcome>_pct`` for each outcome seen,
        ``on_time_pct`` (of successful deliveries with a recorded time).
    """
    df = _with_zone(deliveries, customers)
    df["outcome"] = df["outcome"].astype(str)
    out = pd.crosstab(df["zone_code"], df["outcome"], normalize="index") * 100
    out.columns = [f"{c}_pct" for c in out.columns]
    out.insert(0, "deliveries", df.groupby("zone_code").size())
    done = df[(df["outcome"] == "delivered") & df["delivered_min"].notna()]
    if customers is None or "windows_min" not in customers.columns or done.empty:
        out["on_time_pct"] = np.nan
    else:
        key = "customer_id" if "customer_id" in customers.columns else "id"
        windows = dict(zip(customers[key].astype(int), customers["windows_min"], strict=True))
        on_time = [
            _inside(windows.get(int(c)), float(t))
            for c, t in zip(done["customer_id"], done["delivered_min"], strict=True)
        ]
        out["on_time_pct"] = (
            100 * pd.Series(on_time, index=done.index).groupby(done["zone_code"]).mean()
        )
    out.index.name = "zone"
    return out.round(1)


def _inside(windows: Any, minute: float) -> bool:
    if not isinstance(windows, list | tuple) or not windows:
        return True  # no stated windows: the customer takes deliveries all day
    return any(a <= minute <= b for a, b in windows)


@with_cjk_fonts
def outcome_rates(
    deliveries: pd.DataFrame, customers: pd.DataFrame | None = None, *, ax: Axes | None = None
) -> Figure:
    """Stacked outcome shares per zone, with the on-time share as black dots.

    Parameters are as for :func:`delivery_performance`, plus the ``ax`` to draw on.
    """
    table = delivery_performance(deliveries, customers)
    ax = axes_or_new(ax, (9, 3.5))
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for col in [c for c in table.columns if c.endswith("_pct") and c != "on_time_pct"]:
        outcome = col.removesuffix("_pct")
        values = table[col].to_numpy(dtype=float)
        ax.bar(
            x, values, bottom=bottom, label=outcome, color=OUTCOME_COLOURS.get(outcome, "#7f7f7f")
        )
        bottom += values
    if table["on_time_pct"].notna().any():
        ax.plot(x, table["on_time_pct"], "o", color="black", label="on time (of delivered)")
    ax.set_xticks(x, list(table.index))
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of deliveries")
    ax.set_title("Outcomes and on-time share by zone")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure_of(ax)


# ---------------------------------------------------------------------------
# Scenario comparison
# ---------------------------------------------------------------------------
