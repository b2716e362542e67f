"""Every customer in their own language, end to end: sandbox Zendesk, a real RQ worker
with its scheduler, real Redis. The escalation message, the keep-warm update, the
handoff note and the routing group follow the customer's language."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.worker.support import SWEEP_ONLY, ai_comments, deliver, make_runtime, ticket, work
from worker import runtime as runtime_module
from worker.aftercare import store
from worker.runtime import Runtime

GROUPS = {"de": "4101", "it": "4102", "ja": "4103", "en": "4100"}
CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # language, requester, message, escalation opening, keep-warm opening
    ("de", {"email": "jonas@example.de", "name": "Jonas Weber"},
     "Guten Tag, ich möchte bitte mit einem Mitarbeiter sprechen, es geht um meine Lieferung.",
     "Selbstverständlich, ich verbinde Sie", "Kurzes Update:"),
    ("it", {"email": "giulia@example.it", "name": "Giulia Rossi"},
     "Buongiorno, vorrei parlare con un operatore per il mio ordine.",
     "Certo, la metto subito in contatto", "Un breve aggiornamento:"),
    # The helpdesk knows this customer's language (requester locale).
    ("ja", {"email": "haruto@example.jp", "name": "Haruto Sato", "locale": "ja"},
     "担当者と話したいです。よろしくお願いします。",
     "承知しました。担当スタッフにおつなぎします。", "現在の状況のお知らせです。"),
    ("en", {"email": "sam@example.com", "name": "Sam Lee"},
     "agent please",
     "Of course \u2014 I'm connecting you", "A quick update:"),
]


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str, database_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    sandbox.put("/sandbox/groups/zendesk",
                json={"ids": [int(g) for g in GROUPS.values()]}).raise_for_status()
    routing = {"default": {"group": GROUPS["en"]},
               "by_language": {code: {"group": group} for code, group in GROUPS.items()
                               if code != "en"}}
    yield make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch,
                       {"keep_warm": {"delay_seconds": 1.5, "max_updates": 1}},
                       extra={"routing": routing, **SWEEP_ONLY})
    runtime_module.current.cache_clear()


def create(sandbox: httpx.Client, requester: dict[str, Any], message: str) -> str:
    body = {"platform": "zendesk", "subject": "", "requester": requester,
            "messages": [{"author": "customer", "body": message}]}
    return str(sandbox.post("/sandbox/tickets", json=body).raise_for_status().json()["ticket_id"])


def test_four_customers_each_get_their_language(sandbox: httpx.Client, runtime: Runtime) -> None:
    created = {code: create(sandbox, requester, message)
               for code, requester, message, _, _ in CASES}
    for code, ticket_id in created.items():
        deliver(runtime, ticket_id, f"ev-{code}")
    time.sleep(2.0)  # past the keep-warm delay; the burst worker then runs the due updates
    work(runtime)

    decisions = {row["ticket_id"]: row for row in runtime.log.recent()}
    for code, _, _, opening, update in CASES:
        ticket_id = created[code]
        state = ticket(sandbox, ticket_id)
        notes = [body for public, body in ai_comments(state) if not public]
        replies = [body for public, body in ai_comments(state) if public]
        assert decisions[ticket_id]["language"] == code
        assert state["group"] == GROUPS[code], code
        assert any(f"Customer language: {code} " in note for note in notes), notes
        assert replies[0].startswith(opening), replies
        assert len(replies) == 2, f"{code}: no keep-warm update in {replies}"
        assert replies[1].startswith(update), replies
    assert len(store(runtime).list_open()) == len(CASES)


def test_the_sla_sweep_escalates_in_the_customers_language(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    from datetime import UTC, datetime, timedelta

    from worker.sla_sweep import run_sla_sweep

    due = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    # English words from a customer the helpdesk knows as German: the English article
    # is only drafted (not her language), so the ticket stays with the AI until the sweep.
    body = {"platform": "zendesk", "subject": "Delivery address", "sla_due_at": due,
            "requester": {"email": "lena@example.de", "name": "Lena Koch", "locale": "de-DE"},
            "messages": [{"author": "customer",
                          "body": "How do I change the delivery address of my order?"}]}
    ticket_id = str(sandbox.post("/sandbox/tickets", json=body).raise_for_status()
                    .json()["ticket_id"])
    deliver(runtime, ticket_id, "ev-sweep")
    assert run_sla_sweep(runtime, datetime.now(UTC)) == [("zendesk", ticket_id)]
    state = ticket(sandbox, ticket_id)
    replies = [body for public, body in ai_comments(state) if public]
    assert replies[-1].startswith("Vielen Dank für Ihre Nachricht.")
    assert state["group"] == GROUPS["de"]
    assert any("Customer language: de " in body for public, body in ai_comments(state)
               if not public)
