"""The layering of the README, checked: SQL lives in the query/service layer only.

- Presentation and entry points (``cli``, ``reports``, ``widgets``, ``maps``, ``charts``)
  run no SQL: they import nothing from SQLAlchemy but a few names that run none, never
  the models, and call no ``execute``/``scalar(s)``. They read through
  ``luckygas.queries`` and the services (``plans``, ``staleness``, ``planning``...).
- The optimizer core (``luckygas.optimize``) knows nothing of the database: reading a day
  and saving a plan live in the bridge package beside it (``luckygas.bridge``).

A static scan (AST), so a violation is named with its file and line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "luckygas"

#: Folders and modules that present or drive, and must read through the query layer.
PRESENTATION = ("cli", "reports", "widgets", "maps", "charts")

#: SQLAlchemy names presentation may import: they parse URLs, name errors or type a
#: session/engine, and run no SQL.
HARMLESS_SQLALCHEMY = frozenset(
    {
        "sqlalchemy.Engine",
        "sqlalchemy.Connection",
        "sqlalchemy.engine.make_url",
        "sqlalchemy.exc",
        "sqlalchemy.orm.Session",
    }
)

#: Presentation modules allowed more than that, with the reason. Keep it short.
EXCEPTIONS: dict[str, str] = {}

#: Calls that run SQL on a session or connection (not ``query``: DataFrame.query is pandas).
SQL_CALLS = frozenset({"execute", "scalar", "scalars"})

#: Modules of ``luckygas/optimize`` allowed to reach the database: none (the bridge
#: package ``luckygas/bridge`` does it).
BRIDGE_MODULES: frozenset[str] = frozenset()


def _modules(*parts: str) -> list[Path]:
    paths: list[Path] = []
    for part in parts:
        folder, module = PACKAGE / part, PACKAGE / f"{part}.py"
        if folder.is_dir():
            paths += sorted(folder.rglob("*.py"))
        if module.is_file():
            paths.append(module)
    return paths


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, dotted name)`` of everything imported, ``from a import b`` as ``a.b``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def _is_db(name: str) -> bool:
    return name.split(".")[0] == "sqlalchemy" or name.startswith("luckygas.models")


def _harmless(name: str) -> bool:
    return any(name == ok or name.startswith(f"{ok}.") for ok in HARMLESS_SQLALCHEMY)


def presentation_violations(source: str, where: str) -> list[str]:
    """What in ``source`` runs or builds SQL (empty when it reads through the query layer)."""
    tree = ast.parse(source)
    found = [
        f"{where}:{line} imports {name}"
        for line, name in _imports(tree)
        if _is_db(name) and not _harmless(name)
    ]
    found += [
        f"{where}:{node.lineno} calls .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
    ]
    return found


def core_violations(source: str, where: str) -> list[str]:
    """Imports of SQLAlchemy or the models in ``source``."""
    return [
        f"{where}:{line} imports {name}"
        for line, name in _imports(ast.parse(source))
        if _is_db(name)
    ]


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_presentation_runs_no_sql():
    """cli, reports, widgets, maps and charts read through queries.py and the services."""
    paths = _modules(*PRESENTATION)
    assert len(paths) > 20, "the scan found too few modules: has the layout changed?"
    found = [
        v
        for path in paths
        if _rel(path) not in EXCEPTIONS
        for v in presentation_violations(path.read_text(encoding="utf-8"), _rel(path))
    ]
    assert not found, "SQL outside the query layer (move it to luckygas/queries.py):\n" + "\n".join(
        found
    )


def test_exceptions_are_still_needed():
    """An exception whose module is clean (or gone) is removed from the list."""
    stale = [
        name
        for name in EXCEPTIONS
        if not (PACKAGE.parent / name).is_file()
        or not presentation_violations((PACKAGE.parent / name).read_text(encoding="utf-8"), name)
    ]
    assert not stale


def test_optimizer_core_knows_nothing_of_the_database():
    """No module of luckygas/optimize but the bridge imports SQLAlchemy or the models."""
    paths = [p for p in _modules("optimize") if p.name not in BRIDGE_MODULES]
    assert any(p.name == "solver.py" for p in paths)
    found = [v for p in paths for v in core_violations(p.read_text(encoding="utf-8"), _rel(p))]
    assert not found, "\n".join(found)


def test_importing_the_optimizer_core_loads_no_database_code():
    """Transitively too: importing every core module leaves sqlalchemy unimported."""
    names = [
        f"luckygas.optimize.{p.stem}"
        for p in _modules("optimize")
        if p.name not in BRIDGE_MODULES and p.stem != "__init__"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' "
        "or m == 'luckygas.models'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import select\n",
        "import sqlalchemy as sa\n",
        "def f():\n    from sqlalchemy import text\n",
        "from luckygas import models as m\n",
        "from luckygas.models import Plan\n",
        "session.execute(stmt)\n",
        "n = conn.scalar(stmt)\n",
    ],
)
def test_the_scan_catches_sql(source):
    """The scan itself can fail: each of these is reported."""
    assert presentation_violations(source, "x.py")


def test_the_scan_lets_harmless_names_through():
    """URL parsing, error classes and session types are not SQL."""
    source = (
        "from sqlalchemy.engine import make_url\n"
        "from sqlalchemy.exc import OperationalError\n"
        "from sqlalchemy.orm import Session\n"
        "from sqlalchemy import Engine\n"
        "from luckygas import queries\n"
        "queries.plans(session)\n"
    )
    assert presentation_violations(source, "x.py") == []
