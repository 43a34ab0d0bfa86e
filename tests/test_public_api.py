"""`import luckygas as lg` gives notebooks the whole public API, without importing it eagerly."""

import subprocess
import sys

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
