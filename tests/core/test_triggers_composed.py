"""The compositional human-request rules: person, contact, want, bot and reject words per
language (`core/lang/*.yaml`), typo repair of their stems (`core.fuzzy.repair_stem`),
negation, and routine mentions of people that are not requests."""
# ruff: noqa: RUF001 (Turkish dotless i is the point)

from __future__ import annotations

import pytest

from core.fuzzy import repair, repair_stem
from core.phrasebook import CLAUSE_GAP, Triggers
from core.settings import TriggerSettings
from core.text import straighten
from core.triggers import human_request


def asks(text: str) -> bool:
    return human_request((repair(straighten(text)),),
                         TriggerSettings().human_request) is not None


# A want word a few words before a person, a contact word near one, or a bot turned away.
ASKS = [
    ("en", "put me thru to an agent"),
    ("en", "no more robots please"),
    ("es", "necesito que un empleado me conteste"),
    ("es", "basta de contestador automático"),
    ("fr", "je voudrais qu'un collègue à vous me rappelle"),
    ("fr", "stop aux robots"),
    ("de", "ich brauche dringend jemanden aus der Buchhaltung"),
    ("de", "genug mit dem Roboter"),
    ("pt", "quero muito um atendente"),
    ("pt", "chega dessa máquina"),
    ("it", "vorrei tanto un operatore"),
    ("it", "basta con questo risponditore"),
    ("nl", "ik wil heel graag een medewerker"),
    ("nl", "klaar met die chatbot"),
    ("pl", "chcę teraz człowieka"),
    ("pl", "dość już tego automatu"),
    ("sv", "jag vill ha en medarbetare nu"),
    ("sv", "sluta med roboten"),
    ("da", "jeg vil gerne have en medarbejder"),
    ("da", "stop den robot"),
    ("tr", "yeter bu robot"),
    ("tr", "bir yöneticiyle yazışmak istiyorum"),  # person, then want_after
    ("tr", "robot değil lütfen"),                  # bot, then reject_after
    ("ja", "責任者と相談したいです"),                  # person, verb, request ending
    ("ja", "社員の方はいませんか"),                    # is anyone there
    ("ja", "自動応答はもういいです"),                  # bot, then reject_after
]
# Typos of a stem inside an inflected word.
TYPOS = [
    ("de", "bitte verbinden Sie mich mit einem Mitarbieter"),
    ("pl", "chcę porozmawiać z konsultatem"),
    ("it", "vorrei parlare con un opertaore"),
    ("nl", "ik wil een medewrker spreken"),
]
# People mentioned without asking for one, and negated requests.
NOT_ASKS = [
    ("en", "my delivery agent left the parcel at the wrong door"),
    ("en", "I do not want to speak to an agent, just send the invoice"),
    ("es", "el repartidor me dejó el paquete en el portal"),
    ("es", "no necesito hablar con ningún agente"),
    ("fr", "le livreur a déposé le colis à la mauvaise adresse"),
    ("fr", "je ne veux pas parler à un conseiller"),
    ("de", "der Paketbote hat geklingelt, aber niemand war da"),
    ("de", "ich brauche keinen Mitarbeiter"),
    ("pt", "o entregador deixou o pacote no vizinho"),
    ("pt", "não quero falar com um atendente"),
    ("it", "il corriere ha lasciato il pacco in portineria"),
    ("it", "non voglio parlare con un operatore"),
    ("nl", "de bezorger heeft het pakket bij de buren gelegd"),
    ("nl", "ik wil niemand spreken"),
    ("pl", "kurier zostawił paczkę pod drzwiami"),
    ("pl", "nie chcę rozmawiać z konsultantem"),
    ("sv", "budet lämnade paketet utanför dörren"),
    ("sv", "jag vill inte prata med en handläggare"),
    ("da", "budet lagde pakken foran døren"),
    ("da", "jeg vil ikke tale med en medarbejder"),
    ("tr", "kurye paketi kapıya bırakmış"),
    ("tr", "temsilciye ihtiyacım yok"),
    ("en", "the bot answered my question, thanks"),
    ("tr", "yöneticiyle görüşmek istemiyorum"),
    ("ja", "責任者には連絡しないでください"),           # a negative request ending
    ("ja", "担当者から電話がありました"),               # the agent called: no request
    ("ja", "配達員が玄関に置いていきました"),
]


@pytest.mark.parametrize(("language", "text"), ASKS + TYPOS)
def test_composed_request(language: str, text: str) -> None:
    assert asks(text), (language, text)


@pytest.mark.parametrize(("language", "text"), NOT_ASKS)
def test_not_a_request(language: str, text: str) -> None:
    assert not asks(text), (language, text)


def test_rejections_need_a_bot_and_a_cue() -> None:
    assert Triggers(bot=("bot",)).rejections() == ()
    assert Triggers(reject=("stop",)).rejections() == ()
    found = Triggers(bot=("bot",), reject=("stop",), reject_after=("off",)).rejections()
    assert found == (rf"(?:\bstop){CLAUSE_GAP}(?:\bbot\b)", rf"(?:\bbot\b){CLAUSE_GAP}(?:\boff)")


def test_words_without_spaces_match_inside_text() -> None:
    """A Japanese entry has no word boundary to meet: 担当者 inside a sentence counts."""
    composed = Triggers(person=("担当者",), want_after=("たい",)).composed()
    assert composed == (f"(?:担当者){CLAUSE_GAP}(?:たい)",)


@pytest.mark.parametrize(("word", "fixed"), [
    ("mitarbieter", "mitarbeiter"),   # a swap inside the stem
    ("konsultatem", "konsultantem"),  # a missing letter, the ending kept
])
def test_repair_stem(word: str, fixed: str) -> None:
    assert repair_stem(word) == fixed


@pytest.mark.parametrize("word", [
    "niemand",   # an edit at the first letter is another word ("iemand")
    "parlando",  # an edit at the last letter of the stem ("parlar")
    "human",     # the start of a stem ("humano") is left alone
    "mitarbeiterin",  # already right
])
def test_repair_stem_leaves_words(word: str) -> None:
    assert repair_stem(word) == word
