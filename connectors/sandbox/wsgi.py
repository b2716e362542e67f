"""The sandbox as a WSGI app: ``gunicorn 'connectors.sandbox.wsgi:build_app()'``.

Built from the environment, as `handoff sandbox` documents it. Missing or partial
credentials raise ConfigError while the app is built, so gunicorn refuses to start.
"""

from __future__ import annotations

import os

from flask import Flask

from connectors.sandbox.app import create_app
from core.errors import ConfigError


def build_app() -> Flask:
    """The sandbox with the credentials and webhook URL of the environment."""
    env = os.environ
    missing = [v for v in ("HANDOFF_ZENDESK_API_TOKEN", "HANDOFF_ZENDESK_SIGNING_SECRET")
               if not env.get(v)]
    if missing:
        raise ConfigError(f"set {', '.join(missing)} for the sandbox")
    try:
        return create_app(
            webhook_url=env.get("HANDOFF_SANDBOX_WEBHOOK_URL") or None,
            zendesk_email=env.get("HANDOFF_ZENDESK_EMAIL", "handoff@example.com"),
            zendesk_api_token=env["HANDOFF_ZENDESK_API_TOKEN"],
            zendesk_signing_secret=env["HANDOFF_ZENDESK_SIGNING_SECRET"],
            freshdesk_api_token=env.get("HANDOFF_FRESHDESK_API_TOKEN"),
            freshdesk_webhook_secret=env.get("HANDOFF_FRESHDESK_WEBHOOK_SECRET"),
            gorgias_email=env.get("HANDOFF_GORGIAS_EMAIL"),
            gorgias_api_token=env.get("HANDOFF_GORGIAS_API_TOKEN"),
            gorgias_webhook_secret=env.get("HANDOFF_GORGIAS_WEBHOOK_SECRET"),
        )
    except ValueError as exc:
        raise ConfigError(f"sandbox: {exc}") from exc
