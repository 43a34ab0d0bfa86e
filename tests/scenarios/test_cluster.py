"""The optional Dask executor: a clear message without the extra, a working executor with it."""

import sys

import pytest

from luckygas.scenarios.cluster import dask_executor


def test_missing_dask_names_the_extra(monkeypatch):
    """Without dask.distributed, asking for the executor says which extra to install."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ImportError, match=r"luckygas\[cluster\]"), dask_executor():
        pass


def test_local_cluster_executor_runs_work():
    """With the extra, the executor runs submitted work on a local cluster."""
    pytest.importorskip("distributed")
    with dask_executor(n_workers=1) as executor:
        assert executor.submit(pow, 2, 10).result() == 1024
