"""How far the great-circle model is from the roads: detour factors per zone.

For each zone, a sample of its located customers (and the depot) is measured on the road
graph and by the great-circle model; the detour factor of a pair is road metres over
straight-line metres (what :class:`~luckygas.optimize.matrix.HaversineMatrix` calls its
``road_factor``, 1.3 by default), and the zone's figure is the median over its pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.domain import VehicleType
from luckygas.optimize.matrix import UNREACHABLE_M, HaversineMatrix, haversine_m
from luckygas.optimize.roadmatrix import RoadMatrix

if TYPE_CHECKING:
    import pandas as pd

#: Pairs closer than this are left out: a few metres of snapping swamp their ratio.
MIN_STRAIGHT_M = 300.0


def detour_factors(
    session: Session,
    matrix: RoadMatrix,
    *,
    per_zone: int = 25,
    vtype: VehicleType = VehicleType.LIGHT_TRUCK,
    seed: int = 0,
) -> pd.DataFrame:
    """Road vs great-circle on the customer set, one row per zone.

    Parameters
    ----------
    session
        Any session (only reads customers and the depot).
    matrix
        The road matrix (on the imported graph).
    per_zone
        Customers sampled per zone (the pairs grow with its square).
    vtype
        Whose roads and speeds.
    seed
        Seed of the sample, so a re-run prints the same figures.

    Returns
    -------
    pandas.DataFrame
        ``zone, customers, pairs, unreachable, detour_median, detour_p90,
        time_ratio_median`` (road seconds over the great-circle model's seconds).
    """
    import pandas as pd

    depot = session.execute(select(m.Depot.lat, m.Depot.lng).order_by(m.Depot.id).limit(1)).first()
    rows = session.execute(
        select(m.Customer.zone_code, m.Customer.lat, m.Customer.lng)
        .where(m.Customer.lat.is_not(None), m.Customer.lng.is_not(None), m.Customer.is_active)
        .order_by(m.Customer.id)
    ).all()
    rng = np.random.default_rng(seed)
    by_zone: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        by_zone.setdefault(r.zone_code or "?", []).append((float(r.lat), float(r.lng)))
    haversine = HaversineMatrix(road_factor=1.0)
    out = []
    for zone in sorted(by_zone):
        pts = by_zone[zone]
        if len(pts) > per_zone:
            pts = [pts[i] for i in sorted(rng.choice(len(pts), per_zone, replace=False))]
        if depot is not None:
            pts = [(float(depot.lat), float(depot.lng)), *pts]
        out.append(_zone_row(zone, pts, matrix, haversine, vtype, depot is not None))
    return pd.DataFrame(
        out,
        columns=["zone", "customers", "pairs", "unreachable", "detour_median", "detour_p90",
                 "time_ratio_median"],
    )  # fmt: skip


def _zone_row(
    zone: str,
    pts: list[tuple[float, float]],
    matrix: RoadMatrix,
    haversine: HaversineMatrix,
    vtype: VehicleType,
    with_depot: bool,
) -> tuple[object, ...]:
    xy = np.array(pts)
    straight = haversine_m(xy[:, None, 0], xy[:, None, 1], xy[None, :, 0], xy[None, :, 1])
    tables = matrix.tables(pts)
    road = tables.distance_m[vtype].astype(float)
    road_s = tables.duration_s[vtype].astype(float)
    model_s = haversine._compute(xy).duration_s[vtype].astype(float)
    pair = ~np.eye(len(pts), dtype=bool) & (straight >= MIN_STRAIGHT_M)
    reach = pair & (road < UNREACHABLE_M)
    ratio = road[reach] / straight[reach]
    times = road_s[reach] / np.maximum(model_s[reach], 1.0)
    n_customers = len(pts) - (1 if with_depot else 0)
    if not len(ratio):
        return (zone, n_customers, int(pair.sum()), int((pair & ~reach).sum()), None, None, None)
    return (
        zone,
        n_customers,
        int(pair.sum()),
        int((pair & ~reach).sum()),
        round(float(np.median(ratio)), 2),
        round(float(np.percentile(ratio, 90)), 2),
        round(float(np.median(times)), 2),
    )
