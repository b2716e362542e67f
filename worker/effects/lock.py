"""One worker at a time per ticket: a Redis lock with a TTL and a fencing token.

Acquiring takes a new, strictly increasing token from a per-ticket counter and
stores it as the lock's value. Before each write the holder checks that the lock
still carries its token (and extends the TTL): a worker that stalled past the TTL
and lost the lock to another finds a different token and stops before writing.
Release deletes the lock only if it still holds our token.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from core.errors import TransientError

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: lock, fence. ARGV: TTL in ms. A new token, and whether the lock is ours already
# (the uncontended case costs one round trip instead of two).
_TAKE = """
local token = redis.call('INCR', KEYS[2])
local taken = redis.call('SET', KEYS[1], token, 'NX', 'PX', ARGV[1])
return {token, taken and 1 or 0}
"""
_CHECK_AND_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class LockLost(TransientError):
    """Another worker holds the ticket now; this job must stop writing and retry later."""


class TicketLock:
    """The lock of one ticket, held by one job."""

    def __init__(self, connection: redis.Redis, platform: str, ticket_id: str, ttl: float) -> None:
        self._redis = connection
        self.key = f"handoff:lock:{platform}:{ticket_id}"
        self._fence = f"handoff:fence:{platform}:{ticket_id}"
        self._ttl_ms = int(ttl * 1000)
        self.token: str | None = None

    def acquire(self, wait: float, poll: float = 0.05) -> str:
        """Take the lock, waiting up to `wait` seconds; return the fencing token.

        Raises LockLost (a TransientError, so the job is retried) when another
        worker still holds the ticket after `wait`.
        """
        raw, taken = self._redis.eval(_TAKE, 2, self.key, self._fence, self._ttl_ms)
        token = raw.decode() if isinstance(raw, bytes) else str(raw)
        deadline = time.monotonic() + wait
        while not taken:
            if time.monotonic() >= deadline:
                raise LockLost(f"{self.key} is held by another worker")
            time.sleep(poll)
            taken = self._redis.set(self.key, token, nx=True, px=self._ttl_ms)
        self.token = token
        return token

    def check(self) -> None:
        """Confirm we still hold the lock and extend it; raise LockLost if not."""
        held = self._redis.eval(_CHECK_AND_EXTEND, 1, self.key, self.token or "", self._ttl_ms)
        if not held:
            raise LockLost(f"{self.key}: lock lost (token {self.token}); stopping before writing")

    def release(self) -> None:
        """Let the ticket go if we still hold it; a lost lock is left to its new holder."""
        if self.token is not None:
            self._redis.eval(_RELEASE, 1, self.key, self.token)
            self.token = None


@contextmanager
def ticket_lock(
    connection: redis.Redis, platform: str, ticket_id: str, ttl: float, wait: float
) -> Iterator[TicketLock]:
    """Hold the ticket's lock for the block; see `TicketLock.acquire` for failures."""
    lock = TicketLock(connection, platform, ticket_id, ttl)
    lock.acquire(wait)
    try:
        yield lock
    finally:
        lock.release()
