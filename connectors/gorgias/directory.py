"""Gorgias reads for ``handoff check-config --online``: teams and agents.

Users and teams: ``GET /api/users/{id}``, ``GET /api/teams/{id}`` (the reference,
section 3.3: agents are ``/api/users``, teams ``/api/teams``); 404 for an id that
is not one. A routing group is a Gorgias team. Handoff reads no Gorgias ticket
fields, and a customer's ``data`` is free-form, so field names cannot be
checked here. `GorgiasConnector` holds a `GorgiasDirectory` as its ``directory``.
"""

from __future__ import annotations

from collections.abc import Collection

from connectors import directory
from connectors.base import HttpConnector
from connectors.directory import Found
from core.errors import PermanentError
from core.id_refs import IdKind

_NOT_READ = {
    IdKind.TICKET_FIELD: "Handoff does not read Gorgias ticket fields, so a rule on them "
                         "never matches",
    IdKind.USER_FIELD: "a Gorgias customer's data is free-form: there is no list of keys",
    IdKind.ORGANIZATION_FIELD: "Gorgias has no organisations",
}


class GorgiasDirectory:
    """The directory lookups of one Gorgias account, sent through `http` (the account's
    connector)."""

    def __init__(self, *, http: HttpConnector) -> None:
        self._http = http

    def whoami(self) -> str:
        """``GET /api/users/0``: the current user (UNCONFIRMED as "me"; any id proves access)."""
        me = self._http.request_json("GET", "/users/0")
        if not isinstance(me, dict) or me.get("id") is None:
            raise PermanentError("gorgias: /api/users/0 answered without an id")
        return str(me["id"])

    def lookup(self, kind: IdKind, ids: Collection[str]) -> dict[str, Found]:
        """Teams and agents one call each; fields cannot be checked (see the module)."""
        if kind is IdKind.GROUP:
            return directory.by_id(ids, lambda i: self._http.request_json("GET", f"/teams/{i}"))
        if kind is IdKind.AGENT:
            return directory.by_id(ids, lambda i: self._http.request_json("GET", f"/users/{i}"))
        return directory.not_read(ids, _NOT_READ[kind])
