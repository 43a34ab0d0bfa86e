"""The report's scenario section: a saved scenario's plan of the day against the baseline.

Reads :mod:`luckygas.scenarios` (comparison and scenario changes) only when a scenario is
asked for, so the report works without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from luckygas import queries
from luckygas.optimize.reasons import hhmm
from luckygas.reports.data import PlanData
from luckygas.reports.redact import mask_name

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from luckygas.optimize import PlanResult

BASELINE = "baseline"


@dataclass(frozen=True)
class ScenarioComparison:
    """A scenario's result of the day compared with the report's plan.

    Attributes
    ----------
    name, description
        The scenario.
    source
        ``"saved"`` (its saved plan of the day) or ``"solved"`` (solved for the report).
    kpis
        One row per KPI: ``KPI``, ``baseline``, the scenario, ``Δ``.
    changes
        Orders whose vehicle, time or served status differ (display columns).
    """

    name: str
    description: str
    source: Literal["saved", "solved"]
    kpis: pd.DataFrame
    changes: pd.DataFrame


def scenario_comparison(
    session: Session, day: dt.date, name: str, baseline: PlanData, *, progress: bool = False
) -> ScenarioComparison:
    """Compare scenario ``name`` on ``day`` with ``baseline``.

    Parameters
    ----------
    session
        Open session.
    day
        Delivery date.
    name
        A saved scenario's name.
    baseline
        The report's plan (redacted or not; the scenario side is masked the same way).
    progress
        Show the solver's progress when the scenario has to be solved.

    Returns
    -------
    ScenarioComparison

    Raises
    ------
    LookupError
        No scenario has that name (the message lists the saved ones).
    """
    from luckygas.scenarios.compare import compare_kpis, order_diff

    row = queries.scenario_record(session, name)
    if row is None:
        names = queries.scenario_names(session)
        known = ", ".join(repr(n) for n in names) or "none saved"
        raise LookupError(f"no scenario named {name!r} (known: {known}).")
    plan_id = queries.latest_scenario_plan_id(session, day, row["id"])
    if plan_id is not None:
        from luckygas.bridge.persist import load_plan

        result, source = load_plan(session, plan_id), "saved"
    else:
        result, source = _solve_scenario(session, day, row, progress), "solved"
    label = name if name != BASELINE else f"{name} (scenario)"
    kpis = compare_kpis({BASELINE: baseline.result, label: result}, baseline=BASELINE)
    diff = order_diff(baseline.result, result)
    if baseline.redacted:
        diff = diff.assign(customer_name=diff["customer_name"].map(mask_name))
    return ScenarioComparison(
        name=name,
        description=row["description"] or "",
        source=source,  # type: ignore[arg-type]
        kpis=_kpi_display(kpis, label),
        changes=_diff_display(diff, baseline.order_numbers),
    )


def _solve_scenario(
    session: Session, day: dt.date, row: dict[str, Any], progress: bool
) -> PlanResult:
    from luckygas.bridge.adapter import build_problem
    from luckygas.bridge.planning import solve_progress_bar
    from luckygas.optimize import solve
    from luckygas.scenarios.changes import Scenario

    scenario = Scenario.from_changes(row["name"], row["changes"] or {}, row["description"] or "")
    problem = scenario.apply(build_problem(session, day))
    params = scenario.params()
    if progress:
        with solve_progress_bar(params.time_limit_s, description=row["name"]) as callback:
            return solve(problem, params, progress=callback)
    return solve(problem, params)


def _number(value: object, signed: bool = False, decimals: int = 1) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    v = float(value)  # type: ignore[arg-type]
    sign = "+" if signed else ""
    text = f"{v:{sign},.{decimals}f}"
    return text.removesuffix(".0")


def _kpi_display(kpis: pd.DataFrame, label: str) -> pd.DataFrame:
    """Transpose ``compare_kpis`` output into KPI rows with baseline, scenario and Δ."""
    from luckygas.reports.tables import KPI_LABELS

    base_cols = [c for c in kpis.columns if not str(c).startswith("Δ ")]

    def digits(col: object) -> int:
        return 0 if col == "cost" else 1  # whole TWD, like the rest of the report

    rows = [
        {
            "KPI": KPI_LABELS.get(col, col),
            BASELINE: _number(kpis.at[BASELINE, col], decimals=digits(col)),
            label: _number(kpis.at[label, col], decimals=digits(col)),
            "Δ": _number(kpis.at[label, f"Δ {col}"], signed=True, decimals=digits(col))
            if f"Δ {col}" in kpis.columns
            else "",
        }
        for col in base_cols
    ]
    return pd.DataFrame(rows, columns=["KPI", BASELINE, label, "Δ"])


def _diff_display(diff: pd.DataFrame, numbers: dict[int, str]) -> pd.DataFrame:
    def s(v: object) -> str:
        return "" if v is None or pd.isna(v) else str(v)  # type: ignore[arg-type]

    def t(v: object) -> str:
        return "" if v is None or pd.isna(v) else hhmm(int(v))  # type: ignore[arg-type]

    rows = [
        {
            "Order": numbers.get(int(d["order_id"]), str(d["order_id"])),
            "Customer": d["customer_name"],
            "Change": str(d["change"]).replace("_", " "),
            "Baseline": f"{s(d['base_vehicle'])} {t(d['base_start_s'])}".strip(),
            "Scenario": f"{s(d['other_vehicle'])} {t(d['other_start_s'])}".strip(),
            "Why": s(d["reason"]),
        }
        for d in diff.to_dict("records")
    ]
    return pd.DataFrame(
        rows, columns=["Order", "Customer", "Change", "Baseline", "Scenario", "Why"]
    )
