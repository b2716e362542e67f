"""Remember, per decision, what was planned and which batches the helpdesk confirmed.

The first run of a job stores its decision before writing anything; a retried job
reuses that stored decision (the ticket may have changed because of our own
first writes) and skips every batch already confirmed, so no note or reply is
ever posted twice by a retry. A batch the helpdesk refused records which fallback
(`core.fallback`) is being written, so a retry writes that same one. ``handoff
replay`` asks for a new plan (`ask_replan`); the job then stores it with `replan`,
and the confirmed batches stay confirmed.
"""

from __future__ import annotations

import redis

from core.models import Decision
from infra.ledger_view import LEDGER_PREFIX, ask_replan

# Long enough to outlive every retry of the job, including a replay from the dead-letter registry.
LEDGER_TTL_SECONDS = 30 * 86_400


# KEYS: the ledger. ARGV: the decision's JSON, the TTL. Stores it unless one is stored
# already; returns nil when stored, else the stored one (one round trip either way).
_PLAN = """
if redis.call('HSETNX', KEYS[1], 'decision', ARGV[1]) == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return false
end
return redis.call('HGET', KEYS[1], 'decision')
"""

# KEYS: the ledger. ARGV: the new decision's JSON, the TTL. Replaces the decision and
# forgets the request, every fallback and every alert sent for one, in one step, so a
# crash leaves either plan whole.
_REPLAN = """
redis.call('HSET', KEYS[1], 'decision', ARGV[1])
redis.call('HDEL', KEYS[1], 'replan')
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(name, 1, 9) == 'fallback:' or string.sub(name, 1, 14) == 'extra:alerted:' then
    redis.call('HDEL', KEYS[1], name)
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
"""


class Ledger:
    """The record of one decision, kept in a Redis hash.

    The first read of any field reads the whole hash in one round trip and keeps it,
    so `planned`, `is_done` and `recall` together cost one call. That copy cannot go
    stale: the job holds the ticket's lock, only the job of this decision writes its
    fields, and it writes them through this object, which updates the copy.
    Every method raises redis.RedisError when Redis fails; the job then fails and rq
    retries it.
    """

    def __init__(self, connection: redis.Redis, decision_id: str) -> None:
        self._redis = connection
        self.key = LEDGER_PREFIX + decision_id
        self.decision_id = decision_id
        self._fields: dict[str, str] | None = None

    def _read(self) -> dict[str, str]:
        if self._fields is None:
            stored = self._redis.hgetall(self.key)
            self._fields = {_text(name): _text(value) for name, value in stored.items()}
        return self._fields

    def _keep(self, name: str, value: str) -> None:
        if self._fields is not None:
            self._fields[name] = value

    def planned(self) -> Decision | None:
        """The decision stored by an earlier run, if any."""
        raw = self._read().get("decision")
        return Decision.model_validate_json(raw) if raw else None

    def plan(self, decision: Decision) -> Decision:
        """Store `decision` unless one is stored already; return the one that counts."""
        wanted = decision.model_dump_json()
        stored = self._redis.eval(_PLAN, 1, self.key, wanted, LEDGER_TTL_SECONDS)
        self._keep("decision", _text(stored) if stored else wanted)
        return Decision.model_validate_json(stored) if stored else decision

    def ask_replan(self) -> bool:
        """Ask the next run to plan this decision again; False when nothing is planned
        yet (the next run plans anyway)."""
        return ask_replan(self._redis, self.decision_id)

    def replan_asked(self) -> bool:
        return "replan" in self._read()

    def replan(self, decision: Decision) -> Decision:
        """Store `decision` in place of the planned one, with no fallbacks and no record
        of their alerts (``alerted:<batch>``, kept with `remember`); return it.

        Which batches are done is kept: the caller's `decision` must keep the
        batches already written where they were (`core.batching.rebase`).
        """
        self._redis.eval(_REPLAN, 1, self.key, decision.model_dump_json(), LEDGER_TTL_SECONDS)
        if self._fields is not None:
            self._fields = {k: v for k, v in self._fields.items() if k != "replan"
                            and not k.startswith(("fallback:", "extra:alerted:"))}
        self._keep("decision", decision.model_dump_json())
        return decision

    def fallback(self, batch: int) -> tuple[int, str] | None:
        """(step, failure) of the fallback being written for a refused `batch`, if any."""
        raw = self._read().get(f"fallback:{batch}")
        if raw is None:
            return None
        step, _, failure = raw.partition(":")
        return int(step), failure

    def keep_fallback(self, batch: int, step: int, failure: str) -> None:
        """Record that fallback `step` of `batch`, refused with `failure`, is being written."""
        value = f"{step}:{failure}"
        self._redis.hset(self.key, f"fallback:{batch}", value)
        self._keep(f"fallback:{batch}", value)

    def is_done(self, batch: int) -> bool:
        return f"done:{batch}" in self._read()

    def mark_done(self, batch: int) -> None:
        self._redis.hset(self.key, f"done:{batch}", "1")
        self._keep(f"done:{batch}", "1")

    def remember(self, name: str, value: str) -> None:
        """Keep `value` with the decision once (the first call wins), for a retry to read."""
        if self._redis.hsetnx(self.key, f"extra:{name}", value):
            self._redis.expire(self.key, LEDGER_TTL_SECONDS)
            self._keep(f"extra:{name}", value)

    def recall(self, name: str) -> str | None:
        return self._read().get(f"extra:{name}")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
