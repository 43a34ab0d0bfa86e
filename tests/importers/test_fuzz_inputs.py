"""Property tests (issue 13): random bytes and random small spreadsheets, fed to every importer
and to the command lines that read files, never give a traceback or a half write.

From Python an importer either returns a report or raises ``ImportFailed``; from the command
line the exit code is 0 or 1 (2 for argparse), a failure ends in exactly one
``luckygas: error:`` line, no traceback and no ``internal error``, and a refused file
leaves every table as it was.
"""

from __future__ import annotations

import csv
import io
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from luckygas.cli import main
from luckygas.importers import (
    ImportFailed,
    geocode_from_file,
    import_customers,
    import_history,
    import_orders,
    write_template,
)
from luckygas.importers import layouts as L
from tests.db.conftest import add_customer
from tests.importers.helpers import table_counts

# No example database: the runs leave no .hypothesis folder in the working tree.
FUZZ = settings(
    database=None,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: The importers as the CLI names them, with the Python function behind each.
IMPORTERS: dict[str, Callable[..., Any]] = {
    "customers": import_customers,
    "orders": import_orders,
    "history": import_history,
    "geocode": geocode_from_file,
}


def _headers(kind: str) -> list[str]:
    if kind == "geocode":
        return ["code", "客戶", "lat", "lng", "latitude", "longitude"]
    english = write_template(kind, None).splitlines()[0].split(",")
    if kind == "customers":
        return english + list(L.WORKBOOK_COLUMNS[:12])
    if kind == "history":
        return [*english, "日期", "客戶編號", "時間", "丙烷20", "回收20公斤"]
    return [*english, "日期", "客戶"]


#: Cell texts an importer must survive: plausible values, edge cases and nonsense.
EDGE_CELLS = [
    "", "1400001", "1400002", "9999999", "2026-12-04", "1151204", "1900-01-01", "2999-01-01",
    "0", "1", "2", "-1", "1.5", "1e9", "1e999", "99999999999999999999", "nan", "inf", "V", "X",
    "08:00-12:00", "25:00-26:00", "A", "urgent", "=SUM(A1)", "'=HYPERLINK(\"x\")", "'-3",
    "22.75", "121.15", "91", "#DIV/0!", "臺東市中華路1號", "20*2+16*1", "cash", "motorcycle",
]  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(EDGE_CELLS),
    st.text(alphabet=string.printable.strip() + "臺東市路號", max_size=12),
)


@st.composite
def spreadsheets(draw: st.DrawFn, kind: str) -> list[list[str]]:
    """A header drawn from the kind's real columns (a few may be missing or unknown) and
    one to four rows of cells."""
    pool = _headers(kind)
    header = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(["extra", "Unnamed: 3", ""])))
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=len(header), max_size=len(header)), min_size=1, max_size=4
        )
    )
    return [header, *rows]


def _write(table: list[list[str]], path: Path) -> Path:
    if path.suffix == ".csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = L.WORKBOOK_SHEET if "客戶" in table[0] else "Sheet1"
        for row in table:
            sheet.append(row)
        book.save(path)
    return path


@pytest.fixture
def seeded(db_engine):
    """Three customers for files to refer to."""
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        for code in ("1400001", "1400002", "1400003"):
            add_customer(s, code, address="臺東市中華路1號", township="臺東市")
        s.commit()
    return db_engine


def _library_run(engine, kind: str, path: Path) -> None:
    """The importer from Python: a report or ImportFailed, and nothing half written."""
    before = table_counts(engine)
    with Session(engine) as s:
        s.info["user"] = "tester"
        try:
            IMPORTERS[kind](s, path)
        except ImportFailed:
            s.rollback()
            assert table_counts(engine) == before
            return
        s.commit()


def _cli_run(engine, kind: str, path: Path, capsys) -> None:
    """The command: exit 0 or 1, a failure ends in one error line, nothing half written."""
    before = table_counts(engine)
    args = ["geocode", "--from-file", str(path)] if kind == "geocode" else ["import", kind]
    if kind != "geocode":
        args.append(str(path))
    code = main(["--db", str(engine.url), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    assert code in (0, 1), captured.err
    if code == 1:
        errors = [ln for ln in captured.err.splitlines() if ln.startswith("luckygas: error:")]
        assert len(errors) == 1 and captured.err.rstrip().endswith(errors[0]), captured.err
        assert table_counts(engine) == before


KINDS = list(IMPORTERS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".tsv", ".txt"])
@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(seeded, tmp_path, capsys, kind, suffix, data):
    """Any bytes under any accepted suffix: refused in one line, or read."""
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _library_run(seeded, kind, path)
    _cli_run(seeded, kind, path, capsys)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@FUZZ
@given(data=st.data())
def test_random_spreadsheets(seeded, tmp_path, capsys, kind, suffix, data):
    """Small spreadsheets with real, missing and unknown columns and edge-case cells."""
    table = data.draw(spreadsheets(kind))
    path = _write(table, tmp_path / f"fuzz{suffix}")
    _library_run(seeded, kind, path)
    _cli_run(seeded, kind, path, capsys)


ARGUMENTS = st.one_of(
    st.sampled_from(["", "0", "-1", "1e999", "99999999999999999999", "nan", "2026-02-30",
                     "1900-01-01", "9999-12-31", "car:-1", "car:1e9", "12:00-11:00/x", "91,200"]),
    st.text(alphabet=string.printable.strip(), max_size=10),
)  # fmt: skip


@FUZZ
@given(
    command=st.sampled_from(
        [
            ["plan", "--no-save", "--quiet", "--date"],
            ["report", "--no-html", "--date"],
            ["forecast", "--date"],
            ["scenarios", "create", "fz", "--replace", "--demand"],
            ["scenarios", "create", "fz", "--replace", "--add-vehicle"],
            ["scenarios", "create", "fz", "--replace", "--break"],
            ["scenarios", "create", "fz", "--replace", "--depot"],
            ["scenarios", "sweep", "--setting", "fleet_size", "--values"],
            ["users", "add", "--role", "viewer"],
        ]
    ),
    value=ARGUMENTS,
)
def test_random_arguments(seeded, capsys, command, value):
    """Odd option values: exit 0, 1 or 2 (argparse), never a traceback."""
    try:
        code = main(["--db", str(seeded.url), *command, value])
    except SystemExit as exit_:  # argparse
        code = exit_.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    assert code in (0, 1, 2), captured.err
