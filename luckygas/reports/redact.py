"""Masking of personal data for reports shared outside the company.

Names keep their first character (enough for a manager to recognise "王**" among a
handful of stops) and phone numbers keep their first two and last three digits, so a
redacted report still reads like the real one but does not identify anybody.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

#: Columns holding a person's or business's name, masked with :func:`mask_name`.
NAME_COLUMNS: tuple[str, ...] = ("customer_name", "driver_name")
#: Columns holding a phone number, masked with :func:`mask_phone`.
PHONE_COLUMNS: tuple[str, ...] = ("phone", "driver_phone")

_KEEP_HEAD_DIGITS = 2
_KEEP_TAIL_DIGITS = 3


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


def redact_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every known name and phone column masked.

    Parameters
    ----------
    df
        Any frame; only the columns in :data:`NAME_COLUMNS` and :data:`PHONE_COLUMNS`
        that it has are touched.

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
    return out
