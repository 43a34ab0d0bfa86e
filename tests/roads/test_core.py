"""The contracted core: searches on it give the distances of the whole graph, exactly.

Random street grids with one-way streets, missing blocks and weights drawn from a small
set (so that many routes tie: the strict witness rule must keep a shortcut whenever a tie
is all that stands in for it), terminals joined mid-block as the road matrix joins a day's
locations; then the stored cores: written at import, used without recomputing, and the
same matrix as a computation in memory.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from sqlalchemy import update

from luckygas import models as m
from luckygas.domain import VehicleType
from luckygas.optimize import roadmatrix
from luckygas.optimize.roadcore import (
    CORE_FORMAT,
    CoreParams,
    build_core,
    cores_from_bytes,
    cores_to_bytes,
)
from luckygas.roads import graph_info, import_extract, road_matrix, store
from tests.factories import add_depot
from tests.roads.town import at, write_town


def _grid(
    rng: np.random.Generator, side: int, ties: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A side × side street grid: 8 % of blocks missing, 20 % one-way, weights 1..3
    with ``ties`` (many routes of equal weight), else 1,000..3,000."""
    src, dst = [], []
    for i in range(side):
        for j in range(side):
            v = i * side + j
            for u in ([v + 1] if j + 1 < side else []) + ([v + side] if i + 1 < side else []):
                r = rng.random()
                if r < 0.08:
                    continue
                if r < 0.18:
                    src.append(v), dst.append(u)
                elif r < 0.28:
                    src.append(u), dst.append(v)
                else:
                    src += [v, u]
                    dst += [u, v]
    s, d = np.array(src), np.array(dst)
    # Whole numbers, as the road matrix's encoded weights are: sums are exact.
    w = rng.integers(1, 4, len(s)) if ties else rng.integers(1_000, 3_000, len(s))
    return s, d, w.astype(float)


def _with_terminals(rng, n, src, dst, w, k):
    """``k`` terminals, each on a random arc ``a -> b`` at a fraction of its weight."""
    pick = rng.choice(len(src), size=k, replace=False)
    t = np.arange(n, n + k)
    before = np.floor(w[pick] * rng.random(k)) + 1
    return (
        np.concatenate([src[pick], t]),
        np.concatenate([t, dst[pick]]),
        np.concatenate([before, w[pick] - before + 1]),
    )


@pytest.mark.parametrize("ties", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_searches_on_the_core_equal_searches_on_the_whole_graph(seed, ties):
    rng = np.random.default_rng(seed)
    side, k = 60, 25
    n = side * side
    src, dst, w = _grid(rng, side, ties)
    t_src, t_dst, t_w = _with_terminals(rng, n, src, dst, w, k)
    terminals = np.arange(n, n + k)
    whole = csr_matrix(
        (np.r_[w, t_w], (np.r_[src, t_src], np.r_[dst, t_dst])), shape=(n + k, n + k)
    )
    expected = dijkstra(whole, indices=terminals)[:, terminals]

    core = build_core(n, src, dst, w, CoreParams(max_levels=5))
    assert core.n_core < 0.6 * n  # it did contract
    roots = np.r_[t_src[t_src < n], t_dst[t_dst < n]]
    c_src, c_dst, c_w = core.query_arcs(roots)
    if not ties:  # (with many ties the strict witness rule keeps more shortcuts)
        assert len(c_src) < 0.8 * len(src)  # few locations on a large graph: fewer arcs
    small = csr_matrix(
        (np.r_[c_w, t_w], (np.r_[c_src, t_src], np.r_[c_dst, t_dst])), shape=(n + k, n + k)
    )
    got = dijkstra(small, indices=terminals)[:, terminals]
    np.testing.assert_array_equal(got, expected)  # unreachable pairs stay inf too


def test_no_level_leaves_the_graph_as_it_is():
    src, dst, w = np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([1.0, 2.0, 3.0])
    core = build_core(3, src, dst, w, CoreParams(max_levels=0))
    assert core.n_core == 3 and sorted(zip(core.src, core.dst, core.w, strict=True)) == [
        (0, 1, 1.0), (1, 2, 2.0), (2, 0, 3.0)
    ]  # fmt: skip


def test_parallel_arcs_keep_the_lightest():
    core = build_core(2, np.array([0, 0]), np.array([1, 1]), np.array([5.0, 2.0]), CoreParams(0))
    assert list(core.w) == [2.0]


@pytest.mark.parametrize("bad", [{"max_levels": -1}, {"max_pairs": 0}, {"min_share": 1.0}])
def test_params_out_of_range_are_refused(bad):
    with pytest.raises(ValueError, match="CoreParams out of range"):
        CoreParams(**bad)


def test_cores_round_trip_and_another_format_is_ignored():
    rng = np.random.default_rng(0)
    src, dst, w = _grid(rng, 10)
    core = build_core(100, src, dst, w)
    back = cores_from_bytes(cores_to_bytes({"car": core}))["car"]
    for f in ("level", "src", "dst", "w", "own_ptr", "arc_src", "arc_dst", "arc_w"):
        np.testing.assert_array_equal(getattr(back, f), getattr(core, f))
    import io

    buf = io.BytesIO()
    np.savez(buf, format=np.array([CORE_FORMAT + 1]))
    assert cores_from_bytes(buf.getvalue()) == {}
    assert cores_from_bytes(b"not a blob") == {}


@pytest.fixture
def town_db(db_session):
    add_depot(db_session)
    lat, lng = at("E0")
    db_session.add(m.Customer(code="1600001", short_name="x", address="臺東市", lat=lat, lng=lng))
    db_session.flush()
    return db_session


POINTS = ["W0", "Wa", "W1", "W2", "E0", "E1", "E2", "G0", "G1", "I0", (6, 0), (5, 15)]


def test_the_import_stores_every_types_core_and_planning_uses_them(town_db, tmp_path, monkeypatch):
    import_extract(town_db, write_town(tmp_path))
    assert graph_info(town_db)["search_cores"] is True
    fresh = road_matrix(town_db).tables([at(p) for p in POINTS])
    # Another process: nothing in memory but what the database holds.
    roadmatrix.clear_cache()
    store._CORES.clear()
    matrix = road_matrix(town_db)
    assert set(matrix.cores) == set(VehicleType)
    monkeypatch.setattr(roadmatrix, "build_core", lambda *a: pytest.fail("core recomputed"))
    stored = matrix.tables([at(p) for p in POINTS])
    for t in VehicleType:
        assert (stored.distance_m[t] == fresh.distance_m[t]).all()
        assert (stored.duration_s[t] == fresh.duration_s[t]).all()


def test_a_graph_imported_without_cores_still_plans(town_db, tmp_path, capsys):
    """Imported before schema 0004: info says so, the matrix computes its cores."""
    from luckygas.cli import main

    import_extract(town_db, write_town(tmp_path))
    with_cores = road_matrix(town_db).tables([at(p) for p in POINTS])
    town_db.execute(update(m.RoadGraphRow).values(search_data=None))
    roadmatrix.clear_cache()
    store._CORES.clear()
    assert graph_info(town_db)["search_cores"] is False
    matrix = road_matrix(town_db)
    assert matrix.cores == {}
    without = matrix.tables([at(p) for p in POINTS])
    for t in VehicleType:
        assert (without.distance_m[t] == with_cores.distance_m[t]).all()
    town_db.commit()
    url = town_db.get_bind().url.render_as_string(hide_password=False)
    assert main(["--db", url, "roads", "info"]) == 0
    assert "search cores not stored" in capsys.readouterr().out


def _city(folder, side: int = 60):
    """A side × side OSM street grid (~110 m blocks, mixed classes, some one-way streets,
    jittered nodes so that block lengths differ as on real maps)."""
    from tests.roads.town import osm_document

    rng = np.random.default_rng(7)
    coords, ids = {}, {}
    for i in range(side):
        for j in range(side):
            name = f"n{i}_{j}"
            coords[name] = (22.70 + i * 0.001 + rng.normal(0, 5e-5),
                            121.10 + j * 0.0011 + rng.normal(0, 5e-5))  # fmt: skip
            ids[name] = len(ids) + 1
    ways = []
    classes = ["primary", "secondary", "residential", "residential", "tertiary", "service"]
    for i in range(side):
        for j in range(side - 1):
            for a, b in ((f"n{i}_{j}", f"n{i}_{j + 1}"), (f"n{j}_{i}", f"n{j + 1}_{i}")):
                tags = {"highway": classes[int(rng.integers(len(classes)))]}
                if rng.random() < 0.12:
                    tags["oneway"] = "yes"
                ways.append(([a, b], tags))
    path = folder / "city.osm"
    path.write_text(osm_document(coords, ids, ways), encoding="utf-8")
    return path


def test_the_road_matrix_on_a_core_equals_the_matrix_on_every_junction(tmp_path, monkeypatch):
    """A city of 3,600 junctions, 12 locations: the searches run on the core and its
    closure (far fewer nodes), and every table equals the one searched on all junctions."""
    from luckygas.optimize.roadcore import Core
    from luckygas.optimize.roadmatrix import RoadMatrix
    from luckygas.roads.osm import read_extract

    graph = read_extract(_city(tmp_path), (22.6, 121.0, 22.9, 121.3))
    rng = np.random.default_rng(3)
    points = [(22.701 + 0.057 * a, 121.101 + 0.063 * b) for a, b in rng.random((12, 2))]
    searched: list[int] = []
    real = Core.query_arcs

    def measured(self, roots):
        arcs = real(self, roots)
        searched.append(len(np.union1d(arcs[0], arcs[1])))
        return arcs

    monkeypatch.setattr(Core, "query_arcs", measured)
    matrix = RoadMatrix(graph)
    on_core = matrix.tables(points)
    junction_arcs = [len(matrix._chains(t).src) for t in VehicleType]
    assert len(searched) == len(VehicleType)
    assert all(s < 0.6 * j for s, j in zip(searched, junction_arcs, strict=True)), (
        searched,
        junction_arcs,
    )
    # The same with no level of contraction: the searches see every junction.
    roadmatrix.clear_cache()
    monkeypatch.setattr(
        roadmatrix, "build_core", lambda n, s, d, w: build_core(n, s, d, w, CoreParams(0))
    )
    plain = RoadMatrix(graph).tables(points)
    for t in VehicleType:
        assert (on_core.distance_m[t] == plain.distance_m[t]).all()
        assert (on_core.duration_s[t] == plain.duration_s[t]).all()
        assert (plain.duration_s[t] < roadmatrix.UNREACHABLE_S).all()
