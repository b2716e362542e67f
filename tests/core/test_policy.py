from __future__ import annotations

import pytest

from core.guards import guard
from core.knowledge import KnowledgeDoc
from core.models import Path, Role, Signal, Source
from core.policy import choose
from core.scorer import Answer
from core.settings import ExclusionSettings, PolicySettings
from tests.core.helpers import ticket

DOC = KnowledgeDoc(id="track_order", title="Track", category="ORDERS", examples=("q",), body="b")
SOURCE = Source(id="track_order", title="Track", score=0.5)
HUMAN = Signal(name="human_request", value="triggers.human_request[2]", evidence="human please")
REFUND = Signal(name="high_risk:refund", value="triggers.high_risk.refund[0]", evidence="refund")
VIP = Signal(name="vip", value="requester.vip", evidence="requester.vip = true")
CALM = Signal(name="sentiment", value="neutral")


def answer(confidence: float, reply: str | None = "Here is how.") -> Answer:
    return Answer(reply=reply, confidence=confidence, sources=(SOURCE,), doc=DOC)


@pytest.mark.parametrize(
    ("confidence", "path", "code"),
    [
        (0.95, Path.AUTO_RESOLVE, "high_confidence"),
        (0.90, Path.AUTO_RESOLVE, "high_confidence"),
        (0.89, Path.DRAFT, "medium_confidence"),
        (0.50, Path.DRAFT, "medium_confidence"),
        (0.49, Path.ESCALATE, "low_confidence"),
        (0.0, Path.ESCALATE, "low_confidence"),
    ],
)
def test_default_thresholds(confidence: float, path: Path, code: str) -> None:
    verdict = choose([CALM], answer(confidence), "", PolicySettings())

    assert verdict.path is path
    assert [r.code for r in verdict.reasons] == [code]


def test_thresholds_come_from_settings_and_are_named_in_the_rule() -> None:
    policy = PolicySettings(auto_resolve_threshold=0.9, draft_threshold=0.3)

    auto = choose([], answer(0.9), "", policy)
    draft = choose([], answer(0.89), "", policy)
    low = choose([], answer(0.29), "", policy)

    assert (auto.path, auto.reasons[0].rule) == (
        Path.AUTO_RESOLVE,
        "policy.auto_resolve_threshold=0.9",
    )
    assert (draft.path, draft.reasons[0].rule) == (Path.DRAFT, "policy.draft_threshold=0.3")
    assert (low.path, low.reasons[0].rule) == (Path.ESCALATE, "policy.draft_threshold=0.3")


def test_human_request_escalates_whatever_the_confidence() -> None:
    verdict = choose([HUMAN, CALM], answer(1.0), "", PolicySettings())

    assert verdict.path is Path.ESCALATE
    reason = verdict.reasons[0]
    assert (reason.code, reason.rule) == ("human_request", "triggers.human_request[2]")
    assert "human please" in reason.detail


def test_high_risk_escalates_with_one_reason_per_topic() -> None:
    billing = Signal(
        name="high_risk:billing", value="triggers.high_risk.billing[1]", evidence="charged twice"
    )

    verdict = choose([HUMAN, REFUND, billing], answer(1.0), "", PolicySettings())

    assert verdict.path is Path.ESCALATE
    assert [r.code for r in verdict.reasons] == [
        "human_request",
        "high_risk:refund",
        "high_risk:billing",
    ]


def test_scorer_failure_escalates_as_ai_unavailable() -> None:
    verdict = choose([CALM], None, "provider timed out", PolicySettings())

    assert verdict.path is Path.ESCALATE
    assert verdict.reasons[0].code == "ai_unavailable"
    assert verdict.reasons[0].detail == "provider timed out"


def test_a_vip_is_drafted_instead_of_auto_resolved() -> None:
    verdict = choose([VIP, CALM], answer(0.99), "", PolicySettings())

    assert verdict.path is Path.DRAFT
    assert [r.code for r in verdict.reasons] == ["vip"]


def test_a_vip_escalation_carries_a_vip_reason_after_the_primary_one() -> None:
    verdict = choose([VIP], answer(0.1), "", PolicySettings())

    assert verdict.path is Path.ESCALATE
    assert [r.code for r in verdict.reasons] == ["low_confidence", "vip"]


def test_ungrounded_answers_never_pass() -> None:
    ungrounded = Answer(reply="Sure!", confidence=0.99)

    verdict = choose([], ungrounded, "", PolicySettings())

    assert (verdict.path, verdict.reasons[0].code) == (Path.ESCALATE, "low_confidence")


def test_a_reply_with_a_template_gap_is_drafted_even_when_confident() -> None:
    verdict = choose([], answer(0.99, reply="Visit [Website Name] now."), "", PolicySettings())

    assert (verdict.path, verdict.reasons[0].code) == (Path.DRAFT, "unfilled_placeholder")


@pytest.mark.parametrize(
    ("exclusions", "kwargs", "code", "rule"),
    [
        (
            ExclusionSettings(tags=("x", "legal_hold")),
            {"tags": ("Legal_Hold",)},
            "excluded_tag",
            "exclusions.tags[1]",
        ),
        (
            ExclusionSettings(channels=("voice",)),
            {"channel": "Voice"},
            "excluded_channel",
            "exclusions.channels[0]",
        ),
        (
            ExclusionSettings(requester_emails=("CEO@example.com",)),
            {"email": "ceo@example.com"},
            "excluded_requester",
            "exclusions.requester_emails[0]",
        ),
        (
            ExclusionSettings(requester_domains=("@partner.example",)),
            {"email": "bob@mail.partner.example"},
            "excluded_requester",
            "exclusions.requester_domains[0]",
        ),
        (
            ExclusionSettings(subject_patterns=(r"^\[press\]",)),
            {"subject": "[PRESS] interview request"},
            "excluded_subject",
            "exclusions.subject_patterns[0]",
        ),
    ],
)
def test_exclusions_skip_with_the_rule_that_matched(
    exclusions: ExclusionSettings, kwargs: dict[str, object], code: str, rule: str
) -> None:
    reason = guard(ticket("Where is my order?", **kwargs), exclusions)  # type: ignore[arg-type]

    assert reason is not None
    assert (reason.code, reason.rule) == (code, rule)


def test_a_domain_exclusion_does_not_match_a_lookalike_domain() -> None:
    exclusions = ExclusionSettings(requester_domains=("partner.example",))

    assert guard(ticket("hi", email="eve@notpartner.example"), exclusions) is None


def test_not_the_customers_turn_is_skipped() -> None:
    thread = ticket("Where is my order?", "It ships today!", authors=(Role.CUSTOMER, Role.AGENT))

    reason = guard(thread, ExclusionSettings())

    assert reason is not None
    assert reason.code == "not_customer_turn"
    assert "agent" in reason.detail


def test_an_empty_thread_is_skipped() -> None:
    reason = guard(ticket(), ExclusionSettings())

    assert reason is not None
    assert reason.code == "not_customer_turn"


def test_a_customer_turn_without_exclusions_passes() -> None:
    assert guard(ticket("Where is my order?"), ExclusionSettings()) is None
