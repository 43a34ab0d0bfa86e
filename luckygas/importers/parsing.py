"""Vectorised cell parsers: text column in, values plus a mask of bad cells out.

Each parser takes a column of stripped text (``""`` = blank) and returns the parsed
values and a boolean mask of cells that are not blank but cannot be parsed, so an
importer reports every bad cell of a 350,000-row file without a Python loop per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from luckygas.domain import EARLIEST_DATE, latest_date, minutes_from_hhmm
from luckygas.importers.errors import ProblemLog

#: The ROC (民國) calendar starts in 1912: ROC year + 1911 = Gregorian year.
ROC_YEAR_OFFSET = 1911

#: The largest whole number a file may give for an integer column (PostgreSQL's INTEGER;
#: SQLite's is larger): beyond it the database write itself would fail.
LARGEST_INTEGER = 2**31 - 1

_TRUE = frozenset(
    {"V", "v", "Ｖ", "ｖ", "1", "Y", "y", "YES", "yes", "TRUE", "true", "是", "○", "O"}
)
_FALSE = frozenset({"X", "x", "Ｘ", "ｘ", "0", "N", "n", "NO", "no", "FALSE", "false", "否", ""})


def blank(series: pd.Series) -> pd.Series:
    """Mask of blank cells."""
    return series.eq("")


def on_uniques(series: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a column function to the distinct values only, then spread the results back.

    Columns of a large export repeat few values (dates, counts, codes), so hashing once
    and parsing the distinct values is many times faster than parsing every cell.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    parsed = fn(pd.Series(uniques, dtype=object))
    return pd.Series(parsed.to_numpy()[codes], index=series.index)


def parse_number(
    series: pd.Series,
    log: ProblemLog,
    column: str,
    *,
    integer: bool = False,
    minimum: float | None = 0,
    maximum: float | None = None,
    what: str = "number",
) -> pd.Series:
    """Parse numbers; blank becomes NaN. Bad cells are logged.

    Parameters
    ----------
    series
        Text column.
    log
        Where problems go.
    column
        Header for problem reports.
    integer
        Require whole numbers.
    minimum
        Smallest allowed value (``None`` = no limit).
    maximum
        Largest allowed value; ``None`` means no limit for decimals and
        :data:`LARGEST_INTEGER` for whole numbers (what an integer column can hold).
    what
        Noun used in the reason, e.g. ``"cylinder count"``.

    Returns
    -------
    pandas.Series
        ``float64`` values, NaN where blank or bad.
    """

    def to_float(text: pd.Series) -> pd.Series:
        cleaned = text.astype(str).str.replace(",", "", regex=False)
        return pd.to_numeric(cleaned, errors="coerce").astype("float64")

    values = on_uniques(series, to_float).astype("float64")
    values = values.mask(np.isinf(values))  # "1e999", "inf": no figure anyone meant
    is_blank = blank(series)
    not_number = values.isna() & ~is_blank
    _log_mask(log, not_number, series, column, f"not a number; expected a {what}")
    if integer:
        frac = values.notna() & (values != np.floor(values))
        _log_mask(log, frac, series, column, f"not a whole number; expected a {what}")
        values = values.mask(frac)
    if minimum is not None:
        low = values.notna() & (values < minimum)
        reason = "negative" if minimum == 0 else f"less than {minimum:g}"
        _log_mask(log, low, series, column, f"{reason}; expected a {what} of at least {minimum:g}")
        values = values.mask(low)
    if maximum is None and integer:
        maximum = LARGEST_INTEGER
    if maximum is not None:
        high = values.notna() & (values > maximum)
        _log_mask(log, high, series, column, f"too large; expected a {what} of at most {maximum:g}")
        values = values.mask(high)
    return values


def parse_flag(series: pd.Series, log: ProblemLog, column: str) -> pd.Series:
    """Parse the workbook's ``V``/``X`` flags (also 1/0, Y/N, 是/否); blank is False."""
    true = series.isin(_TRUE)
    bad = ~true & ~series.isin(_FALSE)
    _log_mask(log, bad, series, column, "expected V (yes), X or blank (no)")
    return true


def parse_roc_date(series: pd.Series, log: ProblemLog, column: str) -> pd.Series:
    """Parse dates written as ROC ``YYYMMDD`` (``1131205`` = 2024-12-05) or ISO ``2024-12-05``.

    ``113/12/05`` and ``2024/12/05`` are accepted too. Blank and bad cells are logged
    (a delivery or order without a date cannot be placed) and come back as NaT, and so
    do dates outside :data:`luckygas.domain.EARLIEST_DATE` .. :func:`latest_date`.
    """
    out = on_uniques(series, _dates).astype("datetime64[s]")
    is_blank = blank(series)
    _log_mask(
        log,
        out.isna() & ~is_blank,
        series,
        column,
        "not a date; expected ROC YYYMMDD like 1131205 or YYYY-MM-DD",
    )
    _log_mask(log, is_blank, series, column, "date is missing")
    first, last = pd.Timestamp(EARLIEST_DATE), pd.Timestamp(latest_date())
    outside = out.notna() & ((out < first) | (out > last))
    _log_mask(log, outside, series, column, f"date outside {first:%Y-%m-%d}..{last:%Y-%m-%d}")
    return out.mask(outside)


def _dates(series: pd.Series) -> pd.Series:
    series = series.astype(str)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[s]")
    digits = series.str.fullmatch(r"\d{6,7}")
    if digits.any():
        n = series[digits].astype("int64")
        frame = pd.DataFrame(
            {"year": n // 10000 + ROC_YEAR_OFFSET, "month": (n // 100) % 100, "day": n % 100}
        )
        out[digits] = pd.to_datetime(frame, errors="coerce")
    roc_slash = series.str.fullmatch(r"\d{2,3}[/.-]\d{1,2}[/.-]\d{1,2}")
    if roc_slash.any():
        parts = series[roc_slash].str.split(r"[/.-]", regex=True, expand=True).astype("int64")
        frame = pd.DataFrame(
            {"year": parts[0] + ROC_YEAR_OFFSET, "month": parts[1], "day": parts[2]}
        )
        out[roc_slash] = pd.to_datetime(frame, errors="coerce")
    rest = ~digits & ~roc_slash & series.ne("")
    if rest.any():
        text = series[rest].str.replace("/", "-", regex=False).str.slice(0, 10)
        out[rest] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return out


def parse_clock_column(series: pd.Series, log: ProblemLog, column: str) -> pd.Series:
    """Times of day as minutes since midnight (``Int64``, NA when blank); bad cells logged."""
    uniques = pd.unique(series)
    lookup = {u: minutes_from_hhmm(u) if u else None for u in uniques}
    values = series.map(lookup)
    bad = values.isna() & ~blank(series)
    _log_mask(log, bad, series, column, "not a time of day; expected HH:MM")
    return values.astype("Int64")


def parse_window(text: str) -> tuple[int, int] | str | None:
    """Parse ``"08:00-12:00"`` (also ``~``, ``–``, ``至``) into minutes.

    Returns
    -------
    tuple[int, int] | None | str
        ``(start, end)``; ``None`` for blank; an error reason string when invalid.
    """
    if not text:
        return None
    parts = re.split(r"\s*(?:-|–|—|~|～|至|to)\s*", text.strip())
    if len(parts) != 2:
        return "expected a window like 08:00-12:00"
    start, end = minutes_from_hhmm(parts[0]), minutes_from_hhmm(parts[1])
    if start is None or end is None:
        return "expected a window like 08:00-12:00"
    if end <= start:
        return "window ends before it starts"
    return start, end


def date_of(value: pd.Timestamp) -> dt.date:
    """A pandas timestamp as a plain date."""
    return dt.date(value.year, value.month, value.day)


def _log_mask(
    log: ProblemLog, mask: pd.Series, series: pd.Series, column: str, reason: str
) -> None:
    if not mask.any():
        return
    positions = np.flatnonzero(mask.to_numpy(dtype=bool))
    log.add_many(reason, positions, column, series.to_numpy()[positions])
