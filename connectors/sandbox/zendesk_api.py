"""The Zendesk Support API routes the connector uses, under ``/zendesk/api/v2``.

Every path also answers with a ``.json`` suffix, as Zendesk does. Requests need
Basic auth ``{email}/token:{api_token}`` (401 otherwise). Writes are validated
whole before anything changes (422 naming the fields, a group the account does
not have included, once its groups are declared), honour ``safe_update``
with ``updated_stamp`` (409 on a stale stamp), refuse closed tickets (422), and
each write moves the ticket's ``updated_at`` forward.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from connectors.sandbox import zendesk_admin
from connectors.sandbox import zendesk_shapes as shapes
from connectors.sandbox.canonical import PRIORITIES, STATUSES
from connectors.sandbox.context import current
from connectors.sandbox.state import Store, Ticket

PLATFORM = shapes.PLATFORM
MAX_PAGE_SIZE = 100

blueprint = Blueprint("zendesk", __name__, url_prefix=shapes.PREFIX)
View = TypeVar("View", bound=Callable[..., Any])
Errors = dict[str, list[dict[str, str]]]


def _route(rule: str, methods: list[str]) -> Callable[[View], View]:
    def register(view: View) -> View:
        for path in (rule, f"{rule}.json"):
            blueprint.add_url_rule(path, view_func=view, methods=methods)
        return view
    return register


@blueprint.before_request
def _authenticate() -> tuple[Response, int] | None:
    if shapes.authorized(current().zendesk):
        return None
    return jsonify({"error": "Couldn't authenticate you"}), 401


@_route("/tickets/<int:ticket_id>", ["GET"])
def get_ticket(ticket_id: int) -> Any:
    """``GET /tickets/{id}``; ``include=users`` sideloads requester and assignee,
    ``include=organizations`` the ticket's and the requester's organisation; 404."""
    sandbox = current()
    with sandbox.store.lock:
        ticket = sandbox.store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return shapes.not_found()
        answer: dict[str, Any] = {"ticket": shapes.ticket_json(ticket)}
        if shapes.included("users"):
            ids = [ticket.requester_id, *([ticket.assignee_id] if ticket.assignee_id else [])]
            answer["users"] = shapes.users(sandbox, ids)
        if shapes.included("organizations"):
            requester = sandbox.store.users.get((PLATFORM, ticket.requester_id))
            answer["organizations"] = shapes.organizations(sandbox, [
                ticket.organization_id, requester.organization_id if requester else None])
    return jsonify(answer)


class _Paging(NamedTuple):
    size: int | None
    start: int | None  # the comment id to start after


def _cursor_args(default_size: int | None) -> _Paging | Any:
    """The paging asked for with ``page[size]`` and ``page[after]``, or Zendesk's 400
    answer for a bad size or cursor."""
    size_arg = request.args.get("page[size]")
    after = request.args.get("page[after]")
    try:
        size = int(size_arg) if size_arg is not None else default_size
        start = shapes.uncursor(after) if after else None
    except ValueError:
        return shapes.error(400, "InvalidPaginationParameter", "page[size] or cursor is invalid")
    if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
        return shapes.error(400, "InvalidPaginationParameter",
                            f"page[size] must be between 1 and {MAX_PAGE_SIZE}")
    return _Paging(size, start)


@_route("/tickets/<int:ticket_id>/comments", ["GET"])
def list_comments(ticket_id: int) -> Any:
    """Oldest first; cursor pagination with ``page[size]`` and ``page[after]``."""
    sandbox = current()
    paging = _cursor_args(None)
    if not isinstance(paging, _Paging):
        return paging
    size, start = paging
    with sandbox.store.lock:
        ticket = sandbox.store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return shapes.not_found()
        comments = [c for c in ticket.comments if start is None or c.id > start]
        answer: dict[str, Any] = {}
        if size is None and start is None:
            # Without page[size] Zendesk falls back to offset pagination.
            page = comments
            answer.update(next_page=None, previous_page=None, count=len(page))
        else:
            page = comments[: size or MAX_PAGE_SIZE]
            has_more = len(comments) > len(page)
            after_cursor = shapes.cursor(page[-1].id) if page else None
            answer["meta"] = {"has_more": has_more, "after_cursor": after_cursor,
                              "before_cursor": None}
            query = {"page[size]": str(size or MAX_PAGE_SIZE), "page[after]": after_cursor}
            if "include" in request.args:
                query["include"] = request.args["include"]
            answer["links"] = {
                "next": f"{request.base_url}?{urlencode(query)}" if has_more else None,
                "prev": None,
            }
        answer["comments"] = [shapes.comment_json(c) for c in page]
        if shapes.included("users"):
            answer["users"] = shapes.users(sandbox, [c.author_id for c in page])
    return jsonify(answer)


@_route("/tickets/<int:ticket_id>/audits", ["GET"])
def list_audits(ticket_id: int) -> Any:
    """Oldest first, one audit per comment (the sandbox keeps no field history).

    Cursor pagination as for comments (``page[size]`` required here);
    ``include=tickets`` sideloads the ticket as it is now, ``include=users``
    the audits' authors and ``include=organizations`` the ticket's and the
    requester's organisation.
    """
    sandbox = current()
    paging = _cursor_args(MAX_PAGE_SIZE)
    if not isinstance(paging, _Paging):
        return paging
    size, start = paging
    assert size is not None  # the default is a size
    with sandbox.store.lock:
        ticket = sandbox.store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return shapes.not_found()
        comments = [c for c in ticket.comments if start is None or c.id > start]
        page = comments[:size]
        has_more = len(comments) > len(page)
        after_cursor = shapes.cursor(page[-1].id) if page else None
        query = {"page[size]": str(size), "page[after]": after_cursor}
        if "include" in request.args:
            query["include"] = request.args["include"]
        answer: dict[str, Any] = {
            "audits": [shapes.audit_json(ticket, c) for c in page],
            "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": None},
            "links": {"next": f"{request.base_url}?{urlencode(query)}" if has_more else None,
                      "prev": None},
        }
        if shapes.included("tickets"):
            answer["tickets"] = [shapes.ticket_json(ticket)]
        if shapes.included("users"):
            answer["users"] = shapes.users(sandbox, [c.author_id for c in page])
        if shapes.included("organizations"):
            requester = sandbox.store.users.get((PLATFORM, ticket.requester_id))
            answer["organizations"] = shapes.organizations(sandbox, [
                ticket.organization_id, requester.organization_id if requester else None])
    return jsonify(answer)


@_route("/users/me", ["GET"])
def get_me() -> Any:
    """``GET /users/me``: the API user, which is the AI."""
    sandbox = current()
    with sandbox.store.lock:
        user = sandbox.store.users[(PLATFORM, sandbox.zendesk.ai_user_id)]
        return jsonify({"user": shapes.user_json(user)})


@_route("/users/<int:user_id>", ["GET"])
def get_user(user_id: int) -> Any:
    """``GET /users/{id}``; 404 when there is no such user."""
    sandbox = current()
    with sandbox.store.lock:
        user = sandbox.store.users.get((PLATFORM, user_id))
        return jsonify({"user": shapes.user_json(user)}) if user is not None else shapes.not_found()


# What ``sort_by`` of an offset-paged list may name in the sandbox (Zendesk knows more).
_SORTS: dict[str, Callable[[Ticket], Any]] = {
    "id": lambda t: t.id, "created_at": lambda t: (t.created_at, t.id),
    "updated_at": lambda t: (t.updated_at, t.id),
}


@_route("/users/<int:user_id>/tickets/requested", ["GET"])
def list_requested(user_id: int) -> Any:
    """``GET /users/{id}/tickets/requested``: the user's tickets with offset pagination
    (``page``, ``per_page`` <= 100), sorted by ``sort_by`` (``id`` by default;
    ``created_at`` or ``updated_at``, 400 for another) and ``sort_order`` (``asc`` by
    default, or ``desc``); ``{"tickets", "next_page", "previous_page", "count"}``; 404
    for no such user."""
    sandbox = current()
    args = request.args
    sort_by, order = args.get("sort_by", "id"), args.get("sort_order", "asc")
    try:
        page, size = int(args.get("page", "1")), int(args.get("per_page", str(MAX_PAGE_SIZE)))
    except ValueError:
        return shapes.error(400, "InvalidPaginationParameter", "page and per_page are numbers")
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        return shapes.error(400, "InvalidPaginationParameter",
                            f"per_page must be between 1 and {MAX_PAGE_SIZE}")
    if sort_by not in _SORTS or order not in ("asc", "desc"):
        return shapes.error(400, "InvalidParameter",
                            "the sandbox sorts by id, created_at or updated_at, asc or desc")
    with sandbox.store.lock:
        if (PLATFORM, user_id) not in sandbox.store.users:
            return shapes.not_found()
        tickets = sorted((t for (owner, _), t in sandbox.store.tickets.items()
                          if owner == PLATFORM and t.requester_id == user_id),
                         key=_SORTS[sort_by], reverse=order == "desc")
        chunk = tickets[(page - 1) * size:page * size]
        answer = {"tickets": [shapes.ticket_json(t) for t in chunk], "count": len(tickets),
                  "next_page": _offset_page(page + 1) if page * size < len(tickets) else None,
                  "previous_page": _offset_page(page - 1) if page > 1 else None}
    return jsonify(answer)


def _offset_page(page: int) -> str:
    """This request's URL for another offset page."""
    return f"{request.base_url}?{urlencode({**request.args.to_dict(), 'page': str(page)})}"


def _int_like(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    )


def _validate(raw: dict[str, Any], store: Store) -> Errors:
    errors: Errors = {}

    def bad(key: str, description: str) -> None:
        errors.setdefault(key, []).append({"description": description})

    if "status" in raw and raw["status"] not in STATUSES:
        bad("status", f"Status: {raw['status']!r} is not valid")
    if raw.get("priority") is not None and raw["priority"] not in PRIORITIES:
        bad("priority", f"Priority: {raw['priority']!r} is not valid")
    for key in ("group_id", "assignee_id"):
        if raw.get(key) is not None and not _int_like(raw[key]):
            bad(key, f"{key} must be a number")
    group = raw.get("group_id")
    if group is not None and _int_like(group) and store.unknown_group(PLATFORM, int(group)):
        bad("group_id", f"Group: {group} is not valid")
    if "tags" in raw and not (
        isinstance(raw["tags"], list) and all(isinstance(t, str) for t in raw["tags"])
    ):
        bad("tags", "Tags must be a list of strings")
    comment = raw.get("comment")
    if comment is not None:
        if not isinstance(comment, dict):
            bad("comment", "Comment must be an object")
            return errors
        text = comment.get("html_body", comment.get("body"))
        if not isinstance(text, str) or not text.strip():
            bad("comment", "Comment: body can't be blank")
        if "public" in comment and not isinstance(comment["public"], bool):
            bad("comment", "Comment: public must be true or false")
        author = comment.get("author_id")
        if author is not None and (
            not _int_like(author) or (PLATFORM, int(author)) not in store.users
        ):
            bad("comment", "Comment: author_id is not a known user")
    return errors


def _refusal(ticket: Ticket, raw: dict[str, Any]) -> tuple[Response, int] | None:
    """The answer for a closed ticket or a stale ``updated_stamp``, else None."""
    if ticket.status == "closed":
        return shapes.error(422, "RecordInvalid", "Record validation errors", details={
            "status": [{"description": "Status closed prevents ticket update"}]})
    if raw.get("safe_update") not in (True, "true"):
        return None
    try:
        stamp = datetime.fromisoformat(str(raw.get("updated_stamp")))
    except ValueError:
        return shapes.error(422, "RecordInvalid", "Record validation errors", details={
            "updated_stamp": [{"description": "updated_stamp is required with safe_update"}]})
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp
    if stamp != ticket.updated_at:
        return shapes.error(409, "UpdateConflict", "Safe Update prevented the update due to "
                            "outdated ticket data. Please fetch the latest ticket data and "
                            "try again.")
    return None


def _body(key: str) -> dict[str, Any] | None:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return None
    return payload if key == "" else (payload[key] if isinstance(payload.get(key), dict)
                                      else None)


@_route("/tickets/<int:ticket_id>", ["PUT"])
def update_ticket(ticket_id: int) -> Any:
    """``PUT /tickets/{id}``: comment, status, priority, group, assignee, tags, at once.

    400 for a body that is not ``{"ticket": {...}}``, 404, 409 for a stale
    ``updated_stamp``, 422 for a closed ticket or invalid fields.
    """
    sandbox = current()
    store, api_user = sandbox.store, sandbox.zendesk.ai_user_id
    raw = _body("ticket")
    if raw is None:
        return shapes.error(400, "InvalidParameter", "Body must be JSON: {\"ticket\": {...}}")
    with store.lock:
        ticket = store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return shapes.not_found()
        refusal = _refusal(ticket, raw)
        if refusal is not None:
            return refusal
        errors = _validate(raw, store)
        if errors:
            return shapes.error(422, "RecordInvalid", "Record validation errors",
                                details=errors)
        events: list[dict[str, Any]] = []
        for key in ("status", "priority"):
            if key in raw:
                setattr(ticket, key, raw[key])
        for key in ("group_id", "assignee_id"):
            if key in raw:
                setattr(ticket, key, None if raw[key] is None else int(raw[key]))
        if "tags" in raw:
            ticket.tags = list(dict.fromkeys(raw["tags"]))
        if raw.get("comment") is not None:
            events.append(_comment(store, ticket, raw["comment"], api_user,
                                   status_given="status" in raw))
        store.touch(ticket)
        audit = {"id": store.next_id("comment"), "ticket_id": ticket.id,
                 "author_id": api_user, "created_at": shapes.stamp(ticket.updated_at),
                 "events": events}
        return jsonify({"ticket": shapes.ticket_json(ticket), "audit": audit})


def _comment(
    store: Store, ticket: Ticket, raw: dict[str, Any], api_user: int, *, status_given: bool
) -> dict[str, Any]:
    # Zendesk makes a comment without `public` as public as the ticket's first one.
    default_public = ticket.comments[0].public if ticket.comments else True
    author = int(raw.get("author_id") or api_user)
    html_body, text = raw.get("html_body"), raw.get("body")
    comment = store.add_comment(
        ticket, author, text=None if html_body is not None else text, html_body=html_body,
        public=bool(raw.get("public", default_public)), channel="api", touch=False,
    )
    # As in Zendesk, staff commenting on a new ticket opens it.
    staff = store.role_of(PLATFORM, author) != "customer"
    if ticket.status == "new" and not status_given and staff:
        ticket.status = "open"
    return {"id": comment.id, "type": "Comment", "author_id": author,
            "public": comment.public, "body": comment.body, "html_body": comment.html_body}


@_route("/tickets/<int:ticket_id>/tags", ["PUT"])
def add_tags(ticket_id: int) -> Any:
    """``PUT /tickets/{id}/tags``: add tags; same refusals as a ticket update."""
    store = current().store
    raw = _body("")
    if raw is None:
        return shapes.error(400, "InvalidParameter", "Body must be JSON: {\"tags\": [...]}")
    with store.lock:
        ticket = store.ticket(PLATFORM, ticket_id)
        if ticket is None:
            return shapes.not_found()
        refusal = _refusal(ticket, raw)
        if refusal is not None:
            return refusal
        errors = _validate({"tags": raw.get("tags")}, store)
        if errors:
            return shapes.error(422, "RecordInvalid", "Record validation errors",
                                details=errors)
        ticket.tags = list(dict.fromkeys([*ticket.tags, *raw["tags"]]))
        store.touch(ticket)
        return jsonify({"tags": list(ticket.tags)})


for _rule, _methods, _view in zendesk_admin.ROUTES:
    _route(_rule, _methods)(_view)
