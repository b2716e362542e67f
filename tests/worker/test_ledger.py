"""The ledger against a real Redis: one read per job, and writes kept in step with it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import redis

from core.models import Decision, Path
from worker.effects.ledger import Ledger

FIRST = Decision(ticket_id="7", platform="zendesk", path=Path.DRAFT, confidence=0.7)
SECOND = Decision(ticket_id="7", platform="zendesk", path=Path.ESCALATE, confidence=0.1)


class CountingRedis(redis.Redis):
    """A real client that counts the commands it sends."""

    sent: Counter[str]

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent[str(args[0]).upper()] += 1
        return super().execute_command(*args, **options)


def counting(connection: redis.Redis) -> CountingRedis:
    client = CountingRedis(connection_pool=connection.connection_pool)
    client.sent = Counter()
    return client


def test_one_read_answers_recall_planned_and_is_done(redis_conn: redis.Redis) -> None:
    writer = Ledger(redis_conn, "d-1")
    writer.remember("climb", '{"record": 3}')
    writer.plan(FIRST)
    writer.mark_done(0)

    client = counting(redis_conn)
    reader = Ledger(client, "d-1")
    assert reader.recall("climb") == '{"record": 3}'
    assert reader.planned() == FIRST
    assert reader.is_done(0)
    assert not reader.is_done(1)
    assert reader.recall("other") is None
    assert client.sent == Counter({"HGETALL": 1})


def test_what_the_job_writes_it_reads_back_without_asking_redis(
    redis_conn: redis.Redis,
) -> None:
    client = counting(redis_conn)
    ledger = Ledger(client, "d-2")
    assert ledger.planned() is None
    assert ledger.plan(FIRST) == FIRST
    ledger.mark_done(0)
    ledger.remember("climb", "x")
    reads = client.sent["HGETALL"]
    assert ledger.planned() == FIRST
    assert ledger.is_done(0)
    assert ledger.recall("climb") == "x"
    assert client.sent["HGETALL"] == reads == 1

    fresh = Ledger(redis_conn, "d-2")  # and all of it is in Redis for a retry
    assert (fresh.planned(), fresh.is_done(0), fresh.recall("climb")) == (FIRST, True, "x")


def test_a_decision_stored_first_wins_over_a_later_plan(redis_conn: redis.Redis) -> None:
    earlier = Ledger(redis_conn, "d-3")
    later = Ledger(redis_conn, "d-3")
    assert later.planned() is None  # read before the other run stored its plan
    assert earlier.plan(FIRST) == FIRST
    assert later.plan(SECOND) == FIRST
    assert later.planned() == FIRST


def test_remember_keeps_the_first_value(redis_conn: redis.Redis) -> None:
    ledger = Ledger(redis_conn, "d-4")
    ledger.remember("climb", "first")
    ledger.remember("climb", "second")
    assert ledger.recall("climb") == "first"
    assert Ledger(redis_conn, "d-4").recall("climb") == "first"
    assert redis_conn.ttl(ledger.key) > 0


def test_a_replan_replaces_the_plan_keeps_what_is_done_and_forgets_fallbacks(
    redis_conn: redis.Redis,
) -> None:
    assert not Ledger(redis_conn, "d-5").ask_replan()  # nothing planned: nothing to ask
    assert not redis_conn.exists("handoff:ledger:d-5")
    first = Ledger(redis_conn, "d-5")
    first.plan(FIRST)
    first.mark_done(0)
    first.keep_fallback(1, 2, 'HTTP 422: {"error": "RecordInvalid"}')
    first.remember("alerted:1", "failed")
    first.remember("climb", "kept")
    assert first.ask_replan()

    replay = Ledger(redis_conn, "d-5")
    assert replay.replan_asked()
    assert replay.fallback(1) == (2, 'HTTP 422: {"error": "RecordInvalid"}')
    assert replay.replan(SECOND) == SECOND
    assert (replay.planned(), replay.replan_asked(), replay.fallback(1)) == (SECOND, False, None)
    after = Ledger(redis_conn, "d-5")  # and so it is in Redis, for a crash right after
    assert (after.planned(), after.is_done(0), after.replan_asked(), after.fallback(1)) == (
        SECOND, True, False, None)
    assert (after.recall("alerted:1"), after.recall("climb")) == (None, "kept")
    assert replay.recall("alerted:1") is None
    assert redis_conn.ttl(after.key) > 0
