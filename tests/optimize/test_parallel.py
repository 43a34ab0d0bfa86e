"""The second-core helper: a forked call's result comes back, a failing one costs nothing."""

from __future__ import annotations

import os

from luckygas.optimize import parallel


def test_forked_call_returns_its_result_from_another_process() -> None:
    """The call runs in a child process and its (picklable) result reaches the parent."""
    child = parallel.start_forked(lambda: (os.getpid(), [1, 2, 3]))
    assert child is not None
    pid, payload = child.result(timeout_s=30)
    assert pid != os.getpid() and payload == [1, 2, 3]


def test_failing_forked_call_gives_none_instead_of_raising() -> None:
    """A search that crashes in the second process only loses its own result."""

    def boom() -> None:
        raise RuntimeError("solver crashed")

    child = parallel.start_forked(boom)
    assert child is not None
    assert child.result(timeout_s=30) is None
