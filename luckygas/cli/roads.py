"""``luckygas roads import|info|calibrate`` and ``luckygas matrix``: real roads, offline."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from luckygas.cli._common import CommandError, add_command


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``roads`` (with its sub-commands) and ``matrix`` to the command line."""
    roads = sub.add_parser(
        "roads",
        help="import an OpenStreetMap extract and plan on its roads",
        description="Plan on real roads: import an OpenStreetMap extract (.osm.pbf or .osm) "
        "once; every plan afterwards is timed and measured on its road graph.",
    )
    inner = roads.add_subparsers(dest="roads_command", metavar="SUBCOMMAND")
    inner.required = True
    p = add_command(inner, "import", "read an extract and store its drivable roads", _import)
    p.add_argument("file", type=Path, help="OpenStreetMap extract (.osm.pbf, .osm)")
    p.add_argument(
        "--bbox",
        type=_bbox,
        metavar="S,W,N,E",
        help="area to keep (default: the depot and customers plus 5 km)",
    )
    add_command(inner, "info", "what road graph is imported", _info)
    p = add_command(
        inner, "calibrate", "road vs great-circle distances per zone (detour factors)", _calibrate
    )
    p.add_argument("--per-zone", type=int, default=25, help="customers sampled per zone (25)")

    p = add_command(sub, "matrix", "write a day's travel matrix to CSV", _matrix)
    p.add_argument("--date", type=_date, required=True, help="delivery date YYYY-MM-DD")
    p.add_argument("--output", type=Path, required=True, metavar="FILE.csv")
    p.add_argument(
        "--great-circle", action="store_true", help="the great-circle model even if roads exist"
    )


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        s, w, n, e = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not S,W,N,E in degrees: {text!r}") from exc
    return s, w, n, e


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _import(args: argparse.Namespace) -> int:
    import time

    from tqdm.auto import tqdm

    from luckygas.db import make_engine, session_scope
    from luckygas.roads import RoadImportError, import_extract
    from luckygas.roads.store import IMPORT_STEPS

    engine = make_engine(args.database_url)
    started = time.perf_counter()
    # disable=None: drawn on a terminal only (a log or a pipe gets the summary alone).
    bar = tqdm(total=len(IMPORT_STEPS), desc="roads import", unit="step", leave=False, disable=None)
    begun: list[str] = []

    def step(name: str) -> None:
        if begun:  # the step before this one is done
            bar.update(1)
        begun.append(name)
        bar.set_description(name)

    try:
        with session_scope(engine, user=args.user) as session:
            summary = import_extract(session, args.file, bbox=args.bbox, progress=step)
    except RoadImportError as exc:
        raise CommandError(f"roads import: {exc}; nothing was imported") from None
    finally:
        bar.close()
        engine.dispose()
    s, w, n, e = summary.bbox
    print(
        f"Imported {summary.n_nodes:,} nodes and {summary.n_arcs:,} arcs from "
        f"{Path(summary.source_file).name} (area {s:.4f},{w:.4f},{n:.4f},{e:.4f}; graph "
        f"{summary.version}) in {time.perf_counter() - started:.1f} s. Plans now use these roads."
    )
    if summary.outside:
        names = ", ".join(summary.outside[:10])
        print(f"{len(summary.outside)} customer(s) lie outside --bbox: {names}")
    return 0


def _info(args: argparse.Namespace) -> int:
    from luckygas.db import make_engine, session_scope
    from luckygas.roads import graph_info

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user, write=False) as session:
            info = graph_info(session)
    finally:
        engine.dispose()
    if info is None:
        print("No road graph imported: plans use the great-circle model "
              "(import one with `luckygas roads import FILE.osm.pbf`).")  # fmt: skip
        return 0
    print(
        f"Road graph {info['version']}: {info['n_nodes']:,} nodes, {info['n_arcs']:,} arcs\n"
        f"  area   {info['south']:.4f},{info['west']:.4f},{info['north']:.4f},{info['east']:.4f}"
        " (S,W,N,E)\n"
        f"  from   {info['source_file']}\n"
        f"  when   {info['created_at']:%Y-%m-%d %H:%M} by {info['created_by'] or '?'}\n"
        + (
            "  search cores stored (one per vehicle type)"
            if info["search_cores"]
            else "  search cores not stored (imported before schema 0004): each process computes"
            " them on first use, ~2 s per vehicle type on a county; import the file again"
            " to store them"
        )
    )
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from luckygas.db import make_engine, session_scope
    from luckygas.roads import road_matrix
    from luckygas.roads.calibrate import detour_factors

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user, write=False) as session:
            matrix = road_matrix(session)
            if matrix is None:
                raise CommandError("no road graph imported: run `luckygas roads import FILE` first")
            frame = detour_factors(session, matrix, per_zone=args.per_zone)
    finally:
        engine.dispose()
    if not len(frame):
        raise CommandError("no located customers to calibrate on")
    print("Road metres / straight-line metres per zone (light truck; the great-circle model "
          "uses 1.3 everywhere):")  # fmt: skip
    print(frame.to_string(index=False, na_rep="-"))
    return 0


def _matrix(args: argparse.Namespace) -> int:
    from luckygas.bridge.matrices import day_matrix
    from luckygas.config import resolve_database_url
    from luckygas.db import make_engine, session_scope
    from luckygas.outputs import write_csv

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine, user=args.user, write=False) as session:
            frame, described = day_matrix(session, args.date, roads=not args.great_circle)
    finally:
        engine.dispose()
    # Checked (a .csv, never the database itself), formulas neutralised, written atomically.
    write_csv(frame, args.output, database_url=resolve_database_url(args.database_url))
    places = frame[["from_kind", "from_id"]].drop_duplicates().shape[0] if len(frame) else 0
    print(f"Wrote {len(frame):,} pairs of {places} places to {args.output} ({described}).")
    return 0
