"""What a worker process builds once and reuses for every job.

rq runs jobs in the same process with `SimpleWorker`, so the settings, the
scorer index and one `httpx.Client` per connector are made once, on the first
job, instead of once per job.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

import httpx
import redis

from connectors.base import Connector, HttpConnector
from connectors.ratelimit import redis_budgets
from connectors.registry import build_connectors
from core.errors import ConfigError
from core.scorer import Scorer
from core.settings import Settings
from infra import metrics
from infra.config import load_settings
from infra.redis_conn import connect
from infra.store.decision_log import DecisionLog, database_url, open_log
from worker.scoring import build_scorer, gather_knowledge


@dataclass
class Runtime:
    settings: Settings
    redis: redis.Redis
    scorer: Scorer
    log: DecisionLog
    connectors: Mapping[str, Connector] = field(default_factory=dict)

    def connector(self, platform: str) -> Connector:
        """The connector for `platform`; raise ConfigError if it is not configured."""
        try:
            return self.connectors[platform]
        except KeyError:
            raise ConfigError(f"platform {platform!r} is not configured") from None


def build_runtime(settings: Settings, connection: redis.Redis, database_url: str,
                  scorer: Scorer | None = None) -> Runtime:
    """Build the scorer (unless one is given), the decision log, and connectors sharing
    the rate budgets on `connection`.

    Raises ConfigError on a bad configuration or an unusable database.
    """
    log = open_log(database_url, lock=connection)
    connectors = build_connectors(settings, budget_factory=redis_budgets(connection))
    if scorer is None:
        scorer = build_scorer(settings, gather_knowledge(settings, connectors))
    for name, connector in connectors.items():
        if isinstance(connector, HttpConnector):
            connector.client.event_hooks["response"].append(_count_calls(name))
    return Runtime(settings, connection, scorer, log, connectors)


def _count_calls(platform: str) -> Callable[[httpx.Response], None]:
    def hook(response: httpx.Response) -> None:
        metrics.HELPDESK_CALLS.labels(platform, str(response.status_code)).inc()
        if response.status_code == 429:
            metrics.RATE_LIMITED.labels(platform).inc()

    return hook


_preloaded: Scorer | None = None


def preload(scorer: Scorer) -> None:
    """Give this process's runtime `scorer`, built before a fork (`handoff worker
    --processes`), so the models are loaded once and their pages shared."""
    global _preloaded
    _preloaded = scorer
    current.cache_clear()


@cache
def current() -> Runtime:
    """This process's runtime, built from the environment on first use."""
    return build_runtime(load_settings(env=os.environ), connect(os.environ), database_url(),
                         scorer=_preloaded)
