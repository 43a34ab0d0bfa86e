"""Refills and intervals: what counts as gas used."""

from __future__ import annotations

import pandas as pd
import pytest

from luckygas.forecast.history import prepare_refills, refill_intervals
from tests.forecast.forecast_helpers import as_frame, refill_rows


def test_used_gas_subtracts_residual_returned_at_next_refill():
    """Gas left in returned cylinders was not burnt, so it is not counted as used."""
    rows = refill_rows(1, ["2025-01-01"]) + refill_rows(1, ["2025-01-11"], residual=6.0)
    iv = refill_intervals(prepare_refills(as_frame(rows)))
    assert iv["used_kg"].tolist() == [34.0]
    assert iv["days"].tolist() == [10]


def test_failed_visits_do_not_refill_and_same_day_rows_merge():
    """A not-home visit is no refill; two drops on one day are one refill."""
    rows = refill_rows(1, ["2025-01-01", "2025-01-05", "2025-01-05", "2025-01-09"])
    rows[1]["outcome"] = "not_home"
    refills = prepare_refills(as_frame(rows))
    assert refills["delivered_kg"].tolist() == [40.0, 40.0, 40.0]
    rows[1]["outcome"] = "delivered"
    assert prepare_refills(as_frame(rows))["delivered_kg"].tolist() == [40.0, 80.0, 40.0]


def test_history_is_cut_strictly_before_the_planning_day():
    """Deliveries on the planning day itself are not known when planning it."""
    rows = refill_rows(1, ["2025-01-01", "2025-01-10"])
    assert len(prepare_refills(as_frame(rows), before="2025-01-10")) == 1


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("qty_20kg", -1, "row 1: qty_20kg=-1"),
        ("residual_kg", "lots", "row 1: residual_kg='lots'"),
        ("delivered_on", None, "row 1: delivered_on is empty"),
    ],
)
def test_bad_rows_are_named_by_row_and_field(field, value, match):
    """A bad history row gives an error that says which row and field is wrong."""
    frame = as_frame(refill_rows(1, ["2025-01-01", "2025-01-05"]))
    frame[field] = frame[field].astype(object)
    frame.loc[1, field] = value
    with pytest.raises(ValueError, match=match):
        prepare_refills(frame)


def test_missing_columns_are_listed():
    """A table without quantity columns is rejected with the missing names."""
    with pytest.raises(ValueError, match="missing column"):
        prepare_refills(pd.DataFrame({"customer_id": [1], "delivered_on": ["2025-01-01"]}))


def test_flow_meter_reading_is_the_gas_used():
    """For flow-metered customers the meter reading beats delivered minus residual."""
    rows = refill_rows(1, ["2025-01-01"]) + refill_rows(1, ["2025-01-11"], residual=6.0)
    rows[1]["flow_kg"] = 37.5
    rows[0]["flow_kg"] = 0.0
    assert refill_intervals(prepare_refills(as_frame(rows)))["used_kg"].tolist() == [37.5]
