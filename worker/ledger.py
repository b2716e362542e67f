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


class Ledger:
    """The record of one decision, kept in a Redis hash."""

    def __init__(self, connection: redis.Redis, decision_id: str) -> None:
        self._redis = connection
        self.key = f"handoff:ledger:{decision_id}"

    def planned(self) -> Decision | None:
        """The decision stored by an earlier run, if any."""
        raw = self._redis.hget(self.key, "decision")
        return Decision.model_validate_json(raw) if raw else None

    def plan(self, decision: Decision) -> Decision:
        """Store `decision` unless one is stored already; return the one that counts."""
        if self._redis.hsetnx(self.key, "decision", decision.model_dump_json()):
            self._redis.expire(self.key, LEDGER_TTL_SECONDS)
            return decision
        stored = self.planned()
        return stored if stored is not None else decision

    def is_done(self, batch: int) -> bool:
        return bool(self._redis.hexists(self.key, f"done:{batch}"))

    def mark_done(self, batch: int) -> None:
        self._redis.hset(self.key, f"done:{batch}", "1")

    def remember(self, name: str, value: str) -> None:
        """Keep `value` with the decision once (the first call wins), for a retry to read."""
        if self._redis.hsetnx(self.key, f"extra:{name}", value):
            self._redis.expire(self.key, LEDGER_TTL_SECONDS)

    def recall(self, name: str) -> str | None:
        raw = self._redis.hget(self.key, f"extra:{name}")
        return raw.decode() if isinstance(raw, bytes) else raw
