"""Freshdesk reads for ``handoff check-config --online``: groups, agents, custom fields.

Groups: https://developers.freshdesk.com/api/#groups
Agents: https://developers.freshdesk.com/api/#agents
Ticket and contact fields: https://developers.freshdesk.com/api/#ticket-fields and
https://developers.freshdesk.com/api/#contact-fields

``GET /groups/{id}`` and ``GET /agents/{id}`` answer 404 for an id that is not
one. Handoff keys custom fields by their ``name`` (``custom_fields`` of tickets
and contacts), so ``GET /ticket_fields`` and ``GET /contact_fields`` (plain
lists) are searched for it; whether a contact field's ``name`` carries the
``cf_`` prefix its values use is UNCONFIRMED, so both spellings match. Company
fields are not read by Handoff (`connectors.freshdesk.payloads`).
`FreshdeskConnector` holds a `FreshdeskDirectory` as its ``directory``.
"""

from __future__ import annotations

from collections.abc import Collection

from connectors import directory
from connectors.base import HttpConnector
from connectors.directory import Found
from core.errors import PermanentError
from core.id_refs import IdKind

_FIELDS = {IdKind.TICKET_FIELD: "/ticket_fields", IdKind.USER_FIELD: "/contact_fields"}


class FreshdeskDirectory:
    """The directory lookups of one Freshdesk account, sent through `http` (the account's
    connector)."""

    def __init__(self, *, http: HttpConnector) -> None:
        self._http = http

    def whoami(self) -> str:
        """``GET /agents/me``: the agent owning the API key."""
        me = self._http.request_json("GET", "/agents/me")
        if not isinstance(me, dict) or me.get("id") is None:
            raise PermanentError("freshdesk: /agents/me answered without an id")
        return str(me["id"])

    def lookup(self, kind: IdKind, ids: Collection[str]) -> dict[str, Found]:
        """Groups and agents one call each; fields from one listing of each kind."""
        if kind is IdKind.GROUP:
            return directory.by_id(ids, lambda i: self._http.request_json("GET", f"/groups/{i}"))
        if kind is IdKind.AGENT:
            return directory.by_id(ids, lambda i: self._http.request_json("GET", f"/agents/{i}"))
        if kind is IdKind.ORGANIZATION_FIELD:
            return directory.not_read(ids, "Handoff does not read Freshdesk company fields, "
                                           "so a rule on them never matches")
        listing = self._http.request_json("GET", _FIELDS[kind])
        if not isinstance(listing, list):
            raise PermanentError(f"freshdesk: {_FIELDS[kind]} did not answer a list")
        names = {str(f.get("name")) for f in listing if isinstance(f, dict)}
        return directory.in_list(ids, names | {n.removeprefix("cf_") for n in names})
