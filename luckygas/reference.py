"""Reference rows every database needs: zones, cylinder types and national holidays."""

from __future__ import annotations

import datetime as dt

import holidays as holiday_calendars
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.domain import CYLINDER_TYPES, ZONES
from luckygas.models import CylinderTypeRow, Holiday, ZoneRow


def taiwan_holidays(years: range) -> dict[dt.date, str]:
    """Taiwan's national holidays for ``years`` (from the ``holidays`` package, offline)."""
    calendar = holiday_calendars.country_holidays("TW", years=list(years))
    return dict(sorted(calendar.items()))


def seed_reference_data(session: Session, holiday_years: range | None = None) -> None:
    """Insert zones, cylinder types and holidays that are missing (idempotent).

    Parameters
    ----------
    session
        Open session; the caller commits.
    holiday_years
        Years to load holidays for (default: 2021 to next year, covering the history).
    """
    have_zones = set(session.scalars(select(ZoneRow.code)))
    session.add_all(
        ZoneRow(code=z.code, name=z.name, township=z.township, is_line=z.is_line)
        for z in ZONES
        if z.code not in have_zones
    )
    have_types = set(session.scalars(select(CylinderTypeRow.code)))
    session.add_all(
        CylinderTypeRow(
            code=c.code, label=c.label, kg=c.kg, size_kg=c.size_kg, flow_metered=c.flow_metered
        )
        for c in CYLINDER_TYPES
        if c.code not in have_types
    )
    years = holiday_years or range(2021, dt.date.today().year + 2)
    have_days = set(session.scalars(select(Holiday.day)))
    session.add_all(
        Holiday(day=day, name=name)
        for day, name in taiwan_holidays(years).items()
        if day not in have_days
    )
    session.flush()
