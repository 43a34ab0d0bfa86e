"""One behaviour on both backends: URLs, connection failures, empty schemas, fingerprints."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from luckygas.cli import main
from luckygas.config import normalize_database_url, resolve_database_url
from luckygas.db import make_engine
from luckygas.demo import DemoParams, build_demo_database, database_fingerprint
from luckygas.domain import Role
from luckygas.schema import tables_with_data
from tests.db.conftest import add_users, pg_schema_url

SMALL_DEMO = ["--customers", "60", "--history-days", "30", "--seed", "5"]

#: Nothing listens on port 1: the connection is refused at once (no timeout to wait for).
UNREACHABLE = "postgres://nobody@127.0.0.1:1/luckygas"


# ---------------------------------------------------------------------------
# postgres:// URLs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgres://amy:s%40cret@db.example:5433/lg?sslmode=require",
            "postgresql+psycopg://amy:s%40cret@db.example:5433/lg?sslmode=require",
        ),
        ("POSTGRES://amy@db/lg", "postgresql+psycopg://amy@db/lg"),
        ("postgres+psycopg://amy@db/lg", "postgresql+psycopg://amy@db/lg"),
        ("postgresql+psycopg://amy@db/lg", "postgresql+psycopg://amy@db/lg"),
        ("sqlite:///data/postgres://x.sqlite", "sqlite:///data/postgres://x.sqlite"),
    ],
)
def test_postgres_urls_are_postgresql(given, used, monkeypatch):
    """What hosts hand out (postgres://) is PostgreSQL on the installed driver, from the
    command line and from the environment; the rest of the URL is kept as it was."""
    assert normalize_database_url(given) == used
    assert resolve_database_url(given) == used
    monkeypatch.setenv("LUCKYGAS_DATABASE_URL", given)
    assert resolve_database_url() == used
    if used.startswith("postgresql"):
        engine = make_engine(given)  # creating an engine does not connect
        assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
        engine.dispose()


@pytest.mark.postgres
def test_a_postgres_url_reaches_the_server(pg_db_url, capsys):
    """`--db postgres://...` upgrades and reads a real server (it was 'not a database URL')."""
    url = make_url(pg_db_url).set(drivername="postgres").render_as_string(hide_password=False)
    assert url.startswith("postgres://")
    assert main(["--db", url, "db", "upgrade", "--yes"]) == 0
    assert main(["--db", url, "db", "current"]) == 0
    assert "(up to date)" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# A database that cannot be reached or read: the same one line from every command
# ---------------------------------------------------------------------------

COMMANDS = [
    ["plans"],
    ["db", "upgrade", "--yes"],
    ["db", "current"],
    ["db", "downgrade", "-1", "--yes"],
    ["db", "backup"],
    ["demo-data"],
    ["demo-data", "--force", "--yes"],
    ["users", "list"],
    ["plan", "--date", "2026-12-01"],
    ["forecast", "--date", "2026-12-01"],
    ["scenarios", "list"],
    ["roads", "info"],
]


def _errors(url: str, capsys) -> dict[str, str]:
    seen = {}
    for command in COMMANDS:
        assert main(["--db", url, *command]) == 1, command
        seen[" ".join(command)] = capsys.readouterr().err
    return seen


def test_an_unreachable_server_reads_the_same_from_every_command(capsys):
    """One line naming the database and the driver's reason; no SQL, no documentation link."""
    seen = _errors(UNREACHABLE, capsys)
    first = seen["plans"]
    assert first.startswith(
        "luckygas: error: cannot use the database postgresql+psycopg://nobody@127.0.0.1:1/"
        "luckygas: "
    )
    assert first.count("\n") == 1 and "sqlalche.me" not in first
    assert {command: err for command, err in seen.items() if err != first} == {}


def test_a_file_that_is_not_a_database_reads_the_same_from_every_command(tmp_path, capsys):
    """The same for a SQLite URL naming some other file (which is left as it was); `db
    backup` and `demo-data --force`, which would copy or replace the file, refuse in
    their own words, also on one line."""
    path = tmp_path / "notes.sqlite"
    path.write_text("not a database\n" * 100)
    seen = _errors(f"sqlite:///{path}", capsys)
    first = seen["plans"]
    assert first == (
        f"luckygas: error: cannot use the database sqlite:///{path}: file is not a database\n"
    )
    for own_words in ("db backup", "demo-data --force --yes"):
        err = seen.pop(own_words)
        assert err.count("\n") == 1 and "file is not a database" in err, own_words
    assert {command: err for command, err in seen.items() if err != first} == {}
    assert path.read_text() == "not a database\n" * 100


# ---------------------------------------------------------------------------
# An empty schema is not data
# ---------------------------------------------------------------------------


def test_an_upgraded_database_holds_no_data(bare):
    """Tables, alembic_version and the reference data (what `db upgrade` writes) are not
    data; a registered user is, and so is another application's table."""
    assert tables_with_data(bare) == []
    add_users(bare, amy=Role.ADMIN)
    assert tables_with_data(bare) == ["users"]
    with bare.begin() as conn:
        conn.execute(text("CREATE TABLE legacy_invoices (id INTEGER PRIMARY KEY)"))
    assert tables_with_data(bare) == ["users", "legacy_invoices"]


def test_demo_data_after_db_upgrade(db_url, capsys):
    """The README's order of steps: `db upgrade` on an empty database, then `demo-data`
    builds into it without --force; a second `demo-data` is refused."""
    assert main(["--db", db_url, "db", "upgrade"]) == 0
    assert main(["--db", db_url, "demo-data", *SMALL_DEMO]) == 0
    assert "demo database written" in capsys.readouterr().out
    assert main(["--db", db_url, "demo-data", *SMALL_DEMO]) == 1
    assert "already holds data; add --force" in capsys.readouterr().err


def test_demo_builds_into_an_upgraded_database(tmp_path, capsys):
    """`luckygas demo` does the same (it said 'exists but holds no customers')."""
    from luckygas.cli.demo import DemoContext, stage_ensure_database

    url = f"sqlite:///{tmp_path / 'lg.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    args = argparse.Namespace(seed=5, as_of=None, customers=60, history_days=30, user=None)
    stage_ensure_database(DemoContext(args=args, url=url, progress=False))
    assert f"no data at {url}: building the demo" in capsys.readouterr().out
    assert "customers" in tables_with_data(url)


# ---------------------------------------------------------------------------
# Fingerprints
# ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_same_demo_has_the_same_fingerprint_on_both_backends(tmp_path):
    """Timestamps (naive from SQLite, aware from PostgreSQL) no longer tell them apart."""
    params = DemoParams(seed=5, n_customers=60, history_days=30)
    fingerprints = []
    with pg_schema_url() as pg_url:
        for url in (f"sqlite:///{tmp_path / 'fp.sqlite'}", pg_url):
            engine = make_engine(url)
            build_demo_database(engine, params, progress=False, admin="builder")
            fingerprints.append(database_fingerprint(engine))
            engine.dispose()
    assert fingerprints[0] == fingerprints[1]
