"""Replies hold the passages that answer the question, every step, and the article's
greeting and sign-off; the article is whole when nothing tells what to cut."""

from __future__ import annotations

from core.engine import decide
from core.models import PublicReply
from core.passages import excerpt, key_steps
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
    reply = excerpt(ARTICLE, "how long until my refund reaches my card?")
    assert reply.startswith("Hi {{requester.first_name}},\n\n")
    assert "## Refund timing" in reply
    assert "Gift wrapping" not in reply
    assert reply.endswith("\n\nNorthwind Goods Support")


def test_steps_are_never_cut() -> None:
    reply = excerpt(ARTICLE, "do you do gift wrapping?")
    assert all(step in reply for step in key_steps(ARTICLE))
    assert key_steps(ARTICLE) == ["Open **Orders**.", "Click *Return*."]
    assert "Refund timing" not in reply


def test_a_list_keeps_the_line_introducing_it() -> None:
    body = ("Sure! Here is how.\nTo cancel, follow these steps:\n1. Sign in.\n2. Cancel.\n"
            "Our team is available around the clock by phone.")
    reply = excerpt(body, "how do I cancel")
    assert reply == ("Sure! Here is how.\nTo cancel, follow these steps:\n1. Sign in.\n"
                     "2. Cancel.")


def test_nothing_to_go_on_keeps_the_article_whole() -> None:
    assert excerpt(ARTICLE, "zzz qqq") == ARTICLE
    assert excerpt("One paragraph only.", "paragraph") == "One paragraph only."
    assert excerpt("", "anything") == ""


def test_the_engine_answers_with_the_excerpt(scorer: LexicalScorer) -> None:
    decision = decide(ticket("I forgot my password and can't log in to my account"),
                      scorer, Settings())
    reply = next(a.body for a in decision.actions if isinstance(a, PublicReply))
    assert decision.reply is not None
    assert reply.startswith(decision.reply)
    assert decision.reply.startswith("Hi Maria,")
