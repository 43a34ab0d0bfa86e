"""Regenerate the broken-input corpus for tests/importers/test_corpus.py.

Run from the repository root: ``python tests/data/import_corpus/make_corpus.py``. Each
file breaks exactly one rule; the 50 MB file is made at test time, never committed.
Orders and history files refer to customers 1400001-1400003, which the test imports
first from the sample workbook.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

ORDER_HEADER = (
    "customer_code,date,qty_50kg,qty_20kg,qty_16kg,qty_10kg,qty_4kg,window,priority,notes"
)
CUSTOMER_HEADER = "code,short_name,address,zone,rest_days,windows,cylinders"


def _text(name: str, lines: list[str], encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(("\n".join(lines) + "\n").encode(encoding))


def main() -> None:
    """Write every corpus file."""
    good_customer = "1500001,麵店,臺東市中山路1號,A,7,08:00-12:00,STANDARD_20KG=2"
    _text(
        "customers_missing_column.csv",
        [
            "code,short_name,address,rest_days",
            "1500001,麵店,臺東市中山路1號,7",
        ],
    )
    _text(
        "customers_duplicate_code.csv",
        [
            CUSTOMER_HEADER,
            good_customer,
            "1500001,小吃,臺東市中華路2號,B,,,",
        ],
    )
    _text(
        "customers_unknown_zone.csv",
        [
            CUSTOMER_HEADER,
            good_customer,
            "1500002,小吃,臺東市中華路2號,Z-火星,,,",
        ],
    )
    _text(
        "customers_bad_rest_days.csv",
        [
            CUSTOMER_HEADER,
            "1500002,小吃,臺東市中華路2號,B,週八,,",
        ],
    )
    _text(
        "customers_latin1.csv",
        [CUSTOMER_HEADER, "1500003,Café,Zürich straße 1,A,,,"],
        encoding="latin-1",
    )
    _text("orders_bad_date.csv", [ORDER_HEADER, "1400001,1131345,0,2,0,0,0,,,"])
    _text("orders_negative_quantity.csv", [ORDER_HEADER, "1400001,2025-06-02,0,-2,0,0,0,,,"])
    _text("orders_text_quantity.csv", [ORDER_HEADER, "1400001,2025-06-02,0,two,0,0,0,,,"])
    _text(
        "orders_window_reversed.csv",
        [
            ORDER_HEADER,
            "1400001,2025-06-02,0,2,0,0,0,14:00-09:00,,",
        ],
    )
    _text("orders_unknown_customer.csv", [ORDER_HEADER, "1999999,2025-06-02,0,2,0,0,0,,,"])
    _text(
        "history_bad_date.csv",
        [
            "日期,時間,業務,客戶編號,20公斤",
            "1131205,09:30,陳,1400001,1",
            "1131232,10:00,陳,1400002,1",
        ],
    )
    _text("history_missing_column.csv", ["日期,時間,業務,20公斤", "1131205,09:30,陳,1"])
    (HERE / "empty.csv").write_bytes(b"")

    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["客戶", "客戶簡稱", "地址", "區域"])
    book.active.append([1500001, "麵店", "臺東市中山路1號", "A-瑞光"])
    book.save(HERE / "customers_wrong_sheet.xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客戶資料"
    sheet.append(["客戶", "客戶簡稱", "地址", "區域", "20KG", "平均日使用"])
    sheet.append([1500001, "麵店", "臺東市中山路1號", "A-瑞光", 2, 4.3])
    sheet.append([1500002, "小吃", "臺東市中華路2號", "B-四維", "#REF!", "#DIV/0!"])
    book.save(HERE / "customers_formula_errors.xlsx")


if __name__ == "__main__":
    main()
