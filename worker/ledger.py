"""Remember, per decision, what was planned and which batches the helpdesk confirmed.

The first run of a job stores its decision before writing anything; a retried job
reuses that stored decision (the ticket may have changed because of our own
first writes) and skips every batch already confirmed, so no note or reply is
ever posted twice by a retry.
"""

from __future__ import annotations

import redis

from core.models import Decision

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


class Ledger:
    """The record of one decision, kept in a Redis hash.

    `planned` reads the whole hash in one round trip and keeps the confirmed
    batches, so `is_done` needs no call of its own. That copy cannot go stale:
    the job holds the ticket's lock, and only the job of this decision writes
    its batches.
    """

    def __init__(self, connection: redis.Redis, decision_id: str) -> None:
        self._redis = connection
        self.key = f"handoff:ledger:{decision_id}"
        self._done: set[str] | None = None

    def planned(self) -> Decision | None:
        """The decision stored by an earlier run, if any."""
        fields = self._redis.hgetall(self.key)
        self._done = {name for name in map(_text, fields) if name.startswith("done:")}
        raw = fields.get(b"decision") or fields.get("decision")
        return Decision.model_validate_json(raw) if raw else None

    def plan(self, decision: Decision) -> Decision:
        """Store `decision` unless one is stored already; return the one that counts."""
        stored = self._redis.eval(_PLAN, 1, self.key, decision.model_dump_json(),
                                  LEDGER_TTL_SECONDS)
        return Decision.model_validate_json(stored) if stored else decision

    def is_done(self, batch: int) -> bool:
        if self._done is not None:
            return f"done:{batch}" in self._done
        return bool(self._redis.hexists(self.key, f"done:{batch}"))

    def mark_done(self, batch: int) -> None:
        self._redis.hset(self.key, f"done:{batch}", "1")
        if self._done is not None:
            self._done.add(f"done:{batch}")

    def remember(self, name: str, value: str) -> None:
        """Keep `value` with the decision once (the first call wins), for a retry to read."""
        if self._redis.hsetnx(self.key, f"extra:{name}", value):
            self._redis.expire(self.key, LEDGER_TTL_SECONDS)

    def recall(self, name: str) -> str | None:
        raw = self._redis.hget(self.key, f"extra:{name}")
        return raw.decode() if isinstance(raw, bytes) else raw


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
