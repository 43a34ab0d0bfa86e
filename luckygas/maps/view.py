"""Where a map looks: centre and zoom computed in Python (Web-Mercator maths).

``Map.fit_bounds`` does nothing when a notebook runs headless (papermill, nbval,
nbconvert): it waits for the browser to report its size. So every map is created with a
view computed here for an assumed pixel size. :func:`city_view` looks at the densest
cluster of points only, because a day's few rural stops 50 km out would otherwise shrink
the town, where most stops are, to a blob.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TILE_PX = 256
_MAX_MERCATOR_LAT = 85.05112878
_EARTH_RADIUS_KM = 6371.0

LatLng = tuple[float, float]


@dataclass(frozen=True, slots=True)
class MapView:
    """Where a map looks: centre ``(lat, lng)`` and integer zoom, as plain floats/ints."""

    center: tuple[float, float]
    zoom: int


def _mercator(lat: float, lng: float) -> tuple[float, float]:
    """World coordinates in [0, 1] x [0, 1] (x east, y south) of a WGS84 point."""
    lat = max(-_MAX_MERCATOR_LAT, min(_MAX_MERCATOR_LAT, lat))
    x = (lng + 180.0) / 360.0
    s = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
    return x, y


def _inverse_mercator(x: float, y: float) -> tuple[float, float]:
    lng = x * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return lat, lng


def pixel_offset(view: MapView, lat: float, lng: float) -> tuple[float, float]:
    """Pixel offset ``(dx, dy)`` of a point from the centre of ``view`` (y grows downwards)."""
    scale = _TILE_PX * 2**view.zoom
    cx, cy = _mercator(*view.center)
    x, y = _mercator(lat, lng)
    return (x - cx) * scale, (y - cy) * scale


def clean_points(points: Iterable[tuple[float, float]]) -> list[LatLng]:
    """The ``(lat, lng)`` pairs as floats, without missing or NaN pairs."""
    return [
        (float(a), float(b))
        for a, b in points
        if a is not None and b is not None and not (math.isnan(a) or math.isnan(b))
    ]


def fit_view(
    points: Iterable[tuple[float, float]],
    *,
    width_px: int = 900,
    height_px: int = 560,
    padding_px: int = 30,
    max_zoom: int = 16,
    min_zoom: int = 2,
    default: tuple[float, float] | None = None,
) -> MapView:
    """The centre and the largest zoom at which every point fits in a map of the given size.

    Parameters
    ----------
    points
        ``(lat, lng)`` pairs; NaN pairs are skipped.
    width_px, height_px
        Size of the map on screen that the view must fit (the notebook's map height is
        known; the width is the typical JupyterLab output width).
    padding_px
        Margin kept free on every side so markers are not cut at the edge.
    max_zoom, min_zoom
        Zoom bounds; a single point gets ``max_zoom``.
    default
        Centre to use when there is no point (else the Lucky Gas depot).

    Returns
    -------
    MapView
        With plain ``float`` centre and ``int`` zoom (numpy scalars would leak
        ``np.float64(...)`` into the widget repr).
    """
    pts = clean_points(points)
    if not pts:
        from luckygas.domain import DEFAULT_DEPOT_LATLNG

        lat, lng = default or DEFAULT_DEPOT_LATLNG
        return MapView((float(lat), float(lng)), 12)
    xy = [_mercator(a, b) for a, b in pts]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    lat, lng = _inverse_mercator((x0 + x1) / 2, (y0 + y1) / 2)
    usable_w = max(width_px - 2 * padding_px, 1)
    usable_h = max(height_px - 2 * padding_px, 1)
    zoom = min_zoom
    for z in range(max_zoom, min_zoom - 1, -1):
        scale = _TILE_PX * 2**z
        if (x1 - x0) * scale <= usable_w and (y1 - y0) * scale <= usable_h:
            zoom = z
            break
    return MapView((float(lat), float(lng)), int(zoom))


def distance_km(a: LatLng, b: LatLng) -> float:
    """Great-circle distance between two ``(lat, lng)`` points (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    dlat, dlng = la2 - la1, lo2 - lo1
    h = math.sin(dlat / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlng / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def densest_cluster(points: Sequence[LatLng], *, radius_km: float = 3.0) -> list[LatLng]:
    """The points within ``radius_km`` of the point with the most neighbours that close.

    A town's stops sit within a few km of each other while rural stops are spread out,
    so the point with the most neighbours lies in town, and its neighbourhood is the town.
    Ties go to the first such point (deterministic). ``O(n²)``: fine for a day's stops.

    Parameters
    ----------
    points
        ``(lat, lng)`` pairs (NaN pairs are skipped).
    radius_km
        Neighbourhood radius.

    Returns
    -------
    list[tuple[float, float]]
        The cluster (empty when there are no points).
    """
    pts = clean_points(points)
    if not pts:
        return []
    near = [[q for q in pts if distance_km(p, q) <= radius_km] for p in pts]
    best = max(range(len(pts)), key=lambda i: len(near[i]))
    return near[best]


def city_view(
    points: Sequence[LatLng],
    *,
    radius_km: float = 3.0,
    width_px: int = 900,
    height_px: int = 560,
    max_zoom: int = 16,
) -> tuple[MapView, float]:
    """The view of the densest cluster of ``points`` and the share of points it holds.

    Parameters
    ----------
    points
        ``(lat, lng)`` pairs.
    radius_km, width_px, height_px, max_zoom
        As in :func:`densest_cluster` and :func:`fit_view`.

    Returns
    -------
    tuple[MapView, float]
        The view, and the fraction (0..1) of the points inside the cluster.
    """
    pts = clean_points(points)
    cluster = densest_cluster(pts, radius_km=radius_km)
    view = fit_view(cluster, width_px=width_px, height_px=height_px, max_zoom=max_zoom)
    return view, (len(cluster) / len(pts) if pts else 0.0)
