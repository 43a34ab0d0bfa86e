"""The exported day report on imported roads carries the "Main roads" background.

One database with a saved plan (the report tests' helper) and a road file written at test
time around its customers: a primary ring road, a town street and a footway. One export
(~6 s) is shared by the module; the report without roads is checked in
``tests/reports/test_report.py`` (no "Main roads" there).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.reports import report as report_mod
from luckygas.reports import write_report
from tests.reports.helpers import DAY, build_planned_database, chromium_path

#: The ring road around the helper's customers (22.745-22.795 N, 121.11-121.185 E).
RING = [(22.74, 121.105), (22.74, 121.19), (22.80, 121.19), (22.80, 121.105)]
STREET = [(22.757, 121.143), (22.760, 121.143)]  # beside the depot (22.7583, 121.1444)
FOOTWAY = [(22.7585, 121.1452), (22.7601, 121.1452)]
_STATE = re.compile(
    rf'<script type="{re.escape(report_mod.WIDGET_STATE_MIME)}">(.*?)</script>', re.DOTALL
)


def _osm(path: Path) -> Path:
    nodes = [*RING, *STREET, *FOOTWAY]
    ring = [*range(1, len(RING) + 1), 1]
    ways = [
        (ring, {"highway": "primary"}),
        ([5, 6], {"highway": "residential"}),
        ([7, 8], {"highway": "footway"}),
    ]
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="tests">']
    lines += [
        f' <node id="{i}" version="1" lat="{lat}" lon="{lng}"/>'
        for i, (lat, lng) in enumerate(nodes, start=1)
    ]
    for wid, (refs, tags) in enumerate(ways, start=100):
        lines.append(f' <way id="{wid}" version="1">')
        lines += [f'  <nd ref="{r}"/>' for r in refs]
        lines += [f"  <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append(" </way>")
    path.write_text("\n".join([*lines, "</osm>"]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def roads_report(tmp_path_factory) -> tuple[Path, int]:
    """``(html path, number of routes)`` of the planned day, exported with roads imported."""
    from luckygas import models as m
    from luckygas.reference import seed_reference_data
    from luckygas.roads import import_extract

    folder = tmp_path_factory.mktemp("roads-report")
    url = f"sqlite:///{folder / 'plan.sqlite'}"
    engine = make_engine(url)
    m.Base.metadata.create_all(engine)
    with Session(engine) as s:
        seed_reference_data(s, holiday_years=range(2026, 2027))
        s.commit()
    plan_id = build_planned_database(engine)
    with Session(engine) as s:
        s.info["user"] = "tester"
        import_extract(s, _osm(folder / "roads.osm"))
        s.commit()
        from luckygas.bridge.persist import load_plan

        n_routes = len(load_plan(s, plan_id).routes)
    engine.dispose()
    path = write_report(DAY, database_url=url, output=folder / "report.html", progress=False)
    return path, n_routes


def _roads_state(page: str) -> list[dict]:
    states = [json.loads(s) for s in _STATE.findall(page)]
    return [
        model["state"]
        for state in states
        for model in state["state"].values()
        if model.get("state", {}).get("name") == "Main roads"
    ]


def test_the_report_embeds_the_main_roads(roads_report):
    """The map's widget state holds one "Main roads" GeoJSON layer: the ring road with its
    coordinates, the town street, no footway; non-interactive."""
    page = roads_report[0].read_text(encoding="utf-8")
    (layer,) = _roads_state(page)
    assert layer["_model_name"] == "LeafletGeoJSONModel" and layer["interactive"] is False
    kinds = {
        f["properties"]["kind"]: f["geometry"]["coordinates"] for f in layer["data"]["features"]
    }
    (ring,) = kinds["roads"]
    assert {(lat, lng) for lng, lat in ring} == set(RING)
    assert kinds["streets"] == [[[lng, lat] for lat, lng in STREET]] or kinds["streets"] == [
        [[lng, lat] for lat, lng in reversed(STREET)]
    ]
    every = {(lat, lng) for f in layer["data"]["features"] for x in f["geometry"]["coordinates"]
             for lng, lat in x}  # fmt: skip
    assert not every & set(FOOTWAY)


@pytest.mark.browser
def test_the_roads_draw_offline_under_the_routes(roads_report, tmp_path):
    """In headless Chromium with no network: the route lines are the only interactive
    paths (the background takes no clicks), and the background's lines are drawn."""
    chromium = chromium_path()
    if chromium is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI is set but chromium is not installed (apt-get install chromium).")
        pytest.skip("chromium is not installed")
    path, n_routes = roads_report
    run = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
    ]  # fmt: skip
    dom = subprocess.run([*run, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                         timeout=180, check=True).stdout  # fmt: skip
    paths = re.findall(r"<path[^>]*>", dom)
    interactive = [p for p in paths if "leaflet-interactive" in p]
    assert len(interactive) == n_routes
    # The grey lines sit in the roads pane, under the routes' overlay pane.
    start = dom.index("leaflet-lg-roads-pane")
    ends = [dom.find(x, start) for x in ('class="leaflet-pane', "leaflet-control-container")]
    pane = dom[start : min(e for e in ends if e > 0)]
    grey = re.findall(r'<path[^>]*stroke="#7a7a7a"[^>]*>', pane)
    assert len(grey) >= 2 and not any("leaflet-interactive" in p for p in grey)
    if shot_dir := os.environ.get("LUCKYGAS_SCREENSHOT_DIR"):
        shot = Path(shot_dir) / "report-roads.png"
        subprocess.run([*run, "--window-size=1200,1800", f"--screenshot={shot}", path.as_uri()],
                       capture_output=True, timeout=180, check=True)  # fmt: skip
