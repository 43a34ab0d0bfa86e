"""Synthetic Taitung delivery days of any size, for tests and benchmarks (no database).

Customers are drawn inside the real zones' bounding boxes with the zones' real customer
counts as weights, so most orders are in town and a few are far down the coast. The
fleet scales with the number of orders (about one light truck per 25 orders and one
motorcycle per 60), with reload trips, a lunch break and the demo's capacities.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from luckygas.domain import DEFAULT_DEPOT_LATLNG, ZONES, Priority, VehicleRequirement, VehicleType
from luckygas.optimize.problem import Depot, Location, Order, RoutingProblem, Vehicle

H = 3600
#: Truck and motorcycle loads used by the synthetic fleet (50, 20, 16, 10, 4 kg).
TRUCK_CAPACITY = {50: 10, 20: 45, 16: 20, 10: 10, 4: 20}
MOTO_CAPACITY = {50: 0, 20: 3, 16: 3, 10: 4, 4: 8}
_WINDOWS = (
    ((8 * H, 20 * H),),
    ((8 * H, 12 * H), (14 * H, 18 * H)),
    ((9 * H, 17 * H),),
    ((13 * H, 19 * H),),
)


def synthetic_fleet(n_trucks: int, n_motorcycles: int) -> tuple[Vehicle, ...]:
    """Light trucks (3 trips) and motorcycles (8 trips), 08:00-18:00 with a 1 h lunch."""
    lunch = {
        "break_start_earliest_s": 11 * H + 1800,
        "break_end_latest_s": 13 * H + 1800,
        "break_duration_s": H,
    }
    trucks = [
        Vehicle(
            id=k + 1,
            name=f"truck{k + 1}",
            type=VehicleType.LIGHT_TRUCK,
            capacity=TRUCK_CAPACITY,
            max_kg=1100,
            fixed_cost=1800,
            cost_per_km=9.0,
            max_trips=3,
            reload_s=900,
            **lunch,
        )
        for k in range(n_trucks)
    ]
    motos = [
        Vehicle(
            id=100 + k,
            name=f"moto{k + 1}",
            type=VehicleType.MOTORCYCLE,
            capacity=MOTO_CAPACITY,
            max_kg=60,
            fixed_cost=600,
            cost_per_km=2.5,
            speed_factor=0.9,
            max_trips=8,
            reload_s=600,
            **lunch,
        )
        for k in range(n_motorcycles)
    ]
    return tuple(trucks + motos)


def synthetic_day(
    n_orders: int,
    seed: int = 0,
    *,
    n_trucks: int | None = None,
    n_motorcycles: int | None = None,
    date: dt.date = dt.date(2026, 12, 1),
) -> RoutingProblem:
    """A reproducible Taitung day with ``n_orders`` orders.

    Parameters
    ----------
    n_orders
        Number of orders (>= 0).
    seed
        Random seed.
    n_trucks, n_motorcycles
        Fleet; default scales with ``n_orders``.
    date
        The delivery date.

    Returns
    -------
    RoutingProblem
    """
    if n_orders < 0:
        raise ValueError(f"synthetic_day: n_orders must be >= 0, got {n_orders}.")
    rng = np.random.default_rng(seed)
    weights = np.array([z.customers for z in ZONES], dtype=float)
    zone_idx = rng.choice(len(ZONES), size=n_orders, p=weights / weights.sum())
    orders = []
    for i, zi in enumerate(zone_idx):
        z = ZONES[int(zi)]
        lat = float(rng.uniform(z.lat_min, z.lat_max))
        lng = float(rng.uniform(z.lng_min, z.lng_max))
        moto_only = z.code in ("A", "M") and rng.random() < 0.4
        if moto_only:  # small sets a motorcycle carries in one trip
            demand = {int(rng.choice([20, 16, 10, 4])): int(rng.integers(1, 3))}
        else:
            kg = int(rng.choice([50, 20, 20, 20, 16, 4]))
            demand = {kg: int(rng.integers(1, 4))}
        r = rng.random()
        priority = Priority.URGENT if r < 0.03 else Priority.NORMAL
        orders.append(
            Order(
                id=i + 1,
                customer_id=i + 1,
                customer_name=f"cust{i + 1}",
                location=Location(lat, lng),
                demand=demand,
                windows=_WINDOWS[int(rng.integers(len(_WINDOWS)))],
                priority=priority,
                requirement=VehicleRequirement.MOTORCYCLE
                if moto_only
                else VehicleRequirement.EITHER,
            )
        )
    trucks = n_trucks if n_trucks is not None else max(1, round(n_orders / 25))
    motos = n_motorcycles if n_motorcycles is not None else max(1, round(n_orders / 60))
    depot = Depot(1, "Taitung depot", Location(*DEFAULT_DEPOT_LATLNG), 7 * H, 20 * H)
    return RoutingProblem(date, depot, tuple(orders), synthetic_fleet(trucks, motos))
