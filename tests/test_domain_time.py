"""The one vocabulary for time of day in luckygas.domain: windows, HH:MM, seconds."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from luckygas.domain import (
    HOURLY_SLOTS,
    MINUTES_PER_DAY,
    format_windows,
    hhmm_from_minutes,
    hhmm_from_seconds,
    hours_to_windows,
    minutes_from_hhmm,
    windows_to_hours,
)


def test_hhmm_from_minutes_pads_and_reaches_the_end_of_the_day():
    """Zero-padded 24-hour text; 1440 is the end of the day, not 00:00."""
    assert hhmm_from_minutes(0) == "00:00"
    assert hhmm_from_minutes(485) == "08:05"
    assert hhmm_from_minutes(MINUTES_PER_DAY) == "24:00"


def test_hhmm_from_seconds_drops_seconds_and_marks_missing():
    """Seconds within the minute are cut, not rounded; None and NaN show the marker."""
    assert hhmm_from_seconds(8 * 3600 + 5 * 60) == "08:05"
    assert hhmm_from_seconds(8 * 3600 + 5 * 60 + 59) == "08:05"
    assert hhmm_from_seconds(None) == "–"
    assert hhmm_from_seconds(math.nan, missing="") == ""


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("08:30", 510), ("0830", 510), ("830", 510), ("8:30:00", 510), ("8", 480),
     (" 24:00 ", 1440), ("00:00", 0)],
)  # fmt: skip
def test_minutes_from_hhmm_reads_the_written_forms(text, minutes):
    """Every form found in the real spreadsheets gives minutes since midnight."""
    assert minutes_from_hhmm(text) == minutes


@pytest.mark.parametrize("text", ["", "8:61", "24:01", "25", "noon", "8.30", "08:3"])
def test_minutes_from_hhmm_refuses_what_is_not_a_time(text):
    """Text that is not a time of day is None, never a guess."""
    assert minutes_from_hhmm(text) is None


@given(st.integers(min_value=0, max_value=MINUTES_PER_DAY))
def test_hhmm_round_trips(minutes):
    """Formatting then parsing gives the minutes back, for every minute of the day."""
    assert minutes_from_hhmm(hhmm_from_minutes(minutes)) == minutes


def test_format_windows_separators():
    """The workbook's "; " and "-" by default; callers choose their own punctuation."""
    windows = [(480, 720), (840, 1200)]
    assert format_windows(windows) == "08:00-12:00; 14:00-20:00"
    assert format_windows(windows, separator=",") == "08:00-12:00,14:00-20:00"
    assert format_windows(windows, ", ", "–") == "08:00–12:00, 14:00–20:00"
    assert format_windows([]) == ""


def test_hours_to_windows_merges_consecutive_hours():
    """Adjacent hourly flags become one window; a gap starts a new one; the last ends 20:00."""
    flags = [True] * 3 + [False] + [True] * 8
    assert hours_to_windows(flags) == ((480, 660), (720, 1200))
    assert hours_to_windows([False] * len(HOURLY_SLOTS)) == ()


def test_hours_to_windows_wants_one_flag_per_slot():
    """A short row of flags is an error, not a silently shorter day."""
    with pytest.raises(ValueError):
        hours_to_windows([True] * (len(HOURLY_SLOTS) - 1))


@given(st.lists(st.booleans(), min_size=len(HOURLY_SLOTS), max_size=len(HOURLY_SLOTS)))
def test_hours_and_windows_round_trip(flags):
    """Hourly flags -> windows -> hourly flags is the identity."""
    assert windows_to_hours(hours_to_windows(flags)) == flags


def test_windows_to_hours_counts_only_whole_hours():
    """08:30-10:00 covers 9~10 but not 8~9: the workbook cannot say "from 8:30"."""
    hours = windows_to_hours([(510, 600)])
    assert hours[:2] == [False, True]
    assert sum(hours) == 1
