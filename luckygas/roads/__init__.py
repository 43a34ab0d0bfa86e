"""Real roads from OpenStreetMap, offline: import an extract, plan on its road graph.

``profile`` (which ways each vehicle type may drive, how fast), ``osm`` (reading the
extract with pyosmium), ``store`` (the graph in the database), ``calibrate`` (road vs
great-circle detour factors), ``background`` (the main roads as simplified lines, drawn
faint under every plan map). The graph itself and the travel-matrix provider live in the
optimizer core (``luckygas.optimize.roadgraph``, ``roadmatrix``), which knows no database.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from luckygas.optimize.roadmatrix import RoadMatrix
from luckygas.roads.background import main_roads as main_roads
from luckygas.roads.osm import RoadImportError as RoadImportError
from luckygas.roads.store import graph_info as graph_info
from luckygas.roads.store import import_extract as import_extract
from luckygas.roads.store import latest_cores as latest_cores
from luckygas.roads.store import latest_graph as latest_graph


def road_matrix(session: Session) -> RoadMatrix | None:
    """A :class:`RoadMatrix` on the imported graph (with the search cores stored with it),
    or ``None`` when none is imported."""
    graph = latest_graph(session)
    return None if graph is None else RoadMatrix(graph, cores=latest_cores(session, graph))
