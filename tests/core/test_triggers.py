from __future__ import annotations

import pytest

from core import lexicon
from core.errors import ConfigError
from core.models import Role
from core.settings import Settings, TriggerSettings, parse_settings
from core.triggers import detect, human_request, negated
from tests.core.helpers import ticket

PATTERNS = lexicon.HUMAN_REQUEST


def names(*texts: str, **kwargs: object) -> list[str]:
    return [s.name for s in detect(ticket(*texts, **kwargs), TriggerSettings())]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a real person.",
        "Can I speak to someone please",
        "let me chat with an agent",
        "Human please!!",
        "I need a human",
        "operator",
        "Agent, please.",
        "speak to a manager now",
        "Connect me to a representative",
        "I don't want to talk to a bot, get me a person",
        "Why can't I talk to a human?",
        "I don't know how to contact an agent",
        "No I need a real person",
        "this is useless, I have to speak to a damn operator",
        "Is there a human I can talk to?",
    ],
)
def test_english_human_requests_fire(text: str) -> None:
    assert human_request([text], PATTERNS) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Quiero hablar con una persona, no con un robot.",
        "¿Puedo hablar con un agente?",
        "Je voudrais parler à un conseiller.",
        "Est-ce que je peux parler à quelqu'un ?",
        "Ich möchte mit einem Menschen sprechen.",
        "Verbinden Sie mich mit einem Mitarbeiter, bitte.",
        "Quero falar com um atendente humano.",
        "Preciso falar com alguém, por favor.",
    ],
)
def test_non_english_human_requests_fire(text: str) -> None:
    assert human_request([text], PATTERNS) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order?",
        "How do I reset my password?",
        "My agent at the bank says the card is fine.",
        "The delivery person left it at the door.",
        "Please contact the courier about my parcel.",
        "I'll speak to my manager about the invoice.",
    ],
)
def test_ordinary_questions_do_not_fire(text: str) -> None:
    assert human_request([text], PATTERNS) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "I don't need a human, just tell me where my parcel is.",
        "I don\u2019t need a human",
        "No need for an agent, what are your opening hours?",
        "There's no need to talk to a person, the tracking link answers it.",
        "I do not want to speak to an agent.",
        "No quiero hablar con una persona.",
        "Je n'ai pas besoin de parler à un conseiller.",
        "Ich muss nicht mit einem Menschen sprechen.",
        "Não preciso falar com um atendente.",
    ],
)
def test_negated_human_requests_do_not_fire(text: str) -> None:
    assert human_request([text], PATTERNS) is None, text


def test_a_negation_in_another_clause_does_not_cancel_the_request() -> None:
    text = "I don't want to wait any longer, let me talk to a human"

    assert human_request([text], PATTERNS) is not None
    assert not negated(text, text.index("talk"))


def test_the_signal_names_the_rule_and_quotes_the_text() -> None:
    signals = detect(ticket("Please, I want to talk to a real person."), TriggerSettings())

    human = signals[0]
    assert human.name == "human_request"
    assert human.value == "triggers.human_request[0]"
    assert human.evidence == "talk to a real person"


def test_agent_messages_are_not_scanned() -> None:
    signals = names(
        "Where is my order?",
        "Would you like to talk to a person?",
        authors=(Role.CUSTOMER, Role.AGENT),
    )

    assert "human_request" not in signals


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I want a refund for the broken lamp", "refund"),
        ("Can I get my money back?", "refund"),
        ("Quiero un reembolso", "refund"),
        ("Ich möchte eine Rückerstattung", "refund"),
        ("I was charged twice for one order", "billing"),
        ("There is an unauthorized charge on my card", "billing"),
        ("Me cobraron dos veces", "billing"),
        ("My lawyer will contact you", "legal"),
        ("I'm filing a GDPR request", "legal"),
        ("My account was hacked", "security"),
        ("Someone logged into my account from another country", "security"),
        ("Mi cuenta fue hackeada", "security"),
        ("Please cancel my order", "cancellation"),
        ("I want to delete my account", "account"),
        ("Je veux annuler ma commande", "cancellation"),
        ("Ich möchte meine Bestellung stornieren", "cancellation"),
    ],
)
def test_high_risk_topics_fire_with_evidence(text: str, topic: str) -> None:
    signals = {s.name: s for s in detect(ticket(text), TriggerSettings())}

    signal = signals[f"high_risk:{topic}"]
    assert signal.evidence.lower() in text.lower()
    assert str(signal.value).startswith(f"triggers.high_risk.{topic}[")


@pytest.mark.parametrize(
    "text",
    [
        "How do I return a jacket that doesn't fit?",
        "What payment methods do you accept?",
        "I forgot my password",
        "Where is my order?",
    ],
)
def test_routine_questions_raise_no_high_risk(text: str) -> None:
    assert not [n for n in names(text) if n.startswith("high_risk")]


def test_high_risk_ignores_negation_on_purpose() -> None:
    assert "high_risk:refund" in names("I don't want a refund, I want the right size")


def test_several_topics_fire_in_settings_order() -> None:
    signals = names("Cancel my order and refund me, I was charged twice")

    assert signals[:3] == ["high_risk:refund", "high_risk:billing", "high_risk:cancellation"]


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [({"vip": True}, "requester.vip"), ({"tags": ("VIP",)}, "ticket.tags")],
)
def test_vip_from_flag_or_tag(kwargs: dict[str, object], value: str) -> None:
    signals = {s.name: s for s in detect(ticket("Hello", **kwargs), TriggerSettings())}  # type: ignore[arg-type]

    assert signals["vip"].value == value


def test_not_vip_by_default() -> None:
    assert "vip" not in names("Hello")


def test_sentiment_is_always_reported_last() -> None:
    assert names("This is ridiculous and useless")[-1] == "sentiment"
    signals = detect(ticket("This is ridiculous and useless"), TriggerSettings())
    assert signals[-1].value == "negative"


def test_settings_default_to_the_lexicon() -> None:
    triggers = Settings().triggers

    assert triggers.human_request == lexicon.HUMAN_REQUEST
    assert triggers.high_risk == lexicon.HIGH_RISK


def test_yaml_replaces_only_the_topics_it_names(tmp_path: object) -> None:
    text = "triggers:\n  high_risk:\n    refund: ['\\bpayback\\b']\n    legal: []\n"

    settings = parse_settings(text, "handoff.yaml", {}, tmp_path)  # type: ignore[arg-type]

    assert settings.triggers.high_risk["refund"] == (r"\bpayback\b",)
    assert settings.triggers.high_risk["legal"] == ()
    assert settings.triggers.high_risk["billing"] == lexicon.HIGH_RISK["billing"]
    assert "high_risk:legal" not in [s.name for s in detect(ticket("my lawyer"), settings.triggers)]


@pytest.mark.parametrize(
    "text",
    [
        "triggers:\n  human_request: ['(unclosed']\n",
        "triggers:\n  high_risk:\n    refund: ['[bad']\n",
        "triggers:\n  high_risk:\n    Bad-Topic: ['x']\n",
        "exclusions:\n  subject_patterns: ['(']\n",
    ],
)
def test_invalid_trigger_settings_fail_at_start_up(text: str, tmp_path: object) -> None:
    with pytest.raises(ConfigError, match=r"handoff\.yaml"):
        parse_settings(text, "handoff.yaml", {}, tmp_path)  # type: ignore[arg-type]
