"""Scenarios on a Dask cluster: the optional executor for :func:`run_scenarios`.

Dask is an optional extra (``pip install 'luckygas[cluster]'``): the default process pool
of :mod:`luckygas.scenarios.runner` needs nothing beyond the standard library, and Dask
with its distributed scheduler is a large install for the one place that can use it.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType

from luckygas.scenarios.runner import DEFAULT_WORKERS

INSTALL_HINT = (
    "Running scenarios on Dask needs dask[distributed], an optional extra: "
    "pip install 'luckygas[cluster]'"
)


def import_distributed() -> ModuleType:
    """Import ``dask.distributed``, or say how to install it.

    Returns
    -------
    ModuleType
        The ``distributed`` package.

    Raises
    ------
    ImportError
        When Dask's distributed scheduler is not installed, naming the extra to install.
    """
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return distributed


@contextmanager
def dask_executor(
    address: str | None = None, *, n_workers: int = DEFAULT_WORKERS
) -> Iterator[cf.Executor]:
    """An executor on a Dask cluster, for ``run_scenarios(..., executor=...)``.

    Parameters
    ----------
    address
        Scheduler address of a running cluster (``"tcp://host:8786"``). ``None`` starts a
        local cluster of worker processes for the duration of the ``with`` block.
    n_workers
        Worker processes of the local cluster (one thread each: a solve is single-core).

    Yields
    ------
    concurrent.futures.Executor
        The client's executor; the client (and a local cluster) close on exit.

    Raises
    ------
    ImportError
        When ``luckygas[cluster]`` is not installed.
    """
    distributed = import_distributed()
    with ExitStack() as stack:
        target = address
        if target is None:
            target = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
        client = stack.enter_context(distributed.Client(target))
        yield client.get_executor()
