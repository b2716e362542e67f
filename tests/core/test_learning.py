"""Learning from history: reply cleaning, pairs, matching, cross-fitting, the history check."""

from __future__ import annotations

from typing import Any

import pytest

from core.crossfit import Learned, augmented_scorer, cross_fit, fold_of
from core.knowledge import KnowledgeDoc
from core.learned_scorer import HISTORY_CAP, LearnedScorer
from core.learning import (
    HistoryPair,
    ReplyMatcher,
    Unusable,
    augment,
    clean_reply,
    pair_from_row,
    question_ticket,
)
from core.retrieval import HybridScorer
from tests.core.fakes import HashEmbedder

DOCS = (
    KnowledgeDoc(id="track", title="Track your order", category="ORDERS",
                 examples=("Where is my order?",),
                 body="Sign in, open your orders, select the order and click track parcel to "
                      "see the carrier tracking page and the delivery status."),
    KnowledgeDoc(id="password", title="Reset your password", category="ACCOUNT",
                 examples=("I forgot my password",),
                 body="Click forgot password on the login page, enter your email address and "
                      "follow the reset link we email you to choose a new password."),
    KnowledgeDoc(id="giftcard", title="Use a gift card", category="PAYMENTS",
                 examples=("How do I use my gift card?",),
                 body="At checkout click add gift card, enter the code and the pin, then "
                      "apply it; the balance stays on the card."),
)


def row(question: str, reply: str, *, solved_by: str = "agent", tid: str = "t1") -> dict[str, Any]:
    return {"id": tid, "messages": [
        {"author": "customer", "body": question, "public": True,
         "created_at": "2026-01-05T10:00:00Z"},
        {"author": "agent", "body": reply, "public": True, "created_at": "2026-01-05T10:20:00Z"},
    ], "labels": {"history": {"solved_by": solved_by}}}


@pytest.fixture(scope="module")
def base() -> HybridScorer:
    return HybridScorer(DOCS, HashEmbedder())


def test_clean_reply_drops_html_greeting_sign_off_and_numbers() -> None:
    text = ("<p>Hi Anna,</p><p>Please open your orders &amp; click <b>track parcel</b> for "
            "order 12345.</p><p>Best regards,<br>Tom<br>+1 800 555 0199</p>")
    cleaned = clean_reply(text)
    assert "open your orders & click track parcel for order" in cleaned
    for gone in ("Anna", "Tom", "12345", "555", "<", "regards"):
        assert gone not in cleaned


def test_pair_takes_the_questions_before_the_first_agent_reply() -> None:
    data = row("Where is my parcel?", "Open your orders and click track parcel to see it.")
    data["messages"].insert(1, {"author": "customer", "body": "It has been a week.",
                                "created_at": "2026-01-05T10:05:00Z"})
    pair = pair_from_row(data)
    assert pair.questions == ("Where is my parcel?", "It has been a week.")
    assert "track parcel" in pair.reply


@pytest.mark.parametrize(("data", "why"), [
    (row("Where is my order?", "Hello Anna,\n\nKind regards,\nTom\nSupport team"), "greeting"),
    (row("Where is my order?", "Open your orders.", solved_by="ai"), "solved_by"),
    ({"id": "x", "messages": [{"author": "customer", "body": "hi"}]}, "no public agent reply"),
    ({"id": "x", "messages": "nope"}, "no messages"),
    (["not", "a", "ticket"], "not a ticket"),
])
def test_unusable_rows_say_why(data: Any, why: str) -> None:
    with pytest.raises(Unusable, match=why):
        pair_from_row(data)


def test_paraphrased_reply_maps_to_its_article(base: HybridScorer) -> None:
    reply = clean_reply("Hello! To follow your parcel, sign in and open your orders, then "
                        "select the order and click track parcel: the carrier tracking page "
                        "shows the delivery status.\n\nBest,\nSam")
    [match] = ReplyMatcher(base).match([HistoryPair("t1", ("where's my stuff??",), reply)])
    assert match.article == "track"


def test_html_reply_is_matched_like_text(base: HybridScorer) -> None:
    reply = clean_reply("<div>Hi,</div><ol><li>Click <i>forgot password</i> on the login "
                        "page</li><li>enter your email address</li><li>follow the reset "
                        "link to choose a new password</li></ol>")
    [match] = ReplyMatcher(base).match([HistoryPair("t2", ("cannot log in",), reply)])
    assert match.article == "password"


def test_a_reply_that_matches_no_article_is_abstained_from(base: HybridScorer) -> None:
    # The question alone points at an article; the reply does not, so nothing is learned.
    reply = clean_reply("Thanks, I have passed your feedback about the music in our store to "
                        "the manager, who will look into the volume this week.")
    [match] = ReplyMatcher(base).match([HistoryPair("t3", ("Where is my order?",), reply)])
    assert match.article is None
    assert match.reason


def test_augment_appends_new_examples_once() -> None:
    docs = augment(DOCS, {"track": ["where's my parcel", "where's my parcel",
                                    "Where is my order?"]})
    assert docs[0].examples == ("Where is my order?", "where's my parcel")
    assert docs[1] is DOCS[1]


def _learned(pairs: list[tuple[str, str]]) -> list[Learned]:
    return [Learned(f"t{i}", article, (question,)) for i, (question, article) in
            enumerate(pairs)]


CONFUSABLE = _learned(
    [(f"where is my order number {n} parcel", "track") for n in ("one", "two", "three")]
    + [(f"my parcel {w} where is it", "track") for w in ("late", "lost", "missing")]
    + [(f"where is my gift card code {w}", "giftcard") for w in ("email", "pin", "balance")]
    + [(f"where is my parcel gift card {w}", "giftcard") for w in ("late", "lost", "missing")]
    + [(f"forgot password {w}", "password") for w in ("again", "login", "email", "reset")]
)


def test_cross_fitting_is_less_confident_than_calibrating_on_the_training_rows(
        base: HybridScorer) -> None:
    # In-sample, every learned question finds itself in the index: always right.
    same = augmented_scorer(base, CONFUSABLE)
    ids = [d.id for d in same.docs]
    in_sample = [ids[same.features(question_ticket(x.ticket_id, x.questions))[1][0]]
                 == x.article for x in CONFUSABLE]
    assert all(in_sample)
    fit = cross_fit(base, CONFUSABLE, folds=3)
    assert len(fit.outcomes) == len(CONFUSABLE)
    assert not all(fit.outcomes)  # held-out questions are sometimes answered wrongly
    assert fit.calibration is not None
    predicted = [fit.calibration.probability(r) for r in fit.rows]
    assert sum(predicted) / len(predicted) < 0.95
    assert fit.accuracy("password") == 1.0


def test_folds_are_stable() -> None:
    assert [fold_of(f"t{i}") for i in range(20)] == [fold_of(f"t{i}") for i in range(20)]
    assert len({fold_of(f"t{i}") for i in range(50)}) == 5


def test_history_check_caps_where_history_could_not_tell(base: HybridScorer) -> None:
    learned = _learned([(f"where is my parcel {w}", "track")
                        for w in ("now", "today", "please")])
    clear = augmented_scorer(base, learned, history=[
        (x.questions[0], x.article) for x in learned])
    unclear = augmented_scorer(base, learned, history=[
        (x.questions[0], x.article) for x in learned[:1]]
        + [(f"where is my parcel {w}", "") for w in ("now", "today", "please", "ok")])
    assert isinstance(clear, LearnedScorer)
    asked = question_ticket("new", ["where is my parcel now?"])
    assert clear.votes(asked, "track") == 3
    assert unclear.answer(asked).confidence <= HISTORY_CAP
    assert clear.answer(asked).confidence > 0.9


def test_where_history_is_unsure_the_knowledge_base_alone_must_agree(
        base: HybridScorer) -> None:
    learned = _learned([(f"where is my parcel {w}", "track") for w in ("now", "today")])
    unsure = [(f"where is my parcel {w}", "") for w in ("now", "today", "please", "ok")]
    fallback = augmented_scorer(base, learned, history=unsure)
    asked = question_ticket("new", ["where is my order parcel now? track it"])
    plain = base.answer(asked)
    assert plain.doc is not None
    assert plain.doc.id == "track"
    assert fallback.answer(asked).confidence == min(
        HybridScorer.answer(fallback, asked).confidence, plain.confidence)
    assert isinstance(fallback, LearnedScorer)
    alone = LearnedScorer(fallback.docs, HashEmbedder(), history=fallback._history,
                          history_articles=[""] * len(unsure), embeddings=fallback.embeddings)
    assert alone.answer(asked).confidence <= HISTORY_CAP
