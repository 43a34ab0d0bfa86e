"""The PyVRP seed: the driver break on PyVRP's clock, routes that need no repair, and days
the fleet cannot serve whole (the prize run)."""

from __future__ import annotations

import numpy as np
import pytest

from luckygas.optimize import SolverParams, insertion
from luckygas.optimize.model import NumModel
from luckygas.optimize.prepare import prepare
from luckygas.optimize.seeding import (
    PRIZE_RUN_RANGE,
    PRIZE_RUN_UNITS_PER_PRIZE,
    _LunchClock,
    _PyvrpData,
    pyvrp_routes,
)
from luckygas.optimize.synthetic import synthetic_day

from .helpers import H, order, problem, vehicle

M = 60
LUNCH = _LunchClock((11 * H + 30 * M, 12 * H + 30 * M, H), 12 * H, H)


def test_lunch_clock_moves_the_afternoon_an_hour_earlier() -> None:
    """Morning windows stay, afternoon ones move back by the break; shifts shrink by it."""
    assert LUNCH.windows([(9 * H, 12 * H)]) == [(9 * H, 12 * H - 1)]  # ends before the break
    assert LUNCH.windows([(13 * H, 20 * H)]) == [(12 * H, 19 * H)]
    assert LUNCH.windows([(10 * H, 13 * H)]) == [(10 * H, 12 * H)]  # 13:00 = just after it
    assert LUNCH.windows([(8 * H, 10 * H), (16 * H, 20 * H)]) == [(8 * H, 10 * H), (15 * H, 19 * H)]
    assert (LUNCH.start(8 * H), LUNCH.end(18 * H)) == (8 * H, 17 * H)


def test_lunch_clock_keeps_long_services_clear_of_the_break() -> None:
    """A 40 min service may not start at 11:55: the break could then start only at 12:35."""
    wins = LUNCH.windows([(8 * H, 14 * H)], service=40 * M)
    assert wins == [(8 * H, 11 * H + 50 * M), (12 * H, 13 * H)]
    assert LUNCH.windows([(8 * H, 14 * H)], service=10 * M) == [(8 * H, 13 * H)]


def test_lunch_clock_without_breaks_is_the_real_clock() -> None:
    """A fleet without breaks (the Solomon benchmark) sees its windows unchanged."""
    clock = _LunchClock(None)
    assert clock.windows([(0, 230), (500, 900)], service=90) == [(0, 230), (500, 900)]
    assert (clock.start(5), clock.end(86_400)) == (5, 86_400)


@pytest.mark.parametrize("seed", [0, 3])
def test_pyvrp_routes_respect_the_break_without_repair(seed: int) -> None:
    """Every route PyVRP proposes on a 120-order day with lunch breaks is feasible as is.

    Regression: with the break as an optional client with approximate travel (and, on
    smaller days, a shift shortened by the break) one route of these days, and 2-5 of
    11 on the demo day, broke a rule and had to be cut back.
    """
    model = prepare(synthetic_day(120, seed), SolverParams()).model
    assert all(v.break_ for v in model.vehicles)
    sim = insertion.RouteSimulator(model)
    routes = pyvrp_routes(model, 60.0, seed=0, iterations=300)
    assert routes is not None
    assert [v for v, r in enumerate(routes) if r and not sim.feasible(v, r)] == []
    served = sum(1 for r in routes for x in r if not model.is_reload(x))
    assert served == model.n_customers


def _short_shift_day() -> NumModel:
    """Twelve orders on the line world, one truck whose 2 h 5 min shift fits only ten.

    Each order is 10 min of service and k km out (a minute per km): the k nearest orders
    take 2k + 10k minutes, so ten fit (120 min) and eleven do not (132 min).
    """
    orders = [order(k) for k in range(1, 13)]
    truck = vehicle(1, shift_start_s=8 * H, shift_end_s=10 * H + 5 * M)
    return prepare(problem(orders, [truck]), SolverParams()).model


def test_prize_run_penalty_ceiling_follows_the_prizes() -> None:
    """An order's prize outweighs PRIZE_RUN_UNITS_PER_PRIZE units of violation at the
    ceiling, whatever the drop penalty (PyVRP's default ceiling, 100,000 per unit, let a
    10,000 TWD prize pay for only 20 s of time warp on the tight demo day)."""
    for drop in (1_000.0, 10_000.0, 100_000.0):
        model = prepare(
            problem([order(k) for k in range(1, 13)], [vehicle(1)]),
            SolverParams().replace(drop_penalty_normal=drop),
        ).model
        data = _PyvrpData.of(model, prizes_only=True)
        prize = float(np.median([c.prize for c in data.data.clients()]))
        low, high = data.penalty_range()
        assert high == pytest.approx(prize / PRIZE_RUN_UNITS_PER_PRIZE)
        assert low == pytest.approx(high / PRIZE_RUN_RANGE)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_day_the_fleet_cannot_serve_whole_gets_its_most_orders(seed: int) -> None:
    """No plan serves all twelve orders, so the required-client run finds nothing feasible
    and the prize run decides what to leave out: a feasible plan of ten orders."""
    model = _short_shift_day()
    sim = insertion.RouteSimulator(model)
    times = model.time_matrices[model.vehicles[0].time_key]
    nearest = sorted(range(1, model.n_nodes), key=lambda i: times[0][i])
    assert sim.feasible(0, nearest[:10]) and not sim.feasible(0, nearest[:11])
    routes = pyvrp_routes(model, 1.5, seed=seed)
    assert routes is not None
    assert [v for v, r in enumerate(routes) if r and not sim.feasible(v, r)] == []
    assert sum(1 for r in routes for x in r if not model.is_reload(x)) == 10
