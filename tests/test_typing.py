"""mypy finds no type error in the library beyond the committed baseline."""

from __future__ import annotations

import importlib.util
import warnings
from collections import Counter

import pytest

from tests.typecheck import BASELINE, compare, normalize, read_baseline, run_mypy

_SAMPLE = """\
luckygas/a.py:10: error: Incompatible types in assignment  [assignment]
luckygas/a.py:20: error: Incompatible types in assignment  [assignment]
luckygas/a.py:21: note: See https://mypy.readthedocs.io
luckygas/b.py:3:5: error: Name "x" already defined on line 1  [no-redef]
Found 3 errors in 2 files (checked 2 source files)
"""


def test_normalize_drops_line_numbers_and_keeps_duplicates():
    """Two identical errors in a file are two entries; notes and the summary are not."""
    assert normalize(_SAMPLE) == Counter(
        {
            "luckygas/a.py: [assignment] Incompatible types in assignment": 2,
            'luckygas/b.py: [no-redef] Name "x" already defined on line N': 1,
        }
    )


def test_compare_separates_new_from_fixed():
    """A third copy of a known error is new; a baseline entry no longer raised is fixed."""
    baseline = Counter({"a: [x] one": 2, "b: [y] two": 1})
    result = compare(Counter({"a: [x] one": 3}), baseline)
    assert result.new == Counter({"a: [x] one": 1})
    assert result.fixed == Counter({"b: [y] two": 1})


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy not installed")
def test_no_new_mypy_errors():
    """Every mypy error is in tests/mypy-baseline.txt; fix new ones rather than adding them."""
    result = compare(normalize(run_mypy()), read_baseline())
    if result.fixed:
        fixed = "\n".join(sorted(result.fixed.elements()))
        warnings.warn(
            f"{BASELINE.name} can shrink (python tests/typecheck.py --update):\n{fixed}",
            stacklevel=1,
        )
    assert not result.new, "new mypy errors:\n" + "\n".join(sorted(result.new.elements()))
