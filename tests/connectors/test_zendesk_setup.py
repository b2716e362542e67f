"""Zendesk knowledge import and install, at the transport, and their pure shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connectors.zendesk import setup
from connectors.zendesk.connector import ZendeskConnector
from core.errors import PermanentError
from core.settings import ZendeskSettings
from tests.connectors.support import FakeZendesk

BASE = "https://acme.zendesk.com/api/v2"
Handler = Callable[[httpx.Request], httpx.Response]


def connector(handler: Handler, ai_user_id: str | None = "900") -> ZendeskConnector:
    settings = ZendeskSettings(subdomain="acme", email="ai@acme.test", api_token="tok",
                               ai_user_id=ai_user_id)
    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler),
                          auth=httpx.BasicAuth("ai@acme.test/token", "tok"))
    return ZendeskConnector(settings=settings, client=client, sleep=lambda _: None)


def article(number: int, **changes: Any) -> dict[str, Any]:
    return {"id": number, "title": f"Article {number}", "draft": False, "label_names": [],
            "body": f"<p>Answer {number}</p>", **changes}


def test_list_knowledge_reads_every_page_of_articles_and_macros() -> None:
    sent: list[httpx.Request] = []
    pages: dict[str, dict[str, Any]] = {
        "/api/v2/help_center/articles.json": {
            "articles": [article(1, body="<h2>Where?</h2><p>Hi {{ticket.requester.first_name}},"
                                         "&nbsp;track it <a href='x'>here</a>.</p>"
                                         "<ul><li>Step one</li><li>Step two</li></ul>",
                                 label_names=["orders", "shipping"])],
            "meta": {"has_more": True, "after_cursor": "c1"},
            "links": {"next": f"{BASE}/help_center/articles.json?page%5Bsize%5D=100&"
                              "page%5Bafter%5D=c1"},
        },
        "/api/v2/help_center/articles.json?after": {
            "articles": [article(2), article(3, draft=True), article(4, body="<p> </p>")],
            "meta": {"has_more": False}, "links": {"next": None},
        },
        "/api/v2/macros/active.json": {
            "macros": [
                {"id": 7, "title": "Billing::Refund", "actions": [
                    {"field": "comment_value_html", "value": "<p>We refunded you.</p>"},
                    {"field": "status", "value": "solved"}]},
                {"id": 8, "title": "Only sets priority",
                 "actions": [{"field": "priority", "value": "high"}]},
            ],
            "next_page": f"{BASE}/macros/active.json?page=2&per_page=100",
        },
        "/api/v2/macros/active.json?page=2": {
            "macros": [{"id": 9, "title": "Greeting", "actions": [
                {"field": "comment_value",
                 "value": ["channel:all", "Hello {{ticket.requester.name}}"]}]}],
            "next_page": None,
        },
    }

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        key = request.url.path
        if "page%5Bafter%5D" in str(request.url) or "page[after]" in str(request.url):
            key += "?after"
        elif request.url.params.get("page") == "2":
            key += "?page=2"
        return httpx.Response(200, json=pages[key])

    docs = connector(handler).list_knowledge()

    assert [d.id for d in docs] == ["zd-article-1", "zd-article-2", "zd-macro-7", "zd-macro-9"]
    first = docs[0]
    assert first.body == ("Where?\n\nHi {{ticket.requester.first_name}}, track it here.\n\n"
                          "- Step one\n- Step two")
    assert first.category == "ORDERS"
    assert (docs[2].title, docs[2].category, docs[2].body) == ("Refund", "BILLING",
                                                               "We refunded you.")
    assert docs[3].body == "Hello {{ticket.requester.name}}"
    assert sent[0].url.params["page[size]"] == "100"
    assert len(sent) == 4
    assert all(r.method == "GET" for r in sent)


def test_list_knowledge_refuses_a_next_link_to_another_host() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"articles": [], "meta": {"has_more": True},
                                         "links": {"next": "https://evil.test/steal"}})

    with pytest.raises(PermanentError, match="refusing"):
        connector(handler).list_knowledge()


@pytest.mark.parametrize("shape", [
    lambda s: {"signing_secret": {"algorithm": "sha256", "secret": s}},
    lambda s: {"signing_secret": s},
    lambda s: {"secret": s},
])
def test_install_creates_the_webhook_and_trigger_once(shape: Callable[[str], Any]) -> None:
    fake = FakeZendesk(shape)
    report = connector(fake).install("https://handoff.example.com/")

    assert fake.posts() == ["/api/v2/webhooks", "/api/v2/triggers.json", "/api/v2/triggers.json"]
    assert fake.webhooks[0]["endpoint"] == "https://handoff.example.com/webhooks/zendesk"
    assert fake.webhooks[0]["subscriptions"] == ["conditional_ticket_events"]
    assert (fake.webhooks[0]["http_method"], fake.webhooks[0]["request_format"]) == ("POST",
                                                                                     "json")
    trigger = fake.triggers[0]
    assert trigger["title"] == "Handoff: new ticket or customer comment"
    assert {"field": "current_user", "operator": "is_not", "value": "900"} in (
        trigger["conditions"]["all"])
    assert {"field": "update_type", "operator": "is", "value": "Create"} in (
        trigger["conditions"]["any"])
    webhook_id, body = trigger["actions"][0]["value"]
    assert trigger["actions"][0]["field"] == "notification_webhook"
    assert webhook_id == "01HWEBHOOK"
    assert json.loads(body) == {"ticket_id": "{{ticket.id}}",
                                "comment_id": "{{ticket.latest_comment.id}}"}
    # The second trigger: an agent added the next-level tag (escalation ladders).
    tagged = fake.triggers[1]
    assert tagged["title"] == "Handoff: next escalation level"
    assert tagged["conditions"]["all"] == [
        {"field": "current_user", "operator": "is_not", "value": "900"},
        {"field": "current_tags", "operator": "includes", "value": "handoff_next_level"}]
    assert tagged["actions"] == trigger["actions"]
    assert report.secrets == {"HANDOFF_ZENDESK_SIGNING_SECRET": "s3cret"}
    assert "s3cret" not in repr(report)
    assert len(report.created) == 3
    assert report.existing == ()

    fake.sent.clear()
    again = connector(fake).install("https://handoff.example.com")
    assert fake.posts() == []
    assert again.created == ()
    assert len(again.existing) == 3
    assert again.secrets == report.secrets


def test_install_looks_up_the_ai_user_when_not_configured() -> None:
    fake = FakeZendesk(lambda s: {"secret": s})

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/me.json"):
            return httpx.Response(200, json={"user": {"id": 4242}})
        return fake(request)

    connector(handler, ai_user_id=None).install("https://h.example.com")
    assert {"field": "current_user", "operator": "is_not", "value": "4242"} in (
        fake.triggers[0]["conditions"]["all"])


def test_install_without_admin_rights_raises_permanent_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": "Forbidden"})

    with pytest.raises(PermanentError) as caught:
        connector(handler).install("https://h.example.com")
    assert caught.value.status == 403


def test_an_unreadable_signing_secret_response_hides_its_body() -> None:
    with pytest.raises(PermanentError) as caught:
        setup.signing_secret({"signing_secret": {"value": "hidden-123"}})
    assert "hidden-123" not in str(caught.value)


def test_an_existing_trigger_on_another_webhook_is_reported() -> None:
    fake = FakeZendesk(lambda s: {"secret": s})
    fake.triggers.append({"id": 1, "title": setup.TRIGGER_TITLE,
                          "actions": [{"field": "notification_webhook", "value": ["OLD", "{}"]}]})
    report = connector(fake).install("https://h.example.com")
    assert "does not notify webhook 01HWEBHOOK" in report.instructions
    assert fake.posts() == ["/api/v2/webhooks", "/api/v2/triggers.json"]  # the other trigger
