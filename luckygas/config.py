"""Where the database is and who is working: resolved from arguments, then the environment."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

#: The project's ``data/`` folder (beside the package in a source checkout).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: The embedded default database: one SQLite file the analysts' notebooks share.
DEFAULT_DB_PATH = DATA_DIR / "luckygas.sqlite"

DATABASE_URL_ENV = "LUCKYGAS_DATABASE_URL"
USER_ENV = "LUCKYGAS_USER"


def resolve_database_url(url: str | None = None) -> str:
    """Return the database URL to use.

    Parameters
    ----------
    url
        An explicit URL (wins), e.g. ``"sqlite:///plan.sqlite"`` or
        ``"postgresql+psycopg://user@host/luckygas"``.

    Returns
    -------
    str
        ``url``, else ``$LUCKYGAS_DATABASE_URL``, else the embedded SQLite file
        under ``data/``; a ``postgres://`` URL is returned as ``postgresql+psycopg://``
        (see :func:`normalize_database_url`).
    """
    if url:
        return normalize_database_url(url)
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return normalize_database_url(env)
    return f"sqlite:///{DEFAULT_DB_PATH}"


def normalize_database_url(url: str) -> str:
    """Spell a PostgreSQL URL the way SQLAlchemy and the installed driver take it.

    Hosting providers (Heroku, Render, Fly.io, ...) hand out ``postgres://user:pw@host/db``;
    SQLAlchemy has not accepted the ``postgres`` name since 1.4, and the driver luckygas
    installs is psycopg 3. So ``postgres://`` and ``postgres+DRIVER://`` become
    ``postgresql+psycopg://`` and ``postgresql+DRIVER://``; the rest of the URL (user,
    password, host, query) is kept character for character. Other URLs are unchanged.

    Parameters
    ----------
    url
        A database URL as given.

    Returns
    -------
    str
        The URL to hand to SQLAlchemy.
    """
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    name, plus, driver = scheme.partition("+")
    if name.lower() != "postgres":
        return text
    return f"postgresql+{driver if plus else 'psycopg'}://{rest}"


def current_user(explicit: str | None = None) -> str:
    """Return who is doing the work: ``explicit``, else ``$LUCKYGAS_USER``, else the OS login."""
    if explicit:
        return explicit
    env = os.environ.get(USER_ENV, "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"
