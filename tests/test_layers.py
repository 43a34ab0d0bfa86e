"""The layering of the README, checked: SQL lives in the query/service layer only.

- Presentation and entry points (``cli``, ``reports``, ``widgets``, ``maps``, ``charts``)
  run no SQL: they import nothing from SQLAlchemy but a few names that run none, never
  the models, and call no ``execute``/``scalar(s)``. They read through
  ``luckygas.queries`` and the services (``plans``, ``staleness``, ``planning``...).
- The optimizer core (``luckygas.optimize``) knows nothing of the database: reading a day
  and saving a plan live in the bridge package beside it (``luckygas.bridge``).

Above both, the README's "How it is built" table is the layering itself: every module of
the package is in one row, and a module imports only from its own row and the rows above
it. The table is parsed and checked against every module's imports, so it cannot drift.

A static scan (AST), so a violation is named with its file and line.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "luckygas"
README = ROOT / "README.md"

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


# ---------------------------------------------------------------------------
# The README's layer table, checked against the imports
# ---------------------------------------------------------------------------


def readme_layers(text: str) -> list[tuple[str, list[str]]]:
    """``(layer, backticked names)`` of each row of the table under "## How it is built"."""
    section = text.split("\n## How it is built\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("|")
    ]
    assert len(rows) > 2 and rows[0][0].strip() == "layer", "no layer table found"
    return [
        (cells[0].strip(), re.findall(r"`([^`]+)`", "|".join(cells[1:])))
        for cells in rows[2:]  # header and separator
    ]


def _units() -> list[str]:
    """The package's top-level modules (``domain.py``) and subpackages (``optimize/``)."""
    return sorted(
        [p.name for p in PACKAGE.glob("*.py")]
        + [f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    )


def layer_of_units(text: str) -> tuple[dict[str, int], list[str]]:
    """``{unit: row index}`` from the README's table, and the problems with its names.

    A backticked name is a unit (``domain.py``, ``optimize/``), else a module inside a
    package of the same row (``solver.py`` beside ``optimize/``; spelled
    ``importers/orders.py`` where a unit has the same name), a path inside the package
    (``reports/data.py``) or a folder of the repository (``notebooks/``); anything else
    names something that does not exist.
    """
    units, rank, problems = set(_units()), {}, []
    for row, (layer, names) in enumerate(readme_layers(text)):
        packages = [PACKAGE / n for n in names if n.endswith("/") and n in units]
        for name in names:
            if name in units:
                if name in rank:
                    problems.append(f"{name} is in two rows")
                rank[name] = row
            elif not (
                any((pkg / name).exists() for pkg in packages)
                or (PACKAGE / name).exists()
                or (ROOT / name).exists()
            ):
                problems.append(f"row {layer!r} names {name}, which does not exist")
    return rank, problems


def _unit_of(module: str) -> str | None:
    """``luckygas.optimize.solver`` -> ``optimize/``; ``luckygas.db`` -> ``db.py``."""
    parts = module.split(".")
    if parts[0] != "luckygas" or len(parts) < 2:
        return None
    if (PACKAGE / parts[1] / "__init__.py").is_file():
        return f"{parts[1]}/"
    return f"{parts[1]}.py" if (PACKAGE / f"{parts[1]}.py").is_file() else None


def luckygas_imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every ``luckygas`` module ``path`` imports, relative imports
    resolved, ``from luckygas import x`` as ``luckygas.x`` (function-level and
    ``TYPE_CHECKING`` imports included: they are dependencies too)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]  # of a module or __init__
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{a.name}") for a in node.names)


def _unit_of_path(path: Path) -> str:
    first = path.relative_to(PACKAGE).parts[0]
    return f"{first}/" if (PACKAGE / first).is_dir() else first


def test_readme_table_lists_every_module_once():
    """Every top-level module and subpackage of luckygas is in exactly one row."""
    rank, problems = layer_of_units(README.read_text(encoding="utf-8"))
    missing = [u for u in _units() if u not in rank]
    assert not missing, f"add to README's 'How it is built' table: {missing}"
    assert not problems, "\n".join(problems)


def test_no_module_imports_from_a_layer_below_it_in_the_table():
    """A module imports from its own row of the README's table and the rows above it."""
    text = README.read_text(encoding="utf-8")
    rank, _ = layer_of_units(text)
    layers = [layer for layer, _ in readme_layers(text)]
    found: dict[tuple[str, int, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _unit_of_path(path)
        if source not in rank:
            continue  # reported by the test above
        for line, module in luckygas_imports(path):
            target = _unit_of(module)
            if target and target != source and rank.get(target, -1) > rank[source]:
                found.setdefault(
                    (_rel(path), line, target),
                    f"{_rel(path)}:{line} ({layers[rank[source]]}) imports {module} "
                    f"({layers[rank[target]]})",
                )
    assert not found, "imports against the README's layers:\n" + "\n".join(found.values())


def test_the_sql_rule_covers_presentation_and_entry_points():
    """The folders whose SQL is scanned above are the table's presentation and entry points."""
    text = README.read_text(encoding="utf-8")
    rank, _ = layer_of_units(text)
    layers = [layer for layer, _ in readme_layers(text)]
    top = {layers.index("presentation"), layers.index("entry points")}
    scanned = {f"{name}/" for name in PRESENTATION}
    table = {u for u, row in rank.items() if row in top and u.endswith("/")}
    assert scanned == table


README_SAMPLE = """intro

## How it is built

| layer | modules |
|---|---|
| low | `domain.py` (words), `optimize/`: `solver.py` |
| high | `cli/`, `notebooks/`, `reports/data.py` |

## Next
"""


def test_the_table_parser_reads_rows_and_names():
    assert readme_layers(README_SAMPLE) == [
        ("low", ["domain.py", "optimize/", "solver.py"]),
        ("high", ["cli/", "notebooks/", "reports/data.py"]),
    ]


def test_the_table_check_names_what_does_not_exist():
    _, problems = layer_of_units(README_SAMPLE.replace("`solver.py`", "`no_such_module.py`"))
    assert problems == ["row 'low' names no_such_module.py, which does not exist"]
