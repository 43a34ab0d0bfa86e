"""Redaction of personal data for reports shared outside the company.

What a redacted output keeps, column by column (:func:`redact_frame`):

- names keep their first character (enough for a manager to recognise "王**" among a
  handful of stops);
- phone numbers keep their first two and last three digits;
- addresses keep the road (``臺東市中華路一段``), else the district, never a number;
- customer codes and free-text notes are removed (codes identify a customer in every
  other file of the company; notes say anything: a gate code, a person's name);
- coordinates are rounded to :data:`COORDINATE_DECIMALS` decimals (~100 m), so a stop
  still lands in its neighbourhood on the map but not on a house.

A redacted report still reads like the real one but does not identify anybody. The map
and its embedded widget state are drawn from the same redacted frames, so nothing
exact reaches the HTML by another path.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

#: Columns holding a person's or business's name, masked with :func:`mask_name`.
NAME_COLUMNS: tuple[str, ...] = ("customer_name", "driver_name", "short_name")
#: Columns holding a phone number, masked with :func:`mask_phone`.
PHONE_COLUMNS: tuple[str, ...] = ("phone", "driver_phone")
#: Columns holding a postal address, cut to the road by :func:`mask_address`.
ADDRESS_COLUMNS: tuple[str, ...] = ("address",)
#: Columns removed outright (emptied): customer codes and free text.
REMOVED_COLUMNS: tuple[str, ...] = ("customer_code", "code", "notes", "invoice_title", "tax_id")
#: Coordinate columns, rounded by :func:`round_coordinate`.
COORDINATE_COLUMNS: tuple[str, ...] = ("lat", "lng")
#: Decimals kept of a coordinate: 0.001° is ~111 m north-south, ~100 m east-west here.
COORDINATE_DECIMALS = 3

_KEEP_HEAD_DIGITS = 2
_KEEP_TAIL_DIGITS = 3
# A road (路/街/大道, with its 段 if written in Chinese numerals) before any digit.
_ROAD = re.compile(r"^([^\d０-９]*?(?:路|街|大道)(?:[一二三四五六七八九十]+段)?)")
# Otherwise the last county/town/district name before any digit.
_DISTRICT = re.compile(r"^([^\d０-９]*(?:縣|市|鄉|鎮|區))")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def mask_name(name: Any) -> Any:
    """Keep the first character of a name and replace the rest with ``*``.

    Parameters
    ----------
    name
        A name such as ``"王小明"``; blanks (``None``, NaN, ``""``) are returned unchanged.

    Returns
    -------
    str
        ``"王**"``; a one-character name becomes ``"王*"`` so it still looks masked.
    """
    if _is_blank(name):
        return name
    text = str(name).strip()
    return text[0] + "*" * max(1, len(text) - 1)


def mask_phone(phone: Any) -> Any:
    """Mask the middle digits of a phone number, keeping its punctuation.

    Parameters
    ----------
    phone
        E.g. ``"0912-345-678"``; blanks are returned unchanged.

    Returns
    -------
    str
        ``"09**-***-678"``. Numbers with five digits or fewer are masked entirely, since
        keeping five digits of them would reveal the number.
    """
    if _is_blank(phone):
        return phone
    text = str(phone)
    n_digits = sum(ch.isdigit() for ch in text)
    keep_all_masked = n_digits <= _KEEP_HEAD_DIGITS + _KEEP_TAIL_DIGITS
    out, seen = [], 0
    for ch in text:
        if not ch.isdigit():
            out.append(ch)
            continue
        seen += 1
        visible = seen <= _KEEP_HEAD_DIGITS or seen > n_digits - _KEEP_TAIL_DIGITS
        out.append(ch if visible and not keep_all_masked else "*")
    return "".join(out)


def mask_address(address: Any) -> Any:
    """Cut an address to its road (or, without a road, its district): no house number.

    Parameters
    ----------
    address
        E.g. ``"臺東市中華路一段123巷4號"``; blanks are returned unchanged.

    Returns
    -------
    str
        ``"臺東市中華路一段"``; ``"臺東縣卑南鄉"`` for ``"臺東縣卑南鄉初鹿村1鄰12號"``;
        ``""`` when neither a road nor a district can be recognised (nothing of an
        unknown format is kept).
    """
    if _is_blank(address):
        return address
    text = str(address).strip()
    for pattern in (_ROAD, _DISTRICT):
        found = pattern.match(text)
        if found:
            return found.group(1).strip()
    return ""


def remove_text(value: Any) -> Any:
    """Remove a code or note entirely (blanks stay blank)."""
    return value if _is_blank(value) else ""


def round_coordinate(value: Any) -> Any:
    """Round a latitude or longitude to :data:`COORDINATE_DECIMALS` decimals (~100 m).

    Parameters
    ----------
    value
        Degrees; ``None``/NaN are returned unchanged.

    Returns
    -------
    float
    """
    if value is None or pd.isna(value):
        return value
    return round(float(value), COORDINATE_DECIMALS)


def redact_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every known personal column redacted.

    Parameters
    ----------
    df
        Any frame; only the columns of :data:`NAME_COLUMNS`, :data:`PHONE_COLUMNS`,
        :data:`ADDRESS_COLUMNS`, :data:`REMOVED_COLUMNS` and
        :data:`COORDINATE_COLUMNS` that it has are touched.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``df`` is not modified.
    """
    out = df.copy()
    for col in NAME_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(mask_name).astype(object)
    for col in PHONE_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(mask_phone).astype(object)
    for col in ADDRESS_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(mask_address).astype(object)
    for col in REMOVED_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(remove_text).astype(object)
    for col in COORDINATE_COLUMNS:
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").round(COORDINATE_DECIMALS)
    return out
