"""Settings of the handoff note's customer record (`core.customer_record`)."""

from __future__ import annotations

from pydantic import Field

from core.platform_settings import Section


class CustomerRecordSettings(Section):
    """``handoff_note``: what the note says about the customer.

    `other_tickets`: how many of the requester's other tickets to list (one extra call
    per escalation; 0 turns the call off). `tier_fields`: the organisation's (else the
    customer's) custom fields that hold their tier, the first one set is shown.
    `escalations_before`: list the customer's earlier escalations (no helpdesk call).
    """

    other_tickets: int = Field(default=5, ge=0, le=20)
    tier_fields: tuple[str, ...] = ("tier", "plan", "support_tier", "sla")
    escalations_before: bool = True
