"""Gorgias reads for ``handoff export``: the ticket listing and a ticket's history.

List tickets: https://developers.gorgias.com/reference/list-tickets (cursor pages,
``limit`` <= 100, ``order_by``). Ordering by ``updated_datetime:desc`` is
UNCONFIRMED in our reference (``created_datetime`` is documented); the listing
stops at the first ticket updated before `since`. Cursors are short-lived: an
export resumed after one expired fails with PermanentError, and rerunning
without the checkpoint's cursor starts over (the export skips ids it has).
Satisfaction survey (the ticket's ``satisfaction_survey``, one per ticket,
score 1 to 5): https://developers.gorgias.com/reference/the-satisfactionsurvey-object

Gorgias' ticket events do not document what changed, so reopens and
reassignments stay unknown. `GorgiasConnector` holds a `GorgiasExport` as its
``export``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connectors import pagination
from connectors import webhook_tools as tools
from connectors.base import HttpConnector, TicketPage
from core.errors import PermanentError
from core.history import Satisfaction, TicketHistory

_MAX_PAGES = 100_000


class GorgiasExport:
    """The export reads of one Gorgias account, sent through `http` (the account's
    connector: its client, retries and rate budget)."""

    def __init__(self, *, http: HttpConnector) -> None:
        self._http = http

    def list_tickets(
        self, since: datetime, cursor: str | None = None, page_size: int = 100
    ) -> Iterator[TicketPage]:
        """Ids of tickets updated since `since`, newest update first.

        Raises TransientError or PermanentError when a call fails (an expired
        cursor included) or a page has no ``data`` list.
        """
        params = {"limit": str(page_size), "order_by": "updated_datetime:desc"}
        first = {**params, "cursor": cursor} if cursor else params
        pages = pagination.next_cursor(
            lambda query: self._http.request_json("GET", "/tickets", params=query),
            first, what="gorgias: the ticket list", max_pages=_MAX_PAGES)
        for page in pages:
            ids, older = page_ids(page, since)
            meta = page.get("meta")
            following = meta.get("next_cursor") if isinstance(meta, dict) else None
            done = older or not following
            yield TicketPage(ids, None if done else str(following))
            if done:
                return

    def count_tickets(self, since: datetime) -> int | None:
        """None: the ticket list does not say how many tickets there are."""
        return None

    def ticket_history(self, ticket_id: str) -> TicketHistory:
        """The ticket's satisfaction survey, when the customer answered it.

        Raises TransientError or PermanentError when the call fails.
        """
        ticket = self._http.request_json("GET", f"/tickets/{tools.path_id('gorgias', ticket_id)}")
        return history_from(ticket)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def page_ids(page: dict[str, Any], since: datetime) -> tuple[tuple[str, ...], bool]:
    """(ids updated at or after `since`, whether the page reached an older ticket).

    Raises PermanentError when the page has no ``data`` list or a timestamp is
    unreadable.
    """
    data = page.get("data")
    if not isinstance(data, list):
        raise PermanentError("gorgias: the ticket list answered without a data list")
    ids: list[str] = []
    for ticket in data:
        if not isinstance(ticket, dict) or "id" not in ticket:
            continue
        try:
            updated = _time(ticket.get("updated_datetime"))
        except ValueError as exc:
            raise PermanentError(f"gorgias: ticket {ticket['id']}: unreadable "
                                 "updated_datetime") from exc
        if updated is not None and updated < since:
            return tuple(ids), True
        ids.append(str(ticket["id"]))
    return tuple(ids), False


def history_from(ticket: Any) -> TicketHistory:
    """A `TicketHistory` from a ticket object: its scored satisfaction survey, if any."""
    survey = ticket.get("satisfaction_survey") if isinstance(ticket, dict) else None
    value = survey.get("score") if isinstance(survey, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        return TicketHistory()
    assert isinstance(survey, dict)
    text = survey.get("body_text")
    score = "good" if value >= 4 else "neutral" if value == 3 else "bad"
    return TicketHistory(satisfaction=Satisfaction(
        score=score, raw=str(value), comment=text if isinstance(text, str) and text else None))
