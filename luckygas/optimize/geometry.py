"""The road line of every trip of a plan computed on imported roads.

A plan on the great-circle model has no roads to follow: its maps draw straight lines
between stops. On a :class:`~luckygas.optimize.roadmatrix.RoadMatrix` each leg has a
road geometry; a trip's line is its legs joined (depot → stops → depot), simplified so a
report with a day of routes stays small.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from luckygas.domain import VehicleType

if TYPE_CHECKING:
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

LatLng = tuple[float, float]
K = TypeVar("K")
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
    joined: dict[tuple[int, int], list[LatLng]] = {}
    for (vid, t), points in trips.items():
        found = lines[VehicleType(vtypes[vid])]
        line: list[LatLng] = []
        for a, b in itertools.pairwise(points):
            # A leg without a road route cannot be in a plan; drawn straight if it were.
            road = next(found) or [a, b]
            line += road if not line else road[1:]
        joined[(vid, t)] = line
    return simplify_lines(joined, SIMPLIFY_M)


def simplify_lines(
    lines: Mapping[K, Sequence[LatLng]], tolerance_m: float
) -> dict[K, list[LatLng]]:
    """Douglas-Peucker on every line of ``lines`` in one :func:`simplify_many` pass.

    Parameters
    ----------
    lines
        ``(lat, lng)`` points in order, by any key (a plan's trips: ``(vehicle, trip)``).
    tolerance_m
        Largest distance a dropped point may lie from the simplified line.

    Returns
    -------
    dict
        The same keys; each line's first and last points always stay.
    """
    if not lines:
        return {}
    sizes = np.array([len(x) for x in lines.values()], dtype=np.int64)
    latlng = np.array([p for x in lines.values() for p in x], dtype=float).reshape(-1, 2)
    # Each line in its own local metres (the flat approximation's error is tiny on a county).
    owner = np.repeat(np.arange(len(sizes)), sizes)
    lat_sum = np.bincount(owner, weights=latlng[:, 0], minlength=len(sizes))
    mean_lat = lat_sum / np.maximum(sizes, 1)
    scale = np.stack(
        [np.full(len(sizes), _M_PER_DEG), _M_PER_DEG * np.cos(np.radians(mean_lat))], 1
    )
    keep = simplify_many(latlng * scale[owner], np.r_[0, np.cumsum(sizes)], tolerance_m)
    out, start = {}, 0
    for key, size in zip(lines, sizes.tolist(), strict=True):
        part = latlng[start : start + size][keep[start : start + size]]
        out[key] = [(float(a), float(b)) for a, b in part]
        start += size
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
    return simplify_lines({0: points}, tolerance_m)[0]


def simplify_many(xy: np.ndarray, offsets: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Douglas-Peucker on many lines at once: which points to keep.

    The same rule as :func:`simplify` (a point stays when it lies farther than
    ``tolerance_m`` from the chord of its interval), run on every line in one NumPy pass
    per recursion level: a county has tens of thousands of short road lines (the maps'
    background), a day ~50 trips, and one call per line cost seconds (0.2 s a day).

    Parameters
    ----------
    xy
        Projected points in metres, every line's points one after the other, ``(n, 2)``.
    offsets
        Line ``i`` is ``xy[offsets[i]:offsets[i + 1]]``; ``offsets[0] == 0``.
    tolerance_m
        Largest distance a dropped point may lie from the simplified line.

    Returns
    -------
    numpy.ndarray
        ``bool`` mask over ``xy``; each line's first and last points are kept.
    """
    keep = np.zeros(len(xy), dtype=bool)
    lo, hi = np.asarray(offsets[:-1]), np.asarray(offsets[1:]) - 1
    lo, hi = lo[hi >= lo], hi[hi >= lo]
    keep[lo] = True
    keep[hi] = True
    work = hi - lo > 1
    i, j = lo[work], hi[work]
    while len(i):
        n = j - i - 1  # interior points of each interval
        group = np.repeat(np.arange(len(i)), n)
        first = np.cumsum(n) - n
        k = i[group] + 1 + (np.arange(int(n.sum())) - first[group])
        a, b = xy[i][group], xy[j][group]
        seg, rel = b - a, xy[k] - a
        norm = np.hypot(seg[:, 0], seg[:, 1])
        cross = np.abs(seg[:, 0] * rel[:, 1] - seg[:, 1] * rel[:, 0])
        dist = np.where(norm > 0, cross / np.where(norm > 0, norm, 1.0), np.hypot(*rel.T))
        dmax = np.maximum.reduceat(dist, first)
        at_max = np.flatnonzero(dist == dmax[group])
        lead = at_max[np.r_[True, group[at_max][1:] != group[at_max][:-1]]]  # first per group
        split = dmax > tolerance_m
        mid = k[lead][split]
        keep[mid] = True
        i2 = np.concatenate([i[split], mid])
        j2 = np.concatenate([mid, j[split]])
        more = j2 - i2 > 1
        i, j = i2[more], j2[more]
    return keep
