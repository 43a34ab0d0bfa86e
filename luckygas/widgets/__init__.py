"""Panels for the analyst's notebooks: plan a day, compare what-if scenarios.

Every button calls an ordinary method, so tests and notebooks drive the panels without a
browser. Modules: :mod:`~luckygas.widgets.planning` (:class:`PlanningPanel`),
:mod:`~luckygas.widgets.settings` (its settings and how they change the problem),
:mod:`~luckygas.widgets.render` (HTML tables and PNG charts of a plan) and
:mod:`~luckygas.widgets.scenarios` (:class:`ScenarioPanel` and its tables).
"""

from luckygas.widgets.planning import PlanningPanel as PlanningPanel
from luckygas.widgets.render import kpi_table_html as kpi_table_html
from luckygas.widgets.render import route_tables_html as route_tables_html
from luckygas.widgets.render import unassigned_html as unassigned_html
from luckygas.widgets.scenarios import ScenarioPanel as ScenarioPanel
from luckygas.widgets.scenarios import fleet_sizes_around as fleet_sizes_around
from luckygas.widgets.scenarios import order_diffs as order_diffs
from luckygas.widgets.scenarios import scenario_table as scenario_table
from luckygas.widgets.settings import PanelSettings as PanelSettings
from luckygas.widgets.settings import apply_settings as apply_settings
from luckygas.widgets.settings import routes_of as routes_of

__all__ = [
    "PanelSettings", "PlanningPanel", "ScenarioPanel", "apply_settings", "fleet_sizes_around",
    "kpi_table_html", "order_diffs", "route_tables_html", "routes_of", "scenario_table",
    "unassigned_html",
]  # fmt: skip
