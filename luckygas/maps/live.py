"""One plan map that a panel keeps on screen and updates in place after every re-plan.

Building a new :func:`~luckygas.maps.plan_map` per re-plan costs seconds (every marker,
icon and popup is a widget the browser has to create) and, unless closed, leaves every
old widget registered in the kernel: thousands per re-plan on a real day. A
:class:`LivePlanMap` keeps its map, its controls and the view the analyst zoomed to, and
swaps only the plan's layers, closing the old ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipyleaflet as L
import ipywidgets as W

from luckygas.maps.controls import depot_latlng, legend_control, legend_html, new_map
from luckygas.maps.plan import (
    Focus,
    IconPool,
    PlanLayers,
    close_widgets,
    inset_control,
    inset_layers,
    plan_layers,
    plan_views,
)

if TYPE_CHECKING:
    import pandas as pd

    from luckygas.optimize.problem import Depot
    from luckygas.optimize.result import PlanResult

_LEGEND_TITLE = "Routes"


class LivePlanMap:
    """A plan map whose route, unserved and depot layers are replaced in place.

    Layers that show exactly what they showed before (a route the re-plan left alone)
    are kept; the others are built anew and the old ones closed.

    Parameters
    ----------
    customers
        Customer fields for the stop popups (as in :func:`~luckygas.maps.plan_map`).
    basemap
        Basemap (default OpenStreetMap).
    width_px, height_px, focus
        As in :func:`~luckygas.maps.plan_map`; used for the first view only.

    Attributes
    ----------
    map
        The map on screen (``None`` before the first :meth:`show`).
    """

    def __init__(
        self,
        *,
        customers: pd.DataFrame | None = None,
        basemap: Any = None,
        width_px: int = 900,
        height_px: int = 560,
        focus: Focus = "city",
    ) -> None:
        self.customers = customers
        self.basemap = basemap
        self.width_px, self.height_px, self.focus = width_px, height_px, focus
        self.map: L.Map | None = None
        self._layers: PlanLayers | None = None
        self._legend: L.WidgetControl | None = None
        self._inset: L.Map | None = None
        self._inset_lines: list[L.Layer] = []
        self._framed = False  # whether the view was fitted to a plan with stops
        # One popup for the whole map, filled by the clicked marker: markers with popup
        # widgets of their own cannot leave the map cleanly (see plan_layers' on_click).
        self._popup_html = W.HTML()
        self._popup: L.Popup | None = None
        self._icons = IconPool()

    def show(self, result: PlanResult, depot: Depot | tuple[float, float] | None) -> L.Map:
        """Show ``result``: build the map the first time, else swap its plan layers.

        Parameters
        ----------
        result
            The plan to show.
        depot
            The day's depot.

        Returns
        -------
        ipyleaflet.Map
            The same map object on every call, unless the map so far showed no stop (its
            view was a guess): then a new map framed on this plan.
        """
        if self.map is None or not self._framed:
            layers = plan_layers(
                result,
                depot=depot,
                customers=self.customers,
                on_click=self._open_popup,
                icons=self._icons,
            )
            self._build(result, depot, layers)
        else:
            layers = plan_layers(
                result,
                depot=depot,
                customers=self.customers,
                previous=self._layers,
                on_click=self._open_popup,
                icons=self._icons,
            )
            self._swap(layers, depot)
        self._framed = not result.stops.empty
        assert self.map is not None
        return self.map

    def _open_popup(self, location: tuple[float, float], html: str) -> None:
        """Show ``html`` (already escaped) in the map's popup at ``location``."""
        if self._popup is None:
            return
        self._popup_html.value = html
        self._popup.open_popup(location)

    def close(self) -> None:
        """Close the plan layers, the map and its controls (the basemap is left alone)."""
        if self._layers is not None:
            close_widgets(self._layers.layers, keep=self._icons.ids)
        if self._popup is not None:  # its content widget is reused by the next map
            self._popup.close()
            self._popup = None
        close_widgets(self._inset_lines)
        if self.map is not None:
            for control in self.map.controls:
                close_widgets([control])
            self.map.close()
        self.map, self._layers, self._legend, self._inset = None, None, None, None
        self._inset_lines = []

    def _build(
        self,
        result: PlanResult,
        depot: Depot | tuple[float, float] | None,
        layers: PlanLayers,
    ) -> None:
        self.close()
        main, other = plan_views(
            result, depot, width_px=self.width_px, height_px=self.height_px, focus=self.focus
        )
        m = new_map(main, self.basemap, self.height_px)
        m.layers = (*m.layers, *layers.layers)
        m.add(L.LayersControl(position="topright", collapsed=True))
        self._popup = L.Popup(
            location=m.center, child=self._popup_html, close_button=True, max_width=360
        )
        m.add(self._popup)
        self._popup.close_popup()  # added open; it opens on a marker's click
        self._legend = legend_control(layers.legend, title=_LEGEND_TITLE)
        m.add(self._legend)
        if other is not None:
            control = inset_control(
                other[0], layers.paths, depot_latlng(depot), other[1], self.basemap
            )
            m.add(control)
            self._inset = control.widget.children[1]
            self._inset_lines = [x for x in self._inset.layers if not _is_fixed(x)]
        self.map, self._layers = m, layers

    def _swap(self, layers: PlanLayers, depot: Depot | tuple[float, float] | None) -> None:
        assert self.map is not None and self._layers is not None
        old = {id(x) for x in self._layers.layers}
        kept = {id(x) for x in layers.layers}
        # One assignment, so the browser gets one update instead of one per layer.
        base = (x for x in self.map.layers if id(x) not in old)
        self.map.layers = (*base, *layers.layers)
        gone = [x for x in self._layers.layers if id(x) not in kept]
        close_widgets(gone, keep=self._icons.ids)
        if self._legend is not None:
            self._legend.widget.value = legend_html(layers.legend, title=_LEGEND_TITLE)
        if self._inset is not None and layers.paths != self._layers.paths:
            lines = inset_layers(layers.paths, depot_latlng(depot))
            drop = {id(x) for x in self._inset_lines}
            kept = (x for x in self._inset.layers if id(x) not in drop)
            self._inset.layers = (*kept, *lines)
            close_widgets(self._inset_lines)
            self._inset_lines = lines
        self._layers = layers


def _is_fixed(layer: L.Layer) -> bool:
    """The inset's basemap and depot marker stay; its lines and dots are the plan's."""
    return bool(getattr(layer, "base", False)) or isinstance(layer, L.Marker)
