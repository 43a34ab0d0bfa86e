"""Parameters of the demo database: one frozen dataclass, so a seed and a few numbers
fully determine the database that is built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from luckygas.demo.fleet import DEMO_FLEET, VehicleSpec

#: Monthly seasonal factor on gas usage (the earlier system's table, domain.md section 2):
#: winter heating and hot-pot season burn more, the summer months less.
SEASONAL_FACTOR: dict[int, float] = {
    1: 1.20,
    2: 1.15,
    3: 1.05,
    4: 0.95,
    5: 0.85,
    6: 0.80,
    7: 0.80,
    8: 0.80,
    9: 0.85,
    10: 0.95,
    11: 1.05,
    12: 1.15,
}


@dataclass(frozen=True, slots=True)
class DemoParams:
    """Everything that shapes the demo database.

    Parameters
    ----------
    seed
        Seed of every random draw; the same seed gives the same database.
    as_of
        Last day of the delivery history ("today"); the open orders are for ``as_of + 1``.
    history_days
        Length of the delivery history in days, ending on ``as_of``.
    n_customers
        Number of customers (1,267 in the real workbook). Every count taken from the
        real data (zones, flags, rest days, ...) is scaled to this number.
    new_customer_share
        Share of customers who start buying part-way through the history.
    regime_change_share
        Share of customers whose consumption jumps (+40 %, a second stove) or drops
        (-30 %, lunch service closed) on a random day of the history.
    not_home_rate, refused_rate
        Chance that a delivery attempt ends "not home" / "refused" (then retried on the
        next open day).
    n_forecast_orders
        Optional refill orders proposed by a forecast for the delivery day.
    max_open_orders
        At most this many required orders for the delivery day (scaled with
        ``n_customers``); when more customers are due, those with the most gas left
        are left for the day after, as a dispatcher would.
    burn_in_days
        Days simulated before the history starts, so the customers' stocks are
        spread out (not all full) on the first recorded day.
    fleet
        The vehicles with their regular drivers (default :data:`DEMO_FLEET`).
    """

    seed: int = 20261201
    as_of: dt.date = dt.date(2026, 11, 30)
    history_days: int = 731
    n_customers: int = 1267
    new_customer_share: float = 0.04
    regime_change_share: float = 0.12
    not_home_rate: float = 0.02
    refused_rate: float = 0.005
    n_forecast_orders: int = 10
    max_open_orders: int = 220
    burn_in_days: int = 60
    fleet: tuple[VehicleSpec, ...] = DEMO_FLEET

    def __post_init__(self) -> None:
        if isinstance(self.as_of, str):  # allow DemoParams(as_of="2026-11-30")
            object.__setattr__(self, "as_of", dt.date.fromisoformat(self.as_of))
        if not isinstance(self.as_of, dt.date):
            raise ValueError(f"DemoParams.as_of must be a date, got {self.as_of!r}")
        if self.n_customers < 50:
            raise ValueError(f"DemoParams.n_customers must be >= 50, got {self.n_customers}")
        if self.history_days < 30:
            raise ValueError(f"DemoParams.history_days must be >= 30, got {self.history_days}")
        if self.burn_in_days < 0:
            raise ValueError(f"DemoParams.burn_in_days must be >= 0, got {self.burn_in_days}")
        for name in ("new_customer_share", "regime_change_share", "not_home_rate", "refused_rate"):
            value = getattr(self, name)
            if not 0.0 <= value < 0.5:
                raise ValueError(f"DemoParams.{name} must be in [0, 0.5), got {value}")
        if not self.fleet:
            raise ValueError("DemoParams.fleet must hold at least one vehicle")
        if self.max_open_orders < 1:
            raise ValueError(f"DemoParams.max_open_orders must be >= 1, got {self.max_open_orders}")
        if self.n_forecast_orders < 0:
            raise ValueError(
                f"DemoParams.n_forecast_orders must be >= 0, got {self.n_forecast_orders}"
            )

    @property
    def delivery_date(self) -> dt.date:
        """The day the open orders are for (the next delivery day)."""
        return self.as_of + dt.timedelta(days=1)

    @property
    def history_start(self) -> dt.date:
        """First day of the recorded history."""
        return self.as_of - dt.timedelta(days=self.history_days - 1)

    def scale(self, real_count: float) -> float:
        """A count from the 1,267-customer real data, scaled to ``n_customers``."""
        return real_count * self.n_customers / 1267
