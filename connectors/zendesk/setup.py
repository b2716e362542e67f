"""Zendesk knowledge and install shapes: API JSON to `KnowledgeDoc`, and our webhook/trigger.

Pure functions used by `connectors.zendesk.connector`; nothing here does I/O.

Help Center articles: https://developer.zendesk.com/api-reference/help_center/help-center-api/articles/
Macros: https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/
Webhooks: https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/
Triggers: https://developer.zendesk.com/api-reference/ticketing/business-rules/triggers/
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from typing import Any

from connectors.fields import locale_text
from core.errors import PermanentError
from core.knowledge import KnowledgeDoc

WEBHOOK_NAME = "Handoff"
TRIGGER_TITLE = "Handoff: new ticket or customer comment"
# Only ids travel in the body: whether Zendesk JSON-escapes rendered comment text is
# unconfirmed, and the worker reloads the ticket anyway.
TRIGGER_BODY = json.dumps(
    {"ticket_id": "{{ticket.id}}", "comment_id": "{{ticket.latest_comment.id}}"}
)
SECRET_VARIABLE = "HANDOFF_ZENDESK_SIGNING_SECRET"  # noqa: S105 - a variable name
NEXT_LEVEL_TRIGGER_TITLE = "Handoff: next escalation level"

_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                     "tr", "table", "blockquote", "pre", "hr"})
_SKIPPED = frozenset({"script", "style"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML body: paragraphs kept, list items dashed.

    Never raises; broken markup yields whatever text it holds.
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _category(label: str | None, default: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", label or "").strip("_").upper()
    return cleaned or default


def _web_address(value: Any) -> str | None:
    """The article's Help Center page, when the API gave an http(s) one."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) and " " not in text else None


def article_doc(article: dict[str, Any]) -> KnowledgeDoc | None:
    """A published Help Center article as knowledge; None for drafts and empty ones.

    Raises KeyError or TypeError on an article without an id or title.
    """
    if article.get("draft"):
        return None
    body = html_to_text(str(article.get("body") or ""))
    if not body:
        return None
    labels = article.get("label_names") or []
    return KnowledgeDoc(
        id=f"zd-article-{int(article['id'])}",
        title=str(article["title"]).strip(),
        category=_category(labels[0] if labels else None, "HELP_CENTER"),
        examples=(),
        body=body,
        locale=locale_text(article.get("locale")),
        url=_web_address(article.get("html_url")),
    )


def macro_doc(macro: dict[str, Any]) -> KnowledgeDoc | None:
    """A macro's reply text as knowledge; None when it sets fields but writes no reply.

    Macro titles use ``Category::Name``; the part before ``::`` becomes the
    category. Raises KeyError or TypeError on a macro without an id or title.
    """
    html_value = text_value = None
    for action in macro.get("actions") or []:
        if not isinstance(action, dict):
            continue
        value = action.get("value")
        # Older macros hold ["channel:all", "text"] instead of the text itself.
        if isinstance(value, list):
            value = next((v for v in reversed(value) if isinstance(v, str)), None)
        if action.get("field") == "comment_value_html" and isinstance(value, str):
            html_value = value
        elif action.get("field") == "comment_value" and isinstance(value, str):
            text_value = value
    body = html_to_text(html_value) if html_value else (text_value or "").strip()
    if not body:
        return None
    category, _, name = str(macro["title"]).rpartition("::")
    return KnowledgeDoc(
        id=f"zd-macro-{int(macro['id'])}",
        title=name.strip() or str(macro["title"]).strip(),
        category=_category(category.split("::")[0] if category else None, "MACROS"),
        examples=(),
        body=body,
    )


def webhook_body(endpoint: str) -> dict[str, Any]:
    """The ``POST /webhooks`` body of our trigger-connected webhook."""
    return {"webhook": {
        "name": WEBHOOK_NAME, "status": "active", "endpoint": endpoint,
        "http_method": "POST", "request_format": "json",
        "subscriptions": ["conditional_ticket_events"],
        "description": "Handoff: AI first response and handoff to humans",
    }}


def trigger_body(webhook_id: str, ai_user_id: str) -> dict[str, Any]:
    """The ``POST /triggers`` body: our webhook on a new ticket or an end user's comment.

    All of: the update is not ours (loop guard) and carries a public comment.
    Any of: the ticket was just created, or an end user made the update. Zendesk
    conditions have no nesting, and end users can only comment publicly, so this
    is "created, or commented on by the customer". The condition field names
    ``comment_is_public`` and ``role`` are unconfirmed by a live account.
    """
    return {"trigger": {
        "title": TRIGGER_TITLE,
        "active": True,
        "description": "Sends the ticket id to Handoff. Created by `handoff install zendesk`.",
        "conditions": {
            "all": [
                {"field": "current_user", "operator": "is_not", "value": ai_user_id},
                {"field": "comment_is_public", "operator": "is", "value": "true"},
            ],
            "any": [
                {"field": "update_type", "operator": "is", "value": "Create"},
                {"field": "role", "operator": "is", "value": "end_user"},
            ],
        },
        "actions": [{"field": "notification_webhook", "value": [webhook_id, TRIGGER_BODY]}],
    }}


def next_level_trigger_body(webhook_id: str, ai_user_id: str, tag: str) -> dict[str, Any]:
    """The ``POST /triggers`` body that tells Handoff an agent added the next-level `tag`
    (an escalation ladder's next step, `worker.ladder`). Our own updates never fire it,
    and Handoff removes the tag once it has acted, so it fires once per request."""
    return {"trigger": {
        "title": NEXT_LEVEL_TRIGGER_TITLE,
        "active": True,
        "description": "Sends the ticket id to Handoff when an agent asks for the next "
                       "escalation level. Created by `handoff install zendesk`.",
        "conditions": {
            "all": [
                {"field": "current_user", "operator": "is_not", "value": ai_user_id},
                {"field": "current_tags", "operator": "includes", "value": tag},
            ],
        },
        "actions": [{"field": "notification_webhook", "value": [webhook_id, TRIGGER_BODY]}],
    }}


def webhook_id(webhook: dict[str, Any]) -> str:
    """The id of a webhook object, checked for use in a URL path (ULID-like letters and digits).

    Raises PermanentError when it is missing or holds anything else.
    """
    value = str(webhook.get("id") or "")
    if not re.fullmatch(r"[A-Za-z0-9]+", value):
        raise PermanentError(f"zendesk: unusable webhook id {value!r}")
    return value


def trigger_webhook_ids(trigger: dict[str, Any]) -> list[str]:
    """The webhook ids a trigger notifies."""
    ids = []
    for action in trigger.get("actions") or []:
        value = action.get("value") if isinstance(action, dict) else None
        if action.get("field") == "notification_webhook" and isinstance(value, list) and value:
            ids.append(str(value[0]))
    return ids


def signing_secret(data: Any) -> str:
    """The secret from ``GET /webhooks/{id}/signing_secret``.

    The response shape is unconfirmed, so ``{"signing_secret": {"secret": s}}``,
    ``{"signing_secret": s}`` and ``{"secret": s}`` are all read. Raises
    PermanentError (without the body, which holds the secret) for anything else.
    """
    found = data.get("signing_secret", data.get("secret")) if isinstance(data, dict) else None
    if isinstance(found, dict):
        found = found.get("secret")
    if not isinstance(found, str) or not found:
        raise PermanentError("zendesk: the signing_secret response holds no secret")
    return found
