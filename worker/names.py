"""The names people read for the helpdesk's group and agent ids ("Billing (group 360001)")
on escalation records, so the admin page, the report and notifications show them.

Each name is looked up once through the connector's directory (`connectors.directory`)
and kept in Redis for a day. A helpdesk that cannot tell (an error, no such id, no
name) leaves the plain id (``group 360001``), asked again after ten minutes; looking up
never raises.
"""

from __future__ import annotations

import logging

from core.errors import HandoffError
from core.id_refs import IdKind
from worker.runtime import Runtime

log = logging.getLogger("worker.names")

KNOWN_SECONDS = 24 * 3600
UNKNOWN_SECONDS = 600


def label(runtime: Runtime, platform: str, kind: IdKind, value: str) -> str:
    """``"<name> (<kind> <id>)"``, or ``"<kind> <id>"`` when no name is known."""
    plain = f"{kind.value} {value}"
    key = f"handoff:name:{platform}:{kind.value}:{value}"
    cached = runtime.redis.get(key)
    if cached is None:
        name = _look_up(runtime, platform, kind, value)
        runtime.redis.set(key, name, ex=KNOWN_SECONDS if name else UNKNOWN_SECONDS)
    else:
        name = cached.decode() if isinstance(cached, bytes) else str(cached)
    return f"{name} ({plain})" if name else plain


def _look_up(runtime: Runtime, platform: str, kind: IdKind, value: str) -> str:
    try:
        found = runtime.connector(platform).directory.lookup(kind, [value]).get(value)
    except HandoffError as exc:
        log.warning("no name for %s %s %s: %s", platform, kind.value, value, exc)
        return ""
    return (found.name or "") if found is not None and found.exists else ""
