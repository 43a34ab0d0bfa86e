"""Driver route sheets: one printable A4 page per route with everything the driver needs."""

from __future__ import annotations

import re
import subprocess

import pytest

from luckygas.reports.sheets import ALL_FILE, INDEX_FILE, write_route_sheets
from tests.reports.helpers import HOSTILE, WANG, WANG_PHONE

ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def test_sheet_files_one_per_route_plus_index_and_all(plan_data, tmp_path):
    """The driver gets a page per route; the office an index and a print-all page."""
    paths = write_route_sheets(None, plan_data, tmp_path)
    assert [p.name for p in paths] == [INDEX_FILE, ALL_FILE, "route-01.html", "route-02.html"]
    index = paths[0].read_text(encoding="utf-8")
    assert 'href="route-01.html"' in index and 'href="all-routes.html"' in index
    assert "無座標商店" in index  # unplanned orders are listed for the dispatcher


def test_route_sheet_content(plan_data, tmp_path):
    """Driver, vehicle, start, each stop's arrival/customer/address/phone/window/cylinders,
    notes and totals are on the sheet."""
    sheet = write_route_sheets(None, plan_data, tmp_path)[2].read_text(encoding="utf-8")
    for text in ("陳大同", "0922-111-333", "Truck A", "ABC-1234", "08:00", "10:20",
                 "08:15", WANG, "T000001", "O-101", "台東市中華路101號", WANG_PHONE,
                 "08:00–12:00", "2×20kg", "1×50kg", "3×16kg", "後門 &lt;b&gt;卸貨&lt;/b&gt;",
                 "1×50kg 2×20kg 3×16kg (138 kg)", "12.3 km", "138/1,000 kg"):  # fmt: skip
        assert text in sheet, text
    assert sheet.count('class="stop"') == 3
    assert "@page" in sheet and "A4" in sheet and "break-after: page" in sheet
    assert "light truck" in sheet and "light_truck" not in sheet


def _rows(html: str) -> list[str]:
    """The text of each body row of the stop table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "<tr" + tr)).strip()
            for tr in body.split("<tr")[1:]]  # fmt: skip


def test_motorcycle_sheet_shows_the_reload_between_its_trips(plan_data, tmp_path):
    """A driver making two trips sees 'back to depot, reload' with times and what to load,
    between the last stop of trip 1 and the first of trip 2."""
    sheet = write_route_sheets(None, plan_data, tmp_path)[3].read_text(encoding="utf-8")
    rows = _rows(sheet)
    assert len(rows) == 3
    assert rows[0].startswith("1 08:40") and rows[2].startswith("2 10:00")
    assert "Back to depot, reload (09:20–09:30)" in rows[1] and "trip 2: 1×20kg 4×10kg" in rows[1]
    assert "Lunch break" not in sheet  # its break slot (12:00) is after it is back (11:00)
    assert "1×20kg 2×4kg" in sheet  # load at start: trip 1 only


def test_truck_sheet_shows_the_break_in_its_place(plan_data, tmp_path):
    """The lunch break is a row between the stops it falls between, with its times."""
    rows = _rows(write_route_sheets(None, plan_data, tmp_path)[2].read_text(encoding="utf-8"))
    assert [r.split()[0] for r in rows] == ["1", "2", "09:10", "3"]
    assert "Lunch break (09:10–09:25)" in rows[2]


def test_sheet_totals_are_the_days_not_one_trips(plan_data, tmp_path):
    """The footer's cylinders are what the route delivers all day (sum over its stops),
    next to the empties; the fullest single trip is shown against capacity."""
    sheet = write_route_sheets(None, plan_data, tmp_path)[3].read_text(encoding="utf-8")
    totals = sheet.split('class="totals"', 1)[1]
    assert "2×20kg 4×10kg 2×4kg (88 kg)" in totals  # route load_20kg is 1 (the fullest trip)
    assert "3×10kg" in totals  # empties
    assert "60/60 kg (100\u00a0%)" in totals and "2 trips" in totals


def test_draft_plans_say_so_on_every_sheet(plan_data, tmp_path):
    """Sheets of an unpublished plan carry 'DRAFT — not published' at the top; a published
    plan's do not."""
    import dataclasses

    pages = write_route_sheets(None, plan_data, tmp_path / "d")
    assert all("DRAFT — not published" in p.read_text(encoding="utf-8") for p in pages)
    published = dataclasses.replace(plan_data, plan_status="published")
    pages = write_route_sheets(None, published, tmp_path / "p")
    assert not any("DRAFT" in p.read_text(encoding="utf-8") for p in pages)


def test_sheets_escape_and_redact(plan_data, tmp_path):
    """A hostile customer name prints as text; redacted sheets hold no real name or phone."""
    sheet = write_route_sheets(None, plan_data, tmp_path / "a")[1].read_text(encoding="utf-8")
    assert ESCAPED in sheet and HOSTILE not in sheet
    red = write_route_sheets(None, plan_data, tmp_path / "b", redact=True)
    text = "".join(p.read_text(encoding="utf-8") for p in red)
    assert WANG not in text and WANG_PHONE not in text and "陳大同" not in text
    assert "王**" in text and "09**-***-678" in text and "REDACTED" in text


@pytest.mark.browser
def test_sheets_in_chromium_show_the_name_as_text(plan_data, tmp_path, chromium):
    """Opened in a browser, the hostile name is text, not an image element."""
    path = write_route_sheets(None, plan_data, tmp_path)[1]
    dom = subprocess.run(
        [chromium, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=2000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert dom.count('class="stop"') == 5
    assert '<img src="x"' not in dom and ESCAPED in dom


BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # No network at all: proves the page needs none (tiles fail at once instead of timing out).
    "--host-resolver-rules=MAP * ~NOTFOUND",
]  # fmt: skip
