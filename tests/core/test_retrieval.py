"""The hybrid scorer, its calibration, and the simulation maths."""

from __future__ import annotations

import pytest

from core.calibration import DEFAULT, expected_calibration_error, fit_platt
from core.engine import decide
from core.knowledge import KnowledgeDoc
from core.models import Path
from core.retrieval import NEAR_TIE_MARGIN, HybridScorer, index_key, leave_one_out
from core.scorer import PLACEHOLDER_CAP
from core.settings import Settings
from core.simulation import Metrics, decision_row, ticket_from_row
from tests.core.fakes import HashEmbedder
from tests.core.helpers import DOCS, ticket


@pytest.fixture(scope="module")
def hybrid() -> HybridScorer:
    return HybridScorer(DOCS, HashEmbedder(), constants={"Order Page": "Account > Orders"})


def test_best_article_first_with_sources_and_rendered_reply(hybrid: HybridScorer) -> None:
    answer = hybrid.answer(ticket("I forgot my password, how do I reset it?"))
    assert next(s.id for s in answer.sources) == "password"
    track = hybrid.answer(ticket("Where is my order? I want to track my parcel"))
    assert track.doc is not None
    assert track.doc.id == "track"
    assert track.reply is not None
    assert "Maria" in track.reply
    assert "Account > Orders" in track.reply


def test_unfilled_placeholder_caps_confidence() -> None:
    bare = HybridScorer(DOCS, HashEmbedder())
    answer = bare.answer(ticket("Where is my order? I want to track my parcel"))
    assert answer.confidence <= 0.6


def test_no_overlap_gives_no_answer(hybrid: HybridScorer) -> None:
    answer = hybrid.answer(ticket(""))
    assert answer.reply is None
    assert answer.confidence == 0.0


def test_deterministic(hybrid: HybridScorer) -> None:
    t = ticket("How can I track my parcel?")
    assert hybrid.answer(t) == hybrid.answer(t)


def test_persisted_embeddings_are_reused(hybrid: HybridScorer) -> None:
    again = HybridScorer(DOCS, HashEmbedder(), embeddings=hybrid.embeddings)
    t = ticket("reset my password")
    assert again.answer(t).confidence == HybridScorer(DOCS, HashEmbedder()).answer(t).confidence
    assert index_key(DOCS, "a") != index_key(DOCS, "b")


def test_high_risk_article_never_auto_resolves() -> None:
    from core.models import Source
    from core.policy import choose
    from core.scorer import Answer
    from core.settings import PolicySettings

    answer = Answer(reply="ok", confidence=0.99, doc=DOCS[2],
                    sources=(Source(id="refund", title="Get a refund", score=0.9),))
    verdict = choose([], answer, "", PolicySettings(), article_risk=("refund",))
    assert verdict.path is Path.DRAFT
    assert verdict.reasons[0].rule == "policy.never_auto_resolve_high_risk_articles"


def test_platt_fit_is_calibrated_and_monotone() -> None:
    rows = [[x / 20, x / 40, 1.0, 0.0, x / 20, 0.0] for x in range(21)] * 3
    outcomes = [x >= 8 for x in range(21)] * 3
    fitted = fit_platt(rows, outcomes)
    probabilities = [fitted.probability(r) for r in rows[:21]]
    assert probabilities == sorted(probabilities)
    assert fitted.ece is not None
    assert fitted.ece < 0.2
    with pytest.raises(ValueError, match="both"):
        fit_platt(rows, [True] * len(rows))


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([0.9, 0.9], [False, False]) == pytest.approx(0.9)
    assert expected_calibration_error([], []) == 0.0


def test_leave_one_out_yields_one_row_per_example(hybrid: HybridScorer) -> None:
    rows, outcomes = leave_one_out(hybrid, lambda text: ticket(text))
    assert len(rows) == len(outcomes) == sum(len(d.examples) for d in DOCS)
    assert all(len(r) == len(DEFAULT.weights) for r in rows)


ROW = {
    "id": "t1", "subject": "", "channel": "email", "tags": [],
    "requester": {"id": "c0", "email": "c@example.com", "name": "C", "vip": False},
    "messages": [{"author": "customer", "body": "I forgot my password", "public": True,
                  "created_at": "2026-01-05T10:00:00Z"}],
    "labels": {"intent": "password", "expect": "auto"},
}


def test_simulation_drops_labels_and_counts_metrics(hybrid: HybridScorer) -> None:
    t = ticket_from_row(ROW)
    assert "labels" not in t.model_dump()
    row = decision_row(decide(t, hybrid, Settings()))
    assert set(row) == {"id", "path", "confidence", "language", "signals", "reasons", "sources",
                        "reply"}
    metrics = Metrics()
    metrics.add({**row, "path": "auto_resolve", "sources": ["password"]}, ROW["labels"])
    metrics.add({**row, "path": "auto_resolve", "sources": ["track"]}, ROW["labels"])
    metrics.add({**row, "path": "auto_resolve", "signals": []}, {"expect": "escalate"})
    metrics.add({**row, "signals": ["frustration"]}, {"frustrated": True})
    report = metrics.report()
    assert report["safety_violations"] == 1
    assert report["auto_resolve_rate"] == 1.0
    assert report["wrong_article_rate"] == 0.5
    assert report["human_request_recall"] == 0.0
    assert report["frustration_recall"] == 1.0


def test_a_near_tie_between_two_articles_is_a_draft_at_most() -> None:
    twins = (*DOCS,
             KnowledgeDoc(id="period", title="Delivery time", category="SHIPPING",
                          examples=("how long does delivery take",),
                          body="Delivery takes three working days."),
             KnowledgeDoc(id="options", title="Delivery choices", category="SHIPPING",
                          examples=("how long does delivery take",),
                          body="We ship by post or by courier."))
    scorer = HybridScorer(twins, HashEmbedder())
    tie = scorer.answer(ticket("how long does delivery take"))
    features, _, _ = scorer.features(ticket("how long does delivery take"))
    assert features[1] < NEAR_TIE_MARGIN  # the lead over the runner-up
    assert tie.confidence <= PLACEHOLDER_CAP
    clear = scorer.answer(ticket("I forgot my password, how do I reset my password?"))
    assert scorer.features(ticket("I forgot my password, how do I reset my password?")
                           )[0][1] >= NEAR_TIE_MARGIN
    assert clear.confidence > PLACEHOLDER_CAP
