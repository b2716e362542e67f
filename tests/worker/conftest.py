"""Fixtures shared by the worker tests; plain helpers are in `tests.worker.support`.

`tests.worker.helpdesks` keeps its own `sandbox` (all three helpdesks, for the modules
that import it), which overrides the one here where imported.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connectors.sandbox import BackgroundServer, create_app
from tests.conftest import serve_in_thread
from tests.worker.support import (
    EMAIL,
    FD_SECRET,
    FD_TOKEN,
    GG_EMAIL,
    GG_SECRET,
    GG_TOKEN,
    SECRET,
    TOKEN,
    ZD_EMAIL,
    ZD_SECRET,
    ZD_TOKEN,
    Sandbox,
)


@pytest.fixture
def sandbox() -> Iterator[httpx.Client]:
    """The sandbox playing Zendesk over real HTTP, and a client on it."""
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret=SECRET)
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture
def export_sandbox() -> Iterator[Sandbox]:
    """The sandbox playing all three helpdesks, for the export tests."""
    app = create_app(webhook_url=None, zendesk_email=ZD_EMAIL, zendesk_api_token=ZD_TOKEN,
                     zendesk_signing_secret=ZD_SECRET, freshdesk_api_token=FD_TOKEN,
                     freshdesk_webhook_secret=FD_SECRET, gorgias_email=GG_EMAIL,
                     gorgias_api_token=GG_TOKEN, gorgias_webhook_secret=GG_SECRET)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield Sandbox(server.url, http)
