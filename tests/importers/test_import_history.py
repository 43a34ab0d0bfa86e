"""Delivery history in the per-transaction layout (ROC dates, brands, empties)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.importers import ImportFailed, import_history
from luckygas.importers.samples import sample_history
from luckygas.models import Delivery
from tests.importers.helpers import table_counts

HISTORY = (
    "日期,時間,業務,客戶編號,50公斤,丙烷20,20公斤,好運桶16,瓶安桶10,幸福丸4,流量50公斤,流量好運16公斤,"
    "回收20公斤,回收16公斤,退氣\n"
    "1131205,0930,陳,1400001,1,1,2,1,1,3,12.5,2,3,1,1.5\n"
    "1100101,,林,1400002,,,1,,,,,,1,,\n"
)


def test_roc_dates_brands_and_empties_are_mapped(customers_loaded, tmp_path):
    """1131205 is 2024-12-05; brand columns add into size classes; empties and 退氣 are kept."""
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    with Session(customers_loaded) as session:
        report = import_history(session, path)
        session.commit()
    assert report.added == 2
    with Session(customers_loaded) as session:
        first, second = session.scalars(select(Delivery).order_by(Delivery.delivered_on.desc()))
    assert (first.delivered_on, first.delivered_min, first.driver_name) == (
        dt.date(2024, 12, 5),
        9 * 60 + 30,
        "陳",
    )
    sizes = (first.qty_50kg, first.qty_20kg, first.qty_16kg, first.qty_10kg, first.qty_4kg)
    assert sizes == (1, 3, 1, 1, 3)
    assert (first.ret_20kg, first.ret_16kg, first.residual_kg, first.flow_kg) == (3, 1, 1.5, 14.5)
    assert (second.delivered_on, second.delivered_min) == (dt.date(2021, 1, 1), None)


def test_reimport_is_idempotent_and_duplicates_count(customers_loaded, tmp_path):
    """Importing the same history twice adds nothing; identical rows in one file are all kept."""
    codes = [str(1400001 + i) for i in range(40)]
    frame = sample_history(2000, codes, seed=3)
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # one legitimate repeat
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    with Session(customers_loaded) as session:
        assert import_history(session, path).added == 2001
        session.commit()
    before = table_counts(customers_loaded)
    with Session(customers_loaded) as session:
        again = import_history(session, path)
        session.commit()
    assert again.unchanged == 2001 and table_counts(customers_loaded) == before


def test_unknown_customers_fail_or_are_skipped(customers_loaded, tmp_path):
    """History of customers not in the table is an error, or skipped and counted when asked."""
    path = tmp_path / "history.csv"
    path.write_text(
        "日期,客戶編號,20公斤\n1131205,1400001,1\n1131205,1200001,1\n", encoding="utf-8"
    )
    with Session(customers_loaded) as session, pytest.raises(ImportFailed) as caught:
        import_history(session, path)
    assert [(p.row, p.value) for p in caught.value.problems] == [(3, "1200001")]
    with Session(customers_loaded) as session:
        report = import_history(session, path, unknown_customers="skip")
        session.commit()
    assert (report.added, report.skipped) == (1, 1)
    assert table_counts(customers_loaded)["deliveries"] == 1
