"""Planning a day from the database: the adapter, the solve, saving and loading a plan."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from luckygas import models as m
from luckygas.bridge.adapter import build_problem, merge_windows
from luckygas.bridge.persist import PlanSaveError, load_plan, save_plan
from luckygas.bridge.planning import next_delivery_day, plan_day
from luckygas.cli import main as cli_main
from luckygas.domain import Priority, VehicleRequirement
from luckygas.optimize import SolverParams, check_plan
from luckygas.orders import create_order
from tests.factories import add_depot, add_motorcycle, add_truck

DAY = dt.date(2026, 12, 1)  # a Tuesday
FAST = SolverParams(time_limit_s=1.0).replace(deterministic=True, solution_limit=50)


def _customer(session, code, name, lat, lng, **kw):
    windows = kw.pop("windows", [(8 * 60, 12 * 60), (14 * 60, 18 * 60)])
    c = m.Customer(
        code=code,
        short_name=name,
        address=f"臺東市{name}路1號",
        zone_code="A",
        lat=lat,
        lng=lng,
        **kw,
    )
    c.windows = [m.CustomerWindow(start_min=a, end_min=b) for a, b in windows]
    session.add(c)
    return c


@pytest.fixture
def day_db(db_session):
    """A depot, a truck with a driver, a motorcycle, and five customers with orders."""
    s = db_session
    depot = add_depot(s)
    truck = add_truck(s, depot)
    add_motorcycle(s, depot)
    s.add(
        m.Driver(
            name="陳大明",
            default_vehicle_id=truck.id,
            shift_start_min=8 * 60,
            shift_end_min=18 * 60,
            break_earliest_min=12 * 60,
            break_latest_min=14 * 60,
            break_minutes=45,
        )
    )
    _customer(s, "1400001", "麵店", 22.758, 121.145)
    _customer(s, "1400002", "自助餐", 22.762, 121.150, windows=[(9 * 60, 10 * 60)])
    _customer(
        s, "1400003", "早餐店", 22.760, 121.140, vehicle_requirement=VehicleRequirement.MOTORCYCLE
    )
    _customer(s, "1400004", "幼兒園", 22.750, 121.130, rest_weekdays="2")  # closed Tuesdays
    _customer(s, "1400005", "小吃店", None, None)  # not geocoded yet
    s.flush()
    create_order(s, customer_code="1400001", delivery_date=DAY, quantities={20: 2, 50: 1})
    create_order(
        s, customer_code="1400002", delivery_date=DAY, quantities={20: 1}, priority=Priority.URGENT
    )
    create_order(s, customer_code="1400003", delivery_date=DAY, quantities={16: 1})
    create_order(s, customer_code="1400004", delivery_date=DAY, quantities={20: 1})
    create_order(s, customer_code="1400005", delivery_date=DAY, quantities={20: 1})
    create_order(
        s,
        customer_code="1400001",
        delivery_date=DAY,
        quantities={20: 1},
        window=(15 * 60, 16 * 60),
        notes="second order, afternoon only",
    )
    s.flush()
    return s


def test_merge_windows_joins_touching_hours():
    """Hourly availability flags 8-9, 9-10 and 14-15 become two windows."""
    assert merge_windows([(540, 600), (480, 540), (840, 900)]) == [(480, 600), (840, 900)]


def test_build_problem_converts_rows_to_the_solver_model(day_db):
    """Windows become seconds, rest days and missing coordinates are flagged, the driver's
    shift and break become the vehicle's."""
    problem = build_problem(day_db, DAY)
    by_code = {o.customer_name: o for o in problem.orders}
    assert len(problem.orders) == 6
    assert by_code["自助餐"].windows == ((9 * 3600, 10 * 3600),)
    assert by_code["自助餐"].priority == Priority.URGENT
    assert by_code["幼兒園"].closed_reason == "rest day (Tue)"
    assert by_code["小吃店"].location is None
    assert by_code["早餐店"].requirement == VehicleRequirement.MOTORCYCLE
    override = next(o for o in problem.orders if o.notes.startswith("second order"))
    assert override.windows == ((15 * 3600, 16 * 3600),)
    truck = next(v for v in problem.vehicles if v.name == "Truck 1")
    assert (truck.shift_start_s, truck.break_duration_s) == (8 * 3600, 45 * 60)
    assert truck.driver_name == "陳大明"
    assert truck.capacity[50] == 4


def test_build_problem_closes_holiday_customers(day_db):
    """A customer closed on national holidays gets a closed reason on a holiday."""
    christmas = dt.date(2026, 12, 25)
    day_db.merge(m.Holiday(day=christmas, name="Constitution Day"))
    customer = day_db.scalar(select(m.Customer).where(m.Customer.code == "1400001"))
    customer.closed_on_holidays = True
    create_order(day_db, customer_code="1400001", delivery_date=christmas, quantities={20: 1})
    problem = build_problem(day_db, christmas)
    assert problem.orders[0].closed_reason == "closed on national holidays (Constitution Day)"


def test_plan_day_serves_what_it_can_and_explains_the_rest(day_db):
    """The solved day passes the independent checker; closed and ungeocoded orders come
    back unassigned with reasons."""
    problem, result = plan_day(day_db, DAY, FAST)
    assert check_plan(problem, result) == []
    reasons = dict(
        zip(result.unassigned["customer_name"], result.unassigned["reason_code"], strict=True)
    )
    assert reasons == {"幼兒園": "CLOSED_TODAY", "小吃店": "NO_COORDINATES"}
    served = set(result.stops["customer_name"])
    assert {"麵店", "自助餐", "早餐店"} <= served
    moto_stops = result.stops[result.stops["customer_name"] == "早餐店"]
    assert (
        result.routes.set_index("vehicle_id").loc[moto_stops["vehicle_id"], "vehicle_type"]
        == "motorcycle"
    ).all()


def test_save_and_load_plan_round_trip(day_db):
    """A saved draft has its routes, stops and reasons as rows, and loads back unchanged."""
    problem, result = plan_day(day_db, DAY, FAST)
    plan = save_plan(day_db, problem, result, name="morning")
    assert plan.status.value == "draft"
    assert plan.created_by == "tester"
    assert sum(len(r.stops) for r in plan.routes) == len(result.stops)
    assert {u.reason_code for u in plan.unassigned} == {"CLOSED_TODAY", "NO_COORDINATES"}
    # The run record says how the plan was found and on which distances.
    assert plan.run["outcome"] == result.run.outcome() and plan.run["outcome"]
    assert plan.run["matrix"].startswith("HaversineMatrix")
    loaded = load_plan(day_db, plan.id)
    assert loaded.stops[["vehicle_id", "sequence", "order_id", "arrival_s"]].equals(
        result.stops[["vehicle_id", "sequence", "order_id", "arrival_s"]].reset_index(drop=True)
    )
    assert loaded.kpis["served"] == result.kpis["served"]
    second = save_plan(day_db, problem, result, name="morning")
    assert second.name == "morning (2)"


def test_save_plan_writes_nothing_when_an_order_vanished(day_db):
    """If an order in the plan was deleted meanwhile, the save fails whole, naming it."""
    problem, result = plan_day(day_db, DAY, FAST)
    result.stops.loc[result.stops.index[0], "order_id"] = 999_999
    with pytest.raises(PlanSaveError, match="999999"):
        save_plan(day_db, problem, result)
    assert day_db.scalar(select(func.count()).select_from(m.Plan)) == 0
    assert day_db.scalar(select(func.count()).select_from(m.PlanStop)) == 0


def test_next_delivery_day_finds_open_orders(day_db):
    """The next day to plan is the earliest with pending orders."""
    assert next_delivery_day(day_db) == DAY
    assert next_delivery_day(day_db, after=DAY + dt.timedelta(days=1)) is None


def _one_truck_one_order(db_engine) -> None:
    """A depot, one light truck and one order of two 20 kg cylinders on DAY."""
    from sqlalchemy.orm import Session

    with Session(db_engine) as s:
        s.info["user"] = "tester"
        depot = add_depot(s, name="Depot")
        add_truck(
            s, depot, plate="TRK-9", name="Truck 9", cap_50kg=0, cap_20kg=10, cap_16kg=0,
            cap_10kg=0, cap_4kg=0, max_kg=400, fixed_cost=0, cost_per_km=0,
        )  # fmt: skip
        _customer(s, "1400011", "麵店", 22.758, 121.145)
        s.flush()
        create_order(s, customer_code="1400011", delivery_date=DAY, quantities={20: 2})
        s.commit()


def test_cli_plan_saves_a_draft(db_engine, capsys):
    """`luckygas plan --date D` prints KPIs and saves a draft plan."""
    from sqlalchemy.orm import Session

    _one_truck_one_order(db_engine)
    url = db_engine.url.render_as_string(hide_password=False)
    code = cli_main(
        [
            "--db",
            url,
            "--user",
            "tester",
            "plan",
            "--date",
            DAY.isoformat(),
            "--time-limit",
            "1",
            "--quiet",
            "--name",
            "cli",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "1/1 orders served" in out
    assert "Saved draft plan" in out
    with Session(db_engine) as s:
        assert s.scalar(select(m.Plan.name)) == "cli"


def test_cli_plan_rejects_unknown_plate(db_engine, capsys):
    """An unknown vehicle plate is a clear error with a non-zero exit."""
    url = db_engine.url.render_as_string(hide_password=False)
    from sqlalchemy.orm import Session

    with Session(db_engine) as s:
        add_depot(s, name="Depot")
        s.commit()
    code = cli_main(["--db", url, "plan", "--date", DAY.isoformat(), "--vehicles", "NOPE-1"])
    assert code == 1
    assert "unknown vehicle plate(s): NOPE-1" in capsys.readouterr().err


def test_cli_plan_reads_solver_parameters_from_a_file(db_engine, tmp_path, capsys):
    """`luckygas plan --params FILE` plans with the file's settings; a flag overrides one."""
    from sqlalchemy.orm import Session

    _one_truck_one_order(db_engine)
    params = tmp_path / "params.toml"
    params.write_text("time_limit_s = 1\n[search]\nseed = 7\n[cost]\nbalance_weight = 50.0\n")
    url = db_engine.url.render_as_string(hide_password=False)
    args = ["--db", url, "--user", "tester", "plan", "--date", DAY.isoformat(), "--quiet"]
    assert cli_main([*args, "--params", str(params), "--seed", "9"]) == 0
    with Session(db_engine) as s:
        run = s.scalar(select(m.Plan.parameters))
    assert (run["time_limit_s"], run["seed"], run["balance_weight"]) == (1, 9, 50.0)
    bad = tmp_path / "bad.toml"
    bad.write_text("[search]\nseeed = 1\n")
    assert cli_main([*args, "--params", str(bad)]) == 1
    assert "unknown setting(s) ['seeed']" in capsys.readouterr().err


def test_cli_plan_refuses_a_day_without_orders_and_report_an_empty_plan(db_engine, capsys):
    """Issue 13: `plan` on a day without orders saved a 0/0 draft that `report` then showed;
    now `plan` says so in one line and saves nothing, and `report` refuses an empty plan
    saved before."""
    from sqlalchemy.orm import Session

    from luckygas.reports.report import ReportError, check_request

    _one_truck_one_order(db_engine)
    url = db_engine.url.render_as_string(hide_password=False)
    empty_day = DAY + dt.timedelta(days=1)
    code = cli_main(["--db", url, "plan", "--date", empty_day.isoformat(), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err == [f"luckygas: error: no orders on {empty_day}: nothing to plan"]
    with Session(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(m.Plan)) == 0
        s.info["user"] = "tester"
        old = m.Plan(plan_date=empty_day, name="empty draft of an older version")
        s.add(old)
        s.commit()
        old_id = old.id
    with pytest.raises(ReportError, match=f"^no orders on {empty_day}: plan {old_id} is empty"):
        check_request(url, empty_day, None, None)
