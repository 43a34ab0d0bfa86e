"""The scenario comparison chart: each scenario against the baseline, coloured by verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from luckygas.charts.style import (
    with_cjk_fonts,
)
from luckygas.maps import UNSERVED_COLOUR

if TYPE_CHECKING:
    pass


#: The differences :func:`scenario_deltas` draws by default: served orders first, then the
#: total cost (route cost + cost of unserved orders), then route cost and vehicles.
DELTA_COLUMNS: tuple[str, ...] = (
    "Δ served",
    "Δ cost_incl_unserved",
    "Δ cost",
    "Δ vehicles_used",
)
#: Panel titles of the Δ columns (others are shown by their column name).
DELTA_TITLES: dict[str, str] = {
    "Δ served": "Δ orders served",
    "Δ cost_incl_unserved": "Δ total cost (TWD)",
    "Δ cost": "Δ route cost (TWD)",
    "Δ unassigned": "Δ orders not planned",
    "Δ vehicles_used": "Δ vehicles used",
    "Δ distance_km": "Δ distance (km)",
}
#: Bar colour of a scenario by its verdict against the baseline.
VERDICT_COLOURS: dict[str, str] = {
    "better": "#2ca02c",
    "same": "#9e9e9e",
    "worse": UNSERVED_COLOUR,
}


@with_cjk_fonts
def scenario_deltas(
    kpis: pd.DataFrame, baseline: str, columns: tuple[str, ...] = DELTA_COLUMNS
) -> Figure:
    """Bars of each scenario's difference from the baseline, one panel per KPI.

    Every bar of a scenario has the colour of its verdict
    (:func:`luckygas.scenarios.compare.scenario_verdicts`): green when it serves more
    orders, or as many for a lower total cost; red when it serves fewer, whatever it
    saves on the routes; grey when it is the same. A bar's own sign is not a verdict:
    route cost falls when orders are dropped.

    Parameters
    ----------
    kpis
        :func:`luckygas.scenarios.compare_kpis` output (one row per scenario).
    baseline
        The baseline's row name (left out: its differences are zero).
    columns
        The ``Δ`` columns to draw.

    Returns
    -------
    Figure
    """
    from luckygas.scenarios.compare import scenario_verdicts

    missing = [c for c in columns if c not in kpis.columns]
    if missing:
        raise ValueError(f"scenario_deltas: kpis has no column(s) {missing}")
    others = kpis.drop(index=baseline, errors="ignore")
    verdicts = scenario_verdicts(others)
    deltas = others[list(columns)]
    fig = Figure(figsize=(3 * len(columns), 1.4 + 0.4 * max(len(deltas), 1)), layout="constrained")
    axes = fig.subplots(1, len(columns), sharey=True, squeeze=False)[0]
    colours = [VERDICT_COLOURS[v] for v in verdicts]
    for ax, col in zip(axes, columns, strict=True):
        values = deltas[col].astype(float)
        ax.barh([str(i) for i in values.index], values, color=colours)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(DELTA_TITLES.get(col, col), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        # Few ticks in thousands: six-digit TWD ticks ran into each other.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _compact(x)))
    axes[0].invert_yaxis()  # the first scenario on top, as in the table
    fig.suptitle(
        "green: better than the baseline (more orders served, or as many for less total cost)"
        " · red: worse · grey: same",
        fontsize=9,
    )
    return fig


def _compact(x: float) -> str:
    """``"-2,547"``, ``"500k"``, ``"1.2M"``: tick labels that fit a narrow panel."""
    if abs(x) >= 1_000_000:
        return f"{x / 1_000_000:,.1f}M"
    if abs(x) >= 10_000:
        return f"{x / 1000:,.0f}k"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
