"""What a plan was computed from, order by order: a short content digest per order.

A saved plan keeps these digests so that later, when colleagues have added, cancelled or
edited orders of the same day, the service layer (:mod:`luckygas.staleness`) can say which
orders changed since, by building the day's problem again and comparing digests.
:meth:`RoutingProblem.fingerprint` answers only "same input or not" for the whole day;
a digest per order names the orders that differ.

Pure functions of the problem: no database here (``luckygas.optimize`` never imports
SQLAlchemy or the models).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from luckygas.optimize.problem import Order, RoutingProblem

#: Hex characters kept of each sha256: 64 bits tell a few hundred orders apart with room
#: to spare and keep a plan's stored digests small (~30 bytes per order).
DIGEST_CHARS = 16


def order_digest(order: Order) -> str:
    """The digest of one order's plan-relevant content.

    Parameters
    ----------
    order
        The order as the optimizer saw it.

    Returns
    -------
    str
        :data:`DIGEST_CHARS` hex characters; equal for two orders exactly when every
        field that can change a plan is equal.

    Notes
    -----
    Hashed: customer, quantities per size class, time windows, priority, optional,
    closed reason, location, and the three fields that also change feasibility or cost
    (vehicle requirement, drop penalty, service-time override). Left out on purpose:
    ``pinned_vehicle_id`` (a pin is a panel setting, not a change to the order), and
    names, address and notes (they change what a sheet prints, not the routes).
    """
    text = json.dumps(_plan_fields(order), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]


def order_digests(problem: RoutingProblem) -> dict[int, str]:
    """The digest of every order of ``problem``, keyed by order id.

    Parameters
    ----------
    problem
        The problem a plan was (or is about to be) computed from.

    Returns
    -------
    dict[int, str]
        ``order_id -> digest`` (see :func:`order_digest`), in the problem's order.
    """
    return {o.id: order_digest(o) for o in problem.orders}


def _plan_fields(order: Order) -> dict[str, Any]:
    """The fields of ``order`` that matter to a plan, as plain JSON values."""
    location = None if order.location is None else [order.location.lat, order.location.lng]
    return {
        "customer_id": order.customer_id,
        # Keys as strings: JSON object keys are strings, and sorted() then orders them stably.
        "demand": {str(kg): n for kg, n in sorted(order.demand.items())},
        "windows": [list(w) for w in order.windows],
        "priority": str(order.priority.value),
        "optional": order.optional,
        "closed_reason": order.closed_reason,
        "location": location,
        "requirement": str(order.requirement.value),
        "penalty": order.penalty,
        "service_s": order.service_s,
    }
