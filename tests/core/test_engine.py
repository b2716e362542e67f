from __future__ import annotations

import pytest

from core.engine import decide
from core.errors import ScorerError
from core.knowledge import KnowledgeDoc
from core.messages import reach_person
from core.models import (
    AddTags,
    Assign,
    InternalNote,
    Path,
    Priority,
    PublicReply,
    SetPriority,
    SetStatus,
    Status,
    Ticket,
)
from core.scorer import Answer, LexicalScorer
from core.settings import ExclusionSettings, Route, RoutingSettings, Settings
from tests.core.helpers import ticket


class FailingScorer:
    docs = ()
    frustration = None
    human_model = None

    def answer(self, ticket: Ticket) -> Answer:
        raise ScorerError("model server unreachable")


def kinds(actions: tuple[object, ...]) -> list[str]:
    return [a.kind for a in actions]  # type: ignore[attr-defined]


def test_auto_resolve_replies_tags_and_solves(scorer: LexicalScorer, settings: Settings) -> None:
    decision = decide(
        ticket("I forgot my password and can't log in to my account"), scorer, settings
    )

    assert decision.path is Path.AUTO_RESOLVE
    reply, tags, status = decision.actions
    assert reply == PublicReply(body=f"{decision.reply}\n\n{reach_person('en')}")
    assert reply.body.startswith("Hi Maria,")
    assert tags == AddTags(tags=settings.tags.auto_resolve)
    assert status == SetStatus(status=Status.SOLVED)
    assert decision.sources[0].id == "reset_password"


def test_draft_leaves_a_note_with_reply_and_sources(
    scorer: LexicalScorer, settings: Settings
) -> None:
    decision = decide(
        ticket("Can I pay for part of my order with my card and the rest with my gift card?"),
        scorer,
        settings,
    )

    assert decision.path is Path.DRAFT
    note, tags = decision.actions
    assert isinstance(note, InternalNote)
    assert note.body.startswith("AI draft for review")
    assert (decision.reply or "") in note.body
    for source in decision.sources:
        assert f"[{source.id}] score {source.score:.3f}" in note.body
    assert tags == AddTags(tags=settings.tags.draft)


def test_escalation_plans_note_tags_status_and_customer_message(
    scorer: LexicalScorer, settings: Settings
) -> None:
    decision = decide(ticket("This is useless. I want to talk to a real person."), scorer, settings)

    assert decision.path is Path.ESCALATE
    assert kinds(decision.actions) == ["internal_note", "add_tags", "set_status", "public_reply"]
    note, tags, status, message = decision.actions
    assert isinstance(note, InternalNote)
    assert note.body.startswith("Handoff")
    assert tags == AddTags(tags=("handoff_escalated", "handoff_human_request"))
    assert status == SetStatus(status=Status.OPEN)
    assert message == PublicReply(
        body="Of course \u2014 I'm connecting you with a member of our team. "
        "They'll reply here as soon as possible."
    )


def test_escalation_tags_are_tag_safe_and_one_per_reason(
    scorer: LexicalScorer, settings: Settings
) -> None:
    decision = decide(ticket("I want a refund, you charged me twice!", vip=True), scorer, settings)

    tags = next(a for a in decision.actions if isinstance(a, AddTags))
    assert tags.tags == (
        "handoff_escalated",
        "handoff_high_risk_refund",
        "handoff_high_risk_billing",
        "handoff_vip",
    )


ROUTING = RoutingSettings(
    default=Route(group="Support"),
    by_reason={
        "high_risk": Route(group="Risk"),
        "high_risk:refund": Route(group="Refunds", priority=Priority.HIGH),
        "human_request": Route(group="Tier 2", assignee="42"),
    },
)


@pytest.mark.parametrize(
    ("text", "assign", "priority"),
    [
        ("I want a human, and a refund", Assign(group="Refunds"), Priority.HIGH),
        ("I want a human. My lawyer is reading this.", Assign(group="Risk"), None),
        ("I want to talk to a real person", Assign(group="Tier 2", assignee="42"), None),
        ("Do you sell concert tickets?", Assign(group="Support"), None),
    ],
)
def test_routing_picks_the_most_specific_route(
    scorer: LexicalScorer, text: str, assign: Assign, priority: Priority | None
) -> None:
    settings = Settings(routing=ROUTING)

    decision = decide(ticket(text), scorer, settings)

    assert decision.path is Path.ESCALATE
    assert next(a for a in decision.actions if isinstance(a, Assign)) == assign
    planned = [a.priority for a in decision.actions if isinstance(a, SetPriority)]
    assert planned == ([priority] if priority else [])
    expected = ["internal_note", "add_tags", "assign"]
    expected += ["set_priority"] if priority else []
    assert kinds(decision.actions) == [*expected, "set_status", "public_reply"]


def test_scorer_failure_escalates_as_ai_unavailable(settings: Settings) -> None:
    decision = decide(ticket("Where is my order?"), FailingScorer(), settings)

    assert decision.path is Path.ESCALATE
    assert decision.reasons[0].code == "ai_unavailable"
    assert decision.confidence == 0.0
    note = decision.actions[0]
    assert isinstance(note, InternalNote)
    assert "model server unreachable" in note.body


def test_skip_plans_nothing(scorer: LexicalScorer) -> None:
    settings = Settings(exclusions=ExclusionSettings(tags=("legal_hold",)))

    decision = decide(ticket("Where is my order?", tags=("legal_hold",)), scorer, settings)

    assert decision.path is Path.SKIP
    assert decision.actions == ()
    assert decision.reasons[0].rule == "exclusions.tags[0]"


def test_guards_run_before_the_scorer(settings: Settings) -> None:
    # FailingScorer would escalate; the guard must win first.
    decision = decide(ticket(), FailingScorer(), settings)

    assert decision.path is Path.SKIP


def test_signals_and_reasons_carry_evidence(scorer: LexicalScorer, settings: Settings) -> None:
    decision = decide(ticket("My account was hacked!"), scorer, settings)

    signal = next(s for s in decision.signals if s.name == "high_risk:security")
    assert signal.evidence == "hacked"
    assert all(r.code and r.rule and r.detail for r in decision.reasons)


def test_the_same_input_gives_the_same_decision(
    docs: tuple[KnowledgeDoc, ...], scorer: LexicalScorer, settings: Settings
) -> None:
    thread = ticket(
        "My parcel is late.",
        "Still nothing. I'm fed up, this is ridiculous. Where is my order?",
        vip=True,
    )

    first = decide(thread, scorer, settings)

    assert all(decide(thread, scorer, settings) == first for _ in range(5))
    assert decide(thread.model_copy(), LexicalScorer(docs), settings) == first
