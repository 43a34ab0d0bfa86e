"""luckygas: a route-planning workbench for Lucky Gas (幸福氣), an LPG distributor in Taitung.

Notebooks write ``import luckygas as lg`` and reach the public API from here; the
names are imported lazily so the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "make_engine": "luckygas.db",
    "session_scope": "luckygas.db",
    "plan_day": "luckygas.planning",
    "next_delivery_day": "luckygas.planning",
    "build_problem": "luckygas.optimize.adapter",
    "save_plan": "luckygas.optimize.persist",
    "load_plan": "luckygas.optimize.persist",
    "latest_plan": "luckygas.optimize.persist",
    "SolverParams": "luckygas.optimize",
    "RoutingProblem": "luckygas.optimize",
    "PlanResult": "luckygas.optimize",
    "solve": "luckygas.optimize",
    "check_plan": "luckygas.optimize",
    "publish_plan": "luckygas.plans",
    "create_order": "luckygas.orders",
    "plan_map": "luckygas.maps",
    "PlanningPanel": "luckygas.widgets",
    "ScenarioPanel": "luckygas.widgets",
    "Scenario": "luckygas.scenarios",
    "run_scenarios": "luckygas.scenarios",
    "compare_kpis": "luckygas.scenarios",
    "write_report": "luckygas.reports",
    "write_route_sheets": "luckygas.reports",
    "forecast_day": "luckygas.forecast",
    "import_customers": "luckygas.importers",
    "import_orders": "luckygas.importers",
    "import_history": "luckygas.importers",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # cache: later look-ups skip this hook
        return value
    raise AttributeError(f"module 'luckygas' has no attribute {name!r}")
