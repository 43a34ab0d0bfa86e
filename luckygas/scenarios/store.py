"""Scenarios in the database: save/load by name, and record each run as a draft plan.

A scenario row holds only the *changes* (JSON), never a day's data, so one scenario
("one truck fewer") is reused on any day. Each run is saved with the lead's
:func:`luckygas.bridge.persist.save_plan` as a draft plan linked by ``scenario_id``;
the plan carries the run record (solver, parameters, seed, input fingerprint, wall time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.audit import Action, authorize
from luckygas.domain import hhmm_from_minutes
from luckygas.scenarios.changes import PRESETS, Scenario, preset

if TYPE_CHECKING:
    from luckygas.optimize.problem import RoutingProblem
    from luckygas.optimize.result import PlanResult

#: Draft plans of scenario runs are named ``"<prefix><scenario name>"``.
PLAN_NAME_PREFIX = "scenario "


def _row(session: Session, name: str) -> m.Scenario | None:
    return session.scalars(select(m.Scenario).where(m.Scenario.name == name)).first()


def save_scenario(session: Session, scenario: Scenario, *, replace: bool = False) -> m.Scenario:
    """Store ``scenario`` (flushed, so the row has an id; the caller commits).

    Parameters
    ----------
    session
        Open session; ``session.info["user"]`` is recorded as the author.
    scenario
        The scenario to store.
    replace
        Overwrite the changes and description of an existing scenario of that name.

    Returns
    -------
    models.Scenario

    Raises
    ------
    ValueError
        If the name is taken and ``replace`` is false.
    luckygas.audit.RoleError
        If the user may not save scenarios (dispatcher and above may).
    """
    authorize(session, Action.EDIT_SCENARIOS)
    user = session.info.get("user")
    row = _row(session, scenario.name)
    if row is not None and not replace:
        raise ValueError(
            f"A scenario named {scenario.name!r} already exists "
            f"(by {row.created_by or 'unknown'}); choose another name or replace it."
        )
    if row is None:
        row = m.Scenario(name=scenario.name)
        if user:
            row.created_by = user
        session.add(row)
    elif user:
        row.updated_by = user
    row.description = scenario.description
    row.changes = scenario.to_changes()
    session.flush()
    return row


def load_scenario(session: Session, name: str) -> Scenario:
    """The stored scenario ``name``.

    Raises
    ------
    LookupError
        If no scenario has that name (the message lists the stored names).
    ValueError
        If the stored changes are no longer valid.
    """
    row = _row(session, name)
    if row is None:
        names = list(session.scalars(select(m.Scenario.name).order_by(m.Scenario.name)))
        raise LookupError(f"No scenario named {name!r}; stored: {', '.join(names) or 'none'}.")
    return Scenario.from_changes(row.name, row.changes or {}, row.description or "")


def resolve_scenarios(
    session: Session | None, names: Sequence[str], problem: RoutingProblem | None = None
) -> list[Scenario]:
    """Scenarios by name: stored ones first, else built-in presets.

    Raises
    ------
    LookupError
        Naming every name that is neither stored nor a preset.
    """
    out, missing = [], []
    for name in names:
        row = _row(session, name) if session is not None else None
        if row is not None:
            out.append(Scenario.from_changes(row.name, row.changes or {}, row.description or ""))
        elif name in PRESETS:
            out.append(preset(name, problem))
        else:
            missing.append(name)
    if missing:
        stored = [] if session is None else list(session.scalars(select(m.Scenario.name)))
        raise LookupError(
            f"Unknown scenario(s) {missing}; stored: {', '.join(sorted(stored)) or 'none'}; "
            f"built in: {', '.join(PRESETS)}."
        )
    return out


def _count_of(n: int, kind: str) -> str:
    words = kind.replace("_", " ")
    return f"{n} {words}{'s' if n != 1 else ''}"


def describe_changes(scenario: Scenario) -> str:
    """The scenario's changes as a sentence, e.g. ``"Remove 1 light truck."``.

    :meth:`Scenario.describe` is terse and prints dicts as Python; this is for people.
    """
    parts = []
    for key, value in scenario.to_changes().items():
        if key == "remove_vehicle_types":
            parts.append("remove " + ", ".join(_count_of(n, t) for t, n in value.items()))
        elif key == "vehicle_counts":
            parts.append("fleet of " + ", ".join(_count_of(n, t) for t, n in value.items()))
        elif key == "add_vehicles":
            parts.append("add " + ", ".join(_count_of(a["count"], a["type"]) for a in value))
        elif key in ("remove_vehicle_ids", "remove_vehicle_names"):
            parts.append("remove vehicles " + ", ".join(str(v) for v in value))
        elif key == "extra_orders":
            parts.append(f"add {len(value)} extra order{'s' if len(value) != 1 else ''}")
        elif key == "demand_multiplier":
            parts.append(f"every order × {value:g}")
        elif key == "window_widen_min":
            parts.append(f"time windows widened by {value} min on each side")
        elif key == "speed_factor":
            parts.append(f"driving speed × {value:g}")
        elif key == "service_time_factor":
            parts.append(f"service time × {value:g}")
        elif key.endswith("_min") and isinstance(value, int):
            words = key.removesuffix("_min").replace("_", " ")
            if key.endswith(("start_min", "end_min", "earliest_min", "latest_min")):
                parts.append(f"{words} {hhmm_from_minutes(value)}")  # a clock time
            else:
                parts.append(f"{words} {value} min")
        elif isinstance(value, dict):
            inner = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
            parts.append(f"{key.replace('_', ' ')}: {inner}")
        else:
            parts.append(f"{key.replace('_', ' ')} {value}")
    text = "; ".join(parts) or "no change"
    return text[0].upper() + text[1:] + "."


def list_scenarios(session: Session) -> pd.DataFrame:
    """Stored scenarios: ``name, description, changes (one line), created_by, created_at``."""
    rows = session.scalars(select(m.Scenario).order_by(m.Scenario.name))
    data = []
    for r in rows:
        try:
            what = describe_changes(Scenario.from_changes(r.name, r.changes or {}))
        except ValueError as exc:
            what = f"INVALID: {exc}"
        data.append(
            {
                "name": r.name,
                "description": r.description,
                "changes": what,
                "created_by": r.created_by,
                "created_at": r.created_at,
            }
        )
    return pd.DataFrame(
        data, columns=["name", "description", "changes", "created_by", "created_at"]
    )


def delete_scenario(session: Session, name: str) -> None:
    """Delete a stored scenario (its plans keep existing, unlinked).

    Raises
    ------
    LookupError
        If there is no such scenario.
    luckygas.audit.RoleError
        If the user may not delete scenarios (dispatcher and above may).
    """
    authorize(session, Action.EDIT_SCENARIOS)
    row = _row(session, name)
    if row is None:
        raise LookupError(f"No scenario named {name!r}.")
    session.delete(row)
    session.flush()


def save_scenario_result(
    session: Session, problem: RoutingProblem, scenario: Scenario, result: PlanResult
) -> m.Plan:
    """Save one scenario run as a draft plan linked to the (stored) scenario.

    The scenario is stored first if it is not in the database yet (presets included),
    so every saved run can be traced to its changes. ``problem`` is the *scenario's*
    problem (after :meth:`Scenario.apply`); its date names the plan's day. The plan is
    named ``"scenario <name>"`` (suffixed ``(2)``... by ``save_plan`` when taken).

    Raises
    ------
    luckygas.bridge.persist.PlanSaveError
        If the plan refers to rows that do not exist (vehicles or orders the scenario
        added: only runs on real rows can be saved as plans); nothing is written.
    """
    from luckygas.bridge.persist import PlanSaveError, save_plan

    authorize(session, Action.SAVE_DRAFT)
    row = _row(session, scenario.name)
    try:
        with session.begin_nested():  # all-or-nothing: no orphan scenario row on failure
            row = row or save_scenario(session, scenario)
            return save_plan(
                session, problem, result, name=PLAN_NAME_PREFIX + scenario.name, scenario_id=row.id
            )
    except PlanSaveError as exc:
        raise PlanSaveError(
            f"Scenario {scenario.name!r}: {exc} Vehicles or orders added by a scenario exist "
            "only in it: such a result can be compared but not saved as a plan."
        ) from exc


def latest_scenario_plans(session: Session, day: dt.date) -> pd.DataFrame:
    """The most recent draft plan of each scenario on ``day``: ``scenario, plan_id, created_at``."""
    stmt = (
        select(m.Scenario.name, m.Plan.id, m.Plan.created_at)
        .join(m.Plan, m.Plan.scenario_id == m.Scenario.id)
        .where(m.Plan.plan_date == day)
        .order_by(m.Plan.created_at.desc(), m.Plan.id.desc())
    )
    rows = session.execute(stmt).all()
    df = pd.DataFrame(rows, columns=["scenario", "plan_id", "created_at"])
    return df.drop_duplicates("scenario").reset_index(drop=True)
