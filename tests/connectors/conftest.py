"""Fixtures shared by the connector tests; plain helpers are in `tests.connectors.support`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from connectors.sandbox import BackgroundServer, create_app
from tests.connectors import fixtures_zendesk as zd
from tests.connectors.support import (
    FD_SECRET,
    FD_TOKEN,
    GG_EMAIL,
    GG_SECRET,
    GG_TOKEN,
    ZD_EMAIL,
    ZD_SECRET,
    ZD_TOKEN,
    Receiver,
    Stack,
    Waits,
    serve_audits,
    zendesk_connector,
)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx at the transport, for any host (routes name whole URLs)."""
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def zendesk_api() -> Iterator[respx.MockRouter]:
    """respx at the transport, routes relative to the fixture Zendesk account's API."""
    with respx.mock(base_url=zd.BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def zendesk_ticket(zendesk_api: respx.MockRouter) -> Any:
    """The fixture Zendesk ticket as `get_ticket` read it; the router's calls reset."""
    serve_audits(zendesk_api, zd.THREAD, size=100)
    loaded = zendesk_connector().get_ticket(str(zd.TICKET_ID))
    zendesk_api.reset()
    return loaded


@pytest.fixture
def stack() -> Iterator[Stack]:
    """The sandbox playing Zendesk, Freshdesk and Gorgias, with a hooks receiver and a client."""
    receiver = Receiver()
    with BackgroundServer(receiver.app()) as hooks:
        app = create_app(webhook_url=hooks.url, zendesk_email=ZD_EMAIL,
                         zendesk_api_token=ZD_TOKEN, zendesk_signing_secret=ZD_SECRET,
                         freshdesk_api_token=FD_TOKEN, freshdesk_webhook_secret=FD_SECRET,
                         gorgias_email=GG_EMAIL, gorgias_api_token=GG_TOKEN,
                         gorgias_webhook_secret=GG_SECRET)
        with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as http:
            yield Stack(server.url, http, receiver)
