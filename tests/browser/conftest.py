"""A real JupyterLab on loopback and headless Chromium, shared by the browser tests.

One server and one browser per test session (per xdist worker; the browser tests live in
one module so that ``--dist loadfile`` keeps them on one worker). The server's kernels use
a copy of the demo database (``$LUCKYGAS_DATABASE_URL`` if it names a SQLite file, else a
freshly built one), because the tests save plans.

Each notebook is opened and run once per session (:func:`notebook_run`); the notebook
tests and the panel tests look at the same page. When a test fails, a full-page
screenshot of the page it used goes into its ``tmp_path`` (the path is in the report).
Set ``LUCKYGAS_BROWSER_SHOTS=DIR`` to also keep one screenshot per notebook in ``DIR``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.lab import (
    REPO_ROOT,
    LabServer,
    NotebookPage,
    chromium_path,
    demo_database_copy,
    launch_chromium,
    start_lab,
)

SHOTS_ENV = "LUCKYGAS_BROWSER_SHOTS"
_PAGE_KEY = pytest.StashKey[tuple[NotebookPage, Path]]()


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable demo database file for the server's kernels."""
    if chromium_path() is None:
        pytest.skip("no chromium on PATH (tests/run installs it with apt-get)")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    return demo_database_copy(
        tmp_path_factory.mktemp("browser-db"), os.environ.get("LUCKYGAS_DATABASE_URL")
    )


@pytest.fixture(scope="session")
def lab_server(browser_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab serving the repository, its kernels on the test database."""
    server = start_lab(
        REPO_ROOT,
        tmp_path_factory.mktemp("jupyterlab"),
        {"LUCKYGAS_DATABASE_URL": f"sqlite:///{browser_db}", "LUCKYGAS_USER": "browser-test"},
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium(lab_server: LabServer) -> Iterator[object]:
    """The system Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``notebook`` marker."""
    config.addinivalue_line(
        "markers", "notebook(stem): the browser test looks at notebooks/<stem>.ipynb after Run All"
    )


def _notebooks_needed(session: pytest.Session) -> list[str]:
    """Notebooks the selected tests look at: ``notebook(stem)`` markers, ``stem`` params."""
    stems: dict[str, None] = {}
    for item in session.items:
        for mark in item.iter_markers("notebook"):
            stems.update(dict.fromkeys(mark.args))
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "stem" in callspec.params:
            stems[str(callspec.params["stem"])] = None
    return list(stems)


@pytest.fixture(scope="session")
def notebook_run(
    chromium: object, lab_server: LabServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], NotebookPage]]:
    """``notebook_run("01_daily_plan")``: that notebook opened and run (once per session).

    On first use every notebook the selected tests need is opened in its own page and
    started at once (the kernels share the cores; the wall time is that of the slowest
    rather than the sum); each call then waits for its notebook. The console as it was
    at the end of the run is kept in ``NotebookPage.console_at_run_end``.
    """
    pages: dict[str, NotebookPage] = {}
    done: set[str] = set()
    shots = os.environ.get(SHOTS_ENV)

    def start(stem: str) -> None:
        nb = NotebookPage.open(chromium, lab_server, f"notebooks/{stem}.ipynb")  # type: ignore[arg-type]
        pages[stem] = nb
        nb.start_run()

    def get(stem: str) -> NotebookPage:
        if not pages:
            for needed in _notebooks_needed(request.session):
                start(needed)
        if stem not in pages:
            start(stem)
        nb = pages[stem]
        if stem not in done:
            nb.wait_run(timeout_s=600)
            nb.console_at_run_end = list(nb.console)
            done.add(stem)
            if shots:
                nb.screenshot(Path(shots) / f"{stem}.png")
        return nb

    yield get
    for nb in pages.values():
        nb.close()


def use_page(request: pytest.FixtureRequest, nb: NotebookPage, tmp_path: Path) -> NotebookPage:
    """Register ``nb`` as the page of the running test (screenshotted if it fails)."""
    request.node.stash[_PAGE_KEY] = (nb, tmp_path)
    return nb


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failed test, a full-page screenshot of its page into its ``tmp_path``."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or _PAGE_KEY not in item.stash:
        return
    nb, tmp_path = item.stash[_PAGE_KEY]
    try:
        shot = nb.screenshot(tmp_path / "failure.png")
        report.sections.append(("browser", f"screenshot: {shot}"))
    except Exception as exc:  # the page may be gone; the failure itself matters more
        report.sections.append(("browser", f"no screenshot: {exc}"))
