"""Does the Redis that holds the queue keep what it acknowledged? Checked at start-up.

The receiver answers 202 once a delivery's job is in Redis, so a Redis that
persists nothing loses every queued delivery when it restarts, and one with RDB
snapshots only loses those since its last snapshot. docs/operations.md says what
a production Redis needs: ``appendonly yes`` with ``appendfsync everysec`` (at
most about a second lost) or ``always``.
"""

from __future__ import annotations

import redis


def persistence_warning(connection: redis.Redis) -> str | None:
    """None when Redis keeps an append-only file; otherwise what a restart would lose.

    Managed Redis services often refuse CONFIG: then the warning says persistence
    could not be checked. The text names no host. Raises redis.ConnectionError or
    redis.TimeoutError when Redis cannot be reached.
    """
    try:
        settings = {name: str(connection.config_get(name).get(name) or "")
                    for name in ("appendonly", "appendfsync", "save")}
    except redis.ResponseError as exc:
        return (f"Redis persistence could not be checked (CONFIG GET refused: {exc}); make "
                "sure the queue's Redis runs with appendonly yes, appendfsync everysec")
    if settings.get("appendonly") == "yes":
        if settings.get("appendfsync") == "no":
            return ("Redis appendfsync is no: the OS decides when the append-only file reaches "
                    "the disk, so a crash can lose about 30 s of acknowledged deliveries; "
                    "set appendfsync everysec")
        return None
    if settings.get("save"):
        return (f"Redis keeps snapshots only (appendonly no, save {settings['save']!r}): a "
                "crash loses every delivery acknowledged since the last snapshot; set "
                "appendonly yes, appendfsync everysec")
    return ("Redis persists nothing (appendonly no, no save rules): a restart loses every "
            "queued delivery; set appendonly yes, appendfsync everysec")


def unchecked(exc: redis.RedisError) -> str:
    """The warning when Redis could not be asked at all (`exc` names no host)."""
    return f"Redis persistence could not be checked ({type(exc).__name__})"
