"""Solomon VRPTW benchmark for the luckygas OR-Tools core.

Usage::

    python benchmarks/vrptw.py [--time-limit S] [--mode MODE ...] [--solutions-dir DIR]
                               [--bks FILE] [FILE | NAME ...]

Without FILE, all 56 instances shipped in ``benchmarks/data/solomon/`` run; a NAME such
as ``C101`` is looked up there, so ``vrptw.py R101 RC208`` runs two of them.

Convention (see ``benchmarks/data/solomon/SOURCES.md``): distances are Euclidean
truncated to one decimal, travel time = distance, objective = total distance, vehicles
free up to the fleet limit; compared with ``bks_distance_only.csv``. Everything is scaled
by 10 to integers, so the numbers are exact.

The benchmark goes through :func:`luckygas.optimize.pipeline.solve_numeric`, the same
OR-Tools model builder :func:`luckygas.optimize.solve` uses (Solomon's single abstract
capacity does not map onto cylinder sizes, so we skip the RoutingProblem layer).

Modes
-----
``pca``     OR-Tools, PARALLEL_CHEAPEST_INSERTION + GLS for the whole budget.
``pcarc``   OR-Tools, PATH_CHEAPEST_ARC + GLS for the whole budget.
``seeded``  PyVRP for ``seed_share`` of the budget, then OR-Tools (PCA + GLS) warm-started
            from PyVRP's routes for the rest. The PyVRP-only distance is reported too.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from luckygas.optimize.model import NumModel, NumVehicle
from luckygas.optimize.params import SolverParams

#: The Solomon instances and best-known solutions shipped with the repository.
SOLOMON_DIR = Path(__file__).resolve().parent / "data" / "solomon"

SCALE = 10
# Every customer gets a disjunction (as in luckygas) with a penalty far above any route
# length, so a first solution always exists; an incomplete answer is reported, not hidden.
DROP_PENALTY = 10**8


@dataclass
class Instance:
    name: str
    n_vehicles: int
    capacity: int
    rows: list[tuple[int, float, float, int, int, int, int]]  # id x y demand ready due service


def read_solomon(path: Path) -> Instance:
    """Parse the original Solomon text format."""
    lines = [ln.split() for ln in Path(path).read_text().splitlines() if ln.strip()]
    name = lines[0][0]
    i = next(k for k, ln in enumerate(lines) if ln[0].upper() == "VEHICLE")
    n_veh, cap = int(lines[i + 2][0]), int(lines[i + 2][1])
    rows = []
    for ln in lines[i + 3 :]:
        if ln[0].isdigit() and len(ln) >= 7:
            c, x, y, d, r, due, s = ln[:7]
            rows.append(
                (
                    int(c),
                    float(x),
                    float(y),
                    int(float(d)),
                    int(float(r)),
                    int(float(due)),
                    int(float(s)),
                )
            )
    return Instance(name, n_veh, cap, rows)


def to_model(inst: Instance) -> NumModel:
    """Integer model (×10, arcs truncated to one decimal)."""
    n = len(inst.rows)
    xy = [(r[1], r[2]) for r in inst.rows]
    dist = [
        [
            math.floor(SCALE * math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]) + 1e-9)
            for j in range(n)
        ]
        for i in range(n)
    ]
    svc = [r[6] * SCALE for r in inst.rows]
    tm = [[svc[i] + dist[i][j] for j in range(n)] for i in range(n)]
    horizon = inst.rows[0][5] * SCALE
    windows = [()] + [((r[4] * SCALE, r[5] * SCALE),) for r in inst.rows[1:]]
    veh = NumVehicle(0, 0, (inst.capacity,), 0, (0, horizon), (0, horizon))
    return NumModel(
        n,
        {0: tm},
        {0: dist},
        ("load",),
        ([r[3] for r in inst.rows],),
        svc,
        windows,
        [None] * n,
        [None] + [DROP_PENALTY] * (n - 1),
        [veh] * inst.n_vehicles,
        horizon=horizon,
    )


def route_cost(model: NumModel, routes: list[list[int]]) -> int:
    c = model.cost_matrices[0]
    return sum(c[a][b] for r in routes if r for a, b in zip([0, *r], [*r, 0], strict=True))


def run_one(args: tuple[str, str, float, float, str | None]) -> dict[str, object]:
    path, mode, limit, share, sol_dir = args
    from luckygas.optimize import seeding
    from luckygas.optimize.pipeline import solve_numeric

    inst = read_solomon(Path(path))
    model = to_model(inst)
    t0 = time.perf_counter()
    pyvrp_dist = None
    init = None
    ort_limit = limit
    if mode == "seeded":
        init = seeding.pyvrp_routes(model, limit * share, seed=0)
        if init is not None:
            pyvrp_dist = route_cost(model, init) / SCALE
        ort_limit = max(0.05, limit * (1 - share))
    fs = "PATH_CHEAPEST_ARC" if mode == "pcarc" else "PARALLEL_CHEAPEST_INSERTION"
    raw = solve_numeric(
        model, SolverParams(time_limit_s=ort_limit).replace(first_solution=fs), initial_routes=init
    )
    routes = [r for r in raw.routes if r]
    served = sorted(x for r in routes for x in r)
    ok = served == list(range(1, model.n_nodes))
    dist = route_cost(model, routes) / SCALE if ok else float("nan")
    if sol_dir:
        out = Path(sol_dir)
        out.mkdir(parents=True, exist_ok=True)
        ids = [r[0] for r in inst.rows]
        text = "".join(
            f"Route #{k}: {' '.join(str(ids[x]) for x in r)}\n" for k, r in enumerate(routes, 1)
        )
        (out / f"{inst.name}.sol").write_text(text + f"Cost {dist:.1f}\n")
    return {
        "name": inst.name,
        "mode": mode,
        "distance": dist,
        "vehicles": len(routes),
        "pyvrp": pyvrp_dist,
        "time": time.perf_counter() - t0,
        "complete": ok,
    }


def load_bks(path: Path) -> dict[str, float]:
    """Best-known distances by instance name (an empty table if the file is missing)."""
    if not path.is_file():
        return {}
    with open(path) as f:
        return {r["instance"]: float(r["distance"]) for r in csv.DictReader(f) if r["distance"]}


def instance_paths(names: list[str]) -> list[Path]:
    """Instance files for ``names``: paths as given, bare names (``C101``) from
    :data:`SOLOMON_DIR`; every shipped instance when ``names`` is empty."""
    if not names:
        return sorted(SOLOMON_DIR.glob("*.txt"))
    paths = []
    for name in names:
        path = Path(name)
        if not path.exists() and path.parent == Path(".") and path.suffix in ("", ".txt"):
            path = SOLOMON_DIR / f"{path.stem.upper()}.txt"
        if not path.is_file():
            raise SystemExit(f"vrptw.py: no instance file {name}")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="instance files or names (C101); default: every instance in benchmarks/data/solomon",
    )
    ap.add_argument("--time-limit", type=float, default=1.0, help="seconds per instance (total)")
    ap.add_argument("--mode", nargs="+", default=["seeded"], choices=["pca", "pcarc", "seeded"])
    ap.add_argument(
        "--seed-share", type=float, default=0.7, help="share of the budget given to PyVRP"
    )
    ap.add_argument("--solutions-dir", default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--bks",
        type=Path,
        help="best-known solutions CSV (instance,distance); default: "
        "bks_distance_only.csv beside the first instance file, else the shipped one",
    )
    a = ap.parse_args(argv)
    if a.bks and not a.bks.is_file():
        raise SystemExit(f"vrptw.py: no best-known solutions file {a.bks}")
    a.files = [str(p) for p in instance_paths(a.files)]
    if not a.files:
        raise SystemExit(f"vrptw.py: no instance files in {SOLOMON_DIR}")
    beside = Path(a.files[0]).parent / "bks_distance_only.csv"
    bks = load_bks(a.bks or (beside if beside.is_file() else SOLOMON_DIR / beside.name))
    jobs = [
        (
            f,
            m,
            a.time_limit,
            a.seed_share,
            (f"{a.solutions_dir}/{m}" if len(a.mode) > 1 else a.solutions_dir)
            if a.solutions_dir
            else None,
        )
        for m in a.mode
        for f in a.files
    ]
    with ProcessPoolExecutor(a.workers) as pool:
        results = list(pool.map(run_one, jobs))
    print(f"{'instance':9} {'mode':7} {'dist':>9} {'veh':>4} {'gap%':>7} {'pyvrp%':>7} {'time':>6}")
    for m in a.mode:
        rows = [r for r in results if r["mode"] == m]
        gaps, pgaps = [], []
        for r in rows:
            b = bks.get(str(r["name"]))
            gap = 100 * (float(r["distance"]) - b) / b if b else float("nan")
            pg = 100 * (float(r["pyvrp"]) - b) / b if b and r["pyvrp"] is not None else float("nan")
            gaps.append(gap)
            pgaps.append(pg)
            print(
                f"{r['name']:9} {m:7} {float(r['distance']):9.1f} {r['vehicles']:4} {gap:7.2f} "
                f"{pg:7.2f} {float(r['time']):6.2f}"
            )
        ok = [g for g in gaps if not math.isnan(g)]
        pok = [g for g in pgaps if not math.isnan(g)]
        avg = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
        done = sum(1 for r in rows if r["complete"])
        print(
            f"AVERAGE {m}: n={len(rows)} complete={done} with_bks={len(ok)} gap={avg(ok):.2f}% "
            f"pyvrp_only_gap={avg(pok):.2f}% "
            f"vehicles={avg([float(r['vehicles']) for r in rows]):.2f} "
            f"dist={avg([float(r['distance']) for r in rows]):.1f} "
            f"time={avg([float(r['time']) for r in rows]):.2f}s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
