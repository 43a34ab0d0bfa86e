"""Side-by-side comparison of scenario results: KPI table, order-level diff, trade-off chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

#: KPIs shown by :func:`compare_kpis`, in order. All but the last two are keys of
#: ``PlanResult.kpis``; served/unserved sit next to the costs so that a cheaper plan that
#: drops orders is seen as such.
KPI_COLUMNS: tuple[str, ...] = (
    "vehicles_available",
    "vehicles_used",
    "orders",
    "distance_km",
    "driving_h",
    "working_h",
    "kg_delivered",
    "on_time_pct",
    "served",
    "unassigned",
    "cost",
    "unserved_penalty",
    "cost_incl_unserved",
)

#: Readable names of the cost and service KPIs, for printed tables.
KPI_LABELS: dict[str, str] = {
    "served": "served orders",
    "unassigned": "unserved orders",
    "cost": "route cost (TWD)",
    "unserved_penalty": "unserved penalty (TWD)",
    "cost_incl_unserved": "cost incl. unserved (TWD)",
}


@dataclass(frozen=True, slots=True)
class UnservedCost:
    """What leaving an order unserved costs, in TWD, when plans are compared.

    Route cost alone makes a plan that drops orders look cheaper; adding these amounts
    puts the dropped orders back into the comparison. The defaults are the solver's own
    drop penalties (:class:`~luckygas.optimize.problem.SolverParams`), so the comparison
    weighs an unserved order as the optimiser did.

    Parameters
    ----------
    required_twd
        A required order (normal, urgent or emergency) left unserved. Default 10,000.
    optional_twd
        An optional (forecast) order left unserved, when the order carries no penalty
        of its own. Default 200.
    """

    required_twd: float = 10_000.0
    optional_twd: float = 200.0

    def __post_init__(self) -> None:
        if self.required_twd < 0 or self.optional_twd < 0:
            raise ValueError("UnservedCost: amounts must be >= 0.")


def unserved_penalty(
    result: PlanResult, problem: RoutingProblem | None = None, costs: UnservedCost | None = None
) -> float:
    """TWD charged for the plan's unserved orders (see :class:`UnservedCost`).

    Parameters
    ----------
    result
        The plan.
    problem
        The day's problem, to tell optional orders (and their own penalties) from
        required ones; without it every unserved order counts as required.
    costs
        The amounts (default :class:`UnservedCost`).

    Returns
    -------
    float
    """
    costs = costs or UnservedCost()
    orders = {o.id: o for o in problem.orders} if problem is not None else {}
    total = 0.0
    for oid in result.unassigned["order_id"]:
        order = orders.get(int(oid))
        if order is None or not order.optional:
            total += costs.required_twd
        else:
            total += costs.optional_twd if order.penalty is None else float(order.penalty)
    return round(total, 2)


#: Values of the ``change`` column of :func:`order_diff`.
CHANGES: tuple[str, ...] = (
    "became_unserved",
    "became_served",
    "vehicle_changed",
    "time_moved",
    "resequenced",
    "unchanged",
    "still_unserved",
    "added",
    "removed",
)


def compare_kpis(
    results: Mapping[str, PlanResult],
    baseline: str | None = "baseline",
    *,
    problem: RoutingProblem | None = None,
    unserved_cost: UnservedCost | None = None,
) -> pd.DataFrame:
    """KPIs per scenario plus the difference from the baseline.

    Parameters
    ----------
    results
        ``{scenario name: PlanResult}``, e.g. from :func:`~luckygas.scenarios.run_scenarios`.
    baseline
        Name of the reference scenario; ``None`` gives the KPIs only.
    problem
        The day's (baseline) problem: optional orders left unserved are then charged
        their own, small penalty instead of the required-order amount.
    unserved_cost
        TWD per unserved order (default :class:`UnservedCost`): ``unserved_penalty`` is
        their sum and ``cost_incl_unserved`` = ``cost`` + ``unserved_penalty``, the
        figure to compare plans that serve different numbers of orders by.

    Returns
    -------
    pandas.DataFrame
        Indexed by scenario (in ``results`` order). Columns are :data:`KPI_COLUMNS`
        followed, when a baseline is given, by ``Δ <kpi>`` = scenario − baseline for
        each KPI (rounded to 3 decimals).

    Raises
    ------
    ValueError
        If ``baseline`` is not one of the results.
    """
    if baseline is not None and baseline not in results:
        raise ValueError(
            f"compare_kpis: baseline {baseline!r} is not among the results ({', '.join(results)})."
        )
    rows = {}
    for name, r in results.items():
        row = {k: r.kpis.get(k) for k in KPI_COLUMNS}
        row["unserved_penalty"] = unserved_penalty(r, problem, unserved_cost)
        row["cost_incl_unserved"] = round(
            float(r.kpis.get("cost") or 0.0) + row["unserved_penalty"], 2
        )
        rows[name] = row
    df = pd.DataFrame.from_dict(rows, orient="index", columns=list(KPI_COLUMNS))
    df.index.name = "scenario"
    df = df.apply(pd.to_numeric)
    if baseline is None:
        return df
    deltas = (df - df.loc[baseline]).round(3)
    deltas.columns = [f"Δ {c}" for c in df.columns]
    return pd.concat([df, deltas], axis=1)


#: Verdicts of :func:`scenario_verdicts`.
VERDICTS: tuple[str, ...] = ("better", "same", "worse")


def scenario_verdicts(kpis: pd.DataFrame, *, tolerance_twd: float = 0.5) -> pd.Series:
    """Is each scenario better or worse than the baseline? Served orders first, then cost.

    A scenario that serves fewer orders is worse whatever it saves (route cost falls
    when orders are dropped); one that serves more is better; between scenarios that
    serve as many, the lower total cost (route cost plus the cost of unserved orders)
    is better.

    Parameters
    ----------
    kpis
        :func:`compare_kpis` output with a baseline (``Δ served`` and
        ``Δ cost_incl_unserved`` columns).
    tolerance_twd
        Total-cost differences up to this are ``"same"``.

    Returns
    -------
    pandas.Series
        ``"better"``, ``"same"`` or ``"worse"`` per scenario (the baseline is ``"same"``).

    Raises
    ------
    ValueError
        If the Δ columns are missing.
    """
    need = ["Δ served", "Δ cost_incl_unserved"]
    missing = [c for c in need if c not in kpis.columns]
    if missing:
        raise ValueError(f"scenario_verdicts: kpis has no column(s) {missing} (use compare_kpis)")

    def verdict(served: float, total: float) -> str:
        if served != 0:
            return "better" if served > 0 else "worse"
        if abs(total) <= tolerance_twd:
            return "same"
        return "better" if total < 0 else "worse"

    values = [
        verdict(float(a), float(b))
        for a, b in zip(kpis["Δ served"], kpis["Δ cost_incl_unserved"], strict=True)
    ]
    return pd.Series(values, index=kpis.index, name="verdict")


def _served(result: PlanResult) -> pd.DataFrame:
    names = dict(zip(result.routes["vehicle_id"], result.routes["vehicle_name"], strict=True))
    s = result.stops[["order_id", "customer_name", "vehicle_id", "sequence", "start_s"]].copy()
    s["vehicle_name"] = s["vehicle_id"].map(names)
    return s.set_index("order_id")


def order_diff(
    baseline_result: PlanResult,
    other_result: PlanResult,
    *,
    moved_min: float = 15.0,
    only_changes: bool = True,
) -> pd.DataFrame:
    """What happened to each order between two plans of the same day.

    Parameters
    ----------
    baseline_result, other_result
        The two plans.
    moved_min
        A served order counts as ``time_moved`` when its service start moved by more
        than this many minutes on the same vehicle.
    only_changes
        Drop ``unchanged`` and ``still_unserved`` rows.

    Returns
    -------
    pandas.DataFrame
        One row per order with ``order_id, customer_name, change`` (the most important
        of :data:`CHANGES`: served/unserved first, then vehicle, then time, then
        sequence), ``vehicle_changed, resequenced, time_moved`` flags,
        ``base_vehicle/other_vehicle`` (names), ``base_sequence/other_sequence``,
        ``base_start_s/other_start_s``, ``shift_min`` (other − base start, minutes) and
        ``reason_code/reason``: why it is unserved in the other plan (or, for
        ``became_served``, why it was unserved in the baseline).
    """
    a, b = _served(baseline_result), _served(other_result)
    ua = baseline_result.unassigned.set_index("order_id")
    ub = other_result.unassigned.set_index("order_id")
    ids = sorted(set(a.index) | set(ua.index) | set(b.index) | set(ub.index))
    rows: list[dict[str, Any]] = []
    for oid in ids:
        in_a, in_b = oid in a.index, oid in b.index
        known_a, known_b = in_a or oid in ua.index, in_b or oid in ub.index
        row: dict[str, Any] = {"order_id": oid}
        src = a if in_a else b if in_b else ua if oid in ua.index else ub
        row["customer_name"] = src.at[oid, "customer_name"]
        row.update(
            base_vehicle=a.at[oid, "vehicle_name"] if in_a else None,
            other_vehicle=b.at[oid, "vehicle_name"] if in_b else None,
            base_sequence=a.at[oid, "sequence"] if in_a else None,
            other_sequence=b.at[oid, "sequence"] if in_b else None,
            base_start_s=a.at[oid, "start_s"] if in_a else None,
            other_start_s=b.at[oid, "start_s"] if in_b else None,
        )
        veh = in_a and in_b and a.at[oid, "vehicle_id"] != b.at[oid, "vehicle_id"]
        shift = (b.at[oid, "start_s"] - a.at[oid, "start_s"]) / 60 if in_a and in_b else None
        moved = shift is not None and not veh and abs(shift) > moved_min
        reseq = in_a and in_b and not veh and a.at[oid, "sequence"] != b.at[oid, "sequence"]
        reason_src = None
        if not known_a:
            change = "added"
            reason_src = ub if oid in ub.index else None
        elif not known_b:
            change = "removed"
        elif in_a and not in_b:
            change, reason_src = "became_unserved", ub
        elif in_b and not in_a:
            change, reason_src = "became_served", ua
        elif not in_a and not in_b:
            change, reason_src = "still_unserved", ub
        elif veh:
            change = "vehicle_changed"
        elif moved:
            change = "time_moved"
        elif reseq:
            change = "resequenced"
        else:
            change = "unchanged"
        row.update(
            change=change,
            vehicle_changed=bool(veh),
            resequenced=bool(reseq),
            time_moved=bool(moved),
            shift_min=None if shift is None else round(float(shift), 1),
            reason_code=reason_src.at[oid, "reason_code"] if reason_src is not None else None,
            reason=reason_src.at[oid, "reason"] if reason_src is not None else None,
        )
        rows.append(row)
    columns = [
        "order_id",
        "customer_name",
        "change",
        "vehicle_changed",
        "resequenced",
        "time_moved",
        "base_vehicle",
        "other_vehicle",
        "base_sequence",
        "other_sequence",
        "base_start_s",
        "other_start_s",
        "shift_min",
        "reason_code",
        "reason",
    ]
    df = pd.DataFrame(rows, columns=columns)
    for c in ("base_sequence", "other_sequence", "base_start_s", "other_start_s"):
        df[c] = df[c].astype("Int64")
    if only_changes:
        df = df[~df["change"].isin(["unchanged", "still_unserved"])]
    rank = {c: i for i, c in enumerate(CHANGES)}
    return df.sort_values(
        ["change", "order_id"], key=lambda s: s.map(rank) if s.name == "change" else s
    ).reset_index(drop=True)


def diff_summary(diff: pd.DataFrame) -> pd.Series:
    """Count of orders per ``change`` category (all categories, zeros included)."""
    return diff["change"].value_counts().reindex(list(CHANGES), fill_value=0)


def with_unserved_cost(sweep_df: pd.DataFrame, costs: UnservedCost | None = None) -> pd.DataFrame:
    """A sweep table with ``unserved_penalty`` and ``cost_incl_unserved`` added.

    A sweep keeps counts, not the orders, so every unserved order is charged the
    required-order amount (optional orders are rarely left out by a larger fleet).
    """
    costs = costs or UnservedCost()
    out = sweep_df.copy()
    out["unserved_penalty"] = out["unassigned"].astype(float) * costs.required_twd
    out["cost_incl_unserved"] = (out["cost"].astype(float) + out["unserved_penalty"]).round(2)
    return out


def suggested_point(sweep_df: pd.DataFrame) -> pd.Series:
    """The sweep row to suggest: fewest unserved orders, then lowest route cost.

    Serving the orders comes first, so a value that saves route cost by dropping
    orders is never suggested; among values that serve equally many, the cheapest wins
    (beyond it, more capacity only adds cost).
    """
    if sweep_df.empty:
        raise ValueError("suggested_point: the sweep has no rows.")
    order = sweep_df.sort_values(["unassigned", "cost", "value"], kind="stable")
    return order.iloc[0]


def tradeoff_chart(sweep_df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Cost and km against the swept value, with unserved orders on a second axis.

    The suggested point (fewest unserved orders, then lowest cost) is marked: beyond it
    adding capacity only adds cost.

    Parameters
    ----------
    sweep_df
        Output of :func:`~luckygas.scenarios.sweep`.
    ax
        Axes to draw on; a new figure is made when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The cost axis (the unserved axis is its twin).
    """
    import matplotlib.pyplot as plt

    if sweep_df.empty:
        raise ValueError("tradeoff_chart: the sweep has no rows.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    df = sweep_df.sort_values("value")
    setting = str(df["setting"].iloc[0])
    x = df["value"].astype(float)
    ax.plot(x, df["cost"], marker="o", color="tab:blue", label="cost (TWD)")
    ax.set_xlabel(setting)
    ax.set_ylabel("cost (TWD)", color="tab:blue")
    km = ax.twinx()
    km.spines["right"].set_position(("axes", 1.12))
    km.plot(x, df["distance_km"], marker="s", ls="--", color="tab:green", label="km")
    km.set_ylabel("km", color="tab:green")
    un = ax.twinx()
    un.bar(
        x,
        df["unassigned"],
        width=0.3 * (x.diff().min() if len(x) > 1 else 1.0),
        alpha=0.3,
        color="tab:red",
        label="unserved orders",
    )
    un.set_ylabel("unserved orders", color="tab:red")
    un.set_ylim(bottom=0, top=max(1, int(df["unassigned"].max())) * 1.2)
    best = suggested_point(df)
    ax.scatter(
        [float(best["value"])],
        [best["cost"]],
        s=180,
        facecolors="none",
        edgecolors="black",
        linewidths=2,
        zorder=5,
    )
    ax.annotate(
        f"suggested: {best['value']}",
        (float(best["value"]), best["cost"]),
        textcoords="offset points",
        xytext=(8, 10),
    )
    ax.set_title(f"Trade-off over {setting}")
    handles = [h for a in (ax, km, un) for h in a.get_legend_handles_labels()[0]]
    labels = [lb for a in (ax, km, un) for lb in a.get_legend_handles_labels()[1]]
    ax.legend(handles, labels, loc="upper center", fontsize="small")
    return ax
