"""Human requests in the twelve shipped languages: direct, indirect, and negated."""
# ruff: noqa: RUF001 (Turkish dotless i and Japanese punctuation are the point)

from __future__ import annotations

import pytest

from core.fuzzy import repair
from core.settings import TriggerSettings
from core.text import straighten
from core.triggers import high_risk, human_request

ASKS = [
    ("en", "anyone real there?"), ("en", "please stop the bot"),
    ("en", "Is there anyone real reading these?"),
    ("es", "¿me pasas con un asesor?"), ("es", "¿hay alguien de verdad ahí?"),
    ("fr", "passez-moi un responsable"), ("fr", "arrêtez ce robot svp"),
    ("de", "Ist da jemand Echtes?"), ("de", "Verbinden Sie mich bitte weiter"),
    ("pt", "me transfere para um atendente"), ("pt", "tem alguém de verdade aí?"),
    ("it", "vorrei parlare con un operatore"), ("it", "c'è una persona vera?"),
    ("nl", "ik wil een medewerker spreken"), ("nl", "praat ik met een robot?"),
    ("pl", "chcę rozmawiać z konsultantem"), ("pl", "czy jest tam żywy człowiek?"),
    ("sv", "kan jag prata med en handläggare"), ("sv", "stäng av boten"),
    ("da", "jeg vil tale med en medarbejder"), ("da", "er der nogen rigtige derinde?"),
    ("ja", "担当者と話したい"), ("ja", "オペレーターにつないでください"),
    ("tr", "bir temsilciyle görüşmek istiyorum"), ("tr", "gerçek bir insan var mı?"),
]
NEGATED = [
    ("en", "I don't need a human, thanks"),
    ("es", "no hace falta que me pases con un agente"),
    ("fr", "pas besoin de parler à un conseiller"),
    ("de", "ich muss nicht mit einem Mitarbeiter sprechen"),
    ("pt", "não preciso falar com um atendente"),
    ("it", "non ho bisogno di parlare con un operatore"),
    ("nl", "ik hoef geen medewerker te spreken"),
    ("pl", "nie muszę rozmawiać z konsultantem"),
    ("sv", "jag behöver inte prata med en handläggare"),
    ("da", "jeg behøver ikke at tale med en medarbejder"),
    ("ja", "担当者と話す必要はありません"),
    ("tr", "bir temsilciyle görüşmeme gerek yok"),
]
# A preference for staying where they are: "rather than" just before the request.
PREFERS_NOT = [
    ("en", "I'll keep chatting here rather than speak with an agent."),
    ("es", "Prefiero seguir por aquí en vez de hablar con un agente."),
    ("fr", "Je préfère régler ça ici plutôt que de parler à un conseiller."),
    ("pt", "Prefiro resolver aqui em vez de falar com um atendente."),
    ("it", "Preferisco scrivere qui invece di parlare con un operatore."),
    ("nl", "Ik regel het liever hier in plaats van met een medewerker te praten."),
    ("pl", "Wolę napisać tutaj zamiast rozmawiać z konsultantem."),
    ("sv", "Jag skriver hellre här i stället för att prata med en handläggare."),
    ("da", "Jeg skriver hellere her i stedet for at tale med en medarbejder."),
    ("tr", "Temsilciyle görüşmek yerine buradan yazmayı tercih ederim."),
    ("ja", "担当者と話したいわけではなく、請求書が欲しいだけです。"),
]
# The same words further off are about the bot, and the request stands.
PREFERS_A_PERSON = [
    ("en", "Instead of the bot, a real person please"),
    ("en", "Can I talk to a person instead of the bot?"),
    ("nl", "In plaats van de bot wil ik graag een medewerker spreken"),
    ("de", "Anstatt des Bots möchte ich bitte mit einem Mitarbeiter sprechen"),
    ("tr", "Botun yerine bir insanla görüşmek istiyorum"),
]


def found(text: str) -> bool:
    return human_request((repair(straighten(text)),), TriggerSettings().human_request) is not None


@pytest.mark.parametrize(("code", "text"), ASKS)
def test_requests_for_a_person_are_heard(code: str, text: str) -> None:
    assert found(text), code


@pytest.mark.parametrize(("code", "text"), NEGATED)
def test_negation_holds_in_each_language(code: str, text: str) -> None:
    assert not found(text), code


@pytest.mark.parametrize(("code", "text"), PREFERS_NOT)
def test_a_preference_to_stay_negates_the_request(code: str, text: str) -> None:
    assert not found(text), code


@pytest.mark.parametrize(("code", "text"), PREFERS_A_PERSON)
def test_a_preference_for_a_person_is_a_request(code: str, text: str) -> None:
    assert found(text), code


def test_every_shipped_language_has_triggers_and_negation() -> None:
    from core.phrasebook import triggers

    shipped = triggers()
    assert set(shipped) == {"en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "da", "ja",
                            "tr"}
    assert all(t.human_request for t in shipped.values())
    assert {code for code, _ in NEGATED} == set(shipped)


RISKS = [
    ("it", "voglio il rimborso del mio ordine", "refund"),
    ("it", "mi avete addebitato due volte", "billing"),
    ("nl", "ik wil mijn geld terug", "refund"),
    ("nl", "mijn account is gehackt", "security"),
    ("pl", "chcę usunąć moje konto", "account"),
    ("pl", "skontaktuję się z prawnikiem", "legal"),
    ("sv", "jag vill ha en återbetalning", "refund"),
    ("sv", "jag vill säga upp mitt abonnemang", "cancellation"),
    ("da", "jeg vil klage over leveringen", "complaint"),
    ("da", "I har trukket to gange på mit kort", "billing"),
    ("ja", "返金してください", "refund"),
    ("ja", "アカウントが乗っ取られました", "security"),
    ("tr", "siparişimi iptal etmek istiyorum", "cancellation"),
    ("tr", "avukatıma danışacağım", "legal"),
]


@pytest.mark.parametrize(("code", "text", "topic"), RISKS)
def test_high_risk_topics_in_each_language(code: str, text: str, topic: str) -> None:
    settings = TriggerSettings()
    found = high_risk((repair(straighten(text)),), settings.high_risk, settings.high_risk_except)
    assert f"high_risk:{topic}" in [s.name for s in found], code


def test_routine_questions_raise_no_risk_in_the_new_languages() -> None:
    settings = TriggerSettings()
    routine = ["Posso restituire una giacca che mi sta piccola?", "Kan ik een jas terugsturen?",
               "Bana küçük gelen bir ceketi iade edebilir miyim?",
               "annullate solo la newsletter, grazie"]
    for text in routine:
        assert not high_risk((text,), settings.high_risk, settings.high_risk_except), text
