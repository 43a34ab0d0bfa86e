"""The day report: one HTML file a manager opens offline, with the map drawn and no code.

One full export (papermill + nbconvert, ~6 s) is shared by every test in this module.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from sqlalchemy.orm import Session

from luckygas.db import make_engine
from luckygas.reports import ReportError, sections, write_report
from luckygas.reports import report as report_mod
from luckygas.reports.data import load_plan_data
from tests.reports.helpers import DAY, HOSTILE, WANG, WANG_PHONE

ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
SCENARIO = "no moto"
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # No network at all: proves the page needs none (tiles fail at once instead of timing out).
    "--host-resolver-rules=MAP * ~NOTFOUND",
]  # fmt: skip


@pytest.fixture(scope="module")
def report(planned_db, tmp_path_factory):
    """``(html path, db url, plan id)``: the report of the planned day with a scenario."""
    from luckygas import models as m

    url, plan_id = planned_db
    engine = make_engine(url)
    with Session(engine) as s:
        s.info["user"] = "tester"  # module-wide: before the per-test $LUCKYGAS_USER
        s.add(m.Scenario(name=SCENARIO, description="the motorcycle is in the workshop",
                         changes={"remove_vehicle_names": ["Moto B"],
                                  "solver": {"time_limit_s": 1.0}}))  # fmt: skip
        s.commit()
    engine.dispose()
    out = tmp_path_factory.mktemp("report") / "sub" / "report.html"
    path = write_report(DAY, database_url=url, scenario=SCENARIO, output=out, progress=False)
    return path, url, plan_id


def test_report_is_one_self_contained_file(report):
    """The file embeds widget state and every script; nothing is fetched from a CDN."""
    html = report[0].read_text(encoding="utf-8")
    assert report_mod.LEAFLET_DEFINE in html
    assert report_mod.WIDGET_STATE_MIME in html
    assert not re.search(r"""<script[^>]+src=["']https?:""", html)
    assert not re.search(r"""<link[^>]+href=["']https?:""", html)


def test_report_content(report):
    """KPIs, routes, unserved orders with reasons, scenario comparison and run record are
    there; the code is not."""
    html = report[0].read_text(encoding="utf-8")
    for text in ("deliveries 2026-03-02", "morning", "Vehicles used",
                 "Route map", "Truck A", "Moto B", "ABC-1234", "陳大同", WANG, WANG_PHONE,
                 "Unserved orders", "NO_COORDINATES", "無座標商店", "Scenario: no moto",
                 "the motorcycle is in the workshop", "Δ", "Run record",
                 "fingerprint", "DRAFT — not published", "light truck", "Trips",
                 "Cylinders delivered", "Fullest trip", "<th>Trip</th>"):  # fmt: skip
        assert text in html, text
    assert "light_truck" not in html.split("</style>")[-1]
    assert "Main roads" not in html  # no road graph imported: no background layer
    assert "load_plan_data(" not in html and "import datetime" not in html  # inputs hidden
    assert ESCAPED in html and f">{HOSTILE}<" not in html


def test_report_hides_heading_anchor_links(report):
    """nbconvert's '¶' permalinks next to headings are hidden in the shared report."""
    html = report[0].read_text(encoding="utf-8")
    assert "anchor-link" in html  # nbconvert still emits them ...
    assert re.search(r"\.anchor-link\s*\{\s*display:\s*none", html)  # ... and they are hidden


def test_report_stops_use_order_numbers(report, planned_db):
    """The stop tables name orders by their printed number, as on paper."""
    url, plan_id = planned_db
    engine = make_engine(url)
    with Session(engine) as s:
        data = load_plan_data(s, DAY, plan_id=plan_id)
    engine.dispose()
    html = report[0].read_text(encoding="utf-8")
    numbers = [data.order_numbers[int(o)] for o in data.result.stops["order_id"]]
    assert numbers and all(n in html for n in numbers)


def test_empty_day_is_refused(planned_db, tmp_path, capsys):
    """A day with no orders and no plan is a one-line error and a non-zero exit, not a
    report of 0 orders; nothing is written."""
    from luckygas.cli import main

    url, _ = planned_db
    out = tmp_path / "empty.html"
    with pytest.raises(ReportError, match=r"^no orders and no plan for 2025-01-06$"):
        write_report("2025-01-06", database_url=url, output=out)
    code = main(["--db", url, "report", "--date", "2025-01-06", "--output", str(out),
                 "--sheets", str(tmp_path / "sheets")])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code != 0 and err == "luckygas: error: no orders and no plan for 2025-01-06"
    assert not out.exists() and not (tmp_path / "sheets").exists()


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(planned_db, tmp_path, monkeypatch, tty):
    """By default papermill's 'Executing' bar shows only when stderr is a terminal, so logs
    and pipes stay clean."""
    url, _ = planned_db
    seen = {}

    class Stderr(io.StringIO):
        def isatty(self) -> bool:
            return tty

    def fake_execute(params, executed, *, progress, **kw):
        seen["progress"] = progress
        raise ReportError("stop here")

    monkeypatch.setattr(report_mod.sys, "stderr", Stderr())
    monkeypatch.setattr(report_mod, "execute_report_notebook", fake_execute)
    with pytest.raises(ReportError, match="stop here"):
        write_report(DAY, database_url=url, output=tmp_path / "x.html")
    assert seen["progress"] is tty


def test_redacted_sections_hold_no_names_or_phones(planned_db):
    """With redact, the report's tables and header show masked names and phones only."""
    url, _plan_id = planned_db
    engine = make_engine(url)
    with Session(engine) as s:
        data = load_plan_data(s, DAY).redact()
    engine.dispose()
    text = "".join(f(data) for f in (sections.header_html, sections.routes_html,
                                     sections.stops_html, sections.unassigned_html))  # fmt: skip
    assert WANG not in text and WANG_PHONE not in text and "陳大同" not in text
    assert "王**" in text and "09**-***-678" in text and "Redacted" in text


def test_unknown_plan_or_scenario_fails_before_running(planned_db, tmp_path):
    """A wrong plan id or scenario name is a clear error, and no file is written."""
    url, _ = planned_db
    with pytest.raises(ReportError, match="plan 999 does not exist"):
        write_report(DAY, database_url=url, plan_id=999, output=tmp_path / "x.html")
    with pytest.raises(ReportError, match="no scenario named 'nope'"):
        write_report(DAY, database_url=url, scenario="nope", output=tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_export_refuses_a_blank_map(monkeypatch, tmp_path):
    """If jupyter-leaflet could not be embedded (bundle header changed), export fails loudly."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {report_mod.WIDGET_STATE_MIME: {"state": {}, "version_major": 2,
                                                             "version_minor": 0}}  # fmt: skip
    monkeypatch.setattr(report_mod, "LEAFLET_DEFINE", 'define("jupyter-leaflet-renamed"')
    with pytest.raises(ReportError, match="jupyter-leaflet"):
        report_mod.export_html(nb, tmp_path / "x.html", title="t")


@pytest.mark.browser
def test_report_draws_routes_and_markers_offline(report, tmp_path, chromium):
    """Opened from a lone file in headless Chromium with no network, the map shows a line per
    route and a marker per stop plus the depot; the hostile name is text."""
    from luckygas.bridge.persist import load_plan

    path, url, plan_id = report
    engine = make_engine(url)
    with Session(engine) as s:
        result = load_plan(s, plan_id)
    engine.dispose()
    run = [chromium, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=15000"]  # fmt: skip
    dom = subprocess.run([*run, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                         timeout=180, check=True).stdout  # fmt: skip
    markers = re.findall(r'<(?:div|img)[^>]*class="[^"]*leaflet-marker-icon', dom)
    lines = re.findall(r'<path[^>]*class="leaflet-interactive"', dom)
    assert len(lines) == len(result.routes) == 2
    assert len(markers) == len(result.stops) + 1  # the unserved order has no coordinates
    assert '<img src="x"' not in dom and ESCAPED in dom
    # Set LUCKYGAS_SCREENSHOT_DIR to keep a screenshot for a look by eye (not asserted on).
    if shot_dir := os.environ.get("LUCKYGAS_SCREENSHOT_DIR"):
        shot = Path(shot_dir) / "report.png"
        subprocess.run([*run, "--window-size=1200,1800", f"--screenshot={shot}", path.as_uri()],
                       capture_output=True, timeout=180, check=True)  # fmt: skip
