"""Who may do what: the one rule table (audit.MIN_ROLE), each action, and the user rules.

Every row of the table is checked for every role (and for an unregistered and a
deactivated user) through :func:`luckygas.audit.authorize`; then each action is driven
through the function or command that does it, refused one role below and allowed at it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, update

from luckygas.audit import MIN_ROLE, ROLE_RANK, Action, RoleError, authorize, roles_allowed
from luckygas.cli import main
from luckygas.db import make_engine, session_scope
from luckygas.domain import Role
from luckygas.models import Customer, Plan, User
from luckygas.orders import create_order
from luckygas.plans import publish_plan
from luckygas.users import add_user, deactivate, set_role
from tests.db.conftest import DAY, add_customer, add_users, open_session

#: One user per role, plus one who left and one who never registered.
STAFF = {
    "ad": Role.ADMIN,
    "ma": Role.MANAGER,
    "di": Role.DISPATCHER,
    "dr": Role.DRIVER,
    "vi": Role.VIEWER,
    "gone": Role.ADMIN,  # deactivated below
}


@pytest.fixture
def staff(engine) -> Engine:
    """The migrated database with :data:`STAFF` registered, ``gone`` deactivated."""
    add_users(engine, **STAFF)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == "gone").values(is_active=False))
    return engine


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def test_the_table_covers_every_action_and_ranks_every_role():
    """One minimum role per action; every role has a rank; readers write nothing."""
    assert set(MIN_ROLE) == set(Action)
    assert set(ROLE_RANK) == set(Role)
    for action in Action:
        allowed = roles_allowed(action)
        assert Role.VIEWER not in allowed and Role.DRIVER not in allowed
        assert allowed[-1] is Role.ADMIN and allowed[0] is MIN_ROLE[action]


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_each_action_needs_its_minimum_role(staff, action):
    """Allowed from the action's minimum role up; refused below it, to the deactivated and to
    the unregistered, with one line naming the user, their role and what is needed."""
    least = ROLE_RANK[MIN_ROLE[action]]
    for user, role in [*STAFF.items(), ("nobody", None)]:
        with open_session(staff, user) as s:
            if user not in ("gone", "nobody") and ROLE_RANK[role] >= least:
                assert authorize(s, action) is role
                continue
            with pytest.raises(RoleError) as err:
                authorize(s, action)
        text = str(err.value)
        assert "\n" not in text and text.startswith(f"user {user!r} (")
        described = {"gone": "inactive user", "nobody": "not a registered user"}
        assert described.get(user, f"role {role}") in text
        assert f"cannot {action.value}: needs {MIN_ROLE[action].value}" in text


# ---------------------------------------------------------------------------
# Each action, through the code that does it
# ---------------------------------------------------------------------------


def test_orders_need_a_dispatcher(staff):
    """Action.EDIT_ORDERS: a driver cannot enter an order, a dispatcher can."""
    with session_scope(staff, user="di") as s:
        add_customer(s, "1000001")
    with open_session(staff, "dr") as s, pytest.raises(RoleError, match="role driver"):
        create_order(s, customer_code="1000001", delivery_date=DAY, quantities={20: 1})
    with session_scope(staff, user="di") as s:
        order = create_order(s, customer_code="1000001", delivery_date=DAY, quantities={20: 1})
    assert order.created_by == "di"


def test_draft_plans_need_a_dispatcher(staff):
    """Action.SAVE_DRAFT: save_plan (the CLI's and the planning panel's) refuses a viewer
    before it looks at the plan."""
    from luckygas.bridge.persist import save_plan

    with open_session(staff, "vi") as s, pytest.raises(RoleError, match="cannot save draft"):
        save_plan(s, None, None)  # type: ignore[arg-type]


def test_scenarios_need_a_dispatcher(staff):
    """Action.EDIT_SCENARIOS: saving and deleting scenarios."""
    from luckygas.scenarios import Scenario
    from luckygas.scenarios.store import delete_scenario, save_scenario

    with open_session(staff, "vi") as s, pytest.raises(RoleError, match="save or delete"):
        save_scenario(s, Scenario("rain", speed_factor=0.8))
    with session_scope(staff, user="di") as s:
        save_scenario(s, Scenario("rain", speed_factor=0.8))
    with open_session(staff, "dr") as s, pytest.raises(RoleError, match="role driver"):
        delete_scenario(s, "rain")
    with session_scope(staff, user="di") as s:
        delete_scenario(s, "rain")


def test_publishing_needs_a_manager(staff):
    """Action.PUBLISH: a dispatcher's draft is published by a manager only."""
    with session_scope(staff, user="di") as s:
        s.add(Plan(plan_date=DAY, name="d"))
    with open_session(staff, "di") as s:
        plan = s.query(Plan).one()
        with pytest.raises(RoleError, match="cannot publish plans: needs manager or admin"):
            publish_plan(s, plan)
    with session_scope(staff, user="ma") as s:
        publish_plan(s, s.query(Plan).one())


def test_deleting_records_needs_a_manager(staff):
    """Action.DELETE_RECORDS: a dispatcher adds a customer but cannot delete it."""
    with session_scope(staff, user="di") as s:
        c = add_customer(s, "1000002")
    with open_session(staff, "di") as s:
        s.delete(s.get(Customer, c.id))
        with pytest.raises(RoleError, match="role dispatcher"):
            s.flush()


def test_deleting_another_users_draft_needs_a_manager(staff):
    """Action.DELETE_OTHERS_DRAFTS."""
    with session_scope(staff, user="di") as s:
        s.add(Plan(plan_date=DAY, name="d"))
    add_users(staff, di2=Role.DISPATCHER)
    with open_session(staff, "di2") as s:
        s.delete(s.query(Plan).one())
        with pytest.raises(RoleError, match="cannot delete di's draft plans: needs manager"):
            s.flush()
    with session_scope(staff, user="ma") as s:
        s.delete(s.query(Plan).one())


def test_user_changes_need_an_admin(staff):
    """Action.MANAGE_USERS: add, re-role, deactivate and rename are an admin's."""
    attempts = (
        ("add users", lambda s: add_user(s, "new", role="viewer")),
        ("grant roles", lambda s: set_role(s, "vi", "dispatcher")),
        ("deactivate users", lambda s: deactivate(s, "vi")),
        ("rename users", lambda s: setattr(_user(s, "vi"), "username", "vee") or s.flush()),
    )
    for what, attempt in attempts:
        with open_session(staff, "ma") as s:
            with pytest.raises(RoleError, match=f"'ma' \\(role manager\\) cannot {what}: needs"):
                attempt(s)
            s.rollback()
    with session_scope(staff, user="ad") as s:
        add_user(s, "new", role="viewer")
        set_role(s, "new", "dispatcher")
        _user(s, "new").username = "newer"
        s.flush()
        deactivate(s, "newer")


def test_bulk_user_changes_need_an_admin(staff):
    """`session.execute(update(User))` is held to the same rules."""
    with open_session(staff, "ma") as s, pytest.raises(RoleError, match="needs admin"):
        s.execute(update(User).values(role=Role.ADMIN))


def test_schema_changes_need_an_admin(staff):
    """Action.CHANGE_SCHEMA (db upgrade/downgrade, demo-data --force): admin only."""
    with open_session(staff, "ma") as s, pytest.raises(RoleError, match=r"needs admin$"):
        authorize(s, Action.CHANGE_SCHEMA)


def _user(session, name: str) -> User:
    return session.query(User).filter_by(username=name).one()


# ---------------------------------------------------------------------------
# The user rules
# ---------------------------------------------------------------------------


def test_first_admin_bootstrap_works_exactly_once(bare):
    """Anyone may make the first user an admin of an empty table; never again after."""
    with open_session(bare, "someone") as s:
        with pytest.raises(RoleError, match="'someone' \\(not a registered user\\) cannot add"):
            add_user(s, "amy", role="viewer")  # the first user must be an admin
        s.rollback()
    with session_scope(bare, user="someone") as s:
        add_user(s, "boss", role="admin")
    with open_session(bare, "someone") as s, pytest.raises(RoleError, match="cannot add users"):
        add_user(s, "mallory", role="admin")


def test_last_active_admin_stays(staff):
    """The last active admin can be neither deactivated, demoted nor deleted, even by itself."""
    for attempt in (
        lambda s: deactivate(s, "ad"),
        lambda s: set_role(s, "ad", "manager"),
        lambda s: (s.delete(_user(s, "ad")), s.flush()),
    ):
        with open_session(staff, "ad") as s:
            with pytest.raises(RoleError, match="'ad': the last active admin"):
                attempt(s)
            s.rollback()
    with open_session(staff, "ad") as s, pytest.raises(RoleError, match="without an active"):
        s.execute(update(User).values(is_active=False))
    # With a second admin, the first may go (and deactivate itself).
    with session_scope(staff, user="ad") as s:
        set_role(s, "ma", "admin")
        deactivate(s, "ad")
    with open_session(staff, "ma") as s:
        assert s.query(User).filter_by(role=Role.ADMIN, is_active=True).count() == 1


def test_a_deactivated_admin_holds_no_role(staff):
    """A deactivated admin cannot change users, nor reactivate itself."""
    refused = pytest.raises(RoleError, match="'gone' \\(inactive user\\) cannot reactivate")
    with open_session(staff, "gone") as s, refused:
        _user(s, "gone").is_active = True
        s.flush()


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def _cli(url: str, user: str, *args: str) -> int:
    return main(["--db", url, "--user", user, *args])


def test_cli_the_takeover_of_the_issue_is_refused(tmp_path, capsys):
    """Issue 13: an unregistered mallory can neither deactivate the admin nor become one."""
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert _cli(url, "root", "users", "add", "admin", "--role", "admin") == 0
    assert _cli(url, "root", "users", "add", "second", "--role", "admin") == 1  # once only
    capsys.readouterr()
    assert _cli(url, "mallory", "users", "deactivate", "admin") == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "luckygas: error: user 'mallory' (not a registered user) cannot deactivate users: "
        "needs admin"
    )
    assert _cli(url, "mallory", "users", "add", "mallory", "--role", "admin") == 1
    assert _cli(url, "admin", "users", "deactivate", "admin") == 1
    assert "the last active admin" in capsys.readouterr().err
    assert _cli(url, "admin", "users", "set-role", "admin", "viewer") == 1
    assert _cli(url, "admin", "users", "add", "vic", "--role", "viewer") == 0
    assert _cli(url, "admin", "users", "add", "meg", "--role", "manager") == 0
    capsys.readouterr()
    assert _cli(url, "meg", "users", "deactivate", "vic") == 1
    assert "user 'meg' (role manager) cannot deactivate users: needs admin" in (
        capsys.readouterr().err
    )


def test_cli_writes_are_refused_to_readers_and_strangers(tmp_path, capsys):
    """Imports, scenario saves and deletes, plan saves: a viewer, a driver, a deactivated and
    an unregistered user are refused with one line; the database is unchanged."""
    from luckygas.importers.samples import sample_workbook, write_workbook

    customers = tmp_path / "customers.xlsx"
    write_workbook(sample_workbook(3, seed=1), str(customers))
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert _cli(url, "root", "users", "add", "boss", "--role", "admin") == 0
    for name, role in (("vic", "viewer"), ("dri", "driver"), ("old", "dispatcher")):
        assert _cli(url, "boss", "users", "add", name, "--role", role) == 0
    assert _cli(url, "boss", "users", "deactivate", "old") == 0
    commands = (
        ("import", "customers", str(customers)),
        ("scenarios", "create", "rain", "--speed", "0.8"),
        ("scenarios", "delete", "rain"),
        ("plan", "--date", dt.date.today().isoformat(), "--quiet"),
    )
    capsys.readouterr()
    for user, said in (("vic", "role viewer"), ("dri", "role driver"),
                       ("old", "inactive user"), ("eve", "not a registered user")):  # fmt: skip
        for command in commands:
            assert _cli(url, user, *command) == 1, (user, command)
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and f"user {user!r} ({said}) cannot" in err[0], (command, err)
    engine = make_engine(url)
    with open_session(engine) as s:
        assert s.query(Customer).count() == 0
    engine.dispose()


def test_cli_users_roles_prints_the_table(tmp_path, capsys):
    """`luckygas users roles` prints every row of MIN_ROLE."""
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "users", "roles"]) == 0
    out = capsys.readouterr().out
    for action, role in MIN_ROLE.items():
        assert any(action.value in line and role.value in line for line in out.splitlines())
