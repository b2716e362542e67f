"""Policy overrides and modes, and the context signals (VIP from config, SLA, loop, language)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.engine import decide
from core.knowledge import KnowledgeDoc
from core.models import InternalNote, Path, Requester, Role, Signal, Source, Ticket
from core.policy import choose
from core.scorer import Answer, LexicalScorer
from core.settings import PolicySettings, Settings, TriggerSettings
from core.triggers import detect
from tests.core.helpers import START, ticket

DOC = KnowledgeDoc(id="track", title="Track your order", category="ORDERS",
                   examples=("Where is my order?",), body="Open Account > Orders.")


def sure(confidence: float = 0.95) -> Answer:
    return Answer(reply="Open Account > Orders.", confidence=confidence, doc=DOC,
                  sources=(Source(id="track", title="Track your order", score=0.9),))


def test_category_threshold_override() -> None:
    policy = PolicySettings(categories={"ORDERS": {"auto_resolve_threshold": 0.99}})
    verdict = choose([], sure(0.95), "", policy)
    assert verdict.path is Path.DRAFT
    assert verdict.reasons[0].rule == "policy.categories.ORDERS.draft_threshold=0.5"
    assert choose([], sure(0.995), "", policy).path is Path.AUTO_RESOLVE


def test_never_auto_resolve_category_and_topic() -> None:
    assert choose([], sure(), "", PolicySettings(never_auto_resolve=("ORDERS",))).path is Path.DRAFT
    refund = Signal(name="high_risk:refund", value="r", evidence="refund")
    escalating = choose([refund], sure(), "", PolicySettings())
    assert escalating.path is Path.ESCALATE
    drafting = choose([refund], sure(), "", PolicySettings(never_auto_resolve=("refund",)))
    assert drafting.path is Path.DRAFT
    assert drafting.reasons[0].code == "never_auto_resolve"
    forced = PolicySettings(never_auto_resolve=("refund",), always_escalate=("refund",))
    assert choose([refund], sure(), "", forced).path is Path.ESCALATE


def test_draft_only_mode_turns_auto_resolve_into_a_draft() -> None:
    verdict = choose([], sure(), "", PolicySettings(mode="draft_only"))
    assert verdict.path is Path.DRAFT
    assert verdict.reasons[0].rule == "policy.mode=draft_only"


@pytest.fixture(scope="module")
def lexical() -> LexicalScorer:
    return LexicalScorer((DOC,))


def test_shadow_mode_decides_but_writes_only_a_note(lexical: LexicalScorer) -> None:
    t = ticket("Where is my order?")
    easy = {"auto_resolve_threshold": 0.1, "draft_threshold": 0.0}
    live = decide(t, lexical, Settings(policy=easy))
    shadow = decide(t, lexical, Settings(
        policy={"auto_resolve_threshold": 0.1, "draft_threshold": 0.0, "mode": "shadow"}))
    assert shadow.path is live.path
    assert len(shadow.actions) == 1
    assert isinstance(shadow.actions[0], InternalNote)
    assert "Shadow mode" in shadow.actions[0].body
    silent = Settings(policy={"mode": "shadow", "shadow_note": False})
    assert decide(t, lexical, silent).actions == ()


def names(t: Ticket, triggers: TriggerSettings | None = None) -> dict[str, Signal]:
    return {s.name: s for s in detect(t, triggers or TriggerSettings())}


def test_vip_from_configured_tags_organisations_and_fields() -> None:
    triggers = TriggerSettings(vip_tags=("gold",), vip_organizations=("Acme",),
                               vip_fields={"plan": ("enterprise",)})
    base = ticket("hello there")
    assert "vip" in names(base.model_copy(update={"tags": ("Gold",)}), triggers)
    org = base.model_copy(update={"requester": Requester(id="r", organization="acme")})
    assert "vip" in names(org, triggers)
    field = base.model_copy(update={"custom_fields": {"plan": "Enterprise"}})
    assert names(field, triggers)["vip"].value == "triggers.vip_fields.plan"
    assert "vip" not in names(base, triggers)


def test_sla_risk_inside_the_margin_only() -> None:
    t = ticket("Where is my order?")
    soon = t.model_copy(update={"sla_due_at": START + timedelta(minutes=30)})
    later = t.model_copy(update={"sla_due_at": START + timedelta(hours=5)})
    assert "sla_risk" in names(soon)
    assert "sla_risk" not in names(later)
    assert "sla_risk" in detect_names(later, START + timedelta(hours=4, minutes=30))


def detect_names(t: Ticket, now: object) -> set[str]:
    return {s.name for s in detect(t, TriggerSettings(), None, now)}  # type: ignore[arg-type]


def test_loop_after_ai_turns_or_a_restated_question(lexical: LexicalScorer) -> None:
    ai = (Role.CUSTOMER, Role.AI, Role.CUSTOMER, Role.AI, Role.CUSTOMER)
    looped = ticket("a", "b", "c", "d", "e", authors=ai)
    assert "loop" in names(looped)
    restated = ticket("Where is my order number 5521?", "It ships soon.",
                      "where is my order number 5521", authors=(Role.CUSTOMER, Role.AI))
    assert "loop" in names(restated)
    assert decide(restated, lexical, Settings()).reasons[0].code == "loop"
    assert "loop" not in names(ticket("Where is my order?"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Where is my order? I would like to track it please", "en"),
        ("Quiero saber dónde está mi pedido, por favor", "es"),
        ("Je voudrais savoir où est ma commande, merci", "fr"),
        ("Ich möchte wissen wo meine Bestellung ist, bitte", "de"),
        ("Quero saber onde está o meu pedido, por favor", "pt"),
        ("Vorrei sapere dove si trova il mio ordine", "it"),
        ("Ik wil graag weten waar mijn bestelling is", "nl"),
        ("注文した商品がまだ届いていません", "ja"),
        ("no thanks, I'm fine", "en"),
        ("ok", "en"),
        ("danke", "en"),
    ],
)
def test_language_detection(text: str, code: str) -> None:
    assert names(ticket(text))["language"].value == code


def test_uncovered_language_never_auto_resolves() -> None:
    signals = [Signal(name="language", value="fr")]
    verdict = choose(signals, sure(), "", PolicySettings(), languages=("en",))
    assert verdict.path is Path.DRAFT
    assert verdict.reasons[0].rule == "triggers.knowledge_languages"
    assert choose(signals, sure(), "", PolicySettings(), languages=("en", "fr")).path \
        is Path.AUTO_RESOLVE


def test_customer_message_in_their_language_and_honest_after_hours() -> None:
    from datetime import UTC, datetime

    from core.messages import closed, customer_message
    from core.models import Reason
    from core.settings import BusinessHours

    human = [Reason(code="human_request", rule="r")]
    assert "persona" in customer_message(human, "es")
    assert "connecting you" in customer_message(human, "xx")
    hours = BusinessHours(days=(0, 1, 2, 3, 4), start="09:00", end="17:00")
    saturday = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    monday = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)
    assert closed(hours, monday) is None
    shown = closed(hours, saturday)
    assert shown is not None
    assert "offline" in customer_message(human, "en", shown)


def test_escalation_note_has_five_parts_with_frustration_trend(lexical: LexicalScorer) -> None:
    thread = ticket("Where is my order?", "It ships soon.",
                    "Third time I'm asking, still nothing!! I want to talk to a person.",
                    authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER))
    decision = decide(thread, lexical, Settings())
    note = next(a for a in decision.actions if isinstance(a, InternalNote)).body
    for part in ("Reason:", "Summary:", "Customer sentiment:", "What the AI tried:",
                 "Suggested next step:"):
        assert part in note
    assert "frustrated" in note
