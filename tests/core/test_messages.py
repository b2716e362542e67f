"""Customer-facing text per language: shipped templates, overrides, one-language fallback."""
# ruff: noqa: RUF001 (Turkish dotless i and Cyrillic letters are the point)

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core import aftercare as care
from core.actions import route_for
from core.engine import decide
from core.language_settings import KEYS, LanguageSettings
from core.messages import completeness, customer_message, keep_warm, line, missing
from core.models import PublicReply, Reason, Requester
from core.offer import offer_standing, reply_to_offer
from core.scorer import LexicalScorer
from core.settings import RoutingSettings, Settings
from tests.core.helpers import START, ticket

HUMAN = [Reason(code="human_request", rule="r")]
BILLING = [Reason(code="high_risk:billing", rule="r")]
SHIPPED = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "da", "ja", "tr")


@pytest.mark.parametrize("code", SHIPPED)
def test_every_shipped_language_is_complete(code: str) -> None:
    assert missing(LanguageSettings())[code] == ()


@pytest.mark.parametrize(("code", "words"), [
    ("de", "Kartennummern"), ("es", "tarjeta"), ("fr", "carte"), ("pt", "cartão"),
    ("it", "carta"), ("nl", "kaartnummers"), ("en", "card numbers"), ("pl", "numeru karty"),
    ("sv", "kortnummer"), ("da", "kortnumre"), ("ja", "カード番号"), ("tr", "kart numaranızın"),
])
def test_the_escalation_message_is_in_the_customers_language(code: str, words: str) -> None:
    assert words in customer_message(BILLING, code)


def test_a_language_without_templates_falls_back_whole_never_mixed() -> None:
    languages = ("en", "de", "ru")
    settings = LanguageSettings(languages=languages, fallback="de",
                                templates={"ru": {"human_request": "Соединяю."}})
    # Russian has a body for the reason but no "on_it": the whole message is German.
    message = customer_message(HUMAN, "ru", settings=settings)
    assert message.startswith("Selbstverständlich")
    assert "Соединяю" not in message
    full = {k: f"{k} ru" for k in ("default", "on_it")}
    spoken = LanguageSettings(languages=languages,
                              templates={"ru": {**full, "human_request": "Соединяю."}})
    assert customer_message(HUMAN, "ru", settings=spoken) == "Соединяю. on_it ru"


def test_check_config_lines_name_complete_and_falling_back_languages() -> None:
    settings = LanguageSettings(languages=("en", "de", "ru", "ko"),
                                templates={"ru": {"offer": "Соединить вас с сотрудником?"}})
    lines = completeness(settings)
    assert lines[:2] == ["# language en: complete", "# language de: complete"]
    assert lines[2].startswith(f"# language ru: {len(KEYS) - 1} of {len(KEYS)} templates "
                               "missing, falling back to en: human_request")
    assert lines[3] == "# language ko: no templates, every message falls back to en"


def test_an_override_replaces_only_its_key() -> None:
    settings = LanguageSettings(templates={"de": {"human_request": "Gern, einen Moment."}})
    assert customer_message(HUMAN, "de", settings=settings).startswith("Gern, einen Moment. Sie")
    assert "Kartennummern" in customer_message(BILLING, "de", settings=settings)


@pytest.mark.parametrize(("templates", "message"), [
    ({"de": {"off_hours": "Zu ({stunden})"}}, "unknown placeholder(s) stunden"),
    ({"de": {"on_it": "Bald {"}}, "literal brace"),
])
def test_bad_templates_fail_at_start_up(templates: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        LanguageSettings(templates=templates)


def test_keep_warm_update_in_the_customers_language() -> None:
    teams = {"high_risk:billing": "billing team"}
    german = care.keep_warm_message("high_risk:billing", teams, START + timedelta(hours=3), START,
                                    "de")
    assert german.startswith("Kurzes Update: Ihr Anliegen liegt bei unserem Team")
    assert "05.01.2026 13:00 UTC" in german
    english = care.keep_warm_message("high_risk:billing", teams, None, START)
    assert "our billing team" in english
    assert "reply here" in english
    assert keep_warm("loop", {}, None, "ko").startswith("A quick update")
    assert keep_warm("loop", {}, None, "tr").startswith("Kısa bir bilgilendirme")


@pytest.mark.parametrize(("code", "yes", "no"), [
    ("it", "sì, grazie", "no grazie"), ("nl", "ja graag", "nee, bedankt"),
    ("pl", "tak, poproszę", "nie, dziękuję"), ("sv", "ja tack", "nej tack"),
    ("da", "ja tak", "nej tak"), ("ja", "はい、お願いします", "いいえ、大丈夫です"),
    ("tr", "evet lütfen", "hayır teşekkürler"),
    ("de", "ja bitte", "nein danke"),
])
def test_the_offer_and_its_answers_in_each_language(code: str, yes: str, no: str) -> None:
    offer = line("offer", code)
    thread = ticket("Wo ist mein Paket?", f"Es ist unterwegs.\n\n{offer}", yes,
                    authors=(ticket("x").messages[0].author, care.Role.AI))
    assert offer_standing(thread)
    assert reply_to_offer(yes) == "accept"
    assert reply_to_offer(no) == "decline"


def test_by_language_routing_and_how_it_combines_with_reason_routes() -> None:
    routing = RoutingSettings.model_validate({
        "default": {"group": "general"},
        "by_language": {"de": {"group": "team-de"}},
        "by_reason": {"high_risk:security": {"priority": "urgent"},
                      "high_risk:legal": {"group": "legal"}},
    })
    assert route_for(HUMAN, routing, "de").group == "team-de"
    assert route_for(HUMAN, routing, "fr").group == "general"
    security = route_for([Reason(code="high_risk:security", rule="r")], routing, "de")
    assert (security.group, security.priority) == ("team-de", "urgent")
    assert route_for([Reason(code="high_risk:legal", rule="r")], routing, "de").group == "legal"


def test_an_escalation_speaks_the_locale_of_the_requester(scorer: LexicalScorer) -> None:
    settings = Settings.model_validate({"routing": {"by_language": {"it": {"group": "it"}}}})
    text = ticket("I need to speak to a person about my order please")
    italian = text.model_copy(update={"requester": Requester(id="r", locale="it-IT")})
    decision = decide(italian, scorer, settings)
    reply = next(a.body for a in decision.actions if isinstance(a, PublicReply))
    assert reply.startswith("Certo, la metto subito in contatto")
    assert any(getattr(a, "group", None) == "it" for a in decision.actions)


def test_language_as_a_rule_condition_routes_and_explains(scorer: LexicalScorer) -> None:
    settings = Settings.model_validate({"rules": {"list": [
        {"name": "german team", "when": {"language": ["de"]},
         "then": {"route": {"group": "team-de"}, "tags": ["lang_de"]}},
    ]}})
    german = ticket("Ich möchte mit einem Mitarbeiter sprechen, bitte schnell")
    decision = decide(german, scorer, settings)
    assert decision.language == "de"
    assert any(getattr(a, "group", None) == "team-de" for a in decision.actions)
    assert any(r.detail == "language in de: language de" for r in decision.reasons)
    french = decide(ticket("Je voudrais parler à un conseiller, s'il vous plaît"), scorer,
                    settings)
    assert not any(getattr(a, "group", None) == "team-de" for a in french.actions)
