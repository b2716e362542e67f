"""The threshold sweep maths against brute force: the engine re-run with each threshold pair."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest

from core.engine import decide
from core.knowledge import KnowledgeDoc
from core.models import Decision, Ticket
from core.scorer import Answer, LexicalScorer
from core.settings import Settings
from core.simulation import ticket_from_row
from core.thresholds import (
    CAPPED,
    DRAFTED,
    ESCALATE,
    FREE,
    SKIP,
    Outcome,
    ThresholdSweep,
    capture_policy,
    grid,
    judge,
    outcome,
    overrides,
    path_for,
    recommend,
)
from tests.core.helpers import samples

EXTRA = [
    ("e-track", "Where is my parcel? I want to track my order", "auto", "track_order"),
    ("e-pass", "I forgot my password and cannot log in", "auto", "reset_password"),
    ("e-gift", "Do you sell gift cards for birthdays?", "auto", "gift_cards"),
    ("e-ship", "How long does shipping take to Canada?", "auto", "shipping_times"),
    ("e-pay", "Which payment methods do you take, is PayPal ok?", "auto", "payment_methods"),
    ("e-addr", "I need to change the delivery address on my order", "auto", "change_address"),
    ("e-hours", "When is your support team open?", "auto", "contact_hours"),
    ("e-wrong", "Where is my parcel? I want to track my order", "auto", "reset_password"),
    ("e-vague", "hello there, a question about the thing", "auto", "return_policy"),
    ("e-refund", "I want my money back for this order, refund me", "not_auto", None),
    ("e-human", "let me talk to a real person please", "escalate", None),
    ("e-return", "How do I return the shoes I bought?", "auto", "return_policy"),
]


# Requester tags that the fixture's policy rules act on: a forced draft, a cap, tags only.
RULE_TAGS = {"e-pay": ("draft_me",), "e-pass": ("draft_me",), "e-addr": ("tag_me",),
             "e-hours": ("cap_me",), "e-return": ("tag_me", "cap_me")}
RULES = {"combine": "all", "list": [
    {"name": "forced draft", "when": {"requester": {"tags": ["draft_me"]}},
     "then": {"action": "draft"}},
    {"name": "tag only", "when": {"requester": {"tags": ["tag_me"]}}, "then": {"tags": ["t"]}},
    {"name": "capped", "when": {"requester": {"tags": ["cap_me"]}},
     "then": {"action": "never_auto_resolve"}},
]}


class Spread:
    """The lexical scorer with confidences spread over [0.3, 1] by ticket id, so that
    the threshold pairs cut through the set at many places."""

    docs = ()
    frustration = None
    human_model = None

    def __init__(self, inner: LexicalScorer) -> None:
        self.inner = inner

    def answer(self, ticket: Ticket) -> Answer:
        answer = self.inner.answer(ticket)
        if answer.reply is None:
            return answer
        spread = int(hashlib.sha256(ticket.id.encode()).hexdigest(), 16) % 701 / 1000
        return answer.model_copy(update={"confidence": round(0.3 + spread, 4)})


def _rows() -> list[dict[str, Any]]:
    rows = samples()
    for i, (tid, text, expect, intent) in enumerate(EXTRA):
        rows.append({
            "id": tid, "subject": "", "channel": "email", "tags": [],
            "requester": {"id": f"x{i}", "email": f"x{i}@example.com", "name": "X",
                          "vip": tid == "e-ship", "tags": list(RULE_TAGS.get(tid, ()))},
            "messages": [{"author": "customer", "body": text, "public": True,
                          "created_at": "2026-01-05T10:00:00Z"}],
            "labels": {"expect": expect, "intent": intent}})
    return rows + [{**r, "id": f"{r['id']}-again"} for r in rows]


@pytest.fixture(scope="module", params=["lexical", "spread"])
def setup(docs: tuple[KnowledgeDoc, ...],
          request: pytest.FixtureRequest) -> tuple[Settings, Any, list[Any]]:
    settings = Settings.model_validate({
        "exclusions": {"tags": ["legal_hold", "no_ai"]},
        "policy": {"never_auto_resolve": ["GIFT_CARDS"],
                   "categories": {"ORDERS": {"auto_resolve_threshold": 0.97},
                                  "ACCOUNT": {"draft_threshold": 0.3},
                                  "SHIPPING": {"draft_threshold": 0.8}}},
        "rules": RULES,
    })
    tickets = [(ticket_from_row(r), r.get("labels")) for r in _rows()]
    lexical = LexicalScorer(docs)
    return settings, lexical if request.param == "lexical" else Spread(lexical), tickets


def _category(decision: Decision, docs: tuple[KnowledgeDoc, ...]) -> str:
    by_id = {d.id: d.category for d in docs}
    return by_id.get(decision.sources[0].id, "") if decision.sources else ""


def _at(settings: Settings, auto: float, draft: float) -> Settings:
    policy = settings.policy.model_copy(update={"auto_resolve_threshold": auto,
                                                "draft_threshold": draft})
    return settings.model_copy(update={"policy": policy})


def _capture(setup: tuple[Settings, Any, list[Any]],
             docs: tuple[KnowledgeDoc, ...]) -> list[Outcome]:
    settings, scorer, tickets = setup
    runs = settings.model_copy(update={"policy": capture_policy(settings.policy)})
    out = []
    for ticket, labels in tickets:
        d = decide(ticket, scorer, runs)
        out.append(outcome(d, _category(d, docs), labels))
    return out


def test_the_small_set_covers_every_kind(setup: Any, docs: tuple[KnowledgeDoc, ...]) -> None:
    kinds = Counter(o.kind for o in _capture(setup, docs))
    assert all(kinds[k] for k in (SKIP, ESCALATE, CAPPED, DRAFTED, FREE)), kinds


def test_sweep_equals_the_engine_rerun_with_each_threshold_pair(
    setup: tuple[Settings, Any, list[tuple[Ticket, Any]]],
    docs: tuple[KnowledgeDoc, ...],
) -> None:
    settings, scorer, tickets = setup
    outcomes = _capture(setup, docs)
    extra = overrides(settings.policy)
    sweep = ThresholdSweep(outcomes, extra)
    confidences = sorted({o.confidence for o in outcomes if 0.5 <= o.confidence <= 0.99})
    pairs = grid(0.05) + [(c, 0.3) for c in confidences] + [(0.9, c) for c in confidences
                                                            if c <= 0.9]
    assert len(pairs) > 100
    for auto, draft in pairs:
        at = _at(settings, auto, draft)
        brute: Counter[str] = Counter()
        per: dict[str, Counter[str]] = {}
        for (ticket, labels), o in zip(tickets, outcomes, strict=True):
            d = decide(ticket, scorer, at)
            path, codes = path_for(o, auto, draft, extra)
            assert (path, codes) == (d.path.value, tuple(r.code for r in d.reasons)), (
                ticket.id, auto, draft)
            labelled, unsafe, correct = judge(labels, d.sources[0].id if d.sources else None)
            counts = Counter({path: 1, "labelled": labelled})
            if path == "auto_resolve":
                counts.update(auto_labelled=labelled, wrong=labelled and not correct,
                              unsafe=unsafe)
            brute.update(counts)
            per.setdefault(o.category, Counter()).update(counts)
        overall, categories = sweep.at(auto, draft)
        keys = ("auto_resolve", "draft", "escalate", "skip", "labelled", "auto_labelled",
                "wrong", "unsafe")
        assert {k: overall.counts[k] for k in keys} == {k: brute[k] for k in keys}
        for name, counts in per.items():
            assert {k: categories[name].counts[k] for k in keys} == {k: counts[k] for k in keys}


def test_grid_runs_auto_from_half_to_099_with_every_lower_draft() -> None:
    pairs = grid(0.01)
    autos = sorted({a for a, _ in pairs})
    assert autos[0] == 0.5
    assert autos[-1] == 0.99
    assert len(autos) == 50
    assert all(d <= a for a, d in pairs)
    assert (0.99, 0.0) in pairs
    assert (0.5, 0.5) in pairs


def test_judge_reads_evaluation_and_sample_labels() -> None:
    assert judge({"expect": "not_auto"}, "x") == (True, True, False)
    assert judge({"expect": "auto", "intent": "a"}, "a") == (True, False, True)
    assert judge({"expect": "auto", "intent": "a"}, "b") == (True, False, False)
    assert judge({"expect_path": "draft"}, "a") == (True, False, False)
    assert judge({"expect_path": "skip"}, None) == (True, True, False)
    assert judge({"frustrated": True}, None) == (False, False, False)
    assert judge(None, None) == (False, False, False)


def _row(auto: float, share: float, wrong: int, rate: float | None) -> dict[str, Any]:
    return {"auto_resolve_threshold": auto, "draft_threshold": 0.5, "labelled": 100,
            "auto_resolve": round(share * 100), "auto_resolve_share": share,
            "wrong_answers": wrong, "wrong_rate": rate}


def test_recommend_meets_the_stated_target() -> None:
    rows = [_row(0.6, 0.8, 8, 0.1), _row(0.7, 0.6, 3, 0.05), _row(0.8, 0.5, 0, 0.0),
            _row(0.9, 0.5, 0, 0.0)]
    assert recommend(rows, max_wrong=0.05)["auto_resolve_threshold"] == 0.7  # type: ignore[index]
    assert recommend(rows, max_wrong=0.01)["auto_resolve_threshold"] == 0.9  # type: ignore[index]
    assert recommend(rows, min_auto=0.55)["auto_resolve_threshold"] == 0.7  # type: ignore[index]
    assert recommend(rows, min_auto=0.9) is None
    with pytest.raises(ValueError, match="exactly one"):
        recommend(rows)
