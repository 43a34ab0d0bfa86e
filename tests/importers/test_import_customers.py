"""Customers from the real workbook layout and from the English template."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luckygas.domain import CustomerType, GeocodeSource, VehicleRequirement
from luckygas.importers import export_customers, import_customers, write_template
from luckygas.importers import layouts as L
from luckygas.importers.customers import (
    hours_to_windows,
    parse_installed_set,
    parse_rest_days,
    resolve_zone,
    township_of,
)
from luckygas.importers.samples import sample_workbook, write_workbook
from luckygas.models import Customer
from tests.importers.helpers import table_counts


def _customer(engine, code: str) -> Customer:
    with Session(engine) as session:
        stmt = (
            select(Customer)
            .where(Customer.code == code)
            .options(selectinload(Customer.windows), selectinload(Customer.cylinders))
        )
        return session.scalars(stmt).one()


def _handmade_row(**cells) -> dict:
    row = dict.fromkeys(L.WORKBOOK_COLUMNS)
    row.update(
        {
            "客戶": 1400999,
            "電子發票抬頭": "幸福國小",
            "客戶簡稱": "幸福國小",
            "地址": "台東市更生路100號",
            "區域": "F-成功縣",
            "計價方式": "桶裝",
            "結帳方式": "月結",
        }
    )
    row.update(cells)
    return row


def test_real_layout_round_trips(db_engine, workbook, tmp_path):
    """Import -> export -> import leaves every customer unchanged, and so does re-import."""
    with Session(db_engine) as session:
        first = import_customers(session, workbook)
        session.commit()
    assert first.added == 40 and first.updated == 0
    after_first = table_counts(db_engine)
    assert after_first["customer_windows"] > 0 and after_first["customer_cylinders"] > 0

    exported = tmp_path / "exported.xlsx"
    with Session(db_engine) as session:
        assert export_customers(session, exported) == 40
    header = pd.read_excel(exported, sheet_name=L.WORKBOOK_SHEET, nrows=0).columns
    assert tuple(header) == L.WORKBOOK_COLUMNS

    for path in (exported, workbook):
        with Session(db_engine) as session:
            again = import_customers(session, path)
            session.commit()
        assert again.unchanged == 40, again.changed
    assert table_counts(db_engine) == after_first


def test_workbook_columns_are_read_as_the_business_means_them(db_engine, tmp_path):
    """Zone typo, rest days, hours, cylinders, vehicle and school type land in the right fields."""
    hours = {h: 1 for h in ("8~9", "9~10", "10~11", "14~15", "15~16")}
    row = _handmade_row(
        **hours,
        **{
            "20KG": 2,
            "流量50公斤": 3,
            "好運16": 1,
            "系統上鋼瓶數量": "20*2+16*1+50*3",
            "公休日": 6.7,
            "1汽車/2機車/0全部": 2,
            "類型": "學校",
            "時段早1午2晚3全天0": 1,
            "發報": "V",
            "排巡": "X",
            "最大週期": 23.90625,
            "智慧秤": 1,
            "切替器型號": "重量發報",
        },
    )
    path = tmp_path / "one.xlsx"
    write_workbook(pd.DataFrame([row], columns=list(L.WORKBOOK_COLUMNS)), str(path))
    with Session(db_engine) as session:
        report = import_customers(session, path)
        session.commit()
    c = _customer(db_engine, "1400999")
    assert (c.zone_code, c.township) == ("F", "臺東市")
    assert (c.rest_weekdays, c.closed_on_holidays) == ("67", False)
    assert [(w.start_min, w.end_min) for w in c.windows] == [(480, 660), (840, 960)]
    assert sorted((x.cylinder_type, x.quantity) for x in c.cylinders) == [
        ("FLOW_50KG", 3),
        ("LUCKY_16KG", 1),
        ("STANDARD_20KG", 2),
    ]
    assert c.vehicle_requirement == VehicleRequirement.MOTORCYCLE
    assert c.customer_type == CustomerType.SCHOOL
    assert (c.has_alarm, c.on_patrol, c.max_cycle_days) == (True, False, 24)
    assert c.equipment["smart_scale"] is True and c.equipment["switch_model"] == "重量發報"
    assert (c.lat, c.geocode_source) == (None, GeocodeSource.NONE)
    assert report.rows.loc[0, "warnings"] == "no coordinates"


def test_installed_set_mismatch_is_a_warning_not_an_error(db_engine, tmp_path):
    """A hand-kept 系統上鋼瓶數量 disagreeing with the cylinder columns is flagged, not refused."""
    row = _handmade_row(**{"20KG": 1, "系統上鋼瓶數量": "20*5+16*1"})
    path = tmp_path / "one.xlsx"
    write_workbook(pd.DataFrame([row], columns=list(L.WORKBOOK_COLUMNS)), str(path))
    with Session(db_engine) as session:
        report = import_customers(session, path)
    assert "does not match the cylinder columns (20*1)" in report.rows.loc[0, "warnings"]


def test_dry_run_reports_changes_and_writes_nothing(customers_loaded, tmp_path):
    """A dry run on an edited workbook lists what would change, field by field; writes nothing."""
    frame = sample_workbook(40, seed=1)
    frame.loc[0, "客戶簡稱"] = "新名字"
    frame.loc[1, "區域"] = "B-四維"
    frame = pd.concat([frame, pd.DataFrame([_handmade_row()])], ignore_index=True)
    path = tmp_path / "edited.xlsx"
    write_workbook(frame, str(path))
    before = table_counts(customers_loaded)
    with Session(customers_loaded) as session:
        report = import_customers(session, path, dry_run=True)
        session.commit()
    assert (report.added, report.updated, report.unchanged) == (1, 2, 38)
    changes = report.rows.set_index("key")["changes"]
    assert "short_name: " in changes["1400001"] and "-> '新名字'" in changes["1400001"]
    assert "zone_code:" in changes["1400002"] and "-> 'B'" in changes["1400002"]
    assert table_counts(customers_loaded) == before
    assert _customer(customers_loaded, "1400001").short_name != "新名字"


def test_update_replaces_windows_and_keeps_coordinates(customers_loaded, tmp_path):
    """Re-importing a changed row updates it in place; coordinates set by geocoding survive."""
    with Session(customers_loaded) as session:
        c = session.scalars(select(Customer).where(Customer.code == "1400003")).one()
        c.lat, c.lng, c.geocode_source = 22.75, 121.14, GeocodeSource.MANUAL
        session.commit()
    frame = sample_workbook(40, seed=1)
    for h in L.HOUR_COLUMNS:
        frame.loc[2, h] = 1 if h in ("17~18", "18~19") else None
    path = tmp_path / "edited.xlsx"
    write_workbook(frame, str(path))
    with Session(customers_loaded) as session:
        report = import_customers(session, path)
        session.commit()
    assert report.updated == 1
    c = _customer(customers_loaded, "1400003")
    assert [(w.start_min, w.end_min) for w in c.windows] == [(17 * 60, 19 * 60)]
    assert (c.lat, c.geocode_source) == (22.75, GeocodeSource.MANUAL)


def test_english_template_imports_with_coordinates(db_engine, tmp_path):
    """The template written by `luckygas template customers` imports, with lat/lng as manual."""
    path = tmp_path / "customers.csv"
    write_template("customers", path)
    assert path.read_text(encoding="utf-8-sig").startswith("code,short_name,")
    with path.open("a", encoding="utf-8") as f:
        f.write(
            "1500001,Lucky Noodles,,臺東市中山路1號,089-123456,,A-瑞光,commercial,flow,"
            "monthly,either,morning,08:00-11:00; 15:00-18:00,Red 7,STANDARD_20KG=2,4.3,160,"
            "22.7561,121.1443,side door\n"
        )
    with Session(db_engine) as session:
        report = import_customers(session, path)
        session.commit()
    assert report.added == 1 and report.rows.loc[0, "warnings"] == ""
    c = _customer(db_engine, "1500001")
    assert (c.zone_code, c.phone, c.notes) == ("A", "089-123456", "side door")
    assert (c.lat, c.lng, c.geocode_source) == (22.7561, 121.1443, GeocodeSource.MANUAL)
    assert (c.rest_weekdays, c.closed_on_holidays) == ("7", True)
    assert [(w.start_min, w.end_min) for w in c.windows] == [(480, 660), (900, 1080)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", ("7", False)),
        ("2.3", ("23", False)),
        ("6.7", ("67", False)),
        ("Red", ("", True)),
        ("RED", ("", True)),
        ("Red.7", ("7", True)),
        ("週日", ("7", False)),
        ("Sat, Sun", ("67", False)),
        ("", None),
    ],
)
def test_rest_days_in_every_form(text, expected):
    """Every spelling of 公休日 in the real workbook gives weekday digits and the holiday flag."""
    assert parse_rest_days(text) == expected


def test_value_parsers_reject_what_they_cannot_read():
    """Unknown zones and rest days are errors; zone typos and 台 spellings are understood."""
    assert resolve_zone("H-鹿野縣") == "H" and resolve_zone("A") == "A" and resolve_zone("") is None
    with pytest.raises(ValueError, match="unknown zone"):
        resolve_zone("Z-火星")
    with pytest.raises(ValueError, match="rest days"):
        parse_rest_days("8")
    assert township_of("台東縣卑南鄉太平村1號") == "卑南鄉"
    assert parse_installed_set("4*2+20*10+50*2") == {4: 2, 20: 10, 50: 2}
    assert hours_to_windows([True] * 3 + [False] + [True] * 8) == ((480, 660), (720, 1200))
