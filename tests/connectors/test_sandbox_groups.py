"""The sandbox refuses a group its account does not have, as each helpdesk does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.sandbox import BackgroundServer, create_app

EMAIL, TOKEN, SECRET = "ai@sandbox.test", "key", "secret"
AUTH = {"zendesk": (f"{EMAIL}/token", TOKEN), "freshdesk": (TOKEN, "X"),
        "gorgias": (EMAIL, TOKEN)}


def update(platform: str, ticket_id: str, group: int) -> tuple[str, dict[str, Any]]:
    """(path, body) of a ticket update that assigns `group`."""
    if platform == "zendesk":
        return f"/zendesk/api/v2/tickets/{ticket_id}.json", {"ticket": {"group_id": group}}
    if platform == "freshdesk":
        return f"/freshdesk/api/v2/tickets/{ticket_id}", {"group_id": group}
    return f"/gorgias/api/tickets/{ticket_id}", {"assignee_team": {"id": group}}


# Each helpdesk's own error: Zendesk 422 RecordInvalid with details per field, Freshdesk
# 400 "Validation failed" with a list of errors, Gorgias 400 {"error": {"msg", "data"}}.
REFUSED = {
    "zendesk": (422, lambda b: (b["error"], list(b["details"])) == ("RecordInvalid",
                                                                    ["group_id"])),
    "freshdesk": (400, lambda b: (b["description"], [e["field"] for e in b["errors"]]) == (
        "Validation failed", ["group_id"])),
    "gorgias": (400, lambda b: list(b["error"]["data"]) == ["assignee_team"]),
}


@pytest.fixture
def sandbox() -> Iterator[httpx.Client]:
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret=SECRET, freshdesk_api_token=TOKEN,
                     freshdesk_webhook_secret=SECRET, gorgias_email=EMAIL,
                     gorgias_api_token=TOKEN, gorgias_webhook_secret=SECRET)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def create(sandbox: httpx.Client, platform: str) -> str:
    answer = sandbox.post("/sandbox/tickets", json={
        "platform": platform, "subject": "Parcel", "requester": {"email": "dana@example.com"},
        "messages": [{"author": "customer", "body": "Where is my parcel?"}]})
    return str(answer.raise_for_status().json()["ticket_id"])


@pytest.mark.parametrize("platform", ["zendesk", "freshdesk", "gorgias"])
def test_a_group_the_account_does_not_have_is_refused_in_the_helpdesks_shape(
    sandbox: httpx.Client, platform: str
) -> None:
    ticket_id = create(sandbox, platform)
    path, body = update(platform, ticket_id, 999)
    assert sandbox.put(path, json=body, auth=AUTH[platform]).status_code == 200  # undeclared

    declared = sandbox.put(f"/sandbox/groups/{platform}", json={"ids": [360001, 360002]})
    assert declared.json() == {"platform": platform, "ids": [360001, 360002]}
    path, body = update(platform, ticket_id, 360099)
    refused = sandbox.put(path, json=body, auth=AUTH[platform])
    status, shaped = REFUSED[platform]
    assert refused.status_code == status
    assert shaped(refused.json()), refused.text
    path, body = update(platform, ticket_id, 360002)
    assert sandbox.put(path, json=body, auth=AUTH[platform]).status_code == 200
    ticket = sandbox.get(f"/sandbox/tickets/{platform}/{ticket_id}").json()
    assert ticket["group"] == "360002"


def test_groups_must_be_positive_ids(sandbox: httpx.Client) -> None:
    answer = sandbox.put("/sandbox/groups/zendesk", json={"ids": ["360001"]})
    assert (answer.status_code, answer.json()) == (
        400, {"error": "ids: must be a list of positive integers"})
