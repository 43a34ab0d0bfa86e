"""Blank English-header templates for people without Lucky Gas's own workbook."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Literal

import pandas as pd

from luckygas.importers import layouts as L
from luckygas.importers.history import HISTORY_TEMPLATE_COLUMNS
from luckygas.outputs import check_output_path, write_text, write_xlsx

Kind = Literal["customers", "orders", "history"]

_HISTORY_HELP: dict[str, str] = {
    "date": "delivery date YYYY-MM-DD or ROC YYYMMDD (1131205)",
    "time": "time of day HH:MM",
    "driver": "driver or salesperson",
    "customer_code": "7-digit customer code",
    "residual_kg": "residual gas in the returned cylinders, kg",
    "flow_kg": "kg billed through a flow meter",
}


def template_columns(kind: Kind) -> list[L.TemplateColumn]:
    """The template's columns with whether they are required and what goes in them."""
    if kind == "customers":
        return list(L.CUSTOMER_TEMPLATE)
    if kind == "orders":
        return list(L.ORDER_TEMPLATE)
    if kind == "history":
        out = []
        for name in HISTORY_TEMPLATE_COLUMNS:
            if name.startswith("qty_"):
                help_text = f"full {name[4:-2]} kg cylinders delivered"
            elif name.startswith("ret_"):
                help_text = f"empty {name[4:-2]} kg cylinders taken back"
            else:
                help_text = _HISTORY_HELP[name]
            out.append(L.TemplateColumn(name, name in ("date", "customer_code"), help_text))
        return out
    raise ValueError(f"unknown template {kind!r}; expected customers, orders or history")


def write_template(kind: Kind, path: str | os.PathLike[str] | None = None) -> str:
    """Write the blank template for ``kind``.

    Parameters
    ----------
    kind
        ``"customers"``, ``"orders"`` or ``"history"``.
    path
        ``.csv`` (header row only, UTF-8 with BOM so Excel shows it right) or ``.xlsx``
        (the header row, plus a ``help`` sheet describing every column). ``None`` returns
        the CSV text without writing. Any other suffix, or the configured database,
        is refused (:class:`luckygas.outputs.OutputPathError`); the file is written
        atomically.

    Returns
    -------
    str
        The CSV text (for ``.csv`` or ``None``), else the path written.
    """
    columns = template_columns(kind)
    header = pd.DataFrame(columns=[c.name for c in columns])
    if path is not None:
        check_output_path(path, (".csv", ".xlsx"))
    if path is None or Path(path).suffix.lower() == ".csv":
        buffer = io.StringIO()
        header.to_csv(buffer, index=False)
        text = buffer.getvalue()
        if path is not None:
            # The BOM makes Excel show the text as UTF-8; the header holds no data cells.
            write_text("\ufeff" + text, path, (".csv",))
        return text
    help_frame = pd.DataFrame(
        {
            "column": [c.name for c in columns],
            "required": ["yes" if c.required else "" for c in columns],
            "what to write": [c.help for c in columns],
            "example": [c.example for c in columns],
        }
    )
    write_xlsx({kind: header, "help": help_frame}, path)
    return str(path)
