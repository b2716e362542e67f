"""Files on the customer's message, end to end: through a real rq job on each platform of
the sandbox over real HTTP, a question the AI would answer and solve from its text alone is
only drafted when the customer sent a screenshot with it, and an escalation's handoff note
lists the files. Notes arrive rendered from Markdown (their "- " list markers become list
items), so the lines are matched without them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worker.helpdesks import PLATFORMS, Handoff, alerts, handoff, sandbox

__all__ = ["alerts", "handoff", "sandbox"]  # fixtures, imported for pytest

CUSTOMER = {"email": "sam@example.com", "name": "Sam Okafor"}
PASSWORD = "I forgot my password and can't log in to my account"
SCREENSHOT = {"name": "login-error.png", "content_type": "image/png", "size": 48213,
              "url": "https://files.example/login-error.png"}


def create(handoff: Handoff, platform: str, text: str, *files: dict[str, Any]) -> str:
    body = {"platform": platform, "subject": "Can't sign in", "channel": "email",
            "requester": CUSTOMER,
            "messages": [{"author": "customer", "body": text, "attachments": list(files)}]}
    answer = handoff.sandbox.post("/sandbox/tickets", json=body).raise_for_status()
    return str(answer.json()["ticket_id"])


def run(handoff: Handoff, platform: str, ticket_id: str) -> dict[str, Any]:
    """Deliver and work the ticket; the decision logged for it."""
    handoff.deliver(platform, ticket_id, f"ev-{platform}-{ticket_id}")
    handoff.work()
    [logged] = [d for d in handoff.runtime.log.recent()
                if (d["platform"], d["ticket_id"]) == (platform, ticket_id)]
    return logged


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_screenshot_turns_an_auto_resolve_into_a_draft(
    handoff: Handoff, platform: str,
) -> None:
    tags = handoff.runtime.settings.tags
    plain = create(handoff, platform, PASSWORD)
    with_file = create(handoff, platform, PASSWORD, SCREENSHOT)

    solved = run(handoff, platform, plain)
    drafted = run(handoff, platform, with_file)

    # Without the file the same words are answered in public and the ticket solved.
    assert solved["path"] == "auto_resolve"
    assert [public for public, _ in handoff.ai_comments(platform, plain)] == [True]
    state = handoff.ticket(platform, plain)
    assert state["status"] == "solved"
    assert set(tags.auto_resolve) <= set(state["tags"])
    # With it: a draft in an internal note for an agent, nothing public, still open.
    assert drafted["path"] == "draft"
    assert [r["code"] for r in drafted["reasons"]] == ["attachment"]
    [(public, note)] = handoff.ai_comments(platform, with_file)
    assert public is False
    assert note.startswith("AI draft for review")
    assert "attachment (policy.never_auto_resolve_attachments)" in note
    assert "1 file(s): login-error.png" in note
    state = handoff.ticket(platform, with_file)
    assert state["status"] not in ("solved", "closed")
    assert set(tags.draft) <= set(state["tags"])
    assert not set(tags.auto_resolve) & set(state["tags"])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_handoff_note_lists_the_customers_file(handoff: Handoff, platform: str) -> None:
    handoff.configure(group=None)
    ticket_id = create(handoff, platform, "I want to talk to a human", SCREENSHOT)

    logged = run(handoff, platform, ticket_id)

    assert logged["path"] == "escalate"
    notes = [body for public, body in handoff.ai_comments(platform, ticket_id) if not public]
    assert len(notes) == 1, notes
    note = notes[0]
    files = note[note.index("Attachments:"):note.index("Customer sentiment:")]
    assert ("login-error.png (image/png, 47.1 KB), from the customer "
            "https://files.example/login-error.png") in files
    escalated = set(handoff.runtime.settings.tags.escalate)
    assert escalated <= set(handoff.ticket(platform, ticket_id)["tags"])
