"""A job the helpdesk refuses for good fails at once, without rq's retries.

rq retries a failed job after each of ``queue.retry_intervals_seconds`` (10, 60,
300 s): right for timeouts, 429 and 5xx (`TransientError`), which may pass, and
useless for a `PermanentError` (401, 403, 404, 422, a request that cannot be
built), which answers the same each time and only keeps the job from the
failed-job registry, and so from ``handoff failed`` and the ``handoff_failed_jobs``
alert, for six minutes. Such a job goes to the registry on its first failure,
with the helpdesk's answer as its error; ``handoff replay`` runs it again once
the cause is fixed. A 409 is the exception: a conflict with a concurrent edit,
which a retry (it reads the ticket again) may well get past, so it keeps its retries.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from rq import get_current_job

from core.errors import PermanentError

log = logging.getLogger("worker.effects.failures")

P = ParamSpec("P")
R = TypeVar("R")


def no_retry_when_permanent(job_function: Callable[P, R]) -> Callable[P, R]:
    """Wrap an rq job function: a PermanentError (but a conflict) spends every retry the
    job had left, so rq moves it to the failed-job registry at once. The error
    propagates unchanged (outside an rq job too)."""

    @functools.wraps(job_function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return job_function(*args, **kwargs)
        except PermanentError as exc:
            job = get_current_job()
            if job is not None and job.retries_left and not is_conflict(exc):
                log.warning("job %s: permanent error, not retried (%d retries dropped): %s",
                            job.id, job.retries_left, exc)
                # rq decides whether to retry from this very object once the job raised.
                job.retries_left = 0
            raise

    return run


def is_conflict(error: PermanentError) -> bool:
    """Whether `error` is a 409: someone changed the ticket under our write."""
    return error.status == 409
