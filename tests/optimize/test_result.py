"""Result object, determinism, progress reporting and a property test over random days."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from luckygas.domain import Priority, VehicleRequirement, VehicleType
from luckygas.optimize import PlanResult, check_plan, solve
from tests.optimize.helpers import FAST, H, order, problem, solve_checked, vehicle


def _day():  # type: ignore[no-untyped-def]
    orders = [
        order(
            i,
            demand={20: 1 + i % 2, 50: int(i % 3 == 0)},
            windows=((8 * H, 12 * H), (13 * H, 18 * H)) if i % 2 else ((9 * H, 17 * H),),
        )
        for i in range(1, 11)
    ]
    vs = [
        vehicle(1, break_start_earliest_s=11 * H, break_end_latest_s=14 * H, break_duration_s=1800),
        vehicle(2, VehicleType.CAR, max_stops=4),
        vehicle(3, VehicleType.MOTORCYCLE),
    ]
    return problem(orders, vs)


def test_deterministic_mode_gives_same_plan_twice() -> None:
    """Two deterministic runs on the same input give identical stops and objective."""
    p = _day()
    a, b = solve_checked(p), solve_checked(p)
    pd.testing.assert_frame_equal(a.stops, b.stops)
    assert a.run.objective == b.run.objective and a.run.fingerprint == b.run.fingerprint


def test_to_dict_from_dict_round_trip() -> None:
    """A plan survives JSON and comes back equal (frames, KPIs, run record)."""
    res = solve_checked(_day())
    back = PlanResult.from_dict(json.loads(json.dumps(res.to_dict())))
    pd.testing.assert_frame_equal(back.routes, res.routes)
    pd.testing.assert_frame_equal(back.stops, res.stops)
    pd.testing.assert_frame_equal(back.unassigned, res.unassigned)
    assert back.kpis == res.kpis and back.run == res.run
    assert check_plan(_day(), back) == []


def test_result_columns_and_kpis() -> None:
    """Frames carry the documented columns and the KPIs add up."""
    res = solve_checked(_day())
    for col in ("load_20kg", "break_start_s", "utilisation_kg", "cost"):
        assert col in res.routes.columns
    for col in ("load_after_50kg", "empties_4kg", "window_start_s", "travel_from_prev_s"):
        assert col in res.stops.columns
    k = res.kpis
    assert k["served"] + k["unassigned"] == k["orders"] == 10
    assert k["kg_delivered"] == int(res.routes["load_kg"].sum())
    assert res.stops.groupby("vehicle_id")["load_after_20kg"].min().eq(0).all()
    assert "orders served" in res.summary()
    assert res.run.solver.startswith("ortools 9.15")


def test_progress_callback_called_at_start_and_end() -> None:
    """progress gets (elapsed, None) first and (elapsed, final objective in TWD) last."""
    calls: list[tuple[float, float | None]] = []
    res = solve(_day(), FAST, progress=lambda t, c: calls.append((t, c)))
    assert calls[0][1] is None and len(calls) >= 3
    assert calls[-1][1] == res.kpis["objective"] == res.run.objective / 100


def test_checker_catches_a_broken_plan() -> None:
    """Tampering with a served stop's time or a route's load is reported."""
    p = _day()
    res = solve_checked(p)
    res.stops.loc[res.stops.index[0], "start_s"] = 3 * H
    codes = {v.code for v in check_plan(p, res)}
    assert "WINDOW" in codes or "TIME_TRAVEL" in codes
    res2 = solve_checked(p)
    res2.unassigned = res2.unassigned.iloc[0:0]
    assert {v.code for v in check_plan(p, res2)} <= {"MISSING_ORDER"}


sizes = st.sampled_from([4, 10, 16, 20, 50])


@st.composite
def days(draw):  # type: ignore[no-untyped-def]
    """Random small days on the line world: mixed requirements, windows, priorities, fleet."""
    n = draw(st.integers(0, 7))
    orders = []
    for i in range(1, n + 1):
        kg = draw(sizes)
        start = draw(st.integers(6, 17)) * H
        w = ((start, start + draw(st.integers(1, 4)) * H),)
        if draw(st.booleans()) and start + 6 * H < 22 * H:
            w = (*w, (start + 5 * H, start + 6 * H))
        orders.append(
            order(
                i,
                km=draw(st.integers(1, 12)),
                demand={kg: draw(st.integers(1, 3))},
                windows=w,
                requirement=draw(st.sampled_from(list(VehicleRequirement))),
                priority=draw(st.sampled_from(list(Priority))),
                optional=draw(st.booleans()),
                closed_reason=draw(st.sampled_from([None, None, None, "rest day (Sun)"])),
            )
        )
    vs = []
    for v in range(1, draw(st.integers(0, 3)) + 1):
        vt = draw(st.sampled_from(list(VehicleType)))
        brk = draw(st.booleans())
        vs.append(
            vehicle(
                v,
                vt,
                max_kg=draw(st.integers(20, 200)),
                max_stops=draw(st.sampled_from([None, 1, 3])),
                max_route_s=draw(st.sampled_from([None, 2 * H, 6 * H])),
                shift_start_s=draw(st.sampled_from([7 * H, 8 * H])),
                shift_end_s=draw(st.sampled_from([17 * H, 20 * H])),
                break_start_earliest_s=12 * H if brk else None,
                break_end_latest_s=14 * H if brk else None,
                break_duration_s=1800 if brk else 0,
                fixed_cost=draw(st.sampled_from([0, 500])),
            )
        )
    return problem(orders, vs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_random_days_pass_the_checker(p) -> None:  # type: ignore[no-untyped-def]
    """On random small days every plan passes check_plan and accounts for every order."""
    res = solve_checked(p)
    assert res.kpis["served"] + res.kpis["unassigned"] == len(p.orders)


def test_checker_finds_a_break_laid_over_a_service() -> None:
    """The driver's break moved onto a stop's service is an overlap; in a long gap it is fine."""
    p = problem(
        [order(1, windows=((11 * H, 12 * H),)), order(2, km=3, windows=((13 * H, 14 * H),))],
        [vehicle(1, break_start_earliest_s=11 * H, break_end_latest_s=14 * H, break_duration_s=H)],
    )
    res = solve_checked(p)
    first = res.stops.sort_values("sequence").iloc[0]
    on_service = dataclasses.replace(res, routes=res.routes.copy())
    on_service.routes["break_start_s"] = on_service.routes["break_start_s"].astype("Int64")
    on_service.routes.loc[on_service.routes.index[0], "break_start_s"] = int(first["start_s"])
    assert "BREAK_OVERLAP" in {v.code for v in check_plan(p, on_service)}


def test_a_plan_on_great_circles_has_no_road_lines() -> None:
    """Without imported roads there is no road geometry: maps draw straight lines."""
    from tests.optimize.helpers import order, problem, solve_checked, vehicle

    res = solve_checked(problem([order(1), order(2)], [vehicle(1)]))
    assert res.paths == {} and res.to_dict()["paths"] == []
