"""Zendesk reads for ``handoff check-config --online``: groups, agents, custom fields.

Show Group: https://developer.zendesk.com/api-reference/ticketing/groups/groups/
Show User: https://developer.zendesk.com/api-reference/ticketing/users/users/
Ticket fields: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/
User and organization fields:
https://developer.zendesk.com/api-reference/ticketing/users/user_fields/ and
https://developer.zendesk.com/api-reference/ticketing/organizations/organization_fields/

A group is ``GET /groups/{id}`` (``{"group": {...}}``, 404 when there is none);
an agent ``GET /users/{id}`` whose ``role`` is ``agent`` or ``admin``. Handoff keys
ticket custom fields by their numeric ``id`` and user and organisation fields by
their ``key`` (`connectors.zendesk.payloads`), so those are what the listings are
searched for. `ZendeskConnector` holds a `ZendeskDirectory` as its ``directory``,
and reads whole listings (knowledge, webhooks, triggers) with `every`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from connectors import directory, pagination
from connectors.base import HttpConnector
from connectors.directory import Found
from connectors.zendesk import payloads
from core.errors import PermanentError
from core.id_refs import IdKind

# Lists we read whole (articles, macros, webhooks, triggers, fields): 50,000 items at most.
MAX_LIST_PAGES = 500
_AGENT_ROLES = frozenset({"agent", "admin"})
# Listing and the key an entry is named by in tickets, users and organisations.
_FIELDS = {IdKind.TICKET_FIELD: ("/ticket_fields.json", "ticket_fields", "id"),
           IdKind.USER_FIELD: ("/user_fields.json", "user_fields", "key"),
           IdKind.ORGANIZATION_FIELD: ("/organization_fields.json", "organization_fields", "key")}


class ZendeskDirectory:
    """The directory lookups of one Zendesk account, sent through `http` (the account's
    connector)."""

    def __init__(self, *, http: HttpConnector) -> None:
        self._http = http

    def whoami(self) -> str:
        """``GET /users/me``: Zendesk answers an anonymous user (no id) to a caller it
        did not authenticate, which is refused here as PermanentError (401)."""
        me = payloads.as_dict(self._http.request_json("GET", "/users/me.json").get("user"))
        if me.get("id") is None:
            raise PermanentError("zendesk: the credentials were not accepted "
                                 "(/users/me answered the anonymous user)", status=401)
        return str(me["id"])

    def lookup(self, kind: IdKind, ids: Collection[str]) -> dict[str, Found]:
        """Groups and agents one call each; fields from one listing of each kind."""
        if kind is IdKind.GROUP:
            return directory.by_id(ids, lambda i: self._http.request_json(
                "GET", f"/groups/{i}.json"))
        if kind is IdKind.AGENT:
            return directory.by_id(ids, lambda i: self._http.request_json(
                "GET", f"/users/{i}.json"), _not_agent)
        path, key, name = _FIELDS[kind]
        known = {str(field.get(name)) for field in every(self._http, path, key)}
        return directory.in_list(ids, known)


def every(
    http: HttpConnector, path: str, key: str, params: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every item of a list endpoint: cursor pages (``links.next``) or offset ``next_page``.

    Raises PermanentError past `MAX_LIST_PAGES` pages or for a next page on another
    host, and as `HttpConnector.request_json` does when a call fails.
    """
    found: list[dict[str, Any]] = []
    url = path
    query: dict[str, str] | None = {**(params or {}), "page[size]": "100"}
    for _ in range(MAX_LIST_PAGES):
        page = http.request_json("GET", url, params=query)
        found.extend(payloads.items(page, key))
        meta, links = payloads.as_dict(page.get("meta")), payloads.as_dict(page.get("links"))
        # Endpoints without cursor support ignore page[size] and answer with next_page.
        following = links.get("next") if meta.get("has_more") else page.get("next_page")
        if not (isinstance(following, str) and following):
            return found
        url, query = pagination.same_host(http.client.base_url, following, "zendesk"), None
    raise PermanentError(f"zendesk: {path} has more than {MAX_LIST_PAGES} pages")


def _not_agent(answer: Any) -> str:
    role = payloads.as_dict(payloads.as_dict(answer).get("user")).get("role")
    return "" if role in _AGENT_ROLES else f"a user with role {role!r}, not an agent"
