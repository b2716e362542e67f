"""A job that finds the helpdesk's rate budget spent waits for it instead of failing.

`RateLimited` means no call may go out for ``retry_after`` seconds: our own budget
has no slot within the connector's wait budget (``max_total_wait_seconds``), or
the helpdesk answered 429 with a longer ``Retry-After``. Raised out of a job, it
would spend one of the job's rq retries (``queue.retry_intervals_seconds``), and
under a backlog every job would reach the failed-job registry after a few
minutes. Instead the job returns an rq `Retry`: rq puts the same job (same id, so
a repeated webhook is still a duplicate) back in the scheduled registry for when
the budget frees up. rq counts these in ``job.number_of_retries`` and leaves
``job.retries_left``, the retries kept for real errors, as it was.

Nothing is lost or repeated: the decision and the batches the helpdesk confirmed
are in the ledger (`worker.effects.ledger`), so the next run picks up where this one
stopped.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from rq import Retry, get_current_job

from core.errors import RateLimited

log = logging.getLogger("worker.effects.reschedule")

P = ParamSpec("P")
R = TypeVar("R")

# A job rescheduled this many times in a row fails: a budget that stays spent for
# that long (hours at a 60 s window) is a misconfiguration, not a backlog.
MAX_RESCHEDULES = 1_000


def rate_limited_retry(error: RateLimited) -> Retry:
    """The `Retry` that runs the job again once `error`'s wait is over (whole seconds)."""
    return Retry(max=MAX_RESCHEDULES, interval=[max(1, math.ceil(error.retry_after))])


def reschedule_when_rate_limited(job_function: Callable[P, R]) -> Callable[P, R | Retry]:
    """Wrap an rq job function: RateLimited becomes a reschedule (see the module).

    Outside an rq job (a direct call) RateLimited propagates unchanged.
    """

    @functools.wraps(job_function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | Retry:
        try:
            return job_function(*args, **kwargs)
        except RateLimited as exc:
            job = get_current_job()
            if job is None:
                raise
            retry = rate_limited_retry(exc)
            log.info("rate budget spent: job %s runs again in %d s (rescheduled %d times "
                     "before; its %s error retries are kept)", job.id, retry.intervals[0],
                     job.number_of_retries or 0, job.retries_left)
            return retry

    return run
