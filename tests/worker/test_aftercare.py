"""After the handoff, with a real RQ worker (and its scheduler), real Redis and the sandbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
import respx
from click.testing import CliRunner

from core.models import TicketEvent
from infra.queue import enqueue_event, make_queue
from infra.store.escalations import Escalations, State
from tests.worker.support import (
    EMAIL,
    SLACK,
    SWEEP_ONLY,
    TOKEN,
    agent_reply,
    ai_comments,
    create,
    deliver,
    make_runtime,
    sample_for,
    ticket,
    work,
)
from worker import runtime as runtime_module
from worker.aftercare import scheduled_keep_warm, store
from worker.cli import main
from worker.runtime import Runtime
from worker.sla_sweep import run_sla_sweep

# SLA risk forces escalation when the engine decides (policy.escalate_on_sla_risk); these
# tickets must stay with the AI at decision time, so only the sweep finds them due.


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str, database_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    yield make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch, {
        "keep_warm": {"delay_seconds": 2.5, "max_updates": 1},
        "sla_sweep": {"margin_minutes": 30},
        "notify": {"default": ["ops"], "kinds": {"ops": "slack"}},
    }, extra=SWEEP_ONLY)
    runtime_module.current.cache_clear()


def set_status(sandbox: httpx.Client, ticket_id: str, status: str) -> None:
    sandbox.put(f"/zendesk/api/v2/tickets/{ticket_id}.json", json={"ticket": {"status": status}},
                auth=(f"{EMAIL}/token", TOKEN)).raise_for_status()


def keep_warm_updates(sandbox: httpx.Client, ticket_id: str) -> list[str]:
    return [body for public, body in ai_comments(ticket(sandbox, ticket_id))
            if public and body.startswith("A quick update")]


# -- escalation records ------------------------------------------------------------------


def test_escalation_opens_one_record_with_severity_link_and_keep_warm(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    records = store(runtime)
    [record] = records.list_open()
    queue = make_queue(runtime.settings, runtime.redis)
    assert scheduled_keep_warm(queue) == [f"handoff-keepwarm-{record['id']}-1"]
    deliver(runtime, ticket_id, "ev-1")  # a redelivery opens nothing more
    assert [r["id"] for r in records.list_open()] == [record["id"]]
    assert (record["ticket_id"], record["state"]) == (ticket_id, "open")
    assert record["severity"] in ("high", "medium", "low")
    assert record["reason"] == record["reasons"][0]
    assert records.count_open() == 1


def test_record_state_machine(database_url: str) -> None:
    from infra.store.decision_log import open_log
    from infra.store.escalations import NewEscalation, TransitionError

    records = Escalations(open_log(database_url).engine)
    now = datetime.now(UTC)

    def new(n: int) -> int:
        record_id, created = records.open(NewEscalation(
            decision_id=f"d{n}", platform="zendesk", ticket_id=str(n), reason="human_request",
            reasons=("human_request",), severity="high", agent=None, ticket_url=None,
            customer="Jo <jo@example.com>", summary="call me on +1 415 555 0134",
            status_at_open="open"), now)
        assert created
        return record_id

    first, second = new(1), new(2)
    assert records.count_open() == 2
    records.resolve(first, "admin", now)
    with pytest.raises(TransitionError, match="already resolved"):
        records.dismiss(first, "late", "admin", now)
    with pytest.raises(TransitionError, match="needs a note"):
        records.dismiss(second, "  ", "admin", now)
    records.dismiss(second, "customer wrote again: found it", "admin", now)
    with pytest.raises(TransitionError, match="already dismissed"):
        records.resolve(second, "admin", now)
    with pytest.raises(TransitionError, match="no escalation record"):
        records.resolve(999, "admin", now)
    assert records.count_open() == 0
    dismissed = records.get(second)
    assert dismissed is not None
    assert dismissed["state"] == "dismissed"
    assert dismissed["note"] == "customer wrote again: found it"
    assert dismissed["customer"] == "Jo <[email]>"
    assert dismissed["summary"] == "call me on [phone]"


def test_record_resolves_itself_on_human_reply_and_solved(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    agent_reply(sandbox, ticket_id, "Hi, I'm Sam from the team: I've sorted this out for you.")
    deliver(runtime, ticket_id, "ev-2")
    [record] = store(runtime).list_open()  # a reply alone does not close it
    assert scheduled_keep_warm(make_queue(runtime.settings, runtime.redis)) == []
    # The first human reply's time is kept for the lead's report.
    assert record["first_reply_at"] is not None
    assert record["first_reply_at"] >= record["opened_at"].replace(microsecond=0)

    set_status(sandbox, ticket_id, "solved")
    deliver(runtime, ticket_id, "ev-3")
    closed = store(runtime).get(record["id"])
    assert closed is not None
    assert closed["state"] == State.RESOLVED
    assert closed["closed_by"] == "auto: human reply, ticket solved"


# -- keep-warm ---------------------------------------------------------------------------


def test_keep_warm_update_goes_out_after_the_delay(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    work(runtime)  # before the delay: nothing is due
    assert keep_warm_updates(sandbox, ticket_id) == []
    time.sleep(2.8)
    work(runtime)
    [update] = keep_warm_updates(sandbox, ticket_id)
    assert "your request is with our" in update
    [record] = store(runtime).list_open()
    assert record["keep_warm_sent"] == 1
    time.sleep(2.8)
    work(runtime)  # max_updates is 1
    assert len(keep_warm_updates(sandbox, ticket_id)) == 1


def test_keep_warm_is_not_sent_when_a_human_replied_first(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    # No webhook for the reply: the job's own check just before sending must catch it.
    agent_reply(sandbox, ticket_id, "Hello, this is Sam; looking into it now.")
    time.sleep(2.8)
    work(runtime)
    assert keep_warm_updates(sandbox, ticket_id) == []
    [record] = store(runtime).list_open()
    assert record["keep_warm_sent"] == 0


# -- SLA sweep ---------------------------------------------------------------------------


def test_sla_sweep_escalates_only_tickets_due_within_the_margin(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    soon, later = (create(sandbox, {**sample_for("draft"), "sla_due_at": (now + d).isoformat()})
                   for d in (timedelta(minutes=10), timedelta(minutes=50)))
    for number, ticket_id in enumerate((soon, later)):
        deliver(runtime, ticket_id, f"ev-{number}")
    assert run_sla_sweep(runtime, datetime.now(UTC)) == [("zendesk", soon)]
    assert "handoff_sla_risk" in ticket(sandbox, soon)["tags"]
    assert "handoff_escalated" not in ticket(sandbox, later)["tags"]
    [record] = store(runtime).list_open()
    assert (record["ticket_id"], record["reason"]) == (soon, "sla_risk")
    assert run_sla_sweep(runtime, datetime.now(UTC)) == []  # already escalated: once only
    # Forty minutes on, the other ticket is within the margin too.
    assert run_sla_sweep(runtime, now + timedelta(minutes=40)) == [("zendesk", later)]


def test_sla_sweep_reads_at_most_max_tickets_per_run(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str, database_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch,
                           {"sla_sweep": {"margin_minutes": 30, "max_tickets": 1}},
                           extra=SWEEP_ONLY)
    due = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    first, second = (create(sandbox, {**sample_for("draft"), "sla_due_at": due}) for _ in "ab")
    for ticket_id in (first, second):
        deliver(runtime, ticket_id, f"ev-{ticket_id}")
    sandbox.delete("/sandbox/stats")
    assert len(run_sla_sweep(runtime, datetime.now(UTC))) == 1
    routes = sandbox.get("/sandbox/stats").json()["zendesk"]["routes"]
    assert routes["GET /tickets/<ticket_id>/audits"] == 1  # one ticket read, not two
    assert len(run_sla_sweep(runtime, datetime.now(UTC))) == 1  # the other one, next run
    assert {r["ticket_id"] for r in store(runtime).list_open()} == {first, second}
    runtime_module.current.cache_clear()


# -- feedback ----------------------------------------------------------------------------


def test_agent_reply_on_a_drafted_ticket_is_judged(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("draft"))
    deliver(runtime, ticket_id, "ev-1")
    records = store(runtime)
    [draft] = records.unjudged_drafts("zendesk", ticket_id)
    agent_reply(sandbox, ticket_id, draft["draft"])
    deliver(runtime, ticket_id, "ev-2")
    assert records.unjudged_drafts("zendesk", ticket_id) == []
    table = records.feedback("category")
    assert [entry["counts"] for entry in table.values()] == [{"accepted": 1}]


# -- notifications -----------------------------------------------------------------------


def test_slack_failure_does_not_affect_the_ticket(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    queue = make_queue(runtime.settings, runtime.redis)
    enqueue_event(queue, runtime.settings,
                  TicketEvent(platform="zendesk", ticket_id=ticket_id, event_id="ev-1"))
    with respx.mock(assert_all_called=False) as mock:
        slack = mock.post(SLACK).respond(500)
        mock.route(host="127.0.0.1").pass_through()
        work(runtime)
    assert slack.call_count == 1
    state = ticket(sandbox, ticket_id)
    assert "handoff_escalated" in state["tags"]
    assert [public for public, _ in ai_comments(state)] == [False, True]
    assert store(runtime).count_open() == 1


# -- holdout and the report --------------------------------------------------------------


def test_holdout_tickets_are_logged_but_untouched_and_reported(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str, database_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch,
                           {"holdout_percent": 100})
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    assert ai_comments(ticket(sandbox, ticket_id)) == []
    [logged] = runtime.log.recent()
    assert (logged["ticket_id"], logged["path"]) == (ticket_id, "escalate")
    records = store(runtime)
    assert records.count_open() == 0
    assert records.holdout_summary() == {"escalate": 1}
    assert records.lift()["holdout"]["tickets"] == 1

    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 0, result.output
    assert "holdout: 1 ticket decision(s) logged without AI action (escalate: 1)" in result.output
    runtime_module.current.cache_clear()


def test_an_ai_solved_ticket_counts_as_solved_in_the_lift(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    # Our own writes fire no webhook (the trigger's loop guard), so the job that solved the
    # ticket is the only one that can note it solved.
    ticket_id = create(sandbox, sample_for("auto_resolve"))
    deliver(runtime, ticket_id, "ev-1")
    assert ticket(sandbox, ticket_id)["status"] == "solved"
    ai = store(runtime).lift()["ai"]
    assert (ai["tickets"], ai["solved"]) == (1, 1)


def test_report_shows_acceptance_by_category_and_suggests_changes(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.aftercare import Outcome
    from infra.store.decision_log import open_log

    records = Escalations(open_log(database_url).engine)
    now = datetime.now(UTC)
    for n in range(6):
        records.record_draft(f"b{n}", "zendesk", f"b{n}", "refunds", "BILLING", "draft", now)
        records.judge(f"b{n}", Outcome.REJECTED, 0.9, now)
        records.record_draft(f"o{n}", "zendesk", f"o{n}", "track_order", "ORDERS", "draft", now)
        records.judge(f"o{n}", Outcome.ACCEPTED, 0.0, now)
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 0, result.output
    assert "BILLING: 6/6 drafts rejected; raise policy.draft_threshold" in result.output
    assert "ORDERS: 6/6 drafts sent unchanged; consider lowering" in result.output
    assert "track_order" in result.output


def test_escalations_cli_lists_resolves_and_dismisses(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infra.store.decision_log import open_log
    from infra.store.escalations import NewEscalation

    records = Escalations(open_log(database_url).engine)
    ids = [records.open(NewEscalation(
        decision_id=f"d{n}", platform="zendesk", ticket_id=str(n), reason="human_request",
        reasons=("human_request",), severity="medium", agent=None, ticket_url=None,
        customer=None, summary=f"ticket {n}", status_at_open="open"), datetime.now(UTC))[0]
        for n in (1, 2)]
    monkeypatch.setenv("DATABASE_URL", database_url)
    runner = CliRunner()
    listed = runner.invoke(main, ["escalations", "list"])
    assert listed.exit_code == 0
    assert "zendesk #1  ticket 1" in listed.output
    assert runner.invoke(main, ["escalations", "resolve", str(ids[0])]).exit_code == 0
    assert runner.invoke(main, ["escalations", "dismiss", str(ids[1])]).exit_code == 2
    dismissed = runner.invoke(main, ["escalations", "dismiss", str(ids[1]), "--note", "spam"])
    assert (dismissed.exit_code, dismissed.output.splitlines()[-1]) == (0, f"dismissed {ids[1]}")
    again = runner.invoke(main, ["escalations", "resolve", str(ids[1])])
    assert again.exit_code == 1
    assert "already dismissed" in again.output
    assert records.count_open() == 0
