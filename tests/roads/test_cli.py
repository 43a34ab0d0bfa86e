"""`luckygas roads import|info|calibrate` and `luckygas matrix` on the test town."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from luckygas import models as m
from luckygas.cli import main
from luckygas.orders import create_order
from tests.factories import add_depot, add_truck
from tests.roads.town import at, write_town

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def url(db_engine):
    """A file database with the depot at W0, a truck, and three customers with orders."""
    with Session(db_engine) as s:
        s.info["user"] = "tester"
        depot = add_depot(s)
        add_truck(s, depot)
        for code, where, zone in [("1700001", "E0", "A"), ("1700002", "G1", "A"),
                                  ("1700003", "Wa", "B")]:  # fmt: skip
            lat, lng = at(where)
            s.add(m.Customer(code=code, short_name=code, address="臺東市", lat=lat, lng=lng,
                             zone_code=zone))  # fmt: skip
            s.flush()
            create_order(s, customer_code=code, delivery_date=DAY, quantities={20: 1})
        s.commit()
    return db_engine.url.render_as_string(hide_password=False)


def test_import_then_info(url, tmp_path, capsys):
    assert main(["--db", url, "roads", "info"]) == 0
    assert "No road graph imported" in capsys.readouterr().out
    path = write_town(tmp_path, "town.osm.pbf")
    assert main(["--db", url, "roads", "import", str(path)]) == 0
    assert "Imported 11 nodes and 21 arcs from town.osm.pbf" in capsys.readouterr().out
    assert main(["--db", url, "roads", "info"]) == 0
    out = capsys.readouterr().out
    assert "11 nodes, 21 arcs" in out and str(path.resolve()) in out and "by tester" in out


def test_a_bad_file_is_one_line(url, tmp_path, capsys):
    bad = tmp_path / "x.osm"
    bad.write_text("not osm at all")
    assert main(["--db", url, "roads", "import", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("luckygas: error: roads import: x.osm is not a readable OpenStreetMap")
    assert err.endswith("nothing was imported") and "\n" not in err
    with pytest.raises(SystemExit):  # argparse: usage and one line
        main(["--db", url, "roads", "import", str(bad), "--bbox", "1,2,3"])
    assert "not S,W,N,E in degrees" in capsys.readouterr().err


def test_calibrate_prints_detour_factors_per_zone(url, tmp_path, capsys):
    assert main(["--db", url, "roads", "calibrate"]) == 1
    assert "no road graph imported" in capsys.readouterr().err
    main(["--db", url, "roads", "import", str(write_town(tmp_path))])
    capsys.readouterr()
    assert main(["--db", url, "roads", "calibrate"]) == 0
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    zone_a = next(row for row in lines if row and row[0] == "A")
    # Depot W0, E0 and G1: W0-E0 crosses the bridge (2634 m for 410 m straight, 6.42), the
    # others are short detours; the median of the pairs over 300 m is well above 1.3.
    assert float(zone_a[4]) > 1.3


def test_matrix_csv(url, tmp_path, capsys):
    out = tmp_path / "m.csv"
    assert main(["--db", url, "matrix", "--date", "2026-12-01", "--output", str(out)]) == 0
    assert "HaversineMatrix" in capsys.readouterr().out
    main(["--db", url, "roads", "import", str(write_town(tmp_path))])
    capsys.readouterr()
    assert main(["--db", url, "matrix", "--date", "2026-12-01", "--output", str(out)]) == 0
    assert "12 pairs of 4 places" in capsys.readouterr().out
    frame = pd.read_csv(out)
    assert {"from_id", "to_id", "distance_m_light_truck", "duration_s_motorcycle"} <= set(frame)
    depot_to_e0 = frame[(frame["from_name"] == "Taitung depot") & (frame["to_name"] == "1700001")]
    assert int(depot_to_e0["distance_m_light_truck"].iloc[0]) == pytest.approx(2634, abs=2)
    assert int(depot_to_e0["distance_m_motorcycle"].iloc[0]) == pytest.approx(1522, abs=2)
