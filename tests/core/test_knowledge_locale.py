"""Knowledge with a locale: answer only in the customer's language (or the allowed fallback)."""

from __future__ import annotations

import pytest

from core.engine import decide
from core.errors import ConfigError
from core.frustration import FrustrationModel
from core.knowledge import KnowledgeDoc, parse_article
from core.models import Path, Requester, Source, Ticket
from core.scorer import Answer
from core.settings import Settings
from tests.core.helpers import ticket

ARTICLE = """---
id: suivi
title: Suivre votre commande
category: ORDERS
examples: ["Où est ma commande ?"]
locale: fr-FR
---
Ouvrez Compte > Commandes.
"""


class OneArticle:
    """Answers every ticket confidently from one article."""

    frustration: FrustrationModel | None = None
    human_model = None

    def __init__(self, locale: str | None) -> None:
        self.doc = KnowledgeDoc(id="track", title="Track", category="ORDERS",
                                examples=("Where is my order?",), body="Open Orders.",
                                locale=locale)
        self.docs = (self.doc,)

    def answer(self, ticket: Ticket) -> Answer:
        return Answer(reply="Open Orders.", confidence=0.97, doc=self.doc,
                      sources=(Source(id="track", title="Track", score=0.9),))


def french(text: str = "Bonjour, où est ma commande ? Je l'attends depuis lundi") -> Ticket:
    return ticket(text)


def test_front_matter_locale_is_read_and_checked() -> None:
    assert parse_article(ARTICLE, "suivi.md").locale == "fr-FR"
    assert parse_article(ARTICLE.replace("locale: fr-FR\n", ""), "x.md").locale is None
    with pytest.raises(ConfigError, match="'locale' must be a language code"):
        parse_article(ARTICLE.replace("fr-FR", "français"), "x.md")


@pytest.mark.parametrize("locale", ["en", "de-DE", None])
def test_an_article_in_another_language_is_never_auto_resolved(locale: str | None) -> None:
    decision = decide(french(), OneArticle(locale), Settings())
    assert decision.language == "fr"
    assert decision.path is Path.DRAFT
    assert decision.reasons[0].code == "never_auto_resolve"
    assert decision.reasons[0].rule in ("language", "triggers.knowledge_languages")


def test_an_article_in_the_customers_language_answers() -> None:
    assert decide(french(), OneArticle("fr-FR"), Settings()).path is Path.AUTO_RESOLVE


def test_the_fallback_language_answers_only_when_allowed() -> None:
    allowed = Settings.model_validate({"language": {"knowledge_fallback": True}})
    assert decide(french(), OneArticle("en-US"), allowed).path is Path.AUTO_RESOLVE
    assert decide(french(), OneArticle(None), allowed).path is Path.AUTO_RESOLVE
    strict = decide(french(), OneArticle("en-US"), Settings())
    assert strict.path is Path.DRAFT
    assert "the article is in en and the customer writes fr" in strict.reasons[0].detail


def test_the_helpdesk_locale_decides_which_articles_fit() -> None:
    english_text = ticket("Where is my order? I have been waiting since Monday")
    german = english_text.model_copy(update={"requester": Requester(id="r", locale="de")})
    assert decide(german, OneArticle("en"), Settings()).path is Path.DRAFT
    assert decide(german, OneArticle("de"), Settings()).path is Path.AUTO_RESOLVE
