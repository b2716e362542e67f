"""The RQ worker class `handoff worker` runs: rq's SimpleWorker with cheaper heartbeats.

rq beats three times per job (before the wait, after it and after the job), and each
beat is three separate commands (HSET and two EXPIREs). At dozens of jobs a second that
was 9 of a worker's 32 Redis round trips per ticket (docs/performance.md). Here a beat
is one pipelined round trip, and a beat that would move the worker's expiry by less
than `HEARTBEAT_EVERY` is skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from redis.client import Pipeline
from rq import SimpleWorker
from rq.utils import now

HEARTBEAT_EVERY = timedelta(seconds=1)


class HandoffWorker(SimpleWorker):
    """Runs jobs in its own process (models load once) and beats in one round trip."""

    # When the worker's keys expire, as set by the last beat this process sent.
    _expires_at: datetime | None = None

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
