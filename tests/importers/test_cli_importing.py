"""The import, template and export-customers commands."""

from __future__ import annotations

from luckygas.cli import main
from luckygas.domain import Role
from tests.factories import register
from tests.importers.helpers import CORPUS, table_counts


def test_cli_import_dry_run_then_import(db_engine, workbook, capsys):
    """`luckygas import customers FILE --dry-run` writes nothing (and any reader may run it);
    without it, customers arrive (for a dispatcher)."""
    url = str(db_engine.url)
    register(db_engine, "vic", role=Role.VIEWER)
    register(db_engine, "amy", role=Role.DISPATCHER)
    dry = ["--db", url, "--user", "vic", "import", "customers", str(workbook), "--dry-run"]
    assert main(dry) == 0
    assert "DRY RUN, nothing written: would be 40 added" in capsys.readouterr().out
    assert table_counts(db_engine)["customers"] == 0
    assert main(["--db", url, "--user", "vic", "import", "customers", str(workbook)]) == 1
    assert "user 'vic' (role viewer) cannot import files" in capsys.readouterr().err
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


def test_cli_missing_or_corrupt_file_is_one_clear_line(db_engine, tmp_path, capsys):
    """A file that is not there or not a workbook gives one line (file: reason), exit 1."""
    url = str(db_engine.url)
    bad = tmp_path / "customers.xlsx"
    bad.write_bytes(b"not a zip at all\x00\x01")
    for path, reason in ((tmp_path / "nope.xlsx", "file not found"), (bad, "not a readable")):
        assert main(["--db", url, "import", "customers", str(path)]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and f"{path.name}: {reason}" in lines[0]
        assert "None" not in lines[0] and "<NA>" not in lines[0]


def test_cli_problem_table_has_no_none_or_na_cells(db_engine, capsys):
    """Row problems print as a table whose blank cells are blank, not None or <NA>."""
    url = str(db_engine.url)
    assert main(["--db", url, "import", "customers", str(CORPUS / "customers_missing_column.csv")])
    err = capsys.readouterr().err
    assert "missing column 'zone'" in err
    assert "None" not in err and "<NA>" not in err and "NaN" not in err


def test_english_template_missing_columns_are_named_in_english(db_engine, tmp_path, capsys):
    """A template CSV without code/zone is told code and zone are missing, not 區域/客戶."""
    path = tmp_path / "en.csv"
    path.write_text("short_name,address,phone\nABC,臺東市中正路1號,089123456\n", encoding="utf-8")
    assert main(["--db", str(db_engine.url), "import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "missing column 'code'" in err and "missing column 'zone'" in err
    assert "區域" not in err and "客戶" not in err


def test_workbook_missing_columns_are_named_in_chinese(db_engine, tmp_path, capsys):
    """A Chinese-header file without 客戶/區域 is told those workbook columns are missing."""
    path = tmp_path / "zh.csv"
    path.write_text("客戶簡稱,地址\n麵店,臺東市中山路1號\n", encoding="utf-8")
    assert main(["--db", str(db_engine.url), "import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "missing column '客戶'" in err and "missing column '區域'" in err
    assert "'code'" not in err


def test_unrecognised_headers_are_one_line_naming_both_layouts(db_engine, tmp_path, capsys):
    """Headers of neither layout: one line listing what each layout needs and what was found."""
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    assert main(["--db", str(db_engine.url), "import", "customers", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert (
        "客戶, 客戶簡稱, 地址, 區域" in lines[0] and "code, short_name, address, zone" in lines[0]
    )
    assert "the file has: foo, bar" in lines[0]


def test_chinese_order_file_is_told_the_chinese_date_column_is_missing(db_engine, tmp_path, capsys):
    """An order file with Chinese headers but no date is told 日期 is missing."""
    path = tmp_path / "o.csv"
    path.write_text("客戶編號,20公斤\n1400103,2\n", encoding="utf-8")
    assert main(["--db", str(db_engine.url), "import", "orders", str(path)]) == 1
    assert "missing column '日期/配送日期'" in capsys.readouterr().err
