"""Drive a real JupyterLab from Python: a loopback server, headless Chromium, notebook pages.

Used by the browser tests (``tests/browser``) and by ``benchmarks/panel_bench.py``; it
knows nothing of pytest. The pieces:

- :func:`start_lab` starts ``jupyter lab`` on a free loopback port with a random token, in
  its own process group, with throw-away settings and workspaces (autosave off, so running
  a notebook never writes its outputs back to the repository), and waits until it answers;
  :meth:`LabServer.stop` shuts its kernels down and stops it by PID.
- :func:`launch_chromium` starts the system Chromium through Playwright (never a downloaded
  browser).
- :class:`NotebookPage` opens one notebook in its own JupyterLab workspace, runs all its
  cells, collects console messages, and offers the few DOM queries the tests need.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Chromium flags for a headless run on a shared machine without network.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)

#: The viewport the issue asks the panel to read well at.
VIEWPORT = {"width": 1400, "height": 900}

# User settings for the throw-away JupyterLab: no autosave (the notebooks in the repository
# must not change), no news or update checks (no network, no pop-ups over the notebook).
_USER_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# Console noise that is not a defect: map tiles cannot load without internet, and
# jupyter-leaflet's bundled Leaflet is newer than the version a dependency asks for.
_TILE_HOSTS = re.compile(
    r"tile|openstreetmap|arcgisonline|cartocdn|basemaps|stamen|opentopomap|mapbox|esri",
    re.IGNORECASE,
)
_HARMLESS = (
    re.compile(r"Unsatisfied version .* leaflet", re.IGNORECASE),
    re.compile(r"net::ERR_NAME_NOT_RESOLVED"),
    re.compile(r"net::ERR_INTERNET_DISCONNECTED"),
)


class LabError(RuntimeError):
    """JupyterLab did not start, or a page did not reach the expected state in time."""


# -- the database ----------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or ``None`` for other databases and ``:memory:``."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix) :])


def copy_sqlite(src: Path, dst: Path) -> Path:
    """Copy a SQLite database consistently (the backup API also copies pending WAL pages)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def build_demo_database(path: Path) -> Path:
    """Build the reproducible demo database into ``path`` with ``luckygas demo-data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LUCKYGAS_DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "-m", "luckygas.cli", "demo-data"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path


def demo_database_copy(work_dir: Path, source_url: str | None) -> Path:
    """A writable demo database in ``work_dir``: a copy of ``source_url``'s file, else built.

    Parameters
    ----------
    work_dir
        Where the copy goes (``demo.sqlite``).
    source_url
        A ``sqlite:///`` URL of an existing demo database (e.g. the one ``tests/run``
        exports), or ``None``/another database: then a fresh demo database is built.
    """
    dst = work_dir / "demo.sqlite"
    src = sqlite_path(source_url) if source_url else None
    if src is not None and src.exists():
        return copy_sqlite(src, dst)
    return build_demo_database(dst)


# -- the server ------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LabServer:
    """A running ``jupyter lab`` started by :func:`start_lab`."""

    base_url: str
    token: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API; returns the decoded JSON (or ``None``)."""
        req = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def url(self, path: str, **query: str) -> str:
        """``base_url + path`` with the token (and ``query``) in the query string."""
        params = "&".join([f"token={self.token}", *(f"{k}={v}" for k, v in query.items())])
        return f"{self.base_url}{path}?{params}"

    def log_tail(self, n: int = 40) -> str:
        """The last ``n`` lines of the server's log (for failure messages)."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def stop(self, timeout_s: float = 20.0) -> None:
        """Shut the kernels down, then stop the server (its whole process group) by PID."""
        if self.process.poll() is None:
            try:
                for kernel in self.api("GET", "/api/kernels") or []:
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except (OSError, urllib.error.URLError, ValueError):
                pass
        pgid = self.process.pid  # started with start_new_session: its own process group
        for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(wait_s)
            except subprocess.TimeoutExpired:
                continue
        # Kernels left behind in the group (the server gone first) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def start_lab(
    root_dir: Path,
    work_dir: Path,
    env: dict[str, str] | None = None,
    *,
    timeout_s: float = 120.0,
) -> LabServer:
    """Start JupyterLab on loopback (random port and token) and wait until it answers.

    Parameters
    ----------
    root_dir
        The server's root (notebooks are opened relative to it).
    work_dir
        Throw-away directory for the server's settings, workspaces, runtime files and log.
    env
        Extra environment for the server and its kernels (e.g. ``LUCKYGAS_DATABASE_URL``).
    timeout_s
        How long to wait for the server to answer.

    Raises
    ------
    LabError
        If the server exits or does not answer in time (the log's tail is in the message).
    """
    settings = work_dir / "user-settings"
    for rel, values in _USER_SETTINGS.items():
        p = settings / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(values), encoding="utf-8")
    (work_dir / "workspaces").mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    full_env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(work_dir / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    last_error = ""
    for _attempt in range(3):  # another process may grab the free port first
        port = free_port()
        log_path = work_dir / f"jupyterlab-{port}.log"
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--ServerApp.port_retries=0",
            "--allow-root",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={work_dir / 'workspaces'}",
        ]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=root_dir,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = LabServer(f"http://127.0.0.1:{port}", token, proc, log_path)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                server.api("GET", "/api/status")
                return server
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        last_error = server.log_tail()
        server.stop()
    raise LabError(f"JupyterLab did not start; its log ends with:\n{last_error}")


# -- the browser -----------------------------------------------------------------------


def chromium_path() -> str | None:
    """The system Chromium (``chromium`` or ``chromium-browser`` on PATH), if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(pw: Playwright) -> Browser:
    """Launch the system Chromium headless (never a browser downloaded by Playwright)."""
    path = chromium_path()
    if path is None:
        raise LabError("no chromium on PATH")
    return pw.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))


# -- a notebook in the browser ---------------------------------------------------------


@dataclass
class ConsoleEntry:
    """One browser console message or uncaught page error."""

    kind: str  # "error", "warning", ... or "pageerror"
    text: str
    url: str = ""

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"[{self.kind}] {self.text}{where}"


def is_harmless(entry: ConsoleEntry) -> bool:
    """Whether a console entry is expected noise: unreachable map tiles, the Leaflet warning."""
    if any(p.search(entry.text) for p in _HARMLESS):
        return True
    failed_load = entry.text.startswith("Failed to load resource")
    return failed_load and bool(_TILE_HOSTS.search(entry.url))


@dataclass
class NotebookPage:
    """One notebook open in JupyterLab, in its own browser page and workspace.

    Attributes
    ----------
    page
        The Playwright page.
    path
        The notebook's path relative to the server's root.
    console
        Every console message and page error seen so far.
    console_at_run_end
        The console as it was when the last run finished (set by the caller).
    run_seconds
        Wall time of the last run (until :meth:`wait_run` saw it finished).
    """

    page: Page
    path: str
    console: list[ConsoleEntry] = field(default_factory=list)
    console_at_run_end: list[ConsoleEntry] = field(default_factory=list)
    run_seconds: float = 0.0
    _run_started: float = 0.0

    @classmethod
    def open(cls, browser: Browser, server: LabServer, path: str) -> NotebookPage:
        """Open ``path`` in a fresh browser context and workspace; wait for an idle kernel."""
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        page = context.new_page()
        nb = cls(page, path)

        def on_console(msg: ConsoleMessage) -> None:
            nb.console.append(ConsoleEntry(msg.type, msg.text, msg.location.get("url", "")))

        def on_page_error(exc: Exception) -> None:
            # Where it was thrown: the first frames of the stack (minified, but findable).
            stack = [ln.strip() for ln in (getattr(exc, "stack", "") or "").splitlines()[1:3]]
            nb.console.append(ConsoleEntry("pageerror", str(exc), " < ".join(stack)))

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        workspace = re.sub(r"\W+", "-", Path(path).stem)
        page.goto(server.url(f"/lab/workspaces/{workspace}/tree/{path}", reset=""))
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        nb.wait_for_kernel_idle(timeout_s=90)
        return nb

    def errors(self, entries: list[ConsoleEntry] | None = None) -> list[ConsoleEntry]:
        """Console errors and page errors (of ``entries``, default all) that are not noise."""
        seen = self.console if entries is None else entries
        return [e for e in seen if e.kind in ("error", "pageerror") and not is_harmless(e)]

    def notebook(self) -> Locator:
        """The notebook's panel (the open, visible one)."""
        return self.page.locator(".jp-NotebookPanel:visible").first

    def wait_for_kernel_idle(self, timeout_s: float = 90.0) -> None:
        """Wait until the notebook's kernel is connected and idle."""
        self.page.wait_for_function(
            """() => {
                const w = window.jupyterapp.shell.currentWidget;
                const ctx = w && w.sessionContext;
                const k = ctx && ctx.session && ctx.session.kernel;
                return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
            }""",
            timeout=timeout_s * 1000,
        )

    def start_run(self) -> None:
        """Start JupyterLab's ``notebook:run-all-cells`` without waiting for it.

        The command's promise settles when the last cell has run, or when a cell raised
        (the cells after it are not run); the page keeps its outcome for :meth:`wait_run`.
        """
        self._run_started = time.monotonic()
        self.page.evaluate(
            """() => {
                const run = {done: false, ok: null, error: null};
                window.__lgRun = run;
                window.jupyterapp.commands.execute('notebook:run-all-cells').then(
                    ok => { run.ok = ok; run.done = true; },
                    err => { run.error = String(err); run.done = true; });
            }"""
        )

    def wait_run(self, timeout_s: float = 300.0) -> float:
        """Wait until the run started by :meth:`start_run` is over; returns its wall time.

        Over means JupyterLab's command has settled, the kernel is idle and no cell shows
        the ``[*]`` prompt. Whether every cell ran is :meth:`unexecuted_cells`' business.
        """
        self.page.wait_for_function(
            """() => {
                if (!window.__lgRun || !window.__lgRun.done) return false;
                const w = window.jupyterapp.shell.currentWidget;
                const k = w && w.sessionContext && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                if (!k || k.status !== 'idle') return false;
                const prompts = [...document.querySelectorAll(
                    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
                return !prompts.some(p => p.textContent.includes('*'));
            }""",
            timeout=timeout_s * 1000,
            polling=250,
        )
        self.run_seconds = time.monotonic() - self._run_started
        return self.run_seconds

    def unexecuted_cells(self) -> list[str]:
        """The first line of every code cell without an execution count (not run)."""
        return self.page.evaluate(
            """() => {
                const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                const out = [];
                for (const cell of root.querySelectorAll('.jp-CodeCell')) {
                    const p = cell.querySelector('.jp-InputPrompt');
                    if (p && !/\\[\\d+\\]/.test(p.textContent)) {
                        const src = cell.querySelector('.jp-InputArea-editor');
                        out.push((src ? src.textContent : '').split('\\n')[0].slice(0, 120));
                    }
                }
                return out;
            }"""
        )

    def run_all(self, timeout_s: float = 300.0) -> float:
        """Run every cell and wait until done (:meth:`start_run`, :meth:`wait_run`)."""
        self.start_run()
        return self.wait_run(timeout_s)

    def error_outputs(self) -> list[str]:
        """Texts of error outputs: tracebacks on stderr and rendered exceptions."""
        return self.page.evaluate(
            """() => {
                const out = [];
                const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                for (const el of root.querySelectorAll(
                        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
                    if (/Traceback|Error/.test(el.textContent)) out.push(el.textContent);
                }
                for (const el of root.querySelectorAll(
                        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')) {
                    out.push(el.textContent);
                }
                for (const el of root.querySelectorAll('.jp-RenderedText')) {
                    if (el.querySelector('.ansi-red-fg') && /Error|Traceback/.test(el.textContent)
                            && !out.includes(el.textContent)) out.push(el.textContent);
                }
                return out.map(t => t.slice(0, 2000));
            }"""
        )

    def broken_widgets(self) -> list[str]:
        """Texts of widget placeholders that never became widgets."""
        loc = self.notebook().get_by_text(
            re.compile(r"Error displaying widget|Loading widget\.\.\.|Loading widget…")
        )
        return [t.strip() for t in loc.all_inner_texts()]

    def kernel_eval(self, code: str, timeout_s: float = 30.0) -> str:
        """Run ``code`` in the notebook's kernel (no history) and return what it printed."""
        return self.page.evaluate(
            """async ([code, timeoutMs]) => {
                const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                const future = k.requestExecute(
                    {code, silent: false, store_history: false, stop_on_error: true});
                let text = '';
                future.onIOPub = msg => {
                    const c = msg.content;
                    if (msg.header.msg_type === 'stream') text += c.text;
                    if (msg.header.msg_type === 'execute_result') text += c.data['text/plain'];
                    if (msg.header.msg_type === 'error') text += c.ename + ': ' + c.evalue;
                };
                await Promise.race([future.done,
                    new Promise((_, no) => setTimeout(() => no(new Error('timeout')), timeoutMs))]);
                return text;
            }""",
            [code, int(timeout_s * 1000)],
        )

    def screenshot(self, path: Path) -> Path:
        """A full-page screenshot into ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        """Close the page (and its context) without saving the notebook."""
        with contextlib.suppress(Exception):  # the browser may be gone at session end
            self.page.context.close()
