"""The failed-job registry: permanent errors land there at once, ``handoff failed`` lists
every job in it, and ``handoff replay`` plans again from the current settings.

Real rq jobs and registries on a real Redis, the sandbox helpdesk over real HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.serializers import JSONSerializer

from core.fallback import REJECTED_TAG
from infra.queue import SLA_SWEEP_JOB, make_queue
from tests.worker.helpdesks import TICKET_PUT, Handoff, alerts, handoff, rejections, sandbox
from worker.cli import main

__all__ = ["alerts", "handoff", "sandbox"]  # fixtures, imported for pytest

# The production retry intervals: a retried job would wait 10 s in the scheduled registry.
PRODUCTION_RETRIES = (10, 60, 300)


def registries(handoff: Handoff) -> tuple[FailedJobRegistry, ScheduledJobRegistry]:
    queue = make_queue(handoff.runtime.settings, handoff.redis)
    return FailedJobRegistry(queue=queue), ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", r"/tickets/\d+/audits", 403),
    ("GET", r"/tickets/\d+/audits", 404),
    ("PUT", TICKET_PUT, 422),
])
def test_a_permanent_error_goes_to_the_failed_registry_at_once_with_its_reason(
    handoff: Handoff, method: str, path: str, status: int,
) -> None:
    handoff.configure(retry_intervals=PRODUCTION_RETRIES)
    ticket_id = handoff.create("zendesk", "s-refund")
    handoff.fault(method=method, path=path, status=status, times=None)

    job_id = handoff.deliver("zendesk", ticket_id)
    handoff.work()

    failed, scheduled = registries(handoff)
    assert (failed.get_job_ids(), scheduled.get_job_ids()) == ([job_id], [])
    listing = CliRunner().invoke(main, ["failed"])
    assert listing.exit_code == 0, listing.output
    line = next(line for line in listing.output.splitlines() if line.startswith(job_id))
    assert f"zendesk ticket {ticket_id}" in line
    assert f"PermanentError: {method} " in line
    assert f"HTTP {status}" in line


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", r"/tickets/\d+/audits", 503),
    ("PUT", TICKET_PUT, 409),  # a concurrent edit: the retry reads the ticket again
])
def test_a_transient_error_or_a_conflict_keeps_its_retries(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]], method: str, path: str,
    status: int,
) -> None:
    handoff.configure(retry_intervals=PRODUCTION_RETRIES)
    ticket_id = handoff.create("zendesk", "s-refund")
    handoff.fault(method=method, path=path, status=status, times=None)

    job_id = handoff.deliver("zendesk", ticket_id)
    handoff.work()

    failed, scheduled = registries(handoff)
    assert (failed.get_job_ids(), scheduled.get_job_ids()) == ([], [job_id])
    job = Job.fetch(job_id, connection=handoff.redis, serializer=JSONSerializer)
    assert job.retries_left == len(PRODUCTION_RETRIES) - 1
    assert rejections(alerts[1]) == []


def test_failed_lists_every_job_the_sla_sweep_included(handoff: Handoff) -> None:
    drafted = handoff.create("zendesk", "s-draft-return-shipping")
    handoff.deliver("zendesk", drafted, event_id="ev-draft")
    handoff.work()  # a draft: the AI owns the ticket, so the sweep will read it
    other = handoff.create("zendesk", "s-refund")
    handoff.fault(method="GET", path=r"/tickets/\d+/audits", status=403, times=None)

    webhook_job = handoff.deliver("zendesk", other)
    queue = make_queue(handoff.runtime.settings, handoff.redis)
    sweep_job = queue.enqueue(SLA_SWEEP_JOB, reschedule=False, description="SLA sweep").id
    handoff.work()

    failed, _ = registries(handoff)
    assert sorted(failed.get_job_ids()) == sorted([webhook_job, sweep_job])
    listing = CliRunner().invoke(main, ["failed"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert any(line.startswith(f"{webhook_job}  zendesk ticket {other}  ") for line in lines)
    sweep = next(line for line in lines if line.startswith(sweep_job))
    assert sweep.startswith(f"{sweep_job}  SLA sweep  ")
    assert "HTTP 403" in sweep


def test_replay_after_a_config_fix_plans_again(
    handoff: Handoff, alerts: tuple[str, list[dict[str, Any]]],
) -> None:
    handoff.groups("zendesk", 360001)
    ticket_id = handoff.create("zendesk", "s-refund")
    # The helpdesk is down past every retry; the plan stored meanwhile names a group the
    # account does not have.
    handoff.fault(method="PUT", path=TICKET_PUT, status=503, times=None)
    job_id = handoff.deliver("zendesk", ticket_id)
    handoff.work()
    failed, _ = registries(handoff)
    assert failed.get_job_ids() == [job_id]

    handoff.sandbox.delete("/sandbox/faults")
    handoff.configure(group="360001")  # the fix, and a worker restart
    replayed = CliRunner().invoke(main, ["replay", "--all"])
    assert (replayed.exit_code, replayed.output.strip()) == (0, f"requeued {job_id}")
    handoff.work()

    assert failed.get_job_ids() == []
    assert [p for p, _ in handoff.ai_comments("zendesk", ticket_id)] == [False, True]
    state = handoff.ticket("zendesk", ticket_id)
    assert state["group"] == "360001"
    assert REJECTED_TAG not in state["tags"]
    assert rejections(alerts[1]) == []


def test_replay_keeps_the_batches_already_written(handoff: Handoff) -> None:
    handoff.groups("zendesk", 360001, 360002)
    handoff.configure(group="360001")
    ticket_id = handoff.create("zendesk", "s-refund")
    # The note with its fields lands; the customer message fails past every retry.
    handoff.fault(method="PUT", path=TICKET_PUT, status=503, skip=1, times=None)
    job_id = handoff.deliver("zendesk", ticket_id)
    handoff.work()
    assert [p for p, _ in handoff.ai_comments("zendesk", ticket_id)] == [False]

    handoff.sandbox.delete("/sandbox/faults")
    handoff.configure(group="360002")
    CliRunner().invoke(main, ["replay", job_id])
    handoff.work()

    assert [p for p, _ in handoff.ai_comments("zendesk", ticket_id)] == [False, True]
    # The batch already written stays as written: the new route is not applied again.
    assert handoff.ticket("zendesk", ticket_id)["group"] == "360001"
