"""Users and roles, from Python and from the command line."""

from __future__ import annotations

import pytest

from luckygas.audit import RoleError
from luckygas.cli import main
from luckygas.domain import Role
from luckygas.users import UserError, add_user, deactivate, list_users, set_role
from tests.db.conftest import add_users, open_session


def test_first_admin_then_admin_manages_roles(bare):
    """Anyone may create the first admin; afterwards only an admin grants roles."""
    engine = bare
    with open_session(engine, "root") as s:
        add_user(s, "boss", role="admin", full_name="Boss")
        s.commit()
    with open_session(engine, "boss") as s:
        add_user(s, "amy", role=Role.DISPATCHER)
        set_role(s, "amy", "manager")
        s.commit()
    with open_session(engine, "amy") as s:
        refused = "user 'amy' \\(role manager\\) cannot add users: needs admin"
        with pytest.raises(RoleError, match=refused):
            add_user(s, "bob", role="admin")
        s.rollback()
    with open_session(engine, "boss") as s:
        deactivate(s, "amy")
        s.commit()
        frame = list_users(s)
    assert frame[["username", "role", "is_active"]].values.tolist() == [
        ["amy", "manager", False],
        ["boss", "admin", True],
    ]
    assert frame.loc[frame.username == "amy", "created_by"].item() == "boss"


@pytest.mark.parametrize(
    ("name", "role", "field"),
    [("two words", "viewer", "username"), ("", "viewer", "username"), ("ok", "boss", "role")],
)
def test_bad_user_input_names_the_field(engine, name, role, field):
    """A malformed name or an unknown role is refused with the field named."""
    add_users(engine, boss=Role.ADMIN)
    with open_session(engine, "boss") as s, pytest.raises(UserError, match=f"^{field}:"):
        add_user(s, name, role=role)


def test_duplicate_user_is_refused(engine):
    """Adding a user twice says the name exists."""
    add_users(engine, boss=Role.ADMIN)
    with open_session(engine, "boss") as s:
        add_user(s, "amy")
        with pytest.raises(UserError, match="already exists"):
            add_user(s, "amy")


def test_cli_users_add_list_set_role(tmp_path, capsys):
    """`luckygas users add/list/set-role` work end to end and refuse a non-admin."""
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    assert main(["--db", url, "users", "list"]) == 1  # no database yet
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "--user", "root", "users", "add", "boss", "--role", "admin"]) == 0
    assert main(["--db", url, "--user", "boss", "users", "add", "amy", "--role", "viewer"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "--user", "amy", "users", "set-role", "amy", "admin"]) == 1
    assert "user 'amy' (role viewer) cannot grant roles: needs admin" in capsys.readouterr().err
    assert main(["--db", url, "--user", "boss", "users", "set-role", "amy", "dispatcher"]) == 0
    assert main(["--db", url, "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "amy" in out and "dispatcher" in out and "boss" in out
