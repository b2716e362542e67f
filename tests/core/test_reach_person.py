"""Every AI answer ends with a line saying how to reach a person, and the word it names
is heard as a request for a person in each shipped language."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.actions import plan
from core.engine import decide
from core.fuzzy import repair
from core.language_settings import LanguageSettings
from core.messages import reach_person, table
from core.models import InternalNote, Path, PublicReply, Reason, Role
from core.scorer import LexicalScorer
from core.settings import RoutingSettings, Settings, TagSettings, TriggerSettings
from core.text import straighten
from core.triggers import human_request
from tests.core.helpers import ticket

SHIPPED = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "da", "ja", "tr")


def answered(reply: str, language: str = "en",
             languages: LanguageSettings | None = None) -> str:
    actions = plan(Path.AUTO_RESOLVE, (), reply, "", TagSettings(), RoutingSettings(),
                   language, None, languages)
    return next(a.body for a in actions if isinstance(a, PublicReply))


@pytest.mark.parametrize("code", SHIPPED)
def test_the_named_word_is_heard_as_a_human_request(code: str) -> None:
    word = table(code, LanguageSettings())["person_word"]
    assert word in reach_person(code)
    for reply in (word, f"{word}.", f"  {word}!", f"'{word}'", word.upper()):
        heard = human_request((repair(straighten(reply)),), TriggerSettings().human_request)
        assert heard is not None, (code, reply)


@pytest.mark.parametrize("code", SHIPPED)
def test_replying_the_word_after_an_answer_escalates_to_a_person(
    code: str, scorer: LexicalScorer,
) -> None:
    word = table(code, LanguageSettings())["person_word"]
    thread = ticket("How do I reset my password?", answered("Use the link.", code), word,
                    authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER))
    decision = decide(thread, scorer, Settings())
    assert decision.path is Path.ESCALATE
    assert "human_request" in [r.code for r in decision.reasons]


def test_an_answer_ends_with_the_way_to_a_person_in_the_customers_language() -> None:
    assert answered("It ships today.") == (
        "It ships today.\n\nReply 'agent' to talk to our team.")
    assert answered("Es wird heute versandt.", "de").endswith(
        "Antworten Sie „Mitarbeiter“, um mit unserem Team zu sprechen.")
    assert answered("x", "xx").endswith("Reply 'agent' to talk to our team.")


def test_the_line_and_the_word_are_configurable_and_the_line_can_be_left_out() -> None:
    own = LanguageSettings(templates={"en": {"reach_person": "Write {word} for a human.",
                                             "person_word": "human"}})
    assert answered("It ships today.", "en", own) == "It ships today.\n\nWrite human for a human."
    off = LanguageSettings(templates={"en": {"reach_person": ""}})
    assert answered("It ships today.", "en", off) == "It ships today."


def test_a_stray_placeholder_in_the_line_is_refused() -> None:
    with pytest.raises(ValidationError, match="reach_person"):
        LanguageSettings(templates={"en": {"reach_person": "Reply {name}"}})


def test_an_answer_offering_a_person_already_gets_no_second_way() -> None:
    offered = (Reason(code="human_offered", rule="policy.offer_human"),)
    actions = plan(Path.AUTO_RESOLVE, offered, "It ships today.\n\nWould you like a person?",
                   "", TagSettings(), RoutingSettings())
    assert actions[0] == PublicReply(body="It ships today.\n\nWould you like a person?")


def test_drafts_and_escalations_get_no_line() -> None:
    draft = plan(Path.DRAFT, (), "It ships today.", "note", TagSettings(), RoutingSettings())
    assert [a for a in draft if isinstance(a, PublicReply)] == []
    assert draft[0] == InternalNote(body="note")
