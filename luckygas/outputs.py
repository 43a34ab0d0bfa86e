"""Safe output files: formulas neutralised, the database never overwritten, atomic writes.

Every spreadsheet and CSV the project writes goes through this module, because a file
that leaves the workbench is opened in Excel or LibreOffice, where

- a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in CSV, a tab or carriage
  return before them) is evaluated as a formula: a customer named
  ``=HYPERLINK("http://x","y")`` becomes a live link or worse (CSV/formula injection);
- a mistyped output path can be the database itself (``export-customers
  data/luckygas.sqlite`` once replaced the database with a workbook);
- a crash half-way leaves a truncated file under the real name.

So: xlsx text is always written as text (xlsxwriter ``strings_to_formulas=False``), CSV
string cells that could start a formula get a leading ``'`` (numbers, including
negative ones, stay numbers), output paths are checked by :func:`check_output_path`,
and files are written under a temporary name in the same folder and renamed
(:func:`atomic_output`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet treat a cell as a formula (OWASP's list).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: xlsxwriter workbook options: text stays text, URLs stay text, NaN is an error cell.
XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


class OutputPathError(ValueError):
    """An output path that must not be written (wrong suffix, the database itself).

    A ``ValueError``, so the command line prints it as one line.
    """


def neutralise_cell(value: Any) -> Any:
    """Make one CSV cell inert: a string that could start a formula gets a leading ``'``.

    Parameters
    ----------
    value
        Any cell value. Only ``str`` values are changed; numbers (``-2``) are not text
        and are never evaluated as formulas, so they stay numbers.

    Returns
    -------
    Any
        ``"'=SUM(A1)"`` for ``"=SUM(A1)"``; every other value unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose string cells and column names are safe in a CSV.

    Parameters
    ----------
    frame
        Any frame; numeric columns are left as they are.

    Returns
    -------
    pandas.DataFrame
        A new frame (``frame`` is not modified).
    """
    out = frame.copy()
    for col in out.columns:
        # Only object/string columns can hold text; a float column of -2.5 stays numbers.
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise_cell).astype(object)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def _sqlite_file(database_url: str | None) -> Path | None:
    """The file of a SQLite URL (the configured one for ``None``); ``None`` otherwise."""
    from sqlalchemy.engine import make_url

    from luckygas.config import resolve_database_url

    try:
        url = make_url(resolve_database_url(database_url))
    except Exception:  # a malformed URL is reported by whoever opens the database
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return Path(url.database.removeprefix("file:").split("?", 1)[0])
    return Path(url.database)


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_output_path(
    path: str | os.PathLike[str],
    suffixes: Iterable[str],
    *,
    database_url: str | None = None,
) -> Path:
    """Check that ``path`` may be written: the right suffix and not the database.

    Parameters
    ----------
    path
        The file about to be written.
    suffixes
        Allowed suffixes, lower case with the dot (``(".xlsx",)``).
    database_url
        The database in use; ``None`` means the configured one
        (:func:`luckygas.config.resolve_database_url`). Its SQLite file (and the
        ``-wal``/``-shm``/``-journal`` files beside it) are refused.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputPathError
        One line naming the path and what is wrong.
    """
    out = Path(path)
    # The database first: "is the database" says more than "must end in .xlsx".
    db = _sqlite_file(database_url)
    if db is not None:
        guarded = [db, *(Path(f"{db}{tail}") for tail in ("-wal", "-shm", "-journal"))]
        if any(_same_file(out, g) for g in guarded):
            raise OutputPathError(f"{out} is the database; choose another output file")
    allowed = tuple(s.lower() for s in suffixes)
    if out.suffix.lower() not in allowed:
        want = " or ".join(allowed)
        raise OutputPathError(f"{out}: the output file must end in {want}")
    if out.is_dir():
        raise OutputPathError(f"{out} is a folder; give a file name")
    return out


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file is in the same folder (a rename within one file system is
    atomic) and keeps the suffix, so writers that look at it still see ``.xlsx``. On
    an error it is removed and ``path`` keeps its previous content.

    Parameters
    ----------
    path
        The final file; its folder is created if missing.

    Yields
    ------
    pathlib.Path
        Where to write.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temporary(final)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _new_temporary(final: Path) -> Path:
    """Create an empty, unused ``.<stem>.<random>.tmp<suffix>`` beside ``final``.

    Created with mode 0o666 so the umask applies and the renamed output gets the
    usual permissions (``tempfile.mkstemp`` makes 0o600 files, and changing the
    process umask to read it is not thread-safe in a notebook kernel).
    """
    for _ in range(100):
        tmp = final.with_name(f".{final.stem}.{secrets.token_hex(4)}.tmp{final.suffix}")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {final}")


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    database_url: str | None = None,
    encoding: str = "utf-8-sig",
) -> Path:
    """Write ``frame`` as CSV with formulas neutralised, checked and atomically.

    Parameters
    ----------
    frame
        The rows (no index is written).
    path
        A ``.csv`` file.
    database_url
        The database in use, refused as output (see :func:`check_output_path`).
    encoding
        ``utf-8-sig`` by default: the BOM makes Excel show Chinese text right.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    out = check_output_path(path, (".csv",), database_url=database_url)
    with atomic_output(out) as tmp:
        neutralise_frame(frame).to_csv(tmp, index=False, encoding=encoding)
    return out


def write_xlsx(
    sheets: dict[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    database_url: str | None = None,
) -> Path:
    """Write frames to an ``.xlsx`` workbook, one sheet each, text always as text.

    Parameters
    ----------
    sheets
        ``{sheet name: frame}`` in sheet order (no index is written).
    path
        A ``.xlsx`` file.
    database_url
        The database in use, refused as output (see :func:`check_output_path`).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    out = check_output_path(path, (".xlsx",), database_url=database_url)
    options = {"options": XLSX_OPTIONS}
    with (
        atomic_output(out) as tmp,
        pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs=options) as w,
    ):
        for name, frame in sheets.items():
            frame.to_excel(w, sheet_name=name, index=False)
    return out


def write_text(
    text: str,
    path: str | os.PathLike[str],
    suffixes: Iterable[str] = (".html",),
    *,
    database_url: str | None = None,
) -> Path:
    """Write a text file (an HTML report or sheet), checked and atomically, as UTF-8.

    Parameters
    ----------
    text
        The content.
    path
        The file; its suffix must be one of ``suffixes``.
    suffixes
        Allowed suffixes (default ``.html``).
    database_url
        The database in use, refused as output (see :func:`check_output_path`).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    out = check_output_path(path, suffixes, database_url=database_url)
    with atomic_output(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out
