"""Safe outputs: every xlsx/csv writer neutralises formulas; the database is never an output.

Each writer is fed customers named like formulas and read back with openpyxl (xlsx) or
the csv module (csv): no cell may come back as a formula, and in CSV every such text
starts with ``'`` while numbers (negative ones included) stay numbers.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.cli import main
from luckygas.importers import export_customers, write_template
from luckygas.importers.samples import write_workbook
from luckygas.outputs import (
    OutputPathError,
    atomic_output,
    check_output_path,
    neutralise_cell,
    write_csv,
    write_xlsx,
)
from luckygas.reports.excel import write_plan_workbook, write_stops_csv
from tests.reports.helpers import make_plan_data

#: Text a spreadsheet would evaluate: a live link, a sum, a "number" typed as text.
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)")


def _xlsx_cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(path)  # not data_only: formulas would come back as 'f'
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _assert_xlsx_safe(path: Path, expected: tuple[str, ...] = FORMULAS) -> None:
    cells = _xlsx_cells(path)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula was written"
    texts = {c.value for c in cells if c.data_type == "s"}
    for value in expected:
        assert value in texts, f"{value!r} not written as text"


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _assert_csv_safe(path: Path, expected: tuple[str, ...] = FORMULAS) -> None:
    cells = _csv_cells(path)
    for value in expected:
        assert f"'{value}" in cells, f"{value!r} not neutralised"
        assert value not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]


@pytest.fixture
def formula_customers(db_engine):
    """Four customers named (and addressed, and noted) like formulas."""
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        for i, text in enumerate(FORMULAS, 1):
            s.add(m.Customer(code=f"{1000000 + i}", short_name=text, address=text, notes=text,
                             phone=text, zone_code="A"))  # fmt: skip
        s.commit()
    return db_engine


def test_neutralise_cell_touches_only_text_that_starts_a_formula():
    """Strings get a quote; numbers (negative too) and harmless text are unchanged."""
    assert [neutralise_cell(v) for v in FORMULAS] == [f"'{v}" for v in FORMULAS]
    assert neutralise_cell("\tx") == "'\tx" and neutralise_cell("\r=1") == "'\r=1"
    assert neutralise_cell(-2) == -2 and neutralise_cell(-2.5) == -2.5
    assert neutralise_cell("王小明") == "王小明" and neutralise_cell(None) is None


def test_csv_keeps_negative_numbers_as_numbers(tmp_path):
    """A float column of -2.5 and an int in a text column are written bare."""
    frame = pd.DataFrame({"name": ["-2", -3], "lng": [-2.5, 121.1]}, dtype=object)
    frame["lng"] = frame["lng"].astype(float)
    path = write_csv(frame, tmp_path / "x.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["name", "lng"], ["'-2", "-2.5"], ["-3", "121.1"]]


@pytest.mark.parametrize("layout", ["workbook", "template"])
def test_export_customers_xlsx_holds_no_formula(formula_customers, tmp_path, layout):
    """Both layouts store the formula-like names as text cells."""
    path = tmp_path / "customers.xlsx"
    with Session(formula_customers) as s:
        assert export_customers(s, path, layout=layout) == len(FORMULAS)
    _assert_xlsx_safe(path)


def test_export_customers_csv_is_neutralised(formula_customers, tmp_path):
    """The template CSV quotes every formula-like cell."""
    path = tmp_path / "customers.csv"
    with Session(formula_customers) as s:
        export_customers(s, path, layout="template")
    _assert_csv_safe(path)


def test_plan_workbook_and_csv_hold_no_formula(tmp_path):
    """The plan's xlsx and CSV with formula-like customer names, addresses and notes."""
    data = make_plan_data()
    stops = data.result.stops.copy()
    n = len(FORMULAS)
    stops.loc[: n - 1, "customer_name"] = list(FORMULAS)
    stops.loc[: n - 1, "notes"] = list(FORMULAS)
    data = dataclasses.replace(data, result=dataclasses.replace(data.result, stops=stops))
    _assert_xlsx_safe(write_plan_workbook(data, tmp_path / "plan.xlsx"))
    path = write_stops_csv(data, tmp_path / "plan.csv")
    _assert_csv_safe(path)
    got = pd.read_csv(path, encoding="utf-8-sig")
    assert (got["lat"] > 22).all()  # coordinates stay numbers


def test_samples_and_templates_write_text_as_text(tmp_path):
    """The sample workbook writer and the templates go through the same safe writer."""
    path = tmp_path / "sample.xlsx"
    write_workbook(pd.DataFrame({"客戶簡稱": list(FORMULAS)}), str(path))
    _assert_xlsx_safe(path)
    _assert_xlsx_safe(Path(write_template("customers", tmp_path / "t.xlsx")), expected=())
    write_template("customers", tmp_path / "t.csv")
    assert _csv_cells(tmp_path / "t.csv")[0] == "code"
    with pytest.raises(OutputPathError, match=r"must end in \.csv or \.xlsx"):
        write_template("customers", tmp_path / "t.txt")


def test_write_xlsx_with_several_sheets(tmp_path):
    """One call, several sheets, every text a string cell."""
    frame = pd.DataFrame({"a": list(FORMULAS)})
    path = write_xlsx({"one": frame, "two": frame}, tmp_path / "two.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["one", "two"]
    _assert_xlsx_safe(path)


def test_export_refuses_the_database_and_leaves_it_intact(formula_customers, tmp_path):
    """``export-customers <the database>`` fails with one line and writes nothing."""
    db = tmp_path / "test.sqlite"
    before = db.read_bytes()
    with Session(formula_customers) as s, pytest.raises(OutputPathError, match="is the database"):
        export_customers(s, db, layout="template")
    with Session(formula_customers) as s:
        assert s.scalar(select(func.count()).select_from(m.Customer)) == len(FORMULAS)
    assert db.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"


def test_cli_refuses_the_database_as_output(formula_customers, tmp_path, capsys):
    """The command line turns the refusal into one line and exit code 1."""
    db = tmp_path / "test.sqlite"
    url = f"sqlite:///{db}"
    assert main(["--db", url, "export-customers", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "luckygas: error:" in err
    assert main(["--db", url, "report", "--date", "2026-03-02", "--no-html",
                 "--excel", str(tmp_path / "plan.txt")]) == 1  # fmt: skip
    assert "must end in .xlsx" in capsys.readouterr().err
    with Session(formula_customers) as s:
        assert s.scalar(select(func.count()).select_from(m.Customer)) == len(FORMULAS)


def test_suffix_and_database_checks(tmp_path, monkeypatch):
    """Wrong suffixes, the configured database and its WAL file are refused."""
    db = tmp_path / "shared.sqlite"
    db.write_bytes(b"")
    monkeypatch.setenv("LUCKYGAS_DATABASE_URL", f"sqlite:///{db}")
    with pytest.raises(OutputPathError, match=r"must end in \.xlsx"):
        check_output_path(tmp_path / "x.sqlite", (".xlsx",))
    with pytest.raises(OutputPathError, match="is the database"):
        check_output_path(db, (".sqlite",))
    with pytest.raises(OutputPathError, match="is the database"):
        check_output_path(tmp_path / "." / "shared.sqlite-wal", (".sqlite-wal",))
    assert check_output_path(tmp_path / "X.XLSX", (".xlsx",)) == tmp_path / "X.XLSX"


def test_atomic_output_keeps_the_old_file_on_failure(tmp_path):
    """A writer that fails half-way leaves the previous file and no temporary file."""
    path = tmp_path / "plan.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(path) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash")
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["plan.csv"]
    with atomic_output(path) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".csv"
        tmp.write_text("new", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "new" and os.listdir(tmp_path) == ["plan.csv"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not the 0600 of a temp file
