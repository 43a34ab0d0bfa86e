"""The road line of every trip of a plan computed on imported roads.

A plan on the great-circle model has no roads to follow: its maps draw straight lines
between stops. On a :class:`~luckygas.optimize.roadmatrix.RoadMatrix` each leg has a
road geometry; a trip's line is its legs joined (depot → stops → depot), simplified so a
report with a day of routes stays small.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from luckygas.domain import VehicleType

if TYPE_CHECKING:
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

LatLng = tuple[float, float]
#: Points closer than this to the simplified line are dropped (a map line is ~3 px wide).
SIMPLIFY_M = 5.0
_M_PER_DEG = 111_320.0


def road_trip_lines(
    problem: RoutingProblem, result: PlanResult
) -> dict[tuple[int, int], list[LatLng]]:
    """The road line of each trip, by ``(vehicle_id, trip)``; empty without road geometry.

    Parameters
    ----------
    problem
        The day; its matrix gives the legs' geometry when it has ``legs_geometry``.
    result
        The plan (stops with ``trip`` numbers, routes with ``vehicle_type``).

    Returns
    -------
    dict
        ``{(vehicle_id, trip): [(lat, lng), ...]}`` from the depot back to it. A leg
        without a road route (it cannot happen in a plan, whose legs all have one) is
        drawn straight.
    """
    legs_of = getattr(problem.matrix, "legs_geometry", None)
    if legs_of is None or result.stops.empty:
        return {}
    depot = (problem.depot.location.lat, problem.depot.location.lng)
    vtypes = dict(zip(result.routes["vehicle_id"], result.routes["vehicle_type"], strict=True))
    stops = result.stops.sort_values(["vehicle_id", "sequence"])
    trip = stops["trip"] if "trip" in stops.columns else 1
    # Every trip's legs, grouped by vehicle type: one batched road search per type.
    trips: dict[tuple[int, int], list[LatLng]] = {}
    legs: dict[VehicleType, list[tuple[LatLng, LatLng]]] = {}
    for (vid, t), sub in stops.assign(trip=trip).groupby(["vehicle_id", "trip"], sort=True):
        points = [
            depot,
            *((float(a), float(b)) for a, b in zip(sub["lat"], sub["lng"], strict=True)),
            depot,
        ]
        trips[(int(vid), int(t))] = points
        legs.setdefault(VehicleType(vtypes[vid]), []).extend(itertools.pairwise(points))
    lines = {vt: iter(legs_of(pairs, vt)) for vt, pairs in legs.items()}
    out: dict[tuple[int, int], list[LatLng]] = {}
    for (vid, t), points in trips.items():
        found = lines[VehicleType(vtypes[vid])]
        line: list[LatLng] = []
        for a, b in itertools.pairwise(points):
            # A leg without a road route cannot be in a plan; drawn straight if it were.
            road = next(found) or [a, b]
            line += road if not line else road[1:]
        out[(vid, t)] = simplify(line, SIMPLIFY_M)
    return out


def simplify(points: Sequence[LatLng], tolerance_m: float) -> list[LatLng]:
    """Douglas-Peucker: the fewest points within ``tolerance_m`` of the line.

    Parameters
    ----------
    points
        ``(lat, lng)`` in order.
    tolerance_m
        Largest distance a dropped point may lie from the simplified line.

    Returns
    -------
    list of (lat, lng)
        The first and last points always stay.
    """
    if len(points) < 3:
        return [(float(a), float(b)) for a, b in points]
    xy = np.asarray(points, dtype=float)
    # Local metres: enough for a county (the error of the flat approximation is tiny).
    scale = np.array([_M_PER_DEG, _M_PER_DEG * np.cos(np.radians(xy[:, 0].mean()))])
    pts = xy * scale
    keep = np.zeros(len(pts), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = pts[j] - pts[i]
        rel = pts[i + 1 : j] - pts[i]
        norm = float(np.hypot(*seg))
        if norm == 0.0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        k = int(np.argmax(dist))
        if dist[k] > tolerance_m:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return [(float(a), float(b)) for a, b in xy[keep]]
