"""Running scenarios in parallel gives the same plans as running them one by one."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import pickle

import pandas as pd
import pytest

from luckygas.scenarios import PRESETS, Scenario, run_scenarios, sweep
from luckygas.scenarios import runner as runner_mod
from tests.scenarios.conftest import FAST

NAMES = ("baseline", "one_truck_fewer", "demand_plus_30", "wider_windows")


def _same(a, b) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name].routes, b[name].routes)
        pd.testing.assert_frame_equal(a[name].stops, b[name].stops)
        pd.testing.assert_frame_equal(a[name].unassigned, b[name].unassigned)
        assert a[name].kpis == b[name].kpis
        assert a[name].run.fingerprint == b[name].run.fingerprint


@pytest.fixture(scope="module")
def serial():
    """The four notebook scenarios solved one by one in this process."""
    from tests.scenarios.conftest import make_day

    return run_scenarios(
        make_day(), [PRESETS[n] for n in NAMES], FAST, max_workers=1, progress=False
    )


def test_problem_pickles_intact(day):
    """A day's problem crosses process boundaries unchanged, so workers solve the same day."""
    back = pickle.loads(pickle.dumps(day))
    assert back == day
    assert back.fingerprint() == day.fingerprint()


def test_process_pool_equals_serial(day, serial):
    """The default 2-worker process pool gives exactly the serial plans in deterministic mode."""
    parallel = run_scenarios(day, [PRESETS[n] for n in NAMES], FAST, progress=False)
    assert list(parallel) == list(NAMES)
    _same(serial, parallel)


def test_dask_local_cluster_equals_serial(day, serial):
    """A dask.distributed LocalCluster's executor runs the same scenarios to the same plans."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        results = run_scenarios(
            day, [PRESETS[n] for n in NAMES], FAST, executor=client.get_executor(), progress=False
        )
    _same(serial, results)


def test_scenarios_actually_differ(serial):
    """Sanity: the scenarios change the plan the way they should."""
    assert serial["one_truck_fewer"].kpis["vehicles_available"] == 2
    assert serial["demand_plus_30"].kpis["kg_delivered"] > serial["baseline"].kpis["kg_delivered"]


def test_duplicate_names_and_bad_scenarios_fail_before_solving(day):
    """Repeated names and inapplicable scenarios are refused up front, naming the scenario."""
    with pytest.raises(ValueError, match=r"\['baseline'\] appear more than once"):
        run_scenarios(day, [PRESETS["baseline"], PRESETS["baseline"]], FAST, progress=False)
    with pytest.raises(ValueError, match="Scenario 'ghost'"):
        run_scenarios(day, [Scenario("ghost", remove_vehicle_ids=(42,))], FAST, progress=False)


def test_worker_failure_names_the_scenario(day, monkeypatch):
    """A solve that crashes in a worker is reported with the scenario's name."""

    def boom(problem, params):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(runner_mod, "solve_job", boom)
    with cf.ThreadPoolExecutor(1) as ex, pytest.raises(RuntimeError, match="'baseline' failed"):
        run_scenarios(day, [PRESETS["baseline"]], FAST, executor=ex, progress=False)


def test_fleet_size_sweep(day):
    """A fleet-size sweep gives one row per size; fewer trucks never serve more orders."""
    df = sweep(day, "fleet_size", [2, 3, 4], FAST, max_workers=1, progress=False)
    assert list(df["value"]) == [2, 3, 4]
    assert list(df["vehicles_available"]) == [2, 3, 4]
    assert df["served"].is_monotonic_increasing
    assert {"cost", "distance_km", "vehicles_used", "unassigned"} <= set(df.columns)


def test_sweep_rejects_unknown_settings_and_impossible_sizes(day):
    """An unknown setting or a fleet smaller than the other types is a clear error."""
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        sweep(day, "colour", [1], FAST, max_workers=1, progress=False)
    with pytest.raises(ValueError, match="the smallest fleet size is 2"):
        sweep(day, "fleet_size", [1], FAST, max_workers=1, progress=False)


def test_a_search_without_solution_warns(day, serial, monkeypatch):
    """A search that found nothing in time is flagged, not shown as 'all unserved'."""
    empty = serial["baseline"]
    empty = dataclasses.replace(empty, run=dataclasses.replace(empty.run, solutions=0))
    monkeypatch.setattr(runner_mod, "solve_job", lambda problem, params: empty)
    with (
        cf.ThreadPoolExecutor(1) as ex,
        pytest.warns(RuntimeWarning, match="'baseline': the solver found no plan within 2 s"),
    ):
        run_scenarios(day, [PRESETS["baseline"]], FAST, executor=ex, progress=False)
