"""The listing and history routes ``handoff export`` reads, in each platform's shape.

- Zendesk: ``GET /incremental/tickets/cursor`` (``start_time`` or ``cursor``,
  ``per_page`` <= 1000, ``end_of_stream``), ``GET /tickets/{id}/metrics`` and
  ``GET /search/count`` for ``type:ticket updated>=TIME``.
- Freshdesk: ``GET /tickets`` (``updated_since``, else only the last 30 days'
  tickets; ``requester_id``; ``order_by``/``order_type``; ``page``/``per_page`` with a
  ``Link`` header; pages beyond 300 refused as Freshdesk does),
  ``GET /tickets/{id}/satisfaction_ratings`` and ``GET /search/tickets`` for
  ``"updated_at:>'DATE'"``.
- Gorgias: ``GET /tickets`` (cursor pages; ``customer_id``; ``order_by``
  ``created_datetime`` or ``updated_datetime``, ``:asc`` or ``:desc``).

The requester filters (Freshdesk ``requester_id``, Gorgias ``customer_id``) serve the
handoff note's list of a customer's other tickets, as does Zendesk's
``GET /users/{id}/tickets/requested`` in `connectors.sandbox.zendesk_api`.

The routes join the platforms' blueprints (so auth, call counts, rate limits and
injected faults apply); importing this module before the app registers them is
what adds them. What the histories say comes from `connectors.sandbox.history`.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import jsonify, request

from connectors.sandbox import freshdesk_api, gorgias_api, history, zendesk_api
from connectors.sandbox import freshdesk_shapes as fd
from connectors.sandbox import gorgias_shapes as gg
from connectors.sandbox import zendesk_shapes as zd
from connectors.sandbox.context import current
from connectors.sandbox.state import Ticket, now

ZENDESK_MAX_EXPORT = 1000
FRESHDESK_MAX_PAGE = 300


def _tickets(platform: str) -> list[Ticket]:
    """The platform's tickets by (updated_at, id); call under the store's lock."""
    found = [t for (owner, _), t in current().store.tickets.items() if owner == platform]
    return sorted(found, key=lambda t: (t.updated_at, t.id))


# -- Zendesk ------------------------------------------------------------------------------

def _export_cursor(ticket: Ticket) -> str:
    return base64.urlsafe_b64encode(f"x:{int(ticket.updated_at.timestamp())}:{ticket.id}"
                                    .encode()).decode()


def _export_position(cursor: str) -> tuple[int, int]:
    try:
        kind, stamp, ticket_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(cursor) from exc
    if kind != "x" or not stamp.isdigit() or not ticket_id.isdigit():
        raise ValueError(cursor)
    return int(stamp), int(ticket_id)


def zendesk_export() -> Any:
    """``GET /incremental/tickets/cursor``: tickets changed since ``start_time``, paged."""
    args = request.args
    try:
        size = int(args.get("per_page", str(ZENDESK_MAX_EXPORT)))
        position = (_export_position(args["cursor"]) if "cursor" in args
                    else (int(args["start_time"]), 0))
    except (KeyError, ValueError):
        return zd.error(400, "InvalidPaginationParameter",
                        "start_time (a Unix time) or a cursor is required")
    if not 1 <= size <= ZENDESK_MAX_EXPORT:
        return zd.error(400, "InvalidPaginationParameter",
                        f"per_page must be between 1 and {ZENDESK_MAX_EXPORT}")
    with current().store.lock:
        after = [t for t in _tickets(zd.PLATFORM)
                 if (int(t.updated_at.timestamp()), t.id) > position]
        page = after[:size]
        cursor = _export_cursor(page[-1]) if page else args.get("cursor")
        answer: dict[str, Any] = {
            "tickets": [{**zd.ticket_json(t), "generated_timestamp":
                         int(t.updated_at.timestamp())} for t in page],
            "after_cursor": cursor,
            "after_url": (f"{request.base_url}?{urlencode({'cursor': cursor})}"
                          if cursor else None),
            "before_cursor": None, "before_url": None,
            "end_of_stream": len(after) <= size,
        }
        if zd.included("metric_sets"):
            answer["metric_sets"] = [_metric_set(t) for t in page]
    return jsonify(answer)


def zendesk_metrics(ticket_id: int) -> Any:
    """``GET /tickets/{id}/metrics``: reopens, replies and stations; 404."""
    store = current().store
    with store.lock:
        ticket = store.ticket(zd.PLATFORM, ticket_id)
        if ticket is None:
            return zd.not_found()
        return jsonify({"ticket_metric": _metric_set(ticket)})


def _metric_set(ticket: Ticket) -> dict[str, Any]:
    """A ticket's metric set; call under the store's lock."""
    store = current().store
    said = history.of(ticket)
    replies = sum(1 for c in ticket.comments if c.public
                  and store.role_of(zd.PLATFORM, c.author_id) in ("agent", "ai"))
    # Stations count every assignee (group) the ticket had: the first one, then each move.
    moves, regroups = said.get("reassignments", 0), said.get("regroupings", 0)
    assignees = moves + (1 if ticket.assignee_id or moves else 0)
    groups = regroups + (1 if ticket.group_id or regroups else 0)
    return {
        "id": ticket.id + 800_000, "ticket_id": ticket.id,
        "reopens": said.get("reopens", 0), "replies": replies,
        "assignee_stations": assignees, "group_stations": groups,
        "created_at": zd.stamp(ticket.created_at), "updated_at": zd.stamp(ticket.updated_at),
    }


def zendesk_search_count() -> Any:
    """``GET /search/count?query=type:ticket updated>=TIME``: ``{"count": n}``; 400 for any
    other query (the sandbox searches nothing else)."""
    match = re.fullmatch(r"\s*type:ticket\s+updated>=(\S+)\s*", request.args.get("query", ""))
    if match is None:
        return zd.error(400, "InvalidSearch", "the sandbox counts type:ticket updated>=TIME")
    try:
        since = _since(match.group(1))
    except ValueError:
        return zd.error(400, "InvalidSearch", f"unreadable time {match.group(1)!r}")
    with current().store.lock:
        count = sum(1 for t in _tickets(zd.PLATFORM) if t.updated_at >= since)
    return jsonify({"count": count})


for _rule, _view in (("/incremental/tickets/cursor", zendesk_export),
                     ("/search/count", zendesk_search_count),
                     ("/tickets/<int:ticket_id>/metrics", zendesk_metrics)):
    for _path in (_rule, f"{_rule}.json"):
        zendesk_api.blueprint.add_url_rule(_path, view_func=_view, methods=["GET"])


# -- Freshdesk ----------------------------------------------------------------------------

def _since(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


_FRESHDESK_ORDER = ("created_at", "updated_at")


@freshdesk_api.blueprint.get("/tickets")
def freshdesk_list() -> Any:
    """``GET /tickets``: updated since ``updated_since`` (default: created in 30 days), of
    ``requester_id`` when given, in ``order_by`` (``created_at`` by default, or
    ``updated_at``) and ``order_type`` (``desc`` by default) order."""
    args = request.args
    store = current().store
    try:
        since = _since(args["updated_since"]) if "updated_since" in args else None
        page = int(args.get("page", "1"))
    except ValueError:
        return fd.error(400, "Validation failed",
                        [fd.invalid("updated_since", "It should be in the 'YYYY-MM-DDTHH:MM:SSZ'"
                                    " format")])
    refused = _freshdesk_refusal(page)
    if refused is not None:
        return refused
    requester = args.get("requester_id")
    order_by, order_type = args.get("order_by", "created_at"), args.get("order_type", "desc")
    with store.lock:
        tickets = _tickets(fd.PLATFORM)
        if since is not None:
            tickets = [t for t in tickets if t.updated_at >= since]
        else:
            tickets = [t for t in tickets if t.created_at >= now() - timedelta(days=30)]
        if requester is not None:
            tickets = [t for t in tickets if str(t.requester_id) == requester]
        tickets.sort(key=lambda t: (getattr(t, order_by), t.id), reverse=order_type == "desc")
        items = [fd.ticket_json(store, t, include_requester=False) for t in tickets]
    return fd.paged(items)


def _freshdesk_refusal(page: int) -> Any:
    """Freshdesk's 400 for a page beyond the last it lists, an ordering it does not know
    or a ``requester_id`` that is not a number; None when the request is fine."""
    args = request.args
    if page > FRESHDESK_MAX_PAGE:
        return fd.error(400, "Validation failed",
                        [fd.invalid("page", f"no pages beyond {FRESHDESK_MAX_PAGE}")])
    if args.get("order_by", "created_at") not in _FRESHDESK_ORDER:
        return fd.error(400, "Validation failed", [fd.invalid(
            "order_by", "It should be one of these values: 'created_at,updated_at'")])
    if args.get("order_type", "desc") not in ("asc", "desc"):
        return fd.error(400, "Validation failed",
                        [fd.invalid("order_type", "It should be one of these values: 'asc,desc'")])
    if not args.get("requester_id", "1").isdigit():
        return fd.error(400, "Validation failed",
                        [fd.invalid("requester_id", "It should be a/an Positive Integer")])
    return None


@freshdesk_api.blueprint.get("/search/tickets")
def freshdesk_search() -> Any:
    """``GET /search/tickets?query="updated_at:>'YYYY-MM-DD'"``: 30 results and the total."""
    match = re.fullmatch(r"\"updated_at:>'(\d{4}-\d{2}-\d{2})'\"", request.args.get("query", ""))
    if match is None:
        return fd.error(400, "Validation failed",
                        [fd.invalid("query", "the sandbox filters on updated_at:>'DATE' only")])
    since = _since(match.group(1))
    store = current().store
    with store.lock:
        found = [t for t in _tickets(fd.PLATFORM) if t.updated_at >= since]
        results = [fd.ticket_json(store, t, include_requester=False) for t in found[:30]]
    return jsonify({"results": results, "total": len(found)})


@freshdesk_api.blueprint.get("/tickets/<int:ticket_id>/satisfaction_ratings")
def freshdesk_ratings(ticket_id: int) -> Any:
    """The ticket's satisfaction ratings (at most one here); 404 for no ticket."""
    store = current().store
    with store.lock:
        ticket = store.ticket(fd.PLATFORM, ticket_id)
        if ticket is None:
            return fd.error(404, "Resource not found")
        rating = history.of(ticket).get("satisfaction")
        if rating is None:
            return jsonify([])
        stamp = fd.stamp(ticket.updated_at)
        return jsonify([{
            "id": ticket.id + 700_000, "survey_id": 1, "user_id": ticket.requester_id,
            "agent_id": ticket.assignee_id, "group_id": ticket.group_id, "ticket_id": ticket.id,
            "feedback": rating.get("comment"),
            "ratings": {"default_question": history.FRESHDESK_VALUES[rating["score"]]},
            "created_at": stamp, "updated_at": stamp,
        }])


# -- Gorgias ------------------------------------------------------------------------------

_GORGIAS_ORDER = {"created_datetime": "created_at", "updated_datetime": "updated_at"}


@gorgias_api.blueprint.get("/tickets")
def gorgias_list() -> Any:
    """``GET /api/tickets``: cursor pages in ``order_by`` order (default created, desc), of
    ``customer_id`` when given."""
    field, _, direction = request.args.get("order_by", "created_datetime:desc").partition(":")
    if field not in _GORGIAS_ORDER or direction not in ("", "asc", "desc"):
        return gg.error(400, "order_by: unsupported ordering",
                        {"order_by": ["Must be created_datetime or updated_datetime, "
                                      "with :asc or :desc"]})
    customer = request.args.get("customer_id")
    if customer is not None and not customer.isdigit():
        return gg.error(400, "customer_id: must be an integer",
                        {"customer_id": ["Not a valid integer."]})
    store = current().store
    with store.lock:
        tickets = sorted((t for (owner, _), t in store.tickets.items() if owner == gg.PLATFORM
                          and (customer is None or str(t.requester_id) == customer)),
                         key=lambda t: (getattr(t, _GORGIAS_ORDER[field]), t.id),
                         reverse=direction != "asc")
        items = [gg.ticket_json(store, t) for t in tickets]
    return gg.page(items)
