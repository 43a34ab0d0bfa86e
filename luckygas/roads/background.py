"""The imported main roads as a faint background of every plan map (issue 12).

A report opened offline has no basemap tiles: without a background the routes float on
grey. This module turns the stored road graph into a few long, simplified polylines the
maps draw under the routes:

* the main roads (``motorway`` to ``tertiary``; their ``_link`` ramps are stored under the
  same class by :mod:`luckygas.roads.profile`) around the plan's points, plus a margin;
* the town's streets (``unclassified``, ``residential``, ``living_street``) inside the
  densest cluster of the plan's points only: a county's streets would weigh megabytes,
  the town's weigh tens of kilobytes;
* each way's two directed arcs become one segment, segments meeting at a node of degree
  two are merged into one line, every line is simplified (Douglas-Peucker, all lines in
  one vectorised pass) and its coordinates rounded to 5 decimals (~1 m);
* a point budget bounds the size a report embeds: over it, the tolerance grows, then the
  town streets, then the lesser main classes are left out (the figures are in
  ``benchmarks/README.md``).

Results are cached per graph version and (grid-snapped) area, so a panel that re-plans
all afternoon computes its background once. Maps only draw what they are handed
(:class:`RoadBackground`); nothing here draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from luckygas.optimize.geometry import simplify_many
from luckygas.optimize.roadgraph import ROAD_CLASSES, RoadGraph
from luckygas.roads.osm import BBox
from luckygas.roads.store import area_around

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LatLng = tuple[float, float]
Line = tuple[LatLng, ...]

#: Main road classes, most important first (the budget drops them from the end).
MAIN_CLASSES: tuple[str, ...] = ("motorway", "trunk", "primary", "secondary", "tertiary")
#: Street classes drawn inside the town only.
TOWN_CLASSES: tuple[str, ...] = ("unclassified", "residential", "living_street")
#: Classes never dropped by the budget: without them the background says nothing.
_ALWAYS: frozenset[str] = frozenset({"motorway", "trunk", "primary"})
_M_PER_DEG_LAT = 111_195.0


@dataclass(frozen=True)
class BackgroundParams:
    """How much of the road graph the background keeps.

    Attributes
    ----------
    margin_m
        Roads are kept this far beyond the plan's points (a route may leave their box).
    town_radius_m
        The town is the densest cluster of points within this radius (as the maps' town
        view, :func:`luckygas.maps.city_view`); its streets are drawn inside the
        cluster's box grown by ``town_margin_m``.
    town_margin_m
        Margin around the town cluster's box.
    town_streets
        Draw the town's streets at all.
    tolerance_m
        Douglas-Peucker tolerance: a thin grey line is ~2 px, 5 m at zoom 15.
    max_tolerance_m
        The budget may grow the tolerance up to this before it leaves roads out.
    max_points
        Point budget of the whole background (≈ 21 bytes of embedded JSON per point).
    decimals
        Coordinates are rounded to this many decimals (5: ~1 m).
    grid_deg
        The area and the town box are snapped outward to this grid, so a re-plan whose
        points moved a little reuses the cached background.
    """

    margin_m: float = 3_000.0
    town_radius_m: float = 3_000.0
    town_margin_m: float = 500.0
    town_streets: bool = True
    tolerance_m: float = 5.0
    max_tolerance_m: float = 20.0
    max_points: int = 25_000
    decimals: int = 5
    grid_deg: float = 0.01

    def __post_init__(self) -> None:
        if self.margin_m < 0 or self.town_margin_m < 0 or self.town_radius_m <= 0:
            raise ValueError("BackgroundParams: margins must be >= 0 and the radius > 0.")
        if not 0 < self.tolerance_m <= self.max_tolerance_m:
            raise ValueError("BackgroundParams: need 0 < tolerance_m <= max_tolerance_m.")
        if self.max_points < 2 or not 0 <= self.decimals <= 7 or self.grid_deg <= 0:
            raise ValueError("BackgroundParams: max_points >= 2, decimals 0-7, grid_deg > 0.")


@dataclass(frozen=True)
class RoadBackground:
    """The lines a plan map draws under its routes.

    Attributes
    ----------
    version
        The road graph's version (a re-import changes it).
    roads
        Main roads: ``((lat, lng), ...)`` per line, 2 points or more.
    streets
        The town's streets, drawn thinner.
    classes
        The main classes kept (the budget may have left the lesser ones out).
    tolerance_m
        The simplification tolerance used.
    area
        ``(south, west, north, east)`` the main roads were taken from.
    town
        The box the streets were taken from, or ``None`` without streets.
    """

    version: str
    roads: tuple[Line, ...]
    streets: tuple[Line, ...]
    classes: tuple[str, ...]
    tolerance_m: float
    area: BBox
    town: BBox | None

    @property
    def n_points(self) -> int:
        """Points of every line (what the embedded size grows with)."""
        return sum(len(x) for x in self.roads) + sum(len(x) for x in self.streets)

    @property
    def is_empty(self) -> bool:
        """No line at all (a plan far from every imported main road)."""
        return not self.roads and not self.streets

    def covers(self, other: RoadBackground) -> bool:
        """Whether this background already shows all of ``other`` (a map need not redraw).

        True for the same graph version when ``other``'s area and town box lie inside
        this one's: a re-plan of the same day, or a day in the same part of the county.
        """

        def inside(inner: BBox, outer: BBox) -> bool:
            return (
                outer[0] <= inner[0] and outer[1] <= inner[1]
                and inner[2] <= outer[2] and inner[3] <= outer[3]
            )  # fmt: skip

        if other.version != self.version or not inside(other.area, self.area):
            return False
        if other.town is None:
            return True
        return self.town is not None and inside(other.town, self.town)


def main_roads(
    session: Session, points: Iterable[LatLng], params: BackgroundParams | None = None
) -> RoadBackground | None:
    """The background of a plan whose depot and stops are ``points``, from the stored graph.

    Parameters
    ----------
    session
        Any session (only reads the imported graph, kept in memory per version).
    points
        ``(lat, lng)`` of the depot and the plan's orders; missing or NaN pairs skipped.
    params
        What to keep (default :class:`BackgroundParams`).

    Returns
    -------
    RoadBackground or None
        ``None`` when no road graph is imported (the great-circle model) or there is no
        point to draw around.
    """
    from luckygas.roads.store import latest_graph

    pts = _clean(points)
    if not pts:
        return None
    graph = latest_graph(session)
    return None if graph is None else road_background(graph, pts, params)


_CACHE: dict[tuple[object, ...], RoadBackground] = {}
_CACHE_SIZE = 8


def road_background(
    graph: RoadGraph, points: Iterable[LatLng], params: BackgroundParams | None = None
) -> RoadBackground:
    """The background of ``points`` on ``graph`` (cached per graph version and area).

    Parameters
    ----------
    graph
        The road graph.
    points
        ``(lat, lng)`` of the depot and the orders; at least one.
    params
        What to keep (default :class:`BackgroundParams`).

    Returns
    -------
    RoadBackground

    Raises
    ------
    ValueError
        Without a single located point.
    """
    params = params or BackgroundParams()
    pts = _clean(points)
    if not pts:
        raise ValueError("road_background: no located point to draw the roads around.")
    area = _snap(area_around(pts, params.margin_m), params.grid_deg)
    town = _snap(_town_box(pts, params), params.grid_deg) if params.town_streets else None
    key = (graph.version, area, town, params)
    if key not in _CACHE:
        # One graph version at a time, and a few areas of it (the day, a scenario's day).
        for k in [k for k in _CACHE if k[0] != graph.version]:
            del _CACHE[k]
        while len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = _compute(graph, area, town, params)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget every computed background (tests; a long session after a re-import)."""
    _CACHE.clear()


def _compute(
    graph: RoadGraph, area: BBox, town: BBox | None, p: BackgroundParams
) -> RoadBackground:
    inside_area = _inside(graph, area)
    classes = list(MAIN_CLASSES)
    main = _chain_nodes(graph, _arcs_of(graph, classes) & inside_area)
    streets = _chain_nodes(graph, np.zeros(graph.n_arcs, dtype=bool))
    if town is not None:
        streets = _chain_nodes(
            graph, _arcs_of(graph, TOWN_CLASSES) & _inside(graph, town, both=True)
        )
    tolerance, with_town = p.tolerance_m, town is not None and streets[1][-1] > 0
    # Over budget: coarser lines first (invisible below zoom 14), then the town's streets,
    # then the lesser main classes; trunk and primary always stay. Counting is cheap (one
    # vectorised simplification); only dropping a class walks the chains again.
    while (
        _count(graph, main, tolerance) + (_count(graph, streets, tolerance) if with_town else 0)
        > p.max_points
    ):
        if tolerance < p.max_tolerance_m:
            tolerance = min(tolerance * 2, p.max_tolerance_m)
        elif with_town:
            with_town = False
        elif classes[-1] not in _ALWAYS:
            classes.pop()
            main = _chain_nodes(graph, _arcs_of(graph, classes) & inside_area)
        else:
            break
    return RoadBackground(
        version=graph.version,
        roads=tuple(_lines(graph, main, tolerance, p.decimals)),
        streets=tuple(_lines(graph, streets, tolerance, p.decimals)) if with_town else (),
        classes=tuple(classes),
        tolerance_m=tolerance,
        area=area,
        town=town if with_town else None,
    )


def _clean(points: Iterable[LatLng]) -> list[LatLng]:
    """The located pairs as floats (``None``, NaN and pandas' ``NA`` are skipped)."""
    out = []
    for lat, lng in points:
        try:
            a, b = float(lat), float(lng)
        except (TypeError, ValueError):  # None, pd.NA
            continue
        if not (math.isnan(a) or math.isnan(b)):
            out.append((a, b))
    return out


def _snap(box: BBox, grid: float) -> BBox:
    """``box`` grown outward to the grid (rounded so equal boxes compare equal)."""
    s, w, n, e = box
    return (
        round(math.floor(s / grid) * grid, 6),
        round(math.floor(w / grid) * grid, 6),
        round(math.ceil(n / grid) * grid, 6),
        round(math.ceil(e / grid) * grid, 6),
    )


def _town_box(points: Sequence[LatLng], p: BackgroundParams) -> BBox:
    """The box of the densest cluster of ``points`` (the town), grown by the margin."""
    xy = np.asarray(points, dtype=float)
    lat0 = float(xy[:, 0].mean())
    scale = np.array([_M_PER_DEG_LAT, _M_PER_DEG_LAT * math.cos(math.radians(lat0))])
    m = xy * scale
    # O(n²) on a day's few hundred points; a sample keeps a huge call bounded.
    sample = m[:: max(1, len(m) // 1_000)]
    d2 = ((sample[:, None, :] - m[None, :, :]) ** 2).sum(axis=2)
    near = d2 <= p.town_radius_m**2
    best = int(np.argmax(near.sum(axis=1)))  # first of the ties: deterministic
    town = [(float(a), float(b)) for a, b in xy[near[best]]]
    return area_around(town, p.town_margin_m)


def _inside(graph: RoadGraph, box: BBox, *, both: bool = False) -> np.ndarray:
    """Arcs with one end (``both``: both ends) in ``box``; a road leaving it is kept whole
    up to its next node, so lines do not stop short of the edge."""
    s, w, n, e = box
    node_in = (graph.lat >= s) & (graph.lat <= n) & (graph.lng >= w) & (graph.lng <= e)
    a, b = node_in[graph.src], node_in[graph.dst]
    return (a & b) if both else (a | b)


def _arcs_of(graph: RoadGraph, classes: Iterable[str]) -> np.ndarray:
    codes = [ROAD_CLASSES.index(c) for c in classes]
    return np.isin(graph.road_class, np.array(codes, dtype=graph.road_class.dtype))


#: Every chain's graph nodes one after the other, and where each chain starts (plus the end).
_Chained = tuple[np.ndarray, np.ndarray]


def _chain_nodes(graph: RoadGraph, arcs: np.ndarray) -> _Chained:
    """The selected arcs merged into chains (see :func:`_chains`), as flat arrays."""
    chains = _chains(graph.src[arcs], graph.dst[arcs]) if arcs.any() else []
    offsets = np.cumsum([0, *(len(c) for c in chains)])
    nodes = np.array([x for c in chains for x in c], dtype=np.int64)
    return nodes, offsets


def _count(graph: RoadGraph, chained: _Chained, tolerance_m: float) -> int:
    nodes, offsets = chained
    return int(simplify_many(graph.node_xy[nodes], offsets, tolerance_m).sum()) if len(nodes) else 0


def _lines(graph: RoadGraph, chained: _Chained, tolerance_m: float, decimals: int) -> list[Line]:
    """The chains simplified and rounded, as lines of 2 points or more."""
    nodes, offsets = chained
    if not len(nodes):
        return []
    keep = simplify_many(graph.node_xy[nodes], offsets, tolerance_m)
    lat = np.round(graph.lat[nodes], decimals)
    lng = np.round(graph.lng[nodes], decimals)
    out: list[Line] = []
    for i, j in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        k = keep[i:j]
        line: list[LatLng] = []
        for a, b in zip(lat[i:j][k].tolist(), lng[i:j][k].tolist(), strict=True):
            if not line or line[-1] != (a, b):  # rounding may merge neighbours
                line.append((a, b))
        if len(line) >= 2:
            out.append(tuple(line))
    return out


def _chains(src: np.ndarray, dst: np.ndarray) -> list[list[int]]:
    """Undirected segments merged into maximal chains through nodes of degree two.

    Both directed arcs of a two-way street become one segment. A chain runs from a node
    whose degree is not two (a junction or a dead end) to the next; rings of degree-two
    nodes only (a roundabout on its own) become one closed chain each.
    """
    n = int(max(src.max(), dst.max())) + 1
    lo, hi = np.minimum(src, dst).astype(np.int64), np.maximum(src, dst).astype(np.int64)
    key = np.unique(lo[lo != hi] * n + hi[lo != hi])
    if not len(key):
        return []
    a_end, b_end = (key // n).tolist(), (key % n).tolist()
    ends = np.concatenate([key // n, key % n])  # half e: edge e % n_edges
    order = np.argsort(ends, kind="stable")
    degree = np.bincount(ends, minlength=n)
    first = (np.cumsum(degree) - degree).tolist()
    n_edges = len(key)
    # Plain lists: the walk is a Python loop, and list indexing beats numpy's by far.
    incident = (order % n_edges).tolist()
    deg = degree.tolist()
    used = [False] * n_edges
    chains: list[list[int]] = []

    def walk(start: int, edge: int) -> list[int]:
        path = [start]
        node = start
        while True:
            used[edge] = True
            node = b_end[edge] if a_end[edge] == node else a_end[edge]
            path.append(node)
            if deg[node] != 2 or node == start:
                return path
            f = first[node]
            edge = incident[f + 1] if incident[f] == edge else incident[f]
            if used[edge]:
                return path

    for u in np.flatnonzero((degree > 0) & (degree != 2)).tolist():
        f = first[u]
        for e in incident[f : f + deg[u]]:
            if not used[e]:
                chains.append(walk(u, e))
    for e in range(n_edges):  # what is left are rings
        if not used[e]:
            chains.append(walk(a_end[e], e))
    return chains
