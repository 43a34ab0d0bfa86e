"""An out-of-date plan says so at the top of the report and of every route sheet."""

from __future__ import annotations

import dataclasses

from luckygas.reports import sections
from luckygas.reports.sheets import write_route_sheets
from luckygas.staleness import NO_DIGESTS, DayChanges

STALE = DayChanges(added=(233,), cancelled=(12,), labels={233: "#233 龍鳳豆花", 12: "#12 海濱小吃"})


def test_report_header_names_the_changed_orders(plan_data):
    """A banner like DRAFT's names what changed; a fresh or unknown plan has none."""
    html = sections.header_html(dataclasses.replace(plan_data, changes=STALE))
    assert "lg-stale" in html and "OUT OF DATE" in html
    assert "1 order added since this plan (#233 龍鳳豆花), 1 cancelled (#12 海濱小吃)" in html
    for quiet in (None, DayChanges(), DayChanges(unknown=NO_DIGESTS)):
        assert "OUT OF DATE" not in sections.header_html(
            dataclasses.replace(plan_data, changes=quiet)
        )


def test_every_route_sheet_carries_the_warning_and_redaction_hides_names(plan_data, tmp_path):
    """Drivers see it on their page too; a redacted copy keeps the order ids only."""
    stale = dataclasses.replace(plan_data, changes=STALE)
    pages = [p.read_text(encoding="utf-8") for p in write_route_sheets(None, stale, tmp_path / "a")]
    assert all("OUT OF DATE" in p and "#233 龍鳳豆花" in p for p in pages)
    red = write_route_sheets(None, stale, tmp_path / "b", redact=True)
    text = "".join(p.read_text(encoding="utf-8") for p in red)
    assert "OUT OF DATE" in text and "#233" in text and "龍鳳豆花" not in text
