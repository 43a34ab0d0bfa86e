"""The what-if notebook's scenario picker: its Run button drives real scenario solves."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from luckygas.optimize import SolverParams
from luckygas.scenarios import PRESETS, run_scenarios
from luckygas.widgets import ScenarioPanel, fleet_sizes_around, order_diffs, scenario_table
from tests.scenarios.conftest import make_day


def _quick_run(problem, scenarios, params, *, max_workers):
    """The real runner, serial and deterministic (fast and repeatable)."""
    params = params.replace(deterministic=True, solution_limit=40)
    return run_scenarios(problem, scenarios, params, max_workers=1, progress=False)


@pytest.fixture
def panel(db_engine) -> ScenarioPanel:
    """A panel on the hand-checkable day with an empty scenario store."""
    return ScenarioPanel(
        db_engine, make_day(), selected=["baseline", "one_truck_fewer"], run_fn=_quick_run
    )


def test_panel_lists_the_presets_and_preselects_the_notebook_choice(panel):
    """Every built-in scenario can be picked; the notebook's own selection starts ticked."""
    assert set(PRESETS) <= set(panel.picker.options)
    assert panel.picker.value == ("baseline", "one_truck_fewer")


def test_run_compares_with_the_baseline_even_if_not_picked(panel):
    """Running only 'wider_windows' still solves the baseline first and shows the deltas."""
    kpis = panel.run(["wider_windows"])
    assert list(kpis.index) == ["baseline", "wider_windows"]
    assert "Δ cost" in kpis.columns and kpis.loc["baseline", "Δ cost"] == 0
    assert set(panel.results) == {"baseline", "wider_windows"}
    assert "wider_windows" in panel.table.value  # the comparison is shown under the picker
    assert "Compared 2" in panel.status.value


def test_run_button_uses_the_picked_scenarios(panel):
    """Pressing Run solves what is ticked in the picker."""
    panel.run_button.click()
    assert list(panel.kpis.index) == ["baseline", "one_truck_fewer"]
    assert panel.results["one_truck_fewer"].kpis["vehicles_available"] == 2


def test_a_failing_run_is_shown_in_the_status_line(panel):
    """An error in the run is shown to the analyst (escaped), not lost in the kernel log."""

    def boom(*args, **kwargs):
        raise RuntimeError("<solver> exploded")

    panel._run_fn = boom
    panel.run_button.click()
    assert "&lt;solver&gt; exploded." in panel.status.value
    assert "RuntimeError" not in panel.status.value  # one sentence, no exception name
    assert not panel.run_button.disabled


def test_unknown_scenario_names_are_refused(panel):
    """A name that is neither a preset nor stored is a clear error naming it."""
    with pytest.raises(LookupError, match=r"Unknown scenario\(s\) \['nope'\]"):
        panel.run(["nope"])


def test_helper_tables_for_the_notebook():
    """Scenario table, order diffs and sweep sizes are ready-made for the what-if notebook."""
    day = make_day()
    table = scenario_table([PRESETS["baseline"], PRESETS["one_truck_fewer"]])
    assert list(table["scenario"]) == ["baseline", "one_truck_fewer"]
    assert fleet_sizes_around(day) == [2, 3, 4]  # 3 vehicles of 3 types: never below 1 + 1
    pair = [PRESETS["baseline"], PRESETS["one_truck_fewer"]]
    results = _quick_run(day, pair, SolverParams(time_limit_s=2), max_workers=1)
    diffs = order_diffs(results, "baseline")
    assert list(diffs) == ["one_truck_fewer"] and isinstance(diffs["one_truck_fewer"], pd.DataFrame)
    with pytest.raises(KeyError, match="baseline scenario 'base'"):
        order_diffs(results, "base")


def test_run_button_is_disabled_while_the_scenarios_run(panel):
    """A second click cannot start a second run; the button is back afterwards."""
    seen = []

    def recording(problem, scenarios, params, *, max_workers):
        seen.append(panel.run_button.disabled)
        return _quick_run(problem, scenarios, params, max_workers=max_workers)

    panel._run_fn = recording
    panel.run_button.click()
    assert seen == [True] and not panel.run_button.disabled


def test_progress_shows_inside_the_panel(panel):
    """The runner's progress bar and warnings go to an output area in the panel itself."""
    assert panel.run_output in panel.children


def test_comparison_puts_served_orders_first_and_colours_the_verdict():
    """Dropping orders to save route cost reads 'worse' (red), with served orders on top."""
    from luckygas.charts import VERDICT_COLOURS
    from luckygas.widgets.scenarios import comparison_html

    base = {"served": 230, "unassigned": 2, "cost": 20_206.0, "unserved_penalty": 20_000.0}
    fewer = {"served": 218, "unassigned": 14, "cost": 18_206.0, "unserved_penalty": 140_000.0}
    kpis = pd.DataFrame([base, fewer], index=["baseline", "one_truck_fewer"])
    kpis["cost_incl_unserved"] = kpis["cost"] + kpis["unserved_penalty"]
    deltas = (kpis - kpis.loc["baseline"]).add_prefix("Δ ")
    table = comparison_html(pd.concat([kpis, deltas], axis=1))
    rows = re.findall(r"<tr><th[^>]*>([^<]*)</th>", table.split("<tbody>")[1])
    assert rows[:4] == ["verdict", "served orders", "unserved orders", "route cost (TWD)"]
    assert f"color:{VERDICT_COLOURS['worse']}'>worse<" in table
    assert "green" not in table and VERDICT_COLOURS["better"] not in table


def test_the_panel_shows_the_verdict_first(panel):
    """After a run the comparison's first row is the verdict against the baseline."""
    panel.run(["wider_windows"])
    body = panel.table.value.split("<tbody>")[1]
    assert re.findall(r"<tr><th[^>]*>([^<]*)</th>", body)[0] == "verdict"
