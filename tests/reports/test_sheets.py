"""Driver route sheets: one printable A4 page per route with everything the driver needs."""

from __future__ import annotations

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
                 "1×50kg 2×20kg 3×16kg", "138 kg", "12.3 km"):  # fmt: skip
        assert text in sheet, text
    assert sheet.count('class="stop"') == 3
    assert "@page" in sheet and "A4" in sheet and "break-after: page" in sheet


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
