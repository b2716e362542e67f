"""Zendesk reads for ``handoff export``: the ticket listing and a ticket's history.

Incremental ticket export, cursor based:
https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
Ticket metrics: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/
Search count (the progress bar's total): https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/
Satisfaction rating (the ticket's ``satisfaction_rating``):
https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/

Incremental exports sideload ``metric_sets`` (``include=metric_sets``).
The incremental export allows 10 requests a minute, so it has an endpoint
budget of its own on top of the account's. `ZendeskConnector` holds a
`ZendeskExport` as its ``export``; the readers of the answers are pure functions
at the bottom.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.base import HttpConnector, TicketPage
from core.errors import PermanentError
from core.history import Satisfaction, TicketHistory
from core.settings import RateBudget

INCREMENTAL_BUDGET = RateBudget(calls=10, per_seconds=60)
# 1000 tickets a page at most: a million tickets, then we call the server runaway.
_MAX_EXPORT_PAGES = 10_000


class ZendeskExport:
    """The export reads of one Zendesk account, sent through `http` (the account's
    connector: its client, retries and rate budget).

    The listing sideloads ``metric_sets``, so the history of a ticket on the
    current page costs no call: its ticket object and metric set are kept until
    the next page replaces them.
    """

    def __init__(self, *, http: HttpConnector) -> None:
        self._http = http
        self._listed: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def list_tickets(
        self, since: datetime, cursor: str | None = None, page_size: int = 100
    ) -> Iterator[TicketPage]:
        """Ids of tickets changed since `since`, oldest change first, deleted ones left out.

        ``GET /incremental/tickets/cursor?start_time=`` (or ``cursor=`` to resume)
        until ``end_of_stream``. Raises TransientError or PermanentError when a
        call fails or an answer has no ``tickets`` list.
        """
        budget = (self._http.budget.endpoint("incremental-export", INCREMENTAL_BUDGET)
                  if self._http.budget is not None else None)
        base = {"per_page": str(page_size), "exclude_deleted": "true", "include": "metric_sets"}
        params = {**base, **({"cursor": cursor} if cursor is not None
                             else {"start_time": str(int(since.timestamp()))})}
        for _ in range(_MAX_EXPORT_PAGES):
            answer = self._http.request_json("GET", "/incremental/tickets/cursor.json",
                                              params=params, endpoint_budget=budget)
            ids, after, done = export_page(answer)
            self._listed = listed(answer)
            yield TicketPage(ids, None if done else after)
            if done:
                return
            params = {**base, "cursor": str(after)}
        raise PermanentError(f"zendesk: the export has more than {_MAX_EXPORT_PAGES} pages")

    def count_tickets(self, since: datetime) -> int | None:
        """The Search API's count of tickets updated since `since` (``GET /search/count``).

        Raises TransientError or PermanentError when the call fails.
        """
        query = f"type:ticket updated>={since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        answer = self._http.request_json("GET", "/search/count.json", params={"query": query})
        count = answer.get("count") if isinstance(answer, dict) else None
        return _count(count)

    def ticket_history(self, ticket_id: str) -> TicketHistory:
        """Reopens and assignee and group stations from the ticket's metrics, and the
        satisfaction rating from the ticket.

        Free for a ticket of the page just listed; otherwise ``GET /tickets/{id}/metrics``
        and ``GET /tickets/{id}``. A ticket without metrics (404) has unknown counts.
        Raises TransientError or PermanentError when a call fails.
        """
        if ticket_id in self._listed:
            ticket, metric = self._listed[ticket_id]
            return history_from(metric, ticket)
        if not ticket_id.isdigit():
            raise PermanentError(f"zendesk: {ticket_id!r} is not a ticket id")
        try:
            metrics = self._http.request_json("GET", f"/tickets/{ticket_id}/metrics.json")
        except PermanentError as exc:
            if exc.status != 404:
                raise
            metrics = {}
        ticket = self._http.request_json("GET", f"/tickets/{ticket_id}.json")
        return history_from(_object(metrics, "ticket_metric"), _object(ticket, "ticket"))


def _object(data: Any, key: str) -> dict[str, Any]:
    found = data.get(key) if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


def listed(answer: Any) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each ticket of an export page with its sideloaded metric set, by id.

    Tickets whose metric set is missing are left out (their history is fetched).
    """
    tickets = answer.get("tickets") if isinstance(answer, dict) else None
    sets = answer.get("metric_sets") if isinstance(answer, dict) else None
    metrics = {str(m.get("ticket_id")): m for m in sets or () if isinstance(m, dict)}
    return {str(t["id"]): (t, metrics[str(t["id"])]) for t in tickets or ()
            if isinstance(t, dict) and "id" in t and str(t["id"]) in metrics}


def export_page(answer: Any) -> tuple[tuple[str, ...], str | None, bool]:
    """(ticket ids, ``after_cursor``, ``end_of_stream``) of an incremental export page.

    Raises PermanentError when the page has no ``tickets`` list, or says there
    is more without a cursor to it.
    """
    tickets = answer.get("tickets") if isinstance(answer, dict) else None
    if not isinstance(tickets, list):
        raise PermanentError("zendesk: the incremental export answered without a tickets list")
    ids = tuple(str(t["id"]) for t in tickets if isinstance(t, dict) and "id" in t
                and t.get("status") != "deleted")
    done = bool(answer.get("end_of_stream"))
    after = answer.get("after_cursor")
    if not done and not (isinstance(after, str) and after):
        raise PermanentError("zendesk: the incremental export has more but no after_cursor")
    return ids, after if isinstance(after, str) else None, done


def _count(value: Any, less: int = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return max(0, value - less)


def history_from(metric: dict[str, Any], ticket: dict[str, Any]) -> TicketHistory:
    """A `TicketHistory` from a ``ticket_metric`` object and a ticket object.

    Stations count every assignee (group) the ticket had, so one less is the
    number of reassignments. A rating is read only when its score is ``good``
    or ``bad`` (``offered`` and ``unoffered`` are no answer).
    """
    rating = ticket.get("satisfaction_rating")
    rating = rating if isinstance(rating, dict) else {}
    score = rating.get("score")
    comment = rating.get("comment")
    return TicketHistory(
        reopened=_count(metric.get("reopens")),
        reassigned=_count(metric.get("assignee_stations"), 1),
        regrouped=_count(metric.get("group_stations"), 1),
        satisfaction=Satisfaction(score=score, raw=score,
                                  comment=comment if isinstance(comment, str) and comment
                                  else None) if score in ("good", "bad") else None,
    )
