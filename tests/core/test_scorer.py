from __future__ import annotations

import pytest

from core.knowledge import KnowledgeDoc
from core.models import Role
from core.scorer import Answer, LexicalScorer, Scorer, render
from core.settings import PolicySettings
from tests.core.helpers import ticket

POLICY = PolicySettings()


def test_lexical_scorer_meets_the_scorer_protocol(scorer: LexicalScorer) -> None:
    backend: Scorer = scorer

    assert isinstance(backend.answer(ticket("Where is my order?")), Answer)


@pytest.mark.parametrize(
    ("text", "article"),
    [
        (
            "I ordered a lamp last week and it hasn't shown up, how can I follow the package?",
            "track_order",
        ),
        ("I can't remember my password and I'm locked out of my account", "reset_password"),
        ("Is it possible to pay with PayPal at checkout?", "payment_methods"),
        ("Where do I type in the code of my gift card?", "gift_cards"),
    ],
)
def test_close_paraphrases_are_confident_and_grounded(
    scorer: LexicalScorer, text: str, article: str
) -> None:
    answer = scorer.answer(ticket(text))

    assert answer.doc is not None
    assert answer.doc.id == article
    assert answer.sources[0].id == article
    assert answer.confidence >= POLICY.draft_threshold


@pytest.mark.parametrize(
    "text",
    [
        "Can you recommend a good banana bread recipe?",
        "What's the weather like in Lisbon tomorrow?",
        "asdf qwerty zxcv",
        "",
    ],
)
def test_off_topic_text_stays_below_the_draft_threshold(scorer: LexicalScorer, text: str) -> None:
    assert scorer.answer(ticket(text)).confidence < POLICY.draft_threshold


def test_no_overlap_means_no_reply_and_no_sources(scorer: LexicalScorer) -> None:
    answer = scorer.answer(ticket("Can you recommend a good banana bread recipe?"))

    assert answer.reply is None or answer.confidence == 0.0
    assert scorer.answer(ticket("zzz qqq")) == Answer(reply=None, confidence=0.0)


def test_confidence_orders_paraphrase_above_partial_above_off_topic(scorer: LexicalScorer) -> None:
    close = scorer.answer(ticket("How can I track my parcel? It still hasn't arrived."))
    partial = scorer.answer(
        ticket(
            "The sweater is too small. "
            "How long will shipping take for the replacement if I return it?"
        )
    )
    off_topic = scorer.answer(ticket("Do you sell concert tickets?"))

    assert close.confidence >= POLICY.auto_resolve_threshold
    assert POLICY.draft_threshold <= partial.confidence < POLICY.auto_resolve_threshold
    assert off_topic.confidence < POLICY.draft_threshold


def test_a_toss_up_between_two_articles_is_not_auto_resolved(scorer: LexicalScorer) -> None:
    answer = scorer.answer(
        ticket("Can I pay for part of my order with my card and the rest with my gift card?")
    )

    assert len(answer.sources) >= 2
    assert answer.confidence < POLICY.auto_resolve_threshold


def test_sources_are_best_first_and_capped(scorer: LexicalScorer) -> None:
    answer = scorer.answer(ticket("Where is my order and how long does shipping take?"))

    scores = [s.score for s in answer.sources]
    assert scores == sorted(scores, reverse=True)
    assert 1 <= len(scores) <= 3


def test_newest_customer_message_weighs_most(scorer: LexicalScorer) -> None:
    thread = ticket(
        "I forgot my password yesterday.",
        "Sorry, I got in now. Separate question: do you accept Apple Pay?",
    )

    answer = scorer.answer(thread)

    assert answer.doc is not None
    assert answer.doc.id == "payment_methods"


def test_agent_messages_are_not_part_of_the_query(scorer: LexicalScorer) -> None:
    thread = ticket(
        "Where is my package?",
        "You can reset your password from the login page.",
        authors=(Role.CUSTOMER, Role.AGENT),
    )

    answer = scorer.answer(thread)

    assert answer.doc is not None
    assert answer.doc.id == "track_order"


def test_reply_renders_requester_fields(scorer: LexicalScorer) -> None:
    answer = scorer.answer(
        ticket("I forgot my password", name="Maria Lopez", email="maria@example.com")
    )

    assert answer.reply is not None
    assert answer.reply.startswith("Hi Maria,")
    assert "maria@example.com" in answer.reply
    assert "{{" not in answer.reply


def test_render_leaves_unknown_and_empty_fields() -> None:
    body = "Hi {{requester.first_name}}, order {{ticket.id}} {{order.number}}"

    assert (
        render(body, ticket("x", name=None))
        == "Hi {{requester.first_name}}, order t-1 {{order.number}}"
    )


@pytest.mark.parametrize("gap", ["{{order.number}}", "[Website Name]"])
def test_an_unfilled_placeholder_caps_confidence_below_auto(gap: str) -> None:
    doc = KnowledgeDoc(
        id="hours",
        title="Opening hours",
        category="CONTACT",
        examples=("What are your opening hours?", "When are you open?"),
        body=f"We are open 9 to 5. See {gap} for details.",
    )
    clean = doc.model_copy(update={"body": "We are open 9 to 5."})
    query = ticket("What are your opening hours?")

    assert LexicalScorer([clean]).answer(query).confidence >= POLICY.auto_resolve_threshold
    assert LexicalScorer([doc]).answer(query).confidence < POLICY.auto_resolve_threshold


def test_a_markdown_link_is_not_a_placeholder() -> None:
    doc = KnowledgeDoc(
        id="hours",
        title="Opening hours",
        category="CONTACT",
        examples=("What are your opening hours?",),
        body="See [Opening Hours](https://example.com/hours).",
    )

    answer = LexicalScorer([doc]).answer(ticket("What are your opening hours?"))

    assert answer.confidence >= POLICY.auto_resolve_threshold


def test_an_empty_knowledge_base_answers_nothing() -> None:
    assert LexicalScorer([]).answer(ticket("Where is my order?")) == Answer(
        reply=None, confidence=0.0
    )


def test_answers_are_deterministic(docs: tuple[KnowledgeDoc, ...]) -> None:
    query = ticket("How long does delivery to Canada take?")

    assert LexicalScorer(docs).answer(query) == LexicalScorer(tuple(reversed(docs))).answer(query)


def test_render_fills_zendesk_placeholder_names() -> None:
    body = "Hi {{ticket.requester.first_name}} ({{ticket.requester.email}}), re: {{ticket.title}}"
    parcel = ticket("where is it?", subject="Parcel", name="Ana Lima", email="ana@x.test")
    assert render(body, parcel) == "Hi Ana (ana@x.test), re: Parcel"


def test_scores_through_inverted_lists_equal_the_blend_answer_ranks_by() -> None:
    from tests.core.helpers import knowledge

    docs = knowledge()
    scorer = LexicalScorer(docs)
    for text in ("Where is my order? It still hasn't arrived", "gift card balance",
                 "forgot my password", "nothing in common zzz"):
        answer = scorer.answer(ticket(text))
        scores = scorer.scores(ticket(text))
        for source in answer.sources:
            index = [d.id for d in docs].index(source.id)
            assert round(scores[index], 4) == source.score
