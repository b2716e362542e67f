"""What policy rules read (requester tenure, custom fields, organisation fields; ticket brand,
form and type) goes into the sandbox as canonical JSON and comes back through each real
connector over real HTTP, in each platform's own shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.base import Connector
from connectors.zendesk.connector import ZendeskConnector
from core.models import Ticket
from core.settings import ZendeskSettings
from tests.connectors.support import Stack, sample

REQUESTER: dict[str, Any] = {
    "id": "c-attr", "email": "lee@example.com", "name": "Lee Attr",
    "created_at": "2023-01-05T10:00:00Z",
    "fields": {"tier": "gold", "lifetime_value": 1200.5, "newsletter": True,
               "regions": ["emea", "apac"], "notes": None},
    "organization": "Acme Corp",
    "organization_fields": {"plan": "enterprise", "seats": 250},
}
FIELDS = {"tier": "gold", "lifetime_value": "1200.5", "newsletter": "true",
          "regions": "emea,apac"}
# brand, form, type and the organisation's fields, as each platform can carry them.
EXPECTED: dict[str, tuple[str | None, str | None, str | None, dict[str, str]]] = {
    "zendesk": ("360001", "360002", "question", {"plan": "enterprise", "seats": "250"}),
    # Products are Freshdesk's brands; company fields would cost GET /companies/{id}.
    "freshdesk": ("360001", "360002", "question", {}),
    # Gorgias has no brand, form, type or organisation.
    "gorgias": (None, None, None, {}),
}


def connector(stack: Stack, platform: str) -> Connector:
    if platform != "zendesk":
        return stack.connector(platform)
    settings = ZendeskSettings(base_url=f"{stack.url}/zendesk/api/v2", email="z@sandbox.test",
                               api_token="z", signing_secret="z")
    return ZendeskConnector(settings=settings,
                            client=ZendeskConnector.make_client(settings), sleep=stack.waits)


def read(stack: Stack, platform: str, **changes: Any) -> Ticket:
    return connector(stack, platform).get_ticket(stack.create(platform, **changes))


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_rule_attributes_make_the_round_trip(stack: Stack, platform: str) -> None:
    ticket = read(stack, platform, requester=REQUESTER, brand="360001", form="360002",
                  type="question")

    brand, form, kind, organization_fields = EXPECTED[platform]
    assert ticket.requester.created_at == datetime(2023, 1, 5, 10, tzinfo=UTC)
    assert ticket.requester.fields == FIELDS
    assert ticket.requester.organization_fields == organization_fields
    assert (ticket.brand, ticket.form, ticket.type) == (brand, form, kind)


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_a_ticket_without_them_reads_empty(stack: Stack, platform: str) -> None:
    ticket = read(stack, platform)

    assert (ticket.brand, ticket.form, ticket.type) == (None, None, None)
    assert ticket.requester.fields == {}
    assert ticket.requester.organization_fields == {}
    # Every helpdesk account has a creation time, so the sandbox always renders one.
    assert ticket.requester.created_at is not None


def test_requesters_of_one_organisation_share_it(stack: Stack) -> None:
    first = read(stack, "zendesk", requester=REQUESTER)
    second = read(stack, "zendesk", requester={
        "id": "c-attr-2", "email": "kim@example.com", "organization": "Acme Corp",
        "organization_fields": {"plan": "ignored: the organisation exists"}})

    assert first.requester.organization is not None
    assert second.requester.organization == first.requester.organization
    assert second.requester.organization_fields == {"plan": "enterprise", "seats": "250"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"brand": ["a"]}, "brand"),
    ({"type": True}, "type"),
    ({"requester": {**REQUESTER, "fields": ["tier"]}}, "requester.fields"),
    ({"requester": {**REQUESTER, "organization_fields": "plan"}},
     "requester.organization_fields"),
    ({"requester": {**REQUESTER, "organization": ["Acme"]}}, "requester.organization"),
    ({"requester": {**REQUESTER, "created_at": "last year"}}, "requester.created_at"),
])
def test_bad_attributes_are_refused_naming_the_field(
    stack: Stack, changes: dict[str, Any], field: str,
) -> None:
    answer = stack.http.post("/sandbox/tickets", json=sample(platform="gorgias", **changes))
    assert answer.status_code == 400
    assert field in answer.text
    assert stack.http.get("/sandbox/tickets").json() == []
