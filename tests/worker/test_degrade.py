"""A write the helpdesk refuses for good still reaches a person (issue 15, section 3).

Each platform's sandbox refuses a group its account does not have, in that helpdesk's
own error shape (Zendesk 422 ``RecordInvalid``, Freshdesk 400 ``Validation failed``,
Gorgias 400), over real HTTP; the worker is a real rq worker on a real Redis.
"""

from __future__ import annotations

from typing import Any

import pytest
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from core.fallback import REJECTED_TAG
from infra.queue import make_queue
from tests.worker.helpdesks import (
    PLATFORMS,
    TICKET_PUT,
    Handoff,
    alerts,
    handoff,
    rejected_writes,
    rejections,
    sandbox,
)

__all__ = ["alerts", "handoff", "sandbox"]  # fixtures, imported for pytest

REFUSAL = {"zendesk": "HTTP 422", "freshdesk": "HTTP 400", "gorgias": "HTTP 400"}


def job_status(handoff: Handoff, job_id: str) -> JobStatus | None:
    job = Job.fetch(job_id, connection=handoff.redis, serializer=JSONSerializer)
    return job.get_status()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unknown_group_still_gives_note_tags_customer_message_and_alert(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]], platform: str,
) -> None:
    handoff.groups(platform, 360001)
    ticket_id = handoff.create(platform, "s-refund")
    before = rejected_writes(platform, "escalate", "degraded")

    job_id = handoff.deliver(platform, ticket_id)
    handoff.work()

    assert job_status(handoff, job_id) == JobStatus.FINISHED
    comments = handoff.ai_comments(platform, ticket_id)
    assert [public for public, _ in comments] == [False, True]  # the note, then the customer
    note = comments[0][1]
    assert "Not done: assign to group 999999." in note
    assert REFUSAL[platform] in note
    assert "refund" in note.lower()  # the handoff note itself follows
    state = handoff.ticket(platform, ticket_id)
    assert {"handoff_escalated", REJECTED_TAG} <= set(state["tags"])
    assert state["group"] is None
    assert (state["priority"], state["status"]) == ("high", "open")

    [alert] = rejections(alerts[1])
    assert (alert["platform"], alert["ticket_id"], alert["path"]) == (
        platform, ticket_id, "escalate")
    assert alert["not_done"] == ["assign to group 999999"]
    assert REFUSAL[platform] in alert["failure"]
    assert rejected_writes(platform, "escalate", "degraded") == before + 1
    # The escalation itself is announced as usual.
    assert [b["ticket_id"] for b in alerts[1] if b.get("event") == "escalation"] == [ticket_id]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_retry_while_writing_the_fallback_writes_it_once(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]], platform: str,
) -> None:
    handoff.groups(platform, 360001)
    ticket_id = handoff.create(platform, "s-refund")
    # The first update is refused (unknown group); the fallback's update meets a 503,
    # so rq runs the job again, which must write that same fallback, once.
    handoff.fault(method="PUT", path=TICKET_PUT, status=503, skip=1, times=1)

    handoff.deliver(platform, ticket_id)
    handoff.work()

    comments = handoff.ai_comments(platform, ticket_id)
    assert [public for public, _ in comments] == [False, True]
    assert "Not done: assign to group 999999." in comments[0][1]
    assert len(rejections(alerts[1])) == 1


def test_a_crash_after_the_fallback_landed_does_not_post_it_again(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]],
) -> None:
    handoff.groups("zendesk", 360001)
    ticket_id = handoff.create("zendesk", "s-refund")
    handoff.deliver("zendesk", ticket_id)
    handoff.work()
    # What a SIGKILL between the helpdesk's answer and the ledger's record leaves: the
    # fallback stands on the ticket, the ledger does not know it was confirmed.
    [ledger] = handoff.redis.keys("handoff:ledger:*")
    handoff.redis.hdel(ledger, "done:0", "done:1")

    make_queue(handoff.runtime.settings, handoff.redis).enqueue(
        "worker.jobs.process_event", "zendesk", ticket_id, "ev-1")
    handoff.work()

    assert [p for p, _ in handoff.ai_comments("zendesk", ticket_id)] == [False, True]
    assert len(rejections(alerts[1])) == 1


def test_a_refused_auto_resolve_becomes_a_note_for_an_agent(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]],
) -> None:
    ticket_id = handoff.create("zendesk", "s-auto-track")
    handoff.fault(method="PUT", path=TICKET_PUT, status=422, times=1)
    before = rejected_writes("zendesk", "auto_resolve", "degraded")

    job_id = handoff.deliver("zendesk", ticket_id)
    handoff.work()

    assert job_status(handoff, job_id) == JobStatus.FINISHED
    [(public, note)] = handoff.ai_comments("zendesk", ticket_id)
    assert not public  # the AI does not answer on its own on a ticket whose writes fail
    assert "The customer has not been sent this message" in note
    assert "Not done: send the public reply; add tags handoff_auto_resolved; " \
           "set status solved." in note
    state = handoff.ticket("zendesk", ticket_id)
    assert state["status"] != "solved"
    assert REJECTED_TAG in state["tags"]
    assert "handoff_auto_resolved" not in state["tags"]
    [alert] = rejections(alerts[1])
    assert alert["path"] == "auto_resolve"
    assert rejected_writes("zendesk", "auto_resolve", "degraded") == before + 1


def test_a_refused_draft_still_leaves_the_draft_and_raises_the_alert(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]],
) -> None:
    ticket_id = handoff.create("zendesk", "s-draft-return-shipping")
    handoff.fault(method="PUT", path=TICKET_PUT, status=422, times=1)

    handoff.deliver("zendesk", ticket_id)
    handoff.work()

    [(public, note)] = handoff.ai_comments("zendesk", ticket_id)
    assert not public
    assert note.startswith("Handoff could not write everything it planned")
    assert {"handoff_draft", REJECTED_TAG} <= set(handoff.ticket("zendesk", ticket_id)["tags"])
    assert [a["path"] for a in rejections(alerts[1])] == ["draft"]


def test_when_every_fallback_is_refused_the_job_fails_once_and_the_alert_goes(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]],
) -> None:
    ticket_id = handoff.create("zendesk", "s-refund")
    handoff.fault(method="PUT", path=TICKET_PUT, status=422, times=None)
    before = rejected_writes("zendesk", "escalate", "failed")

    job_id = handoff.deliver("zendesk", ticket_id)
    handoff.work()

    failed = FailedJobRegistry(queue=make_queue(handoff.runtime.settings, handoff.redis))
    assert failed.get_job_ids() == [job_id]
    assert handoff.ai_comments("zendesk", ticket_id) == []
    [alert] = rejections(alerts[1])
    assert alert["written"] == "nothing: the job failed"
    assert rejected_writes("zendesk", "escalate", "failed") == before + 1
