"""Which OpenStreetMap ways each vehicle type may drive, in which direction, how fast.

A small, explicit profile (in the spirit of OSRM's car/bicycle profiles, much simpler):

* cars and light trucks use the public road classes (``motorway`` .. ``living_street``,
  ``service``); light trucks are slower than cars on town streets (``residential``,
  ``living_street``, ``service``, ``unclassified``): they slow down for parked scooters
  and narrow lanes;
* motorcycles use the same roads (never motorways: Taiwan forbids scooters there), plus
  ``track`` and ``path``/``footway``/``cycleway`` ways that carry an explicit
  ``motorcycle=yes|designated|permissive`` or ``moped=…`` tag (the alleys and river
  paths scooters use);
* ``access``, ``motor_vehicle``, ``motorcar``, ``hgv``/``goods`` and ``motorcycle`` tags
  override the class defaults, most specific last (``access=no`` + ``motorcycle=yes`` is a
  motorcycle-only lane);
* ``oneway=yes|1|true|-1`` and ``junction=roundabout`` restrict direction;
  ``oneway:motorcycle=no`` (or ``oneway:moped=no``) lets motorcycles ride both ways.

Speeds are km/h per vehicle type; a ``maxspeed`` tag caps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from luckygas.domain import VehicleType
from luckygas.optimize.roadgraph import ROAD_CLASSES

_M, _C, _T = VehicleType.MOTORCYCLE, VehicleType.CAR, VehicleType.LIGHT_TRUCK

#: Default speed (km/h) per road class and vehicle type; 0 means not allowed by default.
DEFAULT_SPEEDS_KMH: dict[str, dict[VehicleType, float]] = {
    "motorway": {_M: 0, _C: 90, _T: 80},
    "trunk": {_M: 50, _C: 70, _T: 60},
    "primary": {_M: 45, _C: 55, _T: 50},
    "secondary": {_M: 40, _C: 50, _T: 45},
    "tertiary": {_M: 35, _C: 40, _T: 35},
    "unclassified": {_M: 30, _C: 35, _T: 25},
    "residential": {_M: 25, _C: 25, _T: 18},
    "living_street": {_M: 15, _C: 10, _T: 8},
    "service": {_M: 20, _C: 15, _T: 10},
    "track": {_M: 15, _C: 0, _T: 0},
    "path": {_M: 0, _C: 0, _T: 0},  # only with an explicit motorcycle tag
}
#: Speed used when a tag opens a class that is closed by default (a path for scooters).
OPENED_SPEED_KMH: dict[VehicleType, float] = {_M: 15, _C: 10, _T: 8}

_LINKS = {f"{c}_link": c for c in ("motorway", "trunk", "primary", "secondary", "tertiary")}
_PATHS = {"path", "footway", "cycleway", "pedestrian", "bridleway", "steps"}
_YES = {"yes", "designated", "permissive", "destination", "delivery", "customers"}
_NO = {"no", "private", "agricultural", "forestry", "discouraged", "use_sidepath"}
# Most general first: a later, more specific tag wins.
_ACCESS_KEYS: dict[VehicleType, tuple[str, ...]] = {
    _M: ("access", "vehicle", "motor_vehicle", "moped", "motorcycle"),
    _C: ("access", "vehicle", "motor_vehicle", "motorcar"),
    _T: ("access", "vehicle", "motor_vehicle", "goods", "hgv"),
}


@dataclass(frozen=True)
class WayRule:
    """What one way means for routing.

    ``forward``/``backward`` hold km/h per vehicle type along / against the way's node
    order (absent or 0: that type may not drive that direction).
    """

    road_class: str
    forward: Mapping[VehicleType, float]
    backward: Mapping[VehicleType, float]

    @property
    def class_code(self) -> int:
        """Index of :attr:`road_class` in :data:`ROAD_CLASSES` (stored as ``uint8``)."""
        return ROAD_CLASSES.index(self.road_class)


def way_rule(tags: Mapping[str, str]) -> WayRule | None:
    """The routing meaning of a way's tags, or ``None`` if no vehicle type may drive it.

    Parameters
    ----------
    tags
        The way's OSM tags.

    Returns
    -------
    WayRule or None
    """
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return None
    road_class = _LINKS.get(highway, "path" if highway in _PATHS else highway)
    if road_class not in DEFAULT_SPEEDS_KMH:
        return None  # construction, proposed, platform, bus_guideway, ...
    speeds = {t: _speed(road_class, t, tags) for t in VehicleType}
    if not any(speeds.values()):
        return None
    if (
        highway in _PATHS
        and any(tags.get(k) in _YES for k in ("motorcycle", "moped"))
        and not speeds[_C]
    ):
        road_class = "motorcycle_lane"
    forward, backward = dict(speeds), dict(speeds)
    direction = _oneway(tags)
    for t in VehicleType:
        if direction and not (t is _M and _motorcycle_contraflow(tags)):
            (backward if direction > 0 else forward)[t] = 0.0
    return WayRule(road_class, forward, backward)


def _speed(road_class: str, vtype: VehicleType, tags: Mapping[str, str]) -> float:
    base = DEFAULT_SPEEDS_KMH[road_class][vtype]
    allowed: bool | None = None
    for key in _ACCESS_KEYS[vtype]:
        value = tags.get(key)
        if value in _YES:
            allowed = True
        elif value in _NO:
            allowed = False
    if allowed is False or (allowed is None and base == 0):
        return 0.0
    speed = base or OPENED_SPEED_KMH[vtype]
    cap = _maxspeed(tags.get("maxspeed"))
    return min(speed, cap) if cap else speed


def _maxspeed(text: str | None) -> float | None:
    """``"50"`` -> 50.0; ``"30 mph"`` -> 48.3; anything else (``"signals"``) -> ``None``."""
    if not text:
        return None
    number, _, unit = text.strip().partition(" ")
    try:
        value = float(number)
    except ValueError:
        return None
    return value * 1.609 if unit.strip() == "mph" else value


def _oneway(tags: Mapping[str, str]) -> int:
    """+1 one-way along the node order, -1 against it, 0 both ways."""
    value = tags.get("oneway", "")
    if value in ("yes", "1", "true"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value == "no":
        return 0
    # Roundabouts and motorways are one-way unless tagged otherwise (OSM convention).
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return 1
    return 0


def _motorcycle_contraflow(tags: Mapping[str, str]) -> bool:
    return tags.get("oneway:motorcycle") == "no" or tags.get("oneway:moped") == "no"
