"""PostgreSQL enforces the roles itself once ``luckygas db secure`` ran: one login per
person, GRANTs per role, row-level security on plans, an audit trail by trigger that
nobody rewrites. Every check here goes around the workbench with raw SQL, as a
colleague with psql would."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from luckygas.audit import RoleError
from luckygas.cli import main
from luckygas.db import make_engine
from luckygas.identity import group_roles
from luckygas.models import Customer, Order, Plan, PlanUnassigned, User
from luckygas.schema import create_database
from luckygas.users import add_user, deactivate, set_role
from tests.db.conftest import open_session

pytestmark = pytest.mark.postgres


@dataclass
class Secured:
    """A secured schema: the owner's URL, and a way to log in as someone."""

    url: str
    owner: Engine
    admin: str
    engines: list[Engine]
    logins: list[str]

    def name(self, stem: str) -> str:
        """A login name unique in the cluster (roles are cluster-wide)."""
        login = f"{stem}_{uuid.uuid4().hex[:8]}"
        self.logins.append(login)
        return login

    def as_login(self, login: str) -> Engine:
        """An engine that logs in as ``login`` (the test server trusts loopback)."""
        engine = make_engine(make_url(self.url).set(username=login).render_as_string(False))
        self.engines.append(engine)
        return engine

    def add(self, stem: str, role: str) -> str:
        """Register a user through the workbench, logged in as the admin."""
        login = self.name(stem)
        with open_session(self.as_login(self.admin), user="whoever") as session:
            add_user(session, login, role=role)
            session.commit()
        return login


@pytest.fixture
def secured(pg_db_url) -> Iterator[Secured]:
    owner = make_engine(pg_db_url)
    create_database(owner, holiday_years=range(2025, 2026))
    state = Secured(pg_db_url, owner, "", [], [])
    state.admin = state.name("boss")
    assert main(["--db", pg_db_url, "db", "secure", "--admin", state.admin]) == 0
    with owner.connect() as conn:
        groups = group_roles(conn).all()
    yield state
    for engine in state.engines:
        engine.dispose()
    # Roles are cluster-wide: drop this test's groups and logins (and what they own).
    with owner.begin() as conn:
        for role in (*state.logins, *groups):
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                quoted = conn.dialect.identifier_preparer.quote_identifier(role)
                conn.execute(text(f"DROP OWNED BY {quoted} CASCADE"))
                conn.execute(text(f"DROP ROLE {quoted}"))
    owner.dispose()


def _refused(engine: Engine, sql: str, **params) -> str:
    """Run ``sql``; return PostgreSQL's refusal (the test fails if it is accepted)."""
    with pytest.raises(DBAPIError) as err, engine.begin() as conn:
        conn.execute(text(sql), params)
    return str(err.value.orig)


def _refused_stmt(engine: Engine, stmt) -> str:
    """Run a Core statement (past every ORM listener); return PostgreSQL's refusal."""
    with pytest.raises(DBAPIError) as err, engine.begin() as conn:
        conn.execute(stmt)
    return str(err.value.orig)


def _customer(code: str, by: str = ""):
    """A Core insert of a customer (the columns' defaults filled, no ORM listener runs)."""
    return insert(Customer.__table__).values(code=code, short_name="x", created_by=by)


def _order(engine: Engine) -> int:
    """A customer and an order for it (Core inserts); the order's id."""
    with engine.begin() as conn:
        customer = conn.execute(
            _customer("1000008").returning(Customer.__table__.c.id)
        ).scalar_one()
        return conn.execute(
            insert(Order.__table__)
            .values(
                number="20250303-0001",
                customer_id=customer,
                delivery_date=dt.date(2025, 3, 3),
                qty_20kg=1,
            )
            .returning(Order.__table__.c.id)
        ).scalar_one()


def _plan(day: str, status: str):
    return (
        insert(Plan.__table__)
        .values(plan_date=dt.date.fromisoformat(day), name=status, status=status)
        .returning(Plan.__table__.c.id)
    )


def test_a_viewer_reads_but_cannot_write_even_with_raw_sql(secured):
    viewer = secured.as_login(secured.add("vic", "viewer"))
    with viewer.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM zones")).scalar() > 0
    assert "permission denied" in _refused_stmt(viewer, _customer("1000001", "vic"))
    assert "permission denied" in _refused(viewer, "UPDATE zones SET name = 'x'")
    assert "permission denied" in _refused(viewer, "DELETE FROM holidays")
    assert "permission denied" in _refused(viewer, "UPDATE users SET role = 'admin'")


def test_a_dispatcher_writes_drafts_but_only_a_manager_publishes(secured):
    disp = secured.as_login(secured.add("dora", "dispatcher"))
    boss = secured.as_login(secured.add("mona", "manager"))
    with disp.begin() as conn:
        conn.execute(_customer("1000002", "x"))
        plan_id = conn.execute(_plan("2025-03-03", "draft")).scalar_one()
    refusal = _refused(disp, "UPDATE plans SET status = 'published' WHERE id = :i", i=plan_id)
    assert "row-level security" in refusal
    assert "row-level security" in _refused_stmt(disp, _plan("2025-03-04", "published"))
    assert "permission denied" in _refused(disp, "DELETE FROM customers WHERE code = '1000002'")
    with boss.begin() as conn:
        assert (
            conn.execute(
                text("UPDATE plans SET status = 'published' WHERE id = :i"), {"i": plan_id}
            ).rowcount
            == 1
        )
        conn.execute(text("DELETE FROM customers WHERE code = '1000002'"))
    # A dispatcher's delete of a published plan, or of its rows, finds nothing it may
    # delete, and adding rows to it is refused.
    with disp.begin() as conn:
        assert conn.execute(text("DELETE FROM plans WHERE id = :i"), {"i": plan_id}).rowcount == 0
        assert (
            conn.execute(
                text("DELETE FROM plan_unassigned WHERE plan_id = :i"), {"i": plan_id}
            ).rowcount
            == 0
        )
    order = _order(boss)
    refusal = _refused_stmt(
        disp,
        insert(PlanUnassigned.__table__).values(
            plan_id=plan_id, order_id=order, reason_code="x", reason="x"
        ),
    )
    assert "row-level security" in refusal


def test_nobody_rewrites_the_audit_trail(secured):
    admin = secured.as_login(secured.admin)
    with secured.owner.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
    for sql in (
        "UPDATE audit_log SET username = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        assert "permission denied" in _refused(admin, sql)
        # Even the role that owns it (here a superuser, who could drop the trigger first).
        assert "append-only" in _refused(secured.owner, sql)
    assert "permission denied" in _refused(
        admin,
        "INSERT INTO audit_log (at, username, action, entity, details) "
        "VALUES (now(), 'mallory', 'insert', 'customers', '{}')",
    )


def test_the_trail_and_authors_name_the_login_not_the_claimed_user(secured):
    login = secured.add("dan", "dispatcher")
    engine = secured.as_login(login)
    with open_session(engine, user="someone_else") as session:  # --user is not identity
        session.add(Customer(code="1000003", short_name="Tea shop"))
        session.commit()
    with engine.begin() as conn:  # raw SQL naming someone else as the author
        conn.execute(_customer("1000004", "mallory"))
        conn.execute(text("UPDATE customers SET short_name = 'Tea house' WHERE code = '1000003'"))
    with secured.owner.connect() as conn:
        authors = dict(conn.execute(text("SELECT code, created_by FROM customers")).all())
        trail = conn.execute(
            text(
                "SELECT username, action, entity_id, details FROM audit_log "
                "WHERE entity = 'customers' ORDER BY id"
            )
        ).all()
        updated_by = conn.execute(
            text("SELECT updated_by FROM customers WHERE code = '1000003'")
        ).scalar_one()
    assert authors == {"1000003": login, "1000004": login}
    assert updated_by == login
    assert [(r.username, r.action) for r in trail] == [
        (login, "insert"),
        (login, "insert"),
        (login, "update"),
    ]
    assert trail[0].details == {"code": "1000003"}
    assert trail[2].details == {"changes": {"short_name": ["Tea shop", "Tea house"]}}


def test_users_add_set_role_and_deactivate_change_the_login(secured):
    login = secured.add("val", "viewer")
    engine = secured.as_login(login)
    assert "permission denied" in _refused_stmt(engine, _customer("1000005"))
    with open_session(secured.as_login(secured.admin)) as session:
        set_role(session, login, "dispatcher")
        session.commit()
    with engine.begin() as conn:
        conn.execute(_customer("1000005"))
        assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == 1
    with open_session(secured.as_login(secured.admin)) as session:
        deactivate(session, login)
        session.commit()
    # Without any group of this database the schema itself is out of reach.
    refusal = _refused(engine, "SELECT count(*) FROM customers")
    assert "permission denied" in refusal or 'relation "customers" does not exist' in refusal


def test_a_user_who_is_not_admin_cannot_add_logins(secured):
    login = secured.add("mia", "manager")
    newcomer = secured.name("eve")
    url = make_url(secured.url).set(username=login).render_as_string(False)
    # --user claims the admin; PostgreSQL knows better.
    code = main(["--db", url, "--user", secured.admin, "users", "add", newcomer, "--role", "admin"])
    assert code == 1
    with secured.owner.connect() as conn:
        assert not conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": newcomer}
        ).first()
        assert not conn.execute(
            text("SELECT 1 FROM users WHERE username = :r"), {"r": newcomer}
        ).first()


def test_secure_runs_again_after_an_upgrade_and_refuses_sqlite(secured, tmp_path, capsys):
    assert main(["--db", secured.url, "db", "secure"]) == 0
    sqlite = f"sqlite:///{tmp_path / 'lg.sqlite'}"
    create_database(make_engine(sqlite), holiday_years=range(2025, 2026))
    assert main(["--db", sqlite, "db", "secure"]) == 1
    assert "PostgreSQL only" in capsys.readouterr().err
    # The workbench still writes as before after a second run.
    login = secured.add("sam", "dispatcher")
    with open_session(secured.as_login(login)) as session:
        session.add(Customer(code="1000006", short_name="Shop", created_at=dt.datetime.now(dt.UTC)))
        session.commit()


def test_an_import_is_logged_under_the_login(secured, tmp_path):
    login = secured.add("ivy", "dispatcher")
    engine = secured.as_login(login)
    with open_session(engine) as session:
        session.add(
            Customer(
                code="1000007",
                short_name="Noodles",
                zone_code="A",
                address="台東市中華路一段1號",
                lat=22.75,
                lng=121.15,
            )
        )
        session.commit()
    url = make_url(secured.url).set(username=login).render_as_string(False)
    book = tmp_path / "customers.xlsx"
    assert main(["--db", url, "export-customers", str(book)]) == 0
    assert main(["--db", url, "--user", "mallory", "import", "customers", str(book)]) == 0
    with secured.owner.connect() as conn:
        event = conn.execute(
            text("SELECT username, details FROM audit_log WHERE action = 'import'")
        ).one()
    assert event.username == login
    assert event.details["file"] == "customers.xlsx"
    assert sum(event.details[k] for k in ("added", "updated", "unchanged")) == 1


def test_a_user_is_their_login_so_renaming_is_refused(secured):
    login = secured.add("ray", "viewer")
    with open_session(secured.as_login(secured.admin)) as session:
        user = session.scalar(select(User).where(User.username == login))
        user.username = login + "x"
        with pytest.raises(RoleError, match="is their login role"):
            session.flush()
