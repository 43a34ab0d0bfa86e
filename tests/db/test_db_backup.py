"""``luckygas db backup`` / ``db restore`` and the guard on destructive commands.

Backups round-trip on both backends; a file that is not a luckygas database is refused
with the database untouched; ``db upgrade``, ``db downgrade`` and ``demo-data --force``
need the admin role and a typed confirmation (or ``--yes``) and take a backup first;
``--force`` drops only luckygas's tables; a ``kill -9`` during a backup leaves the
database intact and no file under the backup's name.
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from luckygas import backup
from luckygas.backup import BackupError, backup_database, check_backup, find_pg_tool
from luckygas.cli import main
from luckygas.db import make_engine
from luckygas.domain import Role
from luckygas.models import Customer
from luckygas.schema import create_database, current_revision, head_revision, upgrade
from tests.db.conftest import add_customer, add_users, open_session

ROOT = Path(__file__).resolve().parents[2]


def _names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Customer.short_name).order_by(Customer.code)))


def _database(url: str) -> Engine:
    """A database at head with two customers (and no users: the bootstrap case)."""
    engine = make_engine(url)
    create_database(engine, holiday_years=range(2025, 2026))
    with open_session(engine) as s:
        add_customer(s, "1000001", short_name="Alpha")
        add_customer(s, "1000002", short_name="Beta")
        s.commit()
    return engine


def _backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("luckygas-backup-*"))


@pytest.fixture
def stdin(monkeypatch):
    """Replace stdin with ``text`` (what a person types at the confirmation)."""

    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


def test_backup_modify_restore_gives_back_the_old_data(db_url, tmp_path, capsys, monkeypatch):
    """backup -> change a name, add a customer -> restore: the data of the backup is back."""
    engine = _database(db_url)
    suffix = ".sqlite" if db_url.startswith("sqlite") else ".dump"
    saved = tmp_path / "saved" / f"before{suffix}"
    try:
        assert main(["--db", db_url, "db", "backup", str(saved)]) == 0
        assert f"backup written to {saved}" in capsys.readouterr().out
        with engine.begin() as conn:
            conn.execute(text("UPDATE customers SET short_name = 'Changed' WHERE code = '1000001'"))
        with open_session(engine) as s:
            add_customer(s, "1000003", short_name="Gamma")
            s.commit()
        assert _names(engine) == ["Changed", "Beta", "Gamma"]

        monkeypatch.chdir(tmp_path)  # a PostgreSQL database's safety backup goes to the cwd
        assert main(["--db", db_url, "db", "restore", str(saved), "--yes"]) == 0
        out = capsys.readouterr().out
        assert f"restored from {saved} (revision {head_revision()})" in out
        assert _names(engine) == ["Alpha", "Beta"]
        # The data it replaced was backed up first and is itself restorable.
        [safety] = _backups(tmp_path)
        assert f"backup written to {safety}" in out
        assert check_backup(db_url, safety).revision == head_revision()
        # The restored database works: it is written to as usual.
        with open_session(engine) as s:
            add_customer(s, "1000004", short_name="Delta")
            s.commit()
        assert _names(engine) == ["Alpha", "Beta", "Delta"]
    finally:
        engine.dispose()


def test_restored_sqlite_database_is_sound(tmp_path):
    """After a restore the SQLite file passes integrity_check and is still in WAL mode."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = _database(url)
    try:
        saved = backup_database(url, tmp_path / "b.sqlite")
        backup.restore_database(url, saved)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        # The backup file stands alone: no -wal beside it is needed to read it.
        assert not Path(f"{saved}-wal").exists()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "content", [b"hello, not a database\n", b"", "sqlite-other"], ids=["text", "empty", "other"]
)
def test_restore_refuses_a_file_that_is_not_a_luckygas_database(tmp_path, capsys, content):
    """A text file, an empty file, another application's SQLite file: one line, nothing changed."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = _database(url)
    bad = tmp_path / "bad.sqlite"
    if content == "sqlite-other":
        with sqlite3.connect(bad) as other:
            other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        other.close()
    else:
        bad.write_bytes(content)
    before = Path(tmp_path / "db.sqlite").read_bytes()
    try:
        assert main(["--db", url, "db", "restore", str(bad), "--yes"]) == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert "nothing was changed" in err
        assert "not a" in err or "no alembic_version" in err
        assert _names(engine) == ["Alpha", "Beta"]
        assert Path(tmp_path / "db.sqlite").read_bytes() == before
        assert _backups(tmp_path) == []  # refused before anything was done
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_restore_refuses_a_non_dump_on_postgresql(pg_db_url, tmp_path, capsys):
    """pg_restore's complaint about a non-archive becomes one line; the tables are untouched."""
    engine = _database(pg_db_url)
    bad = tmp_path / "bad.dump"
    bad.write_text("not a dump\n")
    try:
        assert main(["--db", pg_db_url, "db", "restore", str(bad), "--yes"]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "pg_restore" in err
        assert _names(engine) == ["Alpha", "Beta"]
    finally:
        engine.dispose()


def test_backup_refuses_bad_targets(tmp_path, capsys):
    """Onto the database (or its -wal), over an existing file, a wrong suffix: refused."""
    db = tmp_path / "db.sqlite"
    url = f"sqlite:///{db}"
    engine = _database(url)
    existing = tmp_path / "old.sqlite"
    existing.write_bytes(b"keep")
    before = db.read_bytes()
    try:
        for target, message in [
            (db, "is the database"),
            (Path(f"{db}-wal"), "is the database"),
            (tmp_path / "." / "db.sqlite", "is the database"),
            (existing, "exists"),
            (tmp_path / "b.xlsx", "must end in .sqlite"),
        ]:
            assert main(["--db", url, "db", "backup", str(target)]) == 1, target
            err = capsys.readouterr().err.strip()
            assert message in err and len(err.splitlines()) == 1, err
        assert db.read_bytes() == before
        assert existing.read_bytes() == b"keep"
        assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left behind
        with pytest.raises(BackupError, match="is the database itself"):
            check_backup(url, db)
    finally:
        engine.dispose()


def test_backup_of_a_missing_database_is_one_line(tmp_path, capsys):
    """No database file: one line, and no backup file appears."""
    url = f"sqlite:///{tmp_path / 'none.sqlite'}"
    assert main(["--db", url, "db", "backup", str(tmp_path / "b.sqlite")]) == 1
    assert "no database file" in capsys.readouterr().err
    assert not (tmp_path / "b.sqlite").exists()


def test_default_backup_name_is_beside_the_database_and_new(tmp_path, capsys):
    """Without FILE: luckygas-backup-YYYYmmdd-HHMMSS.sqlite beside the file, never reused."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = _database(url)
    try:
        assert main(["--db", url, "db", "backup"]) == 0
        assert main(["--db", url, "db", "backup"]) == 0
        first, second = _backups(tmp_path)
        assert first.name.startswith("luckygas-backup-") and first.suffix == ".sqlite"
        assert first != second
        assert check_backup(url, first).revision == head_revision()
    finally:
        engine.dispose()


def test_downgrade_without_yes_or_confirmation_is_refused(tmp_path, capsys, stdin):
    """No --yes and nothing typed (or the wrong name): refused, no backup, schema unchanged."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = _database(url)
    try:
        for typed in ("", "yes\n"):
            stdin(typed)
            assert main(["--db", url, "db", "downgrade", "base"]) == 1
            err = capsys.readouterr().err
            assert "Type the database name (db.sqlite)" in err
            assert "not confirmed (type db.sqlite or pass --yes); nothing was changed" in err
            assert current_revision(engine) == head_revision()
            assert _names(engine) == ["Alpha", "Beta"]
            assert _backups(tmp_path) == []
    finally:
        engine.dispose()


def test_downgrade_with_the_name_typed_backs_up_first(tmp_path, capsys, stdin):
    """Typing the database name goes on: a backup at the old revision, then the downgrade."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = _database(url)
    try:
        stdin("db.sqlite\n")
        assert main(["--db", url, "db", "downgrade", "base"]) == 0
        out = capsys.readouterr().out
        [saved] = _backups(tmp_path)
        assert f"backup written to {saved}" in out
        assert current_revision(engine) is None
        assert check_backup(url, saved).revision == head_revision()
        # ... and the backup brings everything back.
        assert main(["--db", url, "db", "restore", str(saved), "--yes"]) == 0
        assert _names(engine) == ["Alpha", "Beta"]
    finally:
        engine.dispose()


def test_upgrade_with_yes_writes_a_backup_first(tmp_path, capsys):
    """A database at an older revision: --yes skips the question, not the backup."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO users (username, full_name, role, is_active, created_at,"
                     " created_by) VALUES ('boss', '', 'admin', 1, '2026-01-01', 'x')")
            )  # fmt: skip
        assert main(["--db", url, "--user", "boss", "db", "upgrade", "--yes"]) == 0
        out = capsys.readouterr().out
        [saved] = _backups(tmp_path)
        assert out.index(f"backup written to {saved}") < out.index("upgraded from 0001")
        assert check_backup(url, saved).revision == "0001"
        assert current_revision(engine) == head_revision()
        # Already at head: nothing to do, so nothing asked and no second backup.
        assert main(["--db", url, "db", "upgrade"]) == 0
        assert "already at revision" in capsys.readouterr().out
        assert len(_backups(tmp_path)) == 1
    finally:
        engine.dispose()


def test_upgrade_of_a_new_database_asks_nothing(tmp_path, capsys):
    """Creating a database has nothing to lose: no question, no backup."""
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert "upgraded from empty" in capsys.readouterr().out
    assert _backups(tmp_path) == []


@pytest.mark.parametrize("who", ["viewer1", "manager1", "stranger"])
def test_destructive_commands_need_an_admin(tmp_path, capsys, who):
    """Once the database has users, only an active admin may downgrade, restore or --force."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = _database(url)
    add_users(engine, boss=Role.ADMIN, viewer1=Role.VIEWER, manager1=Role.MANAGER)
    saved = backup_database(url, tmp_path / "saved.sqlite")
    try:
        for argv in (
            ["db", "downgrade", "base", "--yes"],
            ["db", "restore", str(saved), "--yes"],
            ["demo-data", "--force", "--yes", "--customers", "100"],
        ):
            assert main(["--db", url, "--user", who, *argv]) == 1
            err = capsys.readouterr().err
            assert f"user {who!r}" in err and "needs admin" in err, err
        assert current_revision(engine) == head_revision()
        assert _names(engine) == ["Alpha", "Beta"]
        assert _backups(tmp_path) == []
        assert main(["--db", url, "--user", "boss", "db", "downgrade", "-1", "--yes"]) == 0
    finally:
        engine.dispose()


def test_demo_data_force_keeps_other_tables_and_backs_up(db_url, tmp_path, capsys, monkeypatch):
    """--force drops luckygas's tables only: another application's table survives."""
    engine = make_engine(db_url)
    small = ["--customers", "100", "--history-days", "30"]
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE legacy_invoices (id INTEGER PRIMARY KEY, note TEXT)"))
            conn.execute(text("INSERT INTO legacy_invoices VALUES (1, 'keep me')"))
        # Only a foreign table: not a luckygas database, but not empty either.
        assert main(["--db", db_url, "demo-data", *small]) == 1
        assert "add --force" in capsys.readouterr().err
        assert main(["--db", db_url, "demo-data", *small, "--force"]) == 0
        capsys.readouterr()

        monkeypatch.chdir(tmp_path)  # PostgreSQL backups go to the current folder
        argv = ["--db", db_url, "--user", "admin", "demo-data", *small, "--seed", "9"]
        assert main([*argv, "--force", "--yes"]) == 0
        out = capsys.readouterr().out
        [saved] = _backups(tmp_path)
        assert f"backup written to {saved}" in out and "seed 9" in out
        with engine.connect() as conn:
            assert conn.execute(text("SELECT note FROM legacy_invoices")).scalar() == "keep me"
            assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == 100
        # The backup holds the database that was replaced (and not the foreign table).
        info = check_backup(db_url, saved)
        assert "legacy_invoices" not in info.tables or db_url.startswith("sqlite")
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_restore_leaves_other_tables_alone(pg_db_url, tmp_path):
    """A restore replaces luckygas's tables; another application's rows changed since stay."""
    engine = _database(pg_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE legacy_invoices (id INTEGER PRIMARY KEY, note TEXT)"))
        saved = backup_database(pg_db_url, tmp_path / "b.dump")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO legacy_invoices VALUES (1, 'written later')"))
            conn.execute(text("DELETE FROM customer_cylinders"))
            conn.execute(text("UPDATE customers SET short_name = 'x'"))
        backup.restore_database(pg_db_url, saved)
        assert _names(engine) == ["Alpha", "Beta"]
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT note FROM legacy_invoices")).scalar() == "written later"
            )
            # Sequences came back with their tables: the next insert gets a fresh id.
        with open_session(engine) as s:
            add_customer(s, "1000009", short_name="Next")
            s.commit()
    finally:
        engine.dispose()


def test_missing_postgresql_tools_are_one_line(monkeypatch):
    """pg_dump neither on PATH nor in the PostgreSQL bin folders: what to install, one line."""
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backup, "PG_BIN_GLOB", "/nonexistent/postgresql/*/bin")
    with pytest.raises(BackupError, match=r"^pg_dump not found on PATH .*postgresql-client"):
        find_pg_tool("pg_dump")


def test_conninfo_keeps_options_and_hides_the_password():
    """The libpq URI keeps host, port, database and options; the password goes by env."""
    uri = backup._conninfo(
        "postgresql+psycopg://amy:s3cr%40t@db.example:5433/lg?options=-csearch_path%3Dt_1"
    )
    assert uri == "postgresql://amy@db.example:5433/lg?options=-csearch_path%3Dt_1"


# ---------------------------------------------------------------------------
# kill -9 during a backup
# ---------------------------------------------------------------------------

BALLAST_MB = 150


def test_kill_9_during_a_backup_leaves_the_database_intact(tmp_path):
    """SIGKILL mid-copy: the database opens and passes integrity_check; no final file."""
    db = tmp_path / "db.sqlite"
    url = f"sqlite:///{db}"
    engine = _database(url)
    with engine.begin() as conn:
        # Enough pages that the copy takes a moment (about a second here).
        conn.exec_driver_sql("CREATE TABLE ballast (b BLOB)")
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            f"WHERE i < {BALLAST_MB}) INSERT INTO ballast SELECT randomblob(1000000) FROM n"
        )
    engine.dispose()
    final = tmp_path / "out" / "backup.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "luckygas.cli", "--db", url, "db", "backup", str(final)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Wait until the copy is under way: the temporary file beside the target grows.
        deadline = time.monotonic() + 120
        partial: list[Path] = []
        while time.monotonic() < deadline and proc.poll() is None:
            partial = [p for p in final.parent.glob(".backup.*") if p.stat().st_size > 8 << 20]
            if partial:
                break
            time.sleep(0.005)
        assert partial, "the backup finished (or failed) before it could be killed"
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not final.exists()  # only the temporary name, never a half file under the real one

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("SELECT count(*) FROM ballast").scalar() == BALLAST_MB
        assert _names(engine) == ["Alpha", "Beta"]
        with open_session(engine) as s:  # and it still takes writes
            add_customer(s, "1000003", short_name="Gamma")
            s.commit()
    finally:
        engine.dispose()
    # A backup run afterwards succeeds and is complete.
    assert backup_database(url, final) == final
    with sqlite3.connect(final) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM ballast").fetchone()[0] == BALLAST_MB
    copy.close()


def test_demo_data_force_refuses_a_file_that_is_not_a_database(tmp_path, capsys):
    """--force over a text file named as the database: refused, the file kept as it is."""
    junk = tmp_path / "notes.sqlite"
    junk.write_text("my notes\n")
    url = f"sqlite:///{junk}"
    assert main(["--db", url, "demo-data", "--force", "--yes", "--customers", "100"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "file is not a database" in err and "not replaced" in err
    assert junk.read_text() == "my notes\n"


@pytest.mark.postgres
def test_postgresql_refuses_to_drop_tables_another_table_depends_on(
    pg_db_url, tmp_path, capsys, monkeypatch
):
    """A foreign table with a foreign key onto ours: restore and --force refuse, one line."""
    monkeypatch.chdir(tmp_path)  # where the safety backups go
    engine = _database(pg_db_url)
    try:
        saved = backup_database(pg_db_url, tmp_path / "b.dump")
        with engine.begin() as conn:
            conn.execute(
                text("CREATE TABLE notes (id INTEGER PRIMARY KEY,"
                     " customer_id INTEGER REFERENCES customers (id))")
            )  # fmt: skip
            conn.execute(text("INSERT INTO notes SELECT 1, min(id) FROM customers"))
            conn.execute(text("UPDATE customers SET short_name = 'Changed'"))
        for argv in (
            ["db", "restore", str(saved), "--yes"],
            ["demo-data", "--force", "--yes", "--customers", "100"],
        ):
            assert main(["--db", pg_db_url, *argv]) == 1
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and "nothing was changed" in err, err
            assert "depend" in err
            assert _names(engine) == ["Changed", "Changed"]
    finally:
        engine.dispose()
