"""Building the demo: reproducible, all-or-nothing, refuses to overwrite."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from luckygas.db import make_engine
from luckygas.demo import DemoDatabaseError, DemoParams, build_demo_database, database_fingerprint
from luckygas.domain import Role
from luckygas.models import Customer, Driver, User


def _fresh(tmp_path, name):
    return make_engine(f"sqlite:///{tmp_path / name}")


def test_same_seed_same_database(tmp_path, small_demo):
    """Two builds with the same seed produce identical table contents."""
    engine = _fresh(tmp_path, "again.sqlite")
    build_demo_database(engine, small_demo.params, progress=False)
    assert database_fingerprint(engine) == database_fingerprint(small_demo.engine)
    engine.dispose()


def test_different_seed_different_database(tmp_path, small_demo):
    """Another seed gives another demo."""
    engine = _fresh(tmp_path, "other.sqlite")
    params = DemoParams(seed=12, n_customers=200, history_days=120)
    build_demo_database(engine, params, progress=False)
    assert database_fingerprint(engine) != database_fingerprint(small_demo.engine)
    engine.dispose()


def test_refuses_a_database_with_customers(small_demo):
    """Building over existing customers fails clearly and writes nothing."""
    with small_demo.engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(Customer))
    with pytest.raises(DemoDatabaseError, match="already holds customers"):
        build_demo_database(small_demo.engine, small_demo.params, progress=False)
    with small_demo.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Customer)) == before


def test_small_demo_scales_counts(small_demo):
    """A smaller demo keeps the proportions and still has orders for the next day."""
    c = small_demo.customers
    assert len(c) == 200
    assert (c["township"] == "臺東市").mean() > 0.8
    assert small_demo.summary.open_orders > 10
    assert len(small_demo.deliveries) > 1000


def test_users_and_drivers(small_demo):
    """Office users with roles, one driver user per vehicle, and the builder as an admin
    (so `luckygas demo` and the suite, LUCKYGAS_USER=ci, may write to it)."""
    from luckygas.config import current_user
    from luckygas.demo.fleet import DEMO_USERS

    with small_demo.engine.connect() as conn:
        roles = dict(conn.execute(select(User.username, User.role)).all())
        linked = list(conn.scalars(select(Driver.username)))
    values = {str(getattr(r, "value", r)) for r in roles.values()}
    assert {"admin", "manager", "dispatcher", "driver", "viewer"} <= values
    assert all(roles[u] is not None for u in linked)
    demo_roles = {u: role for u, _, role in DEMO_USERS}
    assert roles[current_user()] == demo_roles.get(current_user(), Role.ADMIN)


def test_the_builder_is_named_by_the_caller(tmp_path):
    """``admin=`` names the builder; a demo user's name keeps its demo role."""
    params = DemoParams(n_customers=60, history_days=60)
    for name, role in (("ana", Role.ADMIN), ("viewer", Role.VIEWER)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite")
        build_demo_database(engine, params, progress=False, admin=name)
        with engine.connect() as conn:
            got = conn.scalar(select(User.role).where(User.username == name))
        engine.dispose()
        assert got == role


def test_bad_params_are_rejected():
    """Nonsense parameters fail with a message naming the field."""
    with pytest.raises(ValueError, match="n_customers"):
        DemoParams(n_customers=3)
    with pytest.raises(ValueError, match="not_home_rate"):
        DemoParams(not_home_rate=0.9)
