"""Synthetic customers that look like Lucky Gas's real 1,267 commercial clients.

Every distribution follows the real figures in ``docs/domain.md`` (sections 1a
and 7): zone and township counts, vehicle requirements, owned cylinder mix, hourly
availability, rest days, consumption percentiles and the workbook flags. Real counts
are scaled to :attr:`DemoParams.n_customers` with exact (largest-remainder) splits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from luckygas.demo._draw import exact_flags, exact_labels, stratified_uniform
from luckygas.demo.fleet import MOTO_CAPS, MOTO_MAX_KG
from luckygas.demo.params import DemoParams
from luckygas.domain import (
    CYLINDER_TYPES,
    HOURLY_SLOTS,
    SIZE_CLASSES_KG,
    ZONES,
    hours_to_windows,
)

# ---------------------------------------------------------------------------
# Real distributions (domain.md section 1a / 7)
# ---------------------------------------------------------------------------

#: Townships within each zone (real counts where domain.md gives them).
ZONE_TOWNSHIPS: dict[str, dict[str, float]] = {
    "A": {"臺東市": 1},
    "B": {"臺東市": 1},
    "C": {"臺東市": 1},
    "D": {"臺東市": 156, "卑南鄉": 4},
    "E": {"卑南鄉": 40, "臺東市": 38},
    "M": {"臺東市": 1},
    "K": {"臺東市": 1},
    "Y": {"臺東市": 18, "卑南鄉": 7},
    "J": {"臺東市": 6, "太麻里鄉": 3},
    "G": {"東河鄉": 12, "卑南鄉": 7, "臺東市": 7},
    "F": {"成功鎮": 15, "東河鄉": 7, "長濱鄉": 3},
    "H": {"鹿野鄉": 22, "關山鎮": 2, "延平鄉": 1},
    "I": {"關山鎮": 2, "池上鄉": 1},
    "L": {"太麻里鄉": 14, "大武鄉": 4, "達仁鄉": 3, "金峰鄉": 3},
}

#: Roads used for synthetic addresses: city roads per urban zone, village roads per township.
ZONE_ROADS: dict[str, tuple[str, ...]] = {
    "A": ("中華路一段", "正氣路", "光明路", "大同路", "寶桑路", "鐵花路", "博愛路", "中山路"),
    "B": ("四維路一段", "四維路二段", "四維路三段", "更生路", "漢陽路", "傳廣路", "開封街"),
    "C": ("中興路一段", "長沙街", "浙江路", "杭州街", "臨海路", "福建路", "新生路"),
    "D": ("中興路二段", "中興路三段", "豐榮路", "興安路一段", "連航路", "青海路", "馬亨亨大道"),
    "M": ("正氣北路", "中華路二段", "西寧街", "廣東路", "強國街"),
    "K": ("大學路", "西康路", "中華路四段"),
    "Y": ("富岡街", "松江路一段", "吉林路二段"),
    "J": ("知本路三段", "溫泉路", "龍泉路"),
}
TOWNSHIP_ROADS: dict[str, tuple[str, ...]] = {
    "臺東市": ("中華路三段", "更生北路", "豐田路", "志航路一段"),
    "卑南鄉": ("太平村太平路", "利嘉村利嘉路", "賓朗村賓朗路", "初鹿村中華路", "美和村海岸路"),
    "太麻里鄉": ("大王村大王路", "泰和村太麻里街", "金崙村金崙路"),
    "東河鄉": ("都蘭村都蘭路", "東河村東河路", "隆昌村隆昌路"),
    "成功鎮": ("三民里中山路", "博愛里中華路", "信義里大同路"),
    "長濱鄉": ("長濱村長濱路", "忠勇村忠勇路"),
    "鹿野鄉": ("鹿野村中華路", "永安村永安路", "龍田村光榮路"),
    "延平鄉": ("桃源村昇平路",),
    "關山鎮": ("中福里中山路", "里壠里博愛路"),
    "池上鄉": ("池上村中山路", "福原村中正路"),
    "大武鄉": ("大武村大武街", "尚武村尚武路"),
    "達仁鄉": ("安朔村安朔路", "森永村森永路"),
    "金峰鄉": ("賓茂村賓茂路",),
}

SHOP_PREFIXES: tuple[str, ...] = (
    "阿明",
    "阿美",
    "阿嬤",
    "阿水",
    "阿伯",
    "小林",
    "老張",
    "老王",
    "林家",
    "陳記",
    "王記",
    "黃家",
    "張記",
    "李家",
    "吳家",
    "劉記",
    "蔡家",
    "楊記",
    "大同",
    "正氣",
    "寶桑",
    "中華",
    "四維",
    "鐵花",
    "東海",
    "富岡",
    "知本",
    "都蘭",
    "成功",
    "鹿野",
    "山海",
    "海濱",
    "好味",
    "福記",
    "金城",
    "興旺",
    "順發",
    "美好",
    "品香",
    "原鄉",
    "卑南",
    "客家",
    "榕樹",
    "吉利",
    "家香",
    "一品",
    "大王",
    "新天",
    "永和",
    "天天",
    "春天",
    "龍鳳",
    "滿福",
    "長春",
    "東興",
    "建國",
    "佳佳",
    "老街",
    "池上",
    "關山",
    "太麻里",
    "月光",
    "鯉魚山",
    "馬蘭",
    "豐年",
)
SHOP_KINDS: tuple[str, ...] = (
    "小吃店",
    "麵店",
    "自助餐",
    "早餐店",
    "火鍋店",
    "快炒",
    "便當",
    "餐廳",
    "牛肉麵",
    "燒臘店",
    "米苔目",
    "冰店",
    "麵包店",
    "臭豆腐",
    "滷味",
    "羊肉爐",
    "鵝肉",
    "熱炒",
    "海產店",
    "民宿",
    "飯店",
    "素食",
    "豆花",
    "水煎包",
    "鍋貼",
    "咖啡",
    "炸雞",
    "米粉湯",
    "餃子館",
    "幼兒園",
)
SCHOOL_PLACES: tuple[str, ...] = (
    "仁愛",
    "復興",
    "光明",
    "寶桑",
    "新生",
    "東海",
    "豐里",
    "豐榮",
    "豐源",
    "馬蘭",
    "岩灣",
    "南王",
    "卑南",
    "知本",
    "建和",
    "富岡",
    "康樂",
    "新園",
    "利嘉",
    "初鹿",
    "賓朗",
    "鹿野",
)
SCHOOL_KINDS: dict[str, float] = {"國小": 16, "國中": 8, "幼兒園": 8, "高中": 4}

#: Real share of vehicle requirements (domain.md 1a): motorcycle-only customers per zone.
MOTORCYCLE_PER_ZONE: dict[str, float] = {"A": 158 / 355, "M": 19 / 21}
#: The remaining 18 motorcycle-only customers spread over the other urban zones.
MOTORCYCLE_OTHER_ZONES: tuple[str, ...] = ("B", "C", "D")
MOTORCYCLE_OTHER_SHARE = 18 / (281 + 225 + 160)

TIME_PREFERENCE_COUNTS: dict[str, float] = {
    "all_day": 565,
    "morning": 378,
    "afternoon": 287,
    "evening": 37,
}

#: Real rest-day codes (公休日): ISO weekday digits, "RED" = national holidays.
REST_DAY_COUNTS: dict[str, float] = {
    "": 1034,
    "7": 91,
    "1": 41,
    "3": 25,
    "RED": 25,
    "2": 20,
    "6": 16,
    "4": 12,
    "5": 3,
}
#: The workbook also holds two-day codes ("2.3", "6.7"); this share of each single day
#: becomes the pair shown.
TWO_DAY_REST: dict[str, tuple[str, float]] = {"7": ("67", 0.12), "2": ("23", 0.2), "1": ("17", 0.1)}

#: Real avg_daily_usage percentiles (kg/day) as (quantile, value) anchor points;
#: the tails (0, 0.01, 1.0) are our extrapolation around the real p99 of 71.
USAGE_QUANTILES: tuple[tuple[float, float], ...] = (
    (0.0, 0.12),
    (0.01, 0.25),
    (0.10, 0.7),
    (0.25, 2.0),
    (0.50, 4.3),
    (0.75, 9.4),
    (0.90, 17.6),
    (0.99, 71.0),
    (1.0, 110.0),
)

# Owned-cylinder generators: primary type weights (real row counts, domain.md 1a),
# the chance of a second type, and the quantity law "base + Poisson(extra)".
_FLOW_PRIMARY = {"FLOW_50KG": 200, "FLOW_20KG": 170, "FLOW_LUCKY_16KG": 113}
_FLOW_SECOND = {"FLOW_50KG": 45, "FLOW_20KG": 57, "FLOW_LUCKY_16KG": 31}
_CYL_PRIMARY = {
    "STANDARD_20KG": 600,
    "STANDARD_16KG": 55,
    "LUCKY_16KG": 40,
    "STANDARD_50KG": 45,
    "STANDARD_4KG": 35,
    "LUCKY_PILL": 8,
    "COMMERCIAL_20KG": 5,
    "STANDARD_10KG": 4,
    "SAFETY_BUCKET_10KG": 2,
}
_CYL_SECOND = {
    "STANDARD_20KG": 100,
    "STANDARD_16KG": 14,
    "LUCKY_16KG": 14,
    "STANDARD_50KG": 17,
    "STANDARD_4KG": 21,
    "LUCKY_PILL": 3,
    "COMMERCIAL_20KG": 2,
    "STANDARD_10KG": 1,
}
_QTY_LAW: dict[str, tuple[int, float]] = {
    "FLOW_50KG": (1, 1.9),
    "FLOW_20KG": (1, 0.6),
    "FLOW_LUCKY_16KG": (1, 0.0),
    "STANDARD_20KG": (1, 0.5),
    "STANDARD_50KG": (1, 1.3),
    "STANDARD_16KG": (1, 0.2),
    "STANDARD_4KG": (1, 0.5),
    "LUCKY_16KG": (1, 0.6),
    "LUCKY_PILL": (2, 2.0),
    "COMMERCIAL_20KG": (1, 1.0),
    "STANDARD_10KG": (1, 0.0),
    "SAFETY_BUCKET_10KG": (1, 0.0),
}
SPARE_SHARE = 63 / 1267
MAX_CYLINDERS = 20
#: A delivery brings at least this many days of base usage (else the set is topped up).
MIN_SWAP_DAYS = 4.0

TYPE_CODES: tuple[str, ...] = tuple(c.code for c in CYLINDER_TYPES)
TYPE_INDEX: dict[str, int] = {code: i for i, code in enumerate(TYPE_CODES)}
#: Column of each cylinder type in the size-class axis (50, 20, 16, 10, 4).
TYPE_SIZE_COL = np.array([SIZE_CLASSES_KG.index(c.size_kg) for c in CYLINDER_TYPES])
SIZES = np.array(SIZE_CLASSES_KG, dtype=float)
HOURS = np.array(HOURLY_SLOTS)  # hourly availability slots 08-09 ... 19-20


@dataclass(frozen=True, slots=True)
class CustomerSet:
    """The generated customers as column arrays (index ``i`` is one customer).

    ``owned[i, t]`` counts working cylinders of type ``TYPE_CODES[t]``; ``spare[i]``
    counts spare 20 kg cylinders kept on site. ``swap[i, s]`` is how many cylinders of
    size class ``SIZE_CLASSES_KG[s]`` one delivery exchanges (the emptied bank of a
    switch-over installation); the rest of the set is the reserve bank.
    """

    code: np.ndarray
    short_name: np.ndarray
    invoice_title: np.ndarray
    address: np.ndarray
    township: np.ndarray
    zone: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    phone: np.ndarray
    tax_id: np.ndarray
    customer_type: np.ndarray
    pricing: np.ndarray
    payment: np.ndarray
    requirement: np.ndarray
    time_preference: np.ndarray
    hours: np.ndarray  # bool (n, 12): available 08-09 ... 19-20
    rest_weekdays: np.ndarray
    closed_on_holidays: np.ndarray
    base_usage: np.ndarray
    owned: np.ndarray
    spare: np.ndarray
    swap: np.ndarray
    subscription: np.ndarray
    alarm: np.ndarray
    patrol: np.ndarray
    same_day: np.ndarray
    terminated: np.ndarray
    switch_model: np.ndarray

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.code)

    @property
    def size_counts(self) -> np.ndarray:
        """Working cylinders per size class, shape (n, 5)."""
        out = np.zeros((self.n, len(SIZE_CLASSES_KG)), dtype=np.int64)
        for t, col in enumerate(TYPE_SIZE_COL):
            out[:, col] += self.owned[:, t]
        return out

    @property
    def capacity_kg(self) -> np.ndarray:
        """Gas in the full working set (the 串接 connection quantity), kg."""
        return self.size_counts @ SIZES

    @property
    def swap_kg(self) -> np.ndarray:
        """Gas one delivery brings, kg."""
        return self.swap @ SIZES

    @property
    def reserve_kg(self) -> np.ndarray:
        """Gas in the reserve bank that stays connected while the other is exchanged, kg."""
        return self.capacity_kg - self.swap_kg

    def windows(self, i: int) -> list[tuple[int, int]]:
        """Customer ``i``'s availability merged into windows, minutes since midnight."""
        return list(hours_to_windows(self.hours[i]))


def generate_customers(rng: np.random.Generator, params: DemoParams) -> CustomerSet:
    """Draw the customers.

    Parameters
    ----------
    rng
        Random generator (the caller seeds it).
    params
        Demo parameters; ``n_customers`` customers are drawn.

    Returns
    -------
    CustomerSet
        Column arrays, one entry per customer, in customer-code order.
    """
    n = params.n_customers
    zone = exact_labels(rng, {z.code: z.customers for z in ZONES}, n)
    township = _townships(rng, zone)
    lat, lng = _coordinates(rng, zone)
    requirement = _vehicle_requirements(rng, zone)
    is_mc = requirement == "motorcycle"

    customer_type = np.where(exact_flags(rng, n, round(params.scale(36))), "school", "commercial")
    usage = _usage(rng, is_mc)
    # Flow metering (串接 installations) leans towards the heavy users.
    usage_rank = np.argsort(np.argsort(usage)) / n
    flow = exact_flags(rng, n, round(params.scale(483)), score=3.0 * usage_rank)
    owned = _owned_cylinders(rng, usage, flow, is_mc)
    spare = exact_flags(rng, n, round(params.scale(63))).astype(np.int64)
    swap = _swap_bank(owned)

    preference = exact_labels(rng, TIME_PREFERENCE_COUNTS, n)
    hours = _hours(rng, preference)
    rest, closed_holidays = _rest_days(rng, n)

    alarm = exact_flags(rng, n, round(params.scale(794)), score=1.0 * flow)
    patrol = exact_flags(rng, n, round(params.scale(1131)))
    subscription = exact_flags(rng, n, round(params.scale(319)))
    same_day = exact_flags(rng, n, max(1, round(params.scale(11))), score=2.0 * usage_rank)
    terminated = exact_flags(rng, n, max(1, round(params.scale(10))))
    switch_model = np.where(
        alarm,
        rng.choice(np.array(["重量發報", "壓力錶發報", "流量錶發報"], dtype=object), n),
        np.where(rng.random(n) < 0.4, "自動切換器", ""),
    )

    code = np.array(
        [str(c) for c in np.sort(rng.choice(np.arange(1_400_000, 1_500_000), n, replace=False))],
        dtype=object,
    )
    short_name = _names(rng, customer_type, township)
    invoice_title, tax_id = _invoice_titles(rng, short_name, customer_type, township)
    address = np.array(
        [_address(rng, z, t) for z, t in zip(zone, township, strict=True)], dtype=object
    )
    phone = np.array([_phone(rng) for _ in range(n)], dtype=object)
    payment = np.where(exact_flags(rng, n, round(params.scale(616))), "monthly", "cash")

    return CustomerSet(
        code=code,
        short_name=short_name,
        invoice_title=invoice_title,
        address=address,
        township=township,
        zone=zone,
        lat=lat,
        lng=lng,
        phone=phone,
        tax_id=tax_id,
        customer_type=customer_type.astype(object),
        pricing=np.where(flow, "flow", "cylinder").astype(object),
        payment=payment.astype(object),
        requirement=requirement,
        time_preference=preference,
        hours=hours,
        rest_weekdays=rest,
        closed_on_holidays=closed_holidays,
        base_usage=usage,
        owned=owned,
        spare=spare,
        swap=swap,
        subscription=subscription,
        alarm=alarm,
        patrol=patrol,
        same_day=same_day,
        terminated=terminated,
        switch_model=switch_model.astype(object),
    )


# ---------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------


def _townships(rng: np.random.Generator, zone: np.ndarray) -> np.ndarray:
    out = np.empty(len(zone), dtype=object)
    for code, weights in ZONE_TOWNSHIPS.items():
        idx = np.flatnonzero(zone == code)
        out[idx] = exact_labels(rng, weights, len(idx))
    return out


def _coordinates(rng: np.random.Generator, zone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.empty(len(zone))
    lng = np.empty(len(zone))
    for z in ZONES:
        idx = np.flatnonzero(zone == z.code)
        lat[idx] = rng.uniform(z.lat_min, z.lat_max, len(idx))
        lng[idx] = rng.uniform(z.lng_min, z.lng_max, len(idx))
    # Six decimals (about 0.1 m) is what a geocoder or a map click gives.
    return np.round(lat, 6), np.round(lng, 6)


def _vehicle_requirements(rng: np.random.Generator, zone: np.ndarray) -> np.ndarray:
    n = len(zone)
    req = np.full(n, "car", dtype=object)
    for code, share in MOTORCYCLE_PER_ZONE.items():
        idx = np.flatnonzero(zone == code)
        req[rng.choice(idx, round(share * len(idx)), replace=False)] = "motorcycle"
    others = np.flatnonzero(np.isin(zone, MOTORCYCLE_OTHER_ZONES))
    req[rng.choice(others, round(MOTORCYCLE_OTHER_SHARE * len(others)), replace=False)] = (
        "motorcycle"
    )
    city = np.flatnonzero(np.isin(zone, ("A", "B", "C", "D", "M")) & (req == "car"))
    req[rng.choice(city, round(20 / 1267 * n), replace=False)] = "either"
    return req


def _address(rng: np.random.Generator, zone: str, township: str) -> str:
    roads = ZONE_ROADS.get(zone) if township == "臺東市" else None
    road = rng.choice(np.array(roads or TOWNSHIP_ROADS[township], dtype=object))
    number = int(rng.integers(1, 400))
    lane = f"{int(rng.integers(1, 200))}巷" if rng.random() < 0.12 else ""
    return f"{township}{road}{lane}{number}號"


def _phone(rng: np.random.Generator) -> str:
    if rng.random() < 0.7:  # Taitung landline, area code 089
        return f"089-{int(rng.integers(310000, 390000))}"
    a, b, c = (int(x) for x in rng.integers([10, 100, 100], [90, 1000, 1000]))
    return f"09{a}-{b}-{c}"


def _names(rng: np.random.Generator, customer_type: np.ndarray, township: np.ndarray) -> np.ndarray:
    names = np.empty(len(customer_type), dtype=object)
    used: set[str] = set()
    school_kinds = list(SCHOOL_KINDS)
    school_p = np.array(list(SCHOOL_KINDS.values())) / sum(SCHOOL_KINDS.values())
    for i, kind in enumerate(customer_type):
        for attempt in range(50):
            if kind == "school":
                place = SCHOOL_PLACES[int(rng.integers(len(SCHOOL_PLACES)))]
                name = f"{place}{school_kinds[int(rng.choice(len(school_kinds), p=school_p))]}"
            else:
                prefix = SHOP_PREFIXES[int(rng.integers(len(SHOP_PREFIXES)))]
                name = f"{prefix}{SHOP_KINDS[int(rng.integers(len(SHOP_KINDS)))]}"
            if attempt >= 40:
                name = f"{name}{attempt - 38}店"
            if name not in used:
                break
        used.add(name)
        names[i] = name
    return names


def _invoice_titles(
    rng: np.random.Generator, names: np.ndarray, customer_type: np.ndarray, township: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    titles = np.empty(len(names), dtype=object)
    tax = np.empty(len(names), dtype=object)
    for i, (name, kind, town) in enumerate(zip(names, customer_type, township, strict=True)):
        if kind == "school":
            titles[i] = f"臺東縣{town}{name}"
            tax[i] = f"{int(rng.integers(10_000_000, 99_999_999)):08d}"
        elif rng.random() < 0.4:  # a company with a tax id (統一編號)
            form = ("餐飲有限公司", "企業社", "商行", "小吃部")[int(rng.integers(4))]
            titles[i] = f"{name[:2]}{form}"
            tax[i] = f"{int(rng.integers(10_000_000, 99_999_999)):08d}"
        else:
            titles[i] = name
            tax[i] = ""
    return titles, tax


# ---------------------------------------------------------------------------
# Consumption and cylinders
# ---------------------------------------------------------------------------


def usage_quantile(q: np.ndarray) -> np.ndarray:
    """The real avg-daily-usage distribution's quantile function (log-linear between anchors)."""
    qs = np.array([a for a, _ in USAGE_QUANTILES])
    logv = np.log([v for _, v in USAGE_QUANTILES])
    return np.exp(np.interp(q, qs, logv))


def _usage(rng: np.random.Generator, is_mc: np.ndarray) -> np.ndarray:
    """Base kg/day with the real percentiles; motorcycle-only customers get the lower draws.

    Ranks are matched with a handicap for motorcycle-only customers, which reproduces the
    real means (about 5.7 kg/day against 9.7 for the others) without changing the
    overall percentiles.
    """
    n = len(is_mc)
    values = np.sort(usage_quantile(stratified_uniform(rng, n)))
    key = rng.normal(0.0, 1.0, n) - 0.38 * is_mc
    out = np.empty(n)
    out[np.argsort(key, kind="stable")] = values
    return np.round(out, 3)


def _draw_type(rng: np.random.Generator, weights: Mapping[str, float], exclude: set[str]) -> str:
    keys = [k for k in weights if k not in exclude]
    w = np.array([weights[k] for k in keys], float)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def _draw_set(rng: np.random.Generator, flow: bool, mc: bool) -> np.ndarray:
    counts = np.zeros(len(TYPE_CODES), dtype=np.int64)
    primary, second = (_FLOW_PRIMARY, _FLOW_SECOND) if flow else (_CYL_PRIMARY, _CYL_SECOND)
    # Motorcycle-only customers never own 50 kg cylinders (domain.md 1a).
    banned = {"FLOW_50KG", "STANDARD_50KG"} if mc else set()
    first = _draw_type(rng, primary, banned)
    chosen = [first]
    if rng.random() < (0.28 if flow else 0.2):
        chosen.append(_draw_type(rng, second, banned | {first}))
    for code in chosen:
        base, extra = _QTY_LAW[code]
        counts[TYPE_INDEX[code]] = base + (rng.poisson(extra) if extra else 0)
    return counts


def _owned_cylinders(
    rng: np.random.Generator, usage: np.ndarray, flow: np.ndarray, is_mc: np.ndarray
) -> np.ndarray:
    """Draw installed sets from the real type mix, then give bigger sets to bigger users.

    A motorcycle-only customer's set is kept small enough that one delivery fits one
    motorcycle load (:data:`luckygas.demo.fleet.MOTO_CAPS`, ``MOTO_MAX_KG``).

    Within each (flow, motorcycle) group the sets are matched to customers by a noisy
    rank of kg installed against usage, so the type mix stays the real one while a
    70 kg/day kitchen does not end up with a single 4 kg cylinder. Sets too small to
    last two days are then topped up with their own largest size.
    """
    n = len(usage)
    owned = np.zeros((n, len(TYPE_CODES)), dtype=np.int64)
    for f in (False, True):
        for m in (False, True):
            idx = np.flatnonzero((flow == f) & (is_mc == m))
            if len(idx) == 0:
                continue
            sets = np.array([_draw_set(rng, f, m) for _ in idx])
            kg = sets[:, :] @ np.array([c.kg for c in CYLINDER_TYPES])
            set_order = np.argsort(np.log(kg) + rng.normal(0, 0.35, len(idx)), kind="stable")
            cust_order = idx[np.argsort(np.log(usage[idx]) + rng.normal(0, 0.35, len(idx)))]
            owned[cust_order] = sets[set_order]
    type_kg = np.array([c.kg for c in CYLINDER_TYPES])
    for i in range(n):
        while True:
            swap_kg = _swap_bank(owned[i : i + 1]) @ SIZES
            if swap_kg[0] >= MIN_SWAP_DAYS * usage[i] or owned[i].sum() >= MAX_CYLINDERS:
                break
            present = np.flatnonzero(owned[i])
            if is_mc[i] and not _fits_motorcycle(
                _top_up(owned[i], present[np.argmax(type_kg[present])])
            ):
                break  # a bigger set would no longer ride on one motorcycle load
            owned[i, present[np.argmax(type_kg[present])]] += 1
        while owned[i].sum() > MAX_CYLINDERS:
            owned[i, np.argmax(owned[i])] -= 1
        # Motorcycle-only customers are served by motorcycle: one delivery must fit one
        # load (real sets: 20/16/10/4 kg, 5.7 kg/day on average). Drop the heaviest
        # cylinder until the exchanged bank fits.
        while is_mc[i] and not _fits_motorcycle(owned[i]) and owned[i].sum() > 1:
            present = np.flatnonzero(owned[i])
            owned[i, present[np.argmax(type_kg[present] * 1000 + owned[i, present])]] -= 1
    return owned


def _top_up(owned: np.ndarray, t: int) -> np.ndarray:
    out = owned.copy()
    out[t] += 1
    return out


def _fits_motorcycle(owned: np.ndarray) -> bool:
    """True if one delivery (the swap bank) of this set fits one motorcycle load."""
    swap = _swap_bank(owned[None, :])[0]
    return bool(np.all(swap <= np.array(MOTO_CAPS)) and swap @ SIZES <= MOTO_MAX_KG)


def _swap_bank(owned: np.ndarray) -> np.ndarray:
    """Cylinders exchanged per delivery, per size class.

    A lone cylinder of a size is exchanged whole; two or more of a size are split into a
    working bank (half, rounded up) and a reserve bank, as on an automatic switch-over
    valve (自動切換器), which is why returned cylinders usually hold little gas.
    """
    per_size = np.zeros((owned.shape[0], len(SIZE_CLASSES_KG)), dtype=np.int64)
    for t, col in enumerate(TYPE_SIZE_COL):
        per_size[:, col] += owned[:, t]
    return np.where(per_size <= 1, per_size, (per_size + 1) // 2)


# ---------------------------------------------------------------------------
# Availability and rest days
# ---------------------------------------------------------------------------


def _hours(rng: np.random.Generator, preference: np.ndarray) -> np.ndarray:
    """Hourly availability 08-20 as one or two long blocks per customer.

    Blocks (not independent hours) keep windows long and multi-hour, with the lunch and
    evening gaps the real data shows; the block bounds are tuned so the number of
    customers available in each hour is close to the real per-slot counts.
    """
    n = len(preference)
    hours = np.zeros((n, 12), dtype=bool)

    def block(i: int, start: int, end: int) -> None:
        hours[i, max(start - 8, 0) : max(min(end - 8, 12), 0)] = True

    for i, pref in enumerate(preference):
        u, v = rng.random(2)
        if pref == "all_day":
            start = int(rng.choice([8, 9, 10], p=[0.75, 0.1, 0.15]))
            end = int(rng.choice([17, 18, 19, 20], p=[0.1, 0.1, 0.1, 0.7]))
            if u < 0.25:  # closed over lunch
                gap = int(rng.choice([12, 13, 14], p=[0.4, 0.3, 0.3]))
                block(i, start, gap)
                block(i, gap + 1, end)
            else:
                block(i, start, end)
        elif pref == "morning":
            if u < 0.8 or v >= 0.3:
                block(
                    i, int(rng.choice([8, 9, 10], p=[0.5, 0.3, 0.2])), int(rng.choice([12, 13, 14]))
                )
            if v < 0.3:  # open again in the late afternoon
                block(i, int(rng.choice([15, 16, 17])), int(rng.choice([19, 20], p=[0.4, 0.6])))
        elif pref == "afternoon":
            block(
                i,
                int(rng.choice([12, 13, 14], p=[0.4, 0.3, 0.3])),
                int(rng.choice([17, 18, 19, 20], p=[0.25, 0.2, 0.15, 0.4])),
            )
            if u < 0.25:  # also reachable first thing in the morning
                block(i, 8, int(rng.choice([9, 10])))
        else:  # evening
            block(i, int(rng.choice([16, 17], p=[0.4, 0.6])), 20)
            if u < 0.5:
                block(i, int(rng.choice([9, 10])), 12)
    return hours


def _rest_days(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    codes = exact_labels(rng, REST_DAY_COUNTS, n)
    rest = np.where(codes == "RED", "", codes).astype(object)
    for single, (pair, share) in TWO_DAY_REST.items():
        idx = np.flatnonzero(rest == single)
        rest[rng.choice(idx, round(share * len(idx)), replace=False)] = pair
    return rest, codes == "RED"
