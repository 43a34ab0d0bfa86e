"""Read CSV and Excel files into all-text tables, with the checks every import needs.

Every cell comes back as stripped text (``""`` for blank) so the importers validate one
representation whatever the file type: a 7-digit code typed in Excel arrives as the
number ``1400103.0`` and in a CSV as ``"1400103"``, and both become ``"1400103"``.

Checks done here, before any importer looks at a value:

* the file exists and is not larger than the size limit (:class:`ReadOptions`);
* text files decode as UTF-8, UTF-8 with BOM or cp950 (Big5, common in Taiwanese exports);
* the workbook has the expected sheet;
* the file is not empty and has data rows;
* no cell holds a spreadsheet formula error (``#REF!``, ``#DIV/0!``, ...).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

from luckygas.importers.errors import ImportFailed, ImportProblem, ProblemLog
from luckygas.importers.parsing import on_uniques

#: Environment variable overriding the default size limit, in MB.
MAX_MB_ENV = "LUCKYGAS_IMPORT_MAX_MB"

#: Default size limit. The real 350,000-row history is about 25 MB as CSV.
DEFAULT_MAX_MB = 40.0

#: Encodings tried in order. ``utf-8-sig`` also reads plain UTF-8 (the BOM is optional).
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp950")

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})

#: Cached results of broken spreadsheet formulas, as Excel and LibreOffice write them.
FORMULA_ERRORS: frozenset[str] = frozenset(
    {"#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)


def _default_max_bytes() -> int:
    raw = os.environ.get(MAX_MB_ENV, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read an input file.

    Parameters
    ----------
    sheet
        Worksheet to read from an Excel file; ``None`` means the importer's default.
    max_bytes
        Refuse files larger than this (default 40 MB, or ``$LUCKYGAS_IMPORT_MAX_MB``).
    """

    sheet: str | None = None
    max_bytes: int = field(default_factory=_default_max_bytes)


@dataclass(frozen=True, slots=True)
class Table:
    """An input file read as text.

    Attributes
    ----------
    frame
        One column per header (stripped), every cell stripped text, ``""`` when blank.
    file
        File name for problem reports.
    sheet
        Worksheet read, ``None`` for text files.
    encoding
        Encoding a text file was decoded with, ``None`` for Excel.
    problems
        Cell problems found while reading (formula errors); the importer reports them
        together with its own.
    """

    frame: pd.DataFrame
    file: str
    sheet: str | None
    encoding: str | None
    problems: tuple[ImportProblem, ...] = ()
    rows: np.ndarray | None = None

    def row_number(self, position: int) -> int:
        """The spreadsheet row of data position ``position`` (header = row 1)."""
        return int(self.rows[position]) if self.rows is not None else position + 2

    def row_numbers(self) -> np.ndarray:
        """Spreadsheet row of every data position."""
        return self.rows if self.rows is not None else np.arange(len(self.frame)) + 2

    def log(self, lenient: frozenset[str] = frozenset(), *, strict: bool = False) -> ProblemLog:
        """A problem log for this table, already holding the reading problems.

        Parameters
        ----------
        lenient
            Headers whose problems are warnings (see :class:`.errors.ProblemLog`).
        strict
            Make those warnings errors.
        """
        log = ProblemLog(
            self.file, self.sheet, row_numbers=self.row_numbers(), lenient=lenient, strict=strict
        )
        log.extend(self.problems)
        return log


def read_table(
    path: str | os.PathLike[str],
    *,
    default_sheets: Sequence[str] = (),
    options: ReadOptions | None = None,
) -> Table:
    """Read a CSV or Excel file as an all-text table.

    Parameters
    ----------
    path
        ``.csv``/``.txt``/``.tsv`` or ``.xlsx``/``.xlsm`` file.
    default_sheets
        Sheet names to look for when ``options.sheet`` is not given, in order; empty means
        the first sheet.
    options
        Sheet choice and size limit.

    Returns
    -------
    Table
        The text table (cells with formula errors are blanked and listed in ``problems``).

    Raises
    ------
    ImportFailed
        When the file cannot be read at all: missing, too large, empty, undecodable,
        not a workbook, or without the expected sheet.
    """
    options = options or ReadOptions()
    path = Path(path)
    log = ProblemLog(path.name)
    if not path.is_file():
        log.add(f"file not found: {path}")
        log.raise_if_any()
    size = path.stat().st_size
    if size > options.max_bytes:
        log.add(
            f"file is {size / 2**20:.1f} MB, over the import limit of "
            f"{options.max_bytes / 2**20:.0f} MB; split the file or raise the limit "
            f"(--max-mb, ReadOptions(max_bytes=...) or ${MAX_MB_ENV})"
        )
        log.raise_if_any()
    if size == 0:
        log.add("file is empty")
        log.raise_if_any()
    suffix = path.suffix.lower()
    sheet: str | None = None
    encoding: str | None = None
    if suffix in TEXT_SUFFIXES:
        frame, encoding = _read_text(path, log)
    elif suffix in EXCEL_SUFFIXES:
        frame, sheet = _read_excel(path, log, options.sheet, default_sheets)
        log.sheet = sheet
    else:
        log.add(f"unsupported file type {suffix or '(none)'}; use .csv or .xlsx")
        log.raise_if_any()
    # Fully blank rows are dropped, remembering each kept row's spreadsheet number.
    # A file with rows but no columns (b"\n\x00") keeps none of them.
    keep = frame.ne("").any(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    rows = (np.arange(len(frame)) + 2)[keep]
    frame = frame[keep].reset_index(drop=True)
    if len(frame.columns) == 0:
        log.add("file has no header row")
    elif frame.empty:
        log.add("file has a header row but no data rows")
    log.raise_if_any()
    log.row_numbers = rows
    frame = _blank_formula_errors(frame, log)
    return Table(frame, path.name, sheet, encoding, tuple(log.problems), rows)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else cp950.

    Returns
    -------
    tuple[str, str]
        The text and the encoding used.

    Raises
    ------
    UnicodeDecodeError
        When no encoding in :data:`TEXT_ENCODINGS` fits.
    """
    error: UnicodeDecodeError | None = None
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            error = error or exc
    assert error is not None
    raise error


def _read_text(path: Path, log: ProblemLog) -> tuple[pd.DataFrame, str]:
    data = path.read_bytes()
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError as exc:
        log.add(
            "file is not text in UTF-8, UTF-8 with BOM or cp950/Big5 "
            f"(undecodable byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it again as 'CSV UTF-8'"
        )
        log.raise_if_any()
        raise AssertionError from exc  # unreachable
    if not text.strip():
        log.add("file is empty")
        log.raise_if_any()
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,  # keep positions = spreadsheet rows; blank rows dropped later
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        log.add(f"cannot read as CSV: {exc}")
        log.raise_if_any()
        raise AssertionError from exc  # unreachable
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda s: on_uniques(s, _csv_cell_text))
    return frame, encoding


#: A leading ``'`` that :func:`luckygas.outputs.neutralise_cell` put before a formula character.
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


def _csv_cell_text(cells: pd.Series) -> pd.Series:
    """CSV cells as typed: trimmed, and without the one ``'`` our CSV exports put before
    ``= + - @`` (formula safety), so an exported file imports back unchanged."""
    return cells.str.strip().str.replace(_FORMULA_GUARD, "", regex=True).str.strip()


def _read_excel(
    path: Path, log: ProblemLog, sheet: str | None, default_sheets: Sequence[str]
) -> tuple[pd.DataFrame, str]:
    # openpyxl directly, not pandas.read_excel: pandas turns error cells (#REF!) into NaN,
    # and those must be reported, not silently read as blank.
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        log.add(f"not a readable Excel workbook ({type(exc).__name__}: {exc})")
        log.raise_if_any()
        raise AssertionError from exc  # unreachable
    try:
        chosen = _choose_sheet(list(book.sheetnames), sheet, default_sheets, log)
        log.raise_if_any()
        values = list(book[chosen].iter_rows(values_only=True))
    finally:
        book.close()
    if not values:
        log.add(f"sheet {chosen!r} is empty")
        log.raise_if_any()
    width = max(len(r) for r in values)
    header = [cell_text(v) for v in values[0]] + [""] * (width - len(values[0]))
    columns = _header_names(header)
    body = [[cell_text(v) for v in r] + [""] * (width - len(r)) for r in values[1:]]
    frame = pd.DataFrame(body, columns=columns, dtype=object)
    # Trailing columns with neither header nor data are formatting leftovers.
    unused = [c for c, h in zip(columns, header, strict=True) if not h and frame[c].eq("").all()]
    return frame.drop(columns=unused), chosen


def _header_names(header: list[str]) -> list[str]:
    """Header cells as pandas names them: blank -> ``Unnamed: i``, repeats -> ``name.1``."""
    seen: dict[str, int] = {}
    names = []
    for i, text in enumerate(header):
        name = text or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _choose_sheet(
    names: list[str], sheet: str | None, default_sheets: Sequence[str], log: ProblemLog
) -> str:
    listing = ", ".join(repr(n) for n in names)
    if sheet is not None:
        if sheet not in names:
            log.add(f"sheet {sheet!r} not found; the workbook has {listing}")
        return sheet
    if not default_sheets:
        return names[0]
    for name in default_sheets:
        if name in names:
            return name
    wanted = " or ".join(repr(n) for n in default_sheets)
    log.add(f"sheet {wanted} not found; the workbook has {listing} (choose one with --sheet)")
    return ""


def cell_text(value: Any) -> str:
    """One Excel cell as the text a person would type (``1400103.0`` -> ``"1400103"``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if value is pd.NaT:
        return ""
    return str(value).strip()


def _blank_formula_errors(frame: pd.DataFrame, log: ProblemLog) -> pd.DataFrame:
    """Report and blank cells holding formula errors (vectorised: one ``isin`` per column)."""
    errors = list(FORMULA_ERRORS)
    for column in frame.columns:
        mask = frame[column].isin(errors)
        if mask.any():
            idx = mask.to_numpy().nonzero()[0]
            log.add_many(
                "formula error in the spreadsheet; fix the formula or paste values",
                idx,
                column,
                frame[column].to_numpy()[idx],
            )
            frame.loc[mask, column] = ""
    return frame


def require_columns(
    table: Table, required: Sequence[str], log: ProblemLog, *, hint: str = ""
) -> list[str]:
    """Record a problem for each required header the table lacks; return those headers."""
    have = set(table.frame.columns)
    missing = [name for name in required if name not in have]
    extra = f"; {hint}" if hint else ""
    for name in missing:
        log.add(f"missing column {name!r}{extra}", column=name)
    return missing


def rename_columns(frame: pd.DataFrame, aliases: dict[str, str], log: ProblemLog) -> pd.DataFrame:
    """Rename accepted header aliases to our names, logging a field given twice.

    Parameters
    ----------
    frame
        The file's table.
    aliases
        Header as a file may spell it -> our column name (e.g. ``日期`` -> ``date``).
    log
        Where a problem goes when two headers give one field (``date`` and ``日期``): which
        one is meant cannot be guessed, and two columns of one name would break parsing.

    Returns
    -------
    pandas.DataFrame
        A copy with the renamed columns; the caller raises the log before using them.
    """
    renamed = [aliases.get(str(c), str(c)) for c in frame.columns]
    first: dict[str, str] = {}
    for original, name in zip(frame.columns, renamed, strict=True):
        if name in first:
            # A file-level error (no column): a lenient column's problems are only warnings.
            log.add(f"columns {first[name]!r} and {original!r} both give {name}; keep one")
        else:
            first[name] = str(original)
    out = frame.copy()
    out.columns = renamed
    return out


__all__ = [
    "DEFAULT_MAX_MB",
    "FORMULA_ERRORS",
    "TEXT_ENCODINGS",
    "ImportFailed",
    "ReadOptions",
    "Table",
    "cell_text",
    "decode_text",
    "read_table",
    "rename_columns",
    "require_columns",
]
