"""The repository stands on its own: no tracked file names a path of one machine.

- No absolute path of a machine written out literally: one under a home folder (Linux
  ``home``, macOS ``Users``, Windows ``C:`` ``Users``), root's home, the ``work`` folder
  or ``tmp`` at the root of the file system (see :data:`MACHINE_PATH`). Examples use
  relative paths (``data/luckygas.sqlite``), ``~`` or a placeholder (``PATH/TO/...``);
  code builds temporary paths with :mod:`tempfile` or pytest's ``tmp_path``.
- No reference to material kept beside the repository: every document the code cites
  lives in ``docs/``.

Test inputs (``tests/data/``) and vendored third-party bundles (``-diff`` in
``.gitattributes``: their minified code holds URL logic, not paths) are not ours to
judge. Everything is read from the working tree, so a violation fails before it is
committed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Folders of test inputs, taken as they are.
FIXTURE_DIRS = ("tests/data/",)

# The patterns are spelled in pieces so that this file does not match itself.
_MACHINE_ROOTS = "|".join(("home", "Users", "root", "work", "tmp"))
#: An absolute path starts a token: at the start of a line, after a space, a quote or
#: punctuation, or right after a URL scheme (``file:///`` then the path, or SQLite's
#: ``sqlite:////`` then the path). A path inside a URL after its host, or a relative path
#: with one of these folder names inside it, is not absolute.
MACHINE_PATH = re.compile(
    r"(?:^|(?<=[\s\"'`(\[{<>=,;|:])|(?<=://)|(?<=:///))"
    rf"/(?:{_MACHINE_ROOTS})/"
    r"|\b[A-Za-z]:\\\\?Users\\",
    re.MULTILINE,
)
#: The team's reference folder beside the repository, by its two usual spellings.
OUTSIDE_REFERENCE = re.compile(re.escape("../" + "shared") + "|" + re.escape("shared" + "/docs"))


def _tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    )
    return [p for p in out.stdout.decode().split("\0") if p]


def _vendored(paths: list[str]) -> set[str]:
    """Tracked files ``.gitattributes`` marks ``-diff`` (vendored minified bundles)."""
    out = subprocess.run(
        ["git", "check-attr", "-z", "diff", "--stdin"],
        cwd=ROOT,
        input="\0".join(paths).encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    fields = out.stdout.decode().split("\0")
    return {fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] == "unset"}


def _texts() -> dict[str, str]:
    """Working-tree text of every tracked text file (binary and deleted files skipped)."""
    texts = {}
    for rel in _tracked():
        path = ROOT / rel
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        texts[rel] = data.decode("utf-8", errors="replace")
    return texts


def machine_paths(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of every line of ``text`` holding a machine's absolute path."""
    return [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), 1)
        if MACHINE_PATH.search(line)
    ]


def test_no_tracked_file_holds_a_machine_path():
    texts = _texts()
    assert len(texts) > 100, "too few tracked files found: has the layout changed?"
    skip = _vendored(list(texts))
    found = [
        f"{rel}:{n}: {line[:120]}"
        for rel, text in texts.items()
        if rel not in skip and not rel.startswith(FIXTURE_DIRS)
        for n, line in machine_paths(text)
    ]
    assert not found, (
        "absolute paths of a machine (use a relative path, ~, a placeholder, tempfile or "
        "tmp_path):\n" + "\n".join(found)
    )


def test_no_tracked_file_names_the_reference_folder():
    found = [
        f"{rel}:{n}: {line.strip()[:120]}"
        for rel, text in _texts().items()
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE_REFERENCE.search(line)
    ]
    assert not found, "cite docs/ inside the repository instead:\n" + "\n".join(found)


def test_the_vendored_bundles_are_recognised():
    """The exemption is tied to .gitattributes, not to a list here: both bundles are in it."""
    vendored = _vendored(_tracked())
    assert {p.rsplit("/", 1)[-1] for p in vendored} >= {"embed-amd.js", "require.js"}


@pytest.mark.parametrize(
    "line",
    [
        "path = '/" + "home/alice/luckygas/data'",
        'open("/' + 'Users/bob/Desktop/plan.xlsx")',
        "LUCKYGAS_DATABASE_URL=sqlite:////" + "tmp/demo.sqlite luckygas demo-data",
        "see file:///" + "home/alice/report.html",
        "cd /" + "work/main && make",
        "    --solutions-dir /" + "tmp/sols",
        "HOME=/" + "root/ bash",
        r"C:\\" + r"Users\carol\Documents",
    ],
)
def test_the_scan_catches_machine_paths(line):
    assert machine_paths(line)


@pytest.mark.parametrize(
    "line",
    [
        "sqlite:///data/luckygas.sqlite",
        "sqlite:////abs/path/to/luckygas.sqlite",
        "https://example.org/" + "home/index.html",
        "luckygas/" + "work/queue.py",
        'mktemp -d "${TMPDIR:-/' + 'tmp}/luckygas-tests.XXXXXX"',
        "~/" + "work/luckygas",
        "PATH/TO/solomon/*.txt",
        "<sys.prefix>/share/jupyter/nbextensions",
    ],
)
def test_the_scan_lets_legitimate_paths_through(line):
    assert machine_paths(line) == []
