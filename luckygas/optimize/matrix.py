"""Travel matrices: the only place where units are converted.

Everything leaving this module is integer **metres** and integer **seconds** (the earlier
system treated metres × 2 as minutes, domain.md §4.2). Node 0 is the depot, node ``i``
(1-based) is the ``i``-th order passed to :meth:`TravelMatrix.build`.

Travel times are per :class:`~luckygas.domain.VehicleType`; a vehicle's own
``speed_factor`` is applied later by the solver and checker (``travel / speed_factor``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from luckygas.domain import ZONES_BY_CODE, VehicleType

if TYPE_CHECKING:
    import pandas as pd

    from luckygas.optimize.problem import Depot, Order

EARTH_RADIUS_M = 6_371_000.0
#: Metres and seconds of a pair with no road between them (10,000 km; ten days): longer
#: than any day, so the pre-filter leaves such an order out (``NO_ROAD``) and the search
#: never takes such an arc; finite, so every integer model stays well inside int64.
UNREACHABLE_M = 10_000_000
UNREACHABLE_S = 10 * 86_400


@dataclass(frozen=True)
class MatrixData:
    """Integer matrices for one node set: distances and one duration matrix per type."""

    distance_m: np.ndarray
    duration_s: Mapping[VehicleType, np.ndarray]

    def travel_s(self, vtype: VehicleType, speed_factor: float, i: int, j: int) -> int:
        """Seconds from node ``i`` to ``j`` for a vehicle of ``vtype`` and ``speed_factor``."""
        return scaled_duration(int(self.duration_s[vtype][i, j]), speed_factor)


def scaled_duration(duration_s: int, speed_factor: float) -> int:
    """Apply a vehicle's speed factor (1.0 = nominal, 2.0 = twice as fast) with rounding."""
    if speed_factor == 1.0:
        return duration_s
    return round(duration_s / speed_factor)


def scaled_matrix(duration_s: np.ndarray, speed_factor: float) -> np.ndarray:
    """:func:`scaled_duration` applied to a whole matrix (same half-to-even rounding)."""
    if speed_factor == 1.0:
        return np.asarray(duration_s, dtype=np.int64)
    return np.rint(np.asarray(duration_s, dtype=np.float64) / speed_factor).astype(np.int64)


class TravelMatrix(Protocol):
    """Anything that turns a depot + orders into a :class:`MatrixData`."""

    def build(self, depot: Depot, orders: Sequence[Order]) -> MatrixData:
        """Matrices for nodes ``[depot, *orders]``."""
        ...

    def describe(self) -> str:
        """A stable text description (used in the input fingerprint)."""
        ...


# ---------------------------------------------------------------------------
# Haversine with road factor and a two-speed profile
# ---------------------------------------------------------------------------

_DEFAULT_SPEEDS: dict[VehicleType, tuple[float, float]] = {
    VehicleType.MOTORCYCLE: (25.0, 40.0),
    VehicleType.CAR: (30.0, 60.0),
    VehicleType.LIGHT_TRUCK: (30.0, 55.0),
}
# Cars and trucks must find parking in the dense downtown (A-瑞光, M-商校商圈: the zones
# where 158 + 19 of the 195 motorcycle-only customers are); motorcycles stop at the door.
_DEFAULT_PARKING: dict[VehicleType, int] = {
    VehicleType.MOTORCYCLE: 0,
    VehicleType.CAR: 120,
    VehicleType.LIGHT_TRUCK: 180,
}
_DEFAULT_DENSE = tuple(
    (z.lat_min, z.lat_max, z.lng_min, z.lng_max) for z in (ZONES_BY_CODE["A"], ZONES_BY_CODE["M"])
)

_CACHE: dict[tuple[object, ...], MatrixData] = {}
_CACHE_MAX = 32
_cache_stats = {"hits": 0, "misses": 0}


def cache_info() -> dict[str, int]:
    """Hits, misses and size of the in-process matrix cache."""
    return {**_cache_stats, "size": len(_CACHE)}


def clear_cache() -> None:
    """Empty the in-process matrix cache."""
    _CACHE.clear()
    _cache_stats.update(hits=0, misses=0)


def haversine_m(
    lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlng = p2 - p1, np.radians(lng2) - np.radians(lng1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class HaversineMatrix:
    """Straight-line distance × road factor, with urban/open-road speeds per vehicle type.

    Time model (documented because nothing measured exists, domain.md §2):

    * every trip drives its first and last ``urban_km`` at the urban speed (leaving and
      entering town streets), and the rest at the open-road speed; a short hop inside the
      city is therefore all urban, a 50 km rural line mostly open road;
    * an arrival into a dense downtown box costs ``parking_s[type]`` extra seconds (cars
      and trucks circle for parking; motorcycles do not). The depot never pays it.

    Parameters
    ----------
    road_factor
        Road distance / straight-line distance (domain.md: ≥ 1.3).
    speeds_kmh
        ``{type: (urban_kmh, open_road_kmh)}``.
    urban_km
        Length at each end of a trip driven at urban speed.
    parking_s
        Extra seconds per arrival into a dense area, by vehicle type.
    dense_areas
        ``(lat_min, lat_max, lng_min, lng_max)`` boxes; default zones A and M.
    """

    road_factor: float = 1.3
    speeds_kmh: Mapping[VehicleType, tuple[float, float]] = field(
        default_factory=lambda: dict(_DEFAULT_SPEEDS)
    )
    urban_km: float = 1.5
    parking_s: Mapping[VehicleType, int] = field(default_factory=lambda: dict(_DEFAULT_PARKING))
    dense_areas: tuple[tuple[float, float, float, float], ...] = _DEFAULT_DENSE

    def __post_init__(self) -> None:
        if self.road_factor < 1.0:
            raise ValueError("HaversineMatrix: road_factor must be >= 1.")
        for t in VehicleType:
            if t not in self.speeds_kmh:
                raise ValueError(f"HaversineMatrix: speeds_kmh is missing vehicle type {t!s}.")
            if min(self.speeds_kmh[t]) <= 0:
                raise ValueError(f"HaversineMatrix: speeds_kmh[{t!s}] must be > 0.")

    def describe(self) -> str:
        """Stable description of the parameters (cache key and fingerprint)."""
        speeds = sorted((str(k), v) for k, v in self.speeds_kmh.items())
        parking = sorted((str(k), v) for k, v in self.parking_s.items())
        return (
            f"HaversineMatrix(road_factor={self.road_factor}, speeds={speeds}, "
            f"urban_km={self.urban_km}, parking={parking}, dense={self.dense_areas})"
        )

    def build(self, depot: Depot, orders: Sequence[Order]) -> MatrixData:
        """Matrices for ``[depot, *orders]``; orders must have a location."""
        pts = [depot.location, *(o.location for o in orders)]
        if any(p is None for p in pts):
            raise ValueError("HaversineMatrix: every order passed to build() needs a location.")
        coords = tuple((round(p.lat, 6), round(p.lng, 6)) for p in pts)  # type: ignore[union-attr]
        key = (hashlib.sha256(repr(coords).encode()).hexdigest(), self.describe())
        if key in _CACHE:
            _cache_stats["hits"] += 1
            return _CACHE[key]
        _cache_stats["misses"] += 1
        data = self._compute(np.array(coords, dtype=float))
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))  # oldest first: dicts keep insertion order
        _CACHE[key] = data
        return data

    def _compute(self, xy: np.ndarray) -> MatrixData:
        lat, lng = xy[:, 0], xy[:, 1]
        road_m = (
            haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :]) * self.road_factor
        )
        dist = np.rint(road_m).astype(np.int64)
        dense = dense_arrivals(lat, lng, self.dense_areas)
        urban_m = np.minimum(road_m, 2 * self.urban_km * 1000.0)
        open_m = road_m - urban_m
        durations: dict[VehicleType, np.ndarray] = {}
        for t in VehicleType:
            v_urban, v_open = (s / 3.6 for s in self.speeds_kmh[t])  # km/h -> m/s
            secs = urban_m / v_urban + open_m / v_open
            secs = secs + np.where(dense[None, :], self.parking_s.get(t, 0), 0)
            np.fill_diagonal(secs, 0.0)
            arr = np.rint(secs).astype(np.int64)
            arr.setflags(write=False)
            durations[t] = arr
        dist.setflags(write=False)
        return MatrixData(dist, durations)


def dense_arrivals(
    lat: np.ndarray, lng: np.ndarray, areas: Sequence[tuple[float, float, float, float]]
) -> np.ndarray:
    """Which nodes lie in a dense downtown box (arrivals there pay for parking).

    Parameters
    ----------
    lat, lng
        Node coordinates, the depot first.
    areas
        ``(lat_min, lat_max, lng_min, lng_max)`` boxes.

    Returns
    -------
    numpy.ndarray
        A boolean per node; never the depot (node 0), which is our own yard.
    """
    dense = np.zeros(len(lat), dtype=bool)
    for la0, la1, ln0, ln1 in areas:
        dense |= (lat >= la0) & (lat <= la1) & (lng >= ln0) & (lng <= ln1)
    dense[0] = False
    return dense


# ---------------------------------------------------------------------------
# User-supplied matrix
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UserMatrix:
    """A matrix supplied by the user (e.g. from OSRM), taken as is for every vehicle type.

    Keys are ``depot.id`` for the depot and ``order.customer_id`` for orders (several
    orders of one customer share a row). Build with :meth:`from_frame`, :meth:`from_csv`
    or :meth:`from_arrays`.
    """

    ids: tuple[int, ...]
    distance_m: np.ndarray
    duration_s: np.ndarray
    name: str = "user"

    def __post_init__(self) -> None:
        n = len(self.ids)
        if len(set(self.ids)) != n:
            raise ValueError("UserMatrix: ids must be unique.")
        for label in ("distance_m", "duration_s"):
            arr = np.asarray(getattr(self, label))
            if arr.shape != (n, n):
                raise ValueError(f"UserMatrix: {label} must be {n}x{n}, got {arr.shape}.")
            if not np.all(np.isfinite(arr)) or (arr < 0).any():
                raise ValueError(f"UserMatrix: {label} must be finite and non-negative.")
            arr = np.rint(arr).astype(np.int64)
            arr.setflags(write=False)
            object.__setattr__(self, label, arr)

    @classmethod
    def from_arrays(
        cls,
        ids: Sequence[int],
        distance_m: Sequence[Sequence[float]] | np.ndarray,
        duration_s: Sequence[Sequence[float]] | np.ndarray,
        name: str = "user",
    ) -> UserMatrix:
        """Square arrays whose rows/columns follow ``ids``."""
        return cls(
            tuple(int(i) for i in ids),
            np.asarray(distance_m, dtype=float),
            np.asarray(duration_s, dtype=float),
            name,
        )

    @classmethod
    def from_frame(cls, df: pd.DataFrame, name: str = "user") -> UserMatrix:
        """Long format with columns ``from_id, to_id, distance_m, duration_s``.

        Raises
        ------
        ValueError
            If a column is missing, a pair is duplicated or missing (the first missing
            pairs are named), or a value is negative.
        """
        need = ["from_id", "to_id", "distance_m", "duration_s"]
        missing_cols = [c for c in need if c not in df.columns]
        if missing_cols:
            raise ValueError(f"UserMatrix: missing column(s) {missing_cols}.")
        if df.duplicated(["from_id", "to_id"]).any():
            dup = df[df.duplicated(["from_id", "to_id"])].iloc[0]
            raise ValueError(f"UserMatrix: duplicate pair ({dup.from_id}, {dup.to_id}).")
        ids = sorted(set(df["from_id"].astype(int)) | set(df["to_id"].astype(int)))
        pos = {k: i for i, k in enumerate(ids)}
        n = len(ids)
        dist = np.full((n, n), np.nan)
        dur = np.full((n, n), np.nan)
        np.fill_diagonal(dist, 0.0)
        np.fill_diagonal(dur, 0.0)
        fi = df["from_id"].astype(int).map(pos).to_numpy()
        ti = df["to_id"].astype(int).map(pos).to_numpy()
        dist[fi, ti] = df["distance_m"].to_numpy(dtype=float)
        dur[fi, ti] = df["duration_s"].to_numpy(dtype=float)
        holes = np.argwhere(np.isnan(dist) | np.isnan(dur))
        if len(holes):
            pairs = [(ids[a], ids[b]) for a, b in holes[:5]]
            raise ValueError(f"UserMatrix: {len(holes)} missing pair(s), e.g. {pairs}.")
        return cls(tuple(ids), dist, dur, name)

    @classmethod
    def from_csv(cls, path: str | Path) -> UserMatrix:
        """CSV with columns ``from_id, to_id, distance_m, duration_s``."""
        import pandas as pd

        return cls.from_frame(pd.read_csv(path), name=str(Path(path).name))

    def describe(self) -> str:
        """Stable description (content hash) for fingerprints."""
        h = hashlib.sha256(
            np.asarray(self.ids).tobytes() + self.distance_m.tobytes() + self.duration_s.tobytes()
        ).hexdigest()[:16]
        return f"UserMatrix({self.name}, n={len(self.ids)}, sha={h})"

    def build(self, depot: Depot, orders: Sequence[Order]) -> MatrixData:
        """Select rows for ``[depot.id, *customer_ids]``; unknown ids are named."""
        pos = {k: i for i, k in enumerate(self.ids)}
        keys = [depot.id, *(o.customer_id for o in orders)]
        unknown = sorted({k for k in keys if k not in pos})
        if unknown:
            raise ValueError(
                f"UserMatrix: no rows for id(s) {unknown[:10]} (depot id or customer_id)."
            )
        idx = np.array([pos[k] for k in keys])
        dist = self.distance_m[np.ix_(idx, idx)]
        dur = self.duration_s[np.ix_(idx, idx)]
        dist.setflags(write=False)
        dur.setflags(write=False)
        return MatrixData(dist, {t: dur for t in VehicleType})


def default_matrix() -> HaversineMatrix:
    """The matrix used when a problem has ``matrix=None``."""
    return HaversineMatrix()
