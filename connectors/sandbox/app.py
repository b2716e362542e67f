"""The sandbox app factory and the functions that serve it."""

from __future__ import annotations

import re
import threading
import time
from types import TracebackType

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

from connectors.sandbox import (
    control,
    directory_api,  # noqa: F401 - importing it adds the directory routes to the API blueprints
    export_api,  # noqa: F401 - importing it adds the export routes to the API blueprints
    freshdesk_api,
    freshdesk_shapes,
    gorgias_api,
    gorgias_shapes,
    history,
    limits,
    zendesk_api,
    zendesk_shapes,
)
from connectors.sandbox.context import (
    EXTENSION,
    FreshdeskAccount,
    GorgiasAccount,
    Sandbox,
    ZendeskAccount,
    current,
)
from connectors.sandbox.state import Store
from connectors.sandbox.webhooks import WebhookSender

# Each platform's API blueprint is named after the platform; its routes live under this prefix.
API_PREFIXES = {zendesk_api.blueprint.name: zendesk_shapes.PREFIX,
                freshdesk_api.blueprint.name: freshdesk_shapes.PREFIX,
                gorgias_api.blueprint.name: gorgias_shapes.PREFIX}


def create_app(
    *,
    webhook_url: str | None,
    zendesk_email: str,
    zendesk_api_token: str,
    zendesk_signing_secret: str,
    ai_user_id: str = "900",
    freshdesk_api_token: str | None = None,
    freshdesk_webhook_secret: str | None = None,
    gorgias_email: str | None = None,
    gorgias_api_token: str | None = None,
    gorgias_webhook_secret: str | None = None,
) -> Flask:
    """A sandbox helpdesk with empty in-memory state.

    Zendesk is always played; Freshdesk and Gorgias when their credentials are
    given (otherwise their APIs answer 401 and no tickets can be made there).
    Webhooks go to ``webhook_url + /webhooks/<platform>``; with no
    `webhook_url` they are only recorded. Raises ValueError when a credential
    is empty, a platform's credentials are only partly given, or `ai_user_id`
    is not a positive number.
    """
    if not (zendesk_email and zendesk_api_token and zendesk_signing_secret):
        raise ValueError("the sandbox needs a Zendesk email, API token and signing secret")
    if not ai_user_id.isdigit() or int(ai_user_id) < 1:
        raise ValueError(f"ai_user_id must be a positive number, got {ai_user_id!r}")
    account = ZendeskAccount(zendesk_email, zendesk_api_token, zendesk_signing_secret,
                             int(ai_user_id))
    freshdesk = gorgias = None
    if _given("Freshdesk", freshdesk_api_token, freshdesk_webhook_secret):
        freshdesk = FreshdeskAccount(str(freshdesk_api_token), str(freshdesk_webhook_secret),
                                     int(ai_user_id))
    if _given("Gorgias", gorgias_email, gorgias_api_token, gorgias_webhook_secret):
        gorgias = GorgiasAccount(str(gorgias_email), str(gorgias_api_token),
                                 str(gorgias_webhook_secret), int(ai_user_id))
    played = {zendesk_api.PLATFORM: account, freshdesk_api.PLATFORM: freshdesk,
              gorgias_api.PLATFORM: gorgias}
    store = Store({name: a.ai_user_id for name, a in played.items() if a is not None})
    if gorgias is not None:
        # A Gorgias account sends email through an email integration; replies go from it.
        store.integrations[gorgias_api.PLATFORM] = [
            gorgias_shapes.email_integration(store.next_id("integration"))]
    app = Flask("connectors.sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = Sandbox(store, WebhookSender(store, webhook_url), account,
                                        freshdesk, gorgias)
    app.register_blueprint(control.blueprint)
    app.register_blueprint(limits.blueprint)
    app.register_blueprint(history.blueprint)
    app.register_blueprint(zendesk_api.blueprint)
    app.register_blueprint(freshdesk_api.blueprint)
    app.register_blueprint(gorgias_api.blueprint)
    app.before_request(_count_and_inject)
    return app


def _given(platform: str, *credentials: str | None) -> bool:
    """Whether all of a platform's credentials are given; ValueError for only some."""
    if not any(credentials):
        return False
    if not all(credentials):
        raise ValueError(f"the sandbox needs every {platform} credential, or none")
    return True


def _count_and_inject() -> tuple[Response, int] | None:
    """Count every API call by route template, then apply a matching fault."""
    platform = request.blueprint or ""
    prefix = API_PREFIXES.get(platform)
    if prefix is None or request.url_rule is None:
        return None
    store = current().store
    template = request.url_rule.rule.removeprefix(prefix).removesuffix(".json")
    template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", template)
    store.count(platform, f"{request.method} {template}")
    limited = limits.check(platform)
    if limited is not None:
        return limited
    fault = store.take_fault(request.method, request.path)
    if fault is None:
        return None
    if fault.latency_ms:
        time.sleep(fault.delay_seconds())
    if fault.status is None:
        return None
    answer = jsonify({"error": "SandboxFault",
                      "description": f"fault {fault.id} injected by the sandbox"})
    if fault.retry_after is not None:
        # Gorgias spells it "Retry-after"; clients must read it case-insensitively.
        name = "Retry-after" if platform == gorgias_api.blueprint.name else "Retry-After"
        answer.headers[name] = f"{fault.retry_after:g}"
    return answer, fault.status


class BackgroundServer:
    """`app` served from a daemon thread, for tests.

    Use as a context manager or call `stop`. Port 0 picks a free port; `url`
    is the root to reach it. Raises OSError when the address cannot be bound.
    """

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        # A short poll interval makes `stop` quick, which matters in test suites.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"server-{self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
