"""The RQ worker class `handoff worker` runs: rq's SimpleWorker that rides out a Redis
outage, with cheaper heartbeats.

rq retries a lost Redis only while it waits for a job (`dequeue_job_and_maintain_ttl`).
Anywhere else, in the job's own calls (ticket lock, ledger), in rq's bookkeeping after
the job or in the heartbeat that follows it, a ConnectionError reaches `work()`, which
logs "found an unhandled exception, quitting" and exits: a Redis restart longer than
redis-py's three quick retries stopped every busy worker. `HandoffWorker` therefore
gives its connection `RideOutOutage`: each Redis call waits for the server to come
back, with a backoff capped at `OUTAGE_BACKOFF_CAP` seconds, for up to
`OUTAGE_BUDGET_SECONDS`. The job in hand then finishes and is recorded, and the
worker goes on. After the budget the error propagates and the worker exits for its
supervisor to restart it.

rq beats three times per job (before the wait, after it and after the job), and each
beat is three separate commands (HSET and two EXPIREs). At dozens of jobs a second that
was 9 of a worker's 32 Redis round trips per ticket (docs/performance.md). Here a beat
is one pipelined round trip, and a beat that would move the worker's expiry by less
than `HEARTBEAT_EVERY` is skipped.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any, TypeVar

from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.retry import Retry
from rq import SimpleWorker
from rq.utils import now

HEARTBEAT_EVERY = timedelta(seconds=1)
# rq polls the worker's command channel with a 60 s sleep, and since redis-py 8.2
# stopping the poller waits for that sleep to end: every worker exit (each --burst run,
# each SIGTERM) took up to a minute. A short poll costs one idle wake-up a second.
PUBSUB_POLL_SECONDS = 1.0
OUTAGE_BUDGET_SECONDS = 300.0
OUTAGE_BACKOFF_CAP = 5.0
_FIRST_WAIT = 0.25

log = logging.getLogger("worker.redis")
T = TypeVar("T")


class RideOutOutage(Retry):
    """redis-py's retry policy, bounded by time: wait for Redis up to `budget` seconds.

    Waits double from a quarter of a second up to `cap`; each wait is logged. The
    clock starts at the first failure of the outage and is shared by the calls
    nested on a connection (redis-py runs a connect's retries inside a command's),
    so the outage, not each nested call, is bounded. A call that succeeds ends it.
    """

    def __init__(self, budget: float = OUTAGE_BUDGET_SECONDS, cap: float = OUTAGE_BACKOFF_CAP
                 ) -> None:
        super().__init__(NoBackoff(), retries=-1)
        self.budget, self.cap = budget, cap
        self._down_since: float | None = None

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        """Run `do`; on a connection error call `fail` and run it again after a wait.

        Raises the last error once the outage has lasted `budget` seconds, or at
        once for an error `is_retryable` rejects.
        """
        failures = 0
        while True:
            try:
                result = do()
            except self._supported_errors as error:
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                if is_retryable is not None and not is_retryable(error):
                    raise
                down_for = self._outage_started()
                if down_for >= self.budget:
                    log.error("Redis unreachable for %.0f s, giving up: %s", down_for, error)
                    raise
                wait = min(self.cap, _FIRST_WAIT * 2 ** (failures - 1), self.budget - down_for)
                log.warning("Redis unreachable for %.0f s (%s); retrying in %.2f s",
                            down_for, error, wait)
                time.sleep(wait)
            else:
                self._outage_over()
                return result

    def _outage_started(self) -> float:
        if self._down_since is None:
            self._down_since = time.monotonic()
        return time.monotonic() - self._down_since

    def _outage_over(self) -> None:
        if self._down_since is not None:
            log.warning("Redis is back after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None


class HandoffWorker(SimpleWorker):
    """Runs jobs in its own process (models load once), rides out a Redis outage of up
    to `OUTAGE_BUDGET_SECONDS`, and beats in one round trip."""

    # When the worker's keys expire, as set by the last beat this process sent.
    _expires_at: datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """rq's SimpleWorker; its connection (shared with the jobs of this process, whose
        ticket locks and ledgers use it) then retries through an outage."""
        super().__init__(*args, **kwargs)
        self.connection.set_retry(RideOutOutage())

    def work(self, *args: Any, **kwargs: Any) -> bool:
        """rq's `work`. rq installs its SIGTERM/SIGINT handlers only after registering the
        worker and starting the scheduler; a signal in that window killed the process
        outright (exit -15, the scheduler left running). Until rq's handlers are in, a
        signal asks for the stop that rq's loop makes at its first turn. Returns whether
        any job ran."""
        def stop_early(signum: int, frame: FrameType | None) -> None:
            self._stop_requested = True

        signal.signal(signal.SIGTERM, stop_early)
        signal.signal(signal.SIGINT, stop_early)
        return bool(super().work(*args, **kwargs))

    def subscribe(self) -> None:
        """rq's subscription to the worker's command channel, polled every
        `PUBSUB_POLL_SECONDS` so that stopping the worker does not wait a minute.
        Raises redis.RedisError when Redis fails, as rq's does."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        # rq declares the attribute as None in its class body, its own assignment alike.
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_POLL_SECONDS, daemon=True,
            exception_handler=self._pubsub_exception_handler)

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        """Extend the worker's keys by `timeout` (rq's default when None).

        Skipped when the keys already live until at least that moment less
        `HEARTBEAT_EVERY`; a beat inside rq's own pipeline is always added. Raises
        redis.RedisError when Redis fails, as rq's own beat does.
        """
        expires_at = now() + timedelta(seconds=timeout or self.worker_ttl + 60)
        if (pipeline is None and self._expires_at is not None
                and expires_at - self._expires_at < HEARTBEAT_EVERY):
            return
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
        else:
            with self.connection.pipeline(transaction=False) as batch:
                super().heartbeat(timeout, batch)
                batch.execute()
        self._expires_at = expires_at
