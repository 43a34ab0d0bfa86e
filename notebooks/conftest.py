"""Run the notebooks as tests (nbval) against a throw-away copy of the database.

Usage (a separate step from the unit tests)::

    pytest --nbval-lax --nbval-current-env \
        --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider notebooks/

The notebooks save and publish plans. So that a test run never changes the analyst's
workbench, a SQLite database (``$LUCKYGAS_DATABASE_URL`` or ``data/luckygas.sqlite``) is
copied to a temporary file first and the kernels are pointed at the copy through the
environment, which ``--nbval-current-env`` kernels inherit. Other databases (PostgreSQL)
are used as they are. A missing database stops the run with instructions instead of
failing every cell.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from luckygas.config import DATABASE_URL_ENV, resolve_database_url

# Jupyter's autosaves, and anything that is not a notebook, are not tests here.
collect_ignore_glob = ["**/.ipynb_checkpoints/*", "*.py"]

_TMP: dict[str, Path] = {}


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix) :])


def pytest_configure(config: pytest.Config) -> None:
    """Point the notebook kernels at a fresh copy of the SQLite database."""
    if not config.getoption("nbval_lax", default=False) and not config.getoption(
        "nbval", default=False
    ):
        return
    url = resolve_database_url()
    path = _sqlite_path(url)
    if path is None:
        return
    if not path.exists():
        raise pytest.UsageError(
            f"The notebooks need a database and {path} does not exist: build one with "
            f"`luckygas demo-data` or set {DATABASE_URL_ENV}."
        )
    tmp = Path(tempfile.mkdtemp(prefix="luckygas-nbval-"))
    copy = tmp / path.name
    # The backup API copies a consistent snapshot even while WAL pages are pending.
    with sqlite3.connect(path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    _TMP["dir"] = tmp
    os.environ[DATABASE_URL_ENV] = f"sqlite:///{copy}"


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the database copy."""
    tmp = _TMP.pop("dir", None)
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
