from __future__ import annotations

from datetime import UTC, datetime

from core.customer_record import (
    CustomerRecord,
    CustomerRecordSettings,
    EarlierAnswer,
    PastEscalation,
    section,
    tier,
    with_record,
)
from core.engine import decide
from core.models import InternalNote, Path, Requester, Status, TicketBrief
from core.scorer import LexicalScorer
from core.settings import Settings
from tests.core.helpers import ticket

SETTINGS = CustomerRecordSettings()
ACME = Requester(id="7", name="Ana", organization="360", organization_name="Acme Ltd",
                 organization_fields={"Tier": "gold"}, fields={"plan": "basic"})
OTHERS = (
    TicketBrief(id="41", subject="Where is my parcel?", status=Status.OPEN,
                updated_at=datetime(2026, 12, 1, tzinfo=UTC), url="https://x/agent/tickets/41"),
    TicketBrief(id="12", subject="", status=Status.SOLVED),
)
EARLIER = (
    PastEscalation(ticket_id="12", reason="human_request", state="resolved",
                   opened_at=datetime(2026, 10, 2, tzinfo=UTC)),
    PastEscalation(ticket_id="30", reason="high_risk:refund", state="open",
                   opened_at=datetime(2026, 11, 30, tzinfo=UTC), url="https://x/agent/tickets/30"),
)


def test_tier_prefers_the_organisation_then_the_customer_and_ignores_case() -> None:
    assert tier(ACME, ("tier", "plan")) == "gold"
    assert tier(ACME, ("plan",)) == "basic"
    assert tier(ACME, ("sla",)) is None


def test_section_names_organisation_tier_earlier_escalations_and_other_tickets() -> None:
    record = CustomerRecord(other_tickets=OTHERS, other_tickets_read=True,
                            escalations=EARLIER, escalations_read=True)

    text = section(ACME, record, SETTINGS)

    assert text.splitlines() == [
        "Customer record:",
        "- Organisation: Acme Ltd (tier: gold).",
        "- Escalated before: yes, 2 time(s); the latest on 2026-11-30, ticket 30 "
        "(high_risk:refund, open) https://x/agent/tickets/30.",
        "- Other tickets (2, latest update first):",
        '  - #41 open, updated 2026-12-01: "Where is my parcel?" https://x/agent/tickets/41',
        '  - #12 solved: "(no subject)"',
    ]


def test_section_says_none_and_why_a_part_is_missing() -> None:
    nobody = Requester(id="8")
    empty = section(nobody, CustomerRecord(other_tickets_read=True, escalations_read=True),
                    SETTINGS)
    failed = section(nobody, CustomerRecord(other_tickets_error="HTTP 503: unavailable"),
                     SETTINGS)

    assert "- Organisation: none on record." in empty
    assert "- Organisation: id 5 (tier: basic)." in section(
        Requester(id="9", organization="5", fields={"plan": "basic"}), CustomerRecord(), SETTINGS)
    assert "- Escalated before: no." in empty
    assert "- Other tickets: none." in empty
    assert "- Other tickets: could not be read (HTTP 503: unavailable)." in failed
    assert "- Escalated before: not known." in failed


def test_settings_turn_parts_off_and_cap_the_list() -> None:
    many = tuple(TicketBrief(id=str(n), subject=f"q{n}") for n in range(8))
    record = CustomerRecord(other_tickets=many, other_tickets_read=True)

    capped = section(ACME, record, CustomerRecordSettings(other_tickets=3))
    off = section(ACME, record, CustomerRecordSettings(other_tickets=0,
                                                        escalations_before=False))

    assert capped.count("  - #") == 3
    assert "Other tickets" not in off
    assert "Escalated before" not in off


def test_with_record_puts_the_section_after_the_summary_of_the_handoff_note(
    scorer: LexicalScorer,
) -> None:
    decision = decide(ticket("I want to talk to a human, now."), scorer, Settings())
    assert decision.path is Path.ESCALATE

    added = with_record(decision, "Customer record:\n- Organisation: Acme Ltd.")

    notes = [a.body for a in added.actions if isinstance(a, InternalNote)]
    assert len(notes) == 1
    body = notes[0]
    assert body.index("Summary:") < body.index("Customer record:") \
        < body.index("Customer sentiment:")
    untouched = [a for a in added.actions if not isinstance(a, InternalNote)]
    assert untouched == [a for a in decision.actions if not isinstance(a, InternalNote)]


def test_with_record_leaves_other_paths_alone(scorer: LexicalScorer) -> None:
    decision = decide(ticket("How long does shipping take?"), scorer, Settings())
    assert decision.path is not Path.ESCALATE

    assert with_record(decision, "Customer record:\n- x") == decision


def test_section_names_the_articles_the_ai_answered_with_before() -> None:
    record = CustomerRecord(answers_before=(
        EarlierAnswer(title="Track your order", path="auto_resolve",
                      decided_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        EarlierAnswer(title="Return policy", path="draft",
                      decided_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC))))

    text = section(ACME, record, SETTINGS)

    assert ('- The AI answered on this ticket before with: "Track your order" (auto resolve, '
            '2026-12-01 09:30); "Return policy" (draft, 2026-12-02 10:00).') in text
    assert "answered on this ticket" not in section(ACME, CustomerRecord(), SETTINGS)
