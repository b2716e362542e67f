"""What every sandbox blueprint reaches through the current Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from connectors.sandbox.state import Store
from connectors.sandbox.webhooks import WebhookSender

EXTENSION = "handoff_sandbox"


@dataclass(frozen=True)
class ZendeskAccount:
    """The one Zendesk account the sandbox plays."""

    email: str
    api_token: str
    signing_secret: str
    ai_user_id: int
    account_id: str = "10000001"
    webhook_id: str = "01HSANDBOXWEBHOOK0000000000"


@dataclass(frozen=True)
class FreshdeskAccount:
    """The Freshdesk account the sandbox plays: API key auth, secret-header webhooks."""

    api_token: str
    webhook_secret: str
    ai_user_id: int
    secret_header: str = "X-Handoff-Secret"  # noqa: S105 - a header name


@dataclass(frozen=True)
class GorgiasAccount:
    """The Gorgias account the sandbox plays: email + API key auth, secret-header webhooks."""

    email: str
    api_token: str
    webhook_secret: str
    ai_user_id: int
    secret_header: str = "X-Handoff-Secret"  # noqa: S105 - a header name


@dataclass(frozen=True)
class Sandbox:
    """The state, the webhook sender and the accounts of one sandbox app.

    A platform whose account is None is not played: its API answers 401.
    """

    store: Store
    sender: WebhookSender
    zendesk: ZendeskAccount
    freshdesk: FreshdeskAccount | None = None
    gorgias: GorgiasAccount | None = None


def current() -> Sandbox:
    """The sandbox of the app handling this request."""
    sandbox = current_app.extensions[EXTENSION]
    assert isinstance(sandbox, Sandbox)
    return sandbox
