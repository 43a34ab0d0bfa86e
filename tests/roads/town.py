"""A small OpenStreetMap town written at test time (no downloads).

Offsets are in thousandths of a degree from the depot ``O`` = (22.7553, 121.1504):
0.001° of latitude is 111.195 m, 0.001° of longitude 102.5 m here. Every street is
``residential`` unless said otherwise.

::

    G1 <-(oneway)- Wa        (2, -3) <- (2, 0); motorcycles may ride it both ways
    |              |
    G0 -(oneway=-1)- W0      the way is tagged [W0, G0] with oneway=-1: G0 -> W0 only
                   W0 .. Wa .. W1 .. W2    west bank (lng 0), lat 0, 2, 5, 10
                         W1 ~~lane~~ E1    motorcycle-only path across the river, lat 5
                               W2 == E2    the single bridge, lat 10
                   E0 .. E1 .. E2          east bank (lng 4), lat 0, 5, 10
    I0 - I1                                an island road at lng 30, not connected
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

O_LAT, O_LNG = 22.7553, 121.1504

NODES: dict[str, tuple[float, float]] = {
    "W0": (0, 0), "Wa": (2, 0), "W1": (5, 0), "W2": (10, 0),
    "E0": (0, 4), "E1": (5, 4), "E2": (10, 4),
    "G0": (0, -3), "G1": (2, -3),
    "I0": (0, 30), "I1": (3, 30),
}  # fmt: skip

WAYS: list[tuple[list[str], dict[str, str]]] = [
    (["W0", "Wa", "W1", "W2"], {"highway": "residential"}),
    (["E0", "E1", "E2"], {"highway": "residential"}),
    (["W2", "E2"], {"highway": "residential", "bridge": "yes"}),
    (["W1", "E1"], {"highway": "path", "motorcycle": "yes"}),
    (["Wa", "G1"], {"highway": "residential", "oneway": "yes", "oneway:motorcycle": "no"}),
    (["G1", "G0"], {"highway": "residential"}),
    (["W0", "G0"], {"highway": "residential", "oneway": "-1"}),
    (["I0", "I1"], {"highway": "residential"}),
    (["W2", "X9"], {"highway": "footway"}),  # not drivable by anyone: never in the graph
]


def at(name_or_offset: str | tuple[float, float]) -> tuple[float, float]:
    """``(lat, lng)`` of a node name or a ``(dlat, dlng)`` offset in thousandths."""
    dlat, dlng = NODES[name_or_offset] if isinstance(name_or_offset, str) else name_or_offset
    return round(O_LAT + dlat / 1000, 7), round(O_LNG + dlng / 1000, 7)


def osm_xml(
    nodes: dict[str, tuple[float, float]] = NODES,
    ways: list[tuple[list[str], dict[str, str]]] = WAYS,
) -> str:
    """OSM XML text of ``nodes`` and ``ways`` (nodes named by string, numbered in order)."""
    names = [*nodes, "X9"]
    ids = {n: i for i, n in enumerate(names, start=1)}
    coords = {**{n: at(n) for n in nodes}, "X9": at((12, 0))}
    return osm_document({n: coords[n] for n in names}, ids, ways)


def osm_document(
    coords: dict[str, tuple[float, float]],
    ids: dict[str, int],
    ways: list[tuple[list[str], dict[str, str]]],
) -> str:
    """OSM XML text: a node per entry of ``coords`` (``(lat, lng)``, numbered by ``ids``),
    then ``ways`` of node names with their tags."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="tests">']
    for name, (lat, lng) in coords.items():
        lines.append(f' <node id="{ids[name]}" version="1" lat="{lat}" lon="{lng}"/>')
    for wid, (refs, tags) in enumerate(ways, start=100):
        lines.append(f' <way id="{wid}" version="1">')
        lines += [f'  <nd ref="{ids[r]}"/>' for r in refs]
        lines += [f"  <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append(" </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_town(folder: Path, name: str = "town.osm") -> Path:
    """Write the town as ``.osm`` XML, or as PBF when ``name`` ends in ``.pbf``."""
    xml = folder / "town.osm"
    xml.write_text(osm_xml(), encoding="utf-8")
    if not name.endswith(".pbf"):
        return xml
    import osmium

    pbf = folder / name
    writer = osmium.SimpleWriter(str(pbf))
    try:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    finally:
        writer.close()
    return pbf
