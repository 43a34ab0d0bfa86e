"""Each scenario change is applied correctly, purely, and survives a JSON round trip."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from luckygas.domain import VehicleType
from luckygas.optimize.matrix import UserMatrix
from luckygas.optimize.params import SolverParams
from luckygas.optimize.problem import Location, Order, Vehicle
from luckygas.scenarios import PRESETS, AddVehicles, Scenario, preset, scale_demand, widen_windows
from tests.scenarios.conftest import H, make_day


def test_apply_is_pure(day):
    """Applying a scenario returns a new problem and leaves the baseline untouched."""
    before = day.fingerprint()
    sc = Scenario(
        "all",
        remove_vehicle_ids=(1,),
        demand_multiplier=1.3,
        window_widen_min=30,
        speed_factor=0.8,
        service_time_factor=1.5,
        shift_start_min=9 * 60,
    )
    new = sc.apply(day)
    assert new is not day
    assert day.fingerprint() == before
    assert len(day.vehicles) == 3
    assert sc.apply(day) == new  # same input, same output


def test_baseline_changes_nothing(day):
    """The baseline preset gives an equal problem."""
    assert PRESETS["baseline"].is_baseline
    assert PRESETS["baseline"].apply(day) == day


def test_remove_vehicle_by_id_and_name(day):
    """Removing a vehicle leaves one fewer, by id or by name."""
    assert [v.id for v in Scenario("a", remove_vehicle_ids=(2,)).apply(day).vehicles] == [1, 3]
    assert [v.id for v in Scenario("b", remove_vehicle_names=("Moto 1",)).apply(day).vehicles] == [
        1,
        2,
    ]


def test_remove_unknown_vehicle_is_a_clear_error(day):
    """A vehicle not in today's fleet is named in the error, with the scenario."""
    with pytest.raises(ValueError, match=r"'x'.*vehicle id 99 is not in today's fleet"):
        Scenario("x", remove_vehicle_ids=(99,)).apply(day)
    with pytest.raises(ValueError, match="no vehicle named 'Ghost'"):
        Scenario("x", remove_vehicle_names=("Ghost",)).apply(day)


def test_remove_by_type_takes_the_last_ones(day):
    """remove_vehicle_types drops N of a type, and refuses to drop more than exist."""
    extra = dataclasses.replace(
        day, vehicles=(*day.vehicles, dataclasses.replace(day.vehicles[0], id=7))
    )
    new = Scenario("t", remove_vehicle_types={"light_truck": 1}).apply(extra)
    assert [v.id for v in new.vehicles] == [1, 2, 3]
    with pytest.raises(ValueError, match="cannot remove 2 motorcycle"):
        Scenario("t", remove_vehicle_types={VehicleType.MOTORCYCLE: 2}).apply(day)


def test_vehicle_counts_clone_the_first_of_the_type(day):
    """Setting 3 motorcycles clones Moto 1 twice with fresh ids; setting 0 removes it."""
    new = Scenario("m", vehicle_counts={"motorcycle": 3}).apply(day)
    motos = [v for v in new.vehicles if v.type == VehicleType.MOTORCYCLE]
    assert [v.id for v in motos] == [3, 4, 5]
    assert [v.name for v in motos] == ["Moto 1", "Moto 1 +1", "Moto 1 +2"]
    assert motos[2].capacity == day.vehicles[2].capacity and motos[2].max_kg == 120
    none = Scenario("n", vehicle_counts={"motorcycle": 0}).apply(day)
    assert [v.id for v in none.vehicles] == [1, 2]


def test_add_vehicles_with_template_or_default(day):
    """Added vehicles copy the given template, else a built-in one when the type is absent."""
    tpl = Vehicle(0, "Rental car", VehicleType.CAR, {20: 5}, max_kg=100, fixed_cost=50.0)
    no_car = Scenario("x", remove_vehicle_ids=(2,)).apply(day)
    new = Scenario("a", add_vehicles=(AddVehicles(VehicleType.CAR, 2, tpl),)).apply(no_car)
    added = new.vehicles[-2:]
    assert [v.id for v in added] == [4, 5]
    assert all(v.max_kg == 100 and v.fixed_cost == 50.0 and v.capacity[20] == 5 for v in added)
    no_moto = Scenario("y", remove_vehicle_ids=(3,)).apply(day)
    new = Scenario("b", add_vehicles=(AddVehicles("motorcycle"),)).apply(no_moto)
    assert new.vehicles[-1].type == VehicleType.MOTORCYCLE
    assert new.vehicles[-1].capacity[50] == 0
    with pytest.raises(ValueError, match="template is a car, expected a motorcycle"):
        AddVehicles(VehicleType.MOTORCYCLE, 1, tpl)


@pytest.mark.parametrize(
    ("demand", "m", "expected"),
    [
        ({20: 2}, 1.3, {20: 3}),  # 2.6 -> 3
        ({4: 5}, 1.3, {4: 7}),  # 6.5 -> 7
        ({10: 3, 50: 1}, 1.3, {10: 4, 50: 2}),  # 3.9 -> 4; 1.3 -> 2 (per size, never below)
        ({20: 10}, 1.1, {20: 11}),  # exact decimal: not 11.000000000000002 -> 12
        ({20: 10}, 1.0, {20: 10}),
        ({20: 4, 16: 1}, 0.5, {20: 2, 16: 1}),  # shrinking keeps at least one cylinder
    ],
)
def test_demand_rounds_up_per_size(demand, m, expected):
    """Demand × m rounds up per size class; untouched sizes stay zero."""
    out = scale_demand({kg: demand.get(kg, 0) for kg in (50, 20, 16, 10, 4)}, m)
    assert {kg: n for kg, n in out.items() if n} == expected


def test_demand_multiplier_on_the_day(day):
    """demand_multiplier=1.3 on the day: 2×20 kg becomes 3, 5×4 kg becomes 7, empties unchanged."""
    new = Scenario("d", demand_multiplier=1.3).apply(day).orders_by_id
    assert new[101].demand[20] == 3 and new[106].demand[4] == 7 and new[104].demand[50] == 2
    assert all(
        new[o.id].demand[kg] >= o.demand[kg] for o in day.orders for kg in (50, 20, 16, 10, 4)
    )


@pytest.mark.parametrize(
    ("windows", "minutes", "expected"),
    [
        (((8 * H, 20 * H),), 30, ((7 * H + 1800, 20 * H + 1800),)),
        (((600, H),), 30, ((0, H + 1800),)),  # clipped at midnight
        (((23 * H, 23 * H + 3000),), 30, ((22 * H + 1800, 24 * H),)),  # clipped at 24:00
        (
            ((8 * H, 10 * H), (10 * H + 1800, 12 * H)),
            30,
            ((7 * H + 1800, 12 * H + 1800),),
        ),  # merged
        (((9 * H, 11 * H),), -30, ((9 * H + 1800, 10 * H + 1800),)),
        (((9 * H, 11 * H),), -60, ((10 * H - 450, 10 * H + 450),)),  # stops at 15 min, centred
        (((9 * H, 9 * H + 600),), -30, ((9 * H, 9 * H + 600),)),  # already shorter: unchanged
    ],
)
def test_windows_widen_and_narrow(windows, minutes, expected):
    """Windows move by N min on both sides, clipped to the day, merged, never below 15 min."""
    assert widen_windows(windows, minutes) == expected


def test_wider_windows_on_the_day(day):
    """The wider_windows preset widens every order's windows by 30 min on both sides."""
    new = PRESETS["wider_windows"].apply(day).orders_by_id
    assert new[102].windows == ((9 * H - 1800, 11 * H + 1800),)
    assert new[105].windows == ((8 * H - 1800, 10 * H + 1800), (14 * H - 1800, 16 * H + 1800))


def test_shift_and_break_overrides(day):
    """Shift start/length and the break apply to every vehicle; 0 min removes breaks."""
    new = Scenario("s", shift_start_min=9 * 60, shift_length_min=6 * 60).apply(day)
    assert {(v.shift_start_s, v.shift_end_s) for v in new.vehicles} == {(9 * H, 15 * H)}
    new = Scenario(
        "b", break_earliest_min=11 * 60, break_latest_min=13 * 60, break_duration_min=45
    ).apply(day)
    assert {
        (v.break_start_earliest_s, v.break_end_latest_s, v.break_duration_s) for v in new.vehicles
    } == {(11 * H, 13 * H, 2700)}
    assert not any(v.has_break for v in Scenario("n", break_duration_min=0).apply(day).vehicles)


def test_break_without_window_is_a_clear_error(day):
    """Giving only a break duration to a vehicle with no break window names the vehicle."""
    with pytest.raises(ValueError, match=r"vehicle 1 \(Truck 1\) has no break window"):
        Scenario("b", break_duration_min=30).apply(day)
    with pytest.raises(ValueError, match="break window is shorter"):
        Scenario("b", break_duration_min=180).apply(
            Scenario("r", remove_vehicle_ids=(1, 3)).apply(day)
        )


def test_speed_and_service_time_scale(day):
    """Speed factors multiply; service time scales base, per-cylinder and per-order times."""
    slow = dataclasses.replace(day.vehicles[0], speed_factor=1.25)
    prob = dataclasses.replace(
        day,
        vehicles=(slow, *day.vehicles[1:]),
        orders=(dataclasses.replace(day.orders[0], service_s=600), *day.orders[1:]),
    )
    new = Scenario("r", speed_factor=0.8, service_time_factor=1.5).apply(prob)
    assert [v.speed_factor for v in new.vehicles] == [1.0, 0.8, 0.8]
    assert new.service_time.base_s == 450 and new.service_time.per_cylinder_s[50] == 450
    assert new.orders_by_id[101].service_s == 900


def test_depot_location_moves_only_with_straight_line_matrix(day):
    """A moved depot changes the depot location; a user matrix refuses it by name."""
    new = Scenario("d", depot_location=(22.76, 121.14)).apply(day)
    assert new.depot.location == Location(22.76, 121.14)
    ones = np.ones((6, 6)) - np.eye(6)
    um = UserMatrix.from_arrays(range(1, 7), ones, ones)
    with pytest.raises(ValueError, match="straight-line matrix"):
        Scenario("d", depot_location=(22.76, 121.14)).apply(dataclasses.replace(day, matrix=um))


def test_extra_orders_and_id_clash(day):
    """Extra orders are added (and scaled with the day); a clashing id is refused."""
    extra = Order(900, 9, "new", Location(22.76, 121.13), {20: 2})
    new = Scenario("e", extra_orders=(extra,), demand_multiplier=1.3).apply(day)
    assert new.orders[-1].id == 900 and new.orders[-1].demand[20] == 3
    with pytest.raises(ValueError, match=r"order id\(s\) \[101\] already exist"):
        Scenario("e", extra_orders=(dataclasses.replace(extra, id=101),)).apply(day)


def test_removing_a_pinned_vehicle_unpins_its_orders(day):
    """An order pinned to a vehicle in the workshop is unpinned, not a crash."""
    pinned = dataclasses.replace(
        day, orders=(dataclasses.replace(day.orders[0], pinned_vehicle_id=1), *day.orders[1:])
    )
    new = Scenario("w", remove_vehicle_ids=(1,)).apply(pinned)
    assert new.orders_by_id[101].pinned_vehicle_id is None


def test_solver_overrides(day):
    """Solver overrides replace fields of the base params; unknown settings are refused."""
    base = SolverParams(time_limit_s=3.0).replace(seed=4)
    p = Scenario("s", solver={"time_limit_s": 5, "balance_weight": 10.0}).params(base)
    assert (p.time_limit_s, p.cost.balance_weight, p.search.seed) == (5, 10.0, 4)
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['speed'\]"):
        Scenario("s", solver={"speed": 1})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"demand_multiplier": 0}, "demand_multiplier must be a number in"),
        ({"speed_factor": -1.0}, "speed_factor must be a number in"),
        ({"remove_vehicle_types": {"bus": 1}}, "unknown vehicle type 'bus'"),
        ({"shift_end_min": 900, "shift_length_min": 300}, "not both"),
        ({"shift_start_min": 600, "shift_end_min": 500}, "shift_start_min must be < shift_end_min"),
        ({"shift_start_min": 2000}, "shift_start_min must be an int"),
        ({"depot_location": (95.0, 121.0)}, "lat must be in"),
        ({"vehicle_counts": {"car": 1}, "remove_vehicle_types": {"car": 1}}, "use one"),
    ],
)
def test_invalid_scenarios_are_refused(kwargs, message):
    """Bad settings fail at construction with a message naming the field."""
    with pytest.raises(ValueError, match=message):
        Scenario("bad", **kwargs)


def test_changes_json_round_trip():
    """to_changes() is JSON-safe, lists only what changes, and from_changes() restores it."""
    tpl = Vehicle(0, "Rental", VehicleType.CAR, {20: 5}, max_kg=100)
    sc = Scenario(
        "full",
        "everything",
        remove_vehicle_ids=(1,),
        remove_vehicle_names=("Moto 1",),
        vehicle_counts={"car": 2},
        add_vehicles=(AddVehicles("car", 1, tpl),),
        demand_multiplier=1.3,
        window_widen_min=-15,
        shift_start_min=540,
        shift_length_min=480,
        break_earliest_min=700,
        break_latest_min=800,
        break_duration_min=30,
        speed_factor=0.8,
        service_time_factor=1.2,
        depot_location=(22.7, 121.1),
        extra_orders=(Order(900, 9, "x", Location(22.7, 121.1), {20: 1}, windows=((3600, 7200),)),),
        solver={"time_limit_s": 3.0},
    )
    changes = json.loads(json.dumps(sc.to_changes()))
    assert Scenario.from_changes("full", changes, "everything") == sc
    assert Scenario("d", demand_multiplier=1.3).to_changes() == {"demand_multiplier": 1.3}
    with pytest.raises(ValueError, match=r"unknown change\(s\) \['fleet'\]"):
        Scenario.from_changes("x", {"fleet": 3})


def test_one_truck_fewer_falls_back_to_the_common_type():
    """Without a light truck, one_truck_fewer removes a car (the most common 4-wheeled type)."""
    day = make_day()
    no_truck = Scenario("x", remove_vehicle_ids=(1,)).apply(day)
    sc = preset("one_truck_fewer", no_truck)
    assert [v.id for v in sc.apply(no_truck).vehicles] == [3]
    with pytest.raises(KeyError, match="presets: baseline"):
        preset("nope")
