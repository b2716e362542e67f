"""Signals: human request, high-risk topics (with exceptions), frustration and its trend."""

from __future__ import annotations

import pytest

from core.frustration import FrustrationModel
from core.fuzzy import repair
from core.models import Role
from core.settings import TriggerSettings
from core.triggers import detect
from tests.core.helpers import ticket


def names(*texts: str) -> set[str]:
    return {s.name for s in detect(ticket(*texts), TriggerSettings())}


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a real person",
        "how do i talk to a hyman agent",
        "I try to ocntact an agent",
        "i cant speak tto an agent",
        "help chattinb with an operator",
        "i have got tocontact a goddamn person",
        "how to taok to an agent",
        "want assistance to cat with a person",
        "Quiero hablar con una persona",
        "Je veux parler à un conseiller",
        "Ich möchte mit einem Mitarbeiter sprechen",
        "Quero falar com um atendente",
    ],
)
def test_human_request_fires_through_typos_and_languages(text: str) -> None:
    assert "human_request" in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "I don't need a human, just tell me how to reset my password",
        "No need for an agent, just the tracking link please",
        "i do not know how to speak with customer service",
        "what hours is customer service available?",
        "I want to reach the beach by Friday",
        "I explained that to an agent already, where is my refund policy page?",
        "I left a note with the person at the front desk",
    ],
)
def test_human_request_stays_quiet_on_negation_and_lookalikes(text: str) -> None:
    assert "human_request" not in names(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I no longer need the online account, assistance deleting it", "account"),
        ("is it possible to clsoe a user account?", "account"),
        ("I need help filing a complaint against your company", "complaint"),
        ("help me solve an issue with payment", "billing"),
        ("i want my goddamn reimburfsement", "refund"),
        ("Please cancel order 123", "cancellation"),
        ("Quiero cancelar mi pedido", "cancellation"),
    ],
)
def test_high_risk_topics(text: str, topic: str) -> None:
    assert f"high_risk:{topic}" in names(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("where can I check your money back policy?", "refund"),
        ("in what cases can I ask for a refund?", "refund"),
        ("how much is the cancellation fee?", "cancellation"),
        ("cancel the company newsletter subscription", "cancellation"),
    ],
)
def test_questions_about_the_rules_are_not_the_risky_act(text: str, topic: str) -> None:
    assert f"high_risk:{topic}" not in names(text)


def test_a_risky_act_next_to_an_exception_still_fires() -> None:
    assert "high_risk:refund" in names("I want a refund now. Also, what is your refund policy?")


def test_exceptions_come_from_config_so_ops_can_extend_them() -> None:
    triggers = TriggerSettings(high_risk_except={"refund": (r"\bgift\s+card\b",)})
    signals = {s.name for s in detect(ticket("refund to my gift card"), triggers)}
    assert "high_risk:refund" not in signals


@pytest.mark.parametrize(
    "text",
    [
        "This is the third time I'm writing and still no answer!!",
        "I have been on hold for two hours, this is ridiculous",
        "Thanks for nothing, my parcel is lost again",
        "Sigo esperando mi pedido, es inaceptable",
    ],
)
def test_frustration_fires(text: str) -> None:
    assert "frustration" in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thank you, that was really helpful!",
        "How do I change my delivery address?",
        "Can I pay with a gift card?",
    ],
)
def test_frustration_stays_quiet_on_calm_messages(text: str) -> None:
    assert "frustration" not in names(text)


def test_frustration_reports_a_worsening_trend() -> None:
    thread = ticket(
        "Hi, could you tell me when my order ships?",
        "It ships tomorrow.",
        "It is now a week later and still nothing. Unacceptable!!",
        "ok",
        authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER, Role.CUSTOMER),
    )
    signal = next(s for s in detect(thread, TriggerSettings()) if s.name == "frustration")
    assert "trend worsening" in signal.evidence


def test_frustration_semantic_part_uses_the_embedder() -> None:
    from tests.core.fakes import HashEmbedder

    model = FrustrationModel(HashEmbedder())
    assert model.semantic("nobody helps me and I am fed up") > model.semantic("opening hours")


def test_repair_leaves_real_words_alone() -> None:
    assert repair("what that is, I chose those") == "what that is, I chose those"
    assert repair("I told that to an agent") == "I told that to an agent"
    assert repair("how to taok to an agent") == "how to talk to an agent"
    assert repair("unauthorized charge") == "unauthorized charge"
