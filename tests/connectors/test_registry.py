"""build_connector: a missing platform or secret is a start-up error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.freshdesk.connector import FreshdeskConnector
from connectors.gorgias.connector import GorgiasConnector
from connectors.registry import REGISTRY, build_connector
from connectors.zendesk.connector import ZendeskConnector
from core.errors import ConfigError
from core.settings import PlatformsSettings, ZendeskSettings


def platforms(**changes: Any) -> PlatformsSettings:
    values: dict[str, Any] = {"subdomain": "acme", "email": "a@acme.test",
                              "api_token": "token", "signing_secret": "secret", **changes}
    return PlatformsSettings(zendesk=ZendeskSettings(**values))


def test_the_registry_is_explicit() -> None:
    assert {"zendesk": ZendeskConnector, "freshdesk": FreshdeskConnector,
            "gorgias": GorgiasConnector} == REGISTRY


def test_builds_a_configured_connector_with_its_own_client() -> None:
    connector = build_connector("zendesk", platforms(), replay_window_seconds=60)
    assert isinstance(connector, ZendeskConnector)
    assert str(connector.client.base_url) == "https://acme.zendesk.com/api/v2/"
    assert connector.replay_window.total_seconds() == 60


def test_uses_a_shared_client_when_given() -> None:
    client = httpx.Client()
    connector = build_connector("zendesk", platforms(), client=client)
    assert isinstance(connector, ZendeskConnector)
    assert connector.client is client


def test_an_unknown_platform_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown platform"):
        build_connector("helpscout", platforms())


def test_an_unconfigured_platform_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not configured"):
        build_connector("zendesk", PlatformsSettings())


@pytest.mark.parametrize(("field", "variable"), [
    ("signing_secret", "HANDOFF_ZENDESK_SIGNING_SECRET"),
    ("api_token", "HANDOFF_ZENDESK_API_TOKEN"),
])
@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_secret_is_a_config_error(field: str, variable: str, value: str | None) -> None:
    with pytest.raises(ConfigError, match=variable):
        build_connector("zendesk", platforms(**{field: value}))
