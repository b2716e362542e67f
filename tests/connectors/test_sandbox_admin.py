"""The sandbox's Zendesk admin and knowledge routes, read by the real ZendeskConnector."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connectors.sandbox import BackgroundServer, create_app
from connectors.zendesk.connector import ZendeskConnector
from core.settings import ZendeskSettings

EMAIL = "handoff@sandbox.test"
TOKEN = "sandbox-token"
SECRET = "sandbox-signing-secret"


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret=SECRET)
    with BackgroundServer(app) as running:
        yield running


@pytest.fixture
def api(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/zendesk/api/v2",
                      auth=(f"{EMAIL}/token", TOKEN)) as client:
        yield client


def connector(server: BackgroundServer) -> ZendeskConnector:
    settings = ZendeskSettings(base_url=f"{server.url}/zendesk/api/v2", email=EMAIL,
                               api_token=TOKEN)
    return ZendeskConnector(settings=settings, client=ZendeskConnector.make_client(settings))


def test_list_knowledge_reads_two_cursor_pages_of_articles_and_active_macros(
    server: BackgroundServer, api: httpx.Client
) -> None:
    for number in range(101):
        answer = api.post("/help_center/sections/12/articles.json", json={"article": {
            "title": f"Article {number}", "body": f"<p>Answer {number}</p>",
            "draft": number == 100}})
        assert answer.status_code == 201
    macros = [
        {"title": "Orders::Where is my order", "actions": [
            {"field": "comment_value", "value": "Hi {{ticket.requester.first_name}}, ..."}]},
        {"title": "Escalate", "actions": [{"field": "priority", "value": "urgent"}]},
        {"title": "Retired", "active": False,
         "actions": [{"field": "comment_value", "value": "Old text"}]},
    ]
    for macro in macros:
        assert api.post("/macros.json", json={"macro": macro}).status_code == 201
    httpx.delete(f"{server.url}/sandbox/stats")

    docs = connector(server).list_knowledge()

    articles = [d for d in docs if d.id.startswith("zd-article-")]
    assert len(articles) == 100
    assert articles[0].body == "Answer 0"
    [macro] = [d for d in docs if d.id.startswith("zd-macro-")]
    assert (macro.title, macro.category) == ("Where is my order", "ORDERS")
    assert macro.body == "Hi {{ticket.requester.first_name}}, ..."
    routes = httpx.get(f"{server.url}/sandbox/stats").json()["zendesk"]["routes"]
    assert routes == {"GET /help_center/articles": 2, "GET /macros/active": 1}


def test_webhooks_filter_by_name_and_unknown_ids_have_no_secret(api: httpx.Client) -> None:
    body = {"name": "Other", "endpoint": "https://x.test/hook", "http_method": "POST",
            "request_format": "json", "subscriptions": ["conditional_ticket_events"]}
    assert api.post("/webhooks", json={"webhook": body}).status_code == 201
    assert api.get("/webhooks", params={"filter[name_contains]": "handoff"}).json()[
        "webhooks"] == []
    assert api.get("/webhooks/NOPE/signing_secret").status_code == 404
    bad = api.post("/webhooks", json={"webhook": {**body, "endpoint": "ftp://x"}})
    assert bad.status_code == 422


def test_a_trigger_must_name_an_existing_webhook(api: httpx.Client) -> None:
    trigger = {"title": "T", "conditions": {"all": [{"field": "update_type", "operator": "is",
                                                     "value": "Create"}]},
               "actions": [{"field": "notification_webhook", "value": ["MISSING", "{}"]}]}
    assert api.post("/triggers", json={"trigger": trigger}).status_code == 422
