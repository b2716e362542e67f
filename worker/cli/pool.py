"""``handoff worker --processes N``: N RQ workers forked from one parent that loaded the models.

The parent loads the settings and builds the scorer (embedding model, index, learned
examples) once, freezes the garbage collector's view of those objects so the children's
collections do not write to (and so copy) their pages, and forks N children. Each child
opens its own Redis, database and helpdesk connections (none crosses a fork) and runs one
`HandoffWorker`. With no ``REDIS_URL`` the parent starts the embedded Redis and the
children join it, so a child's death never takes the server down.

A child that exits is started again, at most once per `RESTART_PAUSE_SECONDS` per slot,
and what it left in its process group (rq's scheduler process, forked from it) is sent
SIGTERM, so a child killed outright leaves nothing running. Each child leads its own group:
SIGTERM or SIGINT reaches the parent alone (a terminal's Ctrl-C too), which passes SIGTERM
once to every child (rq's warm shutdown: the current job finishes) and exits when they have.
Under systemd use ``KillMode=mixed``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger("worker.pool")

RESTART_PAUSE_SECONDS = 5.0
_FORK = multiprocessing.get_context("fork")


def _child(run: Callable[[], None]) -> None:
    os.setpgid(0, 0)  # signals to the parent's group (Ctrl-C) are the parent's to pass on
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    run()


def _end_group(process: BaseProcess) -> None:
    """SIGTERM what is left in the process group of `process`, which has exited."""
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)


class Pool:
    """`processes` children, each running `run` (in the child, after the fork)."""

    def __init__(self, processes: int, run: Callable[[], None]) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self._run = run
        self._slots: list[BaseProcess | None] = [None] * processes
        self._started = [0.0] * processes
        self._stopping = False

    def serve(self) -> int:
        """Start the children, restart those that exit, and return 0 once a SIGTERM or
        SIGINT has stopped them all."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        gc.freeze()
        while not self._stopping:
            now = time.monotonic()
            for slot, process in enumerate(self._slots):
                if process is not None and process.exitcode is None:
                    continue
                if process is not None and now - self._started[slot] < RESTART_PAUSE_SECONDS:
                    continue  # a child that dies at once is not restarted in a tight loop
                if process is not None:
                    log.warning("worker process %s exited with %s; starting another",
                                process.pid, process.exitcode)
                    _end_group(process)
                self._slots[slot] = self._start(slot)
            wait([p.sentinel for p in self._slots if p is not None], timeout=1.0)
        for process in self._slots:
            if process is not None:
                process.join()
                _end_group(process)
        return 0

    def pids(self) -> list[int]:
        return [p.pid for p in self._slots if p is not None and p.pid is not None]

    def _start(self, slot: int) -> BaseProcess:
        process = _FORK.Process(target=_child, args=(self._run,), name=f"worker-{slot}")
        process.start()
        self._started[slot] = time.monotonic()
        return process

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if self._stopping:
            return
        self._stopping = True
        log.info("%s: stopping %d worker processes after their current jobs",
                 signal.Signals(signum).name, len(self.pids()))
        for process in self._slots:
            if process is not None and process.exitcode is None and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
