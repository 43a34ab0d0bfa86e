"""Import problems: one row per bad cell, all collected before anything is written."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, SupportsIndex

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with an input file.

    Parameters
    ----------
    file
        File name as the user gave it (no directory).
    sheet
        Worksheet name for Excel files, ``None`` for CSV.
    row
        The row number a person sees in the spreadsheet (header = 1), or ``None`` when the
        problem is about the whole file or a column.
    column
        Column header as spelled in the file, or ``None``.
    value
        The offending cell text (shortened), ``""`` when not about a cell.
    reason
        What is wrong and, where possible, what would be right.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" column {self.column!r}"
        value = f" (value {self.value!r})" if self.value else ""
        return f"{where}: {self.reason}{value}"


PROBLEM_COLUMNS: tuple[str, ...] = ("file", "sheet", "row", "column", "value", "reason")


def problems_frame(problems: Iterable[ImportProblem]) -> pd.DataFrame:
    """Problems as a DataFrame with columns :data:`PROBLEM_COLUMNS`, sorted by row."""
    frame = pd.DataFrame(
        [[getattr(p, c) for c in PROBLEM_COLUMNS] for p in problems], columns=list(PROBLEM_COLUMNS)
    )
    if frame.empty:
        return frame
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["row", "column"], na_position="first", kind="stable").reset_index(
        drop=True
    )


def display_problems(problems: Iterable[ImportProblem]) -> pd.DataFrame:
    """Problems as a table to print: blanks instead of ``None``/``<NA>``.

    Columns that are blank on every row (``sheet`` for CSV files, ``value`` when no cell
    is quoted) are left out, so the table shows only what helps find the problem.
    """
    frame = problems_frame(problems)
    if frame.empty:
        return frame
    shown = pd.DataFrame(
        {
            c: ["" if pd.isna(v) else str(v) for v in frame[c]]  # pd.isna covers None and <NA>
            for c in frame.columns
        }
    )
    keep = [c for c in shown.columns if c in ("file", "reason") or (shown[c] != "").any()]
    return shown[keep]


class ImportFailed(Exception):
    """Validation found problems; nothing was written.

    Attributes
    ----------
    problems
        Every problem found, in file order.
    """

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems: tuple[ImportProblem, ...] = tuple(problems)
        first = str(self.problems[0]) if self.problems else "no details"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(f"{first}{suffix}; nothing was imported")

    def frame(self) -> pd.DataFrame:
        """The problems as a table (see :func:`problems_frame`)."""
        return problems_frame(self.problems)

    @property
    def file_problems(self) -> tuple[ImportProblem, ...]:
        """Problems about the whole file (not found, unreadable, wrong sheet...)."""
        return tuple(p for p in self.problems if p.row is None and p.column is None)

    @property
    def cell_problems(self) -> tuple[ImportProblem, ...]:
        """Problems about a row, a column or a cell."""
        return tuple(p for p in self.problems if p.row is not None or p.column is not None)

    def lines(self) -> list[str]:
        """One line per file-level problem: ``file [sheet]: reason``."""
        return [str(p) for p in self.file_problems]

    def display_frame(self) -> pd.DataFrame:
        """Row/column problems for people (see :func:`display_problems`)."""
        return display_problems(self.cell_problems)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        head = "".join(f"<p><b>{html.escape(line)}</b></p>" for line in self.lines())
        table = self.display_frame()
        return head + (table.to_html(index=False, escape=True) if len(table) else "")


#: Longest cell text quoted back in a problem; enough to recognise, short enough to print.
MAX_VALUE_CHARS = 60


def short(value: Any) -> str:
    """Cell value as short text for a problem report."""
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@dataclass(slots=True)
class ProblemLog:
    """Collects problems for one file so validators can report everything at once.

    ``row_numbers[i]`` is the spreadsheet row a person sees for data position ``i`` (blank
    rows are dropped when reading, so positions and rows can differ); without it, the row
    is ``i + 2`` (header on row 1).
    """

    file: str
    sheet: str | None = None
    row_numbers: Sequence[int] | np.ndarray | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    # One problem per cell is enough: a #REF! cell need not also be reported as "not a number".
    _cells: set[tuple[int | None, str | None]] = field(default_factory=set)

    def add(
        self,
        reason: str,
        *,
        index: SupportsIndex | None = None,
        column: str | None = None,
        value: Any = "",
    ) -> None:
        """Record one problem; ``index`` is the 0-based data row (``None`` = whole file).

        ``index`` may be a NumPy integer (positions from ``np.flatnonzero``).
        """
        row = None if index is None else self.row_of(int(index))
        if row is not None and column is not None:
            if (row, column) in self._cells:
                return
            self._cells.add((row, column))
        self.problems.append(
            ImportProblem(self.file, self.sheet, row, column, short(value), reason)
        )

    def row_of(self, index: int) -> int:
        """The spreadsheet row of data position ``index``."""
        if self.row_numbers is not None:
            return int(self.row_numbers[index])
        return index + 2

    def extend(self, problems: Iterable[ImportProblem]) -> None:
        """Take over problems found earlier (e.g. while reading the file)."""
        for p in problems:
            if p.row is not None and p.column is not None:
                self._cells.add((p.row, p.column))
            self.problems.append(p)

    def add_many(
        self, reason: str, indices: Iterable[int], column: str | None, values: Iterable[Any]
    ) -> None:
        """Record the same reason for several cells of one column."""
        for index, value in zip(indices, values, strict=True):
            self.add(reason, index=index, column=column, value=value)

    def raise_if_any(self) -> None:
        """Raise :class:`ImportFailed` with everything collected so far."""
        if self.problems:
            raise ImportFailed(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
