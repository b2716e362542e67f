"""One call budget per helpdesk account, shared by every worker process through Redis.

Two things keep us under the helpdesk's limit:

1. Our own count. `RedisRateBudget` admits at most ``calls`` API calls in any
   window of ``per_seconds`` (a sliding-window log: one sorted set per account,
   checked and written by one Lua script, so concurrent workers cannot both take
   the last slot). GCRA or a token bucket alone would be lighter, but both let
   a full burst plus the refill through within one window, up to twice the
   budget, which is exactly what a helpdesk's per-minute counter answers with
   429. Workers built by `RedisRateBudget.for_account` also pace their calls:
   on top of the log, a GCRA schedule spaces admissions evenly (about
   ``per_seconds / calls`` apart) after a small burst (`pace_burst`) taken from
   the same budget, so a backlog spends the budget
   evenly instead of all of it in the first second of each window (which a
   smoothing helpdesk, such as Gorgias' leaky bucket, would answer with 429).
2. The helpdesk's count. Other integrations and agents spend the same account
   budget, so each response's remaining-quota header (`parse_quota`) is read:
   when it falls to the reserve, every worker holds further calls until the
   helpdesk's window resets (``ratelimit-reset`` when sent, else one window of
   the budget). A 429 holds everyone for its ``Retry-After``.

Keys: ``handoff:rate:<platform>:<account address>``. Time is the Redis server's
clock unless a clock is injected (tests), so workers on several machines agree.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import redis

from core.errors import RateLimited, TransientError
from core.settings import RateBudget

# Plan defaults when `rate_budget` is unset: Zendesk Enterprise, Freshdesk Growth,
# Gorgias API-key integrations (see the helpdesk API reference, rate-limit sections).
DEFAULT_BUDGETS: dict[str, RateBudget] = {
    "zendesk": RateBudget(calls=700, per_seconds=60),
    "freshdesk": RateBudget(calls=200, per_seconds=60),
    "gorgias": RateBudget(calls=40, per_seconds=20),
}
KEY_PREFIX = "handoff:rate"
# Hold calls once the helpdesk reports this share of its limit (at least one call) left.
RESERVE_SHARE = 0.05

# KEYS: log (sorted set), sequence, hold, pace. ARGV: now ('' = server time), calls,
# per, burst (0 = no pacing). Returns {admitted 0/1, now, seconds to wait} as strings:
# Redis turns Lua numbers into integers, and %.17g keeps every bit of the double.
# Pacing is GCRA: `pace` holds the theoretical arrival time of the next call; a call
# may run at most burst - 1 intervals ahead of it, the interval being
# per / (calls - burst).
_ACQUIRE = """
local function exact(x) return string.format('%.17g', x) end
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local calls, per, burst = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = math.ceil(per * 1000) + 1000
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
if hold > now then
  return {'0', exact(now), exact(hold - now)}
end
local wait = 0
-- The burst is borrowed from the steady pace, with one interval to spare: no window of
-- `per`, ends included, holds more than `calls`, nor does one seen at the helpdesk, where
-- calls arrive later by a delay that varies by up to an interval. The log never has to
-- stall the pace.
local interval = per / math.max(1, calls - burst)
local tat = math.max(now, tonumber(redis.call('GET', KEYS[4]) or '0'))
if burst > 0 then
  wait = math.max(0, tat - now - (burst - 1) * interval)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
if redis.call('ZCARD', KEYS[1]) >= calls then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + per - now)
end
if wait > 0 then
  return {'0', exact(now), exact(wait)}
end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], now, exact(now) .. ':' .. seq)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
if burst > 0 then
  redis.call('SET', KEYS[4], exact(tat + interval), 'PX', ttl)
end
return {'1', exact(now), '0'}
"""

# KEYS: hold. ARGV: now ('' = server time), seconds. Only ever extends a hold.
_HOLD = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local seconds = tonumber(ARGV[2])
local until_ = now + seconds
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.17g', until_), 'PX', math.ceil(seconds * 1000) + 1)
end
return string.format('%.17g', until_)
"""


class CallBudget(Protocol):
    """What `HttpConnector` needs from a rate budget."""

    def acquire(self, max_wait: float) -> float:
        """Block until one call may go out; return the time it was admitted.

        Raises RateLimited when the wait would exceed `max_wait` seconds, and
        TransientError when the budget's store cannot be reached.
        """
        ...

    def observe(self, headers: Mapping[str, str], *, rate_limited: bool = False) -> None:
        """Learn from a response's rate-limit headers (a 429 when `rate_limited`)."""
        ...

    def endpoint(self, name: str, budget: RateBudget) -> CallBudget:
        """The budget of one endpoint of the same account that has a lower limit of its own."""
        ...


@dataclass(frozen=True)
class Quota:
    """What a response says about the helpdesk's own budget."""

    remaining: int
    limit: int | None = None
    reset_seconds: float | None = None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def parse_quota(headers: Mapping[str, str]) -> Quota | None:
    """The remaining quota from any of the three helpdesks' headers, or None.

    Reads Zendesk ``ratelimit-remaining``/``-limit``/``-reset`` or
    ``X-Rate-Limit-Remaining``/``X-Rate-Limit``, Freshdesk
    ``X-RateLimit-Remaining``/``X-RateLimit-Total``, and Gorgias
    ``X-Gorgias-Account-Api-Call-Limit: used/limit``. Unreadable values count
    as absent; when several pairs are sent the one with the fewest calls left
    wins. This never raises. `headers` must be case-insensitive (httpx).
    """
    gorgias = headers.get("x-gorgias-account-api-call-limit")
    if gorgias is not None:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", gorgias)
        if match is None:
            return None
        used, limit = int(match.group(1)), int(match.group(2))
        return Quota(remaining=max(0, limit - used), limit=limit)
    found = []
    for remaining_name, limit_name, reset_name in (
        ("ratelimit-remaining", "ratelimit-limit", "ratelimit-reset"),
        ("x-rate-limit-remaining", "x-rate-limit", None),
        ("x-ratelimit-remaining", "x-ratelimit-total", None),
    ):
        remaining = _int(headers.get(remaining_name))
        if remaining is not None:
            reset = _int(headers.get(reset_name)) if reset_name else None
            found.append(Quota(
                remaining=max(0, remaining),
                limit=_int(headers.get(limit_name)),
                reset_seconds=float(reset) if reset is not None and reset >= 0 else None,
            ))
    # Zendesk can send an account pair and a Ticketing API pair: the scarcer one binds.
    return min(found, key=lambda quota: quota.remaining, default=None)


def hold_seconds(quota: Quota, budget: RateBudget, reserve_share: float = RESERVE_SHARE) -> float:
    """How long to hold every call after a response reporting `quota`; 0 for none.

    Calls are held once the remaining quota is at or below the reserve
    (`reserve_share` of the limit, at least one call): until the reported reset,
    or for one whole window of `budget` when the helpdesk does not say when.
    """
    limit = quota.limit if quota.limit else budget.calls
    reserve = max(1, math.ceil(limit * reserve_share))
    if quota.remaining > reserve:
        return 0.0
    return quota.reset_seconds if quota.reset_seconds is not None else budget.per_seconds


def pace_burst(budget: RateBudget) -> int:
    """Calls that may go at once before pacing spaces them evenly.

    A tenth of the budget, between 1 and 3: one ticket's few calls go out without
    waiting, while a backlog is spread over the window at
    ``per_seconds / (calls - burst)`` per call (97 per minute of a 100 budget).
    """
    return max(1, min(3, budget.calls // 10))


class RedisRateBudget:
    """The call budget of one helpdesk account, kept in Redis.

    `burst` turns pacing on (see the module docstring; None: calls are only
    counted, up to ``calls`` at once). `clock` (seconds, float) replaces the
    Redis server's clock and `sleep` the real sleep, for tests. Every method
    raises TransientError when Redis cannot be reached, so a job fails and is
    retried instead of calling unmetered.
    """

    def __init__(
        self,
        connection: redis.Redis,
        key: str,
        budget: RateBudget,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        reserve_share: float = RESERVE_SHARE,
        burst: int | None = None,
    ) -> None:
        self.key = key
        self.budget = budget
        self.reserve_share = reserve_share
        self.burst = burst
        self._redis = connection
        self._clock = clock
        self._sleep = sleep
        self._acquire = connection.register_script(_ACQUIRE)
        self._hold = connection.register_script(_HOLD)

    @classmethod
    def for_account(
        cls, connection: redis.Redis, platform: str, section: Any, **kwargs: Any
    ) -> RedisRateBudget:
        """The paced budget of the account that settings `section` describes.

        Uses ``section.rate_budget``, else the platform's plan default; raises
        KeyError for a platform with neither.
        """
        budget = section.rate_budget or DEFAULT_BUDGETS[platform]
        kwargs.setdefault("burst", pace_burst(budget))
        return cls(connection, f"{KEY_PREFIX}:{platform}:{section.api_base()}", budget, **kwargs)

    def _now(self) -> str:
        return repr(self._clock()) if self._clock is not None else ""

    def try_acquire(self) -> tuple[bool, float, float]:
        """One attempt: (admitted, the time, seconds to wait before trying again)."""
        keys = [self.key, f"{self.key}:seq", f"{self.key}:hold", f"{self.key}:pace"]
        args: list[str | int] = [self._now(), self.budget.calls, repr(self.budget.per_seconds),
                                 self.burst or 0]
        try:
            admitted, now, wait = self._acquire(keys=keys, args=args)
        except redis.RedisError as exc:
            raise TransientError(f"rate budget {self.key}: Redis: {exc}") from exc
        return admitted in (b"1", "1"), float(now), max(0.0, float(wait))

    def acquire(self, max_wait: float) -> float:
        """Wait for a slot and take it; return the time it was admitted.

        Raises RateLimited (with the wait as ``retry_after``) as soon as the
        total wait would exceed `max_wait`: the job is better retried later than
        left sleeping past its timeout. TransientError when Redis fails.
        """
        waited = 0.0
        while True:
            admitted, now, wait = self.try_acquire()
            if admitted:
                return now
            if waited + wait > max_wait:
                raise RateLimited(
                    f"rate budget {self.key}: no call allowed for {wait:.1f} s", retry_after=wait
                )
            # Slots free up one by one; a tiny extra keeps us from waking just too early.
            self._sleep(wait + 0.001)
            waited += wait + 0.001

    def hold(self, seconds: float) -> None:
        """Stop every worker calling this account for `seconds` (never shortens a hold)."""
        if seconds <= 0:
            return
        try:
            self._hold(keys=[f"{self.key}:hold"], args=[self._now(), repr(float(seconds))])
        except redis.RedisError as exc:
            raise TransientError(f"rate budget {self.key}: Redis: {exc}") from exc

    def observe(self, headers: Mapping[str, str], *, rate_limited: bool = False) -> None:
        """Hold calls when the helpdesk reports its quota nearly spent, or answered 429.

        Raises TransientError when Redis fails.
        """
        if rate_limited:
            value = headers.get("retry-after")
            try:
                self.hold(float(value) if value is not None else 1.0)
            except ValueError:
                self.hold(1.0)
            return
        quota = parse_quota(headers)
        if quota is not None:
            self.hold(hold_seconds(quota, self.budget, self.reserve_share))


    def endpoint(self, name: str, budget: RateBudget) -> RedisRateBudget:
        """A budget of its own for endpoint `name` of this account (key ``<key>:<name>``).

        Calls to it must take a slot from both budgets; it is paced when this one is.
        """
        return RedisRateBudget(self._redis, f"{self.key}:{name}", budget, clock=self._clock,
                               sleep=self._sleep, reserve_share=self.reserve_share,
                               burst=pace_burst(budget) if self.burst else None)


def redis_budgets(
    connection: redis.Redis, **kwargs: Any
) -> Callable[[str, Any], RedisRateBudget]:
    """A ``budget_factory`` for `connectors.registry.build_connectors` on `connection`."""

    def factory(platform: str, section: Any) -> RedisRateBudget:
        return RedisRateBudget.for_account(connection, platform, section, **kwargs)

    return factory
