"""The failed-job registry as operators see it: each job with what it was for and its
last error, and a replay that plans the decision again from the current settings.

``handoff failed`` and ``handoff replay`` (`worker.cli.ops`) and the admin page's
failed-jobs list (`receiver.admin_pages`) share this, so both say the same thing
and a replay from either does the same. A job that used up its retries, or met a
permanent helpdesk error, stays in rq's registry for `FAILED_TTL_SECONDS`.
Replaying moves it back to the queue under its own id and marks its decision's
ledger for re-planning (`worker.effects.ledger`); the batches already written stay
written. Every function raises redis.RedisError when Redis fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from infra.ledger_view import ask_replan, decision_id_for
from infra.queue import JOB_FUNCTION


@dataclass(frozen=True)
class FailedJob:
    """One job in the registry: its id, what it was for, its last error line, and when."""

    id: str
    what: str
    error: str
    failed_at: datetime | None
    platform: str | None = None
    ticket_id: str | None = None


def ticket_args(job: Job) -> tuple[str, str, str] | None:
    """(platform, ticket id, event id) of a webhook job; None for any other job."""
    args = job.args
    if job.func_name == JOB_FUNCTION and len(args) == 3 and all(
            isinstance(a, str) for a in args):
        return args[0], args[1], args[2]
    return None


def _last_error(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no error recorded)"


def registry(queue: Queue) -> FailedJobRegistry:
    return FailedJobRegistry(queue=queue)


def list_failed(queue: Queue, limit: int = 500) -> list[FailedJob]:
    """The failed jobs of `queue`, in the registry's order (oldest first), at most `limit`."""
    failed = registry(queue)
    ids = failed.get_job_ids()[:limit]
    found: list[FailedJob] = []
    for job in Job.fetch_many(ids, connection=failed.connection, serializer=failed.serializer):
        if job is None:  # expired between the listing and the fetch
            continue
        ticket = ticket_args(job)
        what = (f"{ticket[0]} ticket {ticket[1]}" if ticket is not None
                else job.description or job.func_name or "(unknown job)")
        found.append(FailedJob(job.id, what, _last_error(job), job.ended_at,
                               ticket[0] if ticket else None, ticket[1] if ticket else None))
    return found


def replay(queue: Queue, job_id: str) -> bool:
    """Queue failed job `job_id` again, its decision planned afresh; False (and nothing
    done) when it is not in the registry."""
    failed = registry(queue)
    if job_id not in failed.get_job_ids():
        return False
    job = Job.fetch(job_id, connection=failed.connection, serializer=failed.serializer)
    ticket = ticket_args(job)
    if ticket is not None:
        ask_replan(failed.connection, decision_id_for(*ticket))
    failed.requeue(job_id)
    return True
