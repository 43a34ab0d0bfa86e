"""Import a road extract into the database, and read the imported graph back.

The whole import (read, check, store) happens before the one write, and the write replaces
the previous graph in the same transaction: a bad file leaves the database as it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.audit import Action, authorize
from luckygas.domain import VehicleType
from luckygas.optimize.roadcore import Core, cores_from_bytes, cores_to_bytes
from luckygas.optimize.roadgraph import RoadGraph
from luckygas.optimize.roadmatrix import build_cores
from luckygas.roads.osm import BBox, RoadImportError, read_extract

#: Margin around the depot's and customers' bounding box, in metres.
MARGIN_M = 5_000.0

_LOADED: dict[str, RoadGraph] = {}
_CORES: dict[str, dict[VehicleType, Core]] = {}


@dataclass(frozen=True)
class ImportSummary:
    """What ``roads import`` stored."""

    version: str
    source_file: str
    bbox: BBox
    n_nodes: int
    n_arcs: int
    outside: tuple[str, ...]  # customers outside an explicit --bbox (not imported)


def customer_points(
    session: Session,
) -> tuple[tuple[float, float] | None, dict[str, tuple[float, float]]]:
    """The first depot's location and every located active customer's, by customer code."""
    depot = session.execute(select(m.Depot.lat, m.Depot.lng).order_by(m.Depot.id).limit(1)).first()
    rows = session.execute(
        select(m.Customer.code, m.Customer.lat, m.Customer.lng).where(
            m.Customer.lat.is_not(None), m.Customer.lng.is_not(None), m.Customer.is_active
        )
    )
    return (
        (float(depot.lat), float(depot.lng)) if depot else None,
        {str(r.code): (float(r.lat), float(r.lng)) for r in rows},
    )


def area_around(points: list[tuple[float, float]], margin_m: float = MARGIN_M) -> BBox:
    """``(south, west, north, east)`` of ``points`` grown by ``margin_m`` on every side."""
    lat = np.array([p[0] for p in points])
    lng = np.array([p[1] for p in points])
    dlat = margin_m / 111_195.0
    dlng = dlat / max(math.cos(math.radians(float(lat.mean()))), 0.1)
    return (
        float(lat.min() - dlat),
        float(lng.min() - dlng),
        float(lat.max() + dlat),
        float(lng.max() + dlng),
    )


#: The steps :func:`import_extract` reports to its ``progress`` callback, in order.
IMPORT_STEPS = ("reading the extract", "contracting the roads per vehicle type", "storing")


def import_extract(
    session: Session,
    path: str | Path,
    bbox: BBox | None = None,
    margin_m: float = MARGIN_M,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Read ``path`` and store its drivable network as the graph planning uses.

    Parameters
    ----------
    session
        A writing session; one row is written (the previous graph is replaced).
    path
        The OpenStreetMap extract.
    bbox
        ``(south, west, north, east)``; default: the depot's and customers' bounding box
        plus ``margin_m``.
    margin_m
        Margin of the default area.
    progress
        Called with each of :data:`IMPORT_STEPS` as it starts (a county takes ~15 s).

    Returns
    -------
    ImportSummary

    Raises
    ------
    RoadImportError
        A bad file, an empty area, or an extract that does not cover the depot and the
        customers; nothing is written.
    luckygas.audit.RoleError
        If the session's user may not import files (dispatcher, manager or admin may).
    """
    # Every plan afterwards is timed on these roads: an import like any other.
    authorize(session, Action.IMPORT, "import road extracts")
    if not has_road_table(session) or not _has_search_data(session):
        raise RoadImportError("this database predates road graphs: run `luckygas db upgrade` first")
    depot, customers = customer_points(session)
    if bbox is None:
        points = ([depot] if depot else []) + list(customers.values())
        if not points:
            raise RoadImportError(
                "no depot or located customer to import roads around: pass --bbox S,W,N,E"
            )
        bbox = area_around(points, margin_m)
    elif not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        raise RoadImportError(
            f"--bbox must be south,west,north,east with south < north and west < east, got {bbox}"
        )
    step = progress or (lambda _: None)
    step(IMPORT_STEPS[0])
    graph = read_extract(path, bbox)
    outside = _check_coverage(graph, bbox, depot, customers, Path(path).name)
    # Contracted once here, so that no planning process pays for it (~2 s per type).
    step(IMPORT_STEPS[1])
    cores = build_cores(graph)
    step(IMPORT_STEPS[2])
    row = m.RoadGraphRow(
        version=graph.version,
        source_file=str(Path(path).resolve()),
        south=bbox[0], west=bbox[1], north=bbox[2], east=bbox[3],
        n_nodes=graph.n_nodes,
        n_arcs=graph.n_arcs,
        data=graph.to_bytes(),
        search_data=cores_to_bytes({t.value: c for t, c in cores.items()}),
    )  # fmt: skip
    row.created_by = session.info.get("user", "") or ""
    with session.begin_nested():
        session.execute(delete(m.RoadGraphRow))
        session.add(row)
        session.flush()
    _LOADED[graph.version] = graph
    _CORES[graph.version] = cores
    return ImportSummary(graph.version, row.source_file, bbox, graph.n_nodes, graph.n_arcs, outside)


def _check_coverage(
    graph: RoadGraph,
    bbox: BBox,
    depot: tuple[float, float] | None,
    customers: dict[str, tuple[float, float]],
    name: str,
) -> tuple[str, ...]:
    """Refuse an extract whose roads stop short of the depot or the customers.

    A point counts as covered when it lies within the graph's own bounding box (the
    extract's roads reach around it). With an explicit ``bbox`` customers outside that box
    are the user's choice and only reported.
    """
    s, w, n, e = graph.bbox()
    tol = 0.005  # ≈ 500 m: a customer just beyond the last road node is still covered

    def covered(p: tuple[float, float]) -> bool:
        return s - tol <= p[0] <= n + tol and w - tol <= p[1] <= e + tol

    def wanted(p: tuple[float, float]) -> bool:
        return bbox[0] <= p[0] <= bbox[2] and bbox[1] <= p[1] <= bbox[3]

    if depot is not None and not covered(depot):
        raise RoadImportError(
            f"{name} does not cover the depot at {depot[0]:.5f},{depot[1]:.5f}: "
            "use an extract of the whole service area"
        )
    missing = [c for c, p in customers.items() if wanted(p) and not covered(p)]
    if missing:
        raise RoadImportError(
            f"{name} does not cover {len(missing)} customer(s) (e.g. {', '.join(missing[:5])}): "
            "its roads end before them; use an extract of the whole service area"
        )
    return tuple(sorted(c for c, p in customers.items() if not wanted(p)))


def has_road_table(session: Session) -> bool:
    """Whether the database has the ``road_graphs`` table (schema 0003 or later)."""
    return inspect(session.connection()).has_table(m.RoadGraphRow.__tablename__)


def latest_graph(session: Session) -> RoadGraph | None:
    """The imported road graph planning uses, or ``None`` (kept in memory per version).

    Parameters
    ----------
    session
        Any session (only reads).

    Returns
    -------
    RoadGraph or None
    """
    if not has_road_table(session):
        return None  # a database from before roads (not upgraded yet): great-circle model
    version = session.scalar(
        select(m.RoadGraphRow.version).order_by(m.RoadGraphRow.id.desc()).limit(1)
    )
    if version is None:
        return None
    if version not in _LOADED:
        data = session.scalar(
            select(m.RoadGraphRow.data).where(m.RoadGraphRow.version == version).limit(1)
        )
        if data is None:  # deleted by a re-import between the two reads
            return latest_graph(session)
        _LOADED.clear()  # one county graph in memory is enough
        _LOADED[version] = RoadGraph.from_bytes(bytes(data))
    return _LOADED[version]


def latest_cores(session: Session, graph: RoadGraph) -> dict[VehicleType, Core]:
    """The search cores stored with ``graph`` (kept in memory per version).

    Parameters
    ----------
    session
        Any session (only reads).
    graph
        The graph, as :func:`latest_graph` gave it.

    Returns
    -------
    dict of VehicleType to Core
        Empty for a graph imported before schema 0004 or stored in another core format:
        the road matrix then computes the cores it needs.
    """
    if graph.version not in _CORES:
        data = (
            session.scalar(
                select(m.RoadGraphRow.search_data)
                .where(m.RoadGraphRow.version == graph.version)
                .limit(1)
            )
            if _has_search_data(session)
            else None
        )
        stored = cores_from_bytes(bytes(data)) if data is not None else {}
        _CORES.clear()
        _CORES[graph.version] = {t: stored[t.value] for t in VehicleType if t.value in stored}
    return _CORES[graph.version]


def _has_search_data(session: Session) -> bool:
    """Whether ``road_graphs`` has its ``search_data`` column (schema 0004 or later)."""
    columns = inspect(session.connection()).get_columns(m.RoadGraphRow.__tablename__)
    return any(c["name"] == "search_data" for c in columns)


def graph_info(session: Session) -> dict[str, object] | None:
    """What is imported: file, when, by whom, area, nodes, arcs, version; ``None`` if nothing."""
    if not has_road_table(session):
        return None
    row = session.execute(
        select(
            m.RoadGraphRow.version, m.RoadGraphRow.source_file, m.RoadGraphRow.created_at,
            m.RoadGraphRow.created_by, m.RoadGraphRow.south, m.RoadGraphRow.west,
            m.RoadGraphRow.north, m.RoadGraphRow.east, m.RoadGraphRow.n_nodes,
            m.RoadGraphRow.n_arcs,
        ).order_by(m.RoadGraphRow.id.desc()).limit(1)
    ).first()  # fmt: skip
    if row is None:
        return None
    info = dict(row._mapping)
    info["search_cores"] = _has_search_data(session) and bool(
        session.scalar(
            select(m.RoadGraphRow.search_data.is_not(None))
            .where(m.RoadGraphRow.version == row.version)
            .limit(1)
        )
    )
    return info
