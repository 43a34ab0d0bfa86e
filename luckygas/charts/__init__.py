"""matplotlib charts of a plan, of the delivery history and of scenario comparisons.

Every plotting function takes an optional ``ax=`` and returns the
:class:`~matplotlib.figure.Figure` it drew on. Without ``ax`` the figure is created with
:class:`matplotlib.figure.Figure` rather than ``pyplot``, so a notebook shows it exactly
once (as the cell's value) and a long session does not pile up open pyplot figures.

The package is laid out like :mod:`luckygas.maps`: :mod:`~luckygas.charts.style` (colours,
CJK fonts, axes), :mod:`~luckygas.charts.plan`, :mod:`~luckygas.charts.history` and
:mod:`~luckygas.charts.scenarios`.
"""

from luckygas.charts.history import cylinder_mix as cylinder_mix
from luckygas.charts.history import delivery_performance as delivery_performance
from luckygas.charts.history import monthly_volumes as monthly_volumes
from luckygas.charts.history import outcome_rates as outcome_rates
from luckygas.charts.history import volumes_by_zone_month as volumes_by_zone_month
from luckygas.charts.plan import kpis_by_zone as kpis_by_zone
from luckygas.charts.plan import route_loads as route_loads
from luckygas.charts.plan import route_timeline as route_timeline
from luckygas.charts.plan import zone_kpis as zone_kpis
from luckygas.charts.scenarios import DELTA_COLUMNS as DELTA_COLUMNS
from luckygas.charts.scenarios import DELTA_TITLES as DELTA_TITLES
from luckygas.charts.scenarios import VERDICT_COLOURS as VERDICT_COLOURS
from luckygas.charts.scenarios import scenario_deltas as scenario_deltas
from luckygas.charts.style import CJK_FONTS as CJK_FONTS
from luckygas.charts.style import OUTCOME_COLOURS as OUTCOME_COLOURS
from luckygas.charts.style import SEGMENT_COLOURS as SEGMENT_COLOURS
from luckygas.charts.style import SIZE_COLOURS as SIZE_COLOURS
from luckygas.charts.style import font_family as font_family
from luckygas.charts.style import show_figures_in_ipython as show_figures_in_ipython

__all__ = [
    "CJK_FONTS",
    "DELTA_COLUMNS",
    "DELTA_TITLES",
    "OUTCOME_COLOURS",
    "SEGMENT_COLOURS",
    "SIZE_COLOURS",
    "VERDICT_COLOURS",
    "cylinder_mix",
    "delivery_performance",
    "font_family",
    "kpis_by_zone",
    "monthly_volumes",
    "outcome_rates",
    "route_loads",
    "route_timeline",
    "scenario_deltas",
    "show_figures_in_ipython",
    "volumes_by_zone_month",
    "zone_kpis",
]
