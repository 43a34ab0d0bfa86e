"""Colours shared by the maps and charts, and the ``HH:MM`` format of plan times."""

from __future__ import annotations

from collections.abc import Sequence

from luckygas.domain import ZONES, hhmm_from_seconds

#: Qualitative route colours (Tableau 10 and Dark 2 without reds, which mean "unserved").
ROUTE_PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#1b9e77",
    "#7570b3",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#393b79",
    "#637939",
    "#7f7f7f",
)
UNSERVED_COLOUR = "#d62728"
DEPOT_COLOUR = "#222222"
PRIORITY_COLOURS: dict[str, str] = {
    "normal": "#1f77b4",
    "urgent": "#ff7f0e",
    "emergency": "#d62728",
}
#: One colour per zone code (stable: zone order in :data:`luckygas.domain.ZONES`).
ZONE_COLOURS: dict[str, str] = {
    z.code: ROUTE_PALETTE[i % len(ROUTE_PALETTE)] for i, z in enumerate(ZONES)
}
NO_ZONE_COLOUR = "#999999"


#: ``"08:05"`` from seconds since midnight, ``"–"`` for a missing value (``domain``'s).
hhmm = hhmm_from_seconds


def route_colours(vehicle_ids: Sequence[int]) -> dict[int, str]:
    """A distinct colour per vehicle, stable for a vehicle across plans where possible.

    Each vehicle prefers ``ROUTE_PALETTE[id % len]`` (so TRUCK-1 keeps its colour from
    day to day); on a clash it takes the next free colour. Colours repeat only when
    there are more routes than palette entries.
    """
    n = len(ROUTE_PALETTE)
    taken: set[int] = set()
    out: dict[int, str] = {}
    for vid in vehicle_ids:
        i = int(vid) % n
        for step in range(n):
            if (i + step) % n not in taken:
                i = (i + step) % n
                break
        taken.add(i)
        if len(taken) == n:
            taken.clear()
        out[int(vid)] = ROUTE_PALETTE[i]
    return out
