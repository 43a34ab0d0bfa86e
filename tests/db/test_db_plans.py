"""Publishing: one plan of record per day, its orders planned, managers only (also from the CLI)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from luckygas.audit import RoleError
from luckygas.cli import main as cli_main
from luckygas.domain import OrderStatus, PlanStatus, Role
from luckygas.models import Order, Plan, PlanRoute, PlanStop
from luckygas.orders import create_order
from luckygas.plans import publish_plan
from tests.db.conftest import DAY, add_customer, add_users, add_vehicle, open_session


def _plan(session, name, vehicle, orders):
    """A saved plan serving ``orders`` with one route."""
    plan = Plan(plan_date=DAY, name=name)
    route = PlanRoute(
        route_no=1,
        vehicle_id=vehicle.id,
        start_s=28800,
        end_s=36000,
        distance_m=5000,
        break_start_s=None,
    )
    for seq, order in enumerate(orders, start=1):
        route.stops.append(
            PlanStop(
                order_id=order.id,
                sequence=seq,
                arrival_s=30000 + seq,
                start_s=30000 + seq,
                departure_s=30300 + seq,
            )
        )
    plan.routes.append(route)
    session.add(plan)
    session.flush()
    return plan


@pytest.fixture
def day(engine):
    """Two orders and two draft plans of the same day: A serves both, B serves one."""
    add_users(engine, boss=Role.MANAGER, clerk=Role.DISPATCHER)
    with open_session(engine, "clerk") as s:
        vehicle = add_vehicle(s)
        add_customer(s, "1400001")
        add_customer(s, "1400002")
        one = create_order(s, customer_code="1400001", delivery_date=DAY, quantities={20: 1})
        two = create_order(s, customer_code="1400002", delivery_date=DAY, quantities={20: 2})
        a = _plan(s, "A", vehicle, [one, two])
        b = _plan(s, "B", vehicle, [one])
        s.commit()
        return {"a": a.id, "b": b.id, "one": one.id, "two": two.id}


def _status(engine, ids):
    with open_session(engine) as s:
        return {k: s.get(Order, v).status for k, v in ids.items()}


def test_publishing_marks_served_orders_planned(engine, day):
    """Publishing plan A (manager) makes its orders 'planned' and records who published."""
    with open_session(engine, "boss") as s:
        plan = publish_plan(s, s.get(Plan, day["a"]))
        s.commit()
        assert plan.published_by == "boss"
    assert _status(engine, {"one": day["one"], "two": day["two"]}) == {
        "one": OrderStatus.PLANNED,
        "two": OrderStatus.PLANNED,
    }


def test_publishing_another_plan_supersedes_the_first(engine, day):
    """Publishing B sends A back to draft; the order B does not serve is pending again."""
    with open_session(engine, "boss") as s:
        publish_plan(s, s.get(Plan, day["a"]))
        s.commit()
        publish_plan(s, s.get(Plan, day["b"]))
        s.commit()
        statuses = dict(s.execute(select(Plan.name, Plan.status)).all())
    assert statuses == {"A": PlanStatus.DRAFT, "B": PlanStatus.PUBLISHED}
    assert _status(engine, {"one": day["one"], "two": day["two"]}) == {
        "one": OrderStatus.PLANNED,
        "two": OrderStatus.PENDING,
    }


def test_dispatcher_cannot_publish(engine, day):
    """A dispatcher is refused and nothing changes."""
    with open_session(engine, "clerk") as s, pytest.raises(RoleError, match="needs manager"):
        publish_plan(s, s.get(Plan, day["a"]))
    assert _status(engine, {"one": day["one"]}) == {"one": OrderStatus.PENDING}


def test_cli_publish_respects_roles(engine, day, capsys):
    """`luckygas plans --publish ID` refuses a dispatcher in one line and lets a manager publish."""
    url = engine.url.render_as_string(hide_password=False)
    code = cli_main(["--db", url, "--user", "clerk", "plans", "--publish", str(day["a"])])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot publish plans: needs manager or admin" in err
    assert "Traceback" not in err
    code = cli_main(["--db", url, "--user", "boss", "plans", "--publish", str(day["a"])])
    assert code == 0
    assert "Published plan" in capsys.readouterr().out
    code = cli_main(["--db", url, "--user", "boss", "plans", "--publish", str(day["a"])])
    assert code == 1
    assert "already published" in capsys.readouterr().err


def test_cli_refuses_a_missing_database(tmp_path, capsys):
    """A command on a SQLite file that does not exist says so and does not create it."""
    path = tmp_path / "missing.sqlite"
    code = cli_main(["--db", f"sqlite:///{path}", "plans"])
    assert code == 1
    assert "no database at" in capsys.readouterr().err
    assert not path.exists()
