"""The day report: run the report notebook with papermill, export ONE self-contained HTML.

The HTML embeds the widget state and every script the widgets need (requirejs, the
static widget manager and jupyter-leaflet), so the route map renders when a manager
opens the file from an e-mail attachment with no internet; only the basemap tiles need
the network. Code cells are hidden. The recipe and its pitfalls are in
``docs/notebook-stack.md`` section 4.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from luckygas.config import resolve_database_url
from luckygas.outputs import check_output_path, write_text

PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOK = PACKAGE_DIR / "notebooks" / "report.ipynb"
TEMPLATE_DIR = PACKAGE_DIR / "template"
TEMPLATE_NAME = "lg_report"
#: What the template's string replace turns jupyter-leaflet's anonymous AMD define into.
LEAFLET_DEFINE = 'define("jupyter-leaflet"'
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
KERNEL_NAME = "python3"


class ReportError(RuntimeError):
    """The report could not be produced (the message says why, in the user's terms)."""


@dataclass(frozen=True)
class ReportParams:
    """The report notebook's parameters (the names of its ``parameters`` cell).

    Attributes
    ----------
    date
        Delivery day, ISO ``YYYY-MM-DD``.
    database_url
        Absolute database URL the kernel connects to.
    plan_id
        A saved plan, or ``None`` for the latest saved plan of the day.
    scenario
        A saved scenario to compare with, or ``None``.
    redact
        Redact personal data (:meth:`luckygas.reports.data.PlanData.redact`).
    """

    date: str
    database_url: str
    plan_id: int | None = None
    scenario: str | None = None
    redact: bool = False


def _absolute_sqlite(url: str) -> str:
    """Make a relative SQLite path absolute: the kernel may run in another folder."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    if path.is_absolute() or parsed.database.startswith("file:"):
        return url
    return parsed.set(database=str(path.resolve())).render_as_string(hide_password=False)


def leaflet_nbextension_dir() -> Path:
    """The folder holding ``jupyter-leaflet/index.js`` of the installed ipyleaflet.

    Raises
    ------
    ReportError
        When ipyleaflet's front-end bundle is not installed.
    """
    from jupyter_core.paths import jupyter_path

    candidates = [Path(sys.prefix) / "share" / "jupyter" / "nbextensions"]
    candidates += [Path(p) for p in jupyter_path("nbextensions")]
    for folder in candidates:
        if (folder / "jupyter-leaflet" / "index.js").is_file():
            return folder
    raise ReportError(
        "jupyter-leaflet's JavaScript (nbextensions/jupyter-leaflet/index.js) was not found; "
        "reinstall ipyleaflet (pip install --force-reinstall jupyter-leaflet)."
    )


def execute_report_notebook(
    params: ReportParams,
    executed_path: Path,
    *,
    notebook: Path = NOTEBOOK,
    progress: bool = True,
) -> Any:
    """Run the report notebook with papermill and return the executed notebook node.

    Parameters
    ----------
    params
        Notebook parameters.
    executed_path
        Where papermill writes the executed ``.ipynb``.
    notebook
        The notebook to run (tests pass a smaller one).
    progress
        Show papermill's per-cell progress bar.

    Raises
    ------
    ReportError
        A cell failed; the message is the exception the notebook raised.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        return papermill.execute_notebook(
            str(notebook),
            str(executed_path),
            parameters=asdict(params),
            kernel_name=KERNEL_NAME,
            progress_bar=progress,
            cwd=str(executed_path.parent),
            kernel_manager_class=_quiet_kernel_manager(),
        )
    except PapermillExecutionError as exc:
        raise ReportError(f"the report notebook failed: {exc.ename}: {exc.evalue}") from exc


def _drop_stderr(nb: Any) -> None:
    # Warnings and progress bars written to stderr by the kernel are noise for a manager.
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]


def export_html(nb: Any, output: Path, *, title: str) -> Path:
    """Export an executed notebook to one self-contained HTML file without code.

    Parameters
    ----------
    nb
        Executed notebook node (with widget state in its metadata, if it has widgets).
    output
        The ``.html`` file to write (parent folders are created; written under a
        temporary name and renamed, so a failed export leaves no half file).
    title
        The page title.

    Returns
    -------
    pathlib.Path
        ``output``.

    Raises
    ------
    ReportError
        The notebook has widgets but jupyter-leaflet's module could not be named in the
        page (a new jupyter-leaflet changed its bundle header): the map would be blank.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        extra_template_paths=[str(leaflet_nbextension_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    _drop_stderr(nb)
    body, _resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    if "widgets" in nb.metadata and LEAFLET_DEFINE not in body:
        raise ReportError(
            "could not embed jupyter-leaflet in the report (its bundle no longer starts with "
            "the expected AMD define); update luckygas/reports/template/lg_report/index.html.j2."
        )
    return write_text(body, output, (".html",))


def check_request(
    database_url: str, day: dt.date, plan_id: int | None, scenario: str | None
) -> None:
    """Fail fast (before starting a kernel) on a request that cannot give a report.

    Raises
    ------
    ReportError
        ``plan_id`` is unknown or of another day, no scenario is named ``scenario``, or
        (no ``plan_id``) the day has neither a saved plan nor orders to plan.
    """
    from luckygas import queries
    from luckygas.db import make_engine, read_session
    from luckygas.reports.data import (
        empty_plan,
        has_orders,
        latest_baseline_plan_id,
        nothing_to_report,
    )

    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            if plan_id is not None:
                plan = queries.plan_header(session, plan_id)
                if plan is None:
                    raise ReportError(f"plan {plan_id} does not exist.")
                if plan["plan_date"] != day:
                    raise ReportError(f"plan {plan_id} is for {plan['plan_date']}, not {day}.")
            chosen = plan_id if plan_id is not None else latest_baseline_plan_id(session, day)
            if chosen is None and not has_orders(session, day):
                raise ReportError(nothing_to_report(day))
            if chosen is not None and not queries.plan_has_orders(session, chosen):
                raise ReportError(empty_plan(day, chosen))
            if scenario is not None:
                names = queries.scenario_names(session)
                if scenario not in names:
                    known = ", ".join(repr(n) for n in names) or "none saved"
                    raise ReportError(f"no scenario named {scenario!r} (known: {known}).")
    finally:
        engine.dispose()


def default_output(day: dt.date, scenario: str | None = None) -> Path:
    """``out/report-2026-03-02.html`` (``-<scenario>`` appended when comparing)."""
    suffix = ""
    if scenario:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scenario)
        suffix = f"-{safe}"
    return Path("out") / f"report-{day.isoformat()}{suffix}.html"


def write_report(
    day: dt.date | str,
    *,
    database_url: str | None = None,
    plan_id: int | None = None,
    scenario: str | None = None,
    output: str | Path | None = None,
    redact: bool = False,
    progress: bool | None = None,
) -> Path:
    """Write the day report: one HTML file a manager can open offline.

    Contents: KPIs, the route map, the route table, unserved orders with reasons, the
    scenario comparison (when ``scenario`` is given), the stops of each route and the
    run record.

    Parameters
    ----------
    day
        Delivery date (``date`` or ISO string).
    database_url
        Database to read; default ``$LUCKYGAS_DATABASE_URL`` or ``data/luckygas.sqlite``.
    plan_id
        Report this saved plan; default the latest published (non-scenario) plan of
        ``day``, else its latest draft (the report then says "DRAFT — not published").
        If the day has no saved plan it is solved for the report (not saved), and the
        report says so.
    scenario
        Name of a saved scenario to compare with the plan.
    output
        ``.html`` file to write; default :func:`default_output`. The database file is
        refused.
    redact
        Redact personal data for sharing outside the company: names and phones
        masked, addresses cut to the road, customer codes and notes removed,
        coordinates rounded to ~100 m, in every part of the HTML (the map's embedded
        widget state included).
    progress
        Show a progress bar over the notebook's cells; ``None`` (default): only when
        standard error is a terminal, so logs and pipes stay clean.

    Returns
    -------
    pathlib.Path
        The HTML file written.

    Raises
    ------
    ReportError
        The plan or scenario does not exist, the day has neither a plan nor orders,
        or the notebook or export failed.
    luckygas.outputs.OutputPathError
        ``output`` is not an ``.html`` path, or is the database file.
    """
    import nbformat

    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    params = ReportParams(
        date=day.isoformat(),
        database_url=_absolute_sqlite(resolve_database_url(database_url)),
        plan_id=plan_id,
        scenario=scenario,
        redact=redact,
    )
    out = Path(output) if output is not None else default_output(day, scenario)
    # Before the notebook runs (seconds): a wrong suffix or the database itself is refused.
    check_output_path(out, (".html",), database_url=params.database_url)
    check_request(params.database_url, day, plan_id, scenario)
    with tempfile.TemporaryDirectory(prefix="luckygas-report-") as tmp:
        executed = Path(tmp) / "report.ipynb"
        show = sys.stderr.isatty() if progress is None else progress
        execute_report_notebook(params, executed, progress=show)
        nb = nbformat.read(executed, as_version=4)
    title = f"Lucky Gas deliveries {day.isoformat()}" + (" (redacted)" if redact else "")
    return export_html(nb, out, title=title)


def _quiet_kernel_manager() -> type:
    """A kernel manager whose kernel process does not write to our terminal.

    The kernel logs start-up chatter ("Kernel is running over TCP without encryption")
    straight to the inherited stderr, which reads like an error in ``luckygas demo``.
    Cell errors still reach us through papermill; only the process's own log is dropped.
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super().start_kernel(**kw)

    return QuietKernelManager
