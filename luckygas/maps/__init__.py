"""ipyleaflet maps of a plan, of the customers by zone and of one day's orders.

Every builder returns an :class:`ipyleaflet.Map` and never displays it, so notebooks show
it as the cell's last expression and tests inspect its layers without a browser.

Two facts about the runtime shape this package:

* ``Map.fit_bounds`` does nothing when a notebook runs headless (papermill, nbval,
  nbconvert), so every map is created with a centre and zoom computed in Python
  (:mod:`luckygas.maps.view`).
* Leaflet inserts layer names, legend entries and popup HTML with ``innerHTML``.
  Everything that comes from data (customer names, addresses, notes, vehicle names) is
  escaped before it reaches a widget (:mod:`luckygas.maps.popups`).

Modules: :mod:`~luckygas.maps.style` (colours, ``hhmm``), :mod:`~luckygas.maps.view`
(centre/zoom), :mod:`~luckygas.maps.popups`, :mod:`~luckygas.maps.controls` (icons,
legend, base map), :mod:`~luckygas.maps.plan` (the plan map and its layers),
:mod:`~luckygas.maps.live` (one plan map updated in place, for the planning panel) and
:mod:`~luckygas.maps.points` (customers and orders).
"""

from luckygas.maps.controls import PlainDivIcon as PlainDivIcon
from luckygas.maps.controls import legend_control as legend_control
from luckygas.maps.controls import legend_html as legend_html
from luckygas.maps.live import LivePlanMap as LivePlanMap
from luckygas.maps.plan import PlanLayers as PlanLayers
from luckygas.maps.plan import close_widgets as close_widgets
from luckygas.maps.plan import plan_layers as plan_layers
from luckygas.maps.plan import plan_map as plan_map
from luckygas.maps.plan import plan_views as plan_views
from luckygas.maps.plan import route_label as route_label
from luckygas.maps.plan import trip_paths as trip_paths
from luckygas.maps.points import customers_map as customers_map
from luckygas.maps.points import orders_map as orders_map
from luckygas.maps.popups import cylinders_text as cylinders_text
from luckygas.maps.popups import stop_popup_html as stop_popup_html
from luckygas.maps.popups import unserved_popup_html as unserved_popup_html
from luckygas.maps.style import DEPOT_COLOUR as DEPOT_COLOUR
from luckygas.maps.style import NO_ZONE_COLOUR as NO_ZONE_COLOUR
from luckygas.maps.style import PRIORITY_COLOURS as PRIORITY_COLOURS
from luckygas.maps.style import ROUTE_PALETTE as ROUTE_PALETTE
from luckygas.maps.style import UNSERVED_COLOUR as UNSERVED_COLOUR
from luckygas.maps.style import ZONE_COLOURS as ZONE_COLOURS
from luckygas.maps.style import hhmm as hhmm
from luckygas.maps.style import route_colours as route_colours
from luckygas.maps.view import MapView as MapView
from luckygas.maps.view import city_view as city_view
from luckygas.maps.view import densest_cluster as densest_cluster
from luckygas.maps.view import fit_view as fit_view
from luckygas.maps.view import pixel_offset as pixel_offset

__all__ = [
    "DEPOT_COLOUR", "NO_ZONE_COLOUR", "PRIORITY_COLOURS", "ROUTE_PALETTE", "UNSERVED_COLOUR",
    "ZONE_COLOURS", "LivePlanMap", "MapView", "PlainDivIcon", "PlanLayers", "city_view",
    "close_widgets", "customers_map", "cylinders_text", "densest_cluster", "fit_view", "hhmm",
    "legend_control", "legend_html", "orders_map", "pixel_offset", "plan_layers", "plan_map",
    "plan_views", "route_colours", "route_label", "stop_popup_html", "trip_paths",
    "unserved_popup_html",
]  # fmt: skip
