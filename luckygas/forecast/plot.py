"""A customer's gas level and forecast on one matplotlib chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from luckygas.forecast.consumption import ConsumptionModel
from luckygas.forecast.history import to_day
from luckygas.forecast.stock import level_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_customer_forecast(
    refills: pd.DataFrame,
    model: ConsumptionModel,
    stock: pd.DataFrame,
    customer_id: int,
    *,
    plan_day: object,
    days_back: int = 120,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the modelled gas level (sawtooth), the refills, and the run-out band.

    Parameters
    ----------
    refills
        Output of :func:`luckygas.forecast.history.prepare_refills` (up to the plan day).
    model
        The consumption model.
    stock
        Output of :func:`luckygas.forecast.stock.gas_left` (for the band).
    customer_id
        Whose chart.
    plan_day
        The planning day (a vertical line).
    days_back
        History shown before the plan day. Default 120.
    ax
        Axes to draw on (default: a new figure).
    title
        Chart title (default: the customer id and rate).

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    day = to_day(plan_day)
    row = stock.loc[customer_id]
    end = row["runout_late"] if pd.notna(row["runout_late"]) else day + 30
    end = max(np.datetime64(end, "D") + 3, day + 3)
    path = level_path(refills, model, customer_id, until=end)
    path = path[path["day"] >= day - days_back]
    past = path["day"] < day
    ax.plot(path["day"][past], path["level_kg"][past], color="tab:blue", label="modelled level")
    ax.plot(
        path["day"][~past], path["level_kg"][~past], color="tab:blue", ls="--", label="forecast"
    )
    mine = refills[(refills["customer_id"] == customer_id) & (refills["day"] >= day - days_back)]
    ax.scatter(
        mine["day"], mine["delivered_kg"], marker="v", color="tab:green", zorder=3,
        label="refill (kg delivered)",
    )  # fmt: skip
    if pd.notna(row["runout_early"]) and pd.notna(row["runout_late"]):
        ax.axvspan(
            np.datetime64(row["runout_early"], "D"),
            np.datetime64(row["runout_late"], "D") + 1,
            color="tab:red", alpha=0.15, label="run-out band",
        )  # fmt: skip
    ax.axvline(day, color="black", lw=1, label="plan day")
    ax.set_ylabel("gas left (kg)")
    ax.set_ylim(bottom=0)
    ax.set_title(title or f"customer {customer_id}: {row['rate_kg_day']:.1f} kg/day now")
    ax.legend(loc="upper left", fontsize="small", ncols=3)
    ax.figure.autofmt_xdate()
    return ax
