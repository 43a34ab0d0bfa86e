"""mypy on the library, against a baseline of known errors that may only shrink.

``tests/test_typing.py`` runs this in the test suite. By hand::

    .venv/bin/python tests/typecheck.py            # report new and fixed errors
    .venv/bin/python tests/typecheck.py --update   # drop fixed errors from the baseline

An error is kept as ``path: [code] message`` without its line number, so an edit elsewhere
in a file does not churn the baseline. The same error twice in a file is two lines.
``--update`` only ever removes lines: a new error is fixed, or added to the baseline by
hand where a reviewer sees it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tests" / "mypy-baseline.txt"

_ERROR = re.compile(
    r"^(?P<path>[^:\n]+):\d+(?::\d+)?: error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$"
)
# Messages that quote line numbers ("defined on line 12") would churn like the location.
_LINE_IN_MESSAGE = re.compile(r"\bline \d+\b")


@dataclass(frozen=True)
class Comparison:
    """The current errors against the baseline, as multisets of normalized lines."""

    new: Counter[str]
    fixed: Counter[str]
    current: Counter[str]


def normalize(mypy_output: str) -> Counter[str]:
    """Turn mypy's output into a multiset of ``path: [code] message`` lines.

    Parameters
    ----------
    mypy_output
        What ``mypy`` printed (notes and the summary line are ignored).

    Returns
    -------
    Counter[str]
        One entry per error, line numbers removed, paths with forward slashes.
    """
    errors: Counter[str] = Counter()
    for line in mypy_output.splitlines():
        match = _ERROR.match(line.strip())
        if match is None:
            continue
        path = match["path"].replace("\\", "/")
        message = _LINE_IN_MESSAGE.sub("line N", match["message"])
        errors[f"{path}: [{match['code'] or 'misc'}] {message}"] += 1
    return errors


def run_mypy(cache_dir: Path | None = None) -> str:
    """Run mypy on the library with the ``[tool.mypy]`` settings of pyproject.toml.

    Parameters
    ----------
    cache_dir
        mypy's incremental cache; default ``.mypy_cache`` at the repository root (git
        ignores it). A warm cache makes a run a few seconds instead of about a minute.

    Returns
    -------
    str
        mypy's standard output.

    Raises
    ------
    RuntimeError
        When mypy itself failed (exit status 2: bad configuration, a crash, a syntax
        error it cannot get past), rather than finding type errors.
    """
    cache = cache_dir or ROOT / ".mypy_cache"
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(cache),
        "--no-pretty",
        "--no-error-summary",
        "--hide-error-context",
        "--no-color-output",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"mypy failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def read_baseline(path: Path = BASELINE) -> Counter[str]:
    """The committed baseline as a multiset (blank lines and ``#`` comments skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter(line for line in lines if line.strip() and not line.startswith("#"))


def write_baseline(errors: Counter[str], path: Path = BASELINE) -> None:
    """Write errors as the baseline, sorted, one line per error."""
    header = "# mypy errors known on main; tests/typecheck.py. Only ever shrinks.\n"
    path.write_text(header + "".join(f"{e}\n" for e in sorted(errors.elements())), "utf-8")


def compare(current: Counter[str], baseline: Counter[str]) -> Comparison:
    """Errors not in the baseline (new) and baseline entries no longer raised (fixed)."""
    return Comparison(new=current - baseline, fixed=baseline - current, current=current)


def _listing(errors: Counter[str]) -> str:
    return "\n".join(f"  {e}" for e in sorted(errors.elements()))


def main(argv: list[str] | None = None) -> int:
    """Command line: report new and fixed errors; ``--update`` shrinks the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="drop fixed errors from the baseline")
    args = parser.parse_args(argv)
    baseline = read_baseline()
    result = compare(normalize(run_mypy()), baseline)
    if args.update and result.fixed:
        write_baseline(baseline - result.fixed)
        print(f"baseline: {sum(result.fixed.values())} fixed errors removed")
    elif result.fixed:
        print(f"fixed, the baseline can shrink (--update):\n{_listing(result.fixed)}")
    if result.new:
        print(f"new mypy errors (fix them):\n{_listing(result.new)}")
        return 1
    print(f"mypy: no new errors ({sum(result.current.values())} known in the baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
