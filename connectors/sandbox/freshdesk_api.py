"""The Freshdesk API routes the connector uses, under ``/freshdesk/api/v2``.

Requests need Basic auth with the API key as username (401 otherwise). Lists page
with ``page``/``per_page`` and a ``Link: rel="next"`` header. Writes are validated
whole before anything changes (400 ``Validation failed`` naming the fields, a group
the account does not have included, once its groups are declared), refuse closed
tickets (422), and move the ticket's ``updated_at``.
Knowledge and automation-rule lists answer empty.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from connectors.sandbox import freshdesk_shapes as shapes
from connectors.sandbox import history
from connectors.sandbox.context import current
from connectors.sandbox.state import Store, Ticket

# How many conversations Freshdesk embeds with include=conversations (the first ten).
EMBEDDED = 10

PLATFORM = shapes.PLATFORM

blueprint = Blueprint("freshdesk", __name__, url_prefix=shapes.PREFIX)


@blueprint.before_request
def _authenticate() -> tuple[Response, int] | None:
    if shapes.authorized(current().freshdesk):
        return None
    return jsonify({"code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action."}), 401


def _not_found() -> tuple[Response, int]:
    return shapes.error(404, "Resource not found")


@blueprint.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int) -> Any:
    """``GET /tickets/{id}``; ``include=requester`` embeds the requester,
    ``conversations`` the first ten conversations, ``stats`` the ticket's times; 404."""
    store = current().store
    include = request.args.get("include", "").split(",")
    with store.lock:
        ticket = store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return _not_found()
        answer = shapes.ticket_json(store, ticket, include_requester="requester" in include)
        if "stats" in include:
            answer["stats"] = history.freshdesk_stats(ticket)
        if "conversations" in include:
            answer["conversations"] = [shapes.conversation_json(store, ticket, c)
                                       for c in ticket.comments[1:EMBEDDED + 1]]
        return jsonify(answer)


@blueprint.get("/tickets/<int:ticket_id>/conversations")
def list_conversations(ticket_id: int) -> Any:
    """Every comment after the description, oldest first, paged."""
    store = current().store
    with store.lock:
        ticket = store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return _not_found()
        items = [shapes.conversation_json(store, ticket, c) for c in ticket.comments[1:]]
    return shapes.paged(items)


@blueprint.get("/contacts/<int:contact_id>")
def get_contact(contact_id: int) -> Any:
    """``GET /contacts/{id}`` with tags and custom fields; 404 for agents and unknown ids."""
    store = current().store
    with store.lock:
        user = store.users.get((PLATFORM, contact_id))
        if user is None or user.role != "end-user":
            return _not_found()
        return jsonify(shapes.full_contact_json(user))


@blueprint.get("/agents/me")
def get_me() -> Any:
    """The agent owning the API key, which is the AI."""
    sandbox = current()
    assert sandbox.freshdesk is not None
    with sandbox.store.lock:
        user = sandbox.store.users[(PLATFORM, sandbox.freshdesk.ai_user_id)]
        return jsonify({"id": user.id, "available": True, "occasional": False,
                        "contact": shapes.contact_json(user)})


@blueprint.get("/solutions/categories")
@blueprint.get("/canned_response_folders")
@blueprint.get("/automations/<int:rule_type>/rules")
def empty_list(rule_type: int | None = None) -> Any:
    """Knowledge and automation rules: the sandbox has none."""
    return shapes.paged([])


def _int_like(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(raw: dict[str, Any]) -> list[dict[str, str]]:
    errors = []
    if "status" in raw and raw["status"] not in shapes.STATUS_WORDS:
        errors.append(shapes.invalid("status", "It should be one of these values: 2,3,4,5"))
    if "priority" in raw and raw["priority"] not in shapes.PRIORITY_WORDS:
        errors.append(shapes.invalid("priority", "It should be one of these values: 1,2,3,4"))
    for key in ("group_id", "responder_id"):
        if key in raw and raw[key] is not None and not _int_like(raw[key]):
            errors.append(shapes.invalid(key, "It should be a/an Positive Integer"))
    if "tags" in raw and not (isinstance(raw["tags"], list)
                              and all(isinstance(t, str) for t in raw["tags"])):
        errors.append(shapes.invalid("tags", "It should be an Array of String"))
    unknown = set(raw) - {"status", "priority", "group_id", "responder_id", "tags"}
    errors += [shapes.invalid(key, "Unexpected/invalid field in request") for key in unknown]
    return errors


def _writable(store: Store, ticket_id: int) -> Ticket | tuple[Response, int]:
    ticket = store.ticket(PLATFORM, ticket_id)
    if ticket is None:
        return _not_found()
    if ticket.status == "closed":
        return shapes.error(422, "Validation failed",
                            [shapes.invalid("status", "The ticket is closed")])
    return ticket


@blueprint.put("/tickets/<int:ticket_id>")
def update_ticket(ticket_id: int) -> Any:
    """``PUT /tickets/{id}``: status, priority, group, agent and the whole tag list."""
    store = current().store
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        return shapes.error(400, "Validation failed", [shapes.invalid("body", "must be JSON")])
    with store.lock:
        ticket = _writable(store, ticket_id)
        if not isinstance(ticket, Ticket):
            return ticket
        errors = _validate(raw)
        if _int_like(raw.get("group_id")) and store.unknown_group(PLATFORM, raw["group_id"]):
            errors.append(shapes.invalid("group_id",
                                         "There is no group matching the given group_id"))
        if errors:
            return shapes.error(400, "Validation failed", errors)
        if "status" in raw:
            ticket.status = shapes.STATUS_WORDS[raw["status"]]
        if "priority" in raw:
            ticket.priority = shapes.PRIORITY_WORDS[raw["priority"]]
        if "group_id" in raw:
            ticket.group_id = raw["group_id"]
        if "responder_id" in raw:
            ticket.assignee_id = raw["responder_id"]
        if "tags" in raw:
            ticket.tags = list(dict.fromkeys(raw["tags"]))
        store.touch(ticket)
        return jsonify(shapes.ticket_json(store, ticket, include_requester=False))


@blueprint.post("/tickets/<int:ticket_id>/notes")
@blueprint.post("/tickets/<int:ticket_id>/reply")
def add_conversation(ticket_id: int) -> Any:
    """``POST .../notes`` (private unless ``"private": false``) or ``.../reply`` (public)."""
    sandbox = current()
    assert sandbox.freshdesk is not None
    store = sandbox.store
    raw = request.get_json(silent=True)
    body = raw.get("body") if isinstance(raw, dict) else None
    if not isinstance(body, str) or not body.strip():
        return shapes.error(400, "Validation failed", [shapes.invalid("body", "can't be blank")])
    note = request.path.endswith("/notes")
    private = raw.get("private", True) if note and isinstance(raw, dict) else False
    if not isinstance(private, bool):
        return shapes.error(400, "Validation failed",
                            [shapes.invalid("private", "It should be a/an Boolean")])
    with store.lock:
        ticket = _writable(store, ticket_id)
        if not isinstance(ticket, Ticket):
            return ticket
        comment = store.add_comment(ticket, sandbox.freshdesk.ai_user_id, html_body=body,
                                    public=not private, channel="api")
        if ticket.status == "new":
            ticket.status = "open"
        return jsonify(shapes.conversation_json(store, ticket, comment)), 201
