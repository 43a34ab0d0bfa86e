"""The compact road graph: plain NumPy arrays, no database, no OSM parsing.

Nodes are OpenStreetMap nodes (``lat``/``lng``); arcs are *directed* straight segments
between consecutive nodes of a way, so a two-way street gives two arcs and a one-way
street one. Each arc carries its length, its road class and one speed per vehicle type
(``0`` = that type may not drive it: a motorcycle-only lane is an arc with car and truck
speed 0). ``luckygas.roads`` builds a graph from an extract and stores it; this module
serialises it (:meth:`RoadGraph.to_bytes`) and snaps points onto it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from luckygas.domain import VehicleType
from luckygas.optimize.matrix import EARTH_RADIUS_M
from luckygas.optimize.matrix import haversine_m as haversine_m  # arc lengths (re-exported)

#: Road classes by their ``uint8`` code (the order is part of the stored format).
ROAD_CLASSES: tuple[str, ...] = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
    "residential", "living_street", "service", "track", "path", "motorcycle_lane",
)  # fmt: skip

#: Bump when the stored layout changes; part of every graph's version hash.
FORMAT = 1
_EARTH_M = EARTH_RADIUS_M


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A directed road graph as arrays (see the module docstring).

    Parameters
    ----------
    lat, lng
        Node coordinates, ``float64``, shape ``(n,)``.
    src, dst
        Arc end nodes, ``int32``, shape ``(m,)``.
    length_m
        Arc length in metres, ``float32``.
    road_class
        Arc class code into :data:`ROAD_CLASSES`, ``uint8``.
    speed_kmh
        ``{vehicle type: float32 (m,)}``; 0 where the type may not drive the arc.
    """

    lat: np.ndarray
    lng: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    length_m: np.ndarray
    road_class: np.ndarray
    speed_kmh: Mapping[VehicleType, np.ndarray]
    version: str = field(default="")

    def __post_init__(self) -> None:
        n, m = len(self.lat), len(self.src)
        if len(self.lng) != n:
            raise ValueError("RoadGraph: lat and lng differ in length.")
        for name in ("dst", "length_m", "road_class"):
            if len(getattr(self, name)) != m:
                raise ValueError(f"RoadGraph: {name} must have one value per arc ({m}).")
        if set(self.speed_kmh) != set(VehicleType):
            raise ValueError("RoadGraph: speed_kmh needs exactly one array per vehicle type.")
        if m and (
            min(self.src.min(), self.dst.min()) < 0 or max(self.src.max(), self.dst.max()) >= n
        ):
            raise ValueError("RoadGraph: an arc refers to a node that does not exist.")
        if not self.version:
            object.__setattr__(self, "version", self._hash())

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.lat)

    @property
    def n_arcs(self) -> int:
        """Number of directed arcs."""
        return len(self.src)

    def bbox(self) -> tuple[float, float, float, float]:
        """``(south, west, north, east)`` of the nodes."""
        return (
            float(self.lat.min()),
            float(self.lng.min()),
            float(self.lat.max()),
            float(self.lng.max()),
        )

    def _arrays(self) -> dict[str, np.ndarray]:
        out = {
            "lat": self.lat, "lng": self.lng, "src": self.src, "dst": self.dst,
            "length_m": self.length_m, "road_class": self.road_class,
            "format": np.array([FORMAT]),
        }  # fmt: skip
        out.update({f"speed_{t.value}": a for t, a in self.speed_kmh.items()})
        return out

    def _hash(self) -> str:
        h = hashlib.sha256()
        for name, arr in sorted(self._arrays().items()):
            h.update(name.encode())
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()[:16]

    def to_bytes(self) -> bytes:
        """A compressed ``.npz`` of the arrays (what the database stores)."""
        buf = io.BytesIO()
        arrays: dict[str, Any] = self._arrays()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RoadGraph:
        """Read back what :meth:`to_bytes` wrote.

        Raises
        ------
        ValueError
            If the data is not a road graph of this format.
        """
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, EOFError) as exc:
            raise ValueError(f"stored road graph cannot be read: {exc}") from exc
        if int(arrays.get("format", np.array([0]))[0]) != FORMAT:
            raise ValueError("stored road graph has another format: import the extract again.")
        return cls(
            lat=arrays["lat"], lng=arrays["lng"], src=arrays["src"], dst=arrays["dst"],
            length_m=arrays["length_m"], road_class=arrays["road_class"],
            speed_kmh={t: arrays[f"speed_{t.value}"] for t in VehicleType},
        )  # fmt: skip

    # -- planar projection ------------------------------------------------------

    @cached_property
    def _origin(self) -> tuple[float, float]:
        return float(np.mean(self.lat)) if self.n_nodes else 0.0, float(
            np.mean(self.lng)
        ) if self.n_nodes else 0.0

    def project(self, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
        """Local equirectangular metres around the graph's centre, shape ``(k, 2)``.

        Within a county (≈ 1° across) the error against great-circle distances is well
        under 1 %, and it makes nearest-segment geometry plain vector arithmetic.
        """
        lat0, lng0 = self._origin
        x = np.radians(np.asarray(lng, dtype=float) - lng0) * _EARTH_M * np.cos(np.radians(lat0))
        y = np.radians(np.asarray(lat, dtype=float) - lat0) * _EARTH_M
        return np.column_stack([x, y])

    def unproject(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`project`: ``(lat, lng)`` arrays."""
        lat0, lng0 = self._origin
        lat = lat0 + np.degrees(xy[:, 1] / _EARTH_M)
        lng = lng0 + np.degrees(xy[:, 0] / (_EARTH_M * np.cos(np.radians(lat0))))
        return lat, lng

    @cached_property
    def node_xy(self) -> np.ndarray:
        """Projected node coordinates (metres), computed once."""
        return self.project(self.lat, self.lng)
