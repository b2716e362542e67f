"""Freshdesk reads for ``handoff export``: the ticket listing and a ticket's history.

List tickets: https://developers.freshdesk.com/api/#list_all_tickets
(``updated_since``, ``order_by=updated_at``, ``page``/``per_page`` <= 100; listing
beyond page 300 errors, so the listing starts again from the last ``updated_at``
seen, and the export drops the repeats by id).
Filter tickets (the progress bar's total): https://developers.freshdesk.com/api/#filter_tickets
Ticket stats (``include=stats``): https://developers.freshdesk.com/api/#view_a_ticket
Satisfaction ratings of a ticket: https://developers.freshdesk.com/api/#satisfaction-ratings

Freshdesk's public API has no change log of assignees or groups, so those stay
unknown. `FreshdeskConnector` holds a `FreshdeskExport` as its ``export``.
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

MAX_PAGE = 300
# Custom surveys answer -103..103; 100 is neutral (classic surveys: 103, 100, -103).
_NEUTRAL = 100


class FreshdeskExport:
    """The export reads of one Freshdesk account, sent through `http` (the account's
    connector: its client, retries and rate budget)."""

    def __init__(self, *, http: HttpConnector) -> None:
        self._http = http

    def list_tickets(
        self, since: datetime, cursor: str | None = None, page_size: int = 100
    ) -> Iterator[TicketPage]:
        """Ids of tickets updated since `since`, oldest update first.

        The cursor is ``<page>|<updated_since>``. Raises TransientError or
        PermanentError when a call fails, a page is not a list, or 300 pages
        share one ``updated_at`` (the listing could not move on).
        """
        page, start = parse_cursor(cursor) if cursor else (1, stamp(since))
        while True:
            response = self._http.request("GET", "/tickets", params={
                "updated_since": start, "order_by": "updated_at", "order_type": "asc",
                "per_page": str(page_size), "page": str(page)})
            items = self._http.json(response)
            if not isinstance(items, list):
                raise PermanentError("freshdesk: GET /tickets did not answer a list")
            tickets = [t for t in items if isinstance(t, dict) and "id" in t]
            ids = tuple(str(t["id"]) for t in tickets)
            if pagination.next_link(response.headers) is None:
                yield TicketPage(ids, None)
                return
            if page < MAX_PAGE:
                page += 1
            else:
                last = str(tickets[-1].get("updated_at")) if tickets else start
                if last == start:
                    raise PermanentError(f"freshdesk: {MAX_PAGE} pages of tickets updated at "
                                         f"{start}; the listing cannot move on")
                page, start = 1, last
            yield TicketPage(ids, f"{page}|{start}")

    def count_tickets(self, since: datetime) -> int | None:
        """The ``total`` of the filter query ``updated_at:>'DATE'`` (``GET /search/tickets``;
        whole days, so it can count a few more). Raises TransientError or PermanentError.
        """
        query = f"\"updated_at:>'{since.astimezone(UTC).strftime('%Y-%m-%d')}'\""
        answer = self._http.request_json("GET", "/search/tickets", params={"query": query})
        total = answer.get("total") if isinstance(answer, dict) else None
        return total if isinstance(total, int) and not isinstance(total, bool) else None

    def ticket_history(self, ticket_id: str) -> TicketHistory:
        """Reopened from ``stats.reopened_at``, and the newest satisfaction rating.

        Ratings that are off (404) count as none. Raises TransientError or
        PermanentError when a call fails.
        """
        path = f"/tickets/{tools.path_id('freshdesk', ticket_id)}"
        ticket = self._http.request_json("GET", path, params={"include": "stats"})
        try:
            ratings = self._http.request_json("GET", f"{path}/satisfaction_ratings")
        except PermanentError as exc:
            if exc.status != 404:
                raise
            ratings = []
        return history_from(ticket, ratings)


def stamp(moment: datetime) -> str:
    """Freshdesk's ``updated_since`` format, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_cursor(cursor: str) -> tuple[int, str]:
    """(page, updated_since) from a cursor of `FreshdeskExport.list_tickets`.

    Raises PermanentError for a cursor it did not make.
    """
    page, _, start = cursor.partition("|")
    if not page.isdigit() or not start:
        raise PermanentError(f"freshdesk: {cursor!r} is not an export cursor")
    return int(page), start


def _score(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return "good" if value > _NEUTRAL else "neutral" if value == _NEUTRAL else "bad"


def history_from(ticket: Any, ratings: Any) -> TicketHistory:
    """A `TicketHistory` from a ticket with ``stats`` and its satisfaction ratings.

    Without ``stats`` whether it was reopened is unknown. The newest rating's
    ``default_question`` answer is the score.
    """
    stats = ticket.get("stats") if isinstance(ticket, dict) else None
    reopened = (1 if stats.get("reopened_at") else 0) if isinstance(stats, dict) else None
    answers = [r for r in ratings if isinstance(r, dict)] if isinstance(ratings, list) else []
    answers.sort(key=lambda r: str(r.get("created_at") or ""))
    satisfaction = None
    for rating in reversed(answers):
        values = rating.get("ratings")
        value = values.get("default_question") if isinstance(values, dict) else None
        score = _score(value)
        if score is not None:
            feedback = rating.get("feedback")
            satisfaction = Satisfaction(score=score, raw=str(value), comment=feedback
                                        if isinstance(feedback, str) and feedback else None)
            break
    return TicketHistory(reopened=reopened, satisfaction=satisfaction)
