"""Run calls in forked processes (the machine's other cores) while this one works.

The call is inherited by the child through ``fork`` (copy-on-write: a fork-started
process's target and arguments are not pickled, so neither is the model); only its
result travels back through a pipe, so it must be picklable. Where
``fork`` is unavailable, or inside a daemonic worker (scenario runs), nothing is started
and the caller simply works alone.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


def cpus() -> int:
    """Cores this process may run on (its affinity where the platform says, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _child(send: Connection, task: Callable[[], Any]) -> None:
    """Worker process: run the inherited task, send its result (None if it failed)."""
    try:
        try:
            out = task()
        except Exception:  # the parent falls back to its own result
            out = None
        send.send(out)
    finally:
        send.close()


@dataclass
class Forked:
    """A call running in a child process; :meth:`result` collects it."""

    proc: BaseProcess
    recv: Connection

    def result(self, timeout_s: float) -> Any:
        """The call's result, or None if it failed or took longer than ``timeout_s``."""
        try:
            return self.recv.recv() if self.recv.poll(timeout_s) else None
        except (EOFError, OSError):  # a failed worker only costs its result
            return None
        finally:
            self.recv.close()
            self.proc.join(timeout=1)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(timeout=1)


def start_forked(task: Callable[[], Any]) -> Forked | None:
    """Start ``task()`` in a forked child; None if no child could be started.

    Parameters
    ----------
    task
        A callable without arguments; its return value must be picklable.
    """
    if "fork" not in mp.get_all_start_methods():
        return None
    ctx = mp.get_context("fork")
    try:
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, task), daemon=True)
        proc.start()
        send.close()
        return Forked(proc, recv)
    except Exception:  # e.g. inside a daemonic worker: no children allowed
        return None
