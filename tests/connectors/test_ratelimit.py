"""The shared rate budget: header parsing, slow-down, and two processes on one Redis."""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import redis
from flask import Flask

from connectors.base import HttpConnector
from connectors.ratelimit import (
    DEFAULT_BUDGETS,
    Quota,
    RedisRateBudget,
    hold_seconds,
    pace_burst,
    parse_quota,
    redis_budgets,
)
from connectors.zendesk import payloads
from connectors.zendesk.connector import ZendeskConnector
from core.errors import RateLimited
from core.models import AddTags
from core.settings import RateBudget, ZendeskSettings
from tests.conftest import serve_in_thread
from tests.connectors import fixtures_zendesk as fx


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def budget(conn: redis.Redis, fake: FakeTime, calls: int = 3, per: float = 10.0,
           key: str = "handoff:rate:test:acct") -> RedisRateBudget:
    return RedisRateBudget(conn, key, RateBudget(calls=calls, per_seconds=per),
                           clock=fake.clock, sleep=fake.sleep)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "12"}, Quota(12, 700)),
        ({"ratelimit-limit": "700", "ratelimit-remaining": "3", "ratelimit-reset": "41"},
         Quota(3, 700, 41.0)),
        ({"X-RateLimit-Total": "200", "X-RateLimit-Remaining": "0",
          "X-RateLimit-Used-CurrentRequest": "1"}, Quota(0, 200)),
        ({"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "650", "ratelimit-limit": "100",
          "ratelimit-remaining": "4", "ratelimit-reset": "30"}, Quota(4, 100, 30.0)),
        ({"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "3", "ratelimit-limit": "100",
          "ratelimit-remaining": "40"}, Quota(3, 700)),
        ({"X-Gorgias-Account-Api-Call-Limit": "38/40"}, Quota(2, 40)),
        ({"X-Gorgias-Account-Api-Call-Limit": "41/40"}, Quota(0, 40)),
        ({"X-Gorgias-Account-Api-Call-Limit": "lots"}, None),
        ({"X-Rate-Limit-Remaining": "many"}, None),
        ({"Content-Type": "application/json"}, None),
    ],
)
def test_parse_quota_reads_each_helpdesks_headers(
    headers: dict[str, str], expected: Quota | None
) -> None:
    assert parse_quota(httpx.Headers(headers)) == expected


def test_hold_only_when_the_remaining_quota_reaches_the_reserve() -> None:
    per_minute = RateBudget(calls=700, per_seconds=60)
    assert hold_seconds(Quota(remaining=36, limit=700), per_minute) == 0.0
    assert hold_seconds(Quota(remaining=35, limit=700), per_minute) == 60.0
    assert hold_seconds(Quota(remaining=2, limit=700, reset_seconds=7), per_minute) == 7.0
    # No limit in the headers: the reserve comes from our own budget (40 -> 2 calls).
    assert hold_seconds(Quota(remaining=2), RateBudget(calls=40, per_seconds=20)) == 20.0
    assert hold_seconds(Quota(remaining=3), RateBudget(calls=40, per_seconds=20)) == 0.0


def test_acquire_admits_the_budget_then_waits_for_the_oldest_slot(
    redis_conn: redis.Redis,
) -> None:
    fake = FakeTime()
    rate = budget(redis_conn, fake, calls=3, per=10.0)
    for _ in range(3):
        rate.acquire(max_wait=30)
    fake.now += 4
    admitted = rate.acquire(max_wait=30)
    assert fake.sleeps == [pytest.approx(6.0, abs=0.01)]
    assert admitted == pytest.approx(1_000_010.0, abs=0.01)


def test_acquire_raises_rate_limited_rather_than_wait_past_max_wait(
    redis_conn: redis.Redis,
) -> None:
    fake = FakeTime()
    rate = budget(redis_conn, fake, calls=1, per=10.0)
    rate.acquire(max_wait=30)
    with pytest.raises(RateLimited) as caught:
        rate.acquire(max_wait=5)
    assert caught.value.retry_after == pytest.approx(10.0, abs=0.01)
    assert fake.sleeps == []


def test_a_paced_budget_spaces_calls_evenly_after_its_burst(redis_conn: redis.Redis) -> None:
    fake = FakeTime()
    rate = RedisRateBudget(redis_conn, "handoff:rate:test:paced",
                           RateBudget(calls=10, per_seconds=10.0), burst=3,
                           clock=fake.clock, sleep=fake.sleep)
    admitted = [rate.acquire(max_wait=30) for _ in range(23)]
    # Three at once, then evenly: the burst is taken from the pace (10 s / 7 calls), so no
    # window holds more than the budget and nothing stalls at a window's edge.
    assert admitted[:3] == [1_000_000.0] * 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(admitted[2:])]
    assert gaps == [pytest.approx(10 / 7, abs=0.01)] * 20
    # Even a window longer by almost an interval, ends included, holds at most the budget:
    # the helpdesk, receiving each call after a varying delay, counts no more than we do.
    busiest = max(sum(1 for t in admitted if start <= t <= start + 10.0 + 10 / 7 - 0.01)
                  for start in admitted)
    assert busiest == 10


def test_a_paced_budget_refuses_rather_than_wait_past_max_wait(redis_conn: redis.Redis) -> None:
    fake = FakeTime()
    rate = RedisRateBudget(redis_conn, "handoff:rate:test:paced",
                           RateBudget(calls=6, per_seconds=60), burst=1,
                           clock=fake.clock, sleep=fake.sleep)
    rate.acquire(max_wait=0)
    with pytest.raises(RateLimited) as caught:
        rate.acquire(max_wait=5)
    assert caught.value.retry_after == pytest.approx(60 / (6 - 1), abs=0.01)


def test_accounts_budgets_are_paced_with_a_small_burst(redis_conn: redis.Redis) -> None:
    plain = ZendeskSettings(subdomain="acme", email="a@acme.test")
    account = redis_budgets(redis_conn)("zendesk", plain)
    assert account.burst == pace_burst(DEFAULT_BUDGETS["zendesk"]) == 3
    assert pace_burst(RateBudget(calls=20, per_seconds=20)) == 2
    assert pace_burst(RateBudget(calls=5, per_seconds=1)) == 1
    assert account.endpoint("ticket-update", RateBudget(calls=100, per_seconds=60)).burst == 3


def test_accounts_have_separate_budgets(redis_conn: redis.Redis) -> None:
    fake = FakeTime()
    first = budget(redis_conn, fake, calls=1, key="handoff:rate:zendesk:a")
    second = budget(redis_conn, fake, calls=1, key="handoff:rate:zendesk:b")
    first.acquire(max_wait=0)
    second.acquire(max_wait=0)
    with pytest.raises(RateLimited):
        first.acquire(max_wait=0)


def test_a_low_remaining_header_holds_every_worker_until_the_reset(
    redis_conn: redis.Redis,
) -> None:
    fake = FakeTime()
    one, other = budget(redis_conn, fake, calls=100), budget(redis_conn, fake, calls=100)
    one.observe(httpx.Headers({"ratelimit-limit": "700", "ratelimit-remaining": "5",
                               "ratelimit-reset": "12"}))
    other.acquire(max_wait=30)
    assert fake.sleeps == [pytest.approx(12.0, abs=0.01)]
    # Plenty left: no hold, and a later report never shortens an existing hold.
    one.observe(httpx.Headers({"ratelimit-limit": "700", "ratelimit-remaining": "600"}))
    other.acquire(max_wait=0)


def test_a_429_holds_every_worker_for_its_retry_after(redis_conn: redis.Redis) -> None:
    fake = FakeTime()
    one, other = budget(redis_conn, fake, calls=100), budget(redis_conn, fake, calls=100)
    one.observe(httpx.Headers({"Retry-After": "9"}), rate_limited=True)
    with pytest.raises(RateLimited) as caught:
        other.acquire(max_wait=5)
    assert caught.value.retry_after == pytest.approx(9.0, abs=0.01)


def test_plan_defaults_and_settings_pick_the_budget(redis_conn: redis.Redis) -> None:
    plain = ZendeskSettings(subdomain="acme", email="a@acme.test")
    tuned = ZendeskSettings(subdomain="acme", email="a@acme.test",
                            rate_budget=RateBudget(calls=200, per_seconds=60))
    factory = redis_budgets(redis_conn)
    assert factory("zendesk", plain).budget == DEFAULT_BUDGETS["zendesk"]
    assert factory("zendesk", tuned).budget.calls == 200
    assert factory("zendesk", plain).key == "handoff:rate:zendesk:https://acme.zendesk.com/api/v2"
    assert DEFAULT_BUDGETS["gorgias"] == RateBudget(calls=40, per_seconds=20)


def test_every_try_takes_a_slot_and_reports_its_headers(redis_conn: redis.Redis) -> None:
    fake = FakeTime()
    answers = iter([
        httpx.Response(503),
        httpx.Response(200, json={}, headers={"X-Rate-Limit-Remaining": "1",
                                              "X-Rate-Limit": "700"}),
    ])
    client = httpx.Client(base_url="https://acme.test",
                          transport=httpx.MockTransport(lambda request: next(answers)))
    rate = budget(redis_conn, fake, calls=2, per=60.0)
    connector = HttpConnector(client=client, sleep=fake.sleep, budget=rate, max_attempts=3,
                              max_total_wait_seconds=5)
    connector.request("GET", "/x")
    assert redis_conn.zcard(rate.key) == 2
    # The 200 said the account is nearly spent: the next call waits a window, beyond 5 s.
    with pytest.raises(RateLimited):
        connector.request("GET", "/x")


def _worker(url: str, redis_url: str, calls: int, per: float, count: int, name: str) -> None:
    """One worker process: `count` API calls through its own connector and budget."""
    conn = redis.Redis.from_url(redis_url)
    shared = RedisRateBudget(conn, "handoff:rate:test:shared",
                             RateBudget(calls=calls, per_seconds=per))

    class Recording:
        def acquire(self, max_wait: float) -> float:
            admitted = shared.acquire(max_wait)
            conn.rpush("test:admitted", f"{name} {admitted!r}")
            return admitted

        def observe(self, headers: Mapping[str, str], *, rate_limited: bool = False) -> None:
            shared.observe(headers, rate_limited=rate_limited)

    with httpx.Client(base_url=url) as client:
        connector = HttpConnector(client=client, budget=Recording(), max_total_wait_seconds=30)
        for _ in range(count):
            connector.request("GET", "/ping")


def test_two_processes_never_exceed_the_shared_budget(
    redis_conn: redis.Redis, redis_url: str
) -> None:
    calls, per, each = 10, 0.5, 15
    app = Flask("stub")
    hits: list[int] = []

    @app.get("/ping")
    def ping() -> Any:
        hits.append(1)
        return {"ok": True}

    spawn = multiprocessing.get_context("spawn")
    with serve_in_thread(app) as url:
        workers = [spawn.Process(target=_worker, args=(url, redis_url, calls, per, each, n))
                   for n in ("a", "b")]
        for process in workers:
            process.start()
        for process in workers:
            process.join(timeout=60)
        assert [p.exitcode for p in workers] == [0, 0]
    rows = [row.decode().split() for row in redis_conn.lrange("test:admitted", 0, -1)]
    stamps = sorted(float(stamp) for _, stamp in rows)
    assert len(stamps) == len(hits) == 2 * each
    assert {name for name, _ in rows} == {"a", "b"}
    # Windows a microsecond short of the budget's length absorb float rounding at the edge.
    window = per - 1e-6
    busiest = max(sum(1 for s in stamps if start <= s < start + window) for start in stamps)
    assert busiest == calls


def test_zendesk_ticket_updates_have_their_own_100_per_minute_budget(
    redis_conn: redis.Redis,
) -> None:
    data = fx.ticket_response()
    ticket = payloads.ticket_from_api(data["ticket"], payloads.users_by_id(data), fx.THREAD,
                                      str(fx.AI_USER_ID))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ticket": fx.TICKET, "user": {"id": 1}})

    fake = FakeTime()
    settings = ZendeskSettings(subdomain="acme", email="a@acme.test", max_total_wait_seconds=5)
    zendesk = ZendeskConnector(
        settings=settings,
        client=httpx.Client(base_url=fx.BASE, transport=httpx.MockTransport(handler)),
        sleep=fake.sleep, budget=budget(redis_conn, fake, calls=700, per=60.0),
    )
    for _ in range(100):
        zendesk.apply(ticket, (AddTags(tags=("x",)),))
    with pytest.raises(RateLimited):
        zendesk.apply(ticket, (AddTags(tags=("x",)),))
    # Reads still have room in the account's budget.
    zendesk.request("GET", "/users/me.json")
    fake.now += 60
    zendesk.apply(ticket, (AddTags(tags=("x",)),))
