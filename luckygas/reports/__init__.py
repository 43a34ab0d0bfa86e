"""Shareable outputs of a planned day: the HTML report, driver route sheets, Excel and CSV.

>>> from luckygas.reports import write_report, write_route_sheets  # doctest: +SKIP
>>> write_report("2026-03-02", redact=True)  # doctest: +SKIP
PosixPath('out/report-2026-03-02.html')

Heavy imports (papermill, nbconvert, xlsxwriter) happen inside the functions that need them.
"""

from luckygas.reports.data import PlanData as PlanData
from luckygas.reports.data import load_plan_data as load_plan_data
from luckygas.reports.data import plan_data_from_result as plan_data_from_result
from luckygas.reports.excel import write_plan_workbook as write_plan_workbook
from luckygas.reports.excel import write_stops_csv as write_stops_csv
from luckygas.reports.redact import mask_name as mask_name
from luckygas.reports.redact import mask_phone as mask_phone
from luckygas.reports.report import ReportError as ReportError
from luckygas.reports.report import write_report as write_report
from luckygas.reports.sheets import write_route_sheets as write_route_sheets

__all__ = [
    "PlanData", "ReportError", "load_plan_data", "mask_name", "mask_phone",
    "plan_data_from_result", "write_plan_workbook", "write_report", "write_route_sheets",
    "write_stops_csv",
]  # fmt: skip
