"""Redaction: names and phones masked for reports shared outside the company."""

from __future__ import annotations

from luckygas.reports.redact import mask_name, mask_phone
from tests.reports.helpers import WANG, WANG_PHONE


def test_name_keeps_first_character_only():
    """A manager sees '王**', not the customer's full name."""
    assert mask_name(WANG) == "王**"
    assert mask_name("李") == "李*"
    assert mask_name(None) is None and mask_name("") == ""


def test_phone_keeps_first_two_and_last_three_digits():
    """Phone numbers keep their shape but not the subscriber digits."""
    assert mask_phone(WANG_PHONE) == "09**-***-678"
    assert mask_phone("089-321654") == "08*-***654"
    assert mask_phone("12345") == "*****"  # too short to keep anything


def test_plan_data_redaction_masks_every_output_frame(plan_data):
    """After redact(), no stop, route, unserved row or contact holds a real name or phone."""
    red = plan_data.redact()
    assert red.redacted and not plan_data.redacted
    stops = red.stops()
    assert WANG not in set(stops["customer_name"]) and "王**" in set(stops["customer_name"])
    assert WANG_PHONE not in set(stops["phone"]) and "09**-***-678" in set(stops["phone"])
    assert set(red.routes()["driver_name"]) == {"陳**", "林**"}
    assert "0922-111-333" not in set(red.routes()["driver_phone"])
    assert set(red.result.unassigned["customer_name"]) == {"無****"}
    # the original is untouched
    assert WANG in set(plan_data.stops()["customer_name"])
