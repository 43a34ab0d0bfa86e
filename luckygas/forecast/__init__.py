"""Refill forecasting: consumption per customer, gas left, refill proposals, backtest.

The core functions take and return pandas DataFrames shaped like the database tables, so
they run (and are tested) without a database; :mod:`luckygas.forecast.store` reads the
tables and writes proposals as orders with source ``forecast``.
"""

from luckygas.forecast.backtest import BacktestResult as BacktestResult
from luckygas.forecast.backtest import actual_runouts as actual_runouts
from luckygas.forecast.backtest import backtest as backtest
from luckygas.forecast.backtest import default_cutoffs as default_cutoffs
from luckygas.forecast.consumption import ConsumptionModel as ConsumptionModel
from luckygas.forecast.consumption import ConsumptionParams as ConsumptionParams
from luckygas.forecast.consumption import consumption_changes as consumption_changes
from luckygas.forecast.consumption import estimate_consumption as estimate_consumption
from luckygas.forecast.history import prepare_refills as prepare_refills
from luckygas.forecast.history import refill_intervals as refill_intervals
from luckygas.forecast.naive import naive_forecast as naive_forecast
from luckygas.forecast.outcome import forecast_outcome as forecast_outcome
from luckygas.forecast.plot import plot_customer_forecast as plot_customer_forecast
from luckygas.forecast.proposals import PROPOSAL_COLUMNS as PROPOSAL_COLUMNS
from luckygas.forecast.proposals import ProposalParams as ProposalParams
from luckygas.forecast.proposals import assess_customers as assess_customers
from luckygas.forecast.proposals import propose_refills as propose_refills
from luckygas.forecast.seasonality import NAIVE_MONTHLY_FACTORS as NAIVE_MONTHLY_FACTORS
from luckygas.forecast.seasonality import SeasonalProfile as SeasonalProfile
from luckygas.forecast.seasonality import fit_seasonality as fit_seasonality
from luckygas.forecast.stock import gas_left as gas_left
from luckygas.forecast.stock import level_path as level_path
from luckygas.forecast.store import SaveResult as SaveResult
from luckygas.forecast.store import forecast_day as forecast_day
from luckygas.forecast.store import load_calendar as load_calendar
from luckygas.forecast.store import load_customers as load_customers
from luckygas.forecast.store import load_deliveries as load_deliveries
from luckygas.forecast.store import load_open_orders as load_open_orders
from luckygas.forecast.store import save_proposals as save_proposals
from luckygas.forecast.workdays import DeliveryCalendar as DeliveryCalendar
from luckygas.forecast.workdays import next_chances as next_chances
