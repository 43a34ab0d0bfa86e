"""The demo depot, fleet, drivers and users.

The real fleet is unknown (domain.md section 3: "roughly 6-10 vehicles, mostly small
trucks plus 1-3 motorcycles"); capacities follow the model domain.md section 2 asks for:
per size class, motorcycles never carry 50 kg. Capacities are *per load*: as in the real
operation, a light truck carries 40-50 cylinders (about 1.1 t), comes back to the depot
to reload and goes out again (up to 3 loads a day), and the motorcycles shuttle 3 × 20 kg
at a time from the downtown depot all day.
"""

from __future__ import annotations

from dataclasses import dataclass

from luckygas.domain import DEFAULT_DEPOT_LATLNG, Role, VehicleType


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """One demo vehicle with its regular driver.

    ``zones`` are the delivery zones it normally serves; the history uses them to say
    who delivered what.
    """

    plate: str
    name: str
    vehicle_type: VehicleType
    caps: tuple[int, int, int, int, int]  # 50, 20, 16, 10, 4 kg cylinders
    max_kg: float
    fixed_cost: float
    cost_per_km: float
    speed_factor: float
    max_stops: int | None
    driver: str
    driver_username: str
    phone: str
    shift: tuple[int, int]  # minutes since midnight
    zones: tuple[str, ...]
    max_trips: int = 1  # loads per day (reloads at the depot in between)
    reload_minutes: int = 15


# One load of a light truck (小貨車): about 45 cylinders, 1.1 t of gas.
_TRUCK_CAPS = (12, 45, 20, 10, 20)
_CAR_CAPS = (4, 16, 10, 10, 20)
# One motorcycle load: three 20 kg cylinders (or the equivalent in small ones).
MOTO_CAPS = (0, 3, 3, 4, 8)
_DAY = (8 * 60, 18 * 60)
TRUCK_TRIPS, TRUCK_MAX_KG = 3, 1100
CAR_TRIPS, CAR_MAX_KG = 3, 600
MOTO_TRIPS, MOTO_MAX_KG, MOTO_RELOAD_MIN = 12, 60, 10

#: Seven light trucks, one van for the evening round and three motorcycles downtown.
#: Sized so one day of reload trips carries the demo's open orders: Lucky Gas burns about
#: 9.6 t of gas a day (domain.md section 3), 12-15 t on a December delivery day.
DEMO_FLEET: tuple[VehicleSpec, ...] = (
    VehicleSpec(
        "BLK-1201",
        "貨車1 瑞光",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.0,
        1.0,
        None,
        "陳志明",
        "chen.zm",
        "0912-345-101",
        _DAY,
        ("A", "M"),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "BLK-1202",
        "貨車2 四維",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.0,
        1.0,
        None,
        "林建宏",
        "lin.jh",
        "0912-345-102",
        _DAY,
        ("B",),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "BLK-1203",
        "貨車3 漢中",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.0,
        1.0,
        None,
        "黃俊傑",
        "huang.jj",
        "0912-345-103",
        _DAY,
        ("C", "K"),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "BLK-1205",
        "貨車4 東方大鎮",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.0,
        1.0,
        None,
        "張家豪",
        "chang.jh",
        "0912-345-104",
        _DAY,
        ("D", "Y"),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "BLK-1206",
        "貨車5 卑南知本",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.5,
        1.0,
        None,
        "王信宏",
        "wang.sh",
        "0912-345-105",
        _DAY,
        ("E", "J"),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "BLK-1207",
        "貨車6 海線縱谷",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.5,
        1.0,
        None,
        "吳宗翰",
        "wu.zh",
        "0912-345-106",
        _DAY,
        ("G", "F", "H", "I"),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "BLK-1208",
        "貨車7 南迴",
        VehicleType.LIGHT_TRUCK,
        _TRUCK_CAPS,
        TRUCK_MAX_KG,
        1800,
        9.5,
        1.0,
        None,
        "謝明哲",
        "hsieh.mc",
        "0912-345-111",
        _DAY,
        ("L",),
        TRUCK_TRIPS,
        15,
    ),
    VehicleSpec(
        "AUV-3308",
        "廂型車 晚班",
        VehicleType.CAR,
        _CAR_CAPS,
        CAR_MAX_KG,
        1200,
        6.0,
        1.0,
        None,
        "蔡承恩",
        "tsai.ce",
        "0912-345-107",
        (10 * 60, 20 * 60),
        (),
        CAR_TRIPS,
        15,
    ),
    VehicleSpec(
        "MKA-5501",
        "機車1 瑞光",
        VehicleType.MOTORCYCLE,
        MOTO_CAPS,
        MOTO_MAX_KG,
        600,
        2.5,
        0.9,
        40,
        "李冠宇",
        "li.gy",
        "0912-345-108",
        _DAY,
        ("A",),
        MOTO_TRIPS,
        MOTO_RELOAD_MIN,
    ),
    VehicleSpec(
        "MKA-5502",
        "機車2 商圈",
        VehicleType.MOTORCYCLE,
        MOTO_CAPS,
        MOTO_MAX_KG,
        600,
        2.5,
        0.9,
        40,
        "劉育成",
        "liu.yc",
        "0912-345-109",
        (9 * 60, 19 * 60),
        ("M", "B", "C", "D"),
        MOTO_TRIPS,
        MOTO_RELOAD_MIN,
    ),
    VehicleSpec(
        "MKA-5503",
        "機車3 瑞光",
        VehicleType.MOTORCYCLE,
        MOTO_CAPS,
        MOTO_MAX_KG,
        600,
        2.5,
        0.9,
        40,
        "楊博文",
        "yang.bw",
        "0912-345-110",
        _DAY,
        ("A",),
        MOTO_TRIPS,
        MOTO_RELOAD_MIN,
    ),
)

#: Lunch break: 60 minutes somewhere in 11:30-13:30.
BREAK_EARLIEST_MIN = 11 * 60 + 30
BREAK_LATEST_MIN = 13 * 60 + 30
BREAK_MINUTES = 60

#: Office users. The build adds one more: whoever builds it, as an admin (see
#: :func:`luckygas.demo.build.build_demo_database`), so builds by the same user match.
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "系統管理員", Role.ADMIN),
    ("manager", "李經理", Role.MANAGER),
    ("dispatch1", "周小姐 (調度)", Role.DISPATCHER),
    ("dispatch2", "鄭先生 (調度)", Role.DISPATCHER),
    ("viewer", "會計 (查詢)", Role.VIEWER),
)

DEPOT = {
    "code": "TTC",
    "name": "幸福氣 臺東場",
    "address": "臺東市中華路一段500號",
    "lat": DEFAULT_DEPOT_LATLNG[0],
    "lng": DEFAULT_DEPOT_LATLNG[1],
    "open_min": 7 * 60,
    "close_min": 20 * 60,
}
