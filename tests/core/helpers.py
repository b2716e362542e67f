"""Builders shared by the core tests: tickets, and the repository's sample data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.knowledge import KnowledgeDoc, parse_articles
from core.models import Message, Requester, Role, Ticket

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = ROOT / "config" / "knowledge"
SAMPLES = ROOT / "config" / "samples" / "tickets.jsonl"
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
# Three small articles, one per category, for the retrieval and LLM scorer tests.
DOCS = (
    KnowledgeDoc(id="track", title="Track your order", category="ORDERS",
                 examples=("Where is my order?", "How can I track my parcel?"),
                 body="Hi {{requester.first_name}}, open [Order Page] to track it."),
    KnowledgeDoc(id="password", title="Reset your password", category="ACCOUNT",
                 examples=("I forgot my password", "How do I reset my password?"),
                 body="Use the reset link on the sign-in page."),
    KnowledgeDoc(id="refund", title="Get a refund", category="REFUND",
                 examples=("I want my money back", "How do I get a refund?"),
                 body="We will look into your refund."),
)


def ticket(
    *texts: str,
    subject: str = "",
    authors: tuple[Role, ...] = (),
    tags: tuple[str, ...] = (),
    vip: bool = False,
    name: str | None = "Maria Lopez",
    email: str | None = "maria@example.com",
    channel: str | None = "email",
) -> Ticket:
    """A ticket whose public thread is `texts`, by the customer unless `authors` says."""
    messages = tuple(
        Message(
            author=authors[i] if i < len(authors) else Role.CUSTOMER,
            text=text,
            created_at=START + timedelta(minutes=i),
        )
        for i, text in enumerate(texts)
    )
    return Ticket(
        id="t-1",
        platform="test",
        subject=subject,
        tags=tags,
        channel=channel,
        requester=Requester(id="r-1", email=email, name=name, vip=vip),
        messages=messages,
    )


def from_canonical(row: dict[str, Any]) -> Ticket:
    """A Ticket from one canonical simulation row; `labels` is dropped, never passed on."""
    data = {k: v for k, v in row.items() if k != "labels"}
    messages = tuple(
        Message(
            author=Role(m["author"]),
            text=m["body"],
            public=m.get("public", True),
            created_at=datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")),
        )
        for m in data.pop("messages")
    )
    requester = Requester(**data.pop("requester"))
    data["tags"] = tuple(data.get("tags", ()))
    return Ticket(platform="sample", requester=requester, messages=messages, **data)


def knowledge() -> tuple[KnowledgeDoc, ...]:
    """The sample knowledge base in config/knowledge, in file-name order."""
    files = sorted(KNOWLEDGE_DIR.glob("*.md"))
    return parse_articles((str(f), f.read_text(encoding="utf-8")) for f in files)


def samples() -> list[dict[str, Any]]:
    """The rows of config/samples/tickets.jsonl, labels included."""
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
