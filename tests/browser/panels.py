"""The planning and scenario panels as an analyst sees them in the browser.

:class:`PlanningPanelUI` and :class:`ScenarioPanelUI` wrap the rendered widgets of
``luckygas.widgets.PlanningPanel`` / ``ScenarioPanel`` in a notebook page: find them, click
their buttons and wait until the status line shows the outcome, and read what is on
screen (the status, the Routes tab, the map's layers). Locators go by what a person reads
(button names, dropdown labels) and match the stable part of labels, since the panels'
wording changes. Shared by the browser tests and ``benchmarks/panel_bench.py``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from tests.browser.lab import NotebookPage

#: "230/232 orders" in a status line: served / open orders of the day.
SERVED = re.compile(r"(\d[\d,]*)\s*/\s*(\d[\d,]*)\s+orders")
#: The status while a run is going.
BUSY = re.compile(r"Optimizing|Running|Solving|Saving", re.IGNORECASE)
#: What an error in a status line looks like (the panels colour errors red).
ERROR_HTML = re.compile(r"#b00\b|color:\s*red|rgb\(187,\s*0,\s*0\)|Traceback", re.IGNORECASE)
ERROR_TEXT = re.compile(r"\b\w*(Error|Exception)\b")
_TWD = r"([\d,]+(?:\.\d+)?)\s*TWD"

# Records, inside the page, every change of an element's text and when a button is
# clicked, so a click-to-screen time is measured by the browser's own clock.
_WATCH_JS = """([status, button, root]) => {
    const w = {log: [{t: performance.now(), text: status.innerText}], clickAt: null,
               mapAt: null};
    w.observer = new MutationObserver(() => {
        const text = status.innerText;
        if (text !== w.log[w.log.length - 1].text) w.log.push({t: performance.now(), text});
    });
    w.observer.observe(status, {subtree: true, childList: true, characterData: true});
    // The map's layers: vector paths and markers changing, or a map (re)placed.
    const layers = '.leaflet-overlay-pane, .leaflet-marker-pane';
    w.mapObserver = new MutationObserver(records => {
        for (const r of records) {
            const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
            const added = [...r.addedNodes].some(
                n => n.nodeType === 1 && (n.matches('.leaflet-container')
                                          || n.querySelector('.leaflet-container')));
            if (added || (el && el.closest(layers))) { w.mapAt = performance.now(); return; }
        }
    });
    w.mapObserver.observe(root, {subtree: true, childList: true, attributes: true});
    const onClick = () => { if (w.clickAt === null) w.clickAt = performance.now(); };
    button.addEventListener('click', onClick, {capture: true, once: true});
    window.__lgWatch = w;
}"""

_SETTLED_JS = """(busySource) => {
    const w = window.__lgWatch;
    if (!w || w.clickAt === null) return false;
    const busy = new RegExp(busySource, 'i');
    const after = w.log.filter(e => e.t >= w.clickAt);
    const last = w.log[w.log.length - 1];
    const sawBusy = after.some(e => busy.test(e.text));
    const changed = after.length > 0 && (sawBusy || last.text !== w.log[0].text);
    return changed && !busy.test(last.text);
}"""

_RESULT_JS = """() => {
    const w = window.__lgWatch;
    w.observer.disconnect();
    const last = w.log[w.log.length - 1];
    return {clickAt: w.clickAt, doneAt: last.t, text: last.text, log: w.log.map(e => e.text)};
}"""

# The map's last change after the click, once it has been quiet for ``quietMs``.
_MAP_QUIET_JS = """(quietMs) => {
    const w = window.__lgWatch;
    return w.mapAt === null ? performance.now() - w.clickAt > quietMs * 3
                            : performance.now() - w.mapAt > quietMs;
}"""

_MAP_RESULT_JS = """() => {
    const w = window.__lgWatch;
    w.mapObserver.disconnect();
    return w.mapAt === null ? null : w.mapAt - w.clickAt;
}"""

# Route tables of the Routes tab: each <h4> heading and the "order" column of the
# table after it, in stop order.
_ROUTES_JS = """(root) => {
    const out = [];
    for (const h of root.querySelectorAll('h4')) {
        let t = h.nextElementSibling;
        while (t && t.tagName !== 'TABLE' && t.tagName !== 'H4') t = t.nextElementSibling;
        if (!t || t.tagName !== 'TABLE') continue;
        const heads = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
        const col = heads.indexOf('order');
        const orders = [];
        for (const tr of t.querySelectorAll('tbody tr')) {
            const cells = tr.querySelectorAll('td,th');
            const v = col >= 0 && cells[col] ? cells[col].innerText.trim() : '';
            if (/^\\d+$/.test(v)) orders.push(Number(v));
        }
        out.push({heading: h.innerText, orders});
    }
    return out;
}"""

# Leaflet maps in an element that are not inside another map (an inset map lives inside
# its main map), and the SVG path data of the main maps' vector layers.
_MAPS_JS = """(root) => {
    const maps = [...root.querySelectorAll('.leaflet-container')]
        .filter(m => !m.parentElement.closest('.leaflet-container'));
    const paths = [];
    for (const m of maps) {
        for (const p of m.querySelectorAll('path.leaflet-interactive')) {
            if (p.closest('.leaflet-container') === m) paths.push(p.getAttribute('d'));
        }
    }
    const count = m => m.querySelectorAll('.leaflet-interactive').length;
    const interactive = maps.reduce((n, m) => n + count(m), 0);
    return {maps: maps.length, paths, interactive};
}"""


def clean(text: str) -> str:
    """Text with non-breaking spaces (ipywidgets puts them in option labels) made plain."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


@dataclass(frozen=True)
class Action:
    """What one click led to, as shown in the status line."""

    button: str
    seconds: float  # from the click event to the status line's final text (browser clock)
    status: str
    statuses: tuple[str, ...]  # every text the status line showed, the first before the click
    map_seconds: float | None = None  # click to the map's last change (if waited for)

    @property
    def served(self) -> int | None:
        """Served orders in the final status, if it reports them."""
        m = SERVED.search(self.status)
        return int(m.group(1).replace(",", "")) if m else None

    @property
    def orders(self) -> int | None:
        """The day's open orders in the final status, if it reports them."""
        m = SERVED.search(self.status)
        return int(m.group(2).replace(",", "")) if m else None


def total_cost(status: str) -> float | None:
    """The plan's total cost from a status line (``"... = 40,601 TWD"``, else the first cost)."""
    m = re.search(r"=\s*" + _TWD, status) or re.search(r"cost\s+" + _TWD, status)
    return float(m.group(1).replace(",", "")) if m else None


@dataclass(frozen=True)
class MapState:
    """The panel's map as drawn: top-level maps, their route paths, interactive layers."""

    maps: int
    paths: tuple[str, ...]
    interactive: int


class _PanelUI:
    """Common parts: the panel's output area, its buttons and its status line."""

    #: A button whose name identifies the panel's output area.
    anchor: re.Pattern[str]

    def __init__(self, nb: NotebookPage, status_after: str) -> None:
        self.nb = nb
        self.page = nb.page
        self.root: Locator = self.page.locator(
            ".jp-OutputArea-output", has=self.page.get_by_role("button", name=self.anchor)
        ).last
        # The status line is the first HTML widget after the box holding ``status_after``.
        self.status_line: Locator = self.root.locator(
            f'.widget-box:has(button:has-text("{status_after}")) + .widget-html'
        ).first

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Wait until the panel is drawn (widgets render after the cell has run)."""
        self.button(self.anchor).first.wait_for(state="visible", timeout=timeout_s * 1000)
        self.status_line.wait_for(state="visible", timeout=timeout_s * 1000)

    def button(self, name: str | re.Pattern[str]) -> Locator:
        """The panel's button whose name contains ``name`` (a regex or plain words)."""
        pattern = name if isinstance(name, re.Pattern) else re.compile(re.escape(name))
        return self.root.get_by_role("button", name=pattern)

    def status(self) -> str:
        """The status line's text."""
        return clean(self.status_line.inner_text())

    def status_is_error(self) -> bool:
        """Whether the status line shows an error (red text or an exception's name)."""
        html = self.status_line.inner_html()
        return bool(ERROR_HTML.search(html) or ERROR_TEXT.search(self.status()))

    def click(
        self, name: str | re.Pattern[str], timeout_s: float = 120.0, *, wait_map: bool = False
    ) -> Action:
        """Click a button and wait until the status line shows the outcome.

        The outcome is the status line's text once it changed (or passed through a busy
        text like "Optimizing…") and is no longer busy, and the panel can be clicked again.
        Times are measured in the browser, from the click event to that text and, with
        ``wait_map``, to the map's last change (waiting until it is quiet for a second).
        """
        button = self.button(name).first
        button.wait_for(state="visible", timeout=30_000)
        self.page.wait_for_function(
            "(b) => !b.disabled", arg=button.element_handle(), timeout=timeout_s * 1000
        )
        self.page.evaluate(
            _WATCH_JS,
            [
                self.status_line.element_handle(),
                button.element_handle(),
                self.root.element_handle(),
            ],
        )
        button.click()
        self.page.wait_for_function(
            _SETTLED_JS, arg=BUSY.pattern, timeout=timeout_s * 1000, polling=100
        )
        got: dict[str, Any] = self.page.evaluate(_RESULT_JS)
        # Wait for the panel to accept clicks again (buttons are disabled during a run;
        # the one clicked may stay disabled, e.g. Unlock all with nothing left to unlock).
        main = self.button(self.anchor).first
        self.page.wait_for_function("(b) => !b.disabled", arg=main.element_handle(), timeout=30_000)
        map_ms = None
        if wait_map:
            self.page.wait_for_function(_MAP_QUIET_JS, arg=1000, timeout=60_000, polling=100)
            map_ms = self.page.evaluate(_MAP_RESULT_JS)
        else:
            self.page.evaluate("() => window.__lgWatch.mapObserver.disconnect()")
        return Action(
            button=str(name if isinstance(name, str) else name.pattern),
            seconds=(got["doneAt"] - got["clickAt"]) / 1000.0,
            status=clean(got["text"]),
            statuses=tuple(clean(t) for t in got["log"]),
            map_seconds=None if map_ms is None else float(map_ms) / 1000.0,
        )


class PlanningPanelUI(_PanelUI):
    """The planning panel of ``01_daily_plan`` in the browser."""

    anchor = re.compile(r"Optimize")

    def __init__(self, nb: NotebookPage) -> None:
        super().__init__(nb, status_after="Optimize")

    # -- reading the screen -------------------------------------------------

    def map_state(self) -> MapState:
        """The panel's maps as drawn now."""
        got = self.root.evaluate(_MAPS_JS)
        return MapState(got["maps"], tuple(got["paths"]), int(got["interactive"]))

    def wait_for_map(self, timeout_s: float = 30.0) -> MapState:
        """The map once its route paths are drawn and have stopped changing."""
        deadline = time.monotonic() + timeout_s
        last = self.map_state()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.map_state()
            if now == last and now.paths:
                return now
            last = now
        return last

    def layer_names(self) -> list[str]:
        """The overlay names the map's layers control lists (it is opened by hovering)."""
        control = self.root.locator(".leaflet-control-layers").first
        control.hover()
        labels = control.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        return [x.strip() for x in labels if x.strip()]

    def click_stop(self, timeout_s: float = 15.0) -> str:
        """Click the first numbered stop on the map; the text of the popup it opens."""
        self.tab("Map")
        main_map = self.root.locator(".leaflet-container").first
        marker = main_map.locator(".leaflet-marker-icon").filter(has_text=re.compile(r"^\d+$"))
        # Markers overlap in town: a click at a marker's centre may land on another one,
        # so the click is sent to this marker's element itself.
        marker.first.dispatch_event("click")
        popup = self.root.locator(".leaflet-popup-content").first
        popup.wait_for(state="visible", timeout=timeout_s * 1000)
        return clean(popup.inner_text())

    def tab(self, name: str) -> None:
        """Open one of the panel's tabs (Map, Routes, Timeline, Not planned)."""
        self.root.get_by_role("tab", name=re.compile(re.escape(name))).first.click()

    def routes(self) -> list[tuple[str, list[int]]]:
        """The Routes tab: each route's heading and its order numbers in stop order."""
        self.tab("Routes")
        self.root.locator("h4").first.wait_for(state="visible", timeout=30_000)
        got = self.root.evaluate(_ROUTES_JS)
        self.tab("Map")
        return [(clean(r["heading"]), [int(o) for o in r["orders"]]) for r in got]

    def routes_by_vehicle(self) -> dict[str, list[int]]:
        """The Routes tab as ``{vehicle name: [order ids in stop order]}``.

        Headings read ``"Route 3 · <vehicle> · <driver> · ..."``.
        """
        out: dict[str, list[int]] = {}
        for heading, orders in self.routes():
            parts = [p.strip() for p in heading.split("·")]
            if len(parts) >= 2:
                out[parts[1]] = orders
        return out

    def vehicle_types(self) -> dict[str, str]:
        """``{vehicle name: type}`` from the fleet checkboxes (``"NAME · TYPE · DRIVER"``)."""
        out: dict[str, str] = {}
        for text in self.root.locator(".widget-checkbox").all_inner_texts():
            parts = [p.strip() for p in clean(text).split("·")]
            if len(parts) >= 2:
                out[parts[0]] = parts[1]
        return out

    def move_candidates(self) -> list[tuple[int, str, str]]:
        """Plausible moves ``(order, from vehicle, to vehicle)``, the likeliest to fit first.

        Orders from the middle of the longest routes, to the other vehicles of the same
        type with the most room: the earliest return to the depot, then the least load
        (the Routes tab's headings give each route's ``HH:MM–HH:MM`` and kg).
        """
        types = self.vehicle_types()
        routes: dict[str, list[int]] = {}
        room: dict[str, tuple[str, float]] = {}
        for heading, orders in self.routes():
            parts = [p.strip() for p in heading.split("·")]
            if len(parts) < 2 or not orders:
                continue
            routes[parts[1]] = orders
            kg = re.search(r"([\d,.]+)\s*kg\b", heading)
            span = re.search(r"\d\d:\d\d\s*[–-]\s*(\d\d:\d\d)", heading)
            room[parts[1]] = (
                span.group(1) if span else "99:99",
                float(kg.group(1).replace(",", "")) if kg else float(len(orders)),
            )
        out = []
        for source in sorted(routes, key=lambda v: -len(routes[v])):
            same = [v for v in routes if v != source and types.get(v) == types.get(source)]
            for target in sorted(same, key=lambda v: room[v]):
                out.append((routes[source][len(routes[source]) // 2], source, target))
        if not out:
            raise AssertionError(f"no two routes of one vehicle type among {list(routes)}")
        return out

    def pick_move(self, order: int, vehicle: str) -> None:
        """Choose ``order`` in the Order picker and ``vehicle`` in the "to" picker."""
        self.choose("Order", re.compile(rf"^#{order}\b"))
        self.choose("to", re.compile(rf"^{re.escape(vehicle)}$"))

    def dropdown(self, label: str) -> Locator:
        """A ``<select>`` of the panel by its visible label."""
        return self.root.get_by_label(label, exact=True)

    def options(self, label: str) -> list[str]:
        """The visible option labels of a dropdown (non-breaking spaces kept)."""
        return self.dropdown(label).locator("option").all_inner_texts()

    def choose(self, label: str, option_matches: re.Pattern[str]) -> str:
        """Choose the first option whose label matches; returns that label (cleaned)."""
        for text in self.options(label):
            if option_matches.search(clean(text)):
                self.dropdown(label).select_option(label=text)
                return clean(text)
        raise AssertionError(
            f"no option of {label!r} matches {option_matches.pattern!r}: "
            f"{[clean(t) for t in self.options(label)][:20]}"
        )

    def set_number(self, label: str, value: int) -> None:
        """Type a number into a labelled number box and commit it (Tab)."""
        box = self.root.get_by_label(label, exact=True)
        box.fill(str(value))
        box.press("Tab")

    def kernel_widget_count(self) -> int:
        """How many widget objects the notebook's kernel holds."""
        code = (
            "import warnings\n"
            "with warnings.catch_warnings():\n"
            "    warnings.simplefilter('ignore')\n"
            "    from ipywidgets.widgets import widget as _lg_w\n"
            "    print(len(_lg_w._instances))\n"
        )
        return int(self.nb.kernel_eval(code).strip().splitlines()[-1])


class ScenarioPanelUI(_PanelUI):
    """The scenario panel of ``02_what_if`` in the browser."""

    anchor = re.compile(r"^\W*Run\s*$")

    def __init__(self, nb: NotebookPage) -> None:
        super().__init__(nb, status_after="Run")

    def results_table(self) -> Locator:
        """The comparison table(s) the panel shows after a run."""
        return self.root.locator("table")
