"""Validation of the input dataclasses and the travel matrices."""

from __future__ import annotations

import pandas as pd
import pytest

from luckygas.domain import VehicleType
from luckygas.optimize import (
    HaversineMatrix,
    Location,
    RoutingProblem,
    ServiceTime,
    SolverParams,
    UserMatrix,
)
from luckygas.optimize import matrix as matrix_mod
from tests.optimize.helpers import DATE, DEPOT, order, vehicle


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"windows": ((9 * 3600, 8 * 3600),)}, "Order 1: windows entry"),
        ({"demand": {20: -1}}, r"Order 1: demand\[20\]"),
        ({"demand": {21: 1}}, "unknown size class 21"),
        ({"demand": {20: 0}}, "at least one cylinder"),
        ({"windows": ((8 * 3600, 10 * 3600), (9 * 3600, 11 * 3600))}, "overlap"),
        ({"service_s": -5}, "service_s"),
    ],
)
def test_order_validation_names_field_and_id(kwargs: dict, match: str) -> None:
    """Bad order fields raise ValueError naming the field and the order id."""
    with pytest.raises(ValueError, match=match):
        order(1, **kwargs)


def test_vehicle_validation() -> None:
    """Shift end before start and a break window shorter than the break are rejected."""
    with pytest.raises(ValueError, match="Vehicle 3: shift_start_s"):
        vehicle(3, shift_start_s=10 * 3600, shift_end_s=9 * 3600)
    with pytest.raises(ValueError, match="Vehicle 3: break window"):
        vehicle(
            3,
            break_start_earliest_s=12 * 3600,
            break_end_latest_s=12 * 3600 + 600,
            break_duration_s=3600,
        )


def test_problem_validation() -> None:
    """Duplicate order ids and pins to unknown vehicles are rejected."""
    with pytest.raises(ValueError, match="duplicate id 1"):
        RoutingProblem(DATE, DEPOT, [order(1), order(1)], [vehicle(1)])
    with pytest.raises(ValueError, match="order 2 pinned_vehicle_id 9"):
        RoutingProblem(DATE, DEPOT, [order(2, pinned_vehicle_id=9)], [vehicle(1)])
    with pytest.raises(ValueError, match="expected time_limit_s > 0"):
        SolverParams(time_limit_s=0)


def test_location_range() -> None:
    """Latitude outside [-90, 90] is rejected."""
    with pytest.raises(ValueError, match="lat"):
        Location(123.0, 121.0)


def test_service_time_override() -> None:
    """Order.service_s overrides the computed service time."""
    assert ServiceTime().of(order(1, service_s=42)) == 42
    assert ServiceTime().of(order(1, demand={4: 2})) == 300 + 120


def test_haversine_motorcycle_slower_on_open_road_but_no_parking() -> None:
    """Motorcycles are slower on a long rural trip, but skip the downtown parking overhead."""
    m = HaversineMatrix()
    rural = order(1, location=Location(23.09, 121.37))  # Chenggong, ~45 km
    downtown = order(2, location=Location(22.758, 121.148))  # inside zone A
    md = m.build(DEPOT, [rural, downtown])
    assert md.duration_s[VehicleType.MOTORCYCLE][0, 1] > md.duration_s[VehicleType.CAR][0, 1]
    car_extra = md.duration_s[VehicleType.CAR][0, 2]
    assert md.duration_s[VehicleType.CAR][2, 0] + m.parking_s[VehicleType.CAR] >= car_extra
    assert md.distance_m.dtype.kind == "i" and md.duration_s[VehicleType.CAR].dtype.kind == "i"


def test_matrix_cache_hits_on_same_points() -> None:
    """A second build for the same points and parameters is served from the cache."""
    matrix_mod.clear_cache()
    m = HaversineMatrix()
    a = m.build(DEPOT, [order(1), order(2)])
    b = HaversineMatrix().build(DEPOT, [order(1), order(2)])
    assert a is b and matrix_mod.cache_info() == {"hits": 1, "misses": 1, "size": 1}
    HaversineMatrix(road_factor=1.5).build(DEPOT, [order(1), order(2)])
    assert matrix_mod.cache_info()["misses"] == 2


def test_user_matrix_from_frame_and_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A complete long-format frame round-trips through CSV and selects rows by customer id."""
    ids = [0, 5, 7]
    df = pd.DataFrame(
        [(a, b, 100 * abs(a - b), 10 * abs(a - b)) for a in ids for b in ids],
        columns=["from_id", "to_id", "distance_m", "duration_s"],
    )
    path = tmp_path / "m.csv"
    df.to_csv(path, index=False)
    um = UserMatrix.from_csv(path)
    md = um.build(DEPOT, [order(1, km=7)])
    assert int(md.distance_m[0, 1]) == 700 and int(md.duration_s[VehicleType.CAR][1, 0]) == 70


def test_user_matrix_missing_pair_is_named() -> None:
    """A missing (from, to) pair is reported by id."""
    df = pd.DataFrame([(0, 1, 10, 1)], columns=["from_id", "to_id", "distance_m", "duration_s"])
    with pytest.raises(ValueError, match=r"missing pair\(s\), e.g. \[\(1, 0\)\]"):
        UserMatrix.from_frame(df)


def test_user_matrix_errors() -> None:
    """Wrong shape, negative values, missing columns and unknown ids raise ValueError."""
    with pytest.raises(ValueError, match="2x2"):
        UserMatrix.from_arrays([0, 1], [[0, 1]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="non-negative"):
        UserMatrix.from_arrays([0, 1], [[0, -1], [1, 0]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="missing column"):
        UserMatrix.from_frame(pd.DataFrame({"from_id": [0]}))
    um = UserMatrix.from_arrays([0, 1], [[0, 1], [1, 0]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"no rows for id\(s\) \[4\]"):
        um.build(DEPOT, [order(1, km=4)])


def test_unknown_strategy_names_fail_when_the_parameters_are_built() -> None:
    """A typo in a strategy name is caught at construction, with the accepted names."""
    import pytest

    from luckygas.optimize import SolverParams

    with pytest.raises(ValueError, match=r"unknown first_solution 'CHEAPEST'.*PATH_CHEAPEST_ARC"):
        SolverParams().replace(first_solution="CHEAPEST")
    with pytest.raises(ValueError, match=r"unknown metaheuristic 'GLS'.*GUIDED_LOCAL_SEARCH"):
        SolverParams().replace(metaheuristic="GLS")


def test_accepted_strategy_names_are_or_tools_own() -> None:
    """The names kept in problem.py are exactly OR-Tools' (so every accepted name runs)."""
    from ortools.constraint_solver import routing_enums_pb2 as enums

    from luckygas.optimize.params import FIRST_SOLUTION_STRATEGIES, METAHEURISTICS

    first = set(enums.FirstSolutionStrategy.Value.keys()) - {"UNSET", "EVALUATOR_STRATEGY"}
    meta = set(enums.LocalSearchMetaheuristic.Value.keys()) - {"UNSET"}
    assert set(FIRST_SOLUTION_STRATEGIES) - {"auto"} == first
    assert set(METAHEURISTICS) == meta


def test_solver_parameters_load_from_toml_and_json(tmp_path) -> None:
    """A parameter file, grouped or flat, gives the same parameters as written in Python."""
    import pytest

    from luckygas.optimize import SolverParams

    toml = tmp_path / "p.toml"
    toml.write_text("time_limit_s = 30\n[search]\nseed = 7\n[cost]\nbalance_weight = 100.0\n")
    json_file = tmp_path / "p.json"
    json_file.write_text('{"time_limit_s": 30, "seed": 7, "balance_weight": 100.0}')
    want = SolverParams(time_limit_s=30).replace(seed=7, balance_weight=100.0)
    assert SolverParams.from_file(toml) == want == SolverParams.from_file(json_file)
    assert SolverParams.from_dict(want.to_dict()) == want
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['seeed'\]"):
        SolverParams.from_dict({"seeed": 7})
