"""The scenario picker of the what-if notebook, and the small tables around it.

:class:`ScenarioPanel` is an ``ipywidgets.VBox``; its *Run* button calls the ordinary
method :meth:`~ScenarioPanel.run`, so tests and notebooks drive it without a browser.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import ipywidgets as W
import pandas as pd

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult
    from luckygas.scenarios import Scenario

BASELINE = "baseline"


def scenario_table(scenarios: Iterable[Scenario]) -> pd.DataFrame:
    """One row per scenario: its name, what it changes and its description."""
    return pd.DataFrame(
        [
            {"scenario": s.name, "changes": s.describe(), "description": s.description}
            for s in scenarios
        ],
        columns=["scenario", "changes", "description"],
    )


def order_diffs(
    results: Mapping[str, PlanResult], baseline: str = BASELINE
) -> dict[str, pd.DataFrame]:
    """:func:`luckygas.scenarios.order_diff` of every scenario against ``baseline``.

    Raises
    ------
    KeyError
        If ``baseline`` is not among ``results``.
    """
    from luckygas.scenarios import order_diff

    if baseline not in results:
        raise KeyError(f"baseline scenario {baseline!r} is not among the results {list(results)}")
    base = results[baseline]
    return {name: order_diff(base, res) for name, res in results.items() if name != baseline}


#: KPI rows of the comparison, served orders and the three costs first.
_FIRST_ROWS: tuple[str, ...] = (
    "served",
    "unassigned",
    "cost",
    "unserved_penalty",
    "cost_incl_unserved",
)


def comparison_html(kpis: pd.DataFrame, baseline: str = BASELINE) -> str:
    """The KPI comparison as an HTML table, one column per scenario, verdict on top.

    Rows: the verdict against the baseline (coloured; served orders first, then total
    cost, see :func:`luckygas.scenarios.compare.scenario_verdicts`), served and
    unserved orders and the three costs, the other KPIs, then every ``Δ`` in the same
    order. Cells are escaped.

    Parameters
    ----------
    kpis
        :func:`luckygas.scenarios.compare_kpis` output with ``baseline``.
    baseline
        The baseline's name.

    Returns
    -------
    str
    """
    from luckygas.charts import VERDICT_COLOURS
    from luckygas.scenarios.compare import KPI_LABELS, scenario_verdicts

    plain = [c for c in kpis.columns if not str(c).startswith("Δ ")]
    order = [c for c in _FIRST_ROWS if c in plain] + [c for c in plain if c not in _FIRST_ROWS]
    rows = order + [f"Δ {c}" for c in order if f"Δ {c}" in kpis.columns]
    verdicts = scenario_verdicts(kpis)
    head = "".join(f"<th>{html.escape(str(n))}</th>" for n in kpis.index)
    cells = "".join(
        "<td style='text-align:right;font-weight:bold;"
        f"color:{VERDICT_COLOURS[v] if n != baseline else '#555'}'>"
        f"{'baseline' if n == baseline else html.escape(v)}</td>"
        for n, v in verdicts.items()
    )
    body = [f"<tr><th style='text-align:left'>verdict</th>{cells}</tr>"]
    for col in rows:
        label = KPI_LABELS.get(col, col)
        if col.startswith("Δ "):
            label = "Δ " + KPI_LABELS.get(col[2:], col[2:])
        whole = "cost" in col or "penalty" in col  # TWD: whole amounts read better
        values = "".join(
            f"<td style='text-align:right'>{_number(v, whole=whole)}</td>"
            for v in kpis[col].tolist()
        )
        body.append(
            f"<tr><th style='text-align:left;white-space:nowrap'>{html.escape(str(label))}</th>"
            f"{values}</tr>"
        )
    return (
        "<table><thead><tr><th></th>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "<p style='color:#555'>Verdict: served orders first (fewer served is worse whatever "
        "it saves), then total cost (route cost + cost of unserved orders).</p>"
    )


def _number(value: object, *, whole: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and not value.is_integer() and not whole:
        return f"{value:,.1f}"
    if isinstance(value, int | float):
        return f"{value:,.0f}"
    return html.escape(str(value))


def fleet_sizes_around(problem: RoutingProblem, below: int = 2, above: int = 1) -> list[int]:
    """Fleet sizes from ``below`` fewer to ``above`` more vehicles than the day has.

    Sizes smaller than the vehicles of the other types (which a fleet-size sweep keeps)
    or than one are left out, so every size can be swept.
    """
    n = len(problem.vehicles)
    counts = Counter(str(v.type) for v in problem.vehicles)
    others = n - max(counts.values(), default=0)
    return [v for v in range(n - below, n + above + 1) if v >= max(others, 1)]


class ScenarioPanel(W.VBox):
    """Pick scenarios of one day, run them in parallel and compare them with the baseline.

    Parameters
    ----------
    engine
        Database engine, for the stored scenarios (listed next to the presets).
    problem
        The day's baseline problem.
    selected
        Scenarios selected at first.
    time_limit_s
        Initial solver time limit per scenario.
    max_workers
        Parallel worker processes (``1`` solves in this process).
    run_fn
        The runner (default :func:`luckygas.scenarios.run_scenarios`); injectable for tests.

    Attributes
    ----------
    results
        The last run's plans by scenario name (empty before the first run).
    kpis
        The last run's KPI comparison (:func:`luckygas.scenarios.compare_kpis`), or ``None``.
    """

    def __init__(
        self,
        engine: Engine,
        problem: RoutingProblem,
        *,
        selected: Sequence[str] = (BASELINE,),
        time_limit_s: float = 2.0,
        max_workers: int = 2,
        run_fn: Callable[..., dict[str, PlanResult]] | None = None,
    ) -> None:
        from luckygas.db import read_session
        from luckygas.scenarios import PRESETS
        from luckygas.scenarios.store import list_scenarios

        self.engine = engine
        self.problem = problem
        self.max_workers = max_workers
        self._run_fn = run_fn
        self.results: dict[str, PlanResult] = {}
        self.kpis: pd.DataFrame | None = None
        with read_session(engine) as session:
            stored = list(list_scenarios(session)["name"])
        options = list(dict.fromkeys([*PRESETS, *stored]))
        self.picker = W.SelectMultiple(
            options=options,
            value=tuple(n for n in selected if n in options),
            rows=8,
            description="scenarios",
        )
        self.time_limit = W.FloatSlider(
            value=float(time_limit_s),
            min=1,
            max=30,
            step=1,
            description="seconds",
            readout_format=".0f",
        )
        self.run_button = W.Button(description="Run", button_style="primary", icon="play")
        self.status = W.HTML("Pick scenarios and press Run; the baseline is always included.")
        # The runner's progress bar and warnings show here: from a button's callback they
        # would otherwise go to JupyterLab's log console, out of sight.
        self.run_output = W.Output(layout=W.Layout(max_height="160px", overflow="auto"))
        self.table = W.HTML()
        self.run_button.on_click(lambda _: self._guard())
        controls = W.HBox([self.picker, W.VBox([self.time_limit, self.run_button])])
        super().__init__(children=[controls, self.status, self.run_output, self.table])

    def run(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """Run the baseline and ``names`` (default: the picked ones) and show the comparison.

        Parameters
        ----------
        names
            Scenario names (presets or stored); the baseline is added first if missing.

        Returns
        -------
        pandas.DataFrame
            KPIs side by side, one row per scenario, with differences from the baseline.

        Raises
        ------
        LookupError
            For a name that is neither built in nor stored (the message lists both).
        """
        from luckygas.db import read_session
        from luckygas.optimize import SolverParams
        from luckygas.scenarios import compare_kpis, run_scenarios
        from luckygas.scenarios.store import resolve_scenarios

        chosen = list(self.picker.value if names is None else names)
        names = [BASELINE, *[n for n in dict.fromkeys(chosen) if n != BASELINE]]
        with read_session(self.engine) as session:
            scenarios = resolve_scenarios(session, names, self.problem)
        params = SolverParams(time_limit_s=float(self.time_limit.value))
        run = self._run_fn or run_scenarios
        self.status.value = (
            f"Running {len(scenarios)} scenario(s) at {params.time_limit_s:g} s each…"
        )
        self.run_button.disabled = True
        self.run_output.clear_output()
        try:
            with self.run_output:
                self.results = run(self.problem, scenarios, params, max_workers=self.max_workers)
        finally:
            self.run_button.disabled = False
        self.kpis = compare_kpis(self.results, baseline=BASELINE)
        # HTML rather than an Output widget: it shows the same in a live kernel, in tests
        # and in an exported report.
        self.table.value = comparison_html(self.kpis, BASELINE)
        self.status.value = f"Compared {len(self.results)} scenario(s) with the baseline."
        return self.kpis

    def _guard(self) -> None:
        from luckygas.widgets.planning import error_sentence

        try:
            self.run()
        except Exception as exc:  # shown to the analyst instead of lost in the kernel log
            self.status.value = (
                f"<span style='color:#b00'>{html.escape(error_sentence(exc))}</span>"
            )
