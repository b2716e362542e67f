"""The Zendesk admin and knowledge routes: webhooks, triggers, Help Center articles, macros.

Registered on the Zendesk blueprint by `connectors.sandbox.zendesk_api` (same
prefix, auth and call counting). `ROUTES` lists them. Webhooks and triggers
use cursor pages (``page[size]``, ``page[after]``, ``meta``/``links``);
Help Center articles too; ``/macros/active`` answers with offset pages
(``page``, ``per_page``, ``next_page``), so a client must handle both.
State lives in the app's extensions, guarded by the store's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import current_app, jsonify, request

from connectors.sandbox import zendesk_shapes as shapes
from connectors.sandbox.context import Sandbox, current
from connectors.sandbox.state import now

EXTENSION = "handoff_sandbox_zendesk_admin"
MAX_PAGE_SIZE = 100
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_FORMATS = ("json", "xml", "form_encoded")


@dataclass
class Admin:
    """Webhooks by id, triggers, articles and macros, in creation order."""

    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    triggers: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    macros: list[dict[str, Any]] = field(default_factory=list)
    _last: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        """A fresh id of `kind`; call under the store's lock."""
        self._last[kind] = self._last.get(kind, {"trigger": 360_000, "article": 4_400_000,
                                                 "macro": 5_500_000}.get(kind, 0)) + 1
        return self._last[kind]


def _state() -> tuple[Sandbox, Admin]:
    sandbox = current()
    with sandbox.store.lock:
        admin = current_app.extensions.setdefault(EXTENSION, Admin())
    assert isinstance(admin, Admin)
    return sandbox, admin


def _payload(key: str) -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    found = body.get(key) if isinstance(body, dict) else None
    return found if isinstance(found, dict) else None


def _invalid(**details: str) -> Any:
    return shapes.error(422, "RecordInvalid", "Record validation errors", details={
        key: [{"description": text}] for key, text in details.items()})


def _cursor_page(items: list[dict[str, Any]], key: str) -> Any:
    """One cursor page of `items` (``page[size]``, ``page[after]``); 400 on bad arguments."""
    try:
        size = int(request.args.get("page[size]", MAX_PAGE_SIZE))
        after = request.args.get("page[after]")
        start = shapes.uncursor(after) if after else 0
    except ValueError:
        return shapes.error(400, "InvalidPaginationParameter", "page[size] or cursor is invalid")
    if not 1 <= size <= MAX_PAGE_SIZE:
        return shapes.error(400, "InvalidPaginationParameter",
                            f"page[size] must be between 1 and {MAX_PAGE_SIZE}")
    page = items[start:start + size]
    has_more = start + size < len(items)
    after_cursor = shapes.cursor(start + size) if page else None
    query = {k: v for k, v in request.args.items() if k != "page[after]"}
    query.update({"page[size]": str(size), "page[after]": after_cursor or ""})
    return jsonify({
        key: page,
        "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": None},
        "links": {"next": f"{request.base_url}?{urlencode(query)}" if has_more else None,
                  "prev": None},
    })


def list_webhooks() -> Any:
    """``GET /webhooks``, with ``filter[name_contains]``; cursor pages."""
    _, admin = _state()
    needle = request.args.get("filter[name_contains]", "").lower()
    with current().store.lock:
        found = [dict(w) for w in admin.webhooks.values() if needle in w["name"].lower()]
    return _cursor_page(found, "webhooks")


def create_webhook() -> Any:
    """``POST /webhooks``: 201 with the webhook; 400 without a body, 422 on invalid fields."""
    sandbox, admin = _state()
    raw = _payload("webhook")
    if raw is None:
        return shapes.error(400, "InvalidParameter", "Body must be JSON: {\"webhook\": {...}}")
    endpoint = raw.get("endpoint")
    errors = {}
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        errors["name"] = "Name can't be blank"
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        errors["endpoint"] = "Endpoint must be an http(s) URL"
    if raw.get("http_method") not in _METHODS:
        errors["http_method"] = "http_method is not valid"
    if raw.get("request_format") not in _FORMATS:
        errors["request_format"] = "request_format is not valid"
    if not isinstance(raw.get("subscriptions"), list) or not raw["subscriptions"]:
        errors["subscriptions"] = "subscriptions can't be blank"
    if errors:
        return _invalid(**errors)
    with sandbox.store.lock:
        # The first webhook is the one the sandbox names in its own deliveries.
        number = len(admin.webhooks)
        webhook_id = sandbox.zendesk.webhook_id if number == 0 else f"01HSANDBOXWH{number:015d}"
        webhook = {
            "id": webhook_id, "name": raw["name"], "status": raw.get("status", "active"),
            "endpoint": endpoint, "http_method": raw["http_method"],
            "request_format": raw["request_format"], "subscriptions": raw["subscriptions"],
            "description": raw.get("description", ""), "created_at": shapes.stamp(now()),
        }
        admin.webhooks[webhook_id] = webhook
    return jsonify({"webhook": webhook}), 201


def get_signing_secret(webhook_id: str) -> Any:
    """``GET /webhooks/{id}/signing_secret``: the secret the sandbox signs deliveries with."""
    sandbox, admin = _state()
    with sandbox.store.lock:
        if webhook_id not in admin.webhooks:
            return shapes.not_found()
    return jsonify({"signing_secret": {"algorithm": "sha256",
                                       "secret": sandbox.zendesk.signing_secret}})


def list_triggers() -> Any:
    """``GET /triggers``; cursor pages."""
    sandbox, admin = _state()
    with sandbox.store.lock:
        found = [dict(t) for t in admin.triggers]
    return _cursor_page(found, "triggers")


def create_trigger() -> Any:
    """``POST /triggers``: 201; 422 without title, conditions or actions, or an unknown webhook."""
    sandbox, admin = _state()
    raw = _payload("trigger")
    if raw is None:
        return shapes.error(400, "InvalidParameter", "Body must be JSON: {\"trigger\": {...}}")
    conditions, actions = raw.get("conditions"), raw.get("actions")
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        return _invalid(title="Title can't be blank")
    if not (isinstance(conditions, dict) and (conditions.get("all") or conditions.get("any"))):
        return _invalid(conditions="Conditions need at least one of all or any")
    if not isinstance(actions, list) or not actions:
        return _invalid(actions="Actions can't be blank")
    with sandbox.store.lock:
        for action in actions:
            value = action.get("value") if isinstance(action, dict) else None
            if action.get("field") == "notification_webhook" and not (
                isinstance(value, list) and len(value) == 2 and value[0] in admin.webhooks
            ):
                return _invalid(actions="notification_webhook needs [webhook_id, body]")
        trigger = {"id": admin.next_id("trigger"), "title": raw["title"],
                   "active": raw.get("active", True), "description": raw.get("description"),
                   "conditions": conditions, "actions": actions,
                   "position": len(admin.triggers) + 1, "created_at": shapes.stamp(now())}
        admin.triggers.append(trigger)
    return jsonify({"trigger": trigger}), 201


def list_articles() -> Any:
    """``GET /help_center/articles``; cursor pages."""
    sandbox, admin = _state()
    with sandbox.store.lock:
        found = [dict(a) for a in admin.articles]
    return _cursor_page(found, "articles")


def create_article(section_id: int) -> Any:
    """``POST /help_center/sections/{id}/articles``: 201; 422 without a title."""
    sandbox, admin = _state()
    raw = _payload("article")
    if raw is None or not isinstance(raw.get("title"), str) or not raw["title"].strip():
        return _invalid(title="Title can't be blank")
    with sandbox.store.lock:
        article = {"id": admin.next_id("article"), "section_id": section_id,
                   "title": raw["title"], "body": str(raw.get("body") or ""),
                   "draft": bool(raw.get("draft", False)), "locale": "en-us",
                   "label_names": list(raw.get("label_names") or [])}
        admin.articles.append(article)
    return jsonify({"article": article}), 201


def list_active_macros() -> Any:
    """``GET /macros/active``: offset pages (``page``, ``per_page``), ignoring ``page[size]``."""
    sandbox, admin = _state()
    try:
        number = max(1, int(request.args.get("page", 1)))
        per_page = min(MAX_PAGE_SIZE, max(1, int(request.args.get("per_page", MAX_PAGE_SIZE))))
    except ValueError:
        return shapes.error(400, "InvalidPaginationParameter", "page or per_page is invalid")
    with sandbox.store.lock:
        active = [dict(m) for m in admin.macros if m["active"]]
    page = active[(number - 1) * per_page:number * per_page]
    more = number * per_page < len(active)
    query = urlencode({"page": number + 1, "per_page": per_page})
    return jsonify({"macros": page, "count": len(active), "previous_page": None,
                    "next_page": f"{request.base_url}?{query}" if more else None})


def create_macro() -> Any:
    """``POST /macros``: 201; 422 without a title or actions."""
    sandbox, admin = _state()
    raw = _payload("macro")
    if raw is None or not isinstance(raw.get("title"), str) or not isinstance(
        raw.get("actions"), list
    ):
        return _invalid(macro="A macro needs a title and actions")
    with sandbox.store.lock:
        macro = {"id": admin.next_id("macro"), "title": raw["title"],
                 "active": bool(raw.get("active", True)), "actions": raw["actions"],
                 "description": raw.get("description")}
        admin.macros.append(macro)
    return jsonify({"macro": macro}), 201


ROUTES: list[tuple[str, list[str], Callable[..., Any]]] = [
    ("/webhooks", ["GET"], list_webhooks),
    ("/webhooks", ["POST"], create_webhook),
    ("/webhooks/<webhook_id>/signing_secret", ["GET"], get_signing_secret),
    ("/triggers", ["GET"], list_triggers),
    ("/triggers", ["POST"], create_trigger),
    ("/help_center/articles", ["GET"], list_articles),
    ("/help_center/sections/<int:section_id>/articles", ["POST"], create_article),
    ("/macros/active", ["GET"], list_active_macros),
    ("/macros", ["POST"], create_macro),
]
