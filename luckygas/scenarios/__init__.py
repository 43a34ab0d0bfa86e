"""What-if scenarios: change a day's problem, run many at once, compare the plans.

>>> from luckygas.scenarios import Scenario, run_scenarios, compare_kpis  # doctest: +SKIP
"""

from luckygas.scenarios.changes import PRESETS as PRESETS
from luckygas.scenarios.changes import AddVehicles as AddVehicles
from luckygas.scenarios.changes import Scenario as Scenario
from luckygas.scenarios.changes import preset as preset
from luckygas.scenarios.changes import scale_demand as scale_demand
from luckygas.scenarios.changes import widen_windows as widen_windows
from luckygas.scenarios.cluster import dask_executor as dask_executor
from luckygas.scenarios.compare import compare_kpis as compare_kpis
from luckygas.scenarios.compare import diff_summary as diff_summary
from luckygas.scenarios.compare import order_diff as order_diff
from luckygas.scenarios.compare import tradeoff_chart as tradeoff_chart
from luckygas.scenarios.runner import SWEEP_SETTINGS as SWEEP_SETTINGS
from luckygas.scenarios.runner import run_scenarios as run_scenarios
from luckygas.scenarios.runner import sweep as sweep
from luckygas.scenarios.runner import sweep_scenario as sweep_scenario

__all__ = [
    "PRESETS",
    "SWEEP_SETTINGS",
    "AddVehicles",
    "Scenario",
    "compare_kpis",
    "dask_executor",
    "diff_summary",
    "order_diff",
    "preset",
    "run_scenarios",
    "scale_demand",
    "sweep",
    "sweep_scenario",
    "tradeoff_chart",
    "widen_windows",
]
