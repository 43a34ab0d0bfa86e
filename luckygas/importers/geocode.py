"""Fill customer coordinates: from a coordinate file (offline) or a geocoding service.

The real workbook has no coordinates, so imported customers start with ``lat``/``lng``
NULL and ``geocode_source = none``; the optimizer reports their orders as unserved with
the reason "no coordinates" until one of these fills them:

* :func:`geocode_from_file` reads ``code, lat, lng`` (CSV or Excel), checks every point
  lies in :data:`luckygas.domain.SERVICE_AREA`, and sets ``geocode_source = manual``.
* :func:`geocode_with_service` asks a geocoder (geopy's Nominatim by default, rate
  limited to one request a second as its usage policy requires) for customers without
  coordinates. Answers, including "not found", are kept in a JSON cache file so each
  address is looked up once, ever. Tests pass a fake geocoder; nothing here touches the
  network unless a real geocoder is used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas.audit import Action, authorize
from luckygas.config import DATA_DIR
from luckygas.domain import SERVICE_AREA, GeocodeSource
from luckygas.importers.parsing import parse_number
from luckygas.importers.readers import (
    ReadOptions,
    Table,
    read_table,
    rename_columns,
    require_columns,
)
from luckygas.importers.report import ImportReport, empty_rows
from luckygas.models import Customer

#: Default cache of geocoding answers, beside the embedded database.
DEFAULT_CACHE_PATH = DATA_DIR / "geocode_cache.json"
DEFAULT_USER_AGENT = "luckygas-route-workbench"


class Geocoder(Protocol):
    """Anything with geopy's ``geocode(query)`` returning an object with latitude/longitude."""

    def geocode(self, query: str) -> Any: ...


def in_service_area(lat: float, lng: float) -> bool:
    """True when the point lies in Lucky Gas's mainland service area."""
    lat_min, lat_max, lng_min, lng_max = SERVICE_AREA
    return lat_min <= lat <= lat_max and lng_min <= lng <= lng_max


#: Other headers a coordinate file may use.
COORDINATE_ALIASES: dict[str, str] = {"客戶": "code", "latitude": "lat", "longitude": "lng"}


def geocode_from_file(
    session: Session,
    path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    options: ReadOptions | None = None,
) -> ImportReport:
    """Set MANUAL coordinates from a ``code, lat, lng`` file.

    Parameters
    ----------
    session
        Open session; changes are flushed, the caller commits.
    path
        CSV or Excel with columns ``code`` (or ``客戶``), ``lat``, ``lng``.
    dry_run
        Validate and compare only.
    options
        Sheet and size limit.

    Returns
    -------
    ImportReport
        Kind ``coordinates``: updated / unchanged per row.

    Raises
    ------
    ImportFailed
        Unknown codes, non-numbers, points outside the service area; nothing is written.
    """
    if not dry_run:  # a dry run writes nothing, so any reader may check a file
        authorize(session, Action.IMPORT)
    table = read_table(path, options=options)
    log = table.log()
    frame = rename_columns(table.frame, COORDINATE_ALIASES, log)
    require_columns(Table(frame, table.file, table.sheet, None), ("code", "lat", "lng"), log)
    log.raise_if_any()
    codes = frame["code"].str.replace(r"\.0$", "", regex=True)
    lat = parse_number(frame["lat"], log, "lat", minimum=None, what="latitude")
    lng = parse_number(frame["lng"], log, "lng", minimum=None, what="longitude")
    customers = {
        c.code: c
        for c in session.scalars(select(Customer).where(Customer.code.in_(sorted(set(codes)))))
    }
    lat_min, lat_max, lng_min, lng_max = SERVICE_AREA
    for i, code in enumerate(codes):
        if code not in customers:
            log.add("unknown customer code", index=i, column="code", value=code)
        if np.isnan(lat.iloc[i]) or np.isnan(lng.iloc[i]):
            if frame["lat"].iloc[i] == "" or frame["lng"].iloc[i] == "":
                log.add("lat and lng are both required", index=i, column="lat")
        elif not in_service_area(lat.iloc[i], lng.iloc[i]):
            log.add(
                f"outside the service area (lat {lat_min}-{lat_max}, lng {lng_min}-{lng_max}); "
                "are lat and lng swapped?",
                index=i,
                column="lat",
                value=f"{lat.iloc[i]}, {lng.iloc[i]}",
            )
    dup = codes.duplicated(keep="first")
    for at in np.flatnonzero(dup.to_numpy(dtype=bool)):
        log.add("code appears twice", index=at, column="code", value=codes.iloc[at])
    log.raise_if_any()
    actions, changes = [], []
    for i, code in enumerate(codes):
        c = customers[code]
        new = (float(lat.iloc[i]), float(lng.iloc[i]))
        if (c.lat, c.lng) == new and c.geocode_source == GeocodeSource.MANUAL:
            actions.append("unchanged")
            changes.append("")
            continue
        actions.append("updated")
        changes.append(f"lat/lng: {c.lat}, {c.lng} -> {new[0]}, {new[1]}")
        if not dry_run:
            c.lat, c.lng, c.geocode_source = new[0], new[1], GeocodeSource.MANUAL
            c.updated_by = str(session.info.get("user", ""))
    if not dry_run:
        session.flush()
    rows = (
        pd.DataFrame(
            {
                "row": table.row_numbers(),
                "key": codes,
                "action": actions,
                "changes": changes,
                "warnings": "",
            }
        )
        if len(codes)
        else empty_rows()
    )
    return ImportReport("coordinates", table.file, dry_run, rows)


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    """How to use a geocoding service.

    Parameters
    ----------
    user_agent
        Sent to Nominatim, whose policy requires an identifying agent.
    cache_path
        JSON file of earlier answers (``address -> [lat, lng]`` or ``null``).
    min_delay_seconds
        Pause between requests (Nominatim allows one per second).
    limit
        Look up at most this many customers (``None`` = all without coordinates).
    progress
        Show a tqdm progress bar.
    """

    user_agent: str = DEFAULT_USER_AGENT
    cache_path: Path = DEFAULT_CACHE_PATH
    min_delay_seconds: float = 1.0
    limit: int | None = None
    progress: bool = True


def query_for(address: str) -> str:
    """The query sent for an address: the county is added, since workbook addresses lack it."""
    text = address.strip()
    if text.startswith(("臺東縣", "台東縣")):
        return f"{text}, 台灣"
    return f"臺東縣{text}, 台灣"


def load_cache(path: Path) -> dict[str, list[float] | None]:
    """The geocoding cache (empty when the file does not exist)."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_cache(path: Path, cache: dict[str, list[float] | None]) -> None:
    """Write the cache atomically (a crash mid-write must not lose earlier answers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(
        json.dumps(cache, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8"
    )
    os.replace(tmp, path)


def nominatim(user_agent: str, min_delay_seconds: float = 1.0) -> Callable[[str], Any]:
    """geopy's Nominatim behind a RateLimiter (needs internet)."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    service = Nominatim(user_agent=user_agent, timeout=10)
    return RateLimiter(service.geocode, min_delay_seconds=min_delay_seconds, max_retries=2)


def geocode_with_service(
    session: Session,
    geocoder: Geocoder | Callable[[str], Any] | None = None,
    *,
    options: ServiceOptions | None = None,
) -> ImportReport:
    """Geocode customers without coordinates; each address is asked at most once, ever.

    Parameters
    ----------
    session
        Open session; changes are flushed, the caller commits.
    geocoder
        An object with ``geocode(query)`` or a callable ``query -> location``; ``None``
        uses Nominatim (:func:`nominatim`) with ``options.user_agent``.
    options
        User agent, cache file, delay, limit, progress bar.

    Returns
    -------
    ImportReport
        Kind ``coordinates``: ``updated`` (found in the area) or ``skipped`` with the reason.
    """
    from tqdm.auto import tqdm

    authorize(session, Action.IMPORT)  # before asking the service anything
    options = options or ServiceOptions()
    if geocoder is None:
        lookup = nominatim(options.user_agent, options.min_delay_seconds)
    elif callable(geocoder) and not hasattr(geocoder, "geocode"):
        lookup = geocoder
    else:
        lookup = geocoder.geocode
    stmt = select(Customer).where(Customer.lat.is_(None)).order_by(Customer.code)
    if options.limit is not None:
        stmt = stmt.limit(options.limit)
    customers = list(session.scalars(stmt))
    cache = load_cache(options.cache_path)
    user = str(session.info.get("user", ""))
    rows: list[dict[str, Any]] = []
    try:
        for i, customer in enumerate(
            tqdm(customers, desc="geocoding", disable=not options.progress)
        ):
            query = query_for(customer.address)
            if query not in cache:
                location = lookup(query)
                cache[query] = (
                    None
                    if location is None
                    else [float(location.latitude), float(location.longitude)]
                )
            answer = cache[query]
            row = {"row": i + 1, "key": customer.code, "changes": "", "warnings": ""}
            if answer is None:
                row |= {"action": "skipped", "warnings": "address not found"}
            elif not in_service_area(*answer):
                row |= {"action": "skipped", "warnings": f"found outside the service area {answer}"}
            else:
                customer.lat, customer.lng = answer
                customer.geocode_source = GeocodeSource.SERVICE
                customer.updated_by = user
                row |= {"action": "updated", "changes": f"lat/lng: -> {answer[0]}, {answer[1]}"}
            rows.append(row)
    finally:
        # Keep what was learned even if the run is interrupted.
        save_cache(options.cache_path, cache)
    session.flush()
    frame = pd.DataFrame(rows) if rows else empty_rows()
    return ImportReport("coordinates", "geocoding service", False, frame)
