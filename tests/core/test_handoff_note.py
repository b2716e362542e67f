from __future__ import annotations

from core.engine import decide
from core.handoff_note import draft_note, handoff_note, story
from core.models import Attachment, InternalNote, Message, Reason, Role, Signal
from core.scorer import Answer, LexicalScorer
from core.settings import Settings
from tests.core.helpers import START, ticket

LABELS = (
    "Reason:",
    "Summary:",
    "Customer sentiment:",
    "What the AI tried:",
    "Suggested next step:",
)


def escalation_note(thread_texts: tuple[str, ...], scorer: LexicalScorer, **kwargs: object) -> str:
    decision = decide(ticket(*thread_texts, **kwargs), scorer, Settings())  # type: ignore[arg-type]
    note = decision.actions[0]
    assert isinstance(note, InternalNote)
    return note.body


def test_note_has_all_five_parts_in_order(scorer: LexicalScorer) -> None:
    note = escalation_note(
        (
            "My parcel is two weeks late.",
            "Still nothing! This is ridiculous, let me talk to a real person.",
        ),
        scorer,
        subject="Late parcel",
    )

    positions = [note.index(label) for label in LABELS]
    assert positions == sorted(positions)


def test_note_content(scorer: LexicalScorer) -> None:
    thread = (
        "My parcel is two weeks late.",
        "Still nothing! This is ridiculous, let me talk to a real person.",
    )

    note = escalation_note(thread, scorer, subject="Late parcel")

    assert "- human_request (triggers.human_request[0]): " in note
    assert "Subject: Late parcel" in note
    assert ('- Customer: "My parcel is two weeks late."\n- Customer: "Still nothing!'
            in note)
    assert "Customer sentiment: negative (ridiculous)" in note
    assert "Sources checked:" in note
    assert "Best confidence:" in note
    assert "Suggested next step: Reply personally" in note


def test_long_messages_are_truncated(scorer: LexicalScorer) -> None:
    note = escalation_note(("I want a human. " + "blah " * 400,), scorer)

    summary = note.split("Summary:")[1].split("Customer sentiment:")[0]
    assert len(summary) < 800
    assert "\u2026" in summary


def test_customer_markup_stays_literal_plain_text(scorer: LexicalScorer) -> None:
    hostile = "<script>alert('x')</script> I want a human <b>now</b>"

    note = escalation_note((hostile,), scorer, subject="<img src=x onerror=alert(1)>")

    # Plain text: the markup is carried as literal characters, never converted,
    # stripped or half-escaped; the connector escapes the whole note for its platform.
    assert "<script>alert('x')</script>" in note
    assert "<img src=x onerror=alert(1)>" in note
    assert "&lt;" not in note


def test_the_note_never_uses_message_html(scorer: LexicalScorer) -> None:
    thread = ticket("I want a human")
    html = thread.messages[0].model_copy(update={"html": "<p onclick='x()'>I want a human</p>"})
    thread = thread.model_copy(update={"messages": (html,)})

    decision = decide(thread, scorer, Settings())

    assert all("onclick" not in getattr(a, "body", "") for a in decision.actions)


def test_other_messages_are_not_quoted_as_the_customer(scorer: LexicalScorer) -> None:
    # An AI message here: after an agent's public reply the AI stays out (human first).
    note = escalation_note(
        ("Where is my order?", "Let me check.", "I want a human now"),
        scorer,
        authors=(Role.CUSTOMER, Role.AI, Role.CUSTOMER),
    )

    assert '"Let me check."' not in note
    assert ('- Customer: "Where is my order?"\n- AI answered: Let me check.\n'
            '- Customer: "I want a human now"') in note
    assert "Thread: 3 public message(s), 2 from the customer." in note


def test_scorer_failure_is_reported_as_what_the_ai_tried() -> None:
    reasons = [Reason(code="ai_unavailable", rule="scorer", detail="timeout")]

    note = handoff_note(ticket("Where is my order?"), reasons, [], None, "timeout")

    assert "What the AI tried:\nThe AI could not answer: timeout." in note
    assert "Customer sentiment: neutral" in note
    assert "Suggested next step: The AI could not produce an answer" in note


def test_next_step_falls_back_to_the_reason_family() -> None:
    reasons = [Reason(code="high_risk:warranty", rule="triggers.high_risk.warranty[0]", detail="d")]
    signals = [Signal(name="sentiment", value="positive", evidence="thanks")]

    note = handoff_note(
        ticket("warranty claim"), reasons, signals, Answer(reply=None, confidence=0.0)
    )

    assert "Suggested next step: Read the thread and handle the topic by hand" in note
    assert "Customer sentiment: positive (thanks)" in note
    assert "- no article matched" in note


def test_draft_note_shows_confidence_reply_and_sources(scorer: LexicalScorer) -> None:
    answer = scorer.answer(ticket("Can I pay with my card and the rest with my gift card?"))
    reasons = [Reason(code="medium_confidence", rule="policy.draft_threshold=0.5", detail="d")]

    note = draft_note(answer, reasons)

    assert note.startswith(f"AI draft for review (confidence {answer.confidence:.2f})")
    assert f"--- Draft reply ---\n{answer.reply}\n--- End of draft ---" in note
    assert answer.sources[0].title in note


def _thread(turns: int) -> tuple[Message, ...]:
    return tuple(
        Message(author=Role.CUSTOMER if i % 2 == 0 else Role.AI, created_at=START,
                text=f"turn {i} " + ("words " * 60 if i % 2 == 0 else "Hi, do this.\n1. Step"))
        for i in range(turns))


def test_the_whole_thread_is_told_when_it_fits() -> None:
    lines = story(_thread(6))
    assert [line.split(":")[0] for line in lines] == ["- Customer", "- AI answered"] * 3
    assert all("\n" not in line for line in lines)


def test_a_long_thread_keeps_the_first_and_newest_turns_and_says_what_was_cut() -> None:
    lines = story(_thread(30), cap=2000)
    assert len("\n".join(lines)) <= 2000
    assert lines[0].startswith('- Customer: "turn 0 ')
    assert lines[-1].startswith("- AI answered: turn 29 ")
    cut = lines[1]
    told = {int(line.split("turn ")[1].split()[0]) for line in lines if "turn " in line
            and "cut" not in line}
    assert cut.startswith(f"- ({30 - len(told)} turn(s) in between cut to keep this note short:")
    assert "AI" in cut
    assert "customer" in cut


def test_the_note_lists_the_attachments_with_type_size_link_and_sender(
    scorer: LexicalScorer,
) -> None:
    thread = ticket("My lamp arrived broken, I want a human")
    photo = Attachment(name="broken.jpg", content_type="image/jpeg", size=48213,
                       url="https://files.example/broken.jpg")
    first = thread.messages[0].model_copy(update={"attachments": (photo, Attachment(name="x"))})
    decision = decide(thread.model_copy(update={"messages": (first,)}), scorer, Settings())
    note = decision.actions[0]
    assert isinstance(note, InternalNote)
    assert ("Attachments:\n- broken.jpg (image/jpeg, 47.1 KB), from the customer "
            "https://files.example/broken.jpg\n- x, from the customer\n\n") in note.body
    assert "Attachments:" not in escalation_note(("I want a human",), scorer)
