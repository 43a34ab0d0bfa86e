"""The plan as Excel (a sheet per route, summary, unassigned) and CSV, read back intact."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from luckygas.reports.excel import sheet_name, write_plan_workbook, write_stops_csv
from tests.reports.helpers import HOSTILE, WANG, WANG_PHONE


def _t(seconds: int) -> dt.time:
    return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def test_workbook_round_trip(plan_data, tmp_path):
    """Reading the workbook back gives the same stops, orders and times per route."""
    path = write_plan_workbook(plan_data, tmp_path / "plan.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["Summary", "R1 Truck A", "R2 Moto B", "Unassigned"]
    stops = plan_data.result.stops
    for vid, name in ((1, "R1 Truck A"), (2, "R2 Moto B")):
        got, want = sheets[name], stops[stops["vehicle_id"] == vid]
        assert list(got["order_id"]) == list(want["order_id"])
        assert list(got["sequence"]) == list(want["sequence"])
        assert list(got["arrival"]) == [_t(s) for s in want["arrival_s"]]
        assert list(got["window_end"]) == [_t(s) for s in want["window_end_s"]]
        assert list(got["qty_20kg"]) == list(want["qty_20kg"])
        assert list(got["trip"]) == list(want["trip"])
    assert HOSTILE in set(sheets["R1 Truck A"]["customer_name"])
    assert list(sheets["Unassigned"]["Order"]) == ["O-106"]
    assert {"Route cost (TWD)", "Total cost (TWD)"} <= set(sheets["Summary"].iloc[:, 0])


def test_csv_round_trip(plan_data, tmp_path):
    """The CSV of all stops reads back with the same orders, routes and times."""
    path = write_stops_csv(plan_data, tmp_path / "stops.csv")
    got = pd.read_csv(path, encoding="utf-8-sig", dtype={"phone": str})
    want = plan_data.result.stops
    assert list(got["order_id"]) == list(want["order_id"])
    assert list(got["route"]) == ["R1 Truck A"] * 3 + ["R2 Moto B"] * 2
    secs = got["arrival"].map(
        lambda t: sum(int(x) * f for x, f in zip(t.split(":"), (3600, 60, 1), strict=True))
    )
    assert list(secs) == list(want["arrival_s"])
    assert WANG_PHONE in set(got["phone"])
    assert list(got["trip"]) == [1, 1, 1, 1, 2]  # the motorcycle's second stop is trip 2


def test_summary_sheet_shows_day_totals_and_fullest_trip(plan_data, tmp_path):
    """The workbook's route summary gives trips, the day's cylinders and the fullest trip."""
    path = write_plan_workbook(plan_data, tmp_path / "plan.xlsx")
    summary = pd.read_excel(path, sheet_name="Summary", header=None).astype(str)
    moto = summary[summary.iloc[:, 1] == "Moto B"].iloc[0].tolist()
    assert "2" in moto  # trips
    assert "2×20kg 4×10kg 2×4kg" in moto  # delivered over the day, not the fullest trip
    assert "60/60 kg (100\u00a0%)" in moto


def test_formula_like_names_stay_text(plan_data, tmp_path):
    """A customer name starting with '=' is stored as text, not run as a formula."""
    stops = plan_data.result.stops.copy()
    stops.loc[0, "customer_name"] = '=HYPERLINK("http://evil","x")'
    import dataclasses

    data = dataclasses.replace(plan_data, result=dataclasses.replace(plan_data.result, stops=stops))
    path = write_plan_workbook(data, tmp_path / "plan.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(path)["R1 Truck A"]
    col = [c.value for c in ws[1]].index("customer_name") + 1
    cell = ws.cell(row=2, column=col)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_redacted_workbook_and_csv(plan_data, tmp_path):
    """Redacted Excel and CSV hold masked names and phones only."""
    xlsx = write_plan_workbook(plan_data, tmp_path / "plan.xlsx", redact=True)
    csv = write_stops_csv(plan_data, tmp_path / "stops.csv", redact=True)
    text = pd.concat(pd.read_excel(xlsx, sheet_name=None).values()).to_csv()
    text += csv.read_text(encoding="utf-8-sig")
    assert WANG not in text and WANG_PHONE not in text and "陳大同" not in text
    assert "王**" in text and "09**-***-678" in text


def test_sheet_names_are_valid_and_unique():
    """Route labels with Excel-forbidden characters or long names still make valid sheets."""
    taken: set[str] = set()
    a = sheet_name("R1 Truck/A [old]: *very* long vehicle name here", taken)
    b = sheet_name("R1 Truck/A [old]: *very* long vehicle name here", taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert not set("[]:*?/\\") & set(a + b)
