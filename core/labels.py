"""Reason codes in the words support people use, for the admin page and the reports.

A code is looked up whole (``high_risk:refund``), then by its family (``high_risk``)
with the rest added after a colon, so a new topic still reads as a sentence. An
unknown code is shown as it is, never hidden. Pure: no I/O.
"""

from __future__ import annotations

REASON_LABELS: dict[str, str] = {
    "human_request": "Asked for a person",
    "human_declined": "Declined the offer of a person",
    "human_offered": "Offered a person",
    "high_risk": "Sensitive topic",
    "high_risk:refund": "Refund request",
    "high_risk:billing": "Billing or charges",
    "high_risk:security": "Account security",
    "high_risk:cancellation": "Cancellation",
    "low_confidence": "AI not sure of the answer",
    "medium_confidence": "AI fairly sure (drafted)",
    "high_confidence": "AI sure of the answer",
    "ai_needs_human": "AI says a person must act",
    "ai_unavailable": "AI unavailable",
    "unfilled_placeholder": "Answer had a gap to fill",
    "never_auto_resolve": "Category never answered alone",
    "draft_only": "Drafts only for this category",
    "frustration": "Customer frustrated",
    "sentiment": "Customer upset",
    "sla_risk": "Close to the SLA deadline",
    "loop": "Going round in circles",
    "language": "Language the AI does not answer",
    "vip": "VIP customer",
    "next_level": "Agent asked for the next level",
    "keep_warm": "Keep-warm update",
    "escalated": "Already with a person",
    "already_handled": "Already answered",
    "human_engaged": "An agent is on it",
    "not_customer_turn": "Waiting for the customer",
    "excluded_tag": "Excluded by tag",
    "excluded_channel": "Excluded channel",
    "excluded_requester": "Excluded requester",
    "excluded_subject": "Excluded by subject",
    "attachment": "Customer sent an attachment",
    "rule": "Rule",
    "unknown": "Unknown reason",
}


def reason_label(code: str, labels: dict[str, str] | None = None) -> str:
    """`code` in words: its own label, else its family's with the rest after a colon
    (``high_risk:warranty`` -> "Sensitive topic: warranty"), else the code itself."""
    table = REASON_LABELS if labels is None else {**REASON_LABELS, **labels}
    if code in table:
        return table[code]
    family, _, rest = code.partition(":")
    if rest and family in table:
        return f"{table[family]}: {rest.replace('_', ' ')}"
    return code
