"""Each connector reads the helpdesk's own locale of the ticket or the requester."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.fields import locale_text
from connectors.freshdesk import payloads as freshdesk
from connectors.gorgias import payloads as gorgias
from connectors.zendesk import payloads as zendesk
from tests.connectors import fixtures_freshdesk as fd
from tests.connectors import fixtures_gorgias as gg
from tests.connectors import fixtures_zendesk as zd

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _zendesk(user: dict[str, Any]) -> str | None:
    requester = str(zd.TICKET["requester_id"])
    users = {requester: {"id": zd.TICKET["requester_id"], **user}}
    return zendesk.ticket_from_api(zd.TICKET, users, [], str(zd.AI_USER_ID)).requester.locale


def test_zendesk_reads_the_requesters_locale_then_its_locale_id() -> None:
    assert _zendesk({"locale": "de", "locale_id": 1}) == "de"
    assert _zendesk({"locale_id": 8}) == "de"
    assert _zendesk({"locale_id": 99999}) is None
    assert _zendesk({}) is None


def test_freshdesk_reads_the_contacts_and_the_tickets_language() -> None:
    ticket = freshdesk.ticket_from_api({**fd.TICKET, "language": "fr"}, [], str(fd.AI_USER_ID),
                                       "https://x", {**fd.CONTACT, "language": "pt-BR"})
    assert (ticket.locale, ticket.requester.locale) == ("fr", "pt-BR")
    plain = freshdesk.ticket_from_api(fd.TICKET, [], str(fd.AI_USER_ID), "https://x",
                                      {**fd.CONTACT, "language": None})
    assert (plain.locale, plain.requester.locale) == (None, None)


def test_gorgias_reads_the_tickets_and_the_customers_language() -> None:
    raw = {**gg.TICKET, "language": "it", "customer": {**gg.CUSTOMER, "language": "nl"}}
    ticket = gorgias.ticket_from_api(raw, [], str(gg.AI_USER_ID), "https://x", NOW)
    assert (ticket.locale, ticket.requester.locale) == ("it", "nl")


@pytest.mark.parametrize(("values", "found"), [
    (("de-DE",), "de-DE"), ((None, "fr"), "fr"), ((" ", 7, {"a": 1}, "en_US"), "en_US"),
    (("12",), None), ((), None),
])
def test_locale_text_is_tolerant(values: tuple[Any, ...], found: str | None) -> None:
    assert locale_text(*values) == found


def test_knowledge_carries_each_platforms_article_locale() -> None:
    from connectors.zendesk.setup import article_doc

    article = {"id": 5, "title": "Suivre", "body": "<p>Ouvrez Compte.</p>", "locale": "fr-fr"}
    assert article_doc(article).locale == "fr-fr"  # type: ignore[union-attr]
    assert article_doc({**article, "locale": None}).locale is None  # type: ignore[union-attr]
    fd_article = {**fd.ARTICLES[0], "language": "de"}
    assert freshdesk.article_doc(fd_article, fd.CATEGORIES[0]).locale == "de"
    assert freshdesk.article_doc(fd.ARTICLES[0], fd.CATEGORIES[0]).locale is None
