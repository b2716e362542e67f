"""Escalation ladders over the sandbox: real HTTP, a real RQ worker on real Redis, and
the real decision log (SQLite, or DATABASE_URL in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
from click.testing import CliRunner

from infra.store.escalations import steps
from tests.worker.support import (
    EMAIL,
    TOKEN,
    agent_reply,
    ai_comments,
    create,
    deliver,
    make_runtime,
    sample_for,
    ticket,
)
from worker import runtime as runtime_module
from worker.aftercare import store
from worker.cli import main
from worker.runtime import Runtime
from worker.sla_sweep import run_sla_sweep

LADDER = [
    {"name": "tier2", "group": "201", "sla_minutes": 240},
    {"name": "manager", "group": "202", "priority": "high", "sla_minutes": 480},
    {"name": "legal", "group": "203", "priority": "urgent", "sla_minutes": 1440},
]


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str,
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    yield make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch,
                       {"keep_warm": {"enabled": False}, "sla_sweep": {"enabled": False}},
                       extra={"escalation": {"ladders": {"default": LADDER}}})
    runtime_module.current.cache_clear()


def agent_tags(client: httpx.Client, ticket_id: str, *tags: str) -> None:
    """An agent adds tags in the helpdesk (a ticket update's tags replace the list)."""
    current = ticket(client, ticket_id)["tags"]
    client.put(f"/zendesk/api/v2/tickets/{ticket_id}.json",
                json={"ticket": {"tags": [*current, *tags]}},
                auth=(f"{EMAIL}/token", TOKEN)).raise_for_status()


def agent_note(client: httpx.Client, ticket_id: str, body: str) -> None:
    client.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                 json={"author": "agent", "body": body, "public": False}).raise_for_status()


def notes(client: httpx.Client, ticket_id: str) -> list[str]:
    return [body for public, body in ai_comments(ticket(client, ticket_id)) if not public]


def test_three_steps_append_the_whole_history(sandbox: httpx.Client,
                                              runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    state = ticket(sandbox, ticket_id)
    assert state["group"] == "201"  # level 0 of the ladder, not the plain routing
    assert "handoff_level_tier2" in state["tags"]
    [record] = store(runtime).list_open()
    assert (record["ladder"], record["level"]) == ("default", 0)
    assert record["level_due_at"] is not None

    agent_note(sandbox, ticket_id, "Customer disputes the charge; needs a manager's sign-off.")
    agent_tags(sandbox, ticket_id, "handoff_next_level")
    deliver(runtime, ticket_id, "ev-2")
    state = ticket(sandbox, ticket_id)
    assert (state["group"], state["priority"]) == ("202", "high")
    assert "handoff_next_level" not in state["tags"]
    second = notes(sandbox, ticket_id)[-1]
    assert "level 2 of 3, \"manager\"" in second
    assert "needs a manager's sign-off" in second

    assert CliRunner().invoke(main, ["escalate", "zendesk", ticket_id, "--reason",
                                     "Customer threatens to sue", "--by", "ops-jo"]).exit_code == 0
    state = ticket(sandbox, ticket_id)
    assert (state["group"], state["priority"]) == ("203", "urgent")
    third = notes(sandbox, ticket_id)[-1]
    # The last level reads every step before it, oldest first, and the original summary.
    history = third[third.index("Handoff history"):]
    assert history.index('level 1 "tier2"') < history.index('level 2 "manager"') \
        < history.index('level 3 "legal"')
    assert "needs a manager's sign-off" in history
    assert "operator ops-jo (handoff escalate): Customer threatens to sue" in history
    assert "Original handoff summary: " in history
    [record] = store(runtime).list_open()
    assert record["level"] == 2
    assert [s.name for s in steps(record)] == ["tier2", "manager", "legal"]
    assert steps(record)[-1].due_at == record["level_due_at"]
    listed = CliRunner().invoke(main, ["escalations", "list"])
    assert "[default level 3]" in listed.output


def test_top_of_the_ladder_leaves_the_ticket_where_it_is(sandbox: httpx.Client,
                                                          runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    for _ in range(2):
        assert CliRunner().invoke(main, ["escalate", "zendesk", ticket_id]).exit_code == 0
    before = ticket(sandbox, ticket_id)
    agent_tags(sandbox, ticket_id, "handoff_next_level")
    deliver(runtime, ticket_id, "ev-top")
    after = ticket(sandbox, ticket_id)
    assert (after["group"], after["priority"]) == (before["group"], before["priority"]) \
        == ("203", "urgent")
    assert "handoff_next_level" not in after["tags"]
    assert 'is the top of ladder "default": there is no higher level' in notes(
        sandbox, ticket_id)[-1]
    [record] = store(runtime).list_open()
    assert record["level"] == 2
    assert len(steps(record)) == 3
    result = CliRunner().invoke(main, ["escalate", "zendesk", ticket_id])
    assert result.exit_code == 1
    assert "no higher level" in result.output


def test_redelivered_tag_event_climbs_once(sandbox: httpx.Client,
                                           runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    agent_tags(sandbox, ticket_id, "handoff_next_level")
    deliver(runtime, ticket_id, "ev-2")
    deliver(runtime, ticket_id, "ev-2")
    [record] = store(runtime).list_open()
    assert record["level"] == 1
    assert len(notes(sandbox, ticket_id)) == 2  # the handoff note and one step


def test_cli_without_an_open_escalation_exits_1(sandbox: httpx.Client,
                                                 runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("draft"))
    deliver(runtime, ticket_id, "ev-1")
    result = CliRunner().invoke(main, ["escalate", "zendesk", ticket_id])
    assert result.exit_code == 1
    assert "has no open escalation" in result.output
    assert "handoff_level_manager" not in ticket(sandbox, ticket_id)["tags"]


def test_sla_sweep_picks_up_the_tag_when_no_webhook_came(sandbox: httpx.Client,
                                                         runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    agent_tags(sandbox, ticket_id, "handoff_next_level")  # no webhook for this update
    run_sla_sweep(runtime, datetime.now(UTC))
    assert ticket(sandbox, ticket_id)["group"] == "202"
    [record] = store(runtime).list_open()
    assert record["level"] == 1
    assert "found by the SLA sweep" in steps(record)[-1].by
    run_sla_sweep(runtime, datetime.now(UTC))  # the tag is gone: nothing more
    assert store(runtime).list_open()[0]["level"] == 1


def test_an_overdue_level_climbs_only_when_configured(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str,
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for climbs in (False, True):
        runtime = make_runtime(
            sandbox, redis_url, database_url, tmp_path, monkeypatch,
            {"keep_warm": {"enabled": False}},
            extra={"escalation": {"ladders": {"default": LADDER},
                                  "climb_when_overdue": climbs}})
        ticket_id = create(sandbox, sample_for("escalate"))
        deliver(runtime, ticket_id, f"ev-{climbs}")
        now = datetime.now(UTC)
        run_sla_sweep(runtime, now + timedelta(minutes=200))  # tier2 has 240 minutes
        record = next(r for r in store(runtime).list_open() if r["ticket_id"] == ticket_id)
        assert record["level"] == 0
        run_sla_sweep(runtime, now + timedelta(minutes=245))
        record = next(r for r in store(runtime).list_open() if r["ticket_id"] == ticket_id)
        assert record["level"] == (1 if climbs else 0)
        if climbs:
            assert steps(record)[-1].by == "the SLA sweep"
            assert "was due" in steps(record)[-1].why
    runtime_module.current.cache_clear()


def test_a_reply_from_a_person_stops_the_overdue_climb(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str,
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch,
                           {"keep_warm": {"enabled": False}},
                           extra={"escalation": {"ladders": {"default": LADDER},
                                                 "climb_when_overdue": True}})
    ticket_id = create(sandbox, sample_for("escalate"))
    deliver(runtime, ticket_id, "ev-1")
    agent_reply(sandbox, ticket_id, "Hi, Sam here: I'm on it.")
    run_sla_sweep(runtime, datetime.now(UTC) + timedelta(minutes=300))
    [record] = store(runtime).list_open()
    assert record["level"] == 0
    runtime_module.current.cache_clear()
