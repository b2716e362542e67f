"""The customer's language: helpdesk locale first, then the detector, then the default."""

from __future__ import annotations

import pytest

from core.engine import decide
from core.errors import ConfigError
from core.language import detect, from_locale, language_signal, recent_text, word_count
from core.language_settings import LanguageSettings
from core.models import Path, Requester, Role
from core.scorer import LexicalScorer
from core.settings import Settings, parse_settings
from tests.core.helpers import ticket


def test_trusts_the_requester_and_ticket_locale_over_the_text() -> None:
    german = ticket("Where is my order? I would like to track it please")
    by_requester = german.model_copy(update={"requester": Requester(id="r", locale="de-DE")})
    signal = language_signal(by_requester)
    assert signal.value == "de"
    assert "requester" in signal.evidence
    by_ticket = by_requester.model_copy(update={"locale": "pt-BR"})
    assert language_signal(by_ticket).value == "pt"


def test_an_unconfigured_or_odd_locale_is_ignored() -> None:
    english = ticket("Where is my order? I would like to track it please")
    odd = english.model_copy(update={"locale": "zz-9", "requester": Requester(id="r", locale="ko")})
    assert language_signal(odd).value == "en"
    assert from_locale("  ", ("en",)) is None
    assert from_locale("fr_CA", ("en", "fr")) == "fr"


def test_locale_can_be_distrusted() -> None:
    text = ticket("Ich möchte wissen wo meine Bestellung ist, bitte")
    with_locale = text.model_copy(update={"requester": Requester(id="r", locale="en-US")})
    assert language_signal(with_locale).value == "en"
    assert language_signal(with_locale, LanguageSettings(trust_locale=False)).value == "de"


@pytest.mark.parametrize("text", ["ok", "no thanks", "danke schön", "sí", "merci beaucoup"])
def test_short_messages_are_never_guessed(text: str) -> None:
    signal = language_signal(ticket(text))
    assert signal.value == "en"
    assert "too short" in signal.evidence
    assert language_signal(ticket(text), LanguageSettings(default="fr")).value == "fr"


def test_reads_the_newest_customer_messages_not_the_whole_thread() -> None:
    thread = ticket(
        "Hallo, ich habe eine Frage zu meiner Bestellung von letzter Woche",
        "Sure, what is the order number?",
        "Sorry, I will write in English from now on, my order is 5521",
        "It still has not arrived and I am getting worried about it",
        authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER, Role.CUSTOMER),
    )
    assert language_signal(thread).value == "en"
    assert "Hallo" not in recent_text(thread, 2)
    assert recent_text(thread, 3).startswith("It still has not arrived")
    assert "Hallo" in recent_text(thread, 3)


def test_detector_is_restricted_to_the_configured_languages() -> None:
    only = LanguageSettings(languages=("en", "de"), default="en", fallback="en")
    assert detect("Vorrei sapere dove si trova il mio ordine", only)[0] in (None, "en", "de")
    assert detect("Vorrei sapere dove si trova il mio ordine", LanguageSettings())[0] == "it"


def test_word_count_counts_scripts_without_spaces() -> None:
    assert word_count("担当者と話したい") == 4
    assert word_count("はい") == 1
    assert word_count("no thanks, I'm fine") == 4


def test_every_decision_carries_the_language(scorer: LexicalScorer) -> None:
    italian = ticket("Buongiorno, vorrei parlare con un operatore per il mio ordine")
    decision = decide(italian, scorer, Settings())
    assert decision.language == "it"
    skipped = decide(ticket("Hello there, where is my parcel please", tags=("no_ai",)), scorer,
                     Settings.model_validate({"exclusions": {"tags": ["no_ai"]}}))
    assert skipped.path is Path.SKIP
    assert skipped.language == "en"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"languages": ["en", "xx"]}, "'xx' is not an ISO 639-1 code"),
        ({"languages": ["en", "de"], "default": "fr"}, "default = 'fr' must be one of"),
        ({"templates": {"de": {"hello": "Hallo"}}}, "unknown key(s) hello"),
        ({"languages": ["en"], "templates": {"de": {"on_it": "Bald."}}}, "'de' is not in"),
    ],
)
def test_bad_language_settings_fail_at_start_up(section: dict[str, object], message: str) -> None:
    from pathlib import Path as FsPath

    import yaml

    with pytest.raises(ConfigError, match=None) as info:
        parse_settings(yaml.safe_dump({"language": section}), "h.yaml", {}, FsPath("."))
    assert message in str(info.value)


def test_the_note_and_the_simulation_row_name_the_language(scorer: LexicalScorer) -> None:
    from core.models import InternalNote
    from core.simulation import decision_row

    dutch = ticket("Goedemiddag, ik wil een medewerker spreken over mijn bestelling")
    decision = decide(dutch, scorer, Settings())
    assert decision.path is Path.ESCALATE
    note = next(a.body for a in decision.actions if isinstance(a, InternalNote))
    assert "Customer language: nl (detected in the customer's newest messages" in note
    assert decision_row(decision)["language"] == "nl"
