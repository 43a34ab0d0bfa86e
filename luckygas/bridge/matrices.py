"""A day's travel matrix as a table, to check it against another router.

One row per ordered pair of the day's places (the depot and each located customer with an
open order), with metres and seconds per vehicle type, from the road graph when one is
imported and the great-circle model otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from luckygas.bridge.adapter import build_problem
from luckygas.domain import VehicleType
from luckygas.optimize.matrix import default_matrix
from luckygas.optimize.problem import Order
from luckygas.optimize.roadmatrix import RoadMatrix

if TYPE_CHECKING:
    import pandas as pd


def day_matrix(session: Session, day: dt.date, *, roads: bool = True) -> tuple[pd.DataFrame, str]:
    """The matrix of ``day``'s places, long format, and the matrix's description.

    Parameters
    ----------
    session
        Any session (only reads).
    day
        Delivery date.
    roads
        Use the imported road graph when there is one.

    Returns
    -------
    (pandas.DataFrame, str)
        Columns ``from_kind, from_id, from_name, to_kind, to_id, to_name`` (kind
        ``depot`` or ``customer``; the depot's id, else the customer id, as
        :class:`~luckygas.optimize.matrix.UserMatrix` reads them back), then
        ``distance_m_<type>`` and ``duration_s_<type>`` for each vehicle type; and e.g.
        ``"RoadMatrix(graph=…)"``.
    """
    import pandas as pd

    problem = build_problem(session, day, roads=roads)
    first: dict[int, Order] = {}  # one order per customer: several share a place
    for o in problem.orders:
        if o.location is not None:
            first.setdefault(o.customer_id, o)
    ids = [problem.depot.id, *first]
    names = [problem.depot.name, *(o.customer_name for o in first.values())]
    matrix = problem.matrix or default_matrix()
    n = len(ids)
    frm, to = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    kinds = np.array(["depot"] + ["customer"] * (n - 1), dtype=object)
    columns: dict[str, object] = {
        "from_kind": kinds[frm],
        "from_id": np.array(ids)[frm],
        "from_name": np.array(names, dtype=object)[frm],
        "to_kind": kinds[to],
        "to_id": np.array(ids)[to],
        "to_name": np.array(names, dtype=object)[to],
    }
    if isinstance(matrix, RoadMatrix):
        locations = [problem.depot.location, *(o.location for o in first.values())]
        tables = matrix.tables([(p.lat, p.lng) for p in locations if p is not None])
        for t in VehicleType:
            columns[f"distance_m_{t.value}"] = tables.distance_m[t].ravel()
            columns[f"duration_s_{t.value}"] = tables.duration_s[t].ravel()
    else:  # one distance for every type
        md = matrix.build(problem.depot, list(first.values()))
        for t in VehicleType:
            columns[f"distance_m_{t.value}"] = md.distance_m.ravel()
            columns[f"duration_s_{t.value}"] = md.duration_s[t].ravel()
    frame = pd.DataFrame(columns)
    # By position, not id: the depot's id may equal a customer's.
    return frame[frm != to].reset_index(drop=True), matrix.describe()
