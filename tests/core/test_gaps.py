"""Knowledge-gap clusters on a small fixture."""

from __future__ import annotations

from core.gaps import GapTicket, clusters, gap_report
from core.knowledge import parse_article
from tests.core.fakes import HashEmbedder

QUESTIONS = [
    ("g1", "can I pay with crypto currency bitcoin", "We do not accept bitcoin or crypto yet."),
    ("g2", "do you take bitcoin crypto payments", "Bitcoin and other crypto are not accepted."),
    ("g3", "pay by bitcoin crypto possible", "We do not accept bitcoin or crypto currency."),
    ("g4", "is there a student discount code", "Students get 10% off with a student code."),
    ("g5", "student discount code please", "Use your student email for a discount code."),
    ("g6", "what is your favourite colour", "Blue."),
]


def test_similar_questions_cluster_and_each_cluster_gets_a_draft_article() -> None:
    items = [GapTicket(t, q, r, "payments" if t < "g4" else None) for t, q, r in QUESTIONS]
    embed = HashEmbedder().embed
    groups = clusters(embed([i.question for i in items]), similar=0.5)
    assert groups[0] == [0, 1, 2]
    report = gap_report(items, embed([i.question for i in items]),
                        embed([i.reply for i in items]), min_size=2, similar=0.5)
    assert [g["tickets"] for g in report] == [3, 2]  # the lone question is no cluster
    first = report[0]
    assert len(first["questions"]) == 3
    assert first["near_articles"] == [{"article": "payments", "tickets": 3}]
    doc = parse_article(first["draft"], "draft.md")
    assert doc.category == "DRAFT"
    assert doc.examples == tuple(first["questions"])
    assert "bitcoin" in doc.body.lower()


def test_no_tickets_no_gaps() -> None:
    embed = HashEmbedder().embed
    assert gap_report([], embed([]), embed([])) == []
