"""Freshdesk specifics beyond the contract suite: roles, statuses, SLA, tags, knowledge, install."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from connectors.freshdesk.connector import EMBEDDED_CONVERSATIONS, FreshdeskConnector
from core.errors import PermanentError, SignatureError
from core.models import AddTags, Assign, Priority, Role, Status
from core.settings import FreshdeskSettings
from tests.connectors import fixtures_freshdesk as fx
from tests.connectors.platforms import basic

CONVERSATIONS = f"{fx.BASE}/tickets/{fx.TICKET_ID}/conversations"


def connector(**changes: Any) -> FreshdeskConnector:
    values: dict[str, Any] = {"domain": fx.DOMAIN, "ai_user_id": str(fx.AI_USER_ID),
                              "api_token": fx.API_TOKEN, "webhook_secret": fx.WEBHOOK_SECRET,
                              **changes}
    settings = FreshdeskSettings(**values)
    return FreshdeskConnector(settings=settings, client=FreshdeskConnector.make_client(settings),
                              sleep=lambda s: None)


def serve(api: respx.MockRouter, thread: list[dict[str, Any]], **changes: Any) -> None:
    api.get(f"{fx.BASE}/tickets/{fx.TICKET_ID}").respond(json=fx.ticket_response(**changes))
    api.get(CONVERSATIONS).respond(json=thread)
    api.get(f"{fx.BASE}/contacts/{fx.REQUESTER_ID}").respond(json=fx.CONTACT)


def test_verify_accepts_the_secret_as_basic_auth_password() -> None:
    connector().verify({"Authorization": basic("freshdesk", fx.WEBHOOK_SECRET)}, b"{}")
    with pytest.raises(SignatureError):
        connector().verify({"Authorization": basic("freshdesk", "guess")}, b"{}")
    with pytest.raises(SignatureError, match="no webhook secret"):
        connector(webhook_secret=None).verify({fx.SECRET_HEADER: ""}, b"{}")


def test_parse_event_logs_which_form_it_saw(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="connectors.freshdesk.connector"):
        connector().parse_event({}, fx.WRAPPED_BODY)
        connector().parse_event({}, fx.FLAT_BODY)
    assert "wrapped form" in caplog.text
    assert "flat form" in caplog.text


def test_get_ticket_maps_fields_roles_and_the_description(api: respx.MockRouter) -> None:
    serve(api, fx.THREAD)
    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert api.calls[0].request.url.params["include"] == "requester,conversations"
    # The response embeds no conversations (as an older API might): the list is read.
    assert api.calls[1].request.url.params["per_page"] == "100"
    assert (ticket.status, ticket.priority, ticket.channel) == (
        Status.OPEN, Priority.HIGH, "email")
    assert (ticket.group, ticket.assignee, ticket.requester.name) == (
        "360010", "601", "Dana Customer")
    assert ticket.custom_fields == {"cf_order_number": "1042"}
    assert (ticket.requester.tags, ticket.requester.vip, ticket.requester.organization) == (
        ("vip", "emea"), True, "7001")
    assert ticket.url == f"https://acme.freshdesk.com/a/tickets/{fx.TICKET_ID}"
    assert [(m.author, m.public) for m in ticket.messages] == [
        (Role.CUSTOMER, True),  # the description
        (Role.CUSTOMER, True), (Role.AGENT, False), (Role.AI, True), (Role.SYSTEM, True),
        (Role.CUSTOMER, True), (Role.AGENT, True),
    ]
    # A staff reply exists, so only the resolution deadline still runs.
    assert ticket.sla_due_at == datetime(2024, 5, 3, 9, tzinfo=UTC)


def test_a_thread_shorter_than_the_embed_is_read_with_the_ticket(
    api: respx.MockRouter,
) -> None:
    serve(api, [], conversations=fx.THREAD)
    listed = api.get(CONVERSATIONS)
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    assert not listed.called
    assert [str(c.request.url.path) for c in api.calls] == [
        f"/api/v2/tickets/{fx.TICKET_ID}", f"/api/v2/contacts/{fx.REQUESTER_ID}"]
    assert len(ticket.messages) == 1 + len(fx.THREAD)


def test_a_full_embed_reads_the_whole_thread_from_the_list(api: respx.MockRouter) -> None:
    thread = [{**fx.THREAD[0], "id": 9000 + n, "body_text": f"message {n}"} for n in range(12)]
    serve(api, thread, conversations=thread[:EMBEDDED_CONVERSATIONS])
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    assert [m.text for m in ticket.messages[1:]] == [f"message {n}" for n in range(12)]


def test_the_first_response_deadline_counts_until_staff_answer(api: respx.MockRouter) -> None:
    serve(api, fx.THREAD[:2])
    assert connector().get_ticket(str(fx.TICKET_ID)).sla_due_at == datetime(
        2024, 5, 2, 13, tzinfo=UTC)


@pytest.mark.parametrize(("code", "status"), [
    (2, Status.OPEN), (3, Status.PENDING), (4, Status.SOLVED), (5, Status.CLOSED),
    (6, Status.PENDING),
])
def test_statuses_including_custom_ones(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture, code: int, status: Status,
) -> None:
    serve(api, [], status=code)
    with caplog.at_level(logging.INFO, logger="connectors.freshdesk.connector"):
        assert connector().get_ticket(str(fx.TICKET_ID)).status is status
    assert ("custom status 6" in caplog.text) is (code == 6)


def test_a_deleted_contact_leaves_the_embedded_requester(api: respx.MockRouter) -> None:
    api.get(f"{fx.BASE}/tickets/{fx.TICKET_ID}").respond(json=fx.ticket_response())
    api.get(CONVERSATIONS).respond(json=[])
    api.get(f"{fx.BASE}/contacts/{fx.REQUESTER_ID}").respond(404, json={})
    requester = connector().get_ticket(str(fx.TICKET_ID)).requester
    assert (requester.email, requester.vip) == ("dana@example.com", False)


def test_agents_me_is_asked_once_without_an_ai_user(api: respx.MockRouter) -> None:
    serve(api, fx.THREAD)
    me = api.get(f"{fx.BASE}/agents/me").respond(json=fx.AGENT_ME)
    freshdesk = connector(ai_user_id=None)
    freshdesk.get_ticket(str(fx.TICKET_ID))
    ticket = freshdesk.get_ticket(str(fx.TICKET_ID))
    assert me.call_count == 1
    assert ticket.messages[3].author is Role.AI


def test_a_pagination_link_to_another_host_is_refused(api: respx.MockRouter) -> None:
    api.get(f"{fx.BASE}/tickets/{fx.TICKET_ID}").respond(json=fx.ticket_response())
    api.get(CONVERSATIONS).respond(
        json=fx.THREAD[:1], headers={"Link": '<https://evil.example/x?page=2>; rel="next"'})
    with pytest.raises(PermanentError, match="refusing"):
        connector().get_ticket(str(fx.TICKET_ID))


def test_tag_merge_keeps_existing_tags_in_one_put(api: respx.MockRouter) -> None:
    serve(api, [])
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    put = api.put(f"{fx.BASE}/tickets/{fx.TICKET_ID}").respond(json=fx.TICKET)
    connector().apply(ticket, (AddTags(tags=("order", "handoff_draft")),
                               AddTags(tags=("vip_review",))))
    assert put.call_count == 1
    assert json.loads(put.calls.last.request.content) == {
        "tags": ["shipping", "order", "handoff_draft", "vip_review"]}


def test_tags_already_present_and_nothing_else_send_nothing(api: respx.MockRouter) -> None:
    serve(api, [])
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    api.reset()
    connector().apply(ticket, (AddTags(tags=("order",)),))
    assert not api.calls


def test_a_non_numeric_group_is_permanent(api: respx.MockRouter) -> None:
    serve(api, [])
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    with pytest.raises(PermanentError, match="group"):
        connector().apply(ticket, (Assign(group="billing"),))


def test_list_knowledge_reads_published_articles_and_canned_responses(
    api: respx.MockRouter,
) -> None:
    api.get(f"{fx.BASE}/solutions/categories").respond(json=fx.CATEGORIES)
    api.get(f"{fx.BASE}/solutions/categories/11/folders").respond(json=fx.FOLDERS)
    api.get(f"{fx.BASE}/solutions/folders/21/articles").respond(json=fx.ARTICLES)
    api.get(f"{fx.BASE}/canned_response_folders").respond(json=fx.CANNED_FOLDERS)
    api.get(f"{fx.BASE}/canned_response_folders/41/responses").respond(json=fx.CANNED)

    docs = connector().list_knowledge()

    assert [(d.id, d.title, d.category) for d in docs] == [
        ("freshdesk-article-31", "Track your order", "Orders"),
        ("freshdesk-canned-51", "Refund sent", "Refunds"),
    ]
    assert docs[0].body == "Hi {{requester.name}}, use the link in your email."
    # An article links to its page on the support portal; a canned response has none.
    assert (docs[0].url, docs[1].url) == (
        f"{fx.BASE.removesuffix('/api/v2')}/support/solutions/articles/31", None)
    # Known variables get the engine's names; unknown ones stay and count as gaps.
    assert docs[1].body == "Dear {{requester.first_name}}, see {{ticket.url}}."


def test_install_prints_the_rules_and_checks_the_receiver(api: respx.MockRouter) -> None:
    api.get(f"{fx.BASE}/automations/1/rules").respond(json=[{"name": "Handoff: new ticket"}])
    api.get(f"{fx.BASE}/automations/4/rules").respond(403, json={"code": "access_denied"})
    probe = api.post("https://handoff.example/webhooks/freshdesk").respond(401, json={})

    report = connector().install("https://handoff.example/")

    assert report.existing == ("automation rule 'Handoff: new ticket'",)
    assert report.created == ()
    text = report.instructions
    assert "'Handoff: customer reply'" in text
    assert "URL: https://handoff.example/webhooks/freshdesk" in text
    assert "X-Handoff-Secret: <the value of HANDOFF_FRESHDESK_WEBHOOK_SECRET>" in text
    assert '"ticket_id": "{{ticket.id}}"' in text
    assert fx.WEBHOOK_SECRET not in text
    assert "refused (401)" in text
    assert report.delivered is False
    sent = probe.calls.last.request
    assert sent.headers[fx.SECRET_HEADER] == fx.WEBHOOK_SECRET
    assert "Authorization" not in sent.headers


def test_install_reports_an_unreachable_receiver(api: respx.MockRouter) -> None:
    api.get(url__regex=r".*/automations/\d/rules").respond(json=[])
    api.post("https://handoff.example/webhooks/freshdesk").mock(
        side_effect=httpx.ConnectError("refused"))
    report = connector().install("https://handoff.example")
    assert "failed: ConnectError" in report.instructions
    assert report.delivered is False


def test_install_without_a_secret_makes_one_and_skips_the_check(api: respx.MockRouter) -> None:
    api.get(url__regex=r".*/automations/\d/rules").respond(json=[])
    report = connector(webhook_secret=None).install("https://handoff.example")
    assert len(report.secrets["HANDOFF_FRESHDESK_WEBHOOK_SECRET"]) >= 32
    assert "test delivery" not in report.instructions
    assert all(call.request.url.host == "acme.freshdesk.com" for call in api.calls)


def test_event_ids_name_the_body_not_the_message() -> None:
    # The customer's next reply sends the same body: the receiver may merge the two
    # only while the first one's job has not started (infra.queue).
    freshdesk = connector()
    first, later = (freshdesk.parse_event({}, fx.REPLY_BODY) for _ in range(2))
    assert later.event_id == first.event_id
    assert (first.unique_id, later.unique_id) == (False, False)
    other = freshdesk.parse_event({}, {"freshdesk_webhook": {"ticket_id": "1235"}})
    assert other.event_id != first.event_id
