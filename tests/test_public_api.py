"""`import luckygas as lg` gives notebooks the whole public API, without importing it eagerly."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import luckygas


def test_every_public_name_resolves():
    """Each name in luckygas.__all__ is importable from the package."""
    for name in luckygas.__all__:
        assert getattr(luckygas, name) is not None, name


def test_importing_the_package_stays_light():
    """`import luckygas` (e.g. for the CLI) does not pull in OR-Tools, pandas or Jupyter."""
    code = (
        "import sys, luckygas; "
        "print(sorted({'ortools', 'pandas', 'ipywidgets'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _type_checking_imports() -> dict[str, str]:
    """Name -> module of the imports under ``if TYPE_CHECKING:`` in luckygas/__init__.py."""
    tree = ast.parse(Path(luckygas.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module, ast.unparse(stmt)
                for alias in stmt.names:
                    found[alias.asname or alias.name] = stmt.module
    return found


def test_static_imports_lazy_mapping_and_all_agree():
    """What checkers see (TYPE_CHECKING), what runs (_EXPORTS) and __all__ are one list."""
    assert _type_checking_imports() == luckygas._EXPORTS
    assert set(luckygas.__all__) == {"__version__", *luckygas._EXPORTS}
    assert len(luckygas.__all__) == len(set(luckygas.__all__))


def test_lazy_names_come_from_their_modules():
    """Each lazy name is the object its module defines, not a look-alike."""
    for name, module in luckygas._EXPORTS.items():
        assert getattr(luckygas, name) is getattr(importlib.import_module(module), name), name
