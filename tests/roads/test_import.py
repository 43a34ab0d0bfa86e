"""Importing an extract into the database: the graph and its metadata, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from luckygas import models as m
from luckygas.roads import RoadImportError, graph_info, import_extract, latest_graph
from tests.factories import add_depot
from tests.roads.town import at, write_town


def _customer(session, code, where):
    lat, lng = at(where)
    session.add(m.Customer(code=code, short_name=code, address="臺東市", lat=lat, lng=lng))
    session.flush()


@pytest.fixture
def town_db(db_session):
    """The depot at W0 and customers on both banks, on the one-way street and the island."""
    add_depot(db_session)
    for code, where in [("1500001", "E0"), ("1500002", "G1"), ("1500003", "I0")]:
        _customer(db_session, code, where)
    return db_session


def _rows(session) -> int:
    return session.scalar(select(func.count()).select_from(m.RoadGraphRow))


@pytest.mark.parametrize("name", ["town.osm", "town.osm.pbf"])
def test_import_stores_the_graph_and_what_it_came_from(town_db, tmp_path, name):
    """XML and PBF give the same graph; info names file, area, counts, version and user."""
    path = write_town(tmp_path, name)
    summary = import_extract(town_db, path)
    assert (summary.n_nodes, summary.n_arcs) == (11, 21)
    info = graph_info(town_db)
    assert info["source_file"] == str(path.resolve())
    assert info["version"] == summary.version == latest_graph(town_db).version
    assert info["created_by"] == "tester"
    south, west, north, east = summary.bbox
    assert south < at("W0")[0] < at("W2")[0] < north and west < at("G0")[1] < at("I0")[1] < east
    # A second import replaces the first: planning uses one graph.
    import_extract(town_db, path)
    assert _rows(town_db) == 1


def test_pbf_and_xml_give_the_same_version(tmp_path, town_db):
    a = import_extract(town_db, write_town(tmp_path, "town.osm")).version
    b = import_extract(town_db, write_town(tmp_path, "town.osm.pbf")).version
    assert a == b


def _truncated(tmp_path):
    path = write_town(tmp_path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    return path


def _truncated_pbf(tmp_path):
    path = write_town(tmp_path, "town.osm.pbf")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_osm(tmp_path):
    path = tmp_path / "customers.osm"
    path.write_text("code,lat,lng\n1500001,22.75,121.15\n")
    return path


def _not_osm_pbf(tmp_path):
    path = tmp_path / "photo.osm.pbf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_truncated, "is not a readable OpenStreetMap file"),
        (_truncated_pbf, "is not a readable OpenStreetMap file"),
        (_not_osm, "is not a readable OpenStreetMap file"),
        (_not_osm_pbf, "is not a readable OpenStreetMap file"),
        (lambda p: p / "missing.osm.pbf", "no such file"),
    ],
)
def test_a_bad_file_is_one_clear_error_and_writes_nothing(town_db, tmp_path, make, message):
    (tmp_path / "good").mkdir()
    good = import_extract(town_db, write_town(tmp_path / "good"))
    with pytest.raises(RoadImportError, match=message):
        import_extract(town_db, make(tmp_path))
    assert _rows(town_db) == 1
    assert latest_graph(town_db).version == good.version  # the earlier import stays


def test_an_extract_that_does_not_cover_the_customers_is_refused(town_db, tmp_path):
    """A customer 2 km south-west of the last road: the extract ends before it."""
    _customer(town_db, "1500009", (-20, -20))
    with pytest.raises(RoadImportError, match=r"does not cover 1 customer\(s\) \(e.g. 1500009\)"):
        import_extract(town_db, write_town(tmp_path))
    assert _rows(town_db) == 0


def test_an_extract_that_does_not_cover_the_depot_is_refused(db_session, tmp_path):
    add_depot(db_session, lat=22.90, lng=121.30)
    with pytest.raises(RoadImportError, match="does not cover the depot"):
        import_extract(db_session, write_town(tmp_path), bbox=(22.70, 121.10, 22.95, 121.35))
    assert _rows(db_session) == 0


def test_an_empty_area_is_refused(town_db, tmp_path):
    """An explicit box with no road in it (the mountains west of town)."""
    with pytest.raises(RoadImportError, match="has no drivable road in the area"):
        import_extract(town_db, write_town(tmp_path), bbox=(23.0, 120.9, 23.1, 121.0))
    assert _rows(town_db) == 0


def test_a_bbox_upside_down_is_refused(town_db, tmp_path):
    with pytest.raises(RoadImportError, match="south < north"):
        import_extract(town_db, write_town(tmp_path), bbox=(22.8, 121.1, 22.7, 121.2))


def test_a_database_from_before_roads_plans_on_great_circles(db_session, tmp_path):
    """No road_graphs table (not upgraded): no graph, and import asks for `db upgrade`."""
    from sqlalchemy import text

    from luckygas.bridge.adapter import build_problem

    add_depot(db_session)
    db_session.execute(text("DROP TABLE road_graphs"))
    assert latest_graph(db_session) is None and graph_info(db_session) is None
    assert build_problem(db_session, dt.date(2026, 12, 1)).matrix is None
    with pytest.raises(RoadImportError, match="run `luckygas db upgrade` first"):
        import_extract(db_session, write_town(tmp_path))


def test_a_viewer_may_not_import_roads(db_engine, tmp_path):
    """The same rule as every import: dispatcher, manager or admin."""
    from sqlalchemy.orm import Session

    from luckygas.audit import RoleError
    from luckygas.domain import Role
    from tests.factories import register

    register(db_engine, "vera", role=Role.VIEWER)
    with Session(db_engine) as s:  # the depot by the fixture's admin: a viewer writes nothing
        s.info["user"] = "tester"
        add_depot(s)
        s.commit()
    with Session(db_engine) as s:
        s.info["user"] = "vera"
        with pytest.raises(RoleError, match=r"vera.*cannot import road extracts"):
            import_extract(s, write_town(tmp_path))
        assert _rows(s) == 0
