"""The job names stored in Redis resolve to the functions that run them.

A queued or scheduled job keeps its function's dotted name for as long as it waits (the
SLA sweep reschedules itself for ever), so moving a job's module without leaving its old
name resolvable would strand every job already queued under it.
"""

from __future__ import annotations

import pytest
from rq.utils import import_attribute

from infra.queue import JOB_NAMES
from worker import aftercare, jobs, sla_sweep

RUNS = {"process_event": jobs.process_event, "keep_warm": aftercare.keep_warm,
        "sla_sweep": sla_sweep.sla_sweep}


@pytest.mark.parametrize("name", JOB_NAMES)
def test_each_stored_job_name_resolves_to_its_job(name: str) -> None:
    assert import_attribute(name) is RUNS[name.rpartition(".")[2]]
