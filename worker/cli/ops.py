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
from rq import Queue

from infra import failed_jobs
from infra.config import load_settings
from infra.queue import make_queue
from infra.redis_conn import connect


def _queue() -> Queue:
    settings = load_settings(env=os.environ)
    return make_queue(settings, connect(os.environ))


@click.command()
def failed() -> None:
    """List jobs that used up their retries or met a permanent error, with their last error."""
    jobs = failed_jobs.list_failed(_queue(), limit=100_000)
    for job in jobs:
        click.echo(f"{job.id}  {job.what}  {job.error}")
    click.echo(f"{len(jobs)} failed job(s)", err=True)


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
    queue = _queue()
    wanted = sorted(failed_jobs.registry(queue).get_job_ids()) if replay_all else list(job_ids)
    missing = []
    for job_id in wanted:
        if failed_jobs.replay(queue, job_id):
            click.echo(f"requeued {job_id}")
        else:
            missing.append(job_id)
    for job_id in missing:
        click.echo(f"not in the failed-job registry: {job_id}", err=True)
    sys.exit(1 if missing else 0)
