"""Column alignment for terminal text that mixes Chinese and Latin characters.

A Chinese character takes two columns in a terminal, so ``f"{name:<12}"`` misaligns
tables of customer and vehicle names; :func:`pad` counts display columns instead.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Terminal columns ``text`` occupies (wide and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned and padded with spaces to ``width`` display columns."""
    return text + " " * max(width - display_width(text), 0)
