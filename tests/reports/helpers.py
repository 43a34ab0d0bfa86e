"""Builders for the report tests: a hand-built plan (two routes, five stops, one unserved
order; the truck takes a break between stops, the motorcycle reloads once at the depot)
and a small database with a saved plan.

One customer is named like an XSS payload so every output is checked for escaping, and
one has a real-looking Chinese name and mobile number so redaction can be checked.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd

from luckygas.optimize.result import (
    RELOAD_COLUMNS,
    ROUTE_COLUMNS,
    STOP_COLUMNS,
    UNASSIGNED_COLUMNS,
    PlanResult,
    RunRecord,
)
from luckygas.reports.data import DepotInfo, PlanData

DAY = dt.date(2026, 3, 2)
HOSTILE = "<img src=x onerror=alert(1)>"
WANG = "王小明"
WANG_PHONE = "0912-345-678"
SIZES = (50, 20, 16, 10, 4)


def _stop(vid, seq, oid, cid, name, lat, lng, arr, qty, empties=None, notes="", trip=1):
    row = {
        "vehicle_id": vid, "sequence": seq, "order_id": oid, "customer_id": cid,
        "customer_name": name, "address": f"台東市中華路{oid}號", "lat": lat, "lng": lng,
        "arrival_s": arr, "wait_s": 0, "start_s": arr, "departure_s": arr + 600,
        "service_s": 600, "window_start_s": 8 * 3600, "window_end_s": 12 * 3600,
        "distance_from_prev_m": 1500, "travel_from_prev_s": 240, "priority": "normal",
        "notes": notes, "trip": trip,
    }  # fmt: skip
    for kg in SIZES:
        row[f"qty_{kg}kg"] = qty.get(kg, 0)
        row[f"empties_{kg}kg"] = (empties or {}).get(kg, 0)
        row[f"load_after_{kg}kg"] = 0
    return row


#: The motorcycle's reload: back at the depot 09:20, out again 09:30 for trip 2.
MOTO_RELOAD = (9 * 3600 + 1200, 9 * 3600 + 1800)
#: The truck's break, between its second stop (leaves 09:10) and third (arrives 09:30).
TRUCK_BREAK = (9 * 3600 + 600, 900)


def make_result() -> PlanResult:
    """Two routes from the Taitung depot; customer 3 has a hostile name.

    The truck (one trip, 138 kg) breaks 09:10–09:25. The motorcycle (capacity 60 kg)
    delivers 88 kg in two trips: 1×20kg 2×4kg, reload, then 1×20kg 4×10kg; so its
    largest single-trip load per size (``load_20kg`` = 1) differs from the day's total (2).
    """
    stops = pd.DataFrame(
        [
            _stop(1, 1, 101, 1, WANG, 22.7560, 121.1450, 8 * 3600 + 900, {20: 2}, {20: 2}),
            _stop(1, 2, 102, 2, "海濱餐廳", 22.7600, 121.1500, 9 * 3600, {50: 1}, {50: 1},
                  notes="後門 <b>卸貨</b>"),
            _stop(1, 3, 103, 3, HOSTILE, 22.7650, 121.1400, 9 * 3600 + 1800, {16: 3}),
            _stop(2, 1, 104, 4, "鹿野民宿", 22.9120, 121.1370, 8 * 3600 + 2400, {20: 1, 4: 2}),
            _stop(2, 2, 105, 5, "關山麵店", 23.0460, 121.1630, 10 * 3600, {20: 1, 10: 4},
                  {10: 3}, trip=2),
        ],
        columns=STOP_COLUMNS,
    )  # fmt: skip
    routes = pd.DataFrame(
        [
            {"vehicle_id": 1, "vehicle_name": "Truck A", "vehicle_type": "light_truck",
             "driver_name": "陳大同", "start_s": 8 * 3600, "end_s": 10 * 3600 + 1200,
             "n_stops": 3, "distance_m": 12_300, "drive_s": 2400, "service_s": 1800, "wait_s": 0,
             "break_start_s": TRUCK_BREAK[0], "break_s": TRUCK_BREAK[1], "load_kg": 138,
             "load_50kg": 1, "load_20kg": 2, "load_16kg": 3, "load_10kg": 0, "load_4kg": 0,
             "utilisation_kg": 0.138, "cost": 3327.0, "trips": 1, "max_trip_kg": 138},
            # Its break slot (12:00) falls after it is back (11:00): no part of its day.
            {"vehicle_id": 2, "vehicle_name": "Moto B", "vehicle_type": "motorcycle",
             "driver_name": "林小華", "start_s": 8 * 3600, "end_s": 11 * 3600,
             "n_stops": 2, "distance_m": 61_000, "drive_s": 6000, "service_s": 1200, "wait_s": 0,
             "break_start_s": 12 * 3600, "break_s": 3600, "load_kg": 88, "load_50kg": 0,
             "load_20kg": 1, "load_16kg": 0, "load_10kg": 4, "load_4kg": 2,
             "utilisation_kg": 1.0, "cost": 610.0, "trips": 2, "max_trip_kg": 60},
        ],
        columns=ROUTE_COLUMNS,
    )  # fmt: skip
    routes["break_start_s"] = routes["break_start_s"].astype("Int64")
    unassigned = pd.DataFrame(
        [{"order_id": 106, "customer_id": 6, "customer_name": "無座標商店", "lat": float("nan"),
          "lng": float("nan"), "priority": "urgent", "reason_code": "NO_COORDINATES",
          "reason": "The customer has no coordinates; geocode the address."}],
        columns=UNASSIGNED_COLUMNS,
    )  # fmt: skip
    kpis = {
        "vehicles_used": 2, "vehicles_available": 3, "orders": 6, "served": 5, "unassigned": 1,
        "distance_km": 73.3, "driving_h": 2.33, "working_h": 5.33, "kg_delivered": 226,
        "on_time_pct": 100.0, "cost": 3937.0, "objective": 4000.0, "trips": 3,
        "unserved_cost": 10000.0, "total_cost": 13937.0,
    }  # fmt: skip
    reloads = pd.DataFrame([(2, 2, *MOTO_RELOAD)], columns=RELOAD_COLUMNS)
    run = RunRecord(
        solver="ortools", params={"time_limit_s": 5}, seed=7, time_limit_s=5.0,
        fingerprint="abc123", wall_s=1.2, status="FEASIBLE", objective=180000, solutions=3,
    )  # fmt: skip
    return PlanResult(routes, stops, unassigned, kpis, run, reloads)


def make_plan_data() -> PlanData:
    """:func:`make_result` with contacts, order numbers and the depot filled in."""
    contacts = pd.DataFrame(
        [(1, "T000001", WANG_PHONE, "taitung_city"), (2, "T000002", "089-321-654", "taitung_city"),
         (3, "T000003", "0987-654-321", "taitung_city"), (4, "T000004", "", "luye"),
         (5, "T000005", "089-811-222", "guanshan"), (6, "T000006", "0911-000-111", "chishang")],
        columns=["customer_id", "customer_code", "phone", "zone_code"],
    )  # fmt: skip
    drivers = pd.DataFrame(
        [(1, "ABC-1234", "0922-111-333", 1000.0), (2, "XYZ-987", "", 60.0)],
        columns=["vehicle_id", "vehicle_plate", "driver_phone", "capacity_kg"],
    )
    return PlanData(
        day=DAY,
        result=make_result(),
        contacts=contacts,
        drivers=drivers,
        order_numbers={i: f"O-{i}" for i in range(101, 107)},
        depot=DepotInfo("幸福氣 台東站", 22.7583, 121.1444, "台東市"),
        plan_id=7,
        plan_name="morning",
        plan_status="draft",
        source="saved",
    )


def chromium_path() -> str | None:
    """The Chromium binary, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


# ---------------------------------------------------------------------------
# A small database with a saved plan (real pipeline: build_problem, solve, save_plan)
# ---------------------------------------------------------------------------

#: (code, name, phone, zone, lat, lng, qty by size, notes); the last has no coordinates.
DB_CUSTOMERS = [
    ("T100001", WANG, WANG_PHONE, "A", 22.7560, 121.1450, {20: 2}, "後門卸貨"),
    ("T100002", "海濱餐廳", "089-321-654", "B", 22.7620, 121.1250, {50: 1}, ""),
    ("T100003", HOSTILE, "0987-654-321", "C", 22.7450, 121.1350, {16: 2}, "<script>x</script>"),
    ("T100004", "豐谷麵店", "089-811-222", "M", 22.7600, 121.1480, {20: 1, 4: 2}, ""),
    ("T100005", "東方小吃", "0933-222-111", "D", 22.7850, 121.1100, {10: 3}, ""),
    ("T100006", "富岡漁港", "0955-888-777", "Y", 22.7950, 121.1850, {20: 2}, ""),
    ("T100007", "無座標商店", "0911-000-111", "A", None, None, {20: 1}, ""),
]


def build_planned_database(engine, *, solve_seconds: float = 1.0, customers=DB_CUSTOMERS) -> int:
    """Fill ``engine`` with a depot, two vehicles with drivers, seven customers and their
    orders for :data:`DAY`, solve the day and save the plan; return the plan id.

    ``customers`` are rows like :data:`DB_CUSTOMERS` (the default)."""
    from sqlalchemy.orm import Session

    from luckygas import models as m
    from luckygas.bridge.persist import save_plan
    from luckygas.bridge.planning import plan_day
    from luckygas.domain import VehicleRequirement
    from luckygas.optimize.params import SolverParams
    from tests.factories import add_depot, add_motorcycle, add_truck, register

    register(engine, "tester")
    with Session(engine, expire_on_commit=False) as s:
        s.info["user"] = "tester"
        depot = add_depot(s, name="幸福氣 台東站", lat=22.7583, lng=121.1444)
        truck = add_truck(
            s, depot, plate="ABC-1234", name="Truck A", cap_50kg=10, cap_20kg=30, cap_16kg=20,
            cap_10kg=20, cap_4kg=20, max_kg=160, fixed_cost=500,
        )  # fmt: skip
        moto = add_motorcycle(
            s, depot, plate="XYZ-987", name="Moto B", cap_20kg=4, cap_16kg=4, cap_10kg=4,
            cap_4kg=4, max_kg=100, fixed_cost=100,
        )  # fmt: skip
        s.add_all([truck, moto])
        s.flush()
        s.add_all([
            m.Driver(name="陳大同", phone="0922-111-333", default_vehicle_id=truck.id),
            m.Driver(name="林小華", phone="0922-444-555", default_vehicle_id=moto.id),
        ])  # fmt: skip
        for i, (code, name, phone, zone, lat, lng, qty, notes) in enumerate(customers, 1):
            c = m.Customer(code=code, short_name=name, address=f"臺東市中華路{i}號",
                           zone_code=zone, lat=lat, lng=lng, phone=phone,
                           vehicle_requirement=VehicleRequirement.EITHER)  # fmt: skip
            s.add(c)
            s.flush()
            s.add(m.Order(number=f"O-{i:03d}", customer_id=c.id, delivery_date=DAY, notes=notes,
                          **{f"qty_{kg}kg": n for kg, n in qty.items()}))  # fmt: skip
        s.commit()
        params = SolverParams(time_limit_s=solve_seconds)
        problem, result = plan_day(s, DAY, params)
        plan = save_plan(s, problem, result, name="morning")
        s.commit()
        return plan.id
