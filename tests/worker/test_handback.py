"""Escalated tickets and the hand-back, with a real RQ worker, real Redis, the sandbox over
real HTTP and the real decision log (SQLite, or DATABASE_URL in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis
import respx
import sqlalchemy as sa
from click.testing import CliRunner

from core.models import TicketEvent
from infra.queue import enqueue_event, make_queue
from infra.store.decision_log import handbacks
from infra.store.handbacks import HandBacks
from tests.worker.support import (
    SLACK,
    ai_comments,
    create,
    make_runtime,
    sample_for,
    ticket,
    work,
)
from worker import runtime as runtime_module
from worker.cli import main
from worker.runtime import Runtime
from worker.sla_sweep import run_sla_sweep

URGENT = "Nobody answers!!! This is ridiculous. I want to speak to a human NOW."
ROUTINE = "I forgot my password and now I can't log in to my account. How do I reset it?"


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str,
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    yield make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch, {
        "keep_warm": {"enabled": False}, "sla_sweep": {"enabled": False},
        "notify": {"default": ["ops"], "kinds": {"ops": "slack"}}})
    runtime_module.current.cache_clear()


def deliver(runtime: Runtime, ticket_id: str, event_id: str) -> list[str]:
    """Queue one event, run the worker; the Slack texts it posted."""
    enqueue_event(make_queue(runtime.settings, runtime.redis), runtime.settings,
                  TicketEvent(platform="zendesk", ticket_id=ticket_id, event_id=event_id))
    with respx.mock(assert_all_called=False) as mock:
        slack = mock.post(SLACK).respond(200)
        mock.route(host="127.0.0.1").pass_through()
        work(runtime)
    return [str(call.request.content, "utf-8") for call in slack.calls]


def customer_says(sandbox: httpx.Client, ticket_id: str, text: str) -> None:
    sandbox.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                 json={"author": "customer", "body": text}).raise_for_status()


def test_redelivered_urgent_message_counts_and_notifies_once(
    sandbox: httpx.Client, runtime: Runtime,
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    assert len(deliver(runtime, ticket_id, "ev-1")) == 1  # the escalation itself
    written = ai_comments(ticket(sandbox, ticket_id))

    customer_says(sandbox, ticket_id, URGENT)
    first = deliver(runtime, ticket_id, "ev-2")
    again = deliver(runtime, ticket_id, "ev-2-redelivered")

    assert len(first) == 1
    assert "new message on an escalated ticket" in first[0]
    assert "human_request" in first[0]
    assert again == []
    assert ai_comments(ticket(sandbox, ticket_id)) == written
    [record] = HandBacks(runtime.log.engine).list_open()
    assert record["new_messages"] == 1
    assert "speak to a human NOW" in record["last_message"]


def test_cli_return_hands_the_ticket_back_and_the_ai_answers(
    sandbox: httpx.Client, runtime: Runtime,
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    customer_says(sandbox, ticket_id, ROUTINE)
    deliver(runtime, ticket_id, "ev-2")
    records = HandBacks(runtime.log.engine)
    [record] = records.list_open()
    before = ai_comments(ticket(sandbox, ticket_id))

    result = CliRunner().invoke(main, ["escalations", "return", str(record["id"])])
    assert result.exit_code == 0, result.output
    assert "returned" in result.output
    work(runtime)  # the job the command queued

    state = ticket(sandbox, ticket_id)
    assert "handoff_escalated" not in state["tags"]
    # The AI answers the question asked while it stayed out; the request for a person
    # that the escalation was made on is behind it.
    assert len(ai_comments(state)) == len(before) + 1
    assert records.list_open() == []
    assert records.get(record["id"])["state"] == "returned"  # type: ignore[index]
    again = CliRunner().invoke(main, ["escalations", "return", str(record["id"])])
    assert again.exit_code == 1
    with runtime.log.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(handbacks)).scalar() \
            == 1


def test_state_reads_the_newest_escalation_and_hand_back(runtime: Runtime) -> None:
    records = HandBacks(runtime.log.engine)
    assert records.state("zendesk", "404").open_records == 0
    now = datetime.now(UTC)
    assert records.hand_back("zendesk", "404", "tag:x", "agent", now)
    assert not records.hand_back("zendesk", "404", "tag:x", "agent", now)  # a retry
    state = records.state("zendesk", "404")
    assert state.handed_back_at is not None
    assert state.handed_back()


def test_sla_sweep_finds_the_hand_back_tag_without_a_webhook(
    sandbox: httpx.Client, runtime: Runtime,
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    sandbox.post(f"/sandbox/tickets/zendesk/{ticket_id}/tags",
                 json={"add": ["handoff_return_to_ai"]}).raise_for_status()

    run_sla_sweep(runtime, datetime.now(UTC))
    work(runtime)  # the job the sweep queued

    state = ticket(sandbox, ticket_id)
    assert "handoff_return_to_ai" not in state["tags"]
    assert "handoff_escalated" not in state["tags"]
    records = HandBacks(runtime.log.engine)
    assert records.list_open() == []
    assert records.state("zendesk", ticket_id).handed_back()
