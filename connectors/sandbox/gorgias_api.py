"""The Gorgias API routes the connector uses, under ``/gorgias/api``.

Requests need Basic auth ``{email}:{api_key}`` (401 otherwise). Lists page
with ``cursor``/``limit`` and ``meta.next_cursor``. Writes are validated whole
before anything changes (400 naming the field, a team the account does not have
included, once its teams are declared), refuse closed tickets (422),
and move the ticket's ``updated_at``. HTTP integrations are kept so that
``handoff install gorgias`` can find what it made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from connectors.sandbox import gorgias_shapes as shapes
from connectors.sandbox.context import current
from connectors.sandbox.state import Store, Ticket

PLATFORM = shapes.PLATFORM
_CHANNELS = frozenset({"email", "chat", "api", "sms", "phone", "contact_form", "web",
                       shapes.INTERNAL_NOTE})

blueprint = Blueprint("gorgias", __name__, url_prefix=shapes.PREFIX)


@blueprint.before_request
def _authenticate() -> tuple[Response, int] | None:
    if shapes.authorized(current().gorgias):
        return None
    return shapes.error(401, "Unauthorized")


def _not_found() -> tuple[Response, int]:
    return shapes.error(404, "Resource not found")


@blueprint.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int) -> Any:
    """``GET /api/tickets/{id}`` with customer, tags, assignees and embedded messages; 404."""
    store = current().store
    with store.lock:
        ticket = store.ticket(PLATFORM, ticket_id)
        return jsonify(shapes.ticket_json(store, ticket)) if ticket else _not_found()


@blueprint.get("/messages")
def list_messages() -> Any:
    """``GET /api/messages?ticket_id=``: a ticket's messages, oldest first, cursor pages."""
    store = current().store
    raw_id = request.args.get("ticket_id", "")
    if not raw_id.isdigit():
        return shapes.error(400, "ticket_id is required", {"ticket_id": ["Missing"]})
    with store.lock:
        ticket = store.ticket(PLATFORM, int(raw_id))
        if ticket is None:
            return _not_found()
        items = [shapes.message_json(store, ticket, c) for c in ticket.comments]
    return shapes.page(items)


@blueprint.get("/users/0")
def get_me() -> Any:
    """The current user (the API key's owner), which is the AI."""
    sandbox = current()
    assert sandbox.gorgias is not None
    with sandbox.store.lock:
        ai_id = sandbox.gorgias.ai_user_id
        return jsonify(shapes.user_json(sandbox.store.users.get((PLATFORM, ai_id)), ai_id))


@blueprint.get("/macros")
def list_macros() -> Any:
    """Macros: the sandbox has none."""
    return shapes.page([])


def _writable(store: Store, ticket_id: int) -> Ticket | tuple[Response, int]:
    ticket = store.ticket(PLATFORM, ticket_id)
    if ticket is None:
        return _not_found()
    if ticket.status == "closed":
        return shapes.error(422, "This ticket is closed and cannot be changed")
    return ticket


def _reference(value: Any) -> tuple[bool, int | None]:
    """(valid, id) of an ``{"id": n}`` or null assignee."""
    if value is None:
        return True, None
    found = value.get("id") if isinstance(value, dict) else None
    if found is None:
        return isinstance(value, dict), None
    return isinstance(found, int) and not isinstance(found, bool), found


@blueprint.put("/tickets/<int:ticket_id>")
def update_ticket(ticket_id: int) -> Any:
    """``PUT /api/tickets/{id}``: status, priority, assignee_user, assignee_team."""
    store = current().store
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        return shapes.error(400, "Body must be a JSON object")
    errors: dict[str, list[str]] = {}
    if "status" in raw and raw["status"] not in shapes.STATUS_WORDS:
        errors["status"] = ["Must be one of: open, closed."]
    if "priority" in raw and raw["priority"] not in shapes.PRIORITY_WORDS:
        errors["priority"] = ["Must be one of: critical, high, normal, low."]
    refs = {key: _reference(raw[key]) for key in ("assignee_user", "assignee_team") if key in raw}
    errors.update({key: ["Must be {\"id\": <integer>} or null."]
                   for key, (valid, _) in refs.items() if not valid})
    if "tags" in raw:
        errors["tags"] = ["Use the ticket tags endpoints in the sandbox."]
    team = refs.get("assignee_team")
    if team is not None and team[0] and store.unknown_group(PLATFORM, team[1]):
        errors["assignee_team"] = [f"Team {team[1]} does not exist."]
    with store.lock:
        ticket = _writable(store, ticket_id)
        if not isinstance(ticket, Ticket):
            return ticket
        if errors:
            return shapes.error(400, "Invalid request", errors)
        if "status" in raw:
            ticket.status = shapes.STATUS_WORDS[raw["status"]]
        if "priority" in raw:
            ticket.priority = shapes.PRIORITY_WORDS[raw["priority"]]
        if "assignee_user" in refs:
            ticket.assignee_id = refs["assignee_user"][1]
        if "assignee_team" in refs:
            ticket.group_id = refs["assignee_team"][1]
        store.touch(ticket)
        return jsonify(shapes.ticket_json(store, ticket))


def _tag_names() -> list[str] | None:
    """The body's ``names``: a non-empty list of strings, else None."""
    raw = request.get_json(silent=True)
    names = raw.get("names") if isinstance(raw, dict) else None
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        return names
    return None


@blueprint.post("/tickets/<int:ticket_id>/tags")
def add_tags(ticket_id: int) -> Any:
    """``POST /api/tickets/{id}/tags`` ``{"names": [...]}``: add tags; 201."""
    return _change_tags(ticket_id, lambda tags, names: list(dict.fromkeys([*tags, *names])),
                        lambda tags: (jsonify([{"id": i + 1, "name": t}
                                               for i, t in enumerate(tags)]), 201))


@blueprint.delete("/tickets/<int:ticket_id>/tags")
def remove_tags(ticket_id: int) -> Any:
    """``DELETE /api/tickets/{id}/tags`` ``{"names": [...]}``: remove tags; 204."""
    return _change_tags(ticket_id, lambda tags, names: [t for t in tags if t not in names],
                        lambda tags: ("", 204))


def _change_tags(ticket_id: int, change: Callable[[list[str], list[str]], list[str]],
                 answer: Callable[[list[str]], Any]) -> Any:
    """Apply `change` to the ticket's tags with the body's ``names``; 400 for a bad body."""
    store = current().store
    names = _tag_names()
    if names is None:
        return shapes.error(400, "names must be a non-empty list of strings")
    with store.lock:
        ticket = _writable(store, ticket_id)
        if not isinstance(ticket, Ticket):
            return ticket
        ticket.tags = change(ticket.tags, names)
        store.touch(ticket)
        return answer(ticket.tags)


@blueprint.post("/tickets/<int:ticket_id>/messages")
def add_message(ticket_id: int) -> Any:
    """``POST /api/tickets/{id}/messages``: an internal note, or a reply on a real channel."""
    sandbox = current()
    store = sandbox.store
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        return shapes.error(400, "Body must be a JSON object")
    errors: dict[str, list[str]] = {}
    if raw.get("channel") not in _CHANNELS:
        errors["channel"] = ["Unknown channel."]
    if raw.get("from_agent") is not True:
        errors["from_agent"] = ["The sandbox only takes agent messages here."]
    sender = raw.get("sender")
    sender_id = sender.get("id") if isinstance(sender, dict) else None
    html_body, text = raw.get("body_html"), raw.get("body_text")
    if not any(isinstance(b, str) and b.strip() for b in (html_body, text)):
        errors["body_html"] = ["body_html or body_text is required."]
    with store.lock:
        if not isinstance(sender_id, int) or (PLATFORM, sender_id) not in store.users:
            errors["sender"] = ["Must be {\"id\": <existing user id>}."]
        ticket = _writable(store, ticket_id)
        if not isinstance(ticket, Ticket):
            return ticket
        if errors:
            return shapes.error(400, "Invalid request", errors)
        assert isinstance(sender_id, int)
        comment = store.add_comment(
            ticket, sender_id, html_body=html_body if isinstance(html_body, str) else None,
            text=text if isinstance(text, str) and text.strip() else None,
            public=raw["channel"] != shapes.INTERNAL_NOTE, channel="api")
        comment.sender_address = _from_address(raw)
        return jsonify(shapes.message_json(store, ticket, comment)), 201


def _from_address(raw: dict[str, Any]) -> str | None:
    """The ``source.from.address`` of a posted message, kept to show what was sent."""
    source = raw.get("source")
    sender = source.get("from") if isinstance(source, dict) else None
    address = sender.get("address") if isinstance(sender, dict) else None
    return address if isinstance(address, str) else None


@blueprint.delete("/integrations/<int:integration_id>")
def delete_integration(integration_id: int) -> Any:
    """``DELETE /api/integrations/{id}``: 204, or 404 when there is none."""
    store = current().store
    with store.lock:
        kept = store.integrations.setdefault(PLATFORM, [])
        for index, existing in enumerate(kept):
            if existing["id"] == integration_id:
                del kept[index]
                return "", 204
    return _not_found()


@blueprint.get("/integrations")
def list_integrations() -> Any:
    """``GET /api/integrations`` (``?type=`` filters): the email integration the account
    starts with, and the HTTP integrations ``install`` made."""
    store = current().store
    wanted = request.args.get("type")
    with store.lock:
        found = [dict(i) for i in store.integrations.get(PLATFORM, [])
                 if wanted in (None, i.get("type"))]
    return shapes.page(found)


@blueprint.post("/integrations")
@blueprint.put("/integrations/<int:integration_id>")
def save_integration(integration_id: int | None = None) -> Any:
    """Create (201) or replace (200) an HTTP integration; 400 without name, type and url."""
    store = current().store
    raw = request.get_json(silent=True)
    http = raw.get("http") if isinstance(raw, dict) else None
    if not (isinstance(raw, dict) and raw.get("name") and raw.get("type")
            and isinstance(http, dict) and http.get("url")):
        return shapes.error(400, "name, type and http.url are required")
    with store.lock:
        kept = store.integrations.setdefault(PLATFORM, [])
        if integration_id is None:
            saved = {**raw, "id": store.next_id("integration")}
            kept.append(saved)
            return jsonify(saved), 201
        for index, existing in enumerate(kept):
            if existing["id"] == integration_id:
                kept[index] = {**raw, "id": integration_id}
                return jsonify(kept[index])
    return _not_found()
