"""`luckygas scenarios` creates, lists, runs, compares and sweeps from the command line."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.cli import main as cli_main
from tests.scenarios.conftest import DB_DAY


def _cli(engine, *argv):
    url = engine.url.render_as_string(hide_password=False)
    return cli_main(["--db", url, "--user", "tester", "scenarios", *argv])


def test_create_and_list(db_day, capsys):
    """create resolves a plate to its vehicle and stores the changes; list shows them."""
    assert (
        _cli(
            db_day,
            "create",
            "no_moto",
            "--remove-vehicle",
            "MC-1",
            "--demand",
            "1.3",
            "--break",
            "12:00-14:00/45",
            "--solver",
            "time_limit_s=3",
        )
        == 0
    )
    with Session(db_day) as s:
        changes = s.scalar(select(m.Scenario.changes))
    assert changes == {
        "remove_vehicle_ids": [2],
        "demand_multiplier": 1.3,
        "break_earliest_min": 720,
        "break_latest_min": 840,
        "break_duration_min": 45,
        "solver": {"time_limit_s": 3},
    }
    assert _cli(db_day, "list") == 0
    out = capsys.readouterr().out
    assert "no_moto" in out and "tester" in out and "Built-in scenarios:" in out
    assert "one_truck_fewer: One four-wheeled vehicle in the workshop. Remove 1 light truck." in out
    assert "{" not in out  # no Python dict reprs for people to decode


def test_create_rejects_bad_input(db_day, capsys):
    """Unknown plates, bad numbers and duplicate names are one-line errors with exit 1."""
    assert _cli(db_day, "create", "x", "--remove-vehicle", "NOPE") == 1
    assert "unknown vehicle plate(s): NOPE" in capsys.readouterr().err
    assert _cli(db_day, "create", "x", "--demand", "0") == 1
    assert "demand_multiplier must be a number" in capsys.readouterr().err
    assert _cli(db_day, "create", "x", "--widen-windows", "30") == 0
    assert _cli(db_day, "create", "x", "--widen-windows", "30") == 1
    assert "already exists" in capsys.readouterr().err


def test_run_compare_and_sweep(db_day, capsys, tmp_path):
    """run saves drafts, compare shows deltas and the stranded order, sweep writes CSV + chart."""
    assert _cli(db_day, "create", "no_moto", "--remove-vehicle", "MC-1") == 0
    common = [
        "--date",
        DB_DAY.isoformat(),
        "--time-limit",
        "1",
        "--deterministic",
        "--workers",
        "1",
        "--quiet",
    ]
    assert _cli(db_day, "run", "baseline", "no_moto", *common) == 0
    out = capsys.readouterr().out
    assert "Saved draft plan" in out and "'scenario no_moto'" in out
    assert _cli(db_day, "compare", "no_moto", "--orders", *common) == 0
    out = capsys.readouterr().out
    assert "Δ unserved" in out and "became_unserved 1" in out and "NO_COMPATIBLE_VEHICLE" in out
    assert "cost incl. unserved (TWD)" in out
    assert "but 1 more order unserved; cost incl. unserved +" in out
    csv, png = tmp_path / "s.csv", tmp_path / "s.png"
    assert (
        _cli(
            db_day,
            "sweep",
            "--setting",
            "fleet_size",
            "--values",
            "1..3",
            "--vehicle-type",
            "light_truck",
            "--csv",
            str(csv),
            "--chart",
            str(png),
            *common,
        )
        == 0
    )
    assert csv.read_text().count("\n") == 4 and png.stat().st_size > 1000
    out = capsys.readouterr().out
    assert "cost incl. unserved (TWD)" in out and "Suggested fleet_size = " in out
    assert _cli(db_day, "run", "ghost", *common) == 1
    assert "Unknown scenario(s) ['ghost']" in capsys.readouterr().err
