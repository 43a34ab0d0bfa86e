"""The analyst notebooks are committed clean and parameterised (nbval executes them separately)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
OURS = {
    "01_daily_plan.ipynb": {"DATABASE_URL", "PLAN_DATE", "TIME_LIMIT_S", "USER"},
    "02_what_if.ipynb": {"DATABASE_URL", "PLAN_DATE", "TIME_LIMIT_S", "SCENARIOS"},
    "03_history.ipynb": {"DATABASE_URL", "END_DATE", "MONTHS"},
    "04_forecast.ipynb": {"DATABASE_URL", "PLAN_DATE", "CUSTOMER_CODE"},
}
WIDGET_CALLS = ("maps.", "PlanningPanel(", "ScenarioPanel(", "progress=True")
#: Code that belongs in the library, not in a notebook cell.
LOGIC = ("def ", "class ", "lambda ", "on_click(")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


@pytest.mark.parametrize("name", sorted(OURS))
def test_committed_without_outputs(name):
    """No stored outputs or execution counts: nbval then only checks that every cell runs."""
    nb = _read(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", sorted(OURS))
def test_parameters_cell_follows_the_imports(name):
    """The first code cell after the imports is tagged 'parameters' and defines the defaults."""
    code = [c for c in _read(name).cells if c.cell_type == "code"]
    assert "import" in code[0].source and "parameters" not in code[0].metadata.get("tags", [])
    params = code[1]
    assert params.metadata.get("tags") == ["parameters"]
    names = {line.split("=")[0].strip() for line in params.source.splitlines() if "=" in line}
    assert OURS[name] <= names
    assert "DATABASE_URL = None" in params.source


@pytest.mark.parametrize("name", sorted(OURS))
def test_widget_cells_ignore_output(name):
    """Cells that show maps, panels or progress bars are excluded from output comparison."""
    for cell in _read(name).cells:
        if cell.cell_type == "code" and any(call in cell.source for call in WIDGET_CALLS):
            assert "nbval-ignore-output" in cell.metadata.get("tags", []), cell.source


@pytest.mark.parametrize("name", sorted(OURS))
def test_notebooks_stay_thin(name):
    """Notebooks only call the library: no functions, classes or callbacks defined in cells."""
    for cell in _read(name).cells:
        if cell.cell_type == "code":
            found = [word for word in LOGIC if word in cell.source]
            assert not found, f"{name}: {found} in cell:\n{cell.source}"
