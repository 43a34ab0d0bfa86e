"""The file layouts the importers read and the exporters write, as data.

* The real customer workbook (sheet ``客戶資料``, 76 columns, headers exactly as spelled
  in Lucky Gas's file; see ``docs/domain.md`` section 5).
* What each column is to the workbench (:class:`Role`): a problem in a column it relies on
  refuses the file, a problem in a derived or informational column is a warning and the
  import goes on (:data:`WORKBOOK_ROLES`, :data:`CUSTOMER_TEMPLATE_ROLES`,
  :data:`ORDER_ROLES`, :data:`HISTORY_ROLES`).
* English-header templates for customers, orders and history, for anyone without the
  workbook (``luckygas template customers``).
* The per-transaction delivery-history layout (Chinese headers from the earlier system's
  migration code; the empties and residual-gas headers are ours, see :mod:`.history`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from luckygas.domain import (
    CYLINDER_TYPES,
    HOURLY_SLOTS,
    SIZE_CLASSES_KG,
    CustomerType,
    PaymentMethod,
    PricingMethod,
    Priority,
    TimePreference,
    VehicleRequirement,
)

# ---------------------------------------------------------------------------
# The real customer workbook
# ---------------------------------------------------------------------------

WORKBOOK_SHEET = "客戶資料"

#: First hour of each hourly availability flag: ``8~9`` ... ``19~20``.
HOURS: tuple[int, ...] = HOURLY_SLOTS
HOUR_COLUMNS: tuple[str, ...] = tuple(f"{h}~{h + 1}" for h in HOURS)

CYLINDER_COLUMNS: tuple[str, ...] = tuple(c.label for c in CYLINDER_TYPES)

TIME_CODE_COLUMN = "時段早1午2晚3全天0"
REST_DAYS_COLUMN = "公休日"
VEHICLE_COLUMN = "1汽車/2機車/0全部"
ZONE_COLUMN = "區域"
INSTALLED_SET_COLUMN = "系統上鋼瓶數量"
TYPE_COLUMN = "類型"
#: The workbook's one column without a header, as pandas names it when reading.
UNNAMED_COLUMN = "Unnamed: 69"

#: "V"/"X" columns stored as Customer booleans.
FLAG_FIELDS: dict[str, str] = {
    "訂閱式會員": "is_subscription",
    "發報": "has_alarm",
    "排巡": "on_patrol",
    "已解約": "is_terminated",
    "需要當天配送": "same_day",
}

#: Consumption columns stored as Customer numbers: header -> (field, whole number?, minimum).
METRIC_FIELDS: dict[str, tuple[str, bool, float | None]] = {
    "月配送量": ("monthly_delivery_kg", False, 0),
    "退氣比例": ("return_ratio", False, 0),
    "平均日使用": ("avg_daily_kg", False, 0),
    "串接數量": ("connection_kg", False, 0),
    "備用量": ("reserve_kg", False, 0),
    # Real values include fractions (23.90625); the model keeps whole days.
    "最大週期": ("max_cycle_days", False, None),
    "可延後天數": ("postpone_days", False, None),
}

#: Numeric columns with no Customer column, kept in ``Customer.equipment`` under these keys.
EXTRA_NUMBER_KEYS: dict[str, str] = {
    "退氣": "residual_kg",
    "實際購買公斤數": "purchased_kg",
    "是否需要當天去": "days_until_needed",
    "單一區域供應": "single_area_supply",
}

#: Free-text columns kept verbatim in ``Customer.equipment``.
EQUIPMENT_TEXT_KEYS: dict[str, str] = {
    INSTALLED_SET_COLUMN: "installed_set",
    "設備客戶買斷": "customer_owned_equipment",
    "狀態": "status",
    "切替器型號": "switch_model",
    "預備桶": "spare_set",
    "串接場所申報": "connection_site_declared",
}

#: "V" flag with no Customer column (billing file), kept in ``equipment``.
EQUIPMENT_FLAG_KEYS: dict[str, str] = {"結帳用檔案": "billing_file"}

#: Equipment presence columns (usually ``1``; any other text is kept as text).
EQUIPMENT_MARK_KEYS: dict[str, str] = {
    "流量表": "flow_meter",
    "帶線流量錶": "wired_flow_meter",
    "切替器": "switch",
    UNNAMED_COLUMN: "unnamed_69",
    "接點式壓力錶": "contact_pressure_gauge",
    "壓差開關": "pressure_switch",
    "微動開關": "micro_switch",
    "永勝": "yongsheng",
    "智慧秤": "smart_scale",
}

USAGE_POINT_COLUMNS: tuple[str, ...] = (
    "第一使用區域(串接)",
    "第二使用區域",
    "第三使用區域",
    "第四使用區域",
    "第五使用區域",
)

#: Every header of the real workbook, in order (76 columns).
WORKBOOK_COLUMNS: tuple[str, ...] = (
    "客戶",
    "電子發票抬頭",
    "客戶簡稱",
    "地址",
    INSTALLED_SET_COLUMN,
    *CYLINDER_COLUMNS,
    "計價方式",
    "結帳方式",
    "結帳用檔案",
    "訂閱式會員",
    "發報",
    "排巡",
    "設備客戶買斷",
    "已解約",
    "需要當天配送",
    *HOUR_COLUMNS,
    TIME_CODE_COLUMN,
    REST_DAYS_COLUMN,
    "狀態",
    "切替器型號",
    "月配送量",
    "退氣",
    "實際購買公斤數",
    "退氣比例",
    "平均日使用",
    "串接數量",
    "備用量",
    "最大週期",
    "可延後天數",
    "是否需要當天去",
    ZONE_COLUMN,
    VEHICLE_COLUMN,
    "單一區域供應",
    *USAGE_POINT_COLUMNS,
    "預備桶",
    "串接場所申報",
    "流量表",
    "帶線流量錶",
    "切替器",
    UNNAMED_COLUMN,
    "接點式壓力錶",
    "壓差開關",
    "微動開關",
    "永勝",
    "智慧秤",
    TYPE_COLUMN,
)
assert len(WORKBOOK_COLUMNS) == 76

#: Columns without which a workbook cannot be imported.
WORKBOOK_REQUIRED: tuple[str, ...] = ("客戶", "客戶簡稱", "地址", ZONE_COLUMN)


# ---------------------------------------------------------------------------
# What each column is to the workbench: a problem there is an error or a warning
# ---------------------------------------------------------------------------


class Role(enum.Enum):
    """What a column is to the workbench, which decides how a bad cell in it is reported.

    ``RELIED_ON`` columns feed planning or the forecast (code, address, zone, cylinders,
    windows, rest days, vehicle rule...): a bad cell is an **error** and nothing is
    imported. ``DERIVED`` columns are statistics the old system computed (average daily
    use, monthly kg, return ratio...), which the workbench recomputes from the delivery
    history; ``INFORMATIONAL`` columns are kept for people and for the export round trip
    (free text, billing words, equipment marks). A bad cell in either is a **warning**
    naming what was done with it, and the import goes on (``--strict`` refuses it).
    """

    RELIED_ON = "relied on"
    DERIVED = "derived"
    INFORMATIONAL = "informational"

    @property
    def lenient(self) -> bool:
        """True when a problem in such a column is a warning, not an error."""
        return self is not Role.RELIED_ON


class ColumnRole(NamedTuple):
    """A column's :class:`Role` and, in a few words, why it has it."""

    role: Role
    why: str


def _roles(headers: Iterable[str], role: Role, why: str) -> dict[str, ColumnRole]:
    return dict.fromkeys(headers, ColumnRole(role, why))


_R, _D, _I = Role.RELIED_ON, Role.DERIVED, Role.INFORMATIONAL

#: Every header of the real workbook -> its role and why (tests check none is missing).
WORKBOOK_ROLES: dict[str, ColumnRole] = {
    "客戶": ColumnRole(_R, "customer code; customers are matched by it"),
    "電子發票抬頭": ColumnRole(_I, "e-invoice title; stands in only for a blank short name"),
    "客戶簡稱": ColumnRole(_R, "the name on route sheets, maps and orders"),
    "地址": ColumnRole(_R, "where the truck goes; township and geocoding read it"),
    INSTALLED_SET_COLUMN: ColumnRole(_D, "hand-kept summary of the cylinder columns"),
    **_roles(CYLINDER_COLUMNS, _R, "cylinders owned: loads, capacity, forecast"),
    "計價方式": ColumnRole(_I, "pricing by cylinder or by flow meter: billing, not planning"),
    "結帳方式": ColumnRole(_I, "monthly or cash billing: not used to plan"),
    "結帳用檔案": ColumnRole(_I, "billing-file mark: not used to plan"),
    "訂閱式會員": ColumnRole(_I, "subscription mark, shown in tables only"),
    "發報": ColumnRole(_I, "telemetry-alarm mark, shown in tables only"),
    "排巡": ColumnRole(_I, "scheduled-patrol mark, shown in tables only"),
    "設備客戶買斷": ColumnRole(_I, "free text about who owns the equipment"),
    "已解約": ColumnRole(_R, "terminated customers get no orders and no forecast"),
    "需要當天配送": ColumnRole(_R, "same-day customers get a shorter forecast margin"),
    **_roles(HOUR_COLUMNS, _R, "hourly availability: the delivery windows"),
    # The planner uses the hourly windows; this coarse code is only shown and exported.
    TIME_CODE_COLUMN: ColumnRole(_I, "coarse time-of-day code; the hourly columns are used"),
    REST_DAYS_COLUMN: ColumnRole(_R, "closed weekdays and holidays: no delivery then"),
    "狀態": ColumnRole(_I, "status text, empty in the real file"),
    "切替器型號": ColumnRole(_I, "switch-over device model, free text"),
    "月配送量": ColumnRole(_D, "monthly kg the old system computed; history recomputes it"),
    "退氣": ColumnRole(_D, "residual kg the old system summed; history has each delivery's"),
    "實際購買公斤數": ColumnRole(_D, "月配送量 minus 退氣, computed by the old system"),
    "退氣比例": ColumnRole(_D, "退氣 / 月配送量, computed by the old system"),
    "平均日使用": ColumnRole(_D, "old system's kg/day; the forecast recomputes it from history"),
    "串接數量": ColumnRole(_I, "manifold capacity in kg; no rule uses it"),
    "備用量": ColumnRole(_R, "reserve bank the forecast counts before a customer runs dry"),
    "最大週期": ColumnRole(_D, "old system's longest refill cycle in days"),
    "可延後天數": ColumnRole(_D, "old system's slack in days; blank means the forecast default"),
    "是否需要當天去": ColumnRole(_D, "days of slack on the day of the export"),
    ZONE_COLUMN: ColumnRole(_R, "zone: planning areas and depots"),
    VEHICLE_COLUMN: ColumnRole(_R, "car, motorcycle or either: which vehicles may serve"),
    "單一區域供應": ColumnRole(_I, "number of supply areas, not used to plan"),
    **_roles(USAGE_POINT_COLUMNS, _I, "appliances fed, free text"),
    "預備桶": ColumnRole(_I, "spare cylinders, free text like 20*1"),
    "串接場所申報": ColumnRole(_I, "manifold site declaration, free text"),
    **_roles(
        (h for h in EQUIPMENT_MARK_KEYS if h != UNNAMED_COLUMN), _I, "equipment mark, kept as text"
    ),
    UNNAMED_COLUMN: ColumnRole(_I, "the column without a header; kept for the export"),
    TYPE_COLUMN: ColumnRole(_R, "schools close in term breaks; the forecast groups by type"),
}

# ---------------------------------------------------------------------------
# Value vocabularies (workbook words and English template words)
# ---------------------------------------------------------------------------

PRICING_WORDS: dict[str, PricingMethod] = {
    "桶裝": PricingMethod.CYLINDER,
    "桶": PricingMethod.CYLINDER,
    "流量": PricingMethod.FLOW,
    "流量計": PricingMethod.FLOW,
    "流量表": PricingMethod.FLOW,
    "cylinder": PricingMethod.CYLINDER,
    "flow": PricingMethod.FLOW,
}
PRICING_LABEL: dict[PricingMethod, str] = {
    PricingMethod.CYLINDER: "桶裝",
    PricingMethod.FLOW: "流量",
}

PAYMENT_WORDS: dict[str, PaymentMethod] = {
    "月結": PaymentMethod.MONTHLY,
    "月付": PaymentMethod.MONTHLY,
    "現金": PaymentMethod.CASH,
    "現結": PaymentMethod.CASH,
    "cash": PaymentMethod.CASH,
    "monthly": PaymentMethod.MONTHLY,
}
PAYMENT_LABEL: dict[PaymentMethod, str] = {
    PaymentMethod.MONTHLY: "月結",
    PaymentMethod.CASH: "現金",
}

VEHICLE_WORDS: dict[str, VehicleRequirement] = {
    "1": VehicleRequirement.CAR,
    "2": VehicleRequirement.MOTORCYCLE,
    "0": VehicleRequirement.EITHER,
    "car": VehicleRequirement.CAR,
    "motorcycle": VehicleRequirement.MOTORCYCLE,
    "either": VehicleRequirement.EITHER,
    "汽車": VehicleRequirement.CAR,
    "機車": VehicleRequirement.MOTORCYCLE,
    "全部": VehicleRequirement.EITHER,
}
VEHICLE_CODE: dict[VehicleRequirement, int] = {
    VehicleRequirement.CAR: 1,
    VehicleRequirement.MOTORCYCLE: 2,
    VehicleRequirement.EITHER: 0,
}

TIME_WORDS: dict[str, TimePreference] = {
    "0": TimePreference.ALL_DAY,
    "1": TimePreference.MORNING,
    "2": TimePreference.AFTERNOON,
    "3": TimePreference.EVENING,
    "all_day": TimePreference.ALL_DAY,
    "morning": TimePreference.MORNING,
    "afternoon": TimePreference.AFTERNOON,
    "evening": TimePreference.EVENING,
    "全天": TimePreference.ALL_DAY,
    "早": TimePreference.MORNING,
    "午": TimePreference.AFTERNOON,
    "晚": TimePreference.EVENING,
}
TIME_CODE: dict[TimePreference, int] = {
    TimePreference.ALL_DAY: 0,
    TimePreference.MORNING: 1,
    TimePreference.AFTERNOON: 2,
    TimePreference.EVENING: 3,
}

CUSTOMER_TYPE_WORDS: dict[str, CustomerType] = {
    "學校": CustomerType.SCHOOL,
    "幼兒園": CustomerType.SCHOOL,
    "住家": CustomerType.RESIDENTIAL,
    "住宅": CustomerType.RESIDENTIAL,
    "commercial": CustomerType.COMMERCIAL,
    "school": CustomerType.SCHOOL,
    "residential": CustomerType.RESIDENTIAL,
}

PRIORITY_WORDS: dict[str, Priority] = {
    "normal": Priority.NORMAL,
    "urgent": Priority.URGENT,
    "emergency": Priority.EMERGENCY,
    "一般": Priority.NORMAL,
    "急": Priority.URGENT,
    "急件": Priority.URGENT,
    "緊急": Priority.EMERGENCY,
}

#: Taitung County's townships (鄉鎮市), to read the township from an address.
TOWNSHIPS: tuple[str, ...] = (
    "臺東市",
    "成功鎮",
    "關山鎮",
    "卑南鄉",
    "大武鄉",
    "太麻里鄉",
    "東河鄉",
    "長濱鄉",
    "鹿野鄉",
    "池上鄉",
    "綠島鄉",
    "延平鄉",
    "海端鄉",
    "達仁鄉",
    "金峰鄉",
    "蘭嶼鄉",
)


# ---------------------------------------------------------------------------
# English templates
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    """One column of an English template: header, whether required, and what to write."""

    name: str
    required: bool
    help: str
    example: str = ""


CUSTOMER_TEMPLATE: tuple[TemplateColumn, ...] = (
    TemplateColumn("code", True, "7-digit customer code, unique", "1400103"),
    TemplateColumn("short_name", True, "short name shown on route sheets", "Lucky Noodles"),
    TemplateColumn("invoice_title", False, "e-invoice title", "Lucky Noodles Ltd."),
    TemplateColumn("address", True, "street address in Taitung", "臺東市中華路一段100號"),
    TemplateColumn("phone", False, "phone number", "089-123456"),
    TemplateColumn("tax_id", False, "company tax ID (統一編號)", ""),
    TemplateColumn("zone", True, "zone code or label, e.g. A or A-瑞光", "A"),
    TemplateColumn("customer_type", False, "commercial, school or residential", "commercial"),
    TemplateColumn("pricing_method", False, "cylinder or flow", "cylinder"),
    TemplateColumn("payment_method", False, "cash or monthly", "monthly"),
    TemplateColumn("vehicle_requirement", False, "car, motorcycle or either", "car"),
    TemplateColumn("time_preference", False, "all_day, morning, afternoon, evening", "all_day"),
    TemplateColumn("windows", False, "open hours, e.g. 08:00-12:00; 14:00-18:00", "08:00-12:00"),
    TemplateColumn("rest_days", False, "closed weekdays 1=Mon..7=Sun and/or Red, e.g. 6.7", "7"),
    TemplateColumn(
        "cylinders", False, "owned cylinders, e.g. STANDARD_20KG=2; FLOW_50KG=3", "STANDARD_20KG=2"
    ),
    TemplateColumn("avg_daily_kg", False, "average use in kg per day", "4.3"),
    TemplateColumn("monthly_delivery_kg", False, "kg delivered per month", "160"),
    TemplateColumn("lat", False, "latitude (WGS84), with lng", ""),
    TemplateColumn("lng", False, "longitude (WGS84), with lat", ""),
    TemplateColumn("notes", False, "free text", ""),
)

ORDER_TEMPLATE: tuple[TemplateColumn, ...] = (
    TemplateColumn("customer_code", True, "7-digit customer code", "1400103"),
    TemplateColumn("date", True, "delivery date YYYY-MM-DD or ROC YYYMMDD", "2025-06-02"),
    TemplateColumn("qty_50kg", False, "50 kg cylinders", "0"),
    TemplateColumn("qty_20kg", False, "20 kg cylinders", "2"),
    TemplateColumn("qty_16kg", False, "16 kg cylinders", "0"),
    TemplateColumn("qty_10kg", False, "10 kg cylinders", "0"),
    TemplateColumn("qty_4kg", False, "4 kg cylinders", "0"),
    TemplateColumn("window", False, "this order only, e.g. 09:00-11:00", ""),
    TemplateColumn("priority", False, "normal, urgent or emergency", "normal"),
    TemplateColumn("notes", False, "free text for the driver", ""),
)

#: Chinese headers accepted in order files, mapped to the template's names.
ORDER_ALIASES: dict[str, str] = {
    "客戶": "customer_code",
    "客戶編號": "customer_code",
    "日期": "date",
    "配送日期": "date",
    "50公斤": "qty_50kg",
    "20公斤": "qty_20kg",
    "16公斤": "qty_16kg",
    "10公斤": "qty_10kg",
    "4公斤": "qty_4kg",
    "時段": "window",
    "優先": "priority",
    "備註": "notes",
}


# ---------------------------------------------------------------------------
# Roles of the template, order and history columns (see :class:`Role`)
# ---------------------------------------------------------------------------

#: The English customer template's columns -> role.
CUSTOMER_TEMPLATE_ROLES: dict[str, ColumnRole] = {
    "code": WORKBOOK_ROLES["客戶"],
    "short_name": WORKBOOK_ROLES["客戶簡稱"],
    "invoice_title": WORKBOOK_ROLES["電子發票抬頭"],
    "address": WORKBOOK_ROLES["地址"],
    "phone": ColumnRole(_I, "shown on route sheets; not checked"),
    "tax_id": ColumnRole(_I, "billing only"),
    "zone": WORKBOOK_ROLES[ZONE_COLUMN],
    "customer_type": WORKBOOK_ROLES[TYPE_COLUMN],
    "pricing_method": WORKBOOK_ROLES["計價方式"],
    "payment_method": WORKBOOK_ROLES["結帳方式"],
    "vehicle_requirement": WORKBOOK_ROLES[VEHICLE_COLUMN],
    "time_preference": WORKBOOK_ROLES[TIME_CODE_COLUMN],
    "windows": ColumnRole(_R, "delivery windows"),
    "rest_days": WORKBOOK_ROLES[REST_DAYS_COLUMN],
    "cylinders": ColumnRole(_R, "cylinders owned: loads, capacity, forecast"),
    "avg_daily_kg": WORKBOOK_ROLES["平均日使用"],
    "monthly_delivery_kg": WORKBOOK_ROLES["月配送量"],
    "lat": ColumnRole(_R, "where the truck goes: distances and maps"),
    "lng": ColumnRole(_R, "where the truck goes: distances and maps"),
    "notes": ColumnRole(_I, "free text"),
}

#: Order-file columns (the template's names; Chinese headers are renamed first) -> role.
ORDER_ROLES: dict[str, ColumnRole] = {
    "customer_code": ColumnRole(_R, "whose order it is"),
    "date": ColumnRole(_R, "the delivery day"),
    **_roles(
        (c.name for c in ORDER_TEMPLATE if c.name.startswith("qty_")),
        _R,
        "cylinders to load and deliver",
    ),
    "quantities": ColumnRole(_R, "an order delivers at least one cylinder"),
    "window": ColumnRole(_R, "the order's own delivery window"),
    "window_start": ColumnRole(_R, "the order's own delivery window"),
    "window_end": ColumnRole(_R, "the order's own delivery window"),
    "priority": ColumnRole(_R, "urgent orders are served first"),
    "notes": ColumnRole(_I, "free text for the driver"),
}

#: History columns, by the file's Chinese headers and by the template's English names
#: (both spellings of a column have the same role) -> role.
HISTORY_ROLES: dict[str, ColumnRole] = {
    **_roles(("日期", "date"), _R, "the delivery day: consumption is measured between deliveries"),
    **_roles(("客戶編號", "客戶", "customer_code"), _R, "whose delivery it is"),
    **_roles(("時間", "time"), _I, "time of day, for on-time statistics only"),
    **_roles(("業務", "driver"), _I, "driver's name, free text"),
    **_roles(
        (
            *(f"qty_{kg}kg" for kg in SIZE_CLASSES_KG),
            "50公斤",
            "丙烷20",
            "丙烷16",
            "20公斤",
            "16公斤",
            "10公斤",
            "4公斤",
            "好運桶16",
            "瓶安桶10",
            "幸福丸4",
            "好運桶20",
        ),
        _R,
        "cylinders delivered: the consumption the forecast learns from",
    ),
    **_roles(
        ("flow_kg", "流量50公斤", "流量20公斤", "流量16公斤", "流量好運20公斤", "流量好運16公斤"),
        _R,
        "kg billed by flow meter: the consumption of flow customers",
    ),
    **_roles(("退氣", "residual_kg"), _R, "gas left in returned cylinders: not consumed"),
    **_roles(
        (*(f"回收{kg}公斤" for kg in SIZE_CLASSES_KG), *(f"ret_{kg}kg" for kg in SIZE_CLASSES_KG)),
        _I,
        "empties returned; our own headers, no forecast reads them",
    ),
    # The real history export's customer columns: the customer is found by its code.
    **_roles(
        ("電子發票抬頭", "客戶簡稱", "地址"), _I, "customer details; matched by code, not read"
    ),
}


def lenient_columns(roles: Mapping[str, ColumnRole]) -> frozenset[str]:
    """The headers whose problems are warnings (derived or informational columns).

    Parameters
    ----------
    roles
        Header -> role, e.g. :data:`WORKBOOK_ROLES`.

    Returns
    -------
    frozenset[str]
        Headers of every column not relied on.
    """
    return frozenset(h for h, r in roles.items() if r.role.lenient)
