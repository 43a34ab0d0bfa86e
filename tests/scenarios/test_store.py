"""Scenarios are stored by name with their author, and scenario runs become draft plans."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.bridge.adapter import build_problem
from luckygas.bridge.persist import PlanSaveError, load_plan
from luckygas.scenarios import AddVehicles, Scenario, run_scenarios
from luckygas.scenarios.store import (
    delete_scenario,
    latest_scenario_plans,
    list_scenarios,
    load_scenario,
    resolve_scenarios,
    save_scenario,
    save_scenario_result,
)
from tests.scenarios.conftest import DB_DAY, FAST


def test_save_and_load_round_trip(db_session):
    """A saved scenario loads back equal, with who created it."""
    sc = Scenario("cold snap", "demand up", demand_multiplier=1.3, window_widen_min=30)
    row = save_scenario(db_session, sc)
    assert row.created_by == "tester"
    assert row.changes == {"demand_multiplier": 1.3, "window_widen_min": 30}
    assert load_scenario(db_session, "cold snap") == sc
    listed = list_scenarios(db_session)
    assert listed.loc[0, "changes"] == (
        "Every order × 1.3; time windows widened by 30 min on each side."
    )


def test_duplicate_names_need_replace(db_session):
    """Saving over an existing name is refused unless asked, then it replaces the changes."""
    save_scenario(db_session, Scenario("s", speed_factor=0.8))
    with pytest.raises(ValueError, match="already exists"):
        save_scenario(db_session, Scenario("s", speed_factor=0.7))
    save_scenario(db_session, Scenario("s", speed_factor=0.7), replace=True)
    assert load_scenario(db_session, "s").speed_factor == 0.7
    delete_scenario(db_session, "s")
    with pytest.raises(LookupError, match="No scenario named 's'; stored: none"):
        load_scenario(db_session, "s")


def test_resolve_prefers_stored_then_presets(db_session):
    """Names resolve to stored scenarios first, then built-ins; unknown names are all listed."""
    save_scenario(db_session, Scenario("demand_plus_30", demand_multiplier=1.5))
    found = resolve_scenarios(db_session, ["baseline", "demand_plus_30"])
    assert [s.demand_multiplier for s in found] == [1.0, 1.5]
    with pytest.raises(LookupError, match=r"Unknown scenario\(s\) \['x', 'y'\]"):
        resolve_scenarios(db_session, ["x", "baseline", "y"])


def test_scenario_run_is_saved_as_linked_draft(db_day):
    """A scenario's result is saved as a draft plan linked to the scenario, with its run record."""
    with Session(db_day) as s:
        s.info["user"] = "tester"
        problem = build_problem(s, DB_DAY)
        sc = Scenario("no moto", remove_vehicle_ids=(2,))
        res = run_scenarios(problem, [sc], FAST, max_workers=1, progress=False)["no moto"]
        plan = save_scenario_result(s, sc.apply(problem), sc, res)
        s.commit()
        assert plan.name == "scenario no moto" and plan.scenario_id is not None
        assert plan.run["fingerprint"] == res.run.fingerprint
        assert load_plan(s, plan.id).kpis == res.kpis
        assert s.scalar(select(m.Scenario.created_by)) == "tester"
        latest = latest_scenario_plans(s, DB_DAY)
        assert latest.to_dict("records")[0] | {"created_at": None} == {
            "scenario": "no moto",
            "plan_id": plan.id,
            "created_at": None,
        }


def test_result_with_an_added_vehicle_is_not_saved(db_day):
    """A result using a vehicle that exists only in the scenario is refused; nothing is written."""
    with Session(db_day) as s:
        s.info["user"] = "tester"
        problem = build_problem(s, DB_DAY)
        sc = Scenario(
            "big fleet", remove_vehicle_ids=(1,), add_vehicles=(AddVehicles("light_truck", 1),)
        )
        res = run_scenarios(problem, [sc], FAST, max_workers=1, progress=False)["big fleet"]
        with pytest.raises(PlanSaveError, match=r"'big fleet'.*compared but not saved"):
            save_scenario_result(s, sc.apply(problem), sc, res)
        assert s.scalar(select(m.Scenario.id)) is None
        assert s.scalar(select(m.Plan.id)) is None
