"""What the sandbox remembers of a ticket's course, for ``handoff export`` to read back.

The sandbox keeps no field-change log of its own, so tests state a ticket's
history with ``POST /sandbox/history/<platform>/<ticket_id>``::

    {"reopens": 1, "reassignments": 2, "regroupings": 1,
     "satisfaction": {"score": "good" | "neutral" | "bad", "comment": "..."}}

(every key optional). Each platform renders it in its own shape: Zendesk ticket
metrics and ``satisfaction_rating``, Freshdesk ``stats`` and satisfaction
ratings, Gorgias ``satisfaction_survey``. Kept in the app's extensions, beside
the store, under this module's own lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from connectors.sandbox.state import Ticket

EXTENSION = "handoff_sandbox_history"
SCORES = ("good", "neutral", "bad")
# How each platform writes a score: Freshdesk custom surveys, Gorgias' 1 to 5.
FRESHDESK_VALUES = {"good": 103, "neutral": 100, "bad": -103}
GORGIAS_VALUES = {"good": 5, "neutral": 3, "bad": 1}

blueprint = Blueprint("sandbox_history", __name__, url_prefix="/sandbox/history")


@dataclass
class Histories:
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_ticket: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


def _histories() -> Histories:
    found: Histories = current_app.extensions.setdefault(EXTENSION, Histories())
    return found


def of(ticket: Ticket) -> dict[str, Any]:
    """The history stated for `ticket` (empty when none was)."""
    state = _histories()
    with state.lock:
        return dict(state.by_ticket.get((ticket.platform, ticket.id), {}))


def validate(data: Any) -> dict[str, Any]:
    """A history body checked; ValueError names the bad key."""
    if not isinstance(data, dict):
        raise ValueError("body: must be a JSON object")
    unknown = set(data) - {"reopens", "reassignments", "regroupings", "satisfaction"}
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: unknown key")
    for key in ("reopens", "reassignments", "regroupings"):
        value = data.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key}: must be a non-negative integer")
    rating = data.get("satisfaction")
    if rating is not None and not (isinstance(rating, dict) and rating.get("score") in SCORES):
        raise ValueError(f"satisfaction.score: must be one of {', '.join(SCORES)}")
    return dict(data)


@blueprint.post("/<platform>/<int:ticket_id>")
def post_history(platform: str, ticket_id: int) -> Any:
    """State a ticket's history; 400 naming the bad key, 404 for an unknown ticket."""
    from connectors.sandbox.context import current

    try:
        history = validate(request.get_json(silent=True))
    except ValueError as exc:
        return jsonify({"error": str(exc)}), 400
    if current().store.ticket(platform, ticket_id) is None:
        return jsonify({"error": f"no {platform} ticket {ticket_id}"}), 404
    state = _histories()
    with state.lock:
        state.by_ticket[(platform, ticket_id)] = history
    return jsonify(history), 201


def zendesk_rating(ticket: Ticket) -> dict[str, Any] | None:
    """Zendesk's ``satisfaction_rating`` for `ticket` (None when never offered)."""
    rating = of(ticket).get("satisfaction")
    if rating is None:
        return None
    # Zendesk's legacy CSAT is good or bad only; a neutral answer stays "offered".
    score = rating["score"] if rating["score"] != "neutral" else "offered"
    return {"id": ticket.id + 700_000, "score": score, "comment": rating.get("comment")}


def gorgias_survey(ticket: Ticket) -> dict[str, Any] | None:
    """Gorgias' ``satisfaction_survey`` for `ticket` (None when none was sent)."""
    rating = of(ticket).get("satisfaction")
    if rating is None:
        return None
    return {"id": ticket.id + 700_000, "ticket_id": ticket.id,
            "customer_id": ticket.requester_id, "score": GORGIAS_VALUES[rating["score"]],
            "body_text": rating.get("comment"), "meta": None,
            "uri": f"/api/satisfaction-surveys/{ticket.id + 700_000}/"}


def freshdesk_stats(ticket: Ticket) -> dict[str, Any]:
    """Freshdesk's ``stats`` of `ticket` (``include=stats``): the times the sandbox knows."""
    stamp = ticket.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    closed = ticket.status in ("solved", "closed")
    return {"agent_responded_at": None, "requester_responded_at": None,
            "first_responded_at": None, "status_updated_at": stamp, "pending_since": None,
            "resolved_at": stamp if closed else None,
            "closed_at": stamp if ticket.status == "closed" else None,
            "reopened_at": stamp if of(ticket).get("reopens") else None}
