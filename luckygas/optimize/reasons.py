"""Why an order was not planned: stable codes plus a sentence an analyst can act on."""

from __future__ import annotations

import enum

from luckygas.domain import format_windows, hhmm_from_seconds


class ReasonCode(enum.StrEnum):
    """Stable codes for unassigned orders (stored by value)."""

    NO_COORDINATES = "NO_COORDINATES"
    CLOSED_TODAY = "CLOSED_TODAY"
    NO_COMPATIBLE_VEHICLE = "NO_COMPATIBLE_VEHICLE"
    DEMAND_EXCEEDS_CAPACITY = "DEMAND_EXCEEDS_CAPACITY"
    WINDOW_UNREACHABLE = "WINDOW_UNREACHABLE"
    PINNED_VEHICLE_UNAVAILABLE = "PINNED_VEHICLE_UNAVAILABLE"
    FLEET_FULL = "FLEET_FULL"
    NO_ROAD = "NO_ROAD"


#: ``"08:05"`` from seconds since midnight (the one HH:MM formatter, in ``domain``).
hhmm = hhmm_from_seconds


def windows_text(windows: tuple[tuple[int, int], ...]) -> str:
    """``"08:00–10:00, 14:00–16:00"`` from windows in seconds since midnight."""
    return format_windows(((a // 60, b // 60) for a, b in windows), ", ", "–")


def no_coordinates() -> str:
    """Sentence for :attr:`ReasonCode.NO_COORDINATES`."""
    return "The customer has no coordinates; geocode the address or enter lat/lng, then re-plan."


def closed_today(why: str) -> str:
    """Sentence for :attr:`ReasonCode.CLOSED_TODAY`."""
    return f"The customer is closed today ({why}); move the order to another day."


def no_compatible_vehicle(detail: str) -> str:
    """Sentence for :attr:`ReasonCode.NO_COMPATIBLE_VEHICLE`."""
    return f"No vehicle in today's fleet may serve this order: {detail}."


def demand_exceeds(kg: int, need: int, best: int, unit: str = "cylinders") -> str:
    """Sentence for :attr:`ReasonCode.DEMAND_EXCEEDS_CAPACITY` (``kg=0`` means total weight)."""
    if kg:
        return (
            f"The order needs {need} × {kg} kg; the largest compatible vehicle carries {best}. "
            "Split the order or add a larger vehicle."
        )
    return (
        f"The order weighs {need} kg; the largest compatible vehicle carries {best} kg. "
        "Split the order or add a larger vehicle."
    )


def window_unreachable(windows: tuple[tuple[int, int], ...], drive_s: int) -> str:
    """Sentence for :attr:`ReasonCode.WINDOW_UNREACHABLE`."""
    text = windows_text(windows) or "none"
    return (
        f"Window {text} cannot be reached even directly from the depot "
        f"({round(drive_s / 60)} min drive) within any compatible shift; widen the window."
    )


def no_road() -> str:
    """Sentence for :attr:`ReasonCode.NO_ROAD`."""
    return (
        "No road route joins the depot and this customer for any vehicle that may serve it "
        "(off the imported road network, too far from a road, or on a road cut off from the "
        "depot's); check the coordinates or import a road extract that covers it."
    )


def pinned_unavailable(vehicle_name: str, detail: str) -> str:
    """Sentence for :attr:`ReasonCode.PINNED_VEHICLE_UNAVAILABLE`."""
    return (
        f"The order is pinned to {vehicle_name}, which cannot serve it ({detail}); "
        "unpin it or change vehicle."
    )
