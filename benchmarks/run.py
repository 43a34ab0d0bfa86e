"""Run every benchmark, one after another, and keep their output.

Usage::

    python benchmarks/run.py [--quick] [--only NAME ...] [--out benchmarks/results]
                             [--solomon DIR] [--bks FILE]

Each benchmark is its own script (see ``benchmarks/README.md``); this runner builds one
demo database for the ones that read it, runs them in sequence (they time things, so
they must not compete for the two cores), prints their output and writes it to
``<out>/<name>.txt``. ``--quick`` uses fewer repeats and smaller sizes. The Solomon
VRPTW set comes from ``benchmarks/data/solomon/`` unless ``--solomon DIR`` (and ``--bks
FILE``, the best-known distances) name other files.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The Solomon instances shipped with the repository (see its README.md).
SOLOMON_DIR = HERE / "data" / "solomon"


def _commands(
    db_url: str, quick: bool, solomon_dir: Path = SOLOMON_DIR, bks: Path | None = None
) -> dict[str, list[str]]:
    py = sys.executable
    solomon = sorted(str(p) for p in solomon_dir.glob("*.txt"))
    if not solomon:
        raise SystemExit(f"run.py: no Solomon instances (*.txt) in {solomon_dir}")
    return {
        "db": [py, str(HERE / "db_bench.py"), "--repeat", "5" if quick else "25"],
        "concurrency": [py, str(HERE / "concurrency_bench.py"), "--repeat", "1" if quick else "3"],
        "demo": [py, str(HERE / "demo_bench.py"), "--repeat", "1" if quick else "3"],
        "import": [py, str(HERE / "import_bench.py")] + (["--history", "50000"] if quick else []),
        "forecast": [py, str(HERE / "forecast_bench.py"), "--db", db_url]
        + (["--cutoffs", "2", "--repeat", "1"] if quick else []),
        "planning": [py, str(HERE / "planning_bench.py"), "--demo-db", db_url]
        + (["--sizes", "100,200", "--long-s", "30", "--repeat", "10"] if quick else []),
        "scenarios": [py, str(HERE / "scenario_bench.py"), "--db", db_url],
        "replan": [py, str(HERE / "replan_bench.py"), "--db", db_url]
        + (["--tight-limits", "2,5,10"] if quick else []),
        "report": [py, str(HERE / "report_bench.py"), "--repeat", "1" if quick else "3"],
        "panel": [py, str(HERE / "panel_bench.py"), "--db", db_url]
        + ([] if quick else ["--rounds", "2"]),
        "vrptw": [py, str(HERE / "vrptw.py"), "--time-limit", "1"]
        + (["--bks", str(bks)] if bks else [])
        + solomon,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; returns non-zero if any of them failed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    ap.add_argument("--only", nargs="+", help="run only these (db, demo, import, ...)")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument(
        "--solomon",
        type=Path,
        metavar="DIR",
        default=SOLOMON_DIR,
        help="folder of the Solomon VRPTW instances (default: benchmarks/data/solomon)",
    )
    ap.add_argument(
        "--bks",
        type=Path,
        metavar="FILE",
        help="best-known distances for them (default: bks_distance_only.csv beside them)",
    )
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    with tempfile.TemporaryDirectory(prefix="luckygas-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'demo.sqlite'}"
        env = {**os.environ, "LUCKYGAS_DATABASE_URL": db_url}
        subprocess.run(
            [sys.executable, "-m", "luckygas.cli", "demo-data"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for name, cmd in _commands(db_url, args.quick, args.solomon, args.bks).items():
            if args.only and name not in args.only:
                continue
            print(f"\n=== {name}: {' '.join(Path(c).name for c in cmd[1:4])} ...", flush=True)
            started = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            output = proc.stdout + (proc.stderr if proc.returncode else "")
            print(output.rstrip())
            print(f"--- {name}: {time.perf_counter() - started:.0f} s, exit {proc.returncode}")
            (args.out / f"{name}.txt").write_text(output, encoding="utf-8")
            if proc.returncode:
                failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
