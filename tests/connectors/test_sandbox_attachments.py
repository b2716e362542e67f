"""Files on messages go into the sandbox as canonical JSON (``POST /sandbox/tickets`` and
``POST /sandbox/tickets/<platform>/<id>/comments``), come out in each platform's own shape
and are read back by each real connector over real HTTP onto the right message."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Attachment, Role
from tests.connectors.support import FD_TOKEN, GG_EMAIL, GG_TOKEN, ZD_EMAIL, ZD_TOKEN, Stack

PLATFORMS = ["zendesk", "freshdesk", "gorgias"]
SCREENSHOT = {"name": "login error.png", "content_type": "image/png", "size": 48213,
              "url": "https://files.example/login-error.png"}
INVOICE = {"name": "invoice.pdf", "size": 1200}  # no type, no url: the sandbox fills both in


def messages(*files: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer writes with `files`, an agent notes, the customer writes again with the
    invoice: on Freshdesk the first message is the ticket itself, the last a conversation."""
    return [
        {"author": "customer", "body": "I can't log in, see the screenshot.",
         "attachments": list(files)},
        {"author": "agent", "body": "Checking.", "public": False},
        {"author": "customer", "body": "And here is the invoice.", "attachments": [INVOICE]},
    ]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_connector_reads_each_file_on_its_message(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform, messages=messages(SCREENSHOT))

    ticket = stack.connector(platform).get_ticket(ticket_id)

    first, note, last = ticket.messages
    assert (first.author, note.author, last.author) == (Role.CUSTOMER, Role.AGENT, Role.CUSTOMER)
    assert first.attachments == (Attachment(**SCREENSHOT),)
    assert note.attachments == ()
    [invoice] = last.attachments
    assert (invoice.name, invoice.content_type, invoice.size) == (
        "invoice.pdf", "application/pdf", 1200)
    assert invoice.url is not None
    assert invoice.url.startswith(f"{stack.url}/sandbox/files/")
    assert invoice.url.endswith("/invoice.pdf")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_reply_posted_with_files_carries_them(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform, messages=messages())
    answer = stack.http.post(f"/sandbox/tickets/{platform}/{ticket_id}/comments", json={
        "body": "Two more screenshots.",
        "attachments": [SCREENSHOT, {"name": "second try.jpg"}]})
    assert answer.status_code == 201, answer.text

    ticket = stack.connector(platform).get_ticket(ticket_id)

    assert ticket.messages[0].attachments == ()
    newest = ticket.messages[-1]
    assert (newest.author, newest.text) == (Role.CUSTOMER, "Two more screenshots.")
    shot, second = newest.attachments
    assert shot == Attachment(**SCREENSHOT)
    assert (second.name, second.content_type, second.size) == ("second try.jpg", "image/jpeg",
                                                               None)
    assert second.url is not None
    assert second.url.endswith("/second%20try.jpg")


def raw_files(stack: Stack, platform: str, ticket_id: str) -> list[list[dict[str, Any]]]:
    """Each message's ``attachments`` list as the platform's API renders it."""
    if platform == "zendesk":
        answer = stack.http.get(f"/zendesk/api/v2/tickets/{ticket_id}/comments",
                                auth=(f"{ZD_EMAIL}/token", ZD_TOKEN)).json()
        return [c["attachments"] for c in answer["comments"]]
    if platform == "freshdesk":
        ticket = stack.http.get(f"/freshdesk/api/v2/tickets/{ticket_id}",
                                auth=(FD_TOKEN, "X")).json()
        conversations = stack.http.get(f"/freshdesk/api/v2/tickets/{ticket_id}/conversations",
                                       auth=(FD_TOKEN, "X")).json()
        return [ticket["attachments"], *(c["attachments"] for c in conversations)]
    answer = stack.http.get("/gorgias/api/messages", params={"ticket_id": ticket_id},
                            auth=(GG_EMAIL, GG_TOKEN)).json()
    return [m["attachments"] for m in answer["data"]]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_lists_files_in_its_own_shape(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform, messages=messages(SCREENSHOT))

    first, note, _ = raw_files(stack, platform, ticket_id)

    assert note == []
    [shot] = first
    if platform == "zendesk":
        assert isinstance(shot.pop("id"), int)
        assert shot == {"file_name": "login error.png", "content_type": "image/png",
                        "size": 48213, "content_url": SCREENSHOT["url"], "inline": False}
    elif platform == "freshdesk":
        assert isinstance(shot.pop("id"), int)
        assert shot.pop("created_at") == shot.pop("updated_at")
        assert shot == {"name": "login error.png", "content_type": "image/png",
                        "size": 48213, "attachment_url": SCREENSHOT["url"]}
    else:
        assert shot == {"name": "login error.png", "content_type": "image/png",
                        "size": 48213, "url": SCREENSHOT["url"]}


BAD_FILES = [
    ({"content_type": "image/png"}, "attachments[0].name: must be a non-empty string"),
    ({"name": "  "}, "attachments[0].name: must be a non-empty string"),
    ({"name": "a.png", "size": "12"}, "attachments[0].size: must be a non-negative integer"),
    ({"name": "a.png", "size": 1.5}, "attachments[0].size: must be a non-negative integer"),
    ({"name": "a.png", "size": True}, "attachments[0].size: must be a non-negative integer"),
    ({"name": "a.png", "size": -1}, "attachments[0].size: must be a non-negative integer"),
    ({"name": "a.png", "content_type": "png"}, "attachments[0].content_type: must be a media"),
    ({"name": "a.png", "url": "ftp://x/a.png"}, "attachments[0].url: must be an http(s) URL"),
    ("a.png", "attachments[0]: must be an object"),
]


@pytest.mark.parametrize(("entry", "error"), BAD_FILES)
def test_a_bad_file_on_a_new_ticket_is_refused_by_name(
    stack: Stack, entry: Any, error: str,
) -> None:
    before = len(stack.http.get("/sandbox/tickets").json())
    body = {"platform": "gorgias", "requester": {"email": "ann@example.com"},
            "messages": [{"body": "Hi"}, {"body": "See file", "attachments": [entry]}]}

    answer = stack.http.post("/sandbox/tickets", json=body)

    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"messages[1].{error}")
    assert len(stack.http.get("/sandbox/tickets").json()) == before


@pytest.mark.parametrize(("entry", "error"), BAD_FILES)
def test_a_bad_file_on_a_reply_is_refused_by_name(
    stack: Stack, entry: Any, error: str,
) -> None:
    ticket_id = stack.create("freshdesk", messages=messages())
    before = stack.neutral("freshdesk", ticket_id)["comments"]

    answer = stack.http.post(f"/sandbox/tickets/freshdesk/{ticket_id}/comments",
                             json={"body": "See file", "attachments": [entry]})

    assert answer.status_code == 400
    assert answer.json()["error"].startswith(error)
    assert stack.neutral("freshdesk", ticket_id)["comments"] == before


@pytest.mark.parametrize("value", [{"name": "a.png"}, "a.png"])
def test_attachments_must_be_a_list(stack: Stack, value: Any) -> None:
    answer = stack.http.post("/sandbox/tickets", json={
        "platform": "zendesk", "requester": {"email": "ann@example.com"},
        "messages": [{"body": "Hi", "attachments": value}]})

    assert answer.status_code == 400
    assert answer.json()["error"] == (
        "messages[0].attachments: must be a list of objects with at least a name")
