"""The file layouts the importers read and the exporters write, as data.

* The real customer workbook (sheet ``客戶資料``, 76 columns, headers exactly as spelled
  in Lucky Gas's file; see ``docs/domain.md`` section 5).
* English-header templates for customers, orders and history, for anyone without the
  workbook (``luckygas template customers``).
* The per-transaction delivery-history layout (Chinese headers from the earlier system's
  migration code; the empties and residual-gas headers are ours, see :mod:`.history`).
"""

from __future__ import annotations

from dataclasses import dataclass

from luckygas.domain import (
    CYLINDER_TYPES,
    HOURLY_SLOTS,
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
