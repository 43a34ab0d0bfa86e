"""Coordinates from a file (offline) and from a geocoder with a cache (faked, no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.domain import GeocodeSource
from luckygas.importers import ImportFailed, ServiceOptions, geocode_from_file, geocode_with_service
from luckygas.models import Customer


def _coords(engine, code):
    with Session(engine) as session:
        c = session.scalars(select(Customer).where(Customer.code == code)).one()
        return c.lat, c.lng, c.geocode_source


def test_coordinate_file_sets_manual_points(customers_loaded, tmp_path):
    """code,lat,lng rows set MANUAL coordinates; the same file again changes nothing."""
    path = tmp_path / "coords.csv"
    path.write_text("code,lat,lng\n1400001,22.7561,121.1443\n", encoding="utf-8")
    with Session(customers_loaded) as session:
        assert geocode_from_file(session, path).updated == 1
        session.commit()
    assert _coords(customers_loaded, "1400001") == (22.7561, 121.1443, GeocodeSource.MANUAL)
    with Session(customers_loaded) as session:
        assert geocode_from_file(session, path).unchanged == 1


def test_points_outside_the_service_area_are_refused(customers_loaded, tmp_path):
    """Swapped lat/lng (or a point in Taipei) is refused with a hint; nothing is set."""
    path = tmp_path / "coords.csv"
    path.write_text("code,lat,lng\n1400001,121.1443,22.7561\n", encoding="utf-8")
    with Session(customers_loaded) as session, pytest.raises(ImportFailed, match="swapped"):
        geocode_from_file(session, path)
    assert _coords(customers_loaded, "1400001") == (None, None, GeocodeSource.NONE)


class FakeGeocoder:
    """Answers every query with a point in Taitung City and counts the calls."""

    def __init__(self):
        self.queries: list[str] = []

    def geocode(self, query):
        self.queries.append(query)
        return SimpleNamespace(latitude=22.755, longitude=121.15)


def test_service_geocoding_asks_each_address_once(customers_loaded, tmp_path):
    """A second run (e.g. after the database is rebuilt) answers from the cache, not the service."""
    options = ServiceOptions(cache_path=tmp_path / "cache.json", limit=5, progress=False)
    fake = FakeGeocoder()
    with Session(customers_loaded) as session:
        report = geocode_with_service(session, fake, options=options)
        session.rollback()  # as if the coordinates were never saved
    assert report.updated == 5 and len(fake.queries) == 5
    assert fake.queries[0].startswith("臺東縣")
    with Session(customers_loaded) as session:
        geocode_with_service(session, fake, options=options)
        session.commit()
    assert len(fake.queries) == 5
    assert _coords(customers_loaded, "1400001")[2] == GeocodeSource.SERVICE
