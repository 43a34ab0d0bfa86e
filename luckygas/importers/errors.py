"""Import problems: one row per bad cell, all collected before anything is written.

A problem is an **error** (nothing is imported) or, in a column the workbench does not
rely on (:class:`luckygas.importers.layouts.Role`), a **warning**: the import goes on and
the warning says what was done with the cell (:data:`STORED_EMPTY`, :data:`VALUE_KEPT`,
...). Errors and warnings are listed in one table; ``strict`` makes every warning an error.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, SupportsIndex

import numpy as np
import pandas as pd

Severity = Literal["error", "warning"]

#: What was done with a warned cell: read as if it were blank (a number or word the
#: workbench could not use is not guessed at).
STORED_EMPTY = "stored empty"
#: What was done with a warned cell: stored as written.
VALUE_KEPT = "value kept"
#: The action shown when ``strict`` made a warning an error.
REFUSED_STRICT = "refused (--strict)"


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
    severity
        ``"error"`` (nothing is imported) or ``"warning"`` (imported anyway).
    action
        For a warning, what was done with the cell (e.g. :data:`STORED_EMPTY`); ``""``
        for an error.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str
    reason: str
    severity: Severity = "error"
    action: str = ""

    @property
    def is_warning(self) -> bool:
        """True for a warning (imported anyway)."""
        return self.severity == "warning"

    def __str__(self) -> str:
        where = ("warning: " if self.is_warning else "") + self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" column {self.column!r}"
        value = f" (value {self.value!r})" if self.value else ""
        action = f"; {self.action}" if self.action else ""
        return f"{where}: {self.reason}{value}{action}"


PROBLEM_COLUMNS: tuple[str, ...] = (
    "severity",
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "reason",
    "action",
)


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
    always = ("severity", "file", "reason")
    keep = [c for c in shown.columns if c in always or (shown[c] != "").any()]
    return shown[keep]


class ImportFailed(Exception):
    """Validation found errors; nothing was written.

    Attributes
    ----------
    problems
        Every problem found, in file order: the errors and the warnings found with them
        (so the table the user fixes the file from is complete).
    """

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems: tuple[ImportProblem, ...] = tuple(problems)
        errors = self.errors or self.problems
        first = str(errors[0]) if errors else "no details"
        more = len(errors) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(f"{first}{suffix}; nothing was imported")

    @property
    def errors(self) -> tuple[ImportProblem, ...]:
        """The problems that refused the file (warnings left out)."""
        return tuple(p for p in self.problems if not p.is_warning)

    @property
    def warnings(self) -> tuple[ImportProblem, ...]:
        """The warnings found together with the errors."""
        return tuple(p for p in self.problems if p.is_warning)

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

    A problem in one of the ``lenient`` columns (derived or informational, see
    :func:`luckygas.importers.layouts.lenient_columns`) is recorded as a warning with the
    action the parser took; with ``strict`` it is an error like any other.
    """

    file: str
    sheet: str | None = None
    row_numbers: Sequence[int] | np.ndarray | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    lenient: frozenset[str] = frozenset()
    strict: bool = False
    # One problem per cell is enough: a #REF! cell need not also be reported as "not a number".
    _cells: set[tuple[int | None, str | None]] = field(default_factory=set)

    def add(
        self,
        reason: str,
        *,
        index: SupportsIndex | None = None,
        column: str | None = None,
        value: Any = "",
        action: str = STORED_EMPTY,
    ) -> None:
        """Record one problem; ``index`` is the 0-based data row (``None`` = whole file).

        ``index`` may be a NumPy integer (positions from ``np.flatnonzero``). ``action``
        says what the caller does with the cell when the problem is a warning (a
        ``lenient`` column); errors have none.
        """
        row = None if index is None else self.row_of(int(index))
        if row is not None and column is not None:
            if (row, column) in self._cells:
                return
            self._cells.add((row, column))
        problem = ImportProblem(self.file, self.sheet, row, column, short(value), reason)
        self.problems.append(self._graded(problem, action))

    def _graded(self, problem: ImportProblem, action: str) -> ImportProblem:
        """The problem as an error, or as a warning if its column is lenient."""
        if problem.column is None or problem.column not in self.lenient:
            return problem
        if self.strict:
            return replace(problem, severity="error", action=REFUSED_STRICT)
        return replace(problem, severity="warning", action=action)

    def row_of(self, index: int) -> int:
        """The spreadsheet row of data position ``index``."""
        if self.row_numbers is not None:
            return int(self.row_numbers[index])
        return index + 2

    def extend(self, problems: Iterable[ImportProblem]) -> None:
        """Take over problems found earlier (e.g. while reading the file).

        They are graded by this log's columns: a formula error in a lenient column is a
        warning, the cell having been read as blank.
        """
        for p in problems:
            if p.row is not None and p.column is not None:
                self._cells.add((p.row, p.column))
            self.problems.append(self._graded(p, STORED_EMPTY))

    def add_many(
        self,
        reason: str,
        indices: Iterable[int],
        column: str | None,
        values: Iterable[Any],
        action: str = STORED_EMPTY,
    ) -> None:
        """Record the same reason for several cells of one column."""
        for index, value in zip(indices, values, strict=True):
            self.add(reason, index=index, column=column, value=value, action=action)

    @property
    def errors(self) -> list[ImportProblem]:
        """The problems that refuse the file."""
        return [p for p in self.problems if not p.is_warning]

    @property
    def warnings(self) -> tuple[ImportProblem, ...]:
        """The problems imported anyway, each saying what was done with its cell."""
        return tuple(p for p in self.problems if p.is_warning)

    def raise_if_any(self) -> None:
        """Raise :class:`ImportFailed` if there is any error (with the warnings too)."""
        if self.errors:
            raise ImportFailed(self.problems)

    def __bool__(self) -> bool:
        # True when the file is refused: warnings alone do not stop an import.
        return any(not p.is_warning for p in self.problems)
