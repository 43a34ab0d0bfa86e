"""luckygas: a route-planning workbench for Lucky Gas (幸福氣), an LPG distributor in Taitung.

Notebooks write ``import luckygas as lg`` and reach the public API from here.

The names are imported lazily so ``import luckygas`` (the command line) stays fast: eager
imports would pull in OR-Tools, pandas, SQLAlchemy and the Jupyter widgets, several seconds
before the CLI can print ``--help``. Type checkers and editors read the ``TYPE_CHECKING``
block instead, so they see every name with its real type. ``_EXPORTS`` drives the lazy
look-up; ``tests/test_public_api.py`` checks that it and the ``TYPE_CHECKING`` block list
the same names from the same modules, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from luckygas.bridge.adapter import build_problem
    from luckygas.bridge.persist import latest_plan, load_plan, save_plan
    from luckygas.bridge.planning import next_delivery_day, plan_day, road_background
    from luckygas.db import make_engine, read_session, session_scope, write_session
    from luckygas.forecast import forecast_day
    from luckygas.importers import import_customers, import_history, import_orders
    from luckygas.maps import plan_map
    from luckygas.optimize import PlanResult, RoutingProblem, SolverParams, check_plan, solve
    from luckygas.orders import create_order
    from luckygas.plans import publish_plan
    from luckygas.reports import write_report, write_route_sheets
    from luckygas.scenarios import Scenario, compare_kpis, run_scenarios
    from luckygas.widgets import PlanningPanel, ScenarioPanel

# public name -> module that defines it (the same pairs as the TYPE_CHECKING block above)
_EXPORTS: dict[str, str] = {
    "make_engine": "luckygas.db",
    "session_scope": "luckygas.db",
    "read_session": "luckygas.db",
    "write_session": "luckygas.db",
    "forecast_day": "luckygas.forecast",
    "import_customers": "luckygas.importers",
    "import_history": "luckygas.importers",
    "import_orders": "luckygas.importers",
    "plan_map": "luckygas.maps",
    "PlanResult": "luckygas.optimize",
    "RoutingProblem": "luckygas.optimize",
    "SolverParams": "luckygas.optimize",
    "check_plan": "luckygas.optimize",
    "solve": "luckygas.optimize",
    "build_problem": "luckygas.bridge.adapter",
    "latest_plan": "luckygas.bridge.persist",
    "load_plan": "luckygas.bridge.persist",
    "save_plan": "luckygas.bridge.persist",
    "create_order": "luckygas.orders",
    "next_delivery_day": "luckygas.bridge.planning",
    "plan_day": "luckygas.bridge.planning",
    "road_background": "luckygas.bridge.planning",
    "publish_plan": "luckygas.plans",
    "write_report": "luckygas.reports",
    "write_route_sheets": "luckygas.reports",
    "Scenario": "luckygas.scenarios",
    "compare_kpis": "luckygas.scenarios",
    "run_scenarios": "luckygas.scenarios",
    "PlanningPanel": "luckygas.widgets",
    "ScenarioPanel": "luckygas.widgets",
}

__all__ = [
    "PlanResult",
    "PlanningPanel",
    "RoutingProblem",
    "Scenario",
    "ScenarioPanel",
    "SolverParams",
    "__version__",
    "build_problem",
    "check_plan",
    "compare_kpis",
    "create_order",
    "forecast_day",
    "import_customers",
    "import_history",
    "import_orders",
    "latest_plan",
    "load_plan",
    "make_engine",
    "next_delivery_day",
    "plan_day",
    "plan_map",
    "publish_plan",
    "read_session",
    "road_background",
    "run_scenarios",
    "save_plan",
    "session_scope",
    "solve",
    "write_report",
    "write_route_sheets",
    "write_session",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # cache: later look-ups skip this hook
        return value
    raise AttributeError(f"module 'luckygas' has no attribute {name!r}")


def __dir__() -> list[str]:
    """List the lazy names too, so tab completion in a notebook offers them."""
    return sorted({*globals(), *__all__})
