"""matplotlib charts of a plan and of the delivery history.

Every plotting function takes an optional ``ax=`` and returns the
:class:`~matplotlib.figure.Figure` it drew on. Without ``ax`` the figure is created with
:class:`matplotlib.figure.Figure` rather than ``pyplot``, so a notebook shows it exactly
once (as the cell's value) and a long session does not pile up open pyplot figures.

Vehicle and customer names are Chinese, which matplotlib's default font cannot draw.
Each chart is built with a font fallback list (DejaVu Sans, then the first installed CJK
font: Noto Sans CJK TC, Microsoft JhengHei, PingFang TC, ...); zones are labelled by code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from luckygas.domain import SIZE_CLASSES_KG
from luckygas.maps import UNSERVED_COLOUR, hhmm, route_colours

if TYPE_CHECKING:
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

#: Segment colours of the route timeline.
SEGMENT_COLOURS: dict[str, str] = {
    "drive": "#9e9e9e",
    "wait": "#ffe08a",
    "break": "#5c6bc0",
    "reload": "#222222",
}
#: One colour per cylinder size class (light to dark = small to large).
SIZE_COLOURS: dict[int, str] = {
    50: "#08306b",
    20: "#2171b5",
    16: "#6baed6",
    10: "#9ecae1",
    4: "#deebf7",
}
OUTCOME_COLOURS: dict[str, str] = {
    "delivered": "#2ca02c",
    "not_home": "#ff7f0e",
    "refused": "#9467bd",
    "failed": "#d62728",
}


#: CJK fonts tried in order after DejaVu Sans (Linux, Windows, macOS names).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Microsoft JhengHei",
    "PingFang TC",
    "Heiti TC",
    "Source Han Sans TC",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


@functools.cache
def font_family() -> list[str]:
    """DejaVu Sans followed by the first installed CJK font (only installed names, so
    matplotlib does not warn about missing families)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *[f for f in CJK_FONTS if f in installed][:1]]


def _cjk(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Build the chart with the CJK fallback fonts (text keeps the family it was made with).

    Also makes sure IPython shows the returned figure as a picture (see
    :func:`show_figures_in_ipython`).
    """

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        show_figures_in_ipython()
        with mpl.rc_context({"font.family": font_family()}):
            return fn(*args, **kwargs)

    return wrapper


def show_figures_in_ipython() -> None:
    """Have IPython display a ``Figure`` as a PNG, if nothing else displays it yet.

    The charts are made without ``pyplot``, and IPython learns to draw figures only when
    pyplot's inline backend loads (``%matplotlib inline`` or the first ``import
    matplotlib.pyplot``). Before that a chart that is a cell's value prints as
    ``<Figure size 1200x220 with 4 Axes>``, as the what-if notebook did on its first
    run. Outside IPython, or when a display is already registered, this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # matplotlib without IPython: nothing to display with
        return
    shell = get_ipython()
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters or "image/png" not in formatters:
        return
    png = formatters["image/png"]
    try:
        png.lookup_by_type(Figure)
    except KeyError:
        from IPython.core.pylabtools import print_figure

        png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def _time_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MultipleLocator(3600))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: hhmm(x)))
    ax.grid(axis="x", alpha=0.3)


# ---------------------------------------------------------------------------
# Plan charts
# ---------------------------------------------------------------------------


@_cjk
def route_timeline(
    result: PlanResult, problem: RoutingProblem | None = None, *, ax: Axes | None = None
) -> Figure:
    """Gantt chart: one row per route with drive, service, wait, break and reload segments.

    A vehicle that goes back to the depot to reload between trips shows the drive back
    and a dark "reload at depot" segment. Each stop's time window is a thin bar under its
    route row; a stop that starts after its window closed is marked with a red ✕. With
    ``problem``, the driver's shift is drawn as brackets.

    Parameters
    ----------
    result
        The plan.
    problem
        The solved problem (optional; for the shifts).
    ax
        Axes to draw on; a new figure sized to the number of routes otherwise.

    Returns
    -------
    Figure
    """
    routes = result.routes
    stops = result.stops
    ax = _axes(ax, (11, 1.0 + 0.7 * max(len(routes), 1)))
    colours = route_colours(list(routes["vehicle_id"]))
    vehicles = problem.vehicles_by_id if problem is not None else {}
    reloads = getattr(result, "reloads", None)
    labels = []
    for row, r in enumerate(routes.to_dict("records")):
        y = len(routes) - 1 - row  # first route on top
        vid = int(r["vehicle_id"])
        labels.append((y, f"{row + 1} · {r['vehicle_name']}"))
        rs = stops[stops["vehicle_id"] == vid].sort_values("sequence")
        drive = [(a - t, t) for a, t in zip(rs["arrival_s"], rs["travel_from_prev_s"], strict=True)]
        if len(rs):
            last = float(rs["departure_s"].iloc[-1])
            drive.append((last, max(float(r["end_s"]) - last, 0.0)))
        reload = _reload_segments(rs, reloads, vid)
        drive += [
            (prev_departure, arrival - prev_departure) for prev_departure, arrival, _ in reload
        ]
        ax.broken_barh(drive, (y - 0.25, 0.5), facecolors=SEGMENT_COLOURS["drive"], label="drive")
        if reload:
            ax.broken_barh(
                [(a, d - a) for _, a, d in reload],
                (y - 0.25, 0.5),
                facecolors=SEGMENT_COLOURS["reload"],
                label="reload",
            )
        waits = [(a, w) for a, w in zip(rs["arrival_s"], rs["wait_s"], strict=True) if w > 0]
        ax.broken_barh(waits, (y - 0.25, 0.5), facecolors=SEGMENT_COLOURS["wait"], label="wait")
        service = list(zip(rs["start_s"], rs["service_s"], strict=True))
        ax.broken_barh(
            service,
            (y - 0.25, 0.5),
            facecolors=colours[vid],
            edgecolors="white",
            linewidth=0.5,
            label="service",
        )
        if pd.notna(r["break_start_s"]) and r["break_s"]:
            brk = [(float(r["break_start_s"]), float(r["break_s"]))]
            ax.broken_barh(brk, (y - 0.25, 0.5), facecolors=SEGMENT_COLOURS["break"], hatch="//")
        windows = [
            (a, b - a) for a, b in zip(rs["window_start_s"], rs["window_end_s"], strict=True)
        ]
        ax.broken_barh(
            windows, (y - 0.42, 0.1), facecolors=colours[vid], alpha=0.15, label="window"
        )
        late = rs[rs["start_s"] > rs["window_end_s"]]
        if len(late):
            ax.plot(
                late["start_s"], [y + 0.35] * len(late), "x", color=UNSERVED_COLOUR, label="late"
            )
        vehicle = vehicles.get(vid)
        if vehicle is not None:
            ax.plot(
                [vehicle.shift_start_s, vehicle.shift_end_s],
                [y, y],
                "|",
                color="black",
                markersize=22,
                label="shift",
            )
    ax.set_yticks([y for y, _ in labels], [t for _, t in labels])
    ax.set_ylim(-0.7, max(len(routes), 1) - 0.3)
    _time_axis(ax)
    ax.set_title(f"Route timeline · {result.kpis.get('served', len(stops))} stops")
    handles = [Patch(color=SEGMENT_COLOURS[k], label=k) for k in ("drive", "wait")]
    handles += [
        Patch(facecolor=SEGMENT_COLOURS["break"], hatch="//", label="break"),
        Patch(color=SEGMENT_COLOURS["reload"], label="reload at depot"),
        Patch(color="#777777", label="service (route colour)"),
        Patch(color="#777777", alpha=0.25, label="window"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax.figure


def _reload_segments(
    rstops: pd.DataFrame, reloads: pd.DataFrame | None, vehicle_id: int
) -> list[tuple[float, float, float]]:
    """``(departure of the trip's last stop, arrival at depot, departure from depot)`` per
    reload of one vehicle (the drive back to the depot is not in any stop's travel time)."""
    if reloads is None or reloads.empty or "trip" not in rstops.columns:
        return []
    out = []
    for rl in reloads[reloads["vehicle_id"] == vehicle_id].to_dict("records"):
        before = rstops[rstops["trip"] < int(rl["trip"])]
        last = float(before["departure_s"].max()) if len(before) else float(rl["arrival_s"])
        out.append((last, float(rl["arrival_s"]), float(rl["departure_s"])))
    return out


@_cjk
def route_loads(
    result: PlanResult,
    problem: RoutingProblem | None = None,
    *,
    by: str = "kg",
    ax: Axes | None = None,
) -> Figure:
    """Load per route against capacity.

    Parameters
    ----------
    result
        The plan.
    problem
        The solved problem; gives each vehicle's capacities (without it, ``by="kg"``
        derives the kg limit from ``utilisation_kg`` and ``by="size"`` shows counts).
    by
        ``"kg"``: kg loaded stacked by size class with the vehicle's kg limit as a black
        tick. ``"size"``: per size class, cylinders loaded as a share of the vehicle's
        slots for that size.
    ax
        Axes to draw on.

    Returns
    -------
    Figure
    """
    if by not in ("kg", "size"):
        raise ValueError(f"route_loads: by must be 'kg' or 'size', got {by!r}")
    routes = result.routes
    ax = _axes(ax, (9, 1.2 + 0.45 * max(len(routes), 1)))
    names = [f"{i} · {n}" for i, n in enumerate(routes["vehicle_name"], start=1)][::-1]
    rows = routes.iloc[::-1]
    y = np.arange(len(rows))
    vehicles = problem.vehicles_by_id if problem is not None else {}
    if by == "kg":
        left = np.zeros(len(rows))
        for kg in SIZE_CLASSES_KG:
            width = rows[f"load_{kg}kg"].to_numpy(dtype=float) * kg
            ax.barh(
                y,
                width,
                left=left,
                color=SIZE_COLOURS[kg],
                label=f"{kg} kg",
                edgecolor="white",
                linewidth=0.5,
            )
            left += width
        caps = [_max_kg(r, vehicles) for r in rows.to_dict("records")]
        ax.plot(caps, y, "|", color="black", markersize=18, markeredgewidth=2, label="max kg")
        ax.set_xlabel("kg loaded")
    else:
        h = 0.8 / len(SIZE_CLASSES_KG)
        for i, kg in enumerate(SIZE_CLASSES_KG):
            loaded = rows[f"load_{kg}kg"].to_numpy(dtype=float)
            cap = np.array(
                [
                    vehicles[int(v)].capacity[kg] if int(v) in vehicles else np.nan
                    for v in rows["vehicle_id"]
                ],
                dtype=float,
            )
            share = np.where(cap > 0, 100 * loaded / np.where(cap > 0, cap, 1), np.nan)
            value = share if vehicles else loaded
            ax.barh(
                y - 0.4 + (i + 0.5) * h,
                value,
                height=h,
                color=SIZE_COLOURS[kg],
                label=f"{kg} kg",
                edgecolor="grey",
                linewidth=0.3,
            )
        if vehicles:
            ax.axvline(100, color="black", linewidth=1)
            ax.set_xlabel("cylinders loaded, % of the vehicle's slots")
        else:
            ax.set_xlabel("cylinders loaded")
    ax.set_yticks(y, names)
    ax.set_title("Load per route")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return ax.figure


def _max_kg(route: Mapping[str, Any], vehicles: Mapping[int, Any]) -> float:
    v = vehicles.get(int(route["vehicle_id"]))
    if v is not None:
        return float(v.max_kg)
    util = float(route.get("utilisation_kg") or 0)
    return float(route["load_kg"]) / util if util > 0 else float("nan")


def zone_kpis(result: PlanResult, customers: pd.DataFrame) -> pd.DataFrame:
    """Served and unserved orders, kg and on-time share per zone.

    Parameters
    ----------
    result
        The plan.
    customers
        Customer table with ``id`` (or ``customer_id``) and ``zone_code``.

    Returns
    -------
    DataFrame
        Indexed by zone code (``"-"`` for none): ``served``, ``unserved``, ``kg``,
        ``on_time_pct``.
    """
    key = "customer_id" if "customer_id" in customers.columns else "id"
    zone_of = dict(zip(customers[key].astype(int), customers["zone_code"].fillna("-"), strict=True))
    stops = result.stops.assign(zone=result.stops["customer_id"].map(zone_of).fillna("-"))
    kg = sum(stops[f"qty_{s}kg"] * s for s in SIZE_CLASSES_KG)
    on_time = (stops["start_s"] >= stops["window_start_s"]) & (
        stops["start_s"] <= stops["window_end_s"]
    )
    served = stops.assign(kg=kg, on_time=on_time).groupby("zone")
    un = result.unassigned["customer_id"].map(zone_of).fillna("-").value_counts()
    out = pd.DataFrame(
        {
            "served": served.size(),
            "kg": served["kg"].sum(),
            "on_time_pct": 100 * served["on_time"].mean(),
        }
    )
    out = out.join(un.rename("unserved"), how="outer").fillna({"served": 0, "kg": 0, "unserved": 0})
    out = out.astype({"served": int, "kg": int, "unserved": int})
    out.index.name = "zone"
    return out[["served", "unserved", "kg", "on_time_pct"]].sort_index()


@_cjk
def kpis_by_zone(result: PlanResult, customers: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Bar chart of served and unserved orders per zone, annotated with kg delivered.

    Parameters
    ----------
    result
        The plan.
    customers
        Customer table with ``id`` (or ``customer_id``) and ``zone_code``.
    ax
        Axes to draw on.

    Returns
    -------
    Figure
    """
    table = zone_kpis(result, customers)
    ax = _axes(ax, (9, 3.5))
    x = np.arange(len(table))
    ax.bar(x, table["served"], color="#1f77b4", label="served")
    ax.bar(x, table["unserved"], bottom=table["served"], color=UNSERVED_COLOUR, label="not planned")
    for xi, (total, kg) in enumerate(
        zip(table["served"] + table["unserved"], table["kg"], strict=True)
    ):
        ax.annotate(f"{kg} kg", (xi, total), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, list(table.index))
    ax.set_ylabel("orders")
    ax.margins(y=0.12)
    ax.set_title("Orders by zone")
    ax.legend(fontsize=8)
    return ax.figure


# ---------------------------------------------------------------------------
# History charts (deliveries table joined to customers)
# ---------------------------------------------------------------------------


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


@_cjk
def volumes_by_zone_month(
    deliveries: pd.DataFrame, customers: pd.DataFrame | None = None, *, ax: Axes | None = None
) -> Figure:
    """Stacked bars of kg delivered per month, one colour per zone."""
    from luckygas.maps import ZONE_COLOURS

    table = monthly_volumes(deliveries, customers)
    ax = _axes(ax, (11, 4))
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
    return ax.figure


@_cjk
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
    ax = _axes(ax, (9, 3.5))
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
    return ax.figure


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


@_cjk
def outcome_rates(
    deliveries: pd.DataFrame, customers: pd.DataFrame | None = None, *, ax: Axes | None = None
) -> Figure:
    """Stacked outcome shares per zone, with the on-time share as black dots.

    Parameters are as for :func:`delivery_performance`, plus the ``ax`` to draw on.
    """
    table = delivery_performance(deliveries, customers)
    ax = _axes(ax, (9, 3.5))
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
    return ax.figure


# ---------------------------------------------------------------------------
# Scenario comparison
# ---------------------------------------------------------------------------

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


@_cjk
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
    fig.suptitle(
        "green: better than the baseline (more orders served, or as many for less total cost)"
        " · red: worse · grey: same",
        fontsize=9,
    )
    return fig
