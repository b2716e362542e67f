"""Offer, don't force: soft triggers offer a person; yes escalates, no stays with the AI."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.engine import decide
from core.frustration import FRUSTRATION
from core.models import AddTags, Decision, Path, PublicReply, Role, SetStatus, Signal, Status
from core.models import Ticket as TicketModel
from core.offer import HUMAN_DECLINED, HUMAN_OFFERED, OFFER_LINES, reply_to_offer
from core.scorer import Answer, LexicalScorer
from core.settings import PolicySettings, Route, RoutingSettings, Settings
from tests.core.helpers import ticket

QUESTION = "I forgot my password and can't log in to my account"
ANSWERED = f"Here is how to reset your password: use the link on the sign-in page.\n\n" \
           f"{OFFER_LINES['en']}"
HUMANS = Route(group="humans")


class Frustrated:
    """The scorer's frustration model, fixed at one score (or none)."""

    docs = ()
    frustration = None
    human_model = None

    def __init__(self, score: float | None) -> None:
        self.score = score

    def signal(self, texts: Sequence[str]) -> Signal | None:
        if self.score is None:
            return None
        return Signal(name=FRUSTRATION, value=self.score, evidence="trend single")


class Scorer:
    def __init__(self, inner: LexicalScorer, score: float | None) -> None:
        self.inner = inner
        self.frustration = Frustrated(score)
        self.human_model = None

    def answer(self, ticket: TicketModel) -> Answer:
        return self.inner.answer(ticket)


def settings(*offer: str) -> Settings:
    return Settings(policy=PolicySettings(offer_human=offer),  # type: ignore[arg-type]
                    routing=RoutingSettings(by_reason={"human_request": HUMANS}))


def after_offer(answer: str, tags: tuple[str, ...] = ()) -> TicketModel:
    """The customer's `answer` to an AI reply that offered a person."""
    return ticket(QUESTION, ANSWERED, answer, authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER),
                  tags=tags)


def codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons]


def test_default_policy_forces_strong_frustration_and_lets_mild_pass(
    scorer: LexicalScorer
) -> None:
    mild = decide(ticket(QUESTION), Scorer(scorer, 0.4), settings())
    assert mild.path is Path.AUTO_RESOLVE
    assert HUMAN_OFFERED not in codes(mild)
    strong = decide(ticket(QUESTION), Scorer(scorer, 3.5), settings())
    assert strong.path is Path.ESCALATE
    assert codes(strong)[0] == FRUSTRATION


def test_listed_soft_trigger_offers_a_person_and_leaves_the_ticket_open(
    scorer: LexicalScorer
) -> None:
    decision = decide(ticket(QUESTION), Scorer(scorer, 0.4), settings("frustration"))
    assert decision.path is Path.AUTO_RESOLVE
    assert codes(decision)[-1] == HUMAN_OFFERED
    reply = next(a for a in decision.actions if isinstance(a, PublicReply))
    assert reply.body.endswith(OFFER_LINES["en"])
    assert SetStatus(status=Status.PENDING) in decision.actions
    assert SetStatus(status=Status.SOLVED) not in decision.actions
    tags = next(a for a in decision.actions if isinstance(a, AddTags)).tags
    assert "handoff_offered_frustration" in tags
    # Strong anger is never merely offered, listed or not.
    strong = decide(ticket(QUESTION), Scorer(scorer, 3.5), settings("frustration"))
    assert strong.path is Path.ESCALATE
    assert HUMAN_OFFERED not in codes(strong)


def test_loop_is_offered_only_when_listed(scorer: LexicalScorer) -> None:
    thread = ticket(QUESTION, "Try the reset link.", "It did not arrive",
                    "Check your spam folder.", QUESTION,
                    authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER, Role.AI, Role.CUSTOMER))
    assert codes(decide(thread, Scorer(scorer, None), settings()))[0] == "loop"
    offered = decide(thread, Scorer(scorer, None), settings("loop"))
    assert offered.path is not Path.ESCALATE
    assert codes(offered)[-1] == HUMAN_OFFERED


def test_accepting_the_offer_escalates_at_once_on_the_human_request_route(
    scorer: LexicalScorer
) -> None:
    for answer in ("Yes please", "yes", "Sí, por favor", "oui", "Ja, gerne"):
        decision = decide(after_offer(answer, ("handoff_offered_frustration",)),
                          Scorer(scorer, 0.4), settings("frustration"))
        assert decision.path is Path.ESCALATE, answer
        assert codes(decision)[0] == "human_request"
        assert any(getattr(a, "group", None) == "humans" for a in decision.actions)


def test_declining_keeps_the_ticket_with_the_ai_and_is_not_offered_again(
    scorer: LexicalScorer
) -> None:
    tags = ("handoff_offered_frustration",)
    decision = decide(after_offer("No thanks, I'm fine", tags), Scorer(scorer, 0.4),
                      settings("frustration"))
    assert decision.path is Path.AUTO_RESOLVE
    assert codes(decision) == [HUMAN_DECLINED]
    assert SetStatus(status=Status.SOLVED) in decision.actions
    # A new question after declining: answered, the same trigger neither offered nor forced.
    later = ticket(QUESTION, ANSWERED, "No thanks", "Fine.", QUESTION,
                   authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER, Role.AI, Role.CUSTOMER),
                   tags=tags)
    again = decide(later, Scorer(scorer, 0.4), settings("frustration"))
    assert HUMAN_OFFERED not in codes(again)
    assert FRUSTRATION not in codes(again)


def test_an_explicit_request_always_escalates(scorer: LexicalScorer) -> None:
    asked = decide(ticket("I want to talk to a human about my password"), Scorer(scorer, 0.4),
                   settings("frustration", "loop"))
    assert asked.path is Path.ESCALATE
    assert codes(asked)[0] == "human_request"
    # Even right after declining an offer.
    changed = decide(after_offer("No. Actually let me speak to a real person",
                                 ("handoff_offered_frustration",)),
                     Scorer(scorer, 0.4), settings("frustration"))
    assert changed.path is Path.ESCALATE
    assert codes(changed)[0] == "human_request"


@pytest.mark.parametrize(("text", "expected"), [
    ("Yes please", "accept"), ("sure, go ahead", "accept"), ("sí", "accept"),
    ("Oui", "accept"), ("ja bitte", "accept"), ("sim", "accept"),
    ("No thanks, I'm fine", "decline"), ("nein danke", "decline"), ("I'm good", "decline"),
    ("non merci", "decline"), ("What about my order?", None), ("yesterday it broke", None),
])
def test_reply_to_offer(text: str, expected: str | None) -> None:
    assert reply_to_offer(text) == expected


def test_a_yes_without_a_standing_offer_is_just_a_message(scorer: LexicalScorer) -> None:
    thread = ticket(QUESTION, "Use the reset link on the sign-in page.", "yes",
                    authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER))
    assert "human_request" not in codes(decide(thread, Scorer(scorer, None), settings()))
