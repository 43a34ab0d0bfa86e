"""Every broken input gives its own clear error and leaves the database untouched."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from luckygas.importers import ImportFailed, import_customers, import_history, import_orders
from tests.importers.helpers import CORPUS, table_counts

IMPORTERS = {"customers": import_customers, "orders": import_orders, "history": import_history}

CASES = [
    ("customers", "customers_missing_column.csv", "missing column 'zone'"),
    ("customers", "customers_duplicate_code.csv", "duplicate customer code; first on row 2"),
    ("customers", "customers_unknown_zone.csv", "unknown zone; expected one of A-瑞光"),
    ("customers", "customers_bad_rest_days.csv", "rest days not understood"),
    ("customers", "customers_latin1.csv", "not text in UTF-8, UTF-8 with BOM or cp950/Big5"),
    ("customers", "customers_wrong_sheet.xlsx", "sheet '客戶資料' or 'customers' not found"),
    ("customers", "customers_formula_errors.xlsx", "formula error in the spreadsheet"),
    ("customers", "empty.csv", "file is empty"),
    ("orders", "orders_bad_date.csv", "not a date; expected ROC YYYMMDD"),
    ("orders", "orders_negative_quantity.csv", "negative; expected a cylinder count"),
    ("orders", "orders_text_quantity.csv", "not a number; expected a cylinder count"),
    ("orders", "orders_window_reversed.csv", "window ends before it starts"),
    ("orders", "orders_unknown_customer.csv", "unknown customer code"),
    ("history", "history_bad_date.csv", "not a date"),
    ("history", "history_missing_column.csv", "missing column 'customer_code'"),
    ("history", "huge.csv", "over the import limit of 40 MB"),
]


def _make_huge(path) -> None:
    """A 50 MB history CSV (made at test time; never committed)."""
    line = b"1131205,09:30,\xe9\x99\xb3,1400001,0,1,0,0,0\n"
    with path.open("wb") as f:
        f.write("日期,時間,業務,客戶編號,50公斤,20公斤,16公斤,10公斤,4公斤\n".encode())
        f.write(line * (50 * 2**20 // len(line) + 1))


@pytest.mark.parametrize(("kind", "name", "fragment"), CASES, ids=[c[1] for c in CASES])
def test_broken_input_is_refused_clearly_and_writes_nothing(
    customers_loaded, tmp_path, kind, name, fragment
):
    """Each corpus file fails with a problem naming what is wrong; no table changes."""
    path = CORPUS / name
    if name == "huge.csv":
        path = tmp_path / name
        _make_huge(path)
    before = table_counts(customers_loaded)
    with Session(customers_loaded) as session:
        session.info["user"] = "tester"
        with pytest.raises(ImportFailed) as caught:
            IMPORTERS[kind](session, path)
        session.commit()  # whatever the importer left in the session would be written now
    reasons = [p.reason for p in caught.value.problems]
    assert any(fragment in r for r in reasons), reasons
    assert all(p.file == path.name for p in caught.value.problems)
    assert table_counts(customers_loaded) == before


def test_all_problems_are_reported_at_once_with_row_numbers(customers_loaded, tmp_path):
    """A file with several bad cells lists every one, each with its spreadsheet row and column."""
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_code,date,qty_20kg,window\n"
        "1400001,2025-06-02,2,\n"
        "1400002,2025-13-01,x,\n"
        "1999999,2025-06-02,1,12:00-08:00\n",
        encoding="utf-8",
    )
    with Session(customers_loaded) as session, pytest.raises(ImportFailed) as caught:
        import_orders(session, path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "date"), (3, "qty_20kg"), (4, "customer_code"), (4, "window")}
    frame = caught.value.frame()
    assert list(frame.columns) == [
        "severity",
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "reason",
        "action",
    ]
    assert set(frame["severity"]) == {"error"}  # every one of these columns is relied on
    assert frame.loc[frame["column"] == "date", "value"].item() == "2025-13-01"


def test_formula_errors_name_each_cell(customers_loaded):
    """#REF! and #DIV/0! are reported per cell with the sheet name and row."""
    path = CORPUS / "customers_formula_errors.xlsx"
    with Session(customers_loaded) as session, pytest.raises(ImportFailed) as caught:
        import_customers(session, path)
    cells = {(p.sheet, p.row, p.column, p.value) for p in caught.value.problems}
    assert cells == {("客戶資料", 3, "20KG", "#REF!"), ("客戶資料", 3, "平均日使用", "#DIV/0!")}
