"""The decision ledger as other processes see it: its key, a request to plan again, and
the decision as planned.

The worker owns the ledger (`worker.effects.ledger`); a replay (`infra.failed_jobs`)
asks it to plan again, and the admin page reads the handoff note a decision planned.
Every function raises redis.RedisError when Redis fails.
"""

from __future__ import annotations

import hashlib

import pydantic
import redis

from core.models import Decision, InternalNote

LEDGER_PREFIX = "handoff:ledger:"

# KEYS: the ledger. Marks it for re-planning if it holds a decision; returns 1 if so.
ASK_REPLAN = """
if redis.call('HEXISTS', KEYS[1], 'decision') == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'replan', '1')
return 1
"""


def decision_id_for(platform: str, ticket_id: str, event_id: str) -> str:
    """Stable across retries of the same event, so a retry finds its own ledger."""
    return hashlib.sha256(f"{platform}\0{ticket_id}\0{event_id}".encode()).hexdigest()[:32]


def ask_replan(connection: redis.Redis, decision_id: str) -> bool:
    """Ask the next run of `decision_id` to plan again; False when nothing is planned yet
    (the next run plans anyway)."""
    return bool(connection.eval(ASK_REPLAN, 1, LEDGER_PREFIX + decision_id))


def planned_note(connection: redis.Redis, decision_id: str) -> str | None:
    """The internal note `decision_id` planned (the handoff note of an escalation); None
    when the ledger has expired (30 days), holds no note, or cannot be read as a
    decision."""
    raw = connection.hget(LEDGER_PREFIX + decision_id, "decision")
    if not raw:
        return None
    try:
        decision = Decision.model_validate_json(raw)
    except pydantic.ValidationError:
        return None
    return next((a.body for a in decision.actions if isinstance(a, InternalNote)), None)
