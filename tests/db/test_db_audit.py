"""Every write records who did it; dangerous writes need a manager or admin."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from luckygas.audit import RoleError, require_role
from luckygas.db import session_scope
from luckygas.domain import PlanStatus, Role
from luckygas.models import AuditLog, Customer, Plan
from luckygas.plans import publish_plan
from tests.db.conftest import DAY, add_customer, add_users, open_session


def _log(engine):
    with open_session(engine) as s:
        return [
            (a.username, a.action, a.entity, a.entity_id, a.details)
            for a in s.scalars(select(AuditLog).order_by(AuditLog.id))
        ]


def test_created_and_updated_by_come_from_the_session_user(engine):
    """created_by/updated_by name the session's user, and the log lists changed fields."""
    add_users(engine, amy=Role.DISPATCHER, bob=Role.DISPATCHER)
    with session_scope(engine, user="amy") as s:
        c = add_customer(s, "1000001", short_name="Old name")
    with open_session(engine, "bob") as s:
        c = s.get(Customer, c.id)
        c.short_name = "New name"
        s.commit()
        assert (c.created_by, c.updated_by) == ("amy", "bob")
    log = _log(engine)
    assert ("amy", "insert", "customers", str(c.id), {"code": "1000001"}) in log
    assert (
        "bob",
        "update",
        "customers",
        str(c.id),
        {"changes": {"short_name": ["Old name", "New name"]}},
    ) in log


def test_user_falls_back_to_environment(engine, monkeypatch):
    """Without session.info["user"], the writer is $LUCKYGAS_USER."""
    monkeypatch.setenv("LUCKYGAS_USER", "from-env")
    add_users(engine, **{"from-env": Role.DISPATCHER})
    with session_scope(engine) as s:
        c = add_customer(s, "1000002")
    assert c.created_by == "from-env"


def test_viewer_cannot_delete_customers(engine):
    """A viewer's delete is refused with a message naming user, role, action and needed roles."""
    add_users(engine, boss=Role.ADMIN, vic=Role.VIEWER, meg=Role.MANAGER)
    with session_scope(engine, user="tester") as s:
        c = add_customer(s, "1000003")
    with open_session(engine, "vic") as s:
        s.delete(s.get(Customer, c.id))
        with pytest.raises(
            RoleError,
            match=r"^user 'vic' \(role viewer\) cannot delete customers: needs manager or admin$",
        ):
            s.flush()
    with open_session(engine, "meg") as s:
        s.delete(s.get(Customer, c.id))
        s.commit()
    assert ("meg", "delete", "customers", str(c.id), {"code": "1000003"}) in _log(engine)


def test_readers_and_strangers_write_nothing(engine):
    """Issue 13: an unregistered, a deactivated user, a viewer or a driver cannot write
    even through a plain ORM session (one line naming user, role and what is needed); a
    dispatcher can."""
    from sqlalchemy import update

    from luckygas.models import User

    add_users(engine, vic=Role.VIEWER, dri=Role.DRIVER, old=Role.DISPATCHER, dan=Role.DISPATCHER)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == "old").values(is_active=False))
    for user, said in (("walk-in", "not a registered user"), ("old", "inactive user"),
                       ("vic", "role viewer"), ("dri", "role driver")):  # fmt: skip
        with open_session(engine, user) as s:
            refused = f"^user {user!r} \\({said}\\) cannot write to the database: needs dispatcher"
            with pytest.raises(RoleError, match=refused):
                add_customer(s, "1000004")
    with session_scope(engine, user="tester") as s:
        c = add_customer(s, "1000004")
    with open_session(engine, "walk-in") as s:
        s.get(Customer, c.id).short_name = "renamed"
        with pytest.raises(RoleError, match="not a registered user"):
            s.flush()
    with open_session(engine, "vic") as s, pytest.raises(RoleError, match="role viewer"):
        s.execute(delete(Customer))  # the bulk path too


def test_bulk_delete_is_guarded_too(engine):
    """`session.execute(delete(Customer))` cannot sidestep the role check."""
    add_users(engine, boss=Role.ADMIN, vic=Role.VIEWER)
    with session_scope(engine, user="tester") as s:
        add_customer(s, "1000005")
    with open_session(engine, "vic") as s, pytest.raises(RoleError):
        s.execute(delete(Customer))


def test_publishing_needs_a_manager_and_is_logged(engine):
    """A dispatcher cannot publish, even by setting the status directly; a manager can."""
    add_users(engine, boss=Role.ADMIN, dan=Role.DISPATCHER, meg=Role.MANAGER)
    with session_scope(engine, user="dan") as s:
        plan = Plan(plan_date=DAY, name="tomorrow")
        s.add(plan)
    with open_session(engine, "dan") as s:
        p = s.get(Plan, plan.id)
        with pytest.raises(RoleError, match="cannot publish plans: needs manager or admin"):
            publish_plan(s, p)
        p.status = PlanStatus.PUBLISHED
        with pytest.raises(RoleError, match="cannot publish plans"):
            s.flush()
    with open_session(engine, "meg") as s:
        p = publish_plan(s, s.get(Plan, plan.id))
        s.commit()
        assert (p.status, p.published_by) == (PlanStatus.PUBLISHED, "meg")
    assert any(e[:3] == ("meg", "publish", "plans") for e in _log(engine))


def test_own_draft_plan_may_be_deleted_but_not_others_or_published(engine):
    """Anyone deletes their own draft; another's draft or a published plan needs a manager."""
    add_users(engine, boss=Role.ADMIN, dan=Role.DISPATCHER, eve=Role.DISPATCHER)
    with session_scope(engine, user="dan") as s:
        mine, other = Plan(plan_date=DAY, name="mine"), Plan(plan_date=DAY, name="other")
        s.add_all([mine, other])
    with session_scope(engine, user="boss") as s:
        publish_plan(s, s.get(Plan, other.id))
    with open_session(engine, "eve") as s:
        s.delete(s.get(Plan, mine.id))
        with pytest.raises(RoleError, match="cannot delete dan's draft plans"):
            s.flush()
    with open_session(engine, "dan") as s:
        s.delete(s.get(Plan, other.id))
        with pytest.raises(RoleError, match="cannot delete published plans"):
            s.flush()
        s.rollback()
        s.delete(s.get(Plan, mine.id))
        s.commit()


def test_require_role(engine):
    """require_role returns the role when allowed and explains when not."""
    add_users(engine, boss=Role.ADMIN, dan=Role.DISPATCHER)
    with open_session(engine, "boss") as s:
        assert require_role(s, Role.ADMIN) is Role.ADMIN
    with open_session(engine, "dan") as s:
        assert require_role(s, "dispatcher", "manager") is Role.DISPATCHER
        with pytest.raises(PermissionError, match="cannot import: needs admin"):
            require_role(s, Role.ADMIN, action="import")
