"""What an import did (or, in a dry run, would do): one row per input row, plus counts."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from luckygas.importers.errors import ImportProblem, display_problems

#: Every action a report row can have, in display order.
ACTIONS: tuple[str, ...] = ("added", "updated", "unchanged", "skipped")

#: Columns of :attr:`ImportReport.rows`.
REPORT_COLUMNS: tuple[str, ...] = ("row", "key", "action", "changes", "warnings")


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one import.

    Attributes
    ----------
    kind
        ``"customers"``, ``"orders"``, ``"history"`` or ``"coordinates"``.
    file
        Input file name.
    dry_run
        True when nothing was written (the report says what *would* happen).
    rows
        One row per input row: ``row`` (spreadsheet row number), ``key`` (customer code
        or similar), ``action`` (one of :data:`ACTIONS`), ``changes`` (``field: old -> new``
        pairs separated by ``; ``, empty unless updated) and ``warnings`` (things imported
        but worth a look, e.g. ``no coordinates``).
    notes
        File-level remarks (e.g. optional columns that were absent).
    problems
        Cell warnings: problems in columns the workbench does not rely on (statistics the
        old system computed, free text, billing words), imported anyway; each names the
        row, column, value and what was done with the cell (see
        :class:`luckygas.importers.layouts.Role`).
    """

    kind: str
    file: str
    dry_run: bool
    rows: pd.DataFrame
    notes: tuple[str, ...] = ()
    problems: tuple[ImportProblem, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """Rows per action, every action present (0 when none)."""
        found = self.rows["action"].value_counts() if len(self.rows) else {}
        return {a: int(found.get(a, 0)) for a in ACTIONS}

    @property
    def added(self) -> int:
        """Rows added (or that would be)."""
        return self.counts["added"]

    @property
    def updated(self) -> int:
        """Rows updated (or that would be)."""
        return self.counts["updated"]

    @property
    def unchanged(self) -> int:
        """Rows already in the database exactly as in the file."""
        return self.counts["unchanged"]

    @property
    def skipped(self) -> int:
        """Rows deliberately not imported (e.g. history of unknown customers when allowed)."""
        return self.counts["skipped"]

    @property
    def changed(self) -> pd.DataFrame:
        """Only the rows that are (or would be) added or updated."""
        return self.rows[self.rows["action"].isin(["added", "updated"])]

    @property
    def warnings(self) -> pd.DataFrame:
        """Only the rows with warnings."""
        return self.rows[self.rows["warnings"].astype(str) != ""]

    def problem_frame(self) -> pd.DataFrame:
        """The cell warnings as a table to print, like an import's errors."""
        return display_problems(self.problems)

    def summary(self) -> str:
        """One line for people: counts, and whether anything was written."""
        counts = self.counts
        parts = [f"{counts[a]:,} {a}" for a in ACTIONS if counts[a] or a != "skipped"]
        prefix = "DRY RUN, nothing written: would be " if self.dry_run else ""
        text = f"{self.kind} from {self.file}: {prefix}" + ", ".join(parts)
        warned = len(self.warnings)
        if warned:
            text += f"; {warned:,} row{'s' if warned != 1 else ''} with warnings"
        cells = len(self.problems)
        if cells:
            text += f"; {cells:,} cell warning{'s' if cells != 1 else ''}"
        return text

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        head = f"<p><b>{html.escape(self.summary())}</b></p>"
        if notes:
            head += f"<ul>{notes}</ul>"
        if self.problems:
            head += self.problem_frame().head(200).to_html(index=False, escape=True)
        shown = self.changed if len(self.changed) else self.rows
        return head + shown.head(200).to_html(index=False, escape=True)


def empty_rows() -> pd.DataFrame:
    """An empty report table with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REPORT_COLUMNS})
