"""The explicit map from platform names to connector classes.

Connectors are declared here, never discovered: adding a helpdesk means adding
its module and one line to `REGISTRY`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from connectors.base import Connector
from connectors.freshdesk.connector import FreshdeskConnector
from connectors.gorgias.connector import GorgiasConnector
from connectors.ratelimit import CallBudget
from connectors.zendesk.connector import ZendeskConnector
from core.errors import ConfigError
from core.settings import PlatformsSettings, Settings


class ConnectorClass(Protocol):
    """What `build_connector` needs from a connector class."""

    @property
    def name(self) -> str: ...

    @property
    def required_secrets(self) -> tuple[str, ...]: ...

    def __call__(
        self,
        *,
        settings: Any,
        client: httpx.Client,
        replay_window_seconds: int = ...,
        clock: Callable[[], datetime] = ...,
        sleep: Callable[[float], None] = ...,
        budget: CallBudget | None = ...,
    ) -> Connector: ...

    def make_client(self, settings: Any) -> httpx.Client: ...


REGISTRY: dict[str, ConnectorClass] = {
    "zendesk": ZendeskConnector,
    "freshdesk": FreshdeskConnector,
    "gorgias": GorgiasConnector,
}


def build_connector(
    name: str,
    settings: PlatformsSettings,
    *,
    client: httpx.Client | None = None,
    require_secrets: bool = True,
    **kwargs: Any,
) -> Connector:
    """The connector for platform `name`, built from its settings section.

    `client` defaults to the class's own `make_client`; pass one to share it.
    Other keyword arguments (``replay_window_seconds``, ``clock``, ``sleep``,
    ``budget``) go to the connector's constructor.
    Raises ConfigError when `name` is not a known platform, is not configured,
    or lacks a secret (an API token or a signing secret): a missing secret
    stops start-up rather than leaving webhooks unchecked. `require_secrets`
    False skips that check for ``handoff install``, which runs before the
    webhook secret exists (`make_client` still demands the API token).
    """
    cls = REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ConfigError(f"platforms.{name}: unknown platform; known platforms are {known}")
    section = getattr(settings, name, None)
    if section is None:
        raise ConfigError(f"platforms.{name}: the platform is not configured")
    for field in cls.required_secrets if require_secrets else ():
        value = getattr(section, field, None)
        if not isinstance(value, SecretStr) or not value.get_secret_value():
            variable = f"HANDOFF_{name.upper()}_{field.upper()}"
            raise ConfigError(f"platforms.{name}.{field}: missing; set {variable}")
    return cls(
        settings=section,
        client=client if client is not None else cls.make_client(section),
        **kwargs,
    )


def build_connectors(
    settings: Settings,
    *,
    budget_factory: Callable[[str, Any], CallBudget] | None = None,
    **kwargs: Any,
) -> dict[str, Connector]:
    """A connector for every configured platform, with the receiver's replay window.

    `budget_factory(platform, section)` gives each connector its rate budget
    (`connectors.ratelimit.redis_budgets` in workers); without it calls go out
    unmetered. Raises ConfigError as `build_connector` does.
    """
    connectors: dict[str, Connector] = {}
    for name, section in settings.platforms.enabled().items():
        if budget_factory is not None:
            kwargs["budget"] = budget_factory(name, section)
        connectors[name] = build_connector(
            name,
            settings.platforms,
            replay_window_seconds=settings.receiver.replay_window_seconds,
            **kwargs,
        )
    return connectors
