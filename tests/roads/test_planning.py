"""Planning on the road graph: the optimizer, the checker and the database adapter agree."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from luckygas import models as m
from luckygas.bridge.adapter import build_problem
from luckygas.bridge.persist import save_plan
from luckygas.bridge.planning import plan_day
from luckygas.domain import VehicleType
from luckygas.optimize import SolverParams, check_plan, solve
from luckygas.optimize.problem import Depot, Location, Order, RoutingProblem, Vehicle
from luckygas.optimize.roadmatrix import RoadMatrix
from luckygas.orders import create_order
from luckygas.roads import import_extract
from tests.factories import add_depot, add_truck
from tests.roads.town import at, write_town

FAST = SolverParams(time_limit_s=1.0).replace(deterministic=True, solution_limit=50)
DAY = dt.date(2026, 12, 1)
STOPS = {1: "E0", 2: "G1", 3: "Wa", 4: "I0", 5: (5, 15)}  # 4: island, 5: 1.1 km off-road


def _problem(graph) -> RoutingProblem:
    depot = Depot(0, "depot", Location(*at("W0")), 6 * 3600, 22 * 3600)
    orders = tuple(
        Order(id=i, customer_id=i, customer_name=f"c{i}", location=Location(*at(w)), demand={20: 1})
        for i, w in STOPS.items()
    )
    caps = {50: 0, 20: 10, 16: 0, 10: 0, 4: 0}
    vehicles = (
        Vehicle(id=1, name="truck", type=VehicleType.LIGHT_TRUCK, capacity=caps, max_kg=1000),
    )
    return RoutingProblem(DAY, depot, orders, vehicles, matrix=RoadMatrix(graph))


def test_a_plan_on_the_roads_checks_and_leaves_the_unreachable_out(town_graph):
    """Island and off-road orders are unassigned with NO_ROAD; the rest is served and the
    independent checker, recomputing from the road matrix, finds nothing wrong."""
    problem = _problem(town_graph)
    result = solve(problem, FAST)
    assert check_plan(problem, result) == []
    unassigned = dict(
        zip(result.unassigned["order_id"], result.unassigned["reason_code"], strict=True)
    )
    assert unassigned == {4: "NO_ROAD", 5: "NO_ROAD"}
    assert "No road route" in result.unassigned["reason"].iloc[0]
    assert sorted(result.stops["order_id"]) == [1, 2, 3]
    # The legs are the road matrix's: the route's metres are its arcs' road distances.
    md = problem.matrix.build(problem.depot, [o for o in problem.orders if o.location])
    seq = [0, *[int(o) for o in result.stops["order_id"]], 0]
    assert int(result.routes["distance_m"].iloc[0]) == sum(
        int(md.distance_m[a, b]) for a, b in itertools.pairwise(seq)
    )
    assert result.run.matrix.startswith("RoadMatrix(graph=")


def test_the_adapter_plans_on_imported_roads(db_session, tmp_path):
    """No graph: the great-circle model; after `roads import`: the road matrix, named."""
    s = db_session
    depot = add_depot(s)
    add_truck(s, depot)
    for code, where in [("1600001", "E0"), ("1600002", "I0")]:
        lat, lng = at(where)
        s.add(m.Customer(code=code, short_name=code, address="臺東市", lat=lat, lng=lng))
        s.flush()
        create_order(s, customer_code=code, delivery_date=DAY, quantities={20: 1})
    assert build_problem(s, DAY).matrix is None
    import_extract(s, write_town(tmp_path))
    problem, result = plan_day(s, DAY, FAST)
    assert isinstance(problem.matrix, RoadMatrix)
    assert result.run.matrix == problem.matrix.describe()
    assert list(result.unassigned["reason_code"]) == ["NO_ROAD"]
    assert check_plan(problem, result) == []
    assert build_problem(s, DAY, roads=False).matrix is None
    plan = save_plan(s, problem, result, name="on roads")
    assert plan.snapshot["run"]["matrix"].startswith("RoadMatrix(graph=")


@pytest.mark.parametrize("vtype", list(VehicleType))
def test_unreachable_orders_never_crash_any_vehicle_type(town_graph, vtype):
    problem = _problem(town_graph)
    v = problem.vehicles[0]
    caps = {50: 0, 20: 10, 16: 0, 10: 0, 4: 0}
    one = Vehicle(id=v.id, name=v.name, type=vtype, capacity=caps, max_kg=1000)
    p = RoutingProblem(DAY, problem.depot, problem.orders, (one,), matrix=problem.matrix)
    result = solve(p, FAST)
    assert check_plan(p, result) == []
    assert {4, 5} <= set(result.unassigned["order_id"])


def test_day_checks_name_customers_far_from_any_road(db_session, tmp_path):
    """Before planning: the off-road customer is a data check; the island one is on a road."""
    from luckygas.checks import day_checks

    s = db_session
    add_truck(s, add_depot(s))
    for code, where in [("1800001", "E0"), ("1800002", (5, 15)), ("1800003", "I0")]:
        lat, lng = at(where)
        s.add(m.Customer(code=code, short_name=code, address="臺東市", lat=lat, lng=lng))
        s.flush()
        create_order(s, customer_code=code, delivery_date=DAY, quantities={20: 1})
    assert "far_from_road" not in set(day_checks(s, DAY)["check"])  # no roads imported yet
    import_extract(s, write_town(tmp_path))
    found = day_checks(s, DAY)
    far = found[found["check"] == "far_from_road"]
    assert list(far["customer_name"]) == ["1800002"]
    assert "the nearest is 1,1" in far["detail"].iloc[0]


def test_route_lines_follow_the_roads_on_the_map_and_survive_a_save(town_graph):
    """A plan on the roads carries each trip's road line (depot to depot, through every
    stop); the map draws it instead of straight lines, and the plan's snapshot keeps it."""
    import ipyleaflet as L

    from luckygas.maps import plan_map
    from luckygas.optimize import PlanResult
    from luckygas.optimize.geometry import simplify
    from luckygas.optimize.matrix import haversine_m

    problem = _problem(town_graph)
    result = solve(problem, FAST)
    assert set(result.paths) == {(1, 1)}
    line = result.paths[(1, 1)]
    depot = at("W0")
    assert haversine_m(*line[0], *depot) < 60 and haversine_m(*line[-1], *depot) < 60
    for lat, lng in zip(result.stops["lat"], result.stops["lng"], strict=True):
        assert min(haversine_m(lat, lng, a, b) for a, b in line) < 60  # passes every stop
    assert len(line) > len(result.stops) + 2  # bends with the streets, not stop to stop
    m = plan_map(result, depot=problem.depot)
    drawn = [x for g in m.layers if isinstance(g, L.LayerGroup) for x in g.layers]
    lines = [[tuple(p) for p in x.locations] for x in drawn if isinstance(x, L.Polyline)]
    assert line in lines
    again = PlanResult.from_dict(result.to_dict())
    assert again.paths == result.paths
    # Simplifying keeps the ends and drops points on a straight stretch.
    assert simplify([(0.0, 0.0), (0.0, 0.0005), (0.0, 0.001)], 5.0) == [(0.0, 0.0), (0.0, 0.001)]


def test_a_replan_searches_only_its_new_legs(town_graph, monkeypatch):
    """Lines are kept per leg and type: the same legs again (another order) search
    nothing, a new leg is searched alone, another vehicle type searches its own."""
    rm = RoadMatrix(town_graph)
    names = ["W0", "E0", "G1", "Wa"]
    legs = [(at(a), at(b)) for a in names for b in names if a != b]
    truck = VehicleType.LIGHT_TRUCK
    first = rm.legs_geometry(legs, truck)
    searched: list[list] = []
    real = RoadMatrix._legs_searched

    def spy(self, todo, vtype):
        searched.append((list(todo), vtype))
        return real(self, todo, vtype)

    monkeypatch.setattr(RoadMatrix, "_legs_searched", spy)
    new = (at("Wa"), at("W2"))
    again = rm.legs_geometry([*legs[::-1], new], truck)
    assert searched == [([new], truck)]
    assert again[:-1] == first[::-1]
    assert again[-1] == rm.leg_geometry(*new, truck) != []
    rm.legs_geometry(legs[:2], VehicleType.MOTORCYCLE)
    assert searched[-1] == (legs[:2], VehicleType.MOTORCYCLE)


def test_batched_leg_lines_equal_one_by_one_searches(town_graph):
    """The bounded, batched search gives exactly the unbounded one-leg search's lines,
    across the bridge detour too, and nothing for the island."""
    rm = RoadMatrix(town_graph)
    names = ["W0", "E0", "G1", "Wa", "I0"]
    legs = [(at(a), at(b)) for a in names for b in names if a != b]
    for vtype in (VehicleType.LIGHT_TRUCK, VehicleType.MOTORCYCLE):
        batched = rm.legs_geometry(legs, vtype)
        assert batched == [rm.leg_geometry(a, b, vtype) for a, b in legs]
        assert any(line for line in batched) and any(not line for line in batched)
