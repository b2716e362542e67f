"""The internal notes Handoff leaves for agents: the warm handoff note and the draft note.

Both are plain text built from `Message.text`, never from `Message.html`, so no
markup from the ticket is carried over as markup: a ``<script>`` a customer typed
stays literal text, and each connector escapes the note for its platform.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from core.frustration import FRUSTRATION
from core.language import LANGUAGE
from core.models import Message, Reason, Role, Signal, Ticket
from core.policy import for_primary
from core.scorer import Answer
from core.sentiment import NEUTRAL, SENTIMENT
from core.text import excerpt

TITLE = "Handoff: this ticket needs a human."
"""The first line of every handoff note (`core.customer_record` finds the note by it)."""
SENTIMENT_LABEL = "Customer sentiment: "
EXCERPT_CHARS = 280
OTHER_CHARS = 160
"""What the AI or an agent said is shortened more than the customer's words."""
STORY_CHARS = 2000
"""The cap on the thread's turns in the handoff note; the middle is cut first."""
_CUT_LINE_ROOM = 120
_WHO = {Role.CUSTOMER: "customer", Role.AI: "AI", Role.AGENT: "agent", Role.SYSTEM: "system"}
_SAID = {Role.AI: "AI answered", Role.AGENT: "Agent replied", Role.SYSTEM: "System"}

NEXT_STEPS: dict[str, str] = {
    "human_request": (
        "Reply personally: the customer asked for a person, so don't open with a macro. "
        "Read the thread first so they don't have to repeat themselves."
    ),
    "high_risk:refund": (
        "Check the order, its delivery and the return policy, then approve or decline the "
        "refund and tell the customer the amount and when to expect it."
    ),
    "high_risk:billing": (
        "Compare the charges on the order with the payment provider before replying. "
        "Never ask for a full card number."
    ),
    "high_risk:legal": (
        "Don't admit liability or promise compensation. Forward the ticket to the legal or "
        "compliance contact and acknowledge receipt to the customer."
    ),
    "high_risk:security": (
        "Secure the account first: sign out all sessions, force a password reset, and check "
        "recent orders and address or email changes. Verify identity through the email on file."
    ),
    "high_risk:cancellation": (
        "Check whether the order has been packed or shipped, cancel it if you still can, and "
        "confirm the outcome and any refund timing to the customer."
    ),
    "high_risk": "Read the thread and handle the topic by hand; it is on the high-risk list.",
    "ai_unavailable": "The AI could not produce an answer; answer the customer directly.",
    "low_confidence": (
        "No article answered this confidently: answer directly, and if the question recurs, "
        "add a help-center article for it."
    ),
    "vip": "VIP customer: reply personally and promptly.",
    "high_risk:account": (
        "Verify the requester owns the account before changing or deleting anything, then "
        "confirm what was done and what data is kept."
    ),
    "high_risk:complaint": (
        "Acknowledge the complaint personally, log it, and tell the customer what happens next "
        "and by when."
    ),
    "loop": (
        "The AI's answers did not help: read what was already said, don't repeat it, and "
        "answer the actual question."
    ),
    "ai_needs_human": "The AI model judged this needs a person: answer directly.",
    "frustration": (
        "The customer is clearly upset: acknowledge that first, in your own words, then solve "
        "the problem; don't open with a macro."
    ),
    "sla_risk": "The SLA is about to be breached: reply now, even if only to say what happens "
                "next and by when.",
}
DEFAULT_NEXT_STEP = "Read the thread and reply to the customer."


def handoff_note(
    ticket: Ticket,
    reasons: Sequence[Reason],
    signals: Sequence[Signal],
    answer: Answer | None,
    failure: str = "",
) -> str:
    """The warm handoff note for an escalation, as plain text. Never raises.

    Labelled parts, in order: reason (with the rule that fired), summary (with the
    thread's turns), the attachments (when any), customer sentiment, customer language,
    what the AI tried, and the suggested next step.
    `answer` is None when the scorer failed; `failure` then says why.
    """
    parts = [
        TITLE,
        "Reason:\n" + "\n".join(f"- {r.code} ({r.rule}): {r.detail}" for r in reasons),
        "Summary:\n" + _summary(ticket),
        *_attachments(ticket),
        SENTIMENT_LABEL + _sentiment(signals),
        "Customer language: " + _language(signals),
        "What the AI tried:\n" + _attempt(answer, failure),
        "Suggested next step: " + next_step(reasons),
    ]
    return "\n\n".join(parts)


def draft_note(answer: Answer, reasons: Sequence[Reason]) -> str:
    """The internal note holding a draft reply for an agent to review. Never raises."""
    why = "; ".join(f"{r.code} ({r.rule}): {r.detail}" for r in reasons)
    return "\n\n".join(
        [
            f"AI draft for review (confidence {answer.confidence:.2f}). Why a draft: {why}.",
            "Check the reply below, edit it if needed, and send it as a public reply.",
            f"--- Draft reply ---\n{answer.reply or ''}\n--- End of draft ---",
            "Sources:\n" + _sources(answer),
        ]
    )


def next_step(reasons: Sequence[Reason]) -> str:
    """Advice for the primary (first) reason: its exact code, else its family."""
    return for_primary(NEXT_STEPS, reasons, DEFAULT_NEXT_STEP)


def _summary(ticket: Ticket) -> str:
    customer = ticket.customer_messages()
    public = [m for m in ticket.messages if m.public]
    lines = [f"Subject: {excerpt(ticket.subject, EXCERPT_CHARS) or '(none)'}",
             f"Thread: {len(public)} public message(s), {len(customer)} from the customer."]
    return "\n".join([*lines, *story(public)])


def story(public: Sequence[Message], cap: int = STORY_CHARS) -> list[str]:
    """Every public turn in order, one line each (the customer's quoted, the AI's and an
    agent's shortened), within `cap` characters: the first turn and the newest that fit
    are kept, and a line says how many turns were cut between them, and whose."""
    turns = [_turn(m) for m in public]
    if sum(len(t) + 1 for t in turns) <= cap:
        return turns
    kept: list[str] = []
    room = cap - len(turns[0]) - _CUT_LINE_ROOM
    for line in reversed(turns[1:]):
        if len(line) + 1 > room:
            break
        kept.insert(0, line)
        room -= len(line) + 1
    cut = public[1:len(public) - len(kept)]
    whose = Counter(_WHO[m.author] for m in cut)
    said = ", ".join(f"{n} {who}" for who, n in whose.items())
    note = f"- ({len(cut)} turn(s) in between cut to keep this note short: {said}.)"
    return [turns[0], note, *kept]


def _turn(message: Message) -> str:
    if message.author is Role.CUSTOMER:
        return f'- Customer: "{excerpt(message.text, EXCERPT_CHARS)}"'
    return f"- {_SAID[message.author]}: {excerpt(message.text, OTHER_CHARS)}"


def _attachments(ticket: Ticket) -> list[str]:
    files = [(m, a) for m in ticket.messages if m.public for a in m.attachments]
    if not files:
        return []
    lines = []
    for message, file in files:
        facts = ", ".join(x for x in (file.content_type, _size(file.size)) if x)
        where = f" {file.url}" if file.url else ""
        lines.append(f"- {excerpt(file.name, 120)}{f' ({facts})' if facts else ''}, "
                     f"from the {_WHO[message.author]}{where}")
    return ["Attachments:\n" + "\n".join(lines)]


def _size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _sentiment(signals: Sequence[Signal]) -> str:
    signal = next((s for s in signals if s.name == SENTIMENT), None)
    if signal is None:
        text = NEUTRAL
    else:
        text = f"{signal.value} ({signal.evidence})" if signal.evidence else str(signal.value)
    upset = next((s for s in signals if s.name == FRUSTRATION), None)
    if upset is not None:
        text += f"; frustrated, score {upset.value} ({upset.evidence})"
    return text


def _language(signals: Sequence[Signal]) -> str:
    signal = next((s for s in signals if s.name == LANGUAGE), None)
    if signal is None:
        return "unknown"
    return f"{signal.value} ({signal.evidence})" if signal.evidence else str(signal.value)


def _attempt(answer: Answer | None, failure: str) -> str:
    if answer is None:
        return f"The AI could not answer: {failure or 'the scorer failed'}."
    best = f"Best confidence: {answer.confidence:.2f}"
    if answer.doc is not None:
        best += f', from "{answer.doc.title}"'
    return f"Sources checked:\n{_sources(answer)}\n{best}."


def _sources(answer: Answer) -> str:
    if not answer.sources:
        return "- no article matched"
    return "\n".join(f"- {s.title} [{s.id}] score {s.score:.3f}" for s in answer.sources)
