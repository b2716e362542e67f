"""The per-ticket lock and its fencing token, on a real Redis."""

from __future__ import annotations

import time

import pytest
import redis

from worker.effects.lock import LockLost, TicketLock, ticket_lock


def test_second_holder_waits_then_gives_up(redis_conn: redis.Redis) -> None:
    with ticket_lock(redis_conn, "zendesk", "1", ttl=30, wait=0) as first:
        with pytest.raises(LockLost, match="held by another worker"):
            TicketLock(redis_conn, "zendesk", "1", ttl=30).acquire(wait=0.1)
        first.check()
    assert redis_conn.get("handoff:lock:zendesk:1") is None


def test_other_tickets_are_not_blocked(redis_conn: redis.Redis) -> None:
    with (
        ticket_lock(redis_conn, "zendesk", "1", ttl=30, wait=0),
        ticket_lock(redis_conn, "zendesk", "2", ttl=30, wait=0) as other,
    ):
        assert other.token is not None


def test_stalled_holder_is_fenced_off_after_its_lock_expires(redis_conn: redis.Redis) -> None:
    stalled = TicketLock(redis_conn, "zendesk", "1", ttl=0.1)
    old_token = stalled.acquire(wait=0)
    time.sleep(0.2)  # the TTL runs out while the first worker is stuck
    successor = TicketLock(redis_conn, "zendesk", "1", ttl=30)
    new_token = successor.acquire(wait=1)
    assert int(new_token) > int(old_token)

    with pytest.raises(LockLost, match="lock lost"):
        stalled.check()
    stalled.release()
    assert redis_conn.get(successor.key) == new_token.encode()
    successor.check()
    successor.release()
