"""Read an OpenStreetMap extract (``.osm.pbf`` or ``.osm`` XML) into a :class:`RoadGraph`.

pyosmium reads the file (``FileProcessor(...).with_locations()`` resolves each way's node
coordinates); :func:`luckygas.roads.profile.way_rule` decides what each way means. Only
ways with at least one node inside the area are kept, whole (a road leaving the box is
not cut, so two customers near the edge stay connected through it).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from luckygas.domain import VehicleType
from luckygas.optimize.roadgraph import RoadGraph, haversine_m
from luckygas.roads.profile import way_rule

#: ``(south, west, north, east)`` in degrees.
BBox = tuple[float, float, float, float]


_TYPES = tuple(VehicleType)


class RoadImportError(ValueError):
    """An extract that cannot become a road graph; the message says why in one line."""


def read_extract(path: str | Path, bbox: BBox) -> RoadGraph:
    """The drivable network of ``path`` within ``bbox``.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.pbf``, ``.osm`` or ``.osm.bz2``/``.osm.gz`` file.
    bbox
        ``(south, west, north, east)``.

    Returns
    -------
    RoadGraph

    Raises
    ------
    RoadImportError
        If the file is missing, not OSM data, truncated, or has no drivable road in
        ``bbox``.
    """
    import osmium

    path = Path(path)
    if not path.is_file():
        raise RoadImportError(f"{path}: no such file")
    south, west, north, east = bbox
    ids: dict[int, int] = {}
    lat: list[float] = []
    lng: list[float] = []
    arc_a: list[int] = []
    arc_b: list[int] = []
    arc_class: list[int] = []
    arc_speed: list[tuple[float, ...]] = []  # km/h per type, in _TYPES order

    def node(ref: int, la: float, lo: float) -> int:
        if ref not in ids:
            ids[ref] = len(lat)
            lat.append(la)
            lng.append(lo)
        return ids[ref]

    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            # Only tagged highways reach Python; nodes still feed the location store first
            # (the bulk of an extract never crosses into the interpreter).
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            rule = way_rule(dict(obj.tags))
            if rule is None:
                continue
            refs = [(n.ref, n.lat, n.lon) for n in obj.nodes if n.location.valid()]
            if not any(south <= la <= north and west <= lo <= east for _, la, lo in refs):
                continue
            code = rule.class_code
            # Per way, not per arc: iterating the enum in the arc loop cost most of the time.
            fwd = tuple(float(rule.forward.get(t, 0.0)) for t in _TYPES)
            bwd = tuple(float(rule.backward.get(t, 0.0)) for t in _TYPES)
            for (ra, la, lo), (rb, lb, lob) in itertools.pairwise(refs):
                if ra == rb:
                    continue
                a, b = node(ra, la, lo), node(rb, lb, lob)
                if any(fwd):
                    arc_a.append(a)
                    arc_b.append(b)
                    arc_class.append(code)
                    arc_speed.append(fwd)
                if any(bwd):
                    arc_a.append(b)
                    arc_b.append(a)
                    arc_class.append(code)
                    arc_speed.append(bwd)
    except RuntimeError as exc:  # osmium: parse errors, truncation, unknown format
        raise RoadImportError(f"{path.name} is not a readable OpenStreetMap file: {exc}") from None
    if not arc_a:
        raise RoadImportError(
            f"{path.name} has no drivable road in the area {_bbox_text(bbox)}: "
            "is it the right extract, or the right --bbox?"
        )
    la_arr, ln_arr = np.array(lat), np.array(lng)
    src, dst = np.array(arc_a, dtype=np.int32), np.array(arc_b, dtype=np.int32)
    length = haversine_m(la_arr[src], ln_arr[src], la_arr[dst], ln_arr[dst]).astype(np.float32)
    speed = np.array(arc_speed, dtype=np.float32).reshape(-1, len(_TYPES))
    return RoadGraph(
        lat=la_arr,
        lng=ln_arr,
        src=src,
        dst=dst,
        length_m=length,
        road_class=np.array(arc_class, dtype=np.uint8),
        speed_kmh={t: speed[:, i].copy() for i, t in enumerate(_TYPES)},
    )


def _bbox_text(bbox: BBox) -> str:
    return ",".join(f"{x:.5f}" for x in bbox)
