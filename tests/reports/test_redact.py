"""Redaction: names and phones masked for reports shared outside the company."""

from __future__ import annotations

from luckygas.reports.redact import mask_address, mask_name, mask_phone, round_coordinate
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


def test_address_keeps_the_road_or_district_only():
    """No house number, lane or floor survives; an unknown format keeps nothing."""
    assert mask_address("臺東市中華路一段123巷4號5樓") == "臺東市中華路一段"
    assert mask_address("台東市中華路101號") == "台東市中華路"
    assert mask_address("臺東縣卑南鄉初鹿村1鄰12號") == "臺東縣卑南鄉"
    assert mask_address("成功鎮大同路１２號") == "成功鎮大同路"
    assert mask_address("Block 5, 12 Harbour Road") == ""
    assert mask_address(None) is None and mask_address("") == ""


def test_coordinates_round_to_about_100_m():
    """Three decimals; blanks stay blank."""
    assert round_coordinate(22.756371) == 22.756
    assert round_coordinate(121.14529) == 121.145
    assert round_coordinate(None) is None


def test_plan_data_redaction_removes_codes_notes_addresses_and_exact_points(plan_data):
    """Every frame of a redacted plan: codes and notes empty, roads only, rounded points."""
    red = plan_data.redact()
    stops = red.stops()
    assert set(stops["customer_code"]) == {""} and set(red.contacts["customer_code"]) == {""}
    assert set(stops["notes"]) <= {""}
    assert set(stops["address"]) == {"台東市中華路"}
    assert all(round(v, 3) == v for v in [*stops["lat"], *stops["lng"]])
    assert red.depot is not None and red.depot.lat == 22.758
    assert "T000001" in set(plan_data.stops()["customer_code"])  # the original is untouched


def test_redaction_drops_the_road_lines_that_pass_each_stop(plan_data):
    """A trip drawn along its roads passes its stops within metres: a redacted copy has no
    road lines (its map draws straight lines between the rounded stops)."""
    import dataclasses

    exact = [(22.7583, 121.1444), (22.756012, 121.145031), (22.7583, 121.1444)]
    on_roads = dataclasses.replace(plan_data.result, paths={(1, 1): exact})
    red = dataclasses.replace(plan_data, result=on_roads).redact()
    assert red.result.paths == {} and on_roads.paths == {(1, 1): exact}
