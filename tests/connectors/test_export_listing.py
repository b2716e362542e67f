"""Listing edge cases of the export reads, with the HTTP faked at the transport."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest

from connectors.freshdesk.connector import FreshdeskConnector
from connectors.zendesk.export import export_page, history_from
from core.errors import PermanentError
from core.settings import FreshdeskSettings

BASE = "https://acme.freshdesk.com/api/v2"
START = datetime(2026, 1, 1, tzinfo=UTC)


def freshdesk(stamps: list[datetime]) -> tuple[FreshdeskConnector, list[str]]:
    """A connector over a fake Freshdesk listing ticket i (updated at stamps[i]) one a page."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        args = request.url.params
        page = int(args["page"])
        if page > 300:
            return httpx.Response(400, json={"description": "Validation failed"})
        since = datetime.fromisoformat(args["updated_since"].replace("Z", "+00:00"))
        matching = [i for i, stamp in enumerate(stamps) if stamp >= since]
        index = matching[page - 1]
        seen.append(f"{args['updated_since']}#{page}")
        headers = {}
        if page < len(matching):
            query = urlencode({**dict(args), "page": str(page + 1)})
            headers["Link"] = f'<{BASE}/tickets?{query}>; rel="next"'
        body = [{"id": index + 1, "updated_at": stamps[index].strftime("%Y-%m-%dT%H:%M:%SZ")}]
        return httpx.Response(200, json=body, headers=headers)

    settings = FreshdeskSettings(domain="acme", api_token="k", webhook_secret="s")
    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler))
    return FreshdeskConnector(settings=settings, client=client, sleep=lambda _: None), seen


def test_freshdesk_lists_past_page_300_from_the_last_update_seen() -> None:
    stamps = [START + timedelta(seconds=i) for i in range(650)]
    connector, seen = freshdesk(stamps)

    pages = list(connector.export.list_tickets(START, page_size=1))

    ids = [i for page in pages for i in page.ids]
    assert set(ids) == {str(i + 1) for i in range(650)}
    assert len(ids) == 652  # the ticket each restart begins with comes twice; the export skips it
    assert seen[300] == "2026-01-01T00:04:59Z#1"  # ticket 300's update, page 1 again
    assert pages[299].next_cursor == "1|2026-01-01T00:04:59Z"
    assert pages[-1].next_cursor is None


def test_freshdesk_resumes_from_its_cursor() -> None:
    stamps = [START + timedelta(seconds=i) for i in range(10)]
    connector, seen = freshdesk(stamps)

    pages = list(connector.export.list_tickets(START, cursor="4|2026-01-01T00:00:00Z", page_size=1))

    assert [p.ids for p in pages] == [(str(i),) for i in range(4, 11)]
    assert seen[0] == "2026-01-01T00:00:00Z#4"


def test_freshdesk_stops_when_300_pages_share_one_update_time() -> None:
    connector, _ = freshdesk([START] * 400)
    with pytest.raises(PermanentError, match="cannot move on"):
        list(connector.export.list_tickets(START, page_size=1))


@pytest.mark.parametrize("cursor", ["page-four", "4", "x|2026-01-01"])
def test_freshdesk_refuses_a_cursor_it_did_not_make(cursor: str) -> None:
    connector, seen = freshdesk([START])
    with pytest.raises(PermanentError, match="not an export cursor"):
        list(connector.export.list_tickets(START, cursor=cursor))
    assert seen == []


@pytest.mark.parametrize("answer", [{}, {"tickets": None}, [],
                                    {"tickets": [], "end_of_stream": False}])
def test_zendesk_refuses_an_export_page_it_cannot_follow(answer: object) -> None:
    with pytest.raises(PermanentError):
        export_page(answer)


def test_zendesk_export_page_leaves_deleted_tickets_out() -> None:
    assert export_page({"tickets": [{"id": 1}, {"id": 2, "status": "deleted"}],
                        "after_cursor": "c", "end_of_stream": True}) == (("1",), "c", True)


def test_zendesk_history_reads_stations_and_only_answered_ratings() -> None:
    history = history_from({"reopens": 2, "assignee_stations": 3, "group_stations": 1},
                           {"satisfaction_rating": {"score": "offered"}})
    assert (history.reopened, history.reassigned, history.regrouped) == (2, 2, 0)
    assert history.satisfaction is None
    assert history_from({}, {}).reopened is None
