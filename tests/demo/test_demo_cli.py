"""``luckygas demo-data`` and ``luckygas demo`` on a temporary database."""

from __future__ import annotations

from luckygas.cli import main

SMALL_ARGS = ["--customers", "120", "--history-days", "60", "--seed", "5"]


def test_demo_data_builds_and_refuses_to_overwrite(tmp_path, capsys):
    """demo-data writes a database, refuses to overwrite it, and replaces it with --force."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["--db", url, "demo-data", *SMALL_ARGS]) == 0
    assert "demo database written" in capsys.readouterr().out
    assert main(["--db", url, "demo-data", *SMALL_ARGS]) == 1
    assert "--force" in capsys.readouterr().err
    # Replacing needs the admin role (the demo's 'admin') and --yes; a backup comes first.
    again = ["--db", url, "--user", "admin", "demo-data", *SMALL_ARGS, "--seed", "6", "--force"]
    assert main([*again, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "seed 6" in out
    assert f"backup written to {tmp_path}/luckygas-backup-" in out


def test_demo_creates_missing_database_and_describes_it(tmp_path, capsys):
    """demo builds the database when missing and prints customers, fleet, history and orders."""
    url = f"sqlite:///{tmp_path / 'sub' / 'demo.sqlite'}"
    assert main(["--db", url, "demo", "--no-progress", *SMALL_ARGS]) == 0
    out = capsys.readouterr().out
    assert "building the demo" in out
    for text in ("Customers: 120", "A-瑞光", "Fleet:", "History:", "Open orders for 2026-12-01"):
        assert text in out
    # A second run reuses the database.
    assert main(["--db", url, "demo", "--no-progress"]) == 0
    assert "using the database" in capsys.readouterr().out


def test_demo_data_rejects_bad_values(tmp_path, capsys):
    """A nonsense customer count is a clear error, not a traceback."""
    url = f"sqlite:///{tmp_path / 'bad.sqlite'}"
    assert main(["--db", url, "demo-data", "--customers", "3"]) == 1
    assert "n_customers" in capsys.readouterr().err


def test_demo_data_registers_its_builder_as_admin(tmp_path, capsys):
    """`--user X demo-data` makes X the demo's admin: X can then add a colleague."""
    url = f"sqlite:///{tmp_path / 'mine.sqlite'}"
    assert main(["--db", url, "--user", "ana", "demo-data", *SMALL_ARGS]) == 0
    capsys.readouterr()
    assert main(["--db", url, "--user", "ana", "users", "add", "bo", "--role", "viewer"]) == 0
    assert main(["--db", url, "--user", "bo", "users", "add", "cy", "--role", "viewer"]) == 1
    assert "needs admin" in capsys.readouterr().err
