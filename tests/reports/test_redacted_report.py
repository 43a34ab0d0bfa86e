"""A redacted report, end to end: the exported HTML holds no sensitive value of the day.

One database with a saved plan and a scenario; one redacted and one plain export shared
by the module (~6 s each). Every customer's name, phone, full address, code and order
note, every driver's name and phone, and every stop's coordinates to 5 decimals are
looked for in the whole file: the page text, its HTML-escaped form and every string of
the embedded widget state (the map), decoded from JSON. The plain report must contain
them all, or the search would prove nothing.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.reports import report as report_mod
from luckygas.reports import write_report
from tests.reports.helpers import DAY, DB_CUSTOMERS, build_planned_database

SCENARIO = "no moto"
DRIVERS = (("陳大同", "0922-111-333"), ("林小華", "0922-444-555"))
#: The helper's customers moved by a few metres, so each coordinate has 6 decimals (the
#: 4-decimal originals round to themselves), and with a note each.
CUSTOMERS = [
    (code, name, phone, zone, None if lat is None else round(lat + 0.000137 * i, 6),
     None if lng is None else round(lng + 0.000291 * i, 6), qty,
     notes or f"gate code {i}{i}7 鐵門")
    for i, (code, name, phone, zone, lat, lng, qty, notes) in enumerate(DB_CUSTOMERS, 1)
]  # fmt: skip
#: What the plain report does not show at all: the unserved customer (no coordinates)
#: appears by name and code only, and driver phones are on the route sheets only.
NOT_IN_PLAIN = {CUSTOMERS[-1][2], "臺東市中華路7號", CUSTOMERS[-1][7], *(p for _, p in DRIVERS)}
_STATE = re.compile(
    rf'<script type="{re.escape(report_mod.WIDGET_STATE_MIME)}">(.*?)</script>', re.DOTALL
)


def _decimals(value: float, n: int = 5) -> str:
    """``value`` cut (not rounded) to ``n`` decimals, as it shows inside a longer number."""
    whole, frac = repr(value).split(".")
    return f"{whole}.{frac[:n]}"


def sensitive_values() -> list[str]:
    """Every value of the day that must not leave the company."""
    values: list[str] = []
    for i, (code, name, phone, _z, lat, lng, _q, notes) in enumerate(CUSTOMERS, 1):
        values += [code, name, phone, f"臺東市中華路{i}號", notes]
        if lat is not None:
            values += [_decimals(lat), _decimals(lng)]
    for name, phone in DRIVERS:
        values += [name, phone]
    return values


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [repr(node)]  # numbers: as Python prints them, e.g. 22.756371


def searchable(page: str) -> str:
    """The page, its unescaped text and every widget-state string, decoded."""
    states = _STATE.findall(page)
    assert states, "the report has no embedded widget state"
    decoded = [s for state in states for s in _strings(json.loads(state))]
    parts = [page, html.unescape(page), *decoded, *(html.unescape(s) for s in decoded)]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, str]:
    """``{"plain": html, "redacted": html}`` of the same day, plan and scenario."""
    from luckygas import models as m
    from luckygas.models import Base
    from luckygas.reference import seed_reference_data

    folder = tmp_path_factory.mktemp("redacted-report")
    url = f"sqlite:///{folder / 'plan.sqlite'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        seed_reference_data(s, holiday_years=range(2026, 2027))
        s.add(m.Scenario(name=SCENARIO, changes={"remove_vehicle_names": ["Moto B"],
                                                 "solver": {"time_limit_s": 1.0}}))  # fmt: skip
        s.commit()
    build_planned_database(engine, customers=CUSTOMERS)
    engine.dispose()
    out = {}
    for kind in ("plain", "redacted"):
        path = write_report(DAY, database_url=url, scenario=SCENARIO, redact=kind == "redacted",
                            output=folder / f"{kind}.html", progress=False)  # fmt: skip
        out[kind] = path.read_text(encoding="utf-8")
    return out


def test_plain_report_holds_every_value(reports):
    """The search finds each value in the plain report (so it can find a leak)."""
    text = searchable(reports["plain"])
    missing = {v for v in sensitive_values() if v not in text}
    assert missing <= NOT_IN_PLAIN


def test_redacted_report_holds_no_sensitive_value(reports):
    """Names, phones, full addresses, codes, notes and exact coordinates: none left,
    in the page or in the map's widget state."""
    text = searchable(reports["redacted"])
    leaked = [v for v in sensitive_values() if v in text]
    assert not leaked


def test_redacted_report_keeps_what_is_safe(reports):
    """It still reads like the report: masked names, the road, rounded points, the map."""
    page = reports["redacted"]
    text = searchable(page)
    assert "王**" in text and "09**-***-678" in text
    assert "臺東市中華路" in text
    lat = CUSTOMERS[0][4]
    assert repr(round(lat, 3)) in text  # the stop is on the map, ~100 m from the house
    assert report_mod.LEAFLET_DEFINE in page
    assert "Redacted:" in page and "(redacted)" in page
