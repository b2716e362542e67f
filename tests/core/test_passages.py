"""Replies hold the passages that answer the question, every step, and the article's
greeting and sign-off; the article is whole when nothing tells what to cut."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.engine import decide
from core.errors import ConfigError
from core.knowledge import parse_article
from core.language_settings import LanguageSettings
from core.messages import framed
from core.models import PublicReply
from core.passages import answering, key_steps
from core.scorer import LexicalScorer
from core.settings import Settings
from tests.core.helpers import ticket

ARTICLE = """Hi {{requester.first_name}},

## Returns

Send it back within 30 days:

1. Open **Orders**.
2. Click *Return*.

## Refund timing

Refunds reach your card within 5 business days after we receive the parcel.

## Gift wrapping

We wrap gifts in recycled paper for a small fee.

Northwind Goods Support"""


def test_the_passage_asked_about_is_kept_with_the_greeting_and_sign_off() -> None:
    reply = answering(ARTICLE, "how long until my refund reaches my card?")
    assert reply.startswith("Hi {{requester.first_name}},\n\n")
    assert "## Refund timing" in reply
    assert "Gift wrapping" not in reply
    assert reply.endswith("\n\nNorthwind Goods Support")


def test_steps_are_never_cut() -> None:
    reply = answering(ARTICLE, "do you do gift wrapping?")
    assert all(step in reply for step in key_steps(ARTICLE))
    assert key_steps(ARTICLE) == ["Open **Orders**.", "Click *Return*."]
    assert "Refund timing" not in reply


def test_a_list_keeps_the_line_introducing_it() -> None:
    body = ("Sure! Here is how.\nTo cancel, follow these steps:\n1. Sign in.\n2. Cancel.\n"
            "Our team is available around the clock by phone.")
    reply = answering(body, "how do I cancel")
    assert reply == ("Sure! Here is how.\nTo cancel, follow these steps:\n1. Sign in.\n"
                     "2. Cancel.")


def test_nothing_to_go_on_keeps_the_article_whole() -> None:
    assert answering(ARTICLE, "zzz qqq") == ARTICLE
    assert answering("One paragraph only.", "paragraph") == "One paragraph only."
    assert answering("", "anything") == ""


def test_the_engine_answers_with_the_excerpt(scorer: LexicalScorer) -> None:
    decision = decide(ticket("I forgot my password and can't log in to my account"),
                      scorer, Settings())
    reply = next(a.body for a in decision.actions if isinstance(a, PublicReply))
    assert decision.reply is not None
    assert reply.startswith(decision.reply)
    assert decision.reply.startswith("Hi Maria,")


def test_an_answer_without_its_own_greeting_is_framed_in_the_customers_language() -> None:
    assert framed("Use the link.", "Maria Lopez", "en") == (
        "Hi Maria,\n\nUse the link.\n\nThe support team")
    assert framed("Use the link.", None, "en") == "Hello,\n\nUse the link.\n\nThe support team"
    assert framed("Nutzen Sie den Link.", "Jonas", "de") == (
        "Hallo Jonas,\n\nNutzen Sie den Link.\n\nIhr Kundenservice-Team")


def test_an_articles_own_greeting_and_sign_off_are_not_doubled() -> None:
    body = "Hi Maria,\n\nUse the link.\n\nNorthwind Goods Support"
    assert framed(body, "Maria", "en") == body


def test_the_frame_is_configurable_and_can_be_left_out() -> None:
    own = LanguageSettings(templates={"en": {"greeting": "Dear {name},", "sign_off": ""}})
    assert framed("Use the link.", "Maria", "en", own) == "Dear Maria,\n\nUse the link."
    with pytest.raises(ValidationError, match="greeting"):
        LanguageSettings(templates={"en": {"greeting": "Dear {first},"}})


def test_an_article_greeting_is_not_doubled_by_the_engine(scorer: LexicalScorer) -> None:
    decision = decide(ticket("I forgot my password and can't log in to my account"),
                      scorer, Settings())
    assert decision.reply is not None
    assert decision.reply.count("Hi Maria,") == 1
    assert not decision.reply.endswith("The support team")


def test_the_whole_article_is_linked_above_the_sign_off() -> None:
    link = "[Returns](https://help.example/returns)"
    assert framed("Hi Maria,\n\nSend it back.\n\nNorthwind Goods Support", "Maria", "en",
                  link=link) == ("Hi Maria,\n\nSend it back.\n\nThe full article: "
                                 f"{link}\n\nNorthwind Goods Support")
    assert framed("Envíelo.", "Ana", "es", link=link).endswith(
        f"El artículo completo: {link}\n\nEl equipo de atención al cliente")


def test_an_article_with_an_address_is_linked_from_the_reply() -> None:
    doc = parse_article("---\nid: returns\ntitle: Returns [EU]\ncategory: R\nexamples: "
                        "['how do I return an order']\nurl: https://help.example/returns\n"
                        "---\nSend it back within 30 days.", "returns.md")
    decision = decide(ticket("how do I return an order"), LexicalScorer((doc,)), Settings())
    assert decision.reply is not None
    assert "The full article: [Returns (EU)](https://help.example/returns)" in decision.reply


def test_an_article_address_must_be_http() -> None:
    with pytest.raises(ConfigError, match="url"):
        parse_article("---\nid: a\ntitle: A\ncategory: C\nexamples: [a]\n"
                      "url: javascript:alert(1)\n---\nBody", "a.md")
