"""Plans that know when they are stale, on SQLite and PostgreSQL.

The race of issue 11: an order taken by a colleague while a plan is being computed is not
in that plan. The saved plan must say so (``plan_changes``, ``luckygas plans``, the
report), and publishing it must need an explicit confirmation.
"""

from __future__ import annotations

import pytest

from luckygas.bridge.persist import save_plan
from luckygas.bridge.planning import plan_day
from luckygas.cli import main as cli_main
from luckygas.db import session_scope
from luckygas.domain import OrderStatus, Role
from luckygas.models import Order, Plan
from luckygas.optimize.digest import order_digests
from luckygas.optimize.params import SolverParams
from luckygas.orders import create_order, set_status
from luckygas.plans import StalePlanError, publish_plan
from luckygas.reports.data import load_plan_data
from luckygas.staleness import day_changes, plan_changes
from tests.db.conftest import DAY, add_customer, add_users, open_session
from tests.factories import add_depot, add_truck

CUSTOMERS = {"1500001": "龍鳳豆花", "1500002": "海濱小吃", "1500003": "新園麵店",
             "1500004": "東河包子", "1500005": "都蘭商店"}  # fmt: skip
PARAMS = SolverParams(time_limit_s=1.0).replace(deterministic=True)


@pytest.fixture
def day_db(engine):
    """A depot, a truck, five customers and orders of :data:`DAY` for the first four."""
    add_users(engine, boss=Role.MANAGER, ana=Role.DISPATCHER, bob=Role.DISPATCHER)
    with open_session(engine, "ana") as s:
        add_truck(s, add_depot(s))
        for i, (code, name) in enumerate(CUSTOMERS.items()):
            add_customer(s, code, short_name=name, lat=22.75 + 0.004 * i, lng=121.14 + 0.003 * i)
        for code in list(CUSTOMERS)[:4]:
            create_order(s, customer_code=code, delivery_date=DAY, quantities={20: 1})
        s.commit()
    return engine


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _plan_while_bob_takes_an_order(engine) -> tuple[int, int]:
    """Ana plans the day; Bob creates an order after her problem was built, before she saves."""
    with session_scope(engine, user="ana") as ana:
        problem, result = plan_day(ana, DAY, PARAMS)
        with session_scope(engine, user="bob") as bob:
            new = create_order(bob, customer_code="1500005", delivery_date=DAY, quantities={20: 2})
            new_id = new.id
        plan_id = save_plan(ana, problem, result, name="morning").id
    assert new_id not in problem.orders_by_id  # the race really happened
    return plan_id, new_id


def test_an_order_created_while_planning_is_named_everywhere_and_blocks_publishing(day_db, capsys):
    """The new order is named by plan_changes, `plans`, the report; publish needs confirming."""
    plan_id, new_id = _plan_while_bob_takes_an_order(day_db)
    url = _url(day_db)

    with open_session(day_db) as s:
        changes = plan_changes(s, plan_id)
        notice = load_plan_data(s, DAY, plan_id=plan_id).stale_notice
    assert changes.is_stale
    assert (changes.added, changes.cancelled, changes.edited) == ((new_id,), (), ())
    assert changes.describe() == f"1 order added since this plan (#{new_id} 都蘭商店)."
    assert f"#{new_id} 都蘭商店" in notice and notice.startswith("OUT OF DATE")

    assert cli_main(["--db", url, "plans", "--date", DAY.isoformat()]) == 0
    table = capsys.readouterr().out
    assert "changed since" in table.splitlines()[0]
    assert "1 added" in table

    code = cli_main(["--db", url, "--user", "boss", "plans", "--publish", str(plan_id)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"#{new_id} 都蘭商店" in err and "--confirm-stale" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with open_session(day_db, "boss") as s, pytest.raises(StalePlanError, match="都蘭商店"):
        publish_plan(s, s.get(Plan, plan_id))
    with open_session(day_db) as s:
        assert s.get(Plan, plan_id).published_at is None
        assert s.get(Order, new_id).status is OrderStatus.PENDING

    code = cli_main(
        ["--db", url, "--user", "boss", "plans", "--publish", str(plan_id), "--confirm-stale"]
    )
    assert code == 0
    assert "Published plan" in capsys.readouterr().out


def test_cancelled_and_edited_orders_are_named_pins_and_dispatch_are_not(day_db):
    """Cancel one order, edit one, pin one, dispatch one: only the first two are changes."""
    with session_scope(day_db, user="ana") as s:
        problem, result = plan_day(s, DAY, PARAMS)
        plan_id = save_plan(s, problem, result).id
    edited, cancelled, pinned, dispatched = (o.id for o in problem.orders)
    with session_scope(day_db, user="bob") as s:
        s.get(Order, edited).qty_20kg = 3
        set_status(s, s.get(Order, cancelled), OrderStatus.CANCELLED)
        s.get(Order, pinned).pinned_vehicle_id = problem.vehicles[0].id
        order = s.get(Order, dispatched)
        set_status(s, order, OrderStatus.PLANNED)
        set_status(s, order, OrderStatus.DISPATCHED)

    with open_session(day_db) as s:
        changes = plan_changes(s, plan_id)
    assert (changes.added, changes.cancelled, changes.edited) == ((), (cancelled,), (edited,))
    assert changes.describe() == (
        f"1 order cancelled since this plan (#{cancelled} 海濱小吃), 1 edited (#{edited} 龍鳳豆花)."
    )


def test_the_panel_compares_the_plan_on_screen(day_db):
    """day_changes: digests of the problem on screen against the database now."""
    with open_session(day_db, "ana") as s:
        problem, _result = plan_day(s, DAY, PARAMS)
        digests = order_digests(problem)
        assert not day_changes(s, DAY, digests).is_stale
        new = create_order(s, customer_code="1500005", delivery_date=DAY, quantities={4: 1})
        s.commit()
        changes = day_changes(s, DAY, digests)
    assert changes.added == (new.id,)
    assert changes.short() == "1 added"


def test_a_plan_saved_without_digests_has_unknown_freshness(day_db, capsys):
    """Plans saved before this change: `plans` says unknown, publishing still works."""
    with session_scope(day_db, user="ana") as s:
        problem, result = plan_day(s, DAY, PARAMS)
        plan = save_plan(s, problem, result)
        plan.run = {"fingerprint": plan.run["fingerprint"]}  # as saved by an older version
        plan_id = plan.id
    with open_session(day_db) as s:
        changes = plan_changes(s, plan_id)
    assert not changes.is_known and not changes.is_stale
    assert changes.describe().startswith("Freshness unknown")
    url = _url(day_db)
    assert cli_main(["--db", url, "plans"]) == 0
    assert "unknown" in capsys.readouterr().out
    assert cli_main(["--db", url, "--user", "boss", "plans", "--publish", str(plan_id)]) == 0
