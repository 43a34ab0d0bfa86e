"""The packaging files agree with each other, so conda and pip users get the same thing."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_python_satisfies_requires_python():
    """The conda environment's Python is one that pyproject.toml accepts."""
    deps = _environment()["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python="))
    version = python.split("=", 1)[1]
    assert SpecifierSet(_pyproject()["project"]["requires-python"]).contains(version + ".0")


def test_environment_installs_the_project_with_test_extra():
    """environment.yml installs the package itself (with tests), not a second dependency list."""
    deps = _environment()["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip_section == ["--editable .[test]"]
    conda_names = {d.split("=")[0] for d in deps if isinstance(d, str)}
    # Only the interpreter and pip come from conda; everything else from pyproject.toml.
    assert conda_names == {"python", "pip"}
    assert "test" in _pyproject()["project"]["optional-dependencies"]


def test_console_script_points_at_cli_main():
    """`luckygas` on the PATH runs luckygas.cli:main."""
    from luckygas.cli import main

    assert _pyproject()["project"]["scripts"]["luckygas"] == "luckygas.cli:main"
    assert callable(main)


def test_dask_is_an_optional_extra_the_tests_install():
    """Dask is only for scenarios on a cluster: the `cluster` extra, pulled in by `test`."""
    project = _pyproject()["project"]
    assert not any(d.startswith("dask") for d in project["dependencies"])
    extras = project["optional-dependencies"]
    assert any(d.startswith("dask[distributed]") for d in extras["cluster"])
    assert "luckygas[cluster]" in extras["test"]


def test_vendored_javascript_ships_with_its_licences():
    """Each vendored bundle of the report template has its licence text, and both ship."""
    static = ROOT / "luckygas" / "reports" / "template" / "lg_report" / "static"
    licences = {p.name for p in static.glob("*LICENSE*")}
    assert {"LICENSE.ipywidgets.txt", "embed-amd.js.LICENSE.txt"} <= licences
    assert "LICENSE.requirejs.txt" in licences
    patterns = _pyproject()["tool"]["setuptools"]["package-data"]["*"]
    for name in [*licences, "embed-amd.js", "require.js"]:
        assert any(fnmatch(name, pattern) for pattern in patterns), name


def test_notebook_stack_pins_present():
    """The Jupyter stack is a core dependency, pinned to the versions tested together."""
    deps = " ".join(_pyproject()["project"]["dependencies"])
    for pin in ("ortools==9.15.*", "ipywidgets==8.1.*", "ipyleaflet==0.20.*", "papermill==2.7.*"):
        assert pin in deps
