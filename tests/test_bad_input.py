"""Bad input, everywhere (issue 13): one line of error, never a traceback, nothing written.

Quantities are bounded to 0..999 cylinders per size (at least one per order) and dates
to 2000-01-01 .. today + 2 years on every path: the command line, the importers, order
entry and scenario changes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from luckygas.cli import main
from luckygas.db import make_engine
from luckygas.domain import MAX_CYLINDERS_PER_SIZE, date_problem, latest_date
from luckygas.orders import OrderValidationError, create_order
from luckygas.scenarios import AddVehicles, Scenario
from tests.db.conftest import add_customer
from tests.importers.helpers import table_counts

HUGE = "99999999999999999999"
FAR = latest_date() + dt.timedelta(days=1)


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    return lines[-1]


def test_date_bounds():
    """2000-01-01 .. today + 2 years; the reason names the range."""
    today = dt.date(2026, 12, 3)
    assert date_problem(dt.date(2000, 1, 1), today) is None
    assert date_problem(dt.date(2028, 12, 3), today) is None
    assert (
        date_problem(dt.date(1900, 1, 1), today) == "1900-01-01 is outside 2000-01-01..2028-12-03"
    )
    assert date_problem(dt.date(2028, 12, 4), today) is not None
    assert latest_date(dt.date(2028, 2, 29)) == dt.date(2030, 2, 28)


@pytest.mark.parametrize(
    ("quantities", "day", "reason"),
    [
        ({20: int(HUGE)}, dt.date(2026, 12, 4), "20 kg count is over 999 cylinders"),
        ({20: 10**9}, dt.date(2026, 12, 4), "is over 999"),
        ({20: 1}, dt.date(1900, 12, 4), "1900-12-04 is outside 2000-01-01"),
        ({20: 1}, FAR, "is outside"),
    ],
)
def test_order_entry_is_bounded(db_engine, quantities, day, reason):
    """create_order (the forecast's and the importers' path too) refuses, writing nothing."""
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        add_customer(s, "1400001")
        with pytest.raises(OrderValidationError, match=reason):
            create_order(s, customer_code="1400001", delivery_date=day, quantities=quantities)
    assert MAX_CYLINDERS_PER_SIZE == 999


def _orders_file(tmp_path: Path, qty: str, day: str) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_code,date,qty_50kg,qty_20kg,qty_16kg,qty_10kg,qty_4kg,window,priority,notes\n"
        f"1400001,{day},0,{qty},0,0,0,,,\n",
        encoding="utf-8",
    )
    return path


def _history_file(tmp_path: Path, qty: str, day: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(f"date,customer_code,qty_20kg\n{day},1400001,{qty}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["orders", "history"])
@pytest.mark.parametrize(
    ("qty", "day", "reason"),
    [
        (HUGE, "2026-12-04", "at most 999"),
        ("1e9", "2026-12-04", "at most 999"),
        ("1e999", "2026-12-04", "not a number"),
        ("2", "1900-12-04", "date outside 2000-01-01.."),
        ("2", FAR.isoformat(), "date outside 2000-01-01.."),
    ],
)
def test_importers_bound_quantities_and_dates(db_engine, tmp_path, capsys, kind, qty, day, reason):
    """A file with a huge quantity or a date in 1900 is refused cell by cell; nothing written."""
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        add_customer(s, "1400001")
        s.commit()
    before = table_counts(db_engine)
    make = _orders_file if kind == "orders" else _history_file
    path = make(tmp_path, qty, day)
    assert main(["--db", str(db_engine.url), "import", kind, str(path)]) == 1
    captured = capsys.readouterr()
    assert reason in captured.err and "Traceback" not in captured.err
    assert captured.err.strip().splitlines()[-1].endswith("nothing was imported")
    assert table_counts(db_engine) == before


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--date", "1900-01-01"],
        ["plan", "--date", FAR.isoformat()],
        ["report", "--date", "1900-01-01"],
        ["forecast", "--date", "1899-12-31"],
        ["scenarios", "run", "baseline", "--date", "1900-01-01"],
        ["scenarios", "sweep", "--setting", "fleet_size", "--values", "1..100000000000"],
    ],
)
def test_command_line_dates_and_ranges_are_bounded(db_engine, capsys, args):
    """argparse refuses with its one error line and exit 2, before anything runs."""
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db_engine.url), *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("luckygas ")
    assert "outside 2000-01-01" in err or "a sweep takes at most" in err


def test_scenario_changes_are_bounded():
    """Demand, added vehicles and vehicle counts have upper bounds too."""
    with pytest.raises(ValueError, match=r"demand_multiplier must be a number in \(0, 10\)"):
        Scenario("big", demand_multiplier=1e9)
    with pytest.raises(ValueError, match=r"count must be an int in \[1, 100\]"):
        AddVehicles("car", 10**9)
    with pytest.raises(ValueError, match=r"must be an int in \[0, 100\]"):
        Scenario("many", vehicle_counts={"car": 10**9})


def test_scenario_cli_refuses_huge_counts(db_engine, capsys):
    """`scenarios create --add-vehicle car:HUGE` is one line, exit 1, nothing saved."""
    url = str(db_engine.url)
    assert main(["--db", url, "scenarios", "create", "x", "--add-vehicle", f"car:{HUGE}"]) == 1
    assert "count must be an int in [1, 100]" in _one_line_error(capsys)
    assert main(["--db", url, "scenarios", "create", "y", "--demand", "1e9"]) == 1
    assert "demand_multiplier" in _one_line_error(capsys)


def test_a_file_that_is_not_a_database_is_one_line(tmp_path, capsys):
    """`--db` pointing at a text file: one line naming the file, exit 1 (was 129 lines)."""
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("shopping list\n" * 50)
    for args in (["plans"], ["users", "list"], ["import", "orders", str(bogus)]):
        assert main(["--db", f"sqlite:///{bogus}", *args]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"luckygas: error: cannot use the database sqlite:///{bogus}: "
                       "file is not a database"], err  # fmt: skip


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`luckygas users list | head` printed a BrokenPipe traceback; now nothing on stderr."""
    from luckygas.schema import create_database
    from tests.factories import register

    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    create_database(url, holiday_years=range(2026, 2027))
    register(make_engine(url), "tester")
    proc = subprocess.Popen(
        [sys.executable, "-c", _LIST_MANY_USERS, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "LUCKYGAS_USER": "tester"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the first line
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 141, err


# Some users to list: the reader has gone, so the first write meets the closed pipe.
_LIST_MANY_USERS = """
import sys
from luckygas.cli import main
from luckygas.db import make_engine, session_scope
from luckygas.users import add_user
url = sys.argv[1]
with session_scope(make_engine(url), user="tester") as s:
    for i in range(20):
        add_user(s, f"user{i:04d}", role="viewer")
sys.exit(main(["--db", url, "users", "list"]))
"""
