"""The import, template and export-customers commands."""

from __future__ import annotations

from luckygas.cli import main
from tests.importers.helpers import CORPUS, table_counts


def test_cli_import_dry_run_then_import(db_engine, workbook, capsys):
    """`luckygas import customers FILE --dry-run` writes nothing; without it, customers arrive."""
    url = str(db_engine.url)
    assert main(["--db", url, "import", "customers", str(workbook), "--dry-run"]) == 0
    assert "DRY RUN, nothing written: would be 40 added" in capsys.readouterr().out
    assert table_counts(db_engine)["customers"] == 0
    assert main(["--db", url, "--user", "amy", "import", "customers", str(workbook)]) == 0
    out = capsys.readouterr().out
    assert "40 added" in out and "warning: 40 row(s): no coordinates" in out
    assert table_counts(db_engine)["customers"] == 40


def test_cli_prints_problems_as_a_table_and_exits_non_zero(customers_loaded, capsys):
    """A broken file prints every problem (row, column, reason) and exits with 1."""
    url = str(customers_loaded.url)
    code = main(["--db", url, "import", "customers", str(CORPUS / "customers_duplicate_code.csv")])
    err = capsys.readouterr().err
    assert code == 1
    assert "duplicate customer code; first on row 2" in err and "nothing was imported" in err


def test_cli_template_and_export(customers_loaded, tmp_path, capsys):
    """`template orders` prints the English headers; `export-customers` writes the workbook."""
    assert main(["template", "orders"]) == 0
    assert capsys.readouterr().out.startswith("customer_code,date,qty_50kg")
    out = tmp_path / "customers.xlsx"
    assert main(["--db", str(customers_loaded.url), "export-customers", str(out)]) == 0
    assert out.stat().st_size > 0 and "wrote 40 customers" in capsys.readouterr().out
