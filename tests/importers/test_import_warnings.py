"""Glitches in columns the workbench does not rely on are warnings; --strict refuses them.

The real 1,267-customer workbook was refused whole for one cell (``平均日使用 = -0.1`` on
row 589), a statistic the old system computed and the workbench recomputes from history.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.cli import main
from luckygas.importers import ImportFailed, import_customers, import_history, import_orders
from luckygas.importers import history as H
from luckygas.importers import layouts as L
from luckygas.importers.errors import REFUSED_STRICT, STORED_EMPTY
from luckygas.importers.samples import sample_workbook, write_workbook
from luckygas.models import Customer, Delivery, Order
from tests.importers.helpers import CORPUS, table_counts

N = 60

#: (data position, column, cell) of each glitch; the spreadsheet row is position + 2.
GLITCHES: tuple[tuple[int, str, object], ...] = (
    (30, "平均日使用", -0.1),
    (31, "月配送量", "約100"),
    (32, "退氣比例", "#DIV/0!"),
    (33, "結帳方式", "支票"),
    (34, "排巡", "?"),
)


def _glitched_workbook(tmp_path, *extra: tuple[int, str, object]):
    frame = sample_workbook(N, seed=3)
    for position, column, cell in (*GLITCHES, *extra):
        frame.loc[position, column] = cell
    path = tmp_path / "2025-05 commercial client list.xlsx"
    write_workbook(frame, str(path))
    return path


def _import(engine, path, **kwargs):
    with Session(engine) as session:
        session.info["user"] = "tester"
        report = import_customers(session, path, **kwargs)
        session.commit()
    return report


# ---------------------------------------------------------------------------
# One place says what every column is
# ---------------------------------------------------------------------------


def test_every_real_workbook_header_is_classified():
    """Each of the 76 real headers has a role and a reason; no role names a header not in it."""
    assert set(L.WORKBOOK_ROLES) == set(L.WORKBOOK_COLUMNS)
    assert len(L.WORKBOOK_ROLES) == 76
    assert all(r.why.strip() for r in L.WORKBOOK_ROLES.values())
    # The columns the brief names as relied on stay errors; the old statistics warn.
    for header in ("客戶", "地址", L.ZONE_COLUMN, L.VEHICLE_COLUMN, L.REST_DAYS_COLUMN, "20KG"):
        assert L.WORKBOOK_ROLES[header].role is L.Role.RELIED_ON, header
    for header in ("平均日使用", "月配送量", "退氣比例"):
        assert L.WORKBOOK_ROLES[header].role is L.Role.DERIVED, header


def test_every_template_order_and_history_header_is_classified():
    """Every header the template, order and history readers accept has a role too."""
    assert {c.name for c in L.CUSTOMER_TEMPLATE} <= set(L.CUSTOMER_TEMPLATE_ROLES)
    order_headers = {c.name for c in L.ORDER_TEMPLATE} | set(L.ORDER_ALIASES.values())
    assert order_headers <= set(L.ORDER_ROLES)
    history_headers = (
        set(H.HEADER_ALIASES)
        | set(H.HEADER_ALIASES.values())
        | set(H.PRODUCT_SIZES)
        | set(H.FLOW_COLUMNS)
        | set(H.HISTORY_TEMPLATE_COLUMNS)
    )
    assert history_headers <= set(L.HISTORY_ROLES)


# ---------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------


def test_real_layout_glitches_import_every_customer_with_warnings(db_engine, tmp_path):
    """-0.1 in 平均日使用, text in 月配送量, #DIV/0! in 退氣比例, an unknown billing word and a
    bad 排巡 mark: all 60 customers arrive, and each glitch is one warning naming the row,
    column, value and what was done with the cell."""
    path = _glitched_workbook(tmp_path)
    report = _import(db_engine, path)
    assert report.added == N and table_counts(db_engine)["customers"] == N
    found = {(p.row, p.column): p for p in report.problems}
    assert set(found) == {(position + 2, column) for position, column, _ in GLITCHES}
    for p in report.problems:
        assert (p.severity, p.file, p.sheet) == ("warning", path.name, L.WORKBOOK_SHEET)
    negative = found[(32, "平均日使用")]
    assert (negative.value, negative.action) == ("-0.1", STORED_EMPTY)
    assert "negative" in negative.reason
    assert found[(33, "月配送量")].value == "約100"
    assert found[(35, "結帳方式")].action == "stored as the default, cash"
    assert "5 cell warnings" in report.summary()
    code = str(sample_workbook(N, seed=3).loc[30, "客戶"])
    with Session(db_engine) as session:
        customer = session.scalars(select(Customer).where(Customer.code == code)).one()
    assert customer.avg_daily_kg == 0  # as if blank: the forecast learns it from history


def test_strict_refuses_the_same_workbook_and_writes_nothing(db_engine, tmp_path):
    """With strict=True every warning is an error: the file is refused, no table changes."""
    path = _glitched_workbook(tmp_path)
    before = table_counts(db_engine)
    with pytest.raises(ImportFailed) as caught:
        _import(db_engine, path, strict=True)
    assert len(caught.value.errors) == len(GLITCHES) and not caught.value.warnings
    assert {p.action for p in caught.value.problems} == {REFUSED_STRICT}
    assert table_counts(db_engine) == before


def test_relied_on_glitch_is_still_an_error(db_engine, tmp_path):
    """An unknown vehicle rule refuses the file; the derived glitches are listed beside it."""
    path = _glitched_workbook(tmp_path, (40, L.VEHICLE_COLUMN, 5))
    before = table_counts(db_engine)
    with pytest.raises(ImportFailed) as caught:
        _import(db_engine, path)
    [error] = caught.value.errors
    assert (error.row, error.column, error.value) == (42, L.VEHICLE_COLUMN, "5")
    assert len(caught.value.warnings) == len(GLITCHES)
    assert str(caught.value).startswith(f"{path.name} [{L.WORKBOOK_SHEET}] row 42")
    assert table_counts(db_engine) == before


def test_template_bad_coordinates_are_still_an_error(db_engine, tmp_path):
    """Coordinates outside Taitung refuse an English-template file; a bad avg_daily_kg warns."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "code,short_name,address,zone,lat,lng,avg_daily_kg\n"
        "1400001,麵店,臺東市中山路1號,A,22.75,121.15,-2\n"
        "1400002,小吃,臺東市中華路2號,A,121.15,22.75,3\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        _import(db_engine, path)
    assert [(p.row, p.column) for p in caught.value.errors] == [(3, "lat")]
    assert [(p.row, p.column) for p in caught.value.warnings] == [(2, "avg_daily_kg")]
    assert table_counts(db_engine)["customers"] == 0


def test_formula_error_in_a_derived_column_is_a_warning(db_engine):
    """The corpus workbook stays refused for #REF! in 20KG; #DIV/0! in 平均日使用 only warns."""
    with pytest.raises(ImportFailed) as caught:
        _import(db_engine, CORPUS / "customers_formula_errors.xlsx")
    assert [(p.column, p.severity) for p in caught.value.problems] == [
        ("20KG", "error"),
        ("平均日使用", "warning"),
    ]


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def test_cli_prints_warnings_in_the_problem_table(db_engine, tmp_path, capsys):
    """`luckygas import customers` imports, then prints the warnings as a table."""
    path = _glitched_workbook(tmp_path)
    assert main(["--db", str(db_engine.url), "import", "customers", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{N} added" in out and "5 cell warnings" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("severity"))
    assert all(word in header for word in ("row", "column", "value", "reason", "action"))
    line = next(line for line in out.splitlines() if "平均日使用" in line)
    assert all(word in line for word in ("warning", "32", "-0.1", "negative", "stored empty"))
    assert table_counts(db_engine)["customers"] == N


def test_cli_dry_run_shows_warnings_and_writes_nothing(db_engine, tmp_path, capsys):
    """A dry run prints the same warnings and writes nothing."""
    path = _glitched_workbook(tmp_path)
    assert main(["--db", str(db_engine.url), "import", "customers", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "約100" in out and "stored empty" in out
    assert table_counts(db_engine)["customers"] == 0


def test_cli_strict_refuses_and_writes_nothing(db_engine, tmp_path, capsys):
    """--strict exits 1, lists the cells as errors and imports nothing."""
    path = _glitched_workbook(tmp_path)
    code = main(["--db", str(db_engine.url), "import", "customers", str(path), "--strict"])
    err = capsys.readouterr().err
    assert code == 1
    assert "平均日使用" in err and "refused (--strict)" in err
    assert "5 problems found; nothing was imported" in err
    assert table_counts(db_engine)["customers"] == 0


def test_cli_error_count_leaves_warnings_out(db_engine, tmp_path, capsys):
    """One relied-on error among five warnings: '1 problem found (and 5 warnings)'."""
    path = _glitched_workbook(tmp_path, (40, L.VEHICLE_COLUMN, 5))
    assert main(["--db", str(db_engine.url), "import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "1 problem found (and 5 warnings); nothing was imported" in err
    assert "warning" in err and "stored empty" in err


# ---------------------------------------------------------------------------
# Orders and history follow the same rule
# ---------------------------------------------------------------------------


def test_order_notes_too_long_warn_and_are_cut(customers_loaded, tmp_path):
    """Over-long notes (for the driver) are cut to 500 characters with a warning; strict refuses."""
    path = tmp_path / "orders.csv"
    path.write_text(
        f"customer_code,date,qty_20kg,notes\n1400001,2025-06-02,2,{'x' * 600}\n", encoding="utf-8"
    )
    with Session(customers_loaded) as session, pytest.raises(ImportFailed):
        import_orders(session, path, strict=True)
    with Session(customers_loaded) as session:
        report = import_orders(session, path)
        session.commit()
    [warning] = report.problems
    assert (warning.row, warning.column, warning.action) == (2, "notes", "cut to 500 characters")
    with Session(customers_loaded) as session:
        assert len(session.scalars(select(Order)).one().notes) == 500


def test_order_bad_quantity_is_still_an_error(customers_loaded, tmp_path):
    """A quantity is relied on: text there refuses the file."""
    path = tmp_path / "orders.csv"
    path.write_text("customer_code,date,qty_20kg\n1400001,2025-06-02,two\n", encoding="utf-8")
    with Session(customers_loaded) as session, pytest.raises(ImportFailed) as caught:
        import_orders(session, path)
    assert [p.column for p in caught.value.errors] == ["qty_20kg"]


def test_history_bad_time_and_empties_warn_bad_quantity_errs(customers_loaded, tmp_path):
    """A bad 時間 or 回收 cell is stored empty with a warning, named as the file spells it;
    a bad delivered quantity is an error."""
    head = "日期,時間,業務,客戶編號,20公斤,回收20公斤\n"
    path = tmp_path / "history.csv"
    path.write_text(
        head + "1131205,25:99,陳,1400001,2,1\n1131206,09:30,陳,1400002,1,一\n", encoding="utf-8"
    )
    with Session(customers_loaded) as session:
        report = import_history(session, path)
        session.commit()
    assert report.added == 2
    assert [(p.row, p.column, p.value, p.action) for p in report.problems] == [
        (2, "時間", "25:99", STORED_EMPTY),
        (3, "回收20公斤", "一", STORED_EMPTY),
    ]
    with Session(customers_loaded) as session:
        times = [d.delivered_min for d in session.scalars(select(Delivery).order_by(Delivery.id))]
    assert times == [None, 9 * 60 + 30]
    bad = tmp_path / "bad.csv"
    bad.write_text(head + "1131207,09:30,陳,1400001,x,0\n", encoding="utf-8")
    with Session(customers_loaded) as session, pytest.raises(ImportFailed) as caught:
        import_history(session, bad)
    assert [(p.column, p.severity) for p in caught.value.problems] == [("20公斤", "error")]


def test_history_strict_refuses_warnings(customers_loaded, tmp_path):
    """--strict on history: a bad time of day refuses the file."""
    path = tmp_path / "history.csv"
    path.write_text("日期,時間,客戶編號,20公斤\n1131205,25:99,1400001,2\n", encoding="utf-8")
    before = table_counts(customers_loaded)
    code = main(["--db", str(customers_loaded.url), "import", "history", str(path), "--strict"])
    assert code == 1 and table_counts(customers_loaded) == before


def test_report_problem_frame_is_a_table(db_engine, tmp_path):
    """report.problem_frame() lists the warnings with the same columns as errors."""
    report = _import(db_engine, _glitched_workbook(tmp_path), dry_run=True)
    frame = report.problem_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(GLITCHES)
    assert list(frame.columns[:2]) == ["severity", "file"] and "action" in frame.columns
