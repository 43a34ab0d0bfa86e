"""Turn raw delivery rows into refills and the intervals between them.

Every forecasting function starts here, so the rules live in one place:

* only successful deliveries (``outcome == "delivered"``) refill the customer;
* several deliveries to one customer on one day count as one refill (their kg and
  residual gas are summed);
* the gas actually *used* between two refills is the kg delivered at the earlier one
  minus the residual gas (退氣) found in the cylinders returned at the later one: gas
  left in returned cylinders was never burnt;
* for flow-metered customers the meter reading taken at the later refill
  (``flow_kg``, gas billed since the previous reading) *is* the gas used, so it wins
  whenever it is positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from luckygas.domain import SIZE_CLASSES_KG, DeliveryOutcome

QTY_COLUMNS: tuple[str, ...] = tuple(f"qty_{kg}kg" for kg in SIZE_CLASSES_KG)
REQUIRED_COLUMNS: tuple[str, ...] = ("customer_id", "delivered_on", *QTY_COLUMNS)

#: Columns of :func:`prepare_refills` output.
REFILL_COLUMNS: tuple[str, ...] = (
    "customer_id", "day", "delivered_kg", "residual_kg", "flow_kg",
)  # fmt: skip


def _day(values: object) -> np.ndarray:
    """Dates (python dates, strings, timestamps) as ``datetime64[D]``."""
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


def to_day(value: object) -> np.datetime64:
    """One date-like value as ``numpy.datetime64`` with day resolution."""
    return np.datetime64(pd.Timestamp(value).date(), "D")


def validate_deliveries(deliveries: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the row and field of the first bad delivery value.

    Parameters
    ----------
    deliveries
        Rows shaped like the ``deliveries`` table.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in deliveries.columns]
    if missing:
        raise ValueError(f"deliveries: missing column(s) {', '.join(missing)}")
    for col in ("customer_id", "delivered_on"):
        bad = deliveries[col].isna()
        if bad.any():
            raise ValueError(f"deliveries row {deliveries.index[bad][0]}: {col} is empty")
    numeric = [*QTY_COLUMNS, "residual_kg", "flow_kg"]
    for col in (c for c in numeric if c in deliveries.columns):
        values = pd.to_numeric(deliveries[col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = deliveries.index[bad][0]
            raise ValueError(
                f"deliveries row {row}: {col}={deliveries.at[row, col]!r} "
                "is not a non-negative number"
            )


def prepare_refills(deliveries: pd.DataFrame, before: object | None = None) -> pd.DataFrame:
    """Successful refills per customer and day, sorted.

    Parameters
    ----------
    deliveries
        Rows shaped like the ``deliveries`` table: ``customer_id``, ``delivered_on``,
        ``qty_50kg`` ... ``qty_4kg``; optional ``residual_kg`` and ``outcome``.
    before
        Keep only deliveries strictly before this date (what was known when planning it).

    Returns
    -------
    DataFrame
        ``customer_id``, ``day`` (``datetime64[D]`` values), ``delivered_kg``,
        ``residual_kg``, ``flow_kg``; days with nothing delivered are dropped.
    """
    validate_deliveries(deliveries)
    frame = deliveries
    if "outcome" in frame.columns:
        ok = frame["outcome"].astype(str).str.lower() == DeliveryOutcome.DELIVERED.value
        frame = frame[ok]
    day = _day(frame["delivered_on"])
    kg = np.zeros(len(frame))
    for col, size in zip(QTY_COLUMNS, SIZE_CLASSES_KG, strict=True):
        kg += frame[col].to_numpy(dtype=float) * size
    zeros = np.zeros(len(frame))
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(dtype=np.int64),
            "day": day,
            "delivered_kg": kg,
            "residual_kg": frame["residual_kg"].to_numpy(dtype=float)
            if "residual_kg" in frame.columns
            else zeros,
            "flow_kg": frame["flow_kg"].fillna(0).to_numpy(dtype=float)
            if "flow_kg" in frame.columns
            else zeros,
        }
    )
    if before is not None:
        out = out[out["day"].to_numpy() < to_day(before)]
    out = out.groupby(["customer_id", "day"], as_index=False, sort=True)[
        ["delivered_kg", "residual_kg", "flow_kg"]
    ].sum()
    return out[out["delivered_kg"] > 0].reset_index(drop=True)


def refill_intervals(refills: pd.DataFrame) -> pd.DataFrame:
    """The intervals between consecutive refills of each customer, with the gas used.

    Parameters
    ----------
    refills
        Output of :func:`prepare_refills`.

    Returns
    -------
    DataFrame
        ``customer_id``, ``start``, ``end`` (``datetime64[D]``), ``days``,
        ``start_kg`` (delivered at ``start``), ``residual_end_kg`` (found at ``end``) and
        ``used_kg``: the flow-meter reading at ``end`` when positive, else
        ``max(start_kg - residual_end_kg, 0)``.
    """
    cid = refills["customer_id"].to_numpy()
    day = refills["day"].to_numpy().astype("datetime64[D]")
    same = np.zeros(len(refills), dtype=bool)
    same[:-1] = cid[:-1] == cid[1:]
    idx = np.flatnonzero(same)
    start_kg = refills["delivered_kg"].to_numpy()[idx]
    residual_end = refills["residual_kg"].to_numpy()[idx + 1]
    metered = refills["flow_kg"].to_numpy()[idx + 1] if "flow_kg" in refills else np.zeros(len(idx))
    used = np.where(metered > 0, metered, np.maximum(start_kg - residual_end, 0.0))
    return pd.DataFrame(
        {
            "customer_id": cid[idx],
            "start": day[idx],
            "end": day[idx + 1],
            "days": (day[idx + 1] - day[idx]).astype(np.int64),
            "start_kg": start_kg,
            "residual_end_kg": residual_end,
            "used_kg": used,
        }
    )
