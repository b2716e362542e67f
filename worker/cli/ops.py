"""Operator commands for the dead-letter registry: ``handoff failed`` and ``handoff replay``.

A job that used up its retries, or met a permanent helpdesk error, stays in rq's
failed-job registry (kept 14 days) with its error. Replaying moves it back to the
queue under the same job id and asks its decision to be planned again from the
current settings (a fixed configuration takes effect once the workers restart);
the decision ledger keeps the batches already written, so nothing is posted twice.
"""

from __future__ import annotations

import os
import sys

import click
from rq.job import Job
from rq.registry import FailedJobRegistry

from infra.config import load_settings
from infra.queue import JOB_FUNCTION, make_queue
from infra.redis_conn import connect
from worker.effects.ledger import Ledger
from worker.jobs import decision_id_for


def _registry() -> FailedJobRegistry:
    settings = load_settings(env=os.environ)
    return FailedJobRegistry(queue=make_queue(settings, connect(os.environ)))


def _last_error(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no error recorded)"


def _ticket_args(job: Job) -> tuple[str, str, str] | None:
    """(platform, ticket id, event id) of a webhook job; None for any other job."""
    args = job.args
    if job.func_name == JOB_FUNCTION and len(args) == 3 and all(
            isinstance(a, str) for a in args):
        return args[0], args[1], args[2]
    return None


def _what(job: Job) -> str:
    ticket = _ticket_args(job)
    if ticket is not None:
        return f"{ticket[0]} ticket {ticket[1]}"
    return job.description or job.func_name or "(unknown job)"


@click.command()
def failed() -> None:
    """List jobs that used up their retries or met a permanent error, with their last error."""
    registry = _registry()
    ids = registry.get_job_ids()
    for job in Job.fetch_many(ids, connection=registry.connection, serializer=registry.serializer):
        if job is not None:
            click.echo(f"{job.id}  {_what(job)}  {_last_error(job)}")
    click.echo(f"{len(ids)} failed job(s)", err=True)


@click.command()
@click.argument("job_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every failed job.")
def replay(job_ids: tuple[str, ...], replay_all: bool) -> None:
    """Queue failed jobs again (JOB_IDS, or --all). Exit 1 if an id is not failed."""
    if not job_ids and not replay_all:
        raise click.UsageError("give the ids of the jobs to replay (`handoff failed` lists "
                               "them), or --all")
    if job_ids and replay_all:
        raise click.UsageError("give job ids or --all, not both")
    registry = _registry()
    failed_ids = set(registry.get_job_ids())
    wanted = sorted(failed_ids) if replay_all else list(job_ids)
    missing = [job_id for job_id in wanted if job_id not in failed_ids]
    for job_id in wanted:
        if job_id not in missing:
            _ask_replan(registry, job_id)
            registry.requeue(job_id)
            click.echo(f"requeued {job_id}")
    for job_id in missing:
        click.echo(f"not in the failed-job registry: {job_id}", err=True)
    sys.exit(1 if missing else 0)


def _ask_replan(registry: FailedJobRegistry, job_id: str) -> None:
    """Have a webhook job's decision planned again when it runs (other jobs re-read anyway)."""
    job = Job.fetch(job_id, connection=registry.connection, serializer=registry.serializer)
    ticket = _ticket_args(job)
    if ticket is not None:
        Ledger(registry.connection, decision_id_for(*ticket)).ask_replan()
