"""Control routes under ``/sandbox``: not part of any helpdesk API.

Tests, the demo and the benchmarks use them to create tickets and customer
replies (each followed by a signed webhook), to look at what was written back,
to inject faults into the API routes, to declare an account's groups (so that
writes naming any other group are refused), and to read call counts. Bad input
answers 400 with ``{"error": "<field>: <reason>"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from connectors.sandbox import freshdesk_shapes, gorgias_shapes, zendesk_shapes
from connectors.sandbox.canonical import attachments, create_ticket, neutral
from connectors.sandbox.context import Sandbox, current
from connectors.sandbox.state import Ticket
from connectors.sandbox.webhooks import Outgoing

blueprint = Blueprint("sandbox", __name__, url_prefix="/sandbox")

WEBHOOKS: dict[str, Callable[[Sandbox, Ticket, str], Outgoing]] = {
    "zendesk": zendesk_shapes.webhook,
    "freshdesk": freshdesk_shapes.webhook,
    "gorgias": gorgias_shapes.webhook,
}
"""How each platform announces a change; also the list of supported platforms."""


def _bad(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _json_object() -> dict[str, Any] | None:
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else None


def _platform(name: Any) -> str | None:
    """`name` when it is a platform this sandbox plays (has credentials for)."""
    if not isinstance(name, str) or name not in WEBHOOKS:
        return None
    return name if name in current().store.ai_user_ids else None


def _played() -> list[str]:
    return sorted(p for p in WEBHOOKS if p in current().store.ai_user_ids)


@blueprint.get("/healthz")
def healthz() -> Any:
    """Liveness, and the platforms this sandbox speaks."""
    return jsonify({"ok": True, "platforms": _played()})


@blueprint.post("/tickets")
def post_ticket() -> Any:
    """Create a ticket from the canonical format, then send its webhook."""
    data = _json_object()
    if data is None:
        return _bad("body: must be a JSON object in the canonical ticket format")
    platform = _platform(data.get("platform"))
    if platform is None:
        return _bad(f"platform: must be one of {', '.join(_played())}")
    sandbox = current()
    try:
        ticket = create_ticket(sandbox.store, platform, data)
    except ValueError as exc:
        return _bad(str(exc))
    with sandbox.store.lock:
        outgoing = WEBHOOKS[platform](sandbox, ticket, "ticket_created")
    sandbox.sender.send(outgoing)
    return jsonify({"platform": platform, "ticket_id": str(ticket.id)}), 201


@blueprint.post("/tickets/<platform>/<int:ticket_id>/comments")
def post_comment(platform: str, ticket_id: int) -> Any:
    """Add a customer (or ``"author": "agent"``) comment, then send its webhook; an
    optional ``"attachments"`` list as in the canonical format's messages."""
    data = _json_object()
    body = data.get("body") if data else None
    if data is None or not isinstance(body, str) or not body.strip():
        return _bad("body: must be a non-empty string")
    author = data.get("author", "customer")
    if author not in ("customer", "agent"):
        return _bad("author: must be customer or agent")
    public = data.get("public", True)
    if not isinstance(public, bool):
        return _bad("public: must be true or false")
    try:
        files = attachments(data.get("attachments"), "attachments")
    except ValueError as exc:
        return _bad(str(exc))
    if _platform(platform) is None:
        return _bad(f"platform: must be one of {', '.join(_played())}", 404)
    sandbox = current()
    store = sandbox.store
    with store.lock:
        ticket = store.ticket(platform, ticket_id)
        if ticket is None:
            return _bad(f"no {platform} ticket {ticket_id}", 404)
        if ticket.status == "closed":
            return _bad(f"{platform} ticket {ticket_id} is closed", 422)
        author_id = ticket.requester_id if author == "customer" else store.agent_ids[platform]
        comment = store.add_comment(ticket, author_id, text=body, public=public,
                                    channel=ticket.channel if author == "customer" else "web",
                                    files=files)
        # A customer's reply reopens a ticket that was waiting on them or solved.
        if author == "customer" and ticket.status in ("pending", "solved"):
            ticket.status = "open"
        outgoing = WEBHOOKS[platform](sandbox, ticket, "comment_added")
    sandbox.sender.send(outgoing)
    return jsonify({"platform": platform, "ticket_id": str(ticket_id),
                    "comment_id": str(comment.id)}), 201


@blueprint.post("/tickets/<platform>/<int:ticket_id>/tags")
def post_tags(platform: str, ticket_id: int) -> Any:
    """An agent changes the tags in the helpdesk: ``{"add": [...], "remove": [...]}``.

    No webhook follows: the rules ``handoff install`` sets up fire on new tickets and
    customer messages (and, on Zendesk, the next-level tag), not on other tag changes.
    """
    data = _json_object()
    if data is None:
        return _bad("body: must be a JSON object with add and/or remove lists")
    changes: dict[str, list[str]] = {}
    for key in ("add", "remove"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
            return _bad(f"{key}: must be a list of non-empty strings")
        changes[key] = value
    if _platform(platform) is None:
        return _bad(f"platform: must be one of {', '.join(_played())}", 404)
    store = current().store
    with store.lock:
        ticket = store.ticket(platform, ticket_id)
        if ticket is None:
            return _bad(f"no {platform} ticket {ticket_id}", 404)
        gone = set(changes["remove"])
        ticket.tags = [t for t in ticket.tags if t not in gone]
        ticket.tags += [t for t in dict.fromkeys(changes["add"]) if t not in ticket.tags]
        store.touch(ticket)
        return jsonify({"platform": platform, "ticket_id": str(ticket_id), "tags": ticket.tags})


@blueprint.get("/tickets")
def list_tickets() -> Any:
    """Every ticket in the neutral shape, oldest first (``?platform=`` filters)."""
    store = current().store
    wanted = request.args.get("platform")
    with store.lock:
        tickets = [neutral(store, t) for (platform, _), t in sorted(store.tickets.items())
                   if wanted in (None, platform)]
    return jsonify(tickets)


@blueprint.get("/tickets/<platform>/<int:ticket_id>")
def get_ticket(platform: str, ticket_id: int) -> Any:
    """One ticket in the neutral shape; 404 when there is none."""
    store = current().store
    with store.lock:
        ticket = store.ticket(platform, ticket_id)
        if ticket is None:
            return _bad(f"no {platform} ticket {ticket_id}", 404)
        return jsonify(neutral(store, ticket))


@blueprint.get("/deliveries")
def list_deliveries() -> Any:
    """Webhook deliveries, oldest first, with their HTTP status and the answer."""
    store = current().store
    with store.lock:
        return jsonify([dict(d) for d in store.deliveries])


@blueprint.post("/faults")
def post_fault() -> Any:
    """Inject a fault: ``{"method", "path" (regex), "status", "times", "retry_after",
    "latency_ms", "jitter", "skip", "every"}``; `skip` lets that many matching requests
    through first, `every` fires only on every Nth matching request, and `jitter` (0 to
    below 1) draws each latency from latency_ms * (1 +- jitter).
    Faults apply to API requests only, never to these routes."""
    data = _json_object()
    if data is None:
        return _bad("body: must be a JSON object describing the fault")
    try:
        fault = current().store.add_fault(data)
    except ValueError as exc:
        return _bad(str(exc))
    return jsonify(fault.describe()), 201


@blueprint.get("/faults")
def list_faults() -> Any:
    """The faults still armed."""
    store = current().store
    with store.lock:
        return jsonify([f.describe() for f in store.faults])


@blueprint.delete("/faults")
def clear_faults() -> Any:
    """Disarm every fault."""
    store = current().store
    with store.lock:
        cleared = len(store.faults)
        store.faults.clear()
    return jsonify({"cleared": cleared})


@blueprint.put("/groups/<platform>")
def put_groups(platform: str) -> Any:
    """Declare the groups (Gorgias: teams) of a platform's account: ``{"ids": [int, ...]}``.

    From then on, a write naming any other group id is refused as that helpdesk
    refuses it (Zendesk 422 ``RecordInvalid``, Freshdesk 400 ``Validation failed``,
    Gorgias 400). Until then every group id is accepted.
    """
    data = _json_object()
    ids = data.get("ids") if data else None
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids
    ):
        return _bad("ids: must be a list of positive integers")
    if _platform(platform) is None:
        return _bad(f"platform: must be one of {', '.join(_played())}", 404)
    store = current().store
    with store.lock:
        store.checked_groups[platform] = set(ids)
    return jsonify({"platform": platform, "ids": sorted(ids)})


@blueprint.get("/stats")
def stats() -> Any:
    """API calls per platform and ``METHOD /route/<template>``."""
    return jsonify(current().store.stats())


@blueprint.delete("/stats")
def reset_stats() -> Any:
    """Zero the call counts."""
    store = current().store
    with store.lock:
        store.calls.clear()
    return jsonify({"reset": True})
