"""Export -> import is a clean round trip (issue 13): nothing reported "updated".

Two things broke it: equipment entries a cell cannot carry (the demo's ``flow_meter:
False`` came back as the text ``'0'``), and the ``'`` a CSV export puts before a cell
starting ``= + - @`` (formula safety), which the importers now strip again.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from luckygas.cli import main
from luckygas.importers import export_customers, import_customers
from tests.db.conftest import add_customer

#: Text that a spreadsheet would run as a formula, in the fields a customer file carries.
RISKY = {
    "short_name": '=HYPERLINK("http://x","y")',
    "address": "-3 巷 臺東市",
    "phone": "+886 89 123456",
    "notes": "@admin call first",
}


def _customers(db_engine) -> None:
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        add_customer(
            s, "1400001", address="臺東市中華路1號", township="臺東市", windows=[(480, 720)],
            equipment={"flow_meter": False},
        )  # fmt: skip
        equipment = {"switch_model": "", "flow_meter": True}
        add_customer(s, "1400002", township="臺東市", equipment=equipment, **RISKY)
        s.commit()


@pytest.mark.parametrize(
    ("name", "layout"), [("c.xlsx", "workbook"), ("c.xlsx", "template"), ("c.csv", "template")]
)
def test_export_then_import_changes_nothing(db_engine, tmp_path, capsys, name, layout):
    """Each export layout imports back with every customer unchanged, formulas included."""
    _customers(db_engine)
    path = tmp_path / name
    url = str(db_engine.url)
    assert main(["--db", url, "export-customers", str(path), "--layout", layout]) == 0
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in text and "'-3 巷" in text  # the export is formula-safe
    capsys.readouterr()
    assert main(["--db", url, "import", "customers", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "0 added, 0 updated, 2 unchanged" in out, out
    assert "not in the file" not in out, out  # our own export lacks no column
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        report = import_customers(s, path)
        s.commit()
    assert report.unchanged == 2


def test_a_quote_is_stripped_only_before_a_formula_character(db_engine, tmp_path):
    """``'=x`` reads as ``=x``; ``'quoted'`` and ``''=x`` keep all but the one guard quote."""
    _customers(db_engine)
    path = tmp_path / "c.csv"
    with Session(db_engine) as s:
        export_customers(s, path, layout="template")
    text = path.read_text(encoding="utf-8-sig").replace("@admin call first", "'quoted' note")
    path.write_text(text, encoding="utf-8")
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        report = import_customers(s, path, dry_run=True)
    changed = report.changed
    assert len(changed) == 1 and "'quoted' note" in changed["changes"].iloc[0]
